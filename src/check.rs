//! **check**: an index directory in, a verdict out — is every file of the
//! index whole, does every segment open, do the stored records agree with
//! the postings, and which documents no longer match their source files.
//!
//! Damage is what makes the index wrong or unreadable: `meta.json` missing
//! or garbage, a segment file missing, cut short or overwritten (every file
//! of the last commit is read whole and its checksum compared with the one
//! tantivy wrote in its footer), a segment that does not open, stored
//! records that cannot be read or whose count differs from what the
//! postings of the `kind` field count, an issue whose documents are gone.
//! A source file that changed since it was ingested is not damage: its
//! documents are stale, and the next ingest replaces them.

use crate::error::{Error, Result};
use crate::index::{GongbaoIndex, StoredRecord, KIND_CHANGES, KIND_DOCUMENT, KIND_ISSUE};
use crate::storage;
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{TantivyDocument, Term};

/// One damaged thing: the file (or segment) and what is wrong with it.
#[derive(Debug, Clone, Serialize)]
pub struct Damage {
    pub file: String,
    pub problem: String,
}

/// Documents whose source file is not what was ingested.
#[derive(Debug, Clone, Serialize)]
pub struct StaleSource {
    pub path: String,
    /// `changed` (other bytes now) or `missing` (no file there).
    pub state: String,
    pub documents: Vec<String>,
}

/// What `gongbao check` found.
#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    pub index: String,
    /// No damage.
    pub sound: bool,
    pub segments: usize,
    /// Entries of the last commit (issues, documents), and the provisions
    /// their records hold.
    pub entries: u64,
    pub issues: usize,
    pub documents: usize,
    pub provisions: usize,
    pub damage: Vec<Damage>,
    /// Source files that changed since they were ingested (or are gone).
    pub sources: Vec<StaleSource>,
    /// The kept export to rebuild from.
    pub export: Option<String>,
}

impl CheckReport {
    /// 1 when the index is damaged; 2 when it is sound but some documents
    /// came from source files that have changed since; else 0.
    pub fn exit_code(&self) -> i32 {
        if !self.sound {
            1
        } else if self.sources.iter().any(|s| s.state == "changed") {
            2
        } else {
            0
        }
    }
}

fn caught<T>(f: impl FnOnce() -> T) -> Option<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).ok()
}

