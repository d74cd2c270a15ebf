//! **segment**: an issue's clean text in, its documents out.
//!
//! A document in a gazette opens with its heading, as GB/T 9704-2012 lays a
//! 公文 out: the 发文机关 (issuer) and the title (…关于…的通知), the 文号 on a
//! line of its own (before or after the title), then the 主送机关 ending
//! with a colon. It closes with the signature and the 成文日期. We anchor on
//! the 文号 lines, read the title block around each, and cut the issue
//! between one document's heading and the next. The 目录 is not a document:
//! its lines carry dot leaders and page numbers.

use crate::analyse::Basis;
use crate::clean::CleanText;
use crate::dates::date_line;
use crate::docnum::DocNumber;
use crate::gongwen::{is_org_line, lines, title_doc_type, title_line_ok, TextLine, LEADERS, TRAILING_QUALIFIER};
use crate::record::{DateKind, DocumentRecord, IssueMeta, IssueRef, TocEntry};
use crate::structure::structure;
use crate::text::normalize_title;
use chrono::NaiveDate;
use regex::Regex;
use std::sync::LazyLock;

pub mod issuer;

/// A 版头's 发文机关标志: `某县人民政府文件`, `中共某县委办公室文件`, or the
/// organisation's name alone.
fn is_masthead(s: &str) -> bool {
    let t = s.trim();
    is_org_line(t.strip_suffix("文件").unwrap_or(t).trim())
}

/// A line that holds nothing but a 文号 (possibly in brackets).
pub fn doc_number_line(s: &str) -> Option<DocNumber> {
    if LEADERS.is_match(s) {
        return None;
    }
    DocNumber::parse(s)
}

/// A document heading found in the text.
#[derive(Debug, Clone)]
struct Heading {
    /// Index of the first line of the heading.
    first: usize,
    /// Index of the last heading line (the 文号 or the last title line).
    last: usize,
    issuer_lines: Vec<usize>,
    title_lines: Vec<usize>,
    /// The 发文机关标志 of a 版头 (`某县人民政府文件`), above the 文号: the
    /// issuer when the title does not name one; never part of the title.
    masthead: Option<usize>,
    doc_number: Option<DocNumber>,
}

/// Find the title block just above line `anchor` (exclusive), not reaching
/// above `floor`: issuer line(s), then title lines, the last ending in a 文种.
fn title_block_above(ls: &[TextLine], anchor: usize, floor: usize) -> Option<(Vec<usize>, Vec<usize>)> {
    let mut cand: Vec<usize> = Vec::new();
    let mut i = anchor;
    while i > floor && cand.len() < 6 {
        i -= 1;
        if !title_line_ok(ls[i].text) {
            break;
        }
        cand.push(i);
    }
    cand.reverse();
    title_block_in(ls, &cand)
}

/// Given candidate lines (top to bottom, ending just before or at the end of
/// a title), choose the issuer and title lines.
fn title_block_in(ls: &[TextLine], cand: &[usize]) -> Option<(Vec<usize>, Vec<usize>)> {
    if cand.is_empty() {
        return None;
    }
    // The title may wrap anywhere, even inside its 文种 (`…的通` / `知`).
    let joined: String = cand.iter().map(|&k| ls[k].text).collect();
    if title_doc_type(&joined).is_none() {
        return None;
    }
    // The line that holds 关于 starts the title proper; lines above it must be
    // issuer lines.
    let guan = cand.iter().rposition(|&k| ls[k].text.contains("关于"));
    match guan {
        Some(g) => {
            let mut start = g;
            // 关于 may have wrapped: "…人民政府关于印发" begins the title line.
            while start > 0 && is_org_line(ls[cand[start - 1]].text) {
                start -= 1;
            }
            let issuers: Vec<usize> = cand[start..g].to_vec();
            Some((issuers, cand[g..].to_vec()))
        }
        None => {
            // No 关于: an issuer line followed by e.g. "公告" or a title like
            // "某某县人民政府令"; take org lines above as issuers, and the
            // contiguous non-org lines as the title.
            let mut t = cand.len() - 1;
            while t > 0 && !is_org_line(ls[cand[t - 1]].text) && cand.len() - t < 3 {
                t -= 1;
            }
            let mut s = t;
            while s > 0 && is_org_line(ls[cand[s - 1]].text) {
                s -= 1;
            }
            Some((cand[s..t].to_vec(), cand[t..].to_vec()))
        }
    }
}

