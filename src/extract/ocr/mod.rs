//! **OCR**: the pages of a PDF that have no usable text layer in, their text
//! read by a recogniser out, as lines with geometry like any other page.
//!
//! Each page goes through four stages, each its own module:
//! 1. [`render`]: `pdftoppm` at the page's native resolution (its scan's
//!    pixels per inch), in colour where the scan has colour;
//! 2. [`prepare`]: red seals and rules out of the text layer (red header
//!    text kept), despeckle, deskew (the skew is measured and recorded),
//!    adaptive binarisation — which steps, per engine, by measurement;
//! 3. recognition by the engine ([`EngineChoice`], `--ocr-engine`):
//!    PP-OCRv4 on onnxruntime ([`ppocr`], in a bounded worker child of our
//!    own binary) where it is installed, else Tesseract ([`tesseract`],
//!    `--psm 6`, chi_sim); both give lines with a confidence each
//!    ([`lines`]);
//! 4. a 文号 or date line read with low confidence is read again with a
//!    character whitelist ([`reread`]), then every line goes through
//!    [`normalise`], which repairs the look-alikes that would break our
//!    parsers (`青政办发【2024] 51号`, `二O二四年`, `目公布之日起`).
//!
//! Child processes (pdfimages, pdftoppm, tesseract, the PP-OCR worker) run
//! under the worker's time, memory and CPU bounds; pages are read in
//! parallel, one recogniser thread each.
//!
//! Which pages are read is the caller's choice ([`OcrMode`], see
//! `extract::pdf`); this module only reads the pages it is given.

pub mod image;
pub mod lines;
pub mod normalise;
pub mod ppocr;
pub mod prepare;
pub mod render;
pub mod reread;
pub mod tesseract;

use super::{Extractor, Limits, Line, Page};
use lines::OcrLine;
use prepare::Steps;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{LazyLock, Mutex};

/// When to OCR a PDF's pages (`ingest --ocr`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OcrMode {
    /// Pages whose text layer is missing or fails the quality check.
    #[default]
    Auto,
    /// Never: such pages are reported as having no text layer.
    Off,
    /// Every page, whatever its text layer says.
    Force,
}

impl std::str::FromStr for OcrMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "auto" => Ok(OcrMode::Auto),
            "off" => Ok(OcrMode::Off),
            "force" => Ok(OcrMode::Force),
            _ => Err(format!("unknown OCR mode {s:?} (auto, off or force)")),
        }
    }
}

impl std::fmt::Display for OcrMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            OcrMode::Auto => "auto",
            OcrMode::Off => "off",
            OcrMode::Force => "force",
        })
    }
}

/// Which recogniser reads the pages (`--ocr-engine`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EngineChoice {
    /// PP-OCR where its models and onnxruntime are installed, else Tesseract.
    #[default]
    Auto,
    Tesseract,
    Ppocr,
}

impl std::str::FromStr for EngineChoice {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "auto" => Ok(EngineChoice::Auto),
            "tesseract" => Ok(EngineChoice::Tesseract),
            "ppocr" => Ok(EngineChoice::Ppocr),
            _ => Err(format!("unknown OCR engine {s:?} (auto, tesseract or ppocr)")),
        }
    }
}

impl std::fmt::Display for EngineChoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            EngineChoice::Auto => "auto",
            EngineChoice::Tesseract => "tesseract",
            EngineChoice::Ppocr => "ppocr",
        })
    }
}

/// The recogniser that reads a file's pages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Engine {
    Tesseract(OcrEngine),
    Ppocr(ppocr::Ppocr),
}

impl Engine {
    /// The engine `choice` asks for; `auto` takes PP-OCR where it is
    /// installed and Tesseract otherwise. The error says what is missing.
    pub fn detect(choice: EngineChoice) -> Result<Engine, String> {
        match choice {
            EngineChoice::Tesseract => OcrEngine::detect().map(Engine::Tesseract),
            EngineChoice::Ppocr => ppocr::detect().map(Engine::Ppocr),
            EngineChoice::Auto => match ppocr::detect() {
                Ok(p) => Ok(Engine::Ppocr(p)),
                Err(no_ppocr) => OcrEngine::detect().map(Engine::Tesseract).map_err(|no_tess| format!("{no_tess}; {no_ppocr}")),
            },
        }
    }