/// Check the index in `dir`. `sources`: also hash the source files. `Err`
/// only when there is no index at all.
pub fn check(dir: &Path, sources: bool) -> Result<CheckReport> {
    let mut r = CheckReport {
        index: dir.display().to_string(),
        sound: true,
        segments: 0,
        entries: 0,
        issues: 0,
        documents: 0,
        provisions: 0,
        damage: vec![],
        sources: vec![],
        export: storage::latest_export(dir).map(|p| p.display().to_string()),
    };
    // meta.json: there, JSON, what tantivy can open.
    let meta = dir.join("meta.json");
    match std::fs::read(&meta) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if !storage::holds_index_files(dir) {
                return Err(Error::Index { path: dir.to_owned(), reason: "no index here (run `gongbao ingest` first)".into() });
            }
            damaged(&mut r, "meta.json", "missing (the segment files are there)".into());
            return Ok(r);
        }
        Err(e) => {
            damaged(&mut r, "meta.json", format!("cannot be read: {e}"));
            return Ok(r);
        }
        Ok(t) if serde_json::from_slice::<serde_json::Value>(&t).is_err() => {
            damaged(&mut r, "meta.json", "not the JSON tantivy writes".into());
            return Ok(r);
        }
        Ok(_) => {}
    }
    let index = match caught(|| tantivy::Index::open_in_dir(dir)) {
        Some(Ok(i)) => i,
        Some(Err(e)) => {
            let (file, why) = describe(dir, &e);
            damaged(&mut r, &file, why);
            return Ok(r);
        }
        None => {
            damaged(&mut r, "meta.json", "tantivy cannot open the index".into());
            return Ok(r);
        }
    };
    crate::tokenizer::register(&index);
    let segments = match index.searchable_segments() {
        Ok(s) => s,
        Err(e) => {
            let (file, why) = describe(dir, &e);
            damaged(&mut r, &file, why);
            return Ok(r);
        }
    };
    r.segments = segments.len();
    let (_, fields) = crate::index::schema();
    let ix = GongbaoIndex { index: index.clone(), fields, dir: dir.to_owned(), maps: None };
    // Every file of every segment, read whole: its checksum, or why it cannot be read.
    let names: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok()).map(|e| e.file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    for seg in &segments {
        let prefix = seg.id().uuid_string();
        let mut files: Vec<&String> = names.iter().filter(|n| n.starts_with(&prefix)).collect();
        files.sort();
        if files.is_empty() {
            damaged(&mut r, &format!("segment {prefix}"), "all its files are missing".into());
            continue;
        }
        for f in files {
            match caught(|| validate_checksum(dir, Path::new(f))) {
                Some(Ok(true)) => {}
                Some(Ok(false)) => damaged(&mut r, f, "checksum mismatch (overwritten?)".into()),
                Some(Err(e)) => damaged(&mut r, f, storage::short(&e.to_string())),
                None => damaged(&mut r, f, "cannot be read".into()),
            }
        }
        match caught(|| tantivy::SegmentReader::open(seg)) {
            Some(Ok(_)) => {}
            Some(Err(e)) => {
                let (file, why) = describe(dir, &e);
                let file = if file == "unknown file" { format!("segment {prefix}") } else { file };
                if !r.damage.iter().any(|d| d.file == file) {
                    damaged(&mut r, &file, format!("does not open: {why}"));
                }
            }
            None => damaged(&mut r, &format!("segment {prefix}"), "does not open (tantivy panicked)".into()),
        }
    }
    if !r.sound {
        return Ok(r);
    }
    // Stored records against the postings.
    let reader = match ix.reader() {
        Ok(rd) => rd,
        Err(e) => {
            damaged(&mut r, "segments", e.to_string());
            return Ok(r);
        }
    };
    let searcher = reader.searcher();
    let f = ix.fields;
    let mut stored: BTreeMap<String, u64> = BTreeMap::new();
    let mut issues: Vec<crate::index::IssueEntry> = Vec::new();
    let mut doc_ids: HashSet<String> = HashSet::new();
    for seg in searcher.segment_readers() {
        let name = format!("{}.store", seg.segment_id().uuid_string());
        let store = match caught(|| seg.get_store_reader(1)) {
            Some(Ok(s)) => s,
            Some(Err(e)) => {
                damaged(&mut r, &name, storage::short(&e.to_string()));
                continue;
            }
            None => {
                damaged(&mut r, &name, "cannot be read".into());
                continue;
            }
        };
        let mut unreadable = 0u64;
        for doc in seg.doc_ids_alive() {
            let d: TantivyDocument = match caught(|| store.get(doc)) {
                Some(Ok(d)) => d,
                _ => {
                    unreadable += 1;
                    continue;
                }
            };
            r.entries += 1;
            let kind = d.get_first(f.kind).and_then(|v| v.as_str()).unwrap_or("").to_string();
            *stored.entry(kind.clone()).or_default() += 1;
            match crate::stored::record_of(&d, f.record, Some(f.body)) {
                Some(StoredRecord::Issue(e)) => issues.push(e),
                Some(StoredRecord::Document(doc)) => {
                    r.provisions += crate::structure::flatten(&doc.provisions).len();
                    doc_ids.insert(doc.id.clone());
                }
                Some(StoredRecord::Changes(_)) => {}
                None => unreadable += 1,
            }
        }
        if unreadable > 0 {
            damaged(&mut r, &name, format!("{unreadable} stored records cannot be read"));
        }
    }
    for kind in [KIND_ISSUE, KIND_DOCUMENT, KIND_CHANGES] {
        let q = tantivy::query::TermQuery::new(Term::from_field_text(f.kind, kind), IndexRecordOption::Basic);
        let counted = match caught(|| searcher.search(&q, &tantivy::collector::Count)) {
            Some(Ok(n)) => n as u64,
            _ => {
                damaged(&mut r, "postings", format!("the postings of kind:{kind} cannot be read"));
                continue;
            }
        };
        let kept = stored.get(kind).copied().unwrap_or(0);
        if counted != kept {
            damaged(&mut r, "postings", format!("{kept} stored {kind} records, but the postings count {counted}"));
        }
    }
    let total: u64 = searcher.segment_readers().iter().map(|s| s.num_docs() as u64).sum();
    if total != r.entries {
        let why = format!("{} stored records, but the segments hold {total} entries", r.entries);
        damaged(&mut r, "store", why);
    }
    r.issues = stored.get(KIND_ISSUE).copied().unwrap_or(0) as usize;
    r.documents = stored.get(KIND_DOCUMENT).copied().unwrap_or(0) as usize;
    // Every issue's documents are there.
    for e in &issues {
        let missing: Vec<&String> = e.documents.iter().filter(|d| !doc_ids.contains(*d)).collect();
        if !missing.is_empty() {
            let list: Vec<String> = missing.iter().take(5).map(|s| s.to_string()).collect();
            damaged(
                &mut r,
                "records",
                format!("issue {} lists {} documents the index lacks: {}", e.issue.id, missing.len(), list.join(", ")),
            );
        }
    }
    if sources {
        for e in &issues {
            let p = Path::new(&e.issue.source_path);
            let state = match std::fs::metadata(p) {
                Err(_) => "missing",
                Ok(_) => match crate::pipeline::sha256_file(p) {
                    Ok(sha) if sha == e.issue.source_sha256 => continue,
                    Ok(_) => "changed",
                    Err(_) => "missing",
                },
            };
            r.sources.push(StaleSource { path: e.issue.source_path.clone(), state: state.into(), documents: e.documents.clone() });
        }
        r.sources.sort_by(|a, b| a.path.cmp(&b.path));
    }
    Ok(r)
}