/// The 文号 at line `i`: the line itself, or the line joined with the next
/// when a 文号 was broken across lines (`青政` / `发〔2024〕31号`,
/// `中华人民共和国国务院令` / `第707号`). Returns the 文号 and the index of
/// its last line.
fn number_at(ls: &[TextLine], i: usize) -> Option<(DocNumber, usize)> {
    if let Some(dn) = doc_number_line(ls[i].text) {
        return Some((dn, i));
    }
    // `（十四届第3号）` under a 公告's title set on lines of its own
    // (`某某自治区人大常委会` / `公　告`): the number of that 公告.
    if BARE_NUMBER.is_match(ls[i].text.trim()) {
        let above: Vec<&str> = (i.saturating_sub(3)..i).rev().map(|k| ls[k].text).take_while(|t| title_line_ok(t)).collect();
        let head: String = above.iter().rev().map(|t| crate::text::squeeze(t)).collect();
        if head.ends_with("公告") || head.ends_with('令') {
            if let Some(dn) = doc_number_line(&format!("{head}{}", ls[i].text.trim())) {
                return Some((dn, i));
            }
        }
    }
    let next = ls.get(i + 1)?;
    let head = ls[i].text;
    // `中华人民共和国国务院令` / `第707号` is a decree's number, whatever the 令 suggests.
    let decree = head.ends_with('令') && next.text.trim_start().starts_with('第');
    if head.chars().count() > 20
        || (title_doc_type(head).is_some() && !decree)
        || doc_number_line(next.text).is_some()
        || next.text.chars().count() > 16
    {
        return None;
    }
    doc_number_line(&format!("{head}{}", next.text)).map(|dn| (dn, i + 1))
}

/// The series line on a standard's cover: `中华人民共和国国家标准`,
/// `中华人民共和国密码行业标准`, `某某省地方标准`.
static STANDARD_SERIES: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(?:中华人民共和国)?\p{Han}{0,12}(?:国家|行业|地方|团体|企业)标准$").unwrap());

/// A number alone on its line: `（十四届第3号）`, `第14号`.
static BARE_NUMBER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[（(]?\s*(?:第?[一二三四五六七八九十]+届)?\s*第\s*\d{1,5}\s*号\s*[）)]?$").unwrap());

/// A 主送机关 line: `各乡镇人民政府，县直各有关单位：`.
pub fn addressee_line(s: &str) -> bool {
    let t = s.trim();
    (t.ends_with('：') || t.ends_with(':'))
        && t.chars().count() <= 150
        && !t.contains(['。', '；'])
        && !t.contains("如下")
        && !crate::clean::starts_block(t)
}

