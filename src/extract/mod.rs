//! **extract**: a source file (PDF or `.txt`) in, its pages as positioned lines out.
//!
//! PDFs go through pdf-extract in an isolated worker process (see [`worker`]):
//! a panic, an abort, an endless loop or a memory blow-up inside a hostile PDF
//! becomes an error for that one file. Pages that pdf-extract cannot read, or
//! whose text fails a quality check, are taken from `pdftotext` (poppler)
//! instead; every page records which extractor produced it.
//! Pages with no usable text layer are read by Tesseract ([`ocr`]) when it is
//! installed and OCR is not switched off.
//! Plain text files (pages separated by form feeds) become pages of lines with
//! no geometry.

pub mod ocr;
pub mod pdf;
pub mod pdf_extract;
pub mod poppler;
pub mod worker;

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::time::Duration;

/// Which program produced the text of a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Extractor {
    /// pdf-extract, in our worker process.
    PdfExtract,
    /// `pdftotext -bbox-layout -enc UTF-8` (poppler), the fallback.
    Pdftotext,
    /// OCR: the page rendered by pdftoppm and read by Tesseract.
    Tesseract,
    /// The input was plain text.
    Text,
}

impl std::fmt::Display for Extractor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Extractor::PdfExtract => "pdf-extract",
            Extractor::Pdftotext => "pdftotext",
            Extractor::Tesseract => "tesseract",
            Extractor::Text => "text",
        })
    }
}

/// Where a line sits on its page, in PDF points, y growing downwards.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Geometry {
    pub x0: f32,
    pub x1: f32,
    pub y: f32,
    /// Glyph height (font size) of the line's largest characters.
    pub size: f32,
}

/// One printed line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Line {
    pub text: String,
    /// Position on the page; `None` for text input.
    pub geometry: Option<Geometry>,
}

/// One physical page (1-based) and its lines (in reading order once the
/// layout stage has put them so).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Page {
    pub number: u32,
    pub width: f32,
    pub height: f32,
    pub lines: Vec<Line>,
    pub extractor: Extractor,
    /// The text columns the layout stage found (left to right), when the
    /// page has more than one; a line lies within one of them or spans them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub columns: Vec<Column>,
}

/// A text column of a page: its left and right edges, in points.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Column {
    pub left: f32,
    pub right: f32,
}

impl Page {
    /// The column a line lies in (none on a one-column page, or for a line
    /// that spans the columns).
    pub fn column_of(&self, g: &Geometry) -> Option<Column> {
        let tol = g.size.max(1.0);
        self.columns.iter().copied().find(|c| g.x0 >= c.left - tol && g.x1 <= c.right + tol)
    }
}

impl Page {
    pub fn text(&self) -> String {
        let mut s = String::new();
        for l in &self.lines {
            s.push_str(&l.text);
            s.push('\n');
        }
        s
    }
}

/// The pages of one source file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Extraction {
    pub pages: Vec<Page>,
    /// Notes on fallbacks taken (e.g. "pdf-extract panicked: …").
    pub notes: Vec<String>,
    /// The pages that were read by OCR, in page order.
    pub ocr: Vec<ocr::OcrPage>,
}

impl Extraction {
    /// The extractors that served this file, each once, in page order.
    pub fn extractors(&self) -> Vec<Extractor> {
        let mut v: Vec<Extractor> = Vec::new();
        for p in &self.pages {
            if !v.contains(&p.extractor) {
                v.push(p.extractor);
            }
        }
        v
    }
}

/// Bounds on the worker process that runs pdf-extract (and on pdftotext).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub timeout: Duration,
    /// Address-space limit in bytes for the worker.
    pub memory: u64,
}

impl Default for Limits {
    fn default() -> Self {
        let secs = std::env::var("GONGBAO_WORKER_TIMEOUT").ok().and_then(|s| s.parse().ok()).unwrap_or(60);
        let mb: u64 = std::env::var("GONGBAO_WORKER_MEMORY_MB").ok().and_then(|s| s.parse().ok()).unwrap_or(2048);
        Limits { timeout: Duration::from_secs(secs), memory: mb * 1024 * 1024 }
    }
}

/// How to extract a file: the worker's bounds and when to OCR.
#[derive(Debug, Clone, Copy, Default)]
pub struct ExtractOptions {
    pub limits: Limits,
    pub ocr: ocr::OcrMode,
}

/// Is this file a PDF (by its first bytes), a text file, or neither?
enum Kind {
    Pdf,
    Text,
}

fn sniff(path: &Path, bytes: &[u8]) -> Result<Kind> {
    if bytes.is_empty() {
        return Err(Error::Empty { path: path.to_owned() });
    }
    let head = &bytes[..bytes.len().min(1024)];
    if head.windows(5).any(|w| w == b"%PDF-") {
        return Ok(Kind::Pdf);
    }
    if std::str::from_utf8(bytes).is_ok() {
        return Ok(Kind::Text);
    }
    let reason = if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("pdf")) {
        "no %PDF- header".to_string()
    } else {
        "neither a PDF nor UTF-8 text".to_string()
    };
    Err(Error::NotPdf { path: path.to_owned(), reason })
}

/// Extract the pages of a PDF or text file.
pub fn extract_file(path: &Path, opts: &ExtractOptions) -> Result<Extraction> {
    let bytes = std::fs::read(path).map_err(|source| Error::Io { path: path.to_owned(), source })?;
    match sniff(path, &bytes)? {
        Kind::Text => Ok(text_pages(&String::from_utf8_lossy(&bytes))),
        Kind::Pdf => pdf::extract_pdf(path, opts),
    }
}

/// Split plain text into pages at form feeds.
pub fn text_pages(text: &str) -> Extraction {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let pages = text
        .split('\u{c}')
        .enumerate()
        .map(|(i, p)| Page {
            number: i as u32 + 1,
            width: 0.0,
            height: 0.0,
            lines: p.lines().map(|l| Line { text: strip_markdown_heading(l.trim_end()).to_string(), geometry: None }).collect(),
            extractor: Extractor::Text,
            columns: vec![],
        })
        .collect();
    Extraction { pages, notes: vec![], ocr: vec![] }
}

/// A Markdown heading's markers, which web texts saved as `.txt` keep:
/// `# 上海市交通委员会关于…的通知`, `## 第一章 总则`.
static MARKDOWN_HEADING: std::sync::LazyLock<regex::Regex> =
    std::sync::LazyLock::new(|| regex::Regex::new(r"^\s{0,3}#{1,6}[ \t\u{3000}]+").unwrap());

/// A text line without its Markdown heading markers (a `#` that is not
/// followed by a space, as in `#1`, stays).
fn strip_markdown_heading(line: &str) -> &str {
    match MARKDOWN_HEADING.find(line) {
        Some(m) => &line[m.end()..],
        None => line,
    }
}

/// Counts used by the quality check.
pub(crate) fn han_count(s: &str) -> usize {
    s.chars().filter(|c| is_han(*c)).count()
}

/// CJK punctuation and symbols (ideographic space, 〔〕《》，。, full-width
/// forms, curly quotes, …, —).
pub fn is_cjk_punct(c: char) -> bool {
    ('\u{3000}'..='\u{303f}').contains(&c) || ('\u{ff00}'..='\u{ffef}').contains(&c) || matches!(c, '“' | '”' | '‘' | '’' | '…' | '—')
}

/// CJK unified ideographs (and extension A), plus 〇.
pub fn is_han(c: char) -> bool {
    matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}' | '〇' | '\u{f900}'..='\u{faff}')
}