fn damaged(r: &mut CheckReport, file: &str, problem: String) {
    r.sound = false;
    r.damage.push(Damage { file: file.to_string(), problem });
}

/// The file a tantivy error is about (when it says) and a short reason.
fn describe(dir: &Path, e: &tantivy::TantivyError) -> (String, String) {
    match storage::classify(dir, e, "") {
        Error::IndexDamaged { file, reason, .. } => (file, reason),
        other => ("unknown file".into(), storage::short(&other.to_string())),
    }
}

/// Where the checksums already verified are remembered: segment files are
/// written once and never changed, so a file seen whole with this size and
/// modification time need not be read again.
pub const VERIFIED_FILE: &str = ".gongbao-verified.json";

/// A segment file as last verified.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
struct Seen {
    bytes: u64,
    modified_ns: u128,
}

fn seen(meta: &std::fs::Metadata) -> Seen {
    let modified_ns = meta.modified().ok().and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok()).map(|d| d.as_nanos()).unwrap_or(0);
    Seen { bytes: meta.len(), modified_ns }
}

/// Verify the checksum of every file of the last commit that was not seen
/// whole before with the same size and modification time (so each file is
/// read once after it is written, and again only if something rewrote it:
/// an overwritten block is found by the next command, not only by `check`).
/// Where the record cannot be written (a read-only or full disk), files are
/// verified again next time.
pub fn verify_new_files(ix: &GongbaoIndex) -> Result<()> {
    let dir = &ix.dir;
    let segments = ix.index.searchable_segments().map_err(|e| storage::classify(dir, &e, "listing segments"))?;
    let prefixes: Vec<String> = segments.iter().map(|s| s.id().uuid_string()).collect();
    let record = dir.join(VERIFIED_FILE);
    let known: BTreeMap<String, Seen> = std::fs::read(&record).ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default();
    let mut now: BTreeMap<String, Seen> = BTreeMap::new();
    let Ok(rd) = std::fs::read_dir(dir) else { return Ok(()) };
    let mut names: Vec<String> = rd
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| prefixes.iter().any(|p| n.starts_with(p.as_str())))
        .collect();
    names.sort();
    for name in names {
        let Ok(meta) = std::fs::metadata(dir.join(&name)) else { continue };
        let s = seen(&meta);
        if known.get(&name) != Some(&s) {
            match caught(|| validate_checksum(dir, Path::new(&name))) {
                Some(Ok(true)) => {}
                Some(Ok(false)) => return Err(storage::damaged(dir, &name, "checksum mismatch (overwritten?)")),
                Some(Err(e)) => return Err(storage::damaged(dir, &name, e)),
                None => return Err(storage::damaged(dir, &name, "cannot be read")),
            }
        }
        now.insert(name, s);
    }
    if now != known {
        let tmp = dir.join(format!("{VERIFIED_FILE}.{}", std::process::id()));
        let written = serde_json::to_vec(&now).map_err(std::io::Error::other).and_then(|b| std::fs::write(&tmp, b));
        if written.and_then(|_| std::fs::rename(&tmp, &record)).is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
    }
    Ok(())
}

/// The end of a file that holds its tantivy footer, whatever its length:
/// the footer's JSON (tantivy refuses one over 50,000 bytes), then its
/// length and magic number (4 bytes each).
const FOOTER_TAIL: u64 = 50_000 + 8;

