//! The eight real PDFs of `../shared/real/` (read in place; their README
//! names each source and producer): what gongbao must give from each. The
//! expectations were read off the pages (`pdftoppm -r 80`), not off our
//! output. When `../shared/real` is absent the tests say so and skip.
//!
//!     cargo test --test real_pdfs -- --nocapture

mod common;
use common::*;
use gongbao::record::{DateKind, DocumentRecord, ParsedIssue};
use gongbao::structure::{flatten, ProvisionKind};
use std::path::PathBuf;
use std::time::Instant;

fn real(name: &str) -> Option<PathBuf> {
    let p = root().join("../shared/real").join(name);
    if p.is_file() {
        Some(p)
    } else {
        eprintln!("skipped: {} is absent", p.display());
        None
    }
}

/// `gongbao parse FILE --json` as a user runs it: exit 0, one JSON document.
/// Each file is parsed once for all the tests (OCR takes a while).
fn parse_cli(path: &std::path::Path) -> (ParsedIssue, f64) {
    use std::collections::HashMap;
    use std::sync::{LazyLock, Mutex};
    static PARSED: LazyLock<Mutex<HashMap<PathBuf, (ParsedIssue, f64)>>> = LazyLock::new(Default::default);
    let mut cache = PARSED.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(hit) = cache.get(path) {
        return hit.clone();
    }
    let parsed = parse_once(path);
    cache.insert(path.to_path_buf(), parsed.clone());
    parsed
}

fn parse_once(path: &std::path::Path) -> (ParsedIssue, f64) {
    let t = Instant::now();
    let out = run(&["parse", path.to_str().unwrap(), "--json"], None);
    let secs = t.elapsed().as_secs_f64();
    assert!(out.status.success(), "{}: exit {:?}: {}", path.display(), out.status.code(), String::from_utf8_lossy(&out.stderr));
    (serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{}: not JSON: {e}", path.display())), secs)
}

fn articles(d: &DocumentRecord) -> Vec<String> {
    flatten(&d.provisions).iter().filter(|p| p.kind == ProvisionKind::Article).map(|p| p.label.clone()).collect()
}

fn chapters(d: &DocumentRecord) -> usize {
    flatten(&d.provisions).iter().filter(|p| p.kind == ProvisionKind::Chapter).count()
}

fn in_sequence(labels: &[String]) -> bool {
    labels.iter().enumerate().all(|(k, a)| *a == format!("第{}条", gongbao::text::to_cn_number(k as u32 + 1)))
}

fn text_of<'a>(d: &'a DocumentRecord, label: &str) -> &'a str {
    flatten(&d.provisions).into_iter().find(|p| p.label == label).map(|p| p.text.as_str()).unwrap_or("")
}

fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

#[test]
fn every_real_pdf_parses_with_no_stand_in_code_points() {
    let Some(dir) = real("README.md").and_then(|p| p.parent().map(|d| d.to_path_buf())) else { return };
    let mut files: Vec<PathBuf> =
        std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|e| e == "pdf")).collect();
    files.sort();
    assert_eq!(files.len(), 8);
    println!("\n{:<58} {:>5} {:>6} {:>7}  extractors", "file", "docs", "pages", "seconds");
    for f in files {
        let (p, secs) = parse_cli(&f);
        println!(
            "{:<58} {:>5} {:>6} {:>7.1}  {}",
            f.file_name().unwrap().to_string_lossy(),
            p.documents.len(),
            p.issue.pages,
            secs,
            p.issue.extractors.join(",")
        );
        assert!(!p.documents.is_empty(), "{}: no document", f.display());
        for d in &p.documents {
            let mut texts = vec![d.title.clone(), d.text.clone()];
            texts.extend(d.issuer.iter().cloned());
            texts.extend(flatten(&d.provisions).iter().map(|x| x.text.clone()));
            for t in texts {
                let bad: Vec<char> =
                    t.chars().filter(|c| ('\u{2e80}'..='\u{2fdf}').contains(c) || ('\u{f900}'..='\u{faff}').contains(c)).collect();
                assert!(bad.is_empty(), "{}: {bad:?} in {t:.60}", f.display());
            }
        }
    }
}

#[test]
fn a_two_column_founder_gazette_gives_the_law_with_its_articles_in_order() {
    let Some(f) = real("npc_gazette_2021_5_work_safety_law_founder.pdf") else { return };
    let (p, _) = parse_cli(&f);
    assert_eq!(p.documents.len(), 1);
    let d = &p.documents[0];
    assert_eq!(d.title, "中华人民共和国安全生产法");
    assert_eq!(chapters(d), 7);
    let arts = articles(d);
    // The excerpt runs into 第一百一十九条.
    assert!(arts.len() >= 110 && in_sequence(&arts), "{} articles: {:?}", arts.len(), &arts[..arts.len().min(5)]);
    // Sentences that run from the foot of the left column to the top of the
    // right one, or over a page, read whole.
    assert!(squeeze(text_of(d, "第三条")).contains("坚持人民至上、生命至上，把保护人民生命安全摆在首位"), "{}", text_of(d, "第三条"));
    assert!(squeeze(text_of(d, "第十二条")).contains("负责安全生产强制性国家标准的立项、编号、对外通报和授权批准发布工作"));
    // No article holds the start of another column's article.
    for a in flatten(&d.provisions).iter().filter(|x| x.kind == ProvisionKind::Article) {
        assert!(!a.text.lines().skip(1).any(|l| l.trim_start().starts_with('第') && l.contains("条 ")), "{}: {}", a.label, a.text);
    }
    let kinds: Vec<(DateKind, String)> = d.dates.iter().map(|x| (x.kind, x.date.to_string())).collect();
    assert!(
        kinds.contains(&(DateKind::Adopted, "2002-06-29".into())) && kinds.contains(&(DateKind::Amended, "2021-06-10".into())),
        "{kinds:?}"
    );
}