fn find_headings(ls: &[TextLine]) -> Vec<Heading> {
    let mut heads: Vec<Heading> = Vec::new();
    let mut floor = 0;
    let mut i = 0;
    while i < ls.len() {
        let Some((dn, num_last)) = number_at(ls, i) else {
            i += 1;
            continue;
        };
        // 文号 below the title (gazette reprint) or above it (版头 layout).
        if let Some((iss, tit)) = title_block_above(ls, i, floor) {
            let first = iss.first().copied().unwrap_or(tit[0]);
            heads.push(Heading { first, last: num_last, issuer_lines: iss, title_lines: tit, masthead: None, doc_number: Some(dn) });
            floor = num_last + 1;
            i = num_last + 1;
            continue;
        }
        // A title with 关于 right above the 文号 and the 主送机关 right below
        // it is a heading whatever its 文种 (`…的说明`, or one OCR misread).
        if ls.get(num_last + 1).is_some_and(|l| addressee_line(l.text)) {
            let above: Vec<usize> = (floor.max(i.saturating_sub(3))..i).filter(|&k| title_line_ok(ls[k].text)).collect();
            let contiguous = above.last().is_some_and(|&k| k + 1 == i) && above.windows(2).all(|w| w[1] == w[0] + 1);
            if contiguous && above.iter().any(|&k| ls[k].text.contains("关于")) {
                let g = above.iter().position(|&k| ls[k].text.contains("关于")).unwrap_or(0);
                let iss: Vec<usize> = above[..g].iter().copied().filter(|&k| is_org_line(ls[k].text)).collect();
                let tit = above[g..].to_vec();
                heads.push(Heading {
                    first: iss.first().copied().unwrap_or(tit[0]),
                    last: num_last,
                    issuer_lines: iss,
                    title_lines: tit,
                    masthead: None,
                    doc_number: Some(dn),
                });
                floor = num_last + 1;
                i = num_last + 1;
                continue;
            }
        }
        let mut cand = Vec::new();
        let mut j = num_last + 1;
        while j < ls.len() && cand.len() < 5 && title_line_ok(ls[j].text) {
            cand.push(j);
            if title_doc_type(ls[j].text).is_some() {
                if let Some(next) = ls.get(j + 1) {
                    if title_doc_type(next.text).is_some() && title_line_ok(next.text) && !addressee_line(next.text) {
                        j += 1;
                        continue;
                    }
                }
                break;
            }
            j += 1;
        }
        if let Some((iss, tit)) = title_block_in(ls, &cand) {
            // The 版头's 发文机关标志 may stand above the 文号.
            let masthead = (i > floor && is_masthead(ls[i - 1].text)).then(|| i - 1);
            let first = masthead.or(iss.first().copied()).unwrap_or(i).min(i);
            let last = *tit.last().unwrap();
            heads.push(Heading { first, last, issuer_lines: iss, title_lines: tit, masthead, doc_number: Some(dn) });
            floor = last + 1;
            i = last + 1;
            continue;
        }
        // A decree: `中华人民共和国国务院令` / `第707号`, then its text.
        if dn.is_decree() && ls[i].text.trim().ends_with('令') {
            heads.push(Heading {
                first: i,
                last: num_last,
                issuer_lines: vec![],
                title_lines: vec![i],
                masthead: None,
                doc_number: Some(dn),
            });
            floor = num_last + 1;
            i = num_last + 1;
            continue;
        }
        i = num_last + 1;
    }
    // Documents printed without a 文号: a title block (with 关于) directly
    // followed by the 主送机关 line.
    let covered = |k: usize, heads: &[Heading]| heads.iter().any(|h| (h.first..=h.last).contains(&k));
    let mut extra = Vec::new();
    for k in 0..ls.len().saturating_sub(1) {
        if !addressee_line(ls[k + 1].text) || covered(k, &heads) || covered(k + 1, &heads) {
            continue;
        }
        let floor = heads.iter().filter(|h| h.last < k).map(|h| h.last + 1).max().unwrap_or(0);
        if let Some((iss, tit)) = title_block_above(ls, k + 1, floor) {
            // A title that names no issuer (`关于…的报告`) is an enclosure of
            // the document before, not a document of its own.
            let title: String = tit.iter().map(|&t| ls[t].text).collect();
            let names_issuer = title.find("关于").is_some_and(|p| p > 0 && !issuer::issuer_of_title(&title, 0).is_empty());
            if !iss.is_empty() || names_issuer {
                let first = iss.first().copied().unwrap_or(tit[0]);
                extra.push(Heading { first, last: k, issuer_lines: iss, title_lines: tit, masthead: None, doc_number: None });
            }
        }
    }
    heads.extend(extra);
    heads.sort_by_key(|h| h.first);
    heads
}

/// A file that holds one document without a recognisable heading (a
/// regulation as published, a decree's text): its title is the first
/// title-like line(s) ending in a 文种.
fn single_document_heading(ls: &[TextLine]) -> Option<Heading> {
    let n = ls.len().min(8);
    // A line of a title: no sentence, not the 目录's
    // heading nor a standard's series line (`中华人民共和国密码行业标准`).
    let titleish = |t: &str| {
        let sq = crate::text::squeeze(t);
        // Mostly Han (`5G`, `PM2.5` may stand in a title; `一一4二二aa全<二`, an
        // OCR'd cover's noise, may not), brackets paired.
        let han = sq.chars().filter(|c| crate::extract::is_han(*c)).count();
        let mostly_han = han * 10 >= sq.chars().filter(|c| !c.is_ascii_digit()).count() * 7;
        let paired = sq.matches('<').count() == sq.matches('>').count();
        title_line_ok(t) && mostly_han && paired && sq != "目录" && !STANDARD_SERIES.is_match(&sq)
    };
    for end in 0..n {
        if title_doc_type(ls[end].text).is_some() && titleish(ls[end].text) {
            let mut start = end;
            while start > 0 && titleish(ls[start - 1].text) && end - start < 3 {
                start -= 1;
            }
            return Some(Heading {
                first: start,
                last: end,
                issuer_lines: vec![],
                title_lines: (start..=end).collect(),
                masthead: None,
                doc_number: None,
            });
        }
    }
    None
}

