//! **storage**: the index directory as files on a file system. In: the
//! directory, an error from writing or reading it. Out: where our own files
//! live beside tantivy's, how much space is free and used, and what a failed
//! write or read means — the disk is full ([`Error::DiskFull`]) or a file of
//! the index is damaged ([`Error::IndexDamaged`], naming the file and the
//! export to rebuild from).
//!
//! The index directory holds tantivy's files (`meta.json`, `.managed.json`,
//! `<segment>.<ext>`, the lock files) and ours, which tantivy never reads nor
//! deletes: the run log [`LOG_FILE`], the kept exports in [`EXPORT_DIR`] and
//! the watch list [`WATCH_FILE`]; and caches of what the last commit holds,
//! each naming the state it was made for (`check::VERIFIED_FILE`,
//! [`FORCE_FILE`]), which `rebuild` does not carry over.

use crate::error::Error;
use std::path::{Path, PathBuf};

/// The run log: one JSON line per ingest (see `runlog`).
pub const LOG_FILE: &str = "ingest.log.jsonl";
/// The exports written by successful ingests (see `export`).
pub const EXPORT_DIR: &str = "exports";
/// The watch list (see `watch`).
pub const WATCH_FILE: &str = "watch.json";
/// The force-changing links of the index as of its last ingest (see
/// `status::force_links`): a cache, valid only for the index state it names.
pub const FORCE_FILE: &str = ".gongbao-force.json";
/// What we keep in the index directory besides tantivy's files: `rebuild`
/// carries these over to the rebuilt index.
pub const OUR_ENTRIES: [&str; 3] = [LOG_FILE, EXPORT_DIR, WATCH_FILE];

/// The kept exports of the index in `dir`, oldest first (their names sort by time).
pub fn exports(dir: &Path) -> Vec<PathBuf> {
    let Ok(rd) = std::fs::read_dir(dir.join(EXPORT_DIR)) else { return vec![] };
    let mut v: Vec<PathBuf> = rd
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("export-") && n.ends_with(".jsonl")))
        .collect();
    v.sort();
    v
}

/// The newest kept export, if any.
pub fn latest_export(dir: &Path) -> Option<PathBuf> {
    exports(dir).pop()
}

/// Does `dir` hold tantivy's files (so it is an index, whether `meta.json`
/// is there or not)?
pub fn holds_index_files(dir: &Path) -> bool {
    let Ok(rd) = std::fs::read_dir(dir) else { return false };
    rd.filter_map(|e| e.ok()).any(|e| {
        let name = e.file_name();
        let name = name.to_string_lossy();
        name == "meta.json" || name == ".managed.json" || is_segment_file(&name)
    })
}

/// `3a5f…e1.store`, `3a5f…e1.12.del`: a segment's component file.
pub fn is_segment_file(name: &str) -> bool {
    let (stem, _) = name.split_once('.').unwrap_or((name, ""));
    stem.len() == 32 && stem.bytes().all(|b| b.is_ascii_hexdigit()) && name.len() > 33
}

/// Bytes available to us on the file system that holds `path` (or its
/// nearest existing ancestor).
pub fn free_bytes(path: &Path) -> Option<u64> {
    use std::os::unix::ffi::OsStrExt;
    let mut p = path;
    while !p.exists() {
        p = p.parent()?;
    }
    let p = if p.as_os_str().is_empty() { Path::new(".") } else { p };
    let c = std::ffi::CString::new(p.as_os_str().as_bytes()).ok()?;
    // SAFETY: statvfs fills the zeroed struct it is given; `c` is a valid C string.
    unsafe {
        let mut s: libc::statvfs = std::mem::zeroed();
        if libc::statvfs(c.as_ptr(), &mut s) != 0 {
            return None;
        }
        Some(s.f_bavail as u64 * s.f_frsize as u64)
    }
}

/// Bytes the files of the index take (tantivy's and ours), and those of
/// tantivy alone.
pub fn index_bytes(dir: &Path) -> (u64, u64) {
    fn walk(p: &Path) -> u64 {
        let Ok(rd) = std::fs::read_dir(p) else { return 0 };
        rd.filter_map(|e| e.ok())
            .map(|e| match e.metadata() {
                Ok(m) if m.is_dir() => walk(&e.path()),
                Ok(m) => m.len(),
                Err(_) => 0,
            })
            .sum()
    }
    let all = walk(dir);
    let ours: u64 = OUR_ENTRIES
        .iter()
        .map(|n| {
            let p = dir.join(n);
            if p.is_dir() {
                walk(&p)
            } else {
                std::fs::metadata(&p).map(|m| m.len()).unwrap_or(0)
            }
        })
        .sum();
    (all, all.saturating_sub(ours))
}

