//! PDF extraction, parent side: run the worker, check what it returns, fall
//! back to pdftotext page by page where it failed.

use super::ocr::{self, OcrEngine, OcrMode};
use super::worker::{self, Finished, WorkerFailure, WorkerReport};
use super::{han_count, ExtractOptions, Extraction, Extractor, Limits, Page};
use crate::error::{Error, Result};
use std::path::Path;
use std::process::Command;

/// Does a page's text look wrong (replacement characters, private-use
/// glyphs, almost no Han characters in a page full of other symbols)?
pub fn page_quality_problem(text: &str) -> Option<&'static str> {
    if text.contains('\u{fffd}') {
        return Some("replacement characters");
    }
    if text.chars().any(|c| ('\u{e000}'..='\u{f8ff}').contains(&c)) {
        return Some("unmapped (private-use) glyphs");
    }
    let visible = text.chars().filter(|c| !c.is_whitespace()).count();
    let han = han_count(text);
    if visible >= 40 && han * 10 < visible {
        return Some("too few Han characters");
    }
    // Glyphs mapped to the wrong code points still come out as Han
    // characters, but rare ones (犐犆犛 for ICS): Chinese text is almost all
    // common characters.
    if han >= 20 && common_share(text) < 0.6 {
        return Some("Han characters mostly outside common use (glyphs mapped to wrong code points)");
    }
    None
}

/// The 4,000 most frequent Han characters (dictionaries/common_chars.txt).
static COMMON: std::sync::LazyLock<std::collections::HashSet<char>> = std::sync::LazyLock::new(|| {
    include_str!("../../dictionaries/common_chars.txt").lines().filter(|l| !l.starts_with('#')).flat_map(|l| l.chars()).collect()
});

/// The share of a text's Han characters that are in common use (1.0 for a
/// text with none).
pub fn common_share(text: &str) -> f32 {
    let (mut han, mut common) = (0usize, 0usize);
    for c in text.chars().filter(|c| super::is_han(*c)) {
        han += 1;
        common += COMMON.contains(&c) as usize;
    }
    if han == 0 {
        1.0
    } else {
        common as f32 / han as f32
    }
}

/// Should OCR read this page (in `--ocr auto`)? When its text layer is
/// missing, next to empty (a scan with a typeset page number) or garbage.
pub fn needs_ocr(page: &Page) -> bool {
    let text = page.text();
    han_count(&text) < 8 || page_quality_problem(&text).is_some()
}