/// The issue's cover: gazette name, year, number, cumulative number, date.
pub fn parse_cover(text: &str, source_sha256: &str, source_path: &str, pages: u32, extractors: Vec<String>) -> IssueMeta {
    /// `2024年第3期`, `2024 第3期`
    static YEAR_NO: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"((?:19|20)\d{2})\s*年?\s*第\s*(\d{1,3})\s*期").unwrap());
    /// `(总第015期)`
    static CUMULATIVE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"总\s*第\s*(\d{1,5})\s*期").unwrap());
    /// `2024年9月28日出版`
    static PUBLISHED: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*(?:出版|印发|发行)").unwrap());
    /// `某某人民政府公报`, `某某市政府公报`
    static GAZETTE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^\s*([\p{Han}]{2,30}公报)\s*$").unwrap());
    // The cover is what precedes the 目录 or the first document.
    let head: String = text.lines().take(40).collect::<Vec<_>>().join("\n");
    let cut = head.find("目").filter(|i| head[*i..].starts_with("目录") || head[*i..].starts_with("目 录")).unwrap_or(head.len());
    let cover = &head[..cut];
    let gazette = cover.lines().find_map(|l| GAZETTE.captures(l).map(|c| c[1].to_string()));
    let (year, number) = YEAR_NO.captures(cover).map(|c| (c[1].parse().ok(), c[2].parse().ok())).unwrap_or((None, None));
    let cumulative_number = CUMULATIVE.captures(cover).and_then(|c| c[1].parse().ok());
    let published =
        PUBLISHED.captures(cover).and_then(|c| NaiveDate::from_ymd_opt(c[1].parse().ok()?, c[2].parse().ok()?, c[3].parse().ok()?));
    let id = match (&gazette, year, number) {
        (Some(g), Some(y), Some(n)) => format!("{g}/{y}/{n}"),
        _ => std::path::Path::new(source_path)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| source_sha256[..12.min(source_sha256.len())].to_string()),
    };
    IssueMeta {
        id,
        gazette,
        year,
        number,
        cumulative_number,
        published,
        source_sha256: source_sha256.to_string(),
        source_path: source_path.to_string(),
        pages,
        extractors,
        ocr_pages: vec![],
    }
}

/// A date that ends a signature line: `青县人民政府 2024年8月20日`.
fn signature_date(line: &str) -> Option<NaiveDate> {
    if let Some(d) = date_line(line) {
        return Some(d);
    }
    let found = crate::dates::find_dates(line);
    let (r, d) = found.last()?;
    let before = line[..r.start].trim();
    (r.end >= line.trim_end().len() && is_org_line(before)).then_some(*d)
}

/// A 目录 line's end: dot leaders and a page number, `……………（27）`, `…… 12`.
static TOC_PAGE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:…{2,}|\.{4,}|·{4,}|-{4,})+\s*[（(]?\s*(\d{1,4})\s*[）)]?\s*$").unwrap());
/// A 目录 section line: `【县政府文件】`, `【 人事任免 】`.
static TOC_SECTION: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^[【\[]\s*([^】\]]+?)\s*[】\]]$").unwrap());