/// Does file `name` of the index in `dir` hold what its footer says it
/// holds? What tantivy's `Directory::validate_checksum` answers — the CRC-32
/// of the bytes before the footer against the one the footer gives, the
/// footer read by tantivy itself, with the same errors — but the file is
/// read through a buffer, not a memory map: a map leaves every page of the
/// file in the process's resident memory until it goes, and this reads the
/// whole index (after an ingest, after a failure, in `check`).
pub fn validate_checksum(dir: &Path, name: &Path) -> std::result::Result<bool, tantivy::directory::error::OpenReadError> {
    use std::io::{Read, Seek, SeekFrom};
    use tantivy::directory::error::OpenReadError;
    use tantivy::directory::footer::Footer;
    use tantivy::directory::{FileSlice, OwnedBytes};
    use tantivy::HasLen;
    // Named as tantivy names it, from the canonical directory.
    let full = dir.canonicalize().unwrap_or_else(|_| dir.to_owned()).join(name);
    let mut file = std::fs::File::open(&full).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => OpenReadError::FileDoesNotExist(full.clone()),
        _ => OpenReadError::wrap_io_error(e, full.clone()),
    })?;
    let len = file.metadata().map_err(|e| OpenReadError::wrap_io_error(e, full.clone()))?.len();
    let read_err = |e: std::io::Error| OpenReadError::wrap_io_error(e, name.to_owned());
    // The footer, from the file's last bytes.
    let tail_len = len.min(FOOTER_TAIL);
    let mut tail = vec![0u8; tail_len as usize];
    file.seek(SeekFrom::Start(len - tail_len)).and_then(|_| file.read_exact(&mut tail)).map_err(read_err)?;
    let (footer, body) = Footer::extract_footer(FileSlice::new(std::sync::Arc::new(OwnedBytes::new(tail)))).map_err(read_err)?;
    // The body: everything before the footer.
    let body_len = len - tail_len + body.len() as u64;
    file.rewind().map_err(read_err)?;
    let mut body = file.take(body_len);
    let mut hasher = crc32fast::Hasher::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut read = 0u64;
    loop {
        match body.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                hasher.update(&buf[..n]);
                read += n as u64;
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(read_err(e)),
        }
    }
    if read != body_len {
        // Cut short while it was read.
        return Err(read_err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, format!("{read} of {body_len} bytes read"))));
    }
    Ok(footer.crc == hasher.finalize())
}

/// After a command failed on the index in `dir` (an error or a panic from
/// deep inside tantivy): is the index damaged, and where? Reads every file
/// of the index, so only on the way out of a failure.
pub fn diagnose(dir: &Path) -> Option<Error> {
    let r = check(dir, false).ok()?;
    let d = r.damage.first()?;
    Some(storage::damaged(dir, &d.file, &d.problem))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::schema::{Schema, STORED, TEXT};

    /// tantivy's answer for a file, as text (its errors are not comparable).
    fn tantivys(index: &tantivy::Index, name: &Path) -> String {
        format!("{:?}", index.directory().validate_checksum(name).map_err(|e| e.to_string()))
    }

    fn ours(dir: &Path, name: &Path) -> String {
        format!("{:?}", validate_checksum(dir, name).map_err(|e| e.to_string()))
    }

    #[test]
    fn checksums_read_without_a_map_say_what_tantivys_say() {
        let dir = tempfile::tempdir().unwrap();
        let mut b = Schema::builder();
        let text = b.add_text_field("text", TEXT | STORED);
        let index = tantivy::Index::create_in_dir(dir.path(), b.build()).unwrap();
        let mut w: tantivy::IndexWriter = index.writer_with_num_threads(1, 15_000_000).unwrap();
        for i in 0..2000 {
            w.add_document(tantivy::doc!(text => format!("document {i} of the checksum test, with words {}", i * 7919 % 1000))).unwrap();
        }
        w.commit().unwrap();
        drop(w);
        let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| std::path::PathBuf::from(e.file_name()))
            .filter(|n| storage::is_segment_file(&n.to_string_lossy()))
            .collect();
        files.sort();
        assert!(files.len() >= 4, "{files:?}");
        for f in &files {
            assert_eq!(ours(dir.path(), f), "Ok(true)", "{}", f.display());
            assert_eq!(ours(dir.path(), f), tantivys(&index, f), "{}", f.display());
        }
        // Damaged the ways a file is: a byte flipped, cut short, emptied, garbage, gone.
        let path = |i: usize| dir.path().join(&files[i]);
        let mut bytes = std::fs::read(path(0)).unwrap();
        bytes[0] ^= 0x55;
        std::fs::write(path(0), &bytes).unwrap();
        let len = std::fs::metadata(path(1)).unwrap().len();
        std::fs::OpenOptions::new().write(true).open(path(1)).unwrap().set_len(len - 3).unwrap();
        std::fs::write(path(2), b"").unwrap();
        std::fs::write(path(3), vec![7u8; 100_000]).unwrap();
        let gone = files.len() - 1;
        std::fs::remove_file(path(gone)).unwrap();
        assert_eq!(ours(dir.path(), &files[0]), "Ok(false)");
        for f in &files {
            // A fresh index, so that no map of the old files is reused.
            let fresh = tantivy::Index::open_in_dir(dir.path()).unwrap();
            assert_eq!(ours(dir.path(), f), tantivys(&fresh, f), "{}", f.display());
        }
    }
}