/// Extract a PDF: pdf-extract in the worker, pdftotext where it fails, OCR
/// where neither finds a usable text layer.
pub fn extract_pdf(path: &Path, opts: &ExtractOptions) -> Result<Extraction> {
    let limits = opts.limits;
    let mut notes = Vec::new();
    let report = run_worker(path, limits);
    let mut pages: Vec<Option<Page>> = Vec::new();
    let mut need_fallback = false;
    let mut encrypted = false;
    let mut worker_error = None;
    let mut type3_pages: Vec<u32> = Vec::new();
    // Scans with an OCR text layer (the scanner's, with its misreadings).
    let mut scan_pages: Vec<u32> = Vec::new();
    match report {
        Ok(r) => {
            if r.pages.len() < r.page_count as usize {
                notes.push(format!("pdf-extract returned {} of {} pages", r.pages.len(), r.page_count));
                need_fallback = true;
            }
            pages.resize(r.page_count as usize, None);
            for wp in r.pages {
                let idx = wp.number as usize - 1;
                if idx >= pages.len() {
                    continue;
                }
                let page = Page {
                    number: wp.number,
                    width: wp.width,
                    height: wp.height,
                    lines: wp.lines,
                    extractor: Extractor::PdfExtract,
                    columns: vec![],
                };
                if wp.scan && wp.error.is_some() {
                    scan_pages.push(wp.number);
                }
                if let Some(e) = wp.error {
                    notes.push(format!("page {}: {e}", wp.number));
                    need_fallback = true;
                    continue;
                }
                if wp.scan {
                    scan_pages.push(wp.number);
                }
                let text = page.text();
                if wp.type3 {
                    // Glyph positions in Type3 fonts: pdftotext's (see pdf_extract).
                    type3_pages.push(wp.number);
                    need_fallback = true;
                }
                if let Some(problem) = page_quality_problem(&text) {
                    notes.push(format!("page {}: pdf-extract output failed the quality check ({problem})", wp.number));
                    need_fallback = true;
                    continue;
                }
                if text.trim().is_empty() {
                    need_fallback = true;
                }
                pages[idx] = Some(page);
            }
            if pages.is_empty() {
                need_fallback = true;
            }
        }
        Err(WorkerError::Failed(f)) => {
            encrypted = f.encrypted;
            notes.push(format!("pdf-extract could not open the file: {}", f.message));
            worker_error = Some(f.message);
            need_fallback = true;
        }
        Err(WorkerError::Crashed(why)) => {
            notes.push(format!("pdf-extract worker {why}"));
            worker_error = Some(why);
            need_fallback = true;
        }
    }
    if need_fallback {
        match super::poppler::pdftotext_pages(path, limits) {
            Ok(fallback) => {
                if pages.len() < fallback.len() {
                    pages.resize(fallback.len(), None);
                }
                for fp in fallback {
                    let idx = fp.number as usize - 1;
                    let better = match &pages[idx] {
                        None => true,
                        Some(p) if type3_pages.contains(&fp.number) => han_count(&fp.text()) >= han_count(&p.text()),
                        Some(p) => han_count(&fp.text()) > han_count(&p.text()),
                    };
                    if better {
                        pages[idx] = Some(fp);
                    }
                }
            }
            Err(e) => {
                if encrypted || e.encrypted {
                    return Err(Error::Encrypted { path: path.to_owned() });
                }
                if pages.iter().all(|p| p.is_none()) {
                    let reason = match worker_error {
                        Some(w) => format!("{w}; pdftotext: {}", e.message),
                        None => format!("pdftotext: {}", e.message),
                    };
                    return Err(Error::Damaged { path: path.to_owned(), reason });
                }
                notes.push(format!("pdftotext fallback failed: {}", e.message));
            }
        }
    }
    let mut pages: Vec<Page> = pages
        .into_iter()
        .enumerate()
        .map(|(i, p)| {
            p.unwrap_or(Page {
                number: i as u32 + 1,
                width: 0.0,
                height: 0.0,
                lines: vec![],
                extractor: Extractor::PdfExtract,
                columns: vec![],
            })
        })
        .collect();
    // A scanner's OCR layer misreads as OCR does: the same repairs as ours.
    for p in pages.iter_mut().filter(|p| scan_pages.contains(&p.number) && p.extractor != Extractor::Tesseract) {
        for l in &mut p.lines {
            l.text = ocr::normalise::line(&l.text);
        }
    }
    if !scan_pages.is_empty() {
        notes.push(format!("{} scanned with an OCR text layer: read with OCR repairs", page_list(&scan_pages)));
    }
    let ocr = read_by_ocr(path, opts, &mut pages, &mut notes);
    if pages.iter().all(|p| p.lines.iter().all(|l| l.text.trim().is_empty())) {
        if encrypted {
            return Err(Error::Encrypted { path: path.to_owned() });
        }
        // A PDF pdf-extract could not get through is not known to be a scan.
        if let Some(w) = worker_error {
            return Err(Error::Extractor { path: path.to_owned(), reason: format!("pdf-extract: {w}; pdftotext found no text") });
        }
        return Err(Error::NoTextLayer { path: path.to_owned(), ocr: ocr.hint });
    }
    Ok(Extraction { pages, notes, ocr: ocr.records })
}

/// What OCR did to a file's pages.
struct OcrOutcome {
    records: Vec<ocr::OcrPage>,
    /// Why pages without a text layer stayed empty, for the error message.
    hint: String,
}