/// Read the 目录: the entries between a `目录` line and `end` (the first
/// document's heading).
pub fn parse_toc(ls: &[TextLine], end: usize) -> Vec<TocEntry> {
    let Some(start) = ls[..end.min(ls.len())].iter().position(|l| crate::text::squeeze(l.text) == "目录") else {
        return vec![];
    };
    let mut out = Vec::new();
    let mut section: Option<String> = None;
    let mut acc = String::new();
    for l in &ls[start + 1..end.min(ls.len())] {
        if let Some(c) = TOC_SECTION.captures(l.text) {
            section = Some(c[1].trim().to_string());
            acc.clear();
            continue;
        }
        acc.push_str(l.text.trim());
        let Some(c) = TOC_PAGE.captures(&acc) else { continue };
        let page: Option<u32> = c[1].parse().ok();
        let body = acc[..c.get(0).unwrap().start()].trim().trim_start_matches(['-', '·', '•', '—']).trim().to_string();
        let found = crate::docnum::find_all(&body);
        let (doc_number, title) = match found.last() {
            Some((r, dn)) => {
                // Drop the 文号 and the brackets around it.
                let before = body[..r.start].trim_end().trim_end_matches(['（', '(']);
                let after = body[r.end..].trim_start().trim_start_matches(['）', ')']);
                (Some(dn.clone()), format!("{before}{after}"))
            }
            None => (None, body.clone()),
        };
        out.push(TocEntry { title: normalize_title(&title), doc_number, page, section: section.clone() });
        acc.clear();
    }
    out
}

/// Compare the 目录 with the documents found in the body.
pub fn check_toc(toc: &[TocEntry], docs: &[DocumentRecord]) -> Vec<String> {
    let mut warnings = Vec::new();
    if toc.is_empty() {
        return warnings;
    }
    let mut matched = vec![false; docs.len()];
    for e in toc {
        let by_number = e.doc_number.as_ref().and_then(|dn| docs.iter().position(|d| d.doc_number.as_ref() == Some(dn)));
        let by_title = docs.iter().position(|d| normalize_title(&d.title) == e.title);
        let shown = e.doc_number.as_ref().map(|d| format!("{}（{d}）", e.title)).unwrap_or_else(|| e.title.clone());
        match (by_number, by_title) {
            (Some(i), _) => {
                matched[i] = true;
                if normalize_title(&docs[i].title) != e.title {
                    warnings
                        .push(format!("目录: title of {} differs from the body: 目录 “{}”, body “{}”", docs[i].id, e.title, docs[i].title));
                }
            }
            (None, Some(i)) => {
                matched[i] = true;
                let body_number = docs[i].doc_number.as_ref().map(|d| d.to_string()).unwrap_or_else(|| "no 文号".into());
                warnings.push(format!("目录: {shown} is printed in the body with {body_number}"));
            }
            (None, None) => warnings
                .push(format!("目录: {shown} (p. {}) has no document in the body", e.page.map(|p| p.to_string()).unwrap_or_default())),
        }
    }
    for (d, m) in docs.iter().zip(&matched) {
        if !m {
            warnings.push(format!("目录: {} ({}) is not listed", d.id, d.title));
        }
    }
    warnings
}

/// Citations by title alone (`按照《某县…暂行办法》执行`) name a document of
/// the same issue when the title is its title or its instrument's (a
/// trailing （试行） aside); the others are dropped: a title without a
/// 文号 identifies nothing we can look up.
fn resolve_title_citations(docs: &mut [DocumentRecord]) {
    let key = |t: &str| TRAILING_QUALIFIER.replace(&normalize_title(t), "").into_owned();
    let known: Vec<(String, String)> = docs
        .iter()
        .flat_map(|d| {
            let mut v = vec![(key(&d.title), d.id.clone())];
            if let Some(i) = &d.instrument {
                v.push((key(&i.title), d.id.clone()));
            }
            v
        })
        .collect();
    for d in docs.iter_mut() {
        let own = d.id.clone();
        d.links.retain_mut(|l| {
            if l.kind != crate::analyse::LinkKind::Cites || l.target.is_some() {
                return true;
            }
            let Some(t) = l.target_title.as_deref() else { return false };
            match known.iter().find(|(k, id)| *k == key(t) && *id != own) {
                Some((_, id)) => {
                    l.target = Some(id.clone());
                    true
                }
                None => false,
            }
        });
    }
}

/// A document printed without its 文号 line may still cite itself by title
/// and number: a re-issued rule's note `根据《某局关于修改〈…〉的决定》
/// （沪公行规〔2025〕4号）修改后重新发布` in the decision it re-issues.
fn self_cited_number(text: &str, title: &str) -> Option<DocNumber> {
    // A title inside 《》 prints its own 《》 as 〈〉.
    let key = |t: &str| normalize_title(t).replace('〈', "《").replace('〉', "》");
    let own = key(title);
    crate::docnum::find_all(text).into_iter().find_map(|(r, dn)| {
        let before = text[..r.start].trim_end_matches(['（', '(', ' ']);
        let inner = before.strip_suffix('》')?;
        let open = inner.rfind('《')?;
        (key(&inner[open + '《'.len_utf8()..]) == own).then_some(dn)
    })
}

