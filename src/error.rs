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
    /// The index cannot be read as it is: a file of it is missing, cut short
    /// or overwritten. `export` is the export to rebuild it from, if one is kept.
    #[error("index {path} is damaged: {file}: {reason}; {}", restore_hint(path, export.as_deref()))]
    IndexDamaged { path: PathBuf, file: String, reason: String, export: Option<PathBuf> },
    /// The file system under the index ran out of space (or a file hit the
    /// file-size limit). `free` and `needed` in bytes, where known.
    #[error("index {path}: {}", disk_full_message(*free, *needed, what))]
    DiskFull { path: PathBuf, free: Option<u64>, needed: Option<u64>, what: String },
    /// The file's bytes changed while it was read, on both tries.
    #[error("{path}: changed while it was read, twice (still being written? a download in progress?)")]
    Changing { path: PathBuf },
    /// A SIGINT or SIGTERM stopped the work on this file.
    #[error("{path}: abandoned ({signal})")]
    Stopped { path: PathBuf, signal: &'static str },
}

/// `run `gongbao check` …; restore it with `gongbao rebuild --from …``.
fn restore_hint(index: &std::path::Path, export: Option<&std::path::Path>) -> String {
    match export {
        Some(e) => format!(
            "`gongbao --index {} check` lists the damage; restore it with `gongbao --index {} rebuild --from {}` (the export of the last successful ingest)",
            index.display(),
            index.display(),
            e.display()
        ),
        None => format!(
            "`gongbao --index {} check` lists the damage; restore it with `gongbao --index {} rebuild --from EXPORT` (an export of the index; none is kept in {}), or ingest the sources into a new index",
            index.display(),
            index.display(),
            index.display()
        ),
    }
}

/// Bytes for people: `812 KiB`, `3.4 MiB`.
pub fn human_bytes(n: u64) -> String {
    const K: f64 = 1024.0;
    let f = n as f64;
    if f < K {
        format!("{n} B")
    } else if f < K * K {
        format!("{:.0} KiB", f / K)
    } else if f < K * K * K {
        format!("{:.1} MiB", f / K / K)
    } else {
        format!("{:.2} GiB", f / K / K / K)
    }
}

fn disk_full_message(free: Option<u64>, needed: Option<u64>, what: &str) -> String {
    let free_s = free.map(|f| format!("{} free", human_bytes(f))).unwrap_or_else(|| "free space unknown".into());
    let need_s = match (needed, free) {
        (Some(n), Some(f)) if n > f => {
            format!("; it needs about {} free to finish: free at least {} more and run it again", human_bytes(n), human_bytes(n - f))
        }
        (Some(n), Some(_)) => {
            format!("; it needs about {} free, which is there: a file-size limit (ulimit -f) or a quota stopped it", human_bytes(n))
        }
        (Some(n), None) => format!("; it needs about {} free to finish", human_bytes(n)),
        _ => String::new(),
    };
    format!("out of space on its file system while {what} ({free_s}){need_s}; the index is at its last commit")
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
            | Error::Index { path, .. }
            | Error::IndexDamaged { path, .. }
            | Error::DiskFull { path, .. }
            | Error::Changing { path }
            | Error::Stopped { path, .. } => path,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