/// OCR the pages `opts.ocr` asks for, replacing their text where OCR read
/// more (`auto`) or always (`force`).
fn read_by_ocr(path: &Path, opts: &ExtractOptions, pages: &mut [Page], notes: &mut Vec<String>) -> OcrOutcome {
    let empty: Vec<u32> = pages.iter().filter(|p| needs_ocr(p)).map(|p| p.number).collect();
    let wanted: Vec<u32> = match opts.ocr {
        OcrMode::Off => vec![],
        OcrMode::Force => pages.iter().map(|p| p.number).collect(),
        OcrMode::Auto => empty.clone(),
    };
    if opts.ocr == OcrMode::Off {
        if !empty.is_empty() {
            notes.push(format!("{} without a text layer, not read (OCR is off)", page_list(&empty)));
        }
        return OcrOutcome { records: vec![], hint: " (OCR is off)".into() };
    }
    if wanted.is_empty() {
        return OcrOutcome { records: vec![], hint: String::new() };
    }
    let engine = match OcrEngine::detect() {
        Ok(e) => e,
        Err(why) => {
            if !empty.is_empty() {
                notes.push(format!("{} without a text layer, not read: {why}", page_list(&empty)));
            }
            return OcrOutcome { records: vec![], hint: format!(" (no OCR: {why})") };
        }
    };
    let mut records = Vec::new();
    let mut failed = Vec::new();
    for (n, r) in ocr::ocr_pages(&engine, path, &wanted, opts.limits) {
        let Some(slot) = pages.iter_mut().find(|p| p.number == n) else { continue };
        match r {
            Ok(read) => {
                let (ocr_text, old_text) = (read.page.text(), slot.text());
                let repairs = page_quality_problem(&old_text).is_some() && page_quality_problem(&ocr_text).is_none();
                let better = opts.ocr == OcrMode::Force || repairs || han_count(&ocr_text) > han_count(&old_text);
                if better {
                    // Keep the page size the PDF declares where OCR could not tell.
                    let (w, h) = (slot.width, slot.height);
                    *slot = read.page;
                    if slot.width == 0.0 {
                        slot.width = w;
                        slot.height = h;
                    }
                    records.push(read.record);
                }
            }
            Err(e) => {
                notes.push(format!("page {n}: OCR failed: {e}"));
                failed.push(e);
            }
        }
    }
    let hint = match failed.first() {
        Some(e) => format!(" (OCR failed: {e})"),
        None => format!(" ({} found no text either)", engine.describe()),
    };
    OcrOutcome { records, hint }
}

/// `page 3` or `pages 3, 5, 7`.
fn page_list(pages: &[u32]) -> String {
    let v: Vec<String> = pages.iter().map(|n| n.to_string()).collect();
    if v.len() == 1 {
        format!("page {}", v[0])
    } else {
        format!("pages {}", v.join(", "))
    }
}

enum WorkerError {
    Failed(WorkerFailure),
    Crashed(String),
}

fn run_worker(path: &Path, limits: Limits) -> std::result::Result<WorkerReport, WorkerError> {
    let exe = worker::worker_exe().map_err(|e| WorkerError::Crashed(format!("cannot start: {e}")))?;
    let mut cmd = Command::new(exe);
    cmd.arg(worker::WORKER_SUBCOMMAND).arg(path);
    match worker::run_bounded(cmd, limits.timeout, limits.memory) {
        Err(e) => Err(WorkerError::Crashed(format!("cannot start: {e}"))),
        Ok(Finished::TimedOut) => Err(WorkerError::Crashed(format!("timed out after {} s", limits.timeout.as_secs()))),
        Ok(Finished::Signalled { signal, .. }) => Err(WorkerError::Crashed(worker::describe_signal(signal))),
        Ok(Finished::Exited { code: 0, stdout, .. }) => {
            serde_json::from_slice(&stdout).map_err(|e| WorkerError::Crashed(format!("sent an unreadable report: {e}")))
        }
        Ok(Finished::Exited { code: 3, stdout, .. }) => match serde_json::from_slice::<WorkerFailure>(&stdout) {
            Ok(f) => Err(WorkerError::Failed(f)),
            Err(e) => Err(WorkerError::Crashed(format!("sent an unreadable failure: {e}"))),
        },
        Ok(Finished::Exited { code, stderr, .. }) => {
            let msg = String::from_utf8_lossy(&stderr);
            let last = msg.lines().last().unwrap_or("").trim().to_string();
            Err(WorkerError::Crashed(format!("exited with code {code} {last}")))
        }
    }
}
