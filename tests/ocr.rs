//! Issue "Scanned gazettes: OCR the pages that have no text layer".
//!
//! Fixtures (`tests/fixtures/scanned/`, made by `tools/make_scanned_pdf.py`
//! from the sample issue: rendered at 300 dpi, rotated by up to 1.2°, sensor
//! noise, blur, dust, greyscale JPEG, no text layer):
//! - `yuxian-2024-03-p27-38-scanned.pdf`: physical pages 27–38, all scanned;
//! - `yuxian-2024-03-p58-66-mixed.pdf`: physical pages 58–66, of which the
//!   2nd, 5th and 7th (59, 62, 64) are scanned and the others keep their text.
//!
//! - `yuxian-2024-03-p27-38-200dpi-rot1.5-speckle0.004-photocopy-seal-q30-s7.pdf`:
//!   the same pages as a 200-dpi photocopy (salt-and-pepper speckle, grey
//!   uneven background, skew up to 1.5°, a red seal over every signing date,
//!   colour JPEG at quality 30);
//! - `letter/qingzhou-letter-p1-2-…-redheader-seal-q35-s11.pdf`: a 函 whose
//!   first two pages are such scans, with a red letterhead and a red seal
//!   over its date, and whose annex pages keep their text layer.
//!
//! Needs Tesseract with chi_sim and PP-OCR (`scripts/setup.sh` installs
//! both): without them these tests fail, they do not skip.

mod common;
use common::*;
use gongbao::clean::clean;
use gongbao::extract::ocr::{EngineChoice, OcrMode};
use gongbao::extract::{ExtractOptions, Extraction, Extractor};
use gongbao::pipeline::{parse_clean, sha256_file};
use gongbao::record::{DocumentRecord, ParsedIssue};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::LazyLock;

fn scanned_pdf() -> PathBuf {
    fixture("scanned/yuxian-2024-03-p27-38-scanned.pdf")
}
fn mixed_pdf() -> PathBuf {
    fixture("scanned/yuxian-2024-03-p58-66-mixed.pdf")
}
fn photocopy_pdf() -> PathBuf {
    fixture("scanned/yuxian-2024-03-p27-38-200dpi-rot1.5-speckle0.004-photocopy-seal-q30-s7.pdf")
}
fn letter_pdf() -> PathBuf {
    fixture("letter/qingzhou-letter-p1-2-200dpi-rot1.2-speckle0.003-photocopy-redheader-seal-q35-s11.pdf")
}
/// First physical page of each fixture in the sample issue.
const SCANNED_FROM: usize = 27;
const MIXED_FROM: usize = 58;

fn require_tesseract() {
    let ok = Command::new("tesseract").arg("--list-langs").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("chi_sim"));
    assert!(ok, "Tesseract with chi_sim is needed: apt-get install tesseract-ocr tesseract-ocr-chi-sim (scripts/setup.sh)");
}

fn require_ppocr() {
    if let Err(e) = gongbao::extract::ocr::ppocr::detect() {
        panic!("PP-OCR is needed (scripts/setup.sh installs it): {e}");
    }
}

/// Read with Tesseract (the tests that were written for it).
fn extract(path: &Path, ocr: OcrMode) -> Extraction {
    extract_with(path, ocr, EngineChoice::Tesseract)
}

fn extract_with(path: &Path, ocr: OcrMode, engine: EngineChoice) -> Extraction {
    match engine {
        EngineChoice::Ppocr => require_ppocr(),
        _ => require_tesseract(),
    }
    use_worker_binary();
    let t = std::time::Instant::now();
    let ex = gongbao::pipeline::read_pages(path, &ExtractOptions { ocr, engine, ..Default::default() }).unwrap();
    let secs = t.elapsed().as_secs_f64();
    eprintln!("{}: {} pages, {} read by OCR in {secs:.1} s", path.display(), ex.pages.len(), ex.ocr.len());
    ex
}