    /// `tesseract 5.3.0 (chi_sim)`, `ppocr PP-OCRv4 (…)`.
    pub fn describe(&self) -> String {
        match self {
            Engine::Tesseract(t) => t.describe(),
            Engine::Ppocr(p) => format!("ppocr {}", p.version),
        }
    }

    /// The preparation steps this engine reads best after (measured on the
    /// scanned fixtures, see BENCHMARKS.md), unless `GONGBAO_OCR_PREPARE`
    /// names others.
    pub fn steps(&self) -> Steps {
        if let Some(s) = std::env::var("GONGBAO_OCR_PREPARE").ok().and_then(|s| Steps::parse(&s).ok()) {
            return s;
        }
        match self {
            // Tesseract binarises and finds lines itself; the median and a
            // turned page cost it 文号 on the 300-dpi scan (a 48号 lost).
            Engine::Tesseract(_) => Steps { red: true, despeckle: false, deskew: false, binarise: false },
            // PP-OCR on the 200-dpi photocopy: CER 4.19 % raw, 3.68 % without
            // the seals, 3.56 % despeckled, 2.58 % deskewed, 3.62 % binarised.
            Engine::Ppocr(_) => Steps { red: true, despeckle: true, deskew: true, binarise: false },
        }
    }

    fn extractor(&self) -> Extractor {
        match self {
            Engine::Tesseract(_) => Extractor::Tesseract,
            Engine::Ppocr(_) => Extractor::Ppocr,
        }
    }
}

/// An installed Tesseract: the program, its version and the language model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OcrEngine {
    pub program: PathBuf,
    /// `5.3.0`
    pub version: String,
    /// Tesseract language(s), `chi_sim`.
    pub language: String,
}

/// Engines probed so far: (program, language) → engine or why there is none.
type EngineCache = Vec<((PathBuf, String), Result<OcrEngine, String>)>;

/// A page that was read by OCR, as recorded in the issue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OcrPage {
    /// Physical page, 1-based.
    pub page: u32,
    /// `tesseract` or `ppocr`
    pub engine: String,
    /// The engine's version, `5.3.0`, `PP-OCRv4 (rapidocr-onnxruntime 1.4.4, onnxruntime 1.31.1)`.
    pub version: String,
    /// The language model, `chi_sim` (Tesseract), `ch` (PP-OCR).
    pub language: String,
    /// Mean character confidence the engine reported (0–100).
    pub confidence: f32,
    /// The resolution the page was read at (its scan's own).
    #[serde(default)]
    pub dpi: u32,
    /// The skew measured on the page, degrees (taken out before reading).
    #[serde(default)]
    pub skew: f32,
    /// Red seals found on the page and kept out of its text.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub seals: usize,
    /// Lines read again with a character whitelist, and kept.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub reread: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// A page read by OCR, with its record.
#[derive(Debug, Clone)]
pub struct OcrResult {
    pub page: Page,
    pub record: OcrPage,
}

impl OcrEngine {
    /// The Tesseract to use: `GONGBAO_TESSERACT` (a program name or path) or
    /// `tesseract`, with `GONGBAO_OCR_LANG` (default `chi_sim`). Checked once
    /// per program and language; the error says what is missing.
    pub fn detect() -> Result<OcrEngine, String> {
        let program = std::env::var_os("GONGBAO_TESSERACT").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("tesseract"));
        let language = std::env::var("GONGBAO_OCR_LANG").unwrap_or_else(|_| "chi_sim".to_string());
        static CACHE: LazyLock<Mutex<EngineCache>> = LazyLock::new(|| Mutex::new(Vec::new()));
        let key = (program.clone(), language.clone());
        let mut cache = CACHE.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, r)) = cache.iter().find(|(k, _)| *k == key) {
            return r.clone();
        }
        let r = probe(&program, &language);
        cache.push((key, r.clone()));
        r
    }

    /// How the engine names itself in records: `tesseract 5.3.0 (chi_sim)`.
    pub fn describe(&self) -> String {
        format!("tesseract {} ({})", self.version, self.language)
    }
}