#[test]
fn a_web_print_gives_its_notice_and_its_number() {
    let Some(f) = real("nanning_fgw_nanfagaigui_2025_4_webprint.pdf") else { return };
    let (p, _) = parse_cli(&f);
    assert_eq!(p.documents.len(), 1);
    let d = &p.documents[0];
    assert_eq!(d.doc_number.as_ref().map(|x| x.to_string()).as_deref(), Some("南发改规〔2025〕4号"));
    assert_eq!(d.issuer, ["南宁市发展和改革委员会"]);
    assert_eq!(d.title, "南宁市发展和改革委员会关于南宁市市区管道燃气价格联动有关事项的通知");
    assert_eq!(d.signed_date.map(|x| x.to_string()).as_deref(), Some("2025-10-11"));
    assert_eq!(d.validity.effective_from.map(|x| x.to_string()).as_deref(), Some("2025-11-01"));
    for chrome in ["当前位置", "无障碍浏览", "网站支持IPV6", "发文机关", "效力状态", "浏览量", "网站标识码", "主办单位"]
    {
        assert!(!d.text.contains(chrome) && !d.title.contains(chrome), "{chrome} in the record");
    }
}

#[test]
fn a_congress_announcement_is_known_by_the_regulation_it_promulgates() {
    let Some(f) = real("guangxi_gas_regulation_2023_with_announcement.pdf") else { return };
    let (p, _) = parse_cli(&f);
    assert_eq!(p.documents.len(), 1);
    let d = &p.documents[0];
    assert_eq!(d.doc_number.as_ref().map(|x| x.to_string()).as_deref(), Some("广西壮族自治区人大常委会公告（十四届第3号）"));
    assert_eq!(d.doc_type.as_deref(), Some("公告"));
    assert_eq!(d.title, "广西壮族自治区燃气管理条例");
    assert_eq!(d.issuer, ["广西壮族自治区人民代表大会常务委员会"]);
    assert_eq!(d.signed_date.map(|x| x.to_string()).as_deref(), Some("2023-03-28"));
    assert_eq!(d.validity.effective_from.map(|x| x.to_string()).as_deref(), Some("2023-05-01"));
    let i = d.instrument.as_ref().expect("the 条例");
    assert_eq!((i.title.as_str(), i.chapters, i.articles), ("广西壮族自治区燃气管理条例", 7, 58));
    assert!(in_sequence(&articles(d)));
    let kinds: Vec<(DateKind, String)> = i.dates.iter().map(|x| (x.kind, x.date.to_string())).collect();
    assert!(
        kinds.contains(&(DateKind::Adopted, "2006-09-29".into())) && kinds.contains(&(DateKind::Revised, "2023-03-28".into())),
        "{kinds:?}"
    );
}

#[test]
fn a_regulation_printed_by_wps_takes_its_decree_number() {
    let Some(f) = real("state_council_urban_gas_regulation_wps.pdf") else { return };
    let (p, _) = parse_cli(&f);
    let d = &p.documents[0];
    assert_eq!(d.title, "城镇燃气管理条例");
    assert_eq!(d.doc_number.as_ref().map(|x| x.to_string()).as_deref(), Some("国务院令第583号"));
    assert_eq!(d.issuer, ["国务院"]);
    assert_eq!(chapters(d), 8);
    let arts = articles(d);
    assert!(arts.len() == 55 && in_sequence(&arts), "{arts:?}");
}

#[test]
fn a_broken_text_layer_is_reported_and_read_by_ocr() {
    let Some(f) = real("gmt0031_2014_standard_garbled_text.pdf") else { return };
    if which("tesseract").is_none() {
        eprintln!("skipped: tesseract is not installed");
        return;
    }
    let (p, _) = parse_cli(&f);
    assert!(p.warnings.iter().any(|w| w.contains("wrong code points") || w.contains("private-use")), "{:?}", p.warnings);
    assert!(p.issue.extractors.contains(&"tesseract".to_string()), "{:?}", p.issue.extractors);
    let d = &p.documents[0];
    // The cover's title, as OCR reads it (a 技 may come out as 拉).
    assert!(d.title.starts_with("安全电子签章密码") && d.title.ends_with("规范"), "{}", d.title);
    // No garbled run survives in the text.
    assert!(!d.text.contains("犐犆犛"), "{:.200}", d.text);
}

#[test]
fn a_scanned_letter_with_an_ocr_layer_gives_its_number_and_date() {
    let Some(f) = real("feida_tianjian_letter_scan_ocr.pdf") else { return };
    let (p, _) = parse_cli(&f);
    let d = &p.documents[0];
    // The layer prints 天健函2016) 306号: OCR lost the opening bracket.
    assert_eq!(d.doc_number.as_ref().map(|x| x.to_string()).as_deref(), Some("天健函〔2016〕306号"));
    assert_eq!(d.addressees.as_deref(), Some("上海证券交易所"));
    assert!(d.title.starts_with("关于浙江菲达环保科技股份有限公司"), "{}", d.title);
}

#[test]
fn reports_and_budgets_keep_their_titles() {
    for (file, title) in [
        ("hongze_2023_xxgk_annual_report.pdf", "洪泽区人民政府2023年政府信息公开工作年度报告"),
        ("putuo_planning_bureau_2024_final_accounts.pdf", "上海市普陀区规划和自然资源局2024年度部门决算"),
    ] {
        let Some(f) = real(file) else { return };
        let (p, _) = parse_cli(&f);
        assert_eq!(p.documents[0].title, title, "{file}");
    }
}

fn which(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| std::env::split_paths(&paths).map(|d| d.join(program)).find(|p| p.is_file()))
}