fn parsed(path: &Path, ex: &Extraction) -> ParsedIssue {
    parse_clean(&clean(ex), ex, &sha256_file(path).unwrap(), path)
}

/// The scanned fixture, read once for all tests of this file.
static SCANNED: LazyLock<Extraction> = LazyLock::new(|| extract(&scanned_pdf(), OcrMode::Auto));
static MIXED: LazyLock<Extraction> = LazyLock::new(|| extract(&mixed_pdf(), OcrMode::Auto));
static PHOTOCOPY_PPOCR: LazyLock<Extraction> = LazyLock::new(|| extract_with(&photocopy_pdf(), OcrMode::Auto, EngineChoice::Ppocr));
static SCANNED_PPOCR: LazyLock<Extraction> = LazyLock::new(|| extract_with(&scanned_pdf(), OcrMode::Auto, EngineChoice::Ppocr));
/// The sample issue's text layer, parsed: what the scans should give.
static SAMPLE: LazyLock<ParsedIssue> = LazyLock::new(|| {
    use_worker_binary();
    gongbao::pipeline::parse_file(&root().join("corpus/yuxian-2024-03.pdf"), &ExtractOptions::default()).unwrap()
});

/// The printed text of physical page `n` of the sample (header, body, footer).
fn truth_page(n: usize) -> String {
    let pages: Value = serde_json::from_str(&std::fs::read_to_string(fixture("yuxian-2024-03.pages.json")).unwrap()).unwrap();
    let p = &pages["pages"][n - 1];
    assert_eq!(p["page"].as_u64(), Some(n as u64));
    ["header", "lines", "footer"].iter().flat_map(|k| p[k].as_array().unwrap().iter().map(|l| l.as_str().unwrap().to_string())).collect()
}

fn no_space(s: &str) -> Vec<char> {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Levenshtein distance over characters.
fn edits(a: &[char], b: &[char]) -> usize {
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j + 1] + 1).min(cur[j] + 1).min(prev[j] + usize::from(ca != cb));
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// Full-width and ASCII forms of the same punctuation are one character for
/// the folded rate (the print itself mixes （ and (, ， and ,).
fn fold(c: char) -> char {
    match c {
        '（' => '(',
        '）' => ')',
        '，' => ',',
        '：' => ':',
        '；' => ';',
        '！' => '!',
        '？' => '?',
        '“' | '”' => '"',
        _ => c,
    }
}

#[test]
fn scanned_pages_are_read_with_a_character_error_rate_under_5_percent() {
    let ex = &*SCANNED;
    assert_eq!(ex.pages.len(), 12);
    assert!(ex.pages.iter().all(|p| p.extractor == Extractor::Tesseract), "{:?}", ex.extractors());
    // Every page records the engine that read it.
    let pages: Vec<u32> = ex.ocr.iter().map(|o| o.page).collect();
    assert_eq!(pages, (1..=12).collect::<Vec<u32>>());
    for o in &ex.ocr {
        assert_eq!(o.engine, "tesseract");
        assert_eq!(o.language, "chi_sim");
        assert!(o.version.starts_with(|c: char| c.is_ascii_digit()), "{o:?}");
        assert!(o.confidence > 50.0 && o.confidence <= 100.0, "{o:?}");
        assert_eq!(o.dpi, 300, "{o:?}");
    }
    let cer = character_error_rate(ex, SCANNED_FROM, 12);
    assert!(cer < 0.05, "CER {:.2} %", cer * 100.0);
}