/// Is this error, or one it wraps, the file system saying there is no room:
/// no space left (ENOSPC), quota exceeded (EDQUOT), file too large (EFBIG)?
pub fn is_out_of_space(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = cur {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            if io_out_of_space(io) {
                return true;
            }
        }
        cur = e.source();
    }
    // tantivy flattens some of its I/O errors into text.
    let text = format!("{err} {err:?}");
    ["os error 28)", "os error 122)", "os error 27)", "No space left on device", "File too large", "Disk quota exceeded"]
        .iter()
        .any(|s| text.contains(s))
}

/// `, a file reached the file-size limit` when that is how the space ran
/// out (EFBIG: `ulimit -f`, or the file system's largest file), else nothing.
pub fn size_limit_note(err: &(dyn std::error::Error + 'static)) -> &'static str {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = cur {
        if e.downcast_ref::<std::io::Error>().is_some_and(|io| io.raw_os_error() == Some(libc::EFBIG)) {
            return ", a file reached the file-size limit";
        }
        cur = e.source();
    }
    if format!("{err} {err:?}").contains("os error 27)") {
        ", a file reached the file-size limit"
    } else {
        ""
    }
}

/// [`is_out_of_space`] for a plain I/O error.
pub fn io_out_of_space(e: &std::io::Error) -> bool {
    matches!(e.raw_os_error(), Some(libc::ENOSPC) | Some(libc::EDQUOT) | Some(libc::EFBIG))
        || matches!(e.kind(), std::io::ErrorKind::StorageFull | std::io::ErrorKind::FileTooLarge | std::io::ErrorKind::QuotaExceeded)
}

/// The disk-full error for the index in `dir`, with the space free now.
pub fn disk_full(dir: &Path, needed: Option<u64>, what: &str) -> Error {
    Error::DiskFull { path: dir.to_owned(), free: free_bytes(dir), needed, what: what.to_string() }
}

/// The damaged-index error for the index in `dir`, naming the kept export.
pub fn damaged(dir: &Path, file: &str, reason: impl std::fmt::Display) -> Error {
    Error::IndexDamaged { path: dir.to_owned(), file: file.to_string(), reason: short(&reason.to_string()), export: latest_export(dir) }
}

/// A reason cut to one line of reasonable length (tantivy quotes whole
/// files in some messages), in our words where tantivy's mislead.
pub fn short(s: &str) -> String {
    if s.contains("Footer magic byte mismatch") || s.contains("File corrupted") {
        return "cut short or overwritten (it does not end with a tantivy footer)".into();
    }
    if s.contains("Meta file cannot be deserialized") {
        return "not what tantivy writes (overwritten?)".into();
    }
    let line = s.lines().next().unwrap_or("").trim();
    let mut out: String = line.chars().take(160).collect();
    if out.len() < line.len() {
        out.push('…');
    }
    out
}

/// What an error from tantivy means for the index in `dir`: out of space,
/// a damaged file (named when tantivy names it), or another index error.
pub fn classify(dir: &Path, e: &tantivy::TantivyError, doing: &str) -> Error {
    use tantivy::directory::error::OpenReadError;
    use tantivy::TantivyError as T;
    if is_out_of_space(e) {
        return disk_full(dir, None, &format!("{doing}{}", size_limit_note(e)));
    }
    match e {
        T::OpenReadError(OpenReadError::FileDoesNotExist(p)) => damaged(dir, &p.to_string_lossy(), "missing"),
        T::OpenReadError(OpenReadError::IoError { filepath, io_error }) => damaged(dir, &filepath.to_string_lossy(), io_error),
        T::DataCorruption(d) => {
            // tantivy keeps the file private; its Debug form names it: (in file `"meta.json"`)
            let text = format!("{d:?}");
            let file = text.split("(in file `\"").nth(1).and_then(|r| r.split('"').next()).unwrap_or("unknown file").to_string();
            let reason = text.split("): ").nth(1).unwrap_or(&text).to_string();
            damaged(dir, &file, reason)
        }
        T::IncompatibleIndex(i) => damaged(dir, "meta.json", format!("{i:?}")),
        other => Error::Index { path: dir.to_owned(), reason: short(&format!("{doing}: {other}")) },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segment_files_are_told_from_ours() {
        assert!(is_segment_file("0b1c8e4f7a5d4c0e9f3a2b1c0d9e8f7a.store"));
        assert!(is_segment_file("0b1c8e4f7a5d4c0e9f3a2b1c0d9e8f7a.12.del"));
        assert!(!is_segment_file("ingest.log.jsonl"));
        assert!(!is_segment_file("meta.json"));
        assert!(!is_segment_file("0b1c8e4f7a5d4c0e9f3a2b1c0d9e8f7a"));
    }

    #[test]
    fn out_of_space_is_recognised_through_wrapping() {
        let io = std::io::Error::from_raw_os_error(libc::ENOSPC);
        let t = tantivy::TantivyError::from(io);
        assert!(is_out_of_space(&t));
        let other = tantivy::TantivyError::from(std::io::Error::from_raw_os_error(libc::EACCES));
        assert!(!is_out_of_space(&other));
    }
}
