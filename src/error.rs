//! The library's error type: every failure names the file it concerns.

use std::path::PathBuf;

/// Why one input file could not be turned into an issue.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: cannot read: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: empty file")]
    Empty { path: PathBuf },
    #[error("{path}: not a PDF or text file ({reason})")]
    NotPdf { path: PathBuf, reason: String },
    #[error("{path}: encrypted (a password is required to open it)")]
    Encrypted { path: PathBuf },
    /// `ocr` says why OCR did not help: ` (OCR is off)`, ` (no OCR: tesseract is not installed …)`.
    #[error("{path}: no text layer (scanned?){ocr}")]
    NoTextLayer { path: PathBuf, ocr: String },
    #[error("{path}: damaged PDF: {reason}")]
    Damaged { path: PathBuf, reason: String },
    #[error("{path}: extractor gave up: {reason}")]
    Extractor { path: PathBuf, reason: String },
    #[error("index {path}: {reason}")]
    Index { path: PathBuf, reason: String },
}

impl Error {
    /// The file the error is about.
    pub fn path(&self) -> &std::path::Path {
        match self {
            Error::Io { path, .. }
            | Error::Empty { path }
            | Error::NotPdf { path, .. }
            | Error::Encrypted { path }
            | Error::NoTextLayer { path, .. }
            | Error::Damaged { path, .. }
            | Error::Extractor { path, .. }
            | Error::Index { path, .. } => path,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
