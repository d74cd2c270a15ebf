//! **OCR**: the pages of a PDF that have no usable text layer in, their text
//! read by Tesseract out, as lines with geometry like any other page.
//!
//! Each page is rendered by `pdftoppm -r 300 -gray` (a PGM) and read by
//! `tesseract --psm 6 -l chi_sim` (Debian `poppler-utils`, `tesseract-ocr`,
//! `tesseract-ocr-chi-sim`), both as child processes under the worker's time
//! and memory bounds; pages are read in parallel, one Tesseract thread each.
//! Tesseract's words become lines ([`tesseract`]), and the lines go through
//! [`normalise`], which repairs the look-alikes that would break our parsers
//! (`青政办发【2024] 51号`, `二O二四年`, `目公布之日起`).
//!
//! Which pages are read is the caller's choice ([`OcrMode`], see
//! `extract::pdf`); this module only reads the pages it is given.

pub mod normalise;
pub mod tesseract;

use super::{Limits, Page};
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

/// Resolution pages are rendered at for OCR (Tesseract is trained on ~300 dpi).
pub const DPI: u32 = 300;

/// An installed OCR engine: the program, its version and the language model.
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
    /// `tesseract`
    pub engine: String,
    /// The engine's version, `5.3.0`.
    pub version: String,
    /// The language model, `chi_sim`.
    pub language: String,
    /// Mean word confidence Tesseract reported (0–100).
    pub confidence: f32,
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

/// OCR the given physical pages of `pdf`, in parallel. One result per page,
/// in the order given.
pub fn ocr_pages(engine: &OcrEngine, pdf: &Path, pages: &[u32], limits: Limits) -> Vec<(u32, Result<OcrResult, String>)> {
    use rayon::prelude::*;
    pages.par_iter().map(|&n| (n, tesseract::read_page(engine, pdf, n, limits))).collect()
}