/// Split an issue's clean text into document records (and read its 目录).
pub fn segment(clean: &CleanText, issue: &IssueMeta) -> (Vec<DocumentRecord>, Vec<TocEntry>, Vec<String>) {
    let text = &clean.text;
    let ls = lines(text);
    let mut heads = find_headings(&ls);
    if heads.is_empty() {
        heads.extend(single_document_heading(&ls));
    }
    let toc = parse_toc(&ls, heads.first().map(|h| h.first).unwrap_or(ls.len()));
    let mut warnings = Vec::new();
    let mut docs = Vec::new();
    for (k, h) in heads.iter().enumerate() {
        let start = ls[h.first].start;
        let end = heads.get(k + 1).map(|n| ls[n.first].start).unwrap_or(text.len());
        let title_text: String = h.title_lines.iter().map(|&i| ls[i].text).collect::<Vec<_>>().join("");
        let issuer_text: String = h.issuer_lines.iter().map(|&i| ls[i].text).collect::<Vec<_>>().join(" ");
        let full = format!("{issuer_text}{title_text}");
        let title = normalize_title(&full);
        let doc_type = title_doc_type(&title).map(str::to_string);
        // Body: the lines after the heading.
        let body_from = h.last + 1;
        let body_to = heads.get(k + 1).map(|n| n.first).unwrap_or(ls.len());
        let signature = (body_from..body_to).find(|&i| signature_date(ls[i].text).is_some());
        let signers = signature.map(|i| issuer::signature_organs(&ls, i, body_from)).unwrap_or_default();
        let masthead = h.masthead.map(|m| issuer::split_issuers(ls[m].text.trim().trim_end_matches("文件").trim())).unwrap_or_default();
        let mut issuer = issuer::choose(issuer::split_issuers(issuer::issuer_of_title(&full, issuer_text.len())), masthead, &signers);
        if issuer.is_empty() {
            if let Some(w) = clean.web.as_ref().filter(|_| heads.len() == 1).and_then(|w| w.issuer.as_deref()) {
                issuer = issuer::split_issuers(w);
            }
        }
        if issuer.is_empty() {
            if let Some(dn) = h.doc_number.as_ref().filter(|d| d.is_decree()) {
                // 中华人民共和国国务院令 is issued by 国务院.
                let p = dn.prefix.trim_end_matches('令');
                issuer = vec![p.strip_prefix("中华人民共和国").filter(|r| !r.is_empty()).unwrap_or(p).to_string()];
            }
        }
        let mut addressees = None;
        if let Some(l) = ls.get(body_from).filter(|_| body_from < body_to) {
            let t = l.text.trim();
            if (t.ends_with('：') || t.ends_with(':')) && t.chars().count() <= 120 && !t.contains('。') {
                addressees = Some(normalize_title(t.trim_end_matches(['：', ':'])));
            }
        }
        let signed_date = signature.and_then(|i| signature_date(ls[i].text));
        // A regulation or rule prints its history instead of a signature.
        let mut dates = crate::history::history(&ls, body_from, body_to, 40);
        if let Some(p) = clean.web.as_ref().filter(|_| heads.len() == 1).and_then(|w| w.published) {
            // The site's 发布日期.
            dates.push(crate::record::DocDate { kind: DateKind::Promulgated, date: p, by: Some("发布日期".into()) });
        }
        // 公布之日 of a regulation: the date of the version it prints.
        let published = signed_date.or_else(|| dates.iter().filter(|d| d.kind != DateKind::Effective).map(|d| d.date).max());
        if published.is_none() {
            warnings.push(format!("{}: no signature date found", h.doc_number.as_ref().map(|d| d.to_string()).unwrap_or(title.clone())));
        }
        let order = k as u32 + 1;
        let body_offset = if body_from < body_to { ls[body_from].start } else { end };
        // A printed web page's metadata table names the one document it shows.
        let web = clean.web.as_ref().filter(|_| heads.len() == 1);
        let doc_number = h
            .doc_number
            .clone()
            .or_else(|| self_cited_number(&text[body_offset..end], &title))
            .or_else(|| web.and_then(|w| w.doc_number.clone()))
            // A regulation promulgated by decree: `…国务院令第583号公布`.
            .or_else(|| {
                dates
                    .iter()
                    .filter(|d| d.kind == DateKind::Promulgated)
                    .find_map(|d| d.by.as_deref().and_then(DocNumber::parse).filter(DocNumber::is_decree))
            });
        if issuer.is_empty() {
            // The organ that adopted or promulgated it (`…常务委员会第九次会议通过`).
            issuer.extend(
                dates
                    .iter()
                    .filter(|d| matches!(d.kind, DateKind::Adopted | DateKind::Promulgated))
                    .find_map(|d| d.by.as_deref().and_then(crate::history::organ)),
            );
        }
        let id = match &doc_number {
            Some(d) => d.to_string(),
            None => format!("{}#{order}", issue.id),
        };
        let last_char = text[..end].trim_end().len().max(start + 1) - 1;
        let doc_lines = &ls[h.first..body_to];
        let (instrument, provisions) = structure(&id, doc_lines, body_from - h.first, signature.map(|s| s - h.first), clean);
        // A 令 or 公告 that promulgates an instrument is known by the
        // instrument's title (what people cite); it keeps its own 文种.
        let title = match (&instrument, doc_type.as_deref()) {
            (Some(i), Some("令" | "公告")) => i.title.clone(),
            _ => title,
        };
        let doc_text = text[start..end].trim_end().to_string();
        // The heading names the document itself (关于废止《…》的通知): analyse the body.
        let body_start = ls.get(body_from).filter(|_| body_from < body_to).map(|l| l.start - start).unwrap_or(doc_text.len());
        let mut analysis = crate::analyse::analyse(&doc_text[body_start.min(doc_text.len())..], published, doc_number.as_ref(), &title);
        // A history line `2016年3月1日 施行` fixes the start the body does not state.
        if analysis.validity.basis == Basis::Default {
            if let Some(e) = dates.iter().rev().find(|d| d.kind == DateKind::Effective) {
                analysis.validity.effective_from = Some(e.date);
                analysis.validity.basis = Basis::StatedDate;
            }
        }
        docs.push(DocumentRecord {
            id,
            doc_number: doc_number.clone(),
            issuer,
            title,
            doc_type,
            addressees,
            signed_date,
            dates,
            issue: IssueRef { id: issue.id.clone(), published: issue.published },
            pages: [clean.page_at(start), clean.page_at(last_char)],
            order,
            instrument,
            provisions,
            validity: analysis.validity,
            campaign: analysis.campaign,
            links: analysis.links.into_iter().chain(analysis.title_citations).collect(),
            text: doc_text,
        });
    }
    if docs.is_empty() {
        warnings.push("no document found".to_string());
    }
    warnings.extend(check_toc(&toc, &docs));
    resolve_title_citations(&mut docs);
    (docs, toc, warnings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn org_lines() {
        assert!(is_org_line("青县人民政府"));
        assert!(is_org_line("青县人民政府办公室"));
        assert!(is_org_line("中共某县县委办公室 某县人民政府办公室"));
        assert!(!is_org_line("关于印发某某办法的通知"));
        assert!(!is_org_line("各乡镇人民政府，县直有关单位："));
    }

    #[test]
    fn a_title_wrapped_inside_its_doc_type() {
        let text = "某县人民政府办公室\n关于对某县香河湾小区重大火灾隐患单位销案摘牌的通\n知\n某政办发〔2024〕67号\n各乡镇人民政府：\n经复查，隐患已整改完毕。\n某县人民政府办公室\n2024年9月10日\n";
        let p = crate::pipeline::parse_text(text, "t.txt");
        assert_eq!(p.documents.len(), 1);
        assert_eq!(p.documents[0].title, "某县人民政府办公室关于对某县香河湾小区重大火灾隐患单位销案摘牌的通知");
        assert_eq!(p.documents[0].doc_type.as_deref(), Some("通知"));
    }

    #[test]
    fn doc_types() {
        assert_eq!(title_doc_type("关于印发某某办法（试行）的通知"), Some("通知"));
        assert_eq!(title_doc_type("某某县农村集体经营性建设用地入市实施办法（试行）"), Some("实施办法"));
        assert_eq!(title_doc_type("某某的"), None);
    }
}