/// The character error rate of an extraction against the sample's printed
/// pages from `from` (no page above `page_limit` %), with the most frequent
/// confusions printed.
fn character_error_rate(ex: &Extraction, from: usize, page_limit: usize) -> f64 {
    let (mut total_edits, mut total_folded, mut total_chars) = (0, 0, 0);
    let mut confusions: std::collections::BTreeMap<(String, String), usize> = Default::default();
    for (i, page) in ex.pages.iter().enumerate() {
        let truth = no_space(&truth_page(from + i));
        let read = no_space(&page.text());
        let (t, r): (String, String) = (truth.iter().collect(), read.iter().collect());
        let diff = similar::TextDiff::configure().algorithm(similar::Algorithm::Myers).diff_chars(&t, &r);
        for op in diff.ops() {
            let (tag, old, new) = op.as_tag_tuple();
            if tag != similar::DiffTag::Equal {
                let key = (t.chars().skip(old.start).take(old.len()).collect(), r.chars().skip(new.start).take(new.len()).collect());
                *confusions.entry(key).or_default() += 1;
            }
        }
        let e = edits(&truth, &read);
        let folded = edits(&truth.iter().map(|c| fold(*c)).collect::<Vec<_>>(), &read.iter().map(|c| fold(*c)).collect::<Vec<_>>());
        eprintln!(
            "page {}: {} characters, {e} edits ({:.2} %), {folded} folded ({:.2} %)",
            from + i,
            truth.len(),
            100.0 * e as f64 / truth.len() as f64,
            100.0 * folded as f64 / truth.len() as f64
        );
        assert!(e * 100 < truth.len() * page_limit, "page {}: {e} edits in {}", from + i, truth.len());
        total_edits += e;
        total_folded += folded;
        total_chars += truth.len();
    }
    let mut top: Vec<_> = confusions.into_iter().collect();
    top.sort_by(|a, b| b.1.cmp(&a.1));
    let shown: Vec<String> = top.iter().take(20).map(|((t, r), n)| format!("{t:?}→{r:?}×{n}")).collect();
    eprintln!("most frequent confusions (print → OCR): {}", shown.join(", "));
    let cer = total_edits as f64 / total_chars as f64;
    let folded = total_folded as f64 / total_chars as f64;
    eprintln!(
        "character error rate: {:.2} % ({total_edits}/{total_chars}); punctuation width folded: {:.2} %",
        cer * 100.0,
        folded * 100.0
    );
    cer
}

/// Issue #16: PP-OCR after preparation reads a speckled 200-dpi photocopy
/// with seals over its dates to a CER of 3 % at most, and the documents on
/// it keep their 文号, titles and signing dates.
#[test]
fn ppocr_reads_a_speckled_200_dpi_photocopy_with_seals() {
    let ex = &*PHOTOCOPY_PPOCR;
    assert_eq!(ex.pages.len(), 12);
    assert!(ex.pages.iter().all(|p| p.extractor == Extractor::Ppocr), "{:?}", ex.extractors());
    for o in &ex.ocr {
        assert_eq!(o.engine, "ppocr");
        assert!(o.version.starts_with("PP-OCRv4"), "{o:?}");
        // read at the scan's own resolution, its skew measured
        assert_eq!(o.dpi, 200, "{o:?}");
        assert!(o.skew.abs() <= 1.6, "{o:?}");
    }
    // The generator turned the pages by up to 1.5°: most show it.
    assert!(ex.ocr.iter().filter(|o| o.skew.abs() >= 0.15).count() >= 8, "{:?}", ex.ocr);
    // Every page with a signing date had a seal over it (pages 33, 35, 37, 38).
    let sealed: Vec<u32> = ex.ocr.iter().filter(|o| o.seals > 0).map(|o| o.page).collect();
    assert_eq!(sealed, [7, 9, 11, 12], "{:?}", ex.ocr);
    let cer = character_error_rate(ex, SCANNED_FROM, 8);
    assert!(cer <= 0.03, "CER {:.2} %", cer * 100.0);
    documents_keep_their_fields(&photocopy_pdf(), ex);
}