fn probe(program: &Path, language: &str) -> Result<OcrEngine, String> {
    let out = Command::new(program).arg("--version").output().map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            format!("{} is not installed (Debian: apt-get install tesseract-ocr tesseract-ocr-chi-sim)", program.display())
        } else {
            format!("cannot run {}: {e}", program.display())
        }
    })?;
    // Tesseract prints `tesseract 5.3.0` first, on stdout or (older versions) stderr.
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    let version = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("tesseract ").map(|v| v.trim().trim_start_matches('v').to_string()))
        .ok_or_else(|| format!("{} --version did not name a Tesseract version", program.display()))?;
    let langs = Command::new(program).arg("--list-langs").output().map_err(|e| format!("cannot run {}: {e}", program.display()))?;
    let listed = format!("{}{}", String::from_utf8_lossy(&langs.stdout), String::from_utf8_lossy(&langs.stderr));
    for want in language.split('+') {
        if !listed.lines().any(|l| l.trim() == want) {
            return Err(format!(
                "tesseract {version} has no {want} language model (Debian: apt-get install tesseract-ocr-{})",
                want.replace('_', "-")
            ));
        }
    }
    Ok(OcrEngine { program: program.to_owned(), version, language: language.to_string() })
}

/// A page read, before its second readings and normalisation.
struct Read {
    n: u32,
    width: f32,
    height: f32,
    lines: Vec<OcrLine>,
    /// Crops of the candidate lines (Tesseract re-reads them), by line index.
    crops: Vec<(usize, image::Gray)>,
    record: OcrPage,
}

/// OCR the given physical pages of `pdf`, in parallel. One result per page,
/// in the order given. `known` is the text the file's other pages carry
/// (its 文号 give the 机关代字 for the whitelist re-reads).
pub fn ocr_pages(engine: &Engine, pdf: &Path, pages: &[u32], limits: Limits, known: &[String]) -> Vec<(u32, Result<OcrResult, String>)> {
    use rayon::prelude::*;
    let steps = engine.steps();
    let read: Vec<(u32, Result<Read, String>)> = match engine {
        Engine::Tesseract(t) => {
            pages.par_iter().map(|&n| (n, render_page(pdf, n, steps, limits).and_then(|page| read_tesseract(t, page, limits)))).collect()
        }
        // One reader per thread, each with its worker, taking the next page
        // as it is done: pages differ in how much they hold.
        Engine::Ppocr(p) => {
            let next = std::sync::atomic::AtomicUsize::new(0);
            let done: std::sync::Mutex<Vec<Option<Result<Read, String>>>> = std::sync::Mutex::new((0..pages.len()).map(|_| None).collect());
            let threads = rayon::current_num_threads().clamp(1, pages.len().max(1));
            rayon::scope(|s| {
                for _ in 0..threads {
                    s.spawn(|_| {
                        let mut reader = ppocr::Reader::new(p, limits);
                        loop {
                            let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                            let Some(&n) = pages.get(i) else { break };
                            let r = render_page(pdf, n, steps, limits).and_then(|page| read_ppocr(p, &mut reader, page));
                            done.lock().unwrap_or_else(|e| e.into_inner())[i] = Some(r);
                        }
                    });
                }
            });
            let done = done.into_inner().unwrap_or_else(|e| e.into_inner());
            pages.iter().zip(done).map(|(&n, r)| (n, r.unwrap_or_else(|| Err("the page was not read".into())))).collect()
        }
    };
    // The 机关代字: from the other pages and the confident OCR lines.
    let low = |l: &OcrLine| match engine {
        Engine::Tesseract(_) => l.confidence < reread::TESSERACT_LOW,
        Engine::Ppocr(_) => l.confidence < reread::PPOCR_LOW,
    };
    let confident: Vec<String> = read
        .iter()
        .filter_map(|(_, r)| r.as_ref().ok())
        .flat_map(|r| r.lines.iter().filter(|l| !low(l)).map(|l| normalise::line(&l.text)))
        .chain(known.iter().flat_map(|t| t.lines().map(normalise::line)))
        .collect();
    let prefixes = reread::prefix_chars(confident.iter().map(String::as_str));
    read.into_iter()
        .map(|(n, r)| {
            (
                n,
                r.map(|mut r| {
                    second_readings(engine, &mut r, &prefixes, limits);
                    let lines: Vec<Line> = r
                        .lines
                        .iter()
                        .map(|l| Line { text: normalise::line(&l.text), geometry: Some(l.geometry) })
                        .filter(|l| !l.text.is_empty())
                        .collect();
                    OcrResult {
                        page: Page { number: n, width: r.width, height: r.height, lines, extractor: engine.extractor(), columns: vec![] },
                        record: r.record,
                    }
                }),
            )
        })
        .collect()
}

/// A page rendered and prepared for a recogniser.
struct Rendered {
    n: u32,
    dpi: u32,
    prepared: prepare::Prepared,
}