/// …and the 300-dpi scan to 1.5 % at most.
#[test]
fn ppocr_reads_the_300_dpi_scan() {
    let ex = &*SCANNED_PPOCR;
    assert!(ex.pages.iter().all(|p| p.extractor == Extractor::Ppocr), "{:?}", ex.extractors());
    assert!(ex.ocr.iter().all(|o| o.dpi == 300 && o.seals == 0), "{:?}", ex.ocr);
    let cer = character_error_rate(ex, SCANNED_FROM, 5);
    assert!(cer <= 0.015, "CER {:.2} %", cer * 100.0);
    documents_keep_their_fields(&scanned_pdf(), ex);
}

/// Every sample document wholly on the scanned pages has its 文号, title and
/// signing date.
fn documents_keep_their_fields(path: &Path, ex: &Extraction) {
    let issue = parsed(path, ex);
    let want = sample_documents_within(SCANNED_FROM, 12);
    assert!(want.len() >= 6);
    for w in &want {
        let got = issue
            .documents
            .iter()
            .find(|d| d.id == w.id)
            .unwrap_or_else(|| panic!("{} not found; OCR gave {:?}", w.id, issue.documents.iter().map(|d| &d.id).collect::<Vec<_>>()));
        assert_eq!(got.title, w.title, "{}", w.id);
        assert_eq!(got.signed_date, w.signed_date, "{}", w.id);
        assert_eq!(got.pages, w.pages, "{}", w.id);
    }
    eprintln!("{}: {} of {} documents with 文号, title and date", path.display(), want.len(), want.len());
}

/// Issue #16: a 函 whose first two pages are scans with a red letterhead and
/// a red seal over its date gives its 文号, issuer, title and date; the
/// letterhead is read (it names the issuer), the seal is not.
#[test]
fn a_letter_with_a_red_header_and_its_date_under_a_seal() {
    let path = letter_pdf();
    let ex = extract_with(&path, OcrMode::Auto, EngineChoice::Ppocr);
    use Extractor::{PdfExtract, Pdftotext, Ppocr};
    let by: Vec<Extractor> = ex.pages.iter().map(|p| p.extractor).collect();
    assert!(matches!(by.as_slice(), [Ppocr, Ppocr, PdfExtract | Pdftotext, PdfExtract | Pdftotext]), "{by:?}");
    assert_eq!(ex.pages[0].lines[0].text, "青州市住房和城乡建设局", "{}", ex.pages[0].text());
    assert_eq!(ex.ocr.iter().map(|o| o.seals).collect::<Vec<_>>(), [0, 1], "{:?}", ex.ocr);
    // The seal's own characters are not in the text.
    let page2 = ex.pages[1].text();
    assert!(page2.contains("2025年6月18日") && !page2.contains('★'), "{page2}");
    let issue = parsed(&path, &ex);
    assert_eq!(issue.documents.len(), 1, "{:?}", issue.documents.iter().map(|d| &d.id).collect::<Vec<_>>());
    let d = &issue.documents[0];
    assert_eq!(d.id, "青住建函〔2025〕67号");
    assert_eq!(d.issuer, ["青州市住房和城乡建设局"]);
    assert_eq!(d.title, "青州市住房和城乡建设局关于做好2025年城镇老旧小区改造项目验收工作的函");
    assert_eq!(d.signed_date.map(|x| x.to_string()).as_deref(), Some("2025-06-18"));
    assert_eq!(d.doc_type.as_deref(), Some("函"));
}

/// With the models absent, `auto` reads with Tesseract; the record says so.
#[test]
fn without_the_models_auto_falls_back_to_tesseract() {
    require_tesseract();
    let out = Command::new(bin())
        .args(["extract-pages", letter_pdf().to_str().unwrap()])
        .env("GONGBAO_PPOCR_DIR", "/nonexistent")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let engines: Vec<&str> = r["ocr"].as_array().unwrap().iter().map(|o| o["engine"].as_str().unwrap()).collect();
    assert_eq!(engines, ["tesseract", "tesseract"], "{r}");
    // …and asked for by name, PP-OCR's absence is an error that says what to install.
    let out = Command::new(bin())
        .args(["extract-pages", letter_pdf().to_str().unwrap(), "--ocr-engine", "ppocr"])
        .env("GONGBAO_PPOCR_DIR", "/nonexistent")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("PP-OCR models not found") && err.contains("rapidocr-onnxruntime"), "{err}");
}