fn render_page(pdf: &Path, n: u32, steps: Steps, limits: Limits) -> Result<Rendered, String> {
    let how = render::native(pdf, n, limits);
    let raster = render::render(pdf, n, how, limits)?;
    let colour = matches!(&raster, image::Raster::Rgb(c) if c.has_colour());
    let raster = match raster {
        image::Raster::Rgb(c) if !colour => image::Raster::Gray(c.luma()),
        r => r,
    };
    Ok(Rendered { n, dpi: how.dpi, prepared: prepare::prepare(raster, how.dpi as f32, steps) })
}

fn record(page: &Rendered, engine: &str, version: String, language: String, confidence: f32) -> OcrPage {
    OcrPage {
        page: page.n,
        engine: engine.into(),
        version,
        language,
        confidence: (confidence * 10.0).round() / 10.0,
        dpi: page.dpi,
        skew: page.prepared.skew,
        seals: page.prepared.seals,
        reread: 0,
    }
}

/// Recognise one page with Tesseract, keeping crops of the 文号 and date
/// lines it read with low confidence for their second reading.
fn read_tesseract(t: &OcrEngine, page: Rendered, limits: Limits) -> Result<Read, String> {
    let dpi = page.dpi as f32;
    let image = &page.prepared.image;
    let (lines, width, height, confidence) = tesseract::read_page(t, image, dpi, limits)?;
    let crops = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| reread::wants_steps(&l.text) && l.confidence < reread::TESSERACT_LOW)
        .map(|(i, l)| {
            let [x0, y0, x1, y1] = l.pixels;
            let m = (y1 - y0) * 0.3;
            let crop =
                image.crop((x0 - m).max(0.0) as usize, (y0 - m).max(0.0) as usize, (x1 + m).max(0.0) as usize, (y1 + m).max(0.0) as usize);
            (i, crop)
        })
        .collect();
    let record = record(&page, "tesseract", t.version.clone(), t.language.clone(), confidence);
    Ok(Read { n: page.n, width, height, lines, crops, record })
}

/// Recognise one page with PP-OCR.
fn read_ppocr(p: &ppocr::Ppocr, reader: &mut ppocr::Reader, page: Rendered) -> Result<Read, String> {
    let dpi = page.dpi as f32;
    let image = &page.prepared.image;
    let (width, height) = (image.width as f32 * 72.0 / dpi, image.height as f32 * 72.0 / dpi);
    let read = reader.read(image, dpi)?;
    let lines = lines::from_boxes(read.boxes, dpi);
    let (mut sum, mut chars) = (0f32, 0usize);
    for l in &lines {
        let k = l.text.chars().count();
        sum += l.confidence * k as f32;
        chars += k;
    }
    let conf = if chars == 0 { 0.0 } else { 100.0 * sum / chars as f32 };
    let record = record(&page, "ppocr", p.version.clone(), "ch".to_string(), conf);
    Ok(Read { n: page.n, width, height, lines, crops: vec![], record })
}

/// Read a page's 文号 and date lines that do not parse again with a
/// whitelist (Tesseract: those read with low confidence);
/// keep what then parses where the first reading did not.
fn second_readings(engine: &Engine, r: &mut Read, prefixes: &std::collections::BTreeSet<char>, limits: Limits) {
    let _ = r.n;
    for i in 0..r.lines.len() {
        let l = &r.lines[i];
        let first = normalise::line(&l.text);
        if !reread::wants_steps(&l.text) || reread::parses(&first) {
            continue;
        }
        let allowed = reread::whitelist(&l.text, prefixes);
        let second = match engine {
            // PP-OCR's candidates are at hand: a line shaped like a 文号 or
            // a date that does not parse is read again whatever its
            // confidence (`2024年7月5户`, 日 under a seal, read at 0.98).
            Engine::Ppocr(_) if !l.steps.is_empty() => Some(ppocr::decode_whitelist(&l.steps, |c| allowed.contains(&c)).0),
            Engine::Tesseract(t) => r.crops.iter().find(|(k, _)| *k == i).and_then(|(_, crop)| {
                let wl: String = allowed.iter().collect();
                tesseract::reread_line(t, crop, r.record.dpi as f32, &wl, limits).ok().map(|(text, _)| text)
            }),
            _ => None,
        };
        if let Some(second) = second {
            if reread::better(&first, &normalise::line(&second)) {
                r.lines[i].text = second;
                r.record.reread += 1;
            }
        }
    }
}