/// The sample's documents that lie wholly on physical pages `from..from+n`.
fn sample_documents_within(from: usize, n: usize) -> Vec<DocumentRecord> {
    // Printed page = physical − 1 in the sample.
    let (lo, hi) = ((from - 1) as u32, (from + n - 2) as u32);
    let docs: Vec<DocumentRecord> = SAMPLE.documents.iter().filter(|d| d.pages[0] >= lo && d.pages[1] <= hi).cloned().collect();
    // The truth file agrees on their 文号 and dates.
    let truth = truth();
    for d in &docs {
        let t = truth["documents"].as_array().unwrap().iter().find(|t| t["doc_number"] == d.id.as_str()).expect("in the truth");
        assert_eq!(t["signed_date"].as_str(), d.signed_date.map(|x| x.to_string()).as_deref(), "{}", d.id);
    }
    docs
}

#[test]
fn documents_on_scanned_pages_keep_their_doc_numbers_dates_and_pages() {
    let issue = parsed(&scanned_pdf(), &SCANNED);
    let want = sample_documents_within(SCANNED_FROM, 12);
    assert!(want.len() >= 6, "{:?}", want.iter().map(|d| &d.id).collect::<Vec<_>>());
    for w in &want {
        let got = issue
            .documents
            .iter()
            .find(|d| d.id == w.id)
            .unwrap_or_else(|| panic!("{} not found; OCR gave {:?}", w.id, issue.documents.iter().map(|d| &d.id).collect::<Vec<_>>()));
        assert_eq!(got.signed_date, w.signed_date, "{}", w.id);
        assert_eq!(got.doc_number, w.doc_number, "{}", w.id);
        // Printed page numbers: read from the scans' footers or inferred.
        assert_eq!(got.pages, w.pages, "{}", w.id);
        assert_eq!(got.doc_type, w.doc_type, "{}", w.id);
    }
    // The issue says which pages were read by OCR.
    assert_eq!(issue.issue.ocr_pages.len(), 12);
    assert_eq!(issue.issue.extractors, ["tesseract"]);
}

#[test]
fn the_mixed_pdf_takes_the_text_layer_or_ocr_page_by_page() {
    let ex = &*MIXED;
    let by: Vec<Extractor> = ex.pages.iter().map(|p| p.extractor).collect();
    use Extractor::{PdfExtract as T, Tesseract as O};
    assert_eq!(by, [T, O, T, T, O, T, O, T, T]);
    assert_eq!(ex.ocr.iter().map(|o| o.page).collect::<Vec<_>>(), [2, 5, 7]);
    // Text pages are the sample's own text layer, untouched.
    use_worker_binary();
    let sample = gongbao::pipeline::read_pages(&root().join("corpus/yuxian-2024-03.pdf"), &ExtractOptions::default()).unwrap();
    for (i, p) in ex.pages.iter().enumerate().filter(|(_, p)| p.extractor == T) {
        assert_eq!(p.text(), sample.pages[MIXED_FROM - 1 + i].text(), "page {}", i + 1);
    }
    // Scanned pages read close to their truth.
    for (i, p) in ex.pages.iter().enumerate().filter(|(_, p)| p.extractor == O) {
        let truth = no_space(&truth_page(MIXED_FROM + i));
        let e = edits(&truth, &no_space(&p.text()));
        assert!(e * 100 < truth.len() * 8, "page {}: {e} edits in {}", MIXED_FROM + i, truth.len());
    }
    // Documents: same dates and pages as from the text layer; 文号 the same,
    // or — where OCR misread a 机关代字 on a scanned heading and the issue
    // cannot tell which of two prefixes it was — one character off.
    let issue = parsed(&mixed_pdf(), ex);
    let want = sample_documents_within(MIXED_FROM, 9);
    assert!(want.len() >= 5, "{:?}", want.iter().map(|d| &d.id).collect::<Vec<_>>());
    let mut exact = 0;
    for w in &want {
        let got = issue
            .documents
            .iter()
            .find(|d| d.id == w.id)
            .or_else(|| issue.documents.iter().find(|d| prefix_one_char_apart(d, w)))
            .unwrap_or_else(|| panic!("{} not found in {:?}", w.id, issue.documents.iter().map(|d| &d.id).collect::<Vec<_>>()));
        exact += usize::from(got.id == w.id);
        assert_eq!(got.signed_date, w.signed_date, "{}", w.id);
        assert_eq!(got.pages, w.pages, "{}", w.id);
    }
    eprintln!("mixed: {exact}/{} 文号 exact", want.len());
    assert!(exact + 1 >= want.len(), "{exact}/{}", want.len());
}

/// Same year and number, 机关代字 one character apart.
fn prefix_one_char_apart(a: &DocumentRecord, b: &DocumentRecord) -> bool {
    let (Some(a), Some(b)) = (&a.doc_number, &b.doc_number) else { return false };
    let (pa, pb): (Vec<char>, Vec<char>) = (a.prefix.chars().collect(), b.prefix.chars().collect());
    a.number_part() == b.number_part() && pa.len() == pb.len() && pa.iter().zip(&pb).filter(|(x, y)| x != y).count() == 1
}

#[test]
fn force_reads_every_page_even_with_a_text_layer() {
    let ex = extract(&mixed_pdf(), OcrMode::Force);
    assert!(ex.pages.iter().all(|p| p.extractor == Extractor::Tesseract));
    assert_eq!(ex.ocr.len(), 9);
    // …and OCR of a clean text page is close to its text layer.
    let truth = no_space(&truth_page(MIXED_FROM));
    let e = edits(&truth, &no_space(&ex.pages[0].text()));
    assert!(e * 100 < truth.len() * 5, "{e} edits in {}", truth.len());
}

fn outcome<'a>(r: &'a Value, name: &str) -> &'a Value {
    r["files"].as_array().unwrap().iter().find(|f| f["path"].as_str().unwrap().ends_with(name)).unwrap_or_else(|| panic!("{name} in {r}"))
}

/// `--ocr off`, and auto without Tesseract: the scan is reported as having
/// no text layer (and why), the mixed file is ingested from its text pages
/// with a warning naming the pages, and the batch goes on.
#[test]
fn without_ocr_scans_are_reported_and_the_batch_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("in");
    std::fs::create_dir(&src).unwrap();
    for p in [scanned_pdf(), mixed_pdf(), fixture("later-issue/yuxian-2024-04.pdf")] {
        std::fs::copy(&p, src.join(p.file_name().unwrap())).unwrap();
    }
    for (label, args, env, why) in
        [("off", vec!["--ocr", "off"], None, "(OCR is off)"), ("no tesseract", vec![], Some("/nonexistent/tesseract"), "is not installed")]
    {
        let index = dir.path().join(format!("index-{}", label.replace(' ', "-")));
        let mut c = Command::new(bin());
        c.args(["ingest", src.to_str().unwrap(), "--json"]).args(&args).env("GONGBAO_INDEX", &index);
        if let Some(t) = env {
            // Neither engine: no Tesseract, no PP-OCR models.
            c.env("GONGBAO_TESSERACT", t).env("GONGBAO_PPOCR_DIR", "/nonexistent");
        }
        let out = c.output().unwrap();
        let r: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{label}: {e}"));
        assert_eq!(out.status.code(), Some(2), "{label}: {r}");
        let s = outcome(&r, "p27-38-scanned.pdf");
        assert_eq!(s["outcome"], "failed", "{label}: {s}");
        let e = s["error"].as_str().unwrap();
        assert!(e.contains("p27-38-scanned.pdf") && e.contains("no text layer (scanned?)") && e.contains(why), "{label}: {e}");
        let m = outcome(&r, "p58-66-mixed.pdf");
        assert_eq!(m["outcome"], "ingested", "{label}: {m}");
        // 62号 and 函21 have their headings on text pages.
        assert_eq!(m["documents"].as_u64(), Some(2), "{label}: {m}");
        let w = m["warnings"].to_string();
        assert!(w.contains("pages 2, 5, 7 without a text layer") && w.contains(why), "{label}: {w}");
        assert_eq!(outcome(&r, "yuxian-2024-04.pdf")["outcome"], "ingested", "{label}");
    }
}

#[test]
fn a_bad_ocr_mode_is_refused() {
    let out = run(&["ingest", "--ocr", "maybe", "corpus"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown OCR mode"), "{}", String::from_utf8_lossy(&out.stderr));
}

/// A 文号 nothing carries finds the one OCR misread, and the answer says so;
/// an exact 文号 and a wrong number are answered as before.
#[test]
fn doc_number_lookups_see_through_ocr_misreadings() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    let r = run_json(&["ingest", mixed_pdf().to_str().unwrap(), "--json"], Some(&index));
    assert_eq!(outcome(&r, "p58-66-mixed.pdf")["outcome"], "ingested", "{r}");
    let out = run(&["export"], Some(&index));
    let docs: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter_map(|d| d["doc_number"].as_str().map(str::to_string))
        .collect();
    // The scanned heading of 孟政办函〔2024〕19号 reads 孟政办图: one character off.
    let misread = docs.iter().find(|d| d.ends_with("〔2024〕19号")).expect("19号 ingested").clone();
    let asked = "孟政办函〔2024〕19号";
    if misread != asked {
        let s = run_json(&["search", asked, "--json"], Some(&index));
        assert_eq!(s["approximate"]["requested"], asked, "{s}");
        assert_eq!(s["approximate"]["matched"], misread.as_str(), "{s}");
        assert_eq!(s["approximate"]["differences"], 1, "{s}");
        assert_eq!(s["hits"][0]["id"], misread.as_str(), "{s}");
        let st = run_json(&["status", asked, "--on", "2024-10-01", "--json"], Some(&index));
        assert_eq!(st["id"], misread.as_str(), "{st}");
        assert_eq!(st["known_in_corpus"], true, "{st}");
        assert_eq!(st["approximate"]["requested"], asked, "{st}");
        let out = run(&["status", asked, "--on", "2024-10-01"], Some(&index));
        assert!(String::from_utf8_lossy(&out.stderr).contains("no document is numbered"), "{}", String::from_utf8_lossy(&out.stderr));
    }
    // The county's name as printed on the real gazette (盂) against the one its
    // OCR'd text layer carries (孟): one character.
    let st = run_json(&["status", "盂政办发〔2024〕62号", "--on", "2024-10-01", "--json"], Some(&index));
    assert_eq!(st["id"], "孟政办发〔2024〕62号", "{st}");
    assert_eq!(st["approximate"]["differences"], 1, "{st}");
    // Exact: no note. Another number: not a misreading.
    let s = run_json(&["search", "孟政办发〔2024〕62号", "--json"], Some(&index));
    assert!(s.get("approximate").is_none(), "{s}");
    assert_eq!(s["hits"][0]["id"], "孟政办发〔2024〕62号");
    let st = run_json(&["status", "孟政办发〔2024〕63号", "--on", "2024-10-01", "--json"], Some(&index));
    assert!(st.get("approximate").is_none(), "{st}");
    assert_eq!(st["status"], "unknown", "{st}");
    assert_eq!(st["known_in_corpus"], false, "{st}");
}
