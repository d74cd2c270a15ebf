//! **index**: records in, one tantivy index out (and back).
//!
//! Three kinds of entries share one schema: `issue` (one per source file,
//! holding the issue's metadata and the file's SHA-256), `document`, and
//! `changes` (what one ingest made known, see [`crate::changes`]). Every
//! entry stores its whole record (compressed JSON, see [`crate::stored`]),
//! so the index can be exported and rebuilt without the sources. A
//! document's title and text are indexed once, one token per character
//! with positions (any verbatim substring is a phrase of them); its clauses (`crate::clause`) are ranges of those
//! positions, kept in a fast field, so clause search reads the document's
//! postings and no text is indexed twice.

use crate::clause::{clauses, Clause};
use crate::docnum::DocNumber;
use crate::error::{Error, Result};
use crate::record::{DocumentRecord, IssueMeta, ParsedIssue};
use crate::storage;
use crate::stored;
use crate::structure::Provision;
use crate::tokenizer;
use chrono::Datelike;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use tantivy::schema::{Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST, INDEXED, STORED, STRING};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

/// The fields of the schema.
#[derive(Clone, Copy, Debug)]
pub struct Fields {
    pub id: Field,
    pub kind: Field,
    pub doc_id: Field,
    pub number_key: Field,
    /// The title, one token per character.
    pub title: Field,
    /// The text, one token per character; stored, for snippets and as the
    /// stored record's text.
    pub body: Field,
    /// Per clause: its first position in `body` (high 32 bits) and its
    /// parent clause + 1 (low 32 bits, 0 for none); then the body's token
    /// count with low bits all ones ([`CLAUSE_END`]).
    pub clause_starts: Field,
    /// The clauses ([`Clause`] as JSON), for hits.
    pub clauses: Field,
    pub issuer: Field,
    pub doc_type: Field,
    pub year: Field,
    pub signed: Field,
    pub issue_id: Field,
    pub source_sha256: Field,
    pub source_path: Field,
    /// The entry's record, packed by [`crate::stored::pack`] (a document's
    /// text is in `body`).
    pub record: Field,
    /// What a hit shows of a document ([`crate::stored::HitSummary`] as JSON).
    pub hit: Field,
    /// Targets of the document's links (canonical 文号, or `《title key》`
    /// for a target cited by title alone): who points at whom.
    pub link_target: Field,
    /// The keys a document is cited by when cited by title alone.
    pub title_key: Field,
    /// `force` on documents that repeal, void, supersede, extend or amend another.
    pub force_links: Field,
    /// Validity window as date keys (until 99991231 when open).
    pub from: Field,
    pub until: Field,
}

/// Why [`GongbaoIndex::open`] refuses an index of another schema version.
const OTHER_SCHEMA: &str = "the index was built with another schema version (run `gongbao rebuild`)";

/// The `until` key of a window with no end.
pub const OPEN_END: i64 = 99991231;
/// The `force_links` marker.
pub const FORCE: &str = "force";

/// Entry kinds. (`provision` names clause hits; there are no provision entries.)
pub const KIND_ISSUE: &str = "issue";
pub const KIND_DOCUMENT: &str = "document";
pub const KIND_PROVISION: &str = "provision";
/// What one ingest made known ([`crate::changes::ChangeSet`]).
pub const KIND_CHANGES: &str = "changes";

/// Decompressed blocks of stored records a [`GongbaoIndex::scan_reader`]
/// keeps per segment: a document's block is read again for the next
/// documents of its issue (records are stored in the order of their
/// issues), and for little else.
pub const SCAN_CACHE_BLOCKS: usize = 8;

/// The low 32 bits of the last `clause_starts` value.
pub const CLAUSE_END: u64 = u32::MAX as u64;

/// A per-character text field with positions (every substring is a phrase).
fn chars_field() -> TextOptions {
    TextOptions::default().set_indexing_options(
        TextFieldIndexing::default().set_tokenizer(tokenizer::CHARS).set_index_option(IndexRecordOption::WithFreqsAndPositions),
    )
}

/// The `clause_starts` values of a document: each clause's first token
/// position in `text` and its parent, then the token count.
pub fn clause_starts(text: &str, cs: &[Clause]) -> Vec<u64> {
    let mut out = Vec::with_capacity(cs.len() + 1);
    let mut pos: u64 = 0;
    let mut next = 0;
    for (i, c) in text.char_indices() {
        while next < cs.len() && cs[next].start <= i {
            out.push(pos << 32 | cs[next].parent.map(|p| p as u64 + 1).unwrap_or(0));
            next += 1;
        }
        if tokenizer::indexed(c) {
            pos += 1;
        }
    }
    while next < cs.len() {
        out.push(pos << 32 | cs[next].parent.map(|p| p as u64 + 1).unwrap_or(0));
        next += 1;
    }
    out.push(pos << 32 | CLAUSE_END);
    out
}

/// How the stored records are compressed: zstd (level 3: level 9 took 7 % more
/// of the ingest for a store 9 % smaller) over 256 KiB blocks, so a
/// document's text and its provisions' texts (which repeat it) compress
/// against each other.
fn index_settings() -> tantivy::IndexSettings {
    tantivy::IndexSettings {
        docstore_compression: tantivy::store::Compressor::Zstd(tantivy::store::ZstdCompressor { compression_level: Some(3) }),
        docstore_blocksize: 256 * 1024,
        ..Default::default()
    }
}

/// Build the schema.
pub fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let f = Fields {
        id: b.add_text_field("id", STRING | STORED),
        kind: b.add_text_field("kind", STRING | STORED | FAST),
        doc_id: b.add_text_field("doc_id", STRING | STORED | FAST),
        number_key: b.add_text_field("number_key", STRING),
        title: b.add_text_field("title", chars_field()),
        body: b.add_text_field("body", chars_field().set_stored()),
        clause_starts: b.add_u64_field("clause_starts", FAST),
        clauses: b.add_text_field("clauses", STORED),
        issuer: b.add_text_field("issuer", STRING | FAST),
        doc_type: b.add_text_field("doc_type", STRING | FAST),
        year: b.add_i64_field("year", INDEXED | FAST),
        signed: b.add_i64_field("signed", INDEXED | FAST),
        issue_id: b.add_text_field("issue_id", STRING),
        source_sha256: b.add_text_field("source_sha256", STRING | STORED),
        source_path: b.add_text_field("source_path", STRING | STORED),
        record: b.add_bytes_field("record", STORED),
        hit: b.add_text_field("hit", STORED),
        link_target: b.add_text_field("link_target", STRING),
        title_key: b.add_text_field("title_key", STRING),
        force_links: b.add_text_field("force_links", STRING),
        from: b.add_i64_field("from", INDEXED | FAST),
        until: b.add_i64_field("until", INDEXED | FAST),
    };
    (b.build(), f)
}

/// The `link_target` term of a target cited by title alone.
pub fn title_target_term(title: &str) -> String {
    format!("《{}》", crate::text::title_key(title))
}

/// A date as the integer stored in the index: 2024-08-20 → 20240820.
pub fn date_key(d: chrono::NaiveDate) -> i64 {
    (d.year() as i64) * 10000 + d.month() as i64 * 100 + d.day() as i64
}

/// The lookup keys of a 文号: canonical form, number part, `74号`.
pub fn number_keys(dn: &DocNumber) -> Vec<String> {
    vec![dn.to_string(), dn.number_part(), format!("{}号", dn.seq)]
}

/// What an `issue` entry stores.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IssueEntry {
    pub issue: IssueMeta,
    pub warnings: Vec<String>,
    /// Ids of the documents this source contributed.
    pub documents: Vec<String>,
}

/// One stored record, as `export` writes it (one JSON object per line).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum StoredRecord {
    Issue(IssueEntry),
    Document(Box<DocumentRecord>),
    /// What one ingest made known.
    Changes(crate::changes::ChangeSet),
}

/// Every provision with its trail: the labels and headings from the top of
/// the tree down to it (`第四章 入市交易 第十五条 竞买规则`).
pub fn provision_trails(tree: &[Provision]) -> Vec<(&Provision, String)> {
    fn go<'a>(ps: &'a [Provision], above: &str, out: &mut Vec<(&'a Provision, String)>) {
        for p in ps {
            let own = match &p.heading {
                Some(h) => format!("{} {h}", p.label),
                None => p.label.clone(),
            };
            let trail = if above.is_empty() { own } else { format!("{above} {own}") };
            out.push((p, trail.clone()));
            go(&p.children, &trail, out);
        }
    }
    let mut out = Vec::new();
    go(tree, "", &mut out);
    out
}

/// Call `f` with every stored record of an index, whatever its schema
/// version (the `record` and `body` fields are found by name, see
/// [`stored::record_of`]), segment by segment.
pub fn for_each_record(index: &Index, dir: &Path, mut f: impl FnMut(StoredRecord)) -> Result<()> {
    let err = |e: tantivy::TantivyError| storage::classify(dir, &e, "reading the stored records");
    let schema = index.schema();
    let field = schema.get_field("record").map_err(err)?;
    let body = schema.get_field("body").ok();
    let reader: IndexReader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into().map_err(err)?;
    let searcher = reader.searcher();
    for seg in searcher.segment_readers() {
        let store = seg.get_store_reader(1).map_err(|e| err(e.into()))?;
        for doc_id in seg.doc_ids_alive() {
            let d: TantivyDocument = store.get(doc_id).map_err(err)?;
            if let Some(rec) = stored::record_of(&d, field, body) {
                f(rec);
            }
        }
    }
    Ok(())
}

/// Rebuild the index in `dir` from its stored records (no source file is
/// read). Returns the number of documents.
pub fn rebuild(dir: &Path) -> Result<usize> {
    rebuild_from(dir, None)
}

/// Rebuild the index in `dir` from stored records: its own, or those of an
/// `export` file. A new index is built beside it, then swapped in; the old
/// index's writer lock is held throughout, so no ingest runs meanwhile.
pub fn rebuild_from(dir: &Path, export: Option<&Path>) -> Result<usize> {
    let err = |e: tantivy::TantivyError| storage::classify(dir, &e, "rebuilding");
    // The lock is taken on the directory, not through the index: a damaged
    // index (meta.json gone or garbage) can be rebuilt from an export.
    let _lock = if dir.is_dir() { Some(GongbaoIndex::lock(dir)?) } else { None };
    let old = match export {
        Some(_) => None,
        // Any schema version: rebuilding is how an index moves to this one.
        None => Some(GongbaoIndex::open_any_schema(dir)?),
    };
    let mut issues: Vec<IssueEntry> = Vec::new();
    let mut docs: Vec<DocumentRecord> = Vec::new();
    let mut change_sets: Vec<crate::changes::ChangeSet> = Vec::new();
    let mut take = |r: StoredRecord| match r {
        StoredRecord::Issue(e) => issues.push(e),
        StoredRecord::Document(d) => docs.push(*d),
        StoredRecord::Changes(c) => change_sets.push(c),
    };
    match (export, &old) {
        (Some(file), _) => {
            let text = std::fs::read_to_string(file).map_err(|source| Error::Io { path: file.to_owned(), source })?;
            for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
                let r: StoredRecord = serde_json::from_str(line)
                    .map_err(|e| Error::Index { path: file.to_owned(), reason: format!("line {}: not a stored record: {e}", n + 1) })?;
                take(r);
            }
        }
        (None, Some(o)) => for_each_record(o, dir, take)?,
        (None, None) => return Err(Error::Index { path: dir.to_owned(), reason: "no index here to rebuild".into() }),
    }
    let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "index".into());
    let tmp = dir.with_file_name(format!("{name}.rebuild"));
    if tmp.exists() {
        std::fs::remove_dir_all(&tmp).map_err(|source| Error::Io { path: tmp.clone(), source })?;
    }
    let new = GongbaoIndex::open_or_create(&tmp)?;
    let mut w = new.writer()?;
    for e in &issues {
        w.add_document(new.issue_entry(e)).map_err(err)?;
    }
    for d in &docs {
        // The issue entry that lists the document gives its source.
        let meta = issues
            .iter()
            .rev()
            .find(|e| e.issue.id == d.issue.id && e.documents.contains(&d.id))
            .or_else(|| issues.iter().find(|e| e.issue.id == d.issue.id))
            .map(|e| e.issue.clone());
        let Some(meta) = meta else { continue };
        w.add_document(new.document_entry(d, &meta)).map_err(err)?;
    }
    for c in &change_sets {
        w.add_document(new.changes_entry(c)).map_err(err)?;
    }
    new.commit(&mut w, &serde_json::json!({"rebuilt": true, "documents": docs.len()}).to_string())?;
    w.wait_merging_threads().map_err(err)?;
    drop(new);
    // What is ours in the old directory (the run log, the kept exports)
    // moves to the new one.
    for entry in storage::OUR_ENTRIES {
        let from = dir.join(entry);
        if from.exists() {
            std::fs::rename(&from, tmp.join(entry)).map_err(|source| Error::Io { path: from.clone(), source })?;
        }
    }
    // Swap: old aside, new in place, old removed.
    let aside = dir.with_file_name(format!("{name}.old"));
    if aside.exists() {
        std::fs::remove_dir_all(&aside).map_err(|source| Error::Io { path: aside.clone(), source })?;
    }
    drop(_lock);
    drop(old);
    if dir.exists() {
        std::fs::rename(dir, &aside).map_err(|source| Error::Io { path: dir.to_owned(), source })?;
    }
    std::fs::rename(&tmp, dir).map_err(|source| Error::Io { path: tmp.clone(), source })?;
    if aside.exists() {
        std::fs::remove_dir_all(&aside).map_err(|source| Error::Io { path: aside.clone(), source })?;
    }
    Ok(docs.len())
}

/// Write a record as `_bulk` NDJSON (Elasticsearch/OpenSearch): an index
/// action keyed by id, then the source. A document is written with its
/// provisions as entries of their own (kind `provision`); issue records are
/// not (they describe source files, not searchable text).
pub fn write_bulk(out: &mut impl std::io::Write, index: &str, r: &StoredRecord) -> std::io::Result<()> {
    let StoredRecord::Document(doc) = r else { return Ok(()) };
    let action = |id: &str| serde_json::json!({"index": {"_index": index, "_id": id}});
    let mut src = serde_json::to_value(doc.as_ref())?;
    if let Some(o) = src.as_object_mut() {
        o.insert("kind".into(), "document".into());
        o.remove("provisions");
        o.insert("year".into(), serde_json::json!(doc.signed_date.map(|d| d.year())));
    }
    writeln!(out, "{}", action(&doc.id))?;
    writeln!(out, "{}", src)?;
    for (p, trail) in provision_trails(&doc.provisions) {
        writeln!(out, "{}", action(&p.id))?;
        let v = serde_json::json!({
            "kind": "provision", "id": p.id, "doc_id": doc.id, "doc_number": doc.doc_number, "title": doc.title,
            "trail": trail, "label": p.label, "heading": p.heading, "text": p.text, "page": p.page,
            "issuer": doc.issuer, "doc_type": doc.doc_type, "signed_date": doc.signed_date,
            "year": doc.signed_date.map(|d| d.year()), "validity": doc.validity,
        });
        writeln!(out, "{v}")?;
    }
    Ok(())
}

/// The gongbao index on disk.
pub struct GongbaoIndex {
    pub index: Index,
    pub fields: Fields,
    pub dir: PathBuf,
    /// The directory `index` reads through, when opened here: its maps are
    /// what [`crate::resident::Releaser`] keeps out of resident memory.
    pub maps: Option<tantivy::directory::MmapDirectory>,
}

impl GongbaoIndex {
    fn err(dir: &Path, e: impl std::fmt::Display) -> Error {
        Error::Index { path: dir.to_owned(), reason: e.to_string() }
    }

    /// Open the index in `dir`, creating it (and the directory) if needed.
    /// A directory that holds an index whose `meta.json` is gone is damaged,
    /// not empty: it is never silently replaced by a new index.
    pub fn open_or_create(dir: &Path) -> Result<GongbaoIndex> {
        std::fs::create_dir_all(dir).map_err(|source| {
            if storage::io_out_of_space(&source) {
                storage::disk_full(dir, None, "creating the index directory")
            } else {
                Error::Io { path: dir.to_owned(), source }
            }
        })?;
        if dir.join("meta.json").exists() || storage::holds_index_files(dir) {
            return Self::open(dir);
        }
        let (schema, fields) = schema();
        let doing = "creating the index";
        let maps = Self::maps(dir, doing)?;
        // What Index::create_in_dir does, with the directory kept.
        let created = match Index::exists(&maps) {
            Ok(true) => Err(tantivy::TantivyError::IndexAlreadyExists),
            Ok(false) => Index::create(maps.clone(), schema, index_settings()),
            Err(e) => Err(e.into()),
        };
        let index = created.map_err(|e| storage::classify(dir, &e, doing))?;
        Self::wrap(index, fields, dir, Some(maps))
    }

    /// The memory-mapped directory of the index in `dir` (kept, for
    /// [`GongbaoIndex::maps`]).
    fn maps(dir: &Path, doing: &str) -> Result<tantivy::directory::MmapDirectory> {
        tantivy::directory::MmapDirectory::open(dir).map_err(|e| storage::classify(dir, &e.into(), doing))
    }

    /// Open an existing index (for searching); a clear error if there is
    /// none, and [`Error::IndexDamaged`] naming the file if it cannot be
    /// read: `meta.json` missing or not what tantivy wrote, a segment file
    /// missing, cut short or overwritten (every segment is opened here, which
    /// reads each file's footer; `check` verifies whole files).
    pub fn open(dir: &Path) -> Result<GongbaoIndex> {
        let meta = dir.join("meta.json");
        let text = match std::fs::read(&meta) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if storage::holds_index_files(dir) {
                    return Err(storage::damaged(dir, "meta.json", "missing (the segment files are there)"));
                }
                return Err(Self::err(dir, "no index here (run `gongbao ingest` first)"));
            }
            Err(source) => return Err(Error::Io { path: meta, source }),
        };
        if let Err(e) = serde_json::from_slice::<serde_json::Value>(&text) {
            return Err(storage::damaged(dir, "meta.json", format!("not the JSON tantivy writes ({e})")));
        }
        let maps = Self::maps(dir, "opening")?;
        let index = Index::open(maps.clone()).map_err(|e| storage::classify(dir, &e, "opening"))?;
        let (_, fields) = schema();
        let ix = Self::wrap(index, fields, dir, Some(maps))?;
        ix.open_segments()?;
        crate::check::verify_new_files(&ix)?;
        Ok(ix)
    }

    /// Open an existing index whatever its schema version, its segments
    /// checked as [`GongbaoIndex::open`] does: for reading its stored
    /// records ([`for_each_record`]) into an index of this version.
    pub fn open_any_schema(dir: &Path) -> Result<Index> {
        match Self::open(dir) {
            Err(Error::Index { reason, .. }) if reason == OTHER_SCHEMA => {
                Index::open_in_dir(dir).map_err(|e| storage::classify(dir, &e, "opening"))
            }
            other => other.map(|ix| ix.index),
        }
    }

    /// The record an entry of this index stores.
    pub fn record_of(&self, entry: &TantivyDocument) -> Option<StoredRecord> {
        stored::record_of(entry, self.fields.record, Some(self.fields.body))
    }

    /// Open every segment of the last commit (reads the footer of each of
    /// their files). A segment that does not open is damaged: the file is
    /// named by checking each of the segment's files in turn.
    pub fn open_segments(&self) -> Result<usize> {
        let segments = self.index.searchable_segments().map_err(|e| storage::classify(&self.dir, &e, "listing segments"))?;
        for seg in &segments {
            let opened = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| tantivy::SegmentReader::open(seg)));
            let why = match opened {
                Ok(Ok(_)) => continue,
                Ok(Err(e)) => match storage::classify(&self.dir, &e, "opening a segment") {
                    Error::IndexDamaged { file, .. } if file != "unknown file" => return Err(storage::classify(&self.dir, &e, "")),
                    Error::DiskFull { .. } => return Err(storage::classify(&self.dir, &e, "opening a segment")),
                    other => other.to_string(),
                },
                Err(_) => "it cannot be read (tantivy panicked)".to_string(),
            };
            let (file, reason) = self.damaged_file_of(seg.id()).unwrap_or_else(|| (format!("segment {}", seg.id().uuid_string()), why));
            return Err(storage::damaged(&self.dir, &file, reason));
        }
        Ok(segments.len())
    }

    /// The first file of segment `id` that is missing or fails its checksum.
    pub fn damaged_file_of(&self, id: tantivy::index::SegmentId) -> Option<(String, String)> {
        let prefix = id.uuid_string();
        let mut files: Vec<String> = std::fs::read_dir(&self.dir)
            .ok()?
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(&prefix))
            .collect();
        files.sort();
        for f in files {
            let verdict =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| crate::check::validate_checksum(&self.dir, Path::new(&f))));
            match verdict {
                Ok(Ok(true)) => {}
                Ok(Ok(false)) => return Some((f, "checksum mismatch (overwritten?)".into())),
                Ok(Err(e)) => return Some((f, storage::short(&e.to_string()))),
                Err(_) => return Some((f, "cannot be read".into())),
            }
        }
        None
    }

    /// Take the index's writer lock without opening the index (for
    /// `rebuild`, which must work on a damaged index).
    pub fn lock(dir: &Path) -> Result<tantivy::directory::DirectoryLock> {
        use tantivy::directory::{Directory, MmapDirectory, INDEX_WRITER_LOCK};
        let d = MmapDirectory::open(dir).map_err(|e| Self::err(dir, e))?;
        d.acquire_lock(&INDEX_WRITER_LOCK).map_err(|e| match e {
            tantivy::directory::error::LockError::LockBusy => Self::err(dir, "another ingest is writing to this index"),
            e => Self::err(dir, e),
        })
    }

    fn wrap(index: Index, fields: Fields, dir: &Path, maps: Option<tantivy::directory::MmapDirectory>) -> Result<GongbaoIndex> {
        let (expected, _) = schema();
        if index.schema() != expected {
            return Err(Self::err(dir, OTHER_SCHEMA));
        }
        tokenizer::register(&index);
        Ok(GongbaoIndex { index, fields, dir: dir.to_owned(), maps })
    }

    /// A reader that reloads only when asked.
    pub fn reader(&self) -> Result<IndexReader> {
        self.index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(|e| storage::classify(&self.dir, &e, "opening a reader"))
    }

    /// A reader for going through many records once each (change
    /// detection, the force links): its segments keep [`SCAN_CACHE_BLOCKS`]
    /// decompressed blocks of stored records each, not tantivy's 100 — 25 MB
    /// a segment once a segment has that many, so what a reader held grew
    /// with the index.
    pub fn scan_reader(&self) -> Result<IndexReader> {
        self.index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .doc_store_cache_num_blocks(SCAN_CACHE_BLOCKS)
            .try_into()
            .map_err(|e| storage::classify(&self.dir, &e, "opening a reader"))
    }

    /// The single writer. Fails at once if another process holds it.
    pub fn writer(&self) -> Result<IndexWriter> {
        self.index.writer_with_num_threads(1, 64_000_000).map_err(|e| match e {
            tantivy::TantivyError::LockFailure(..) => Self::err(&self.dir, "another ingest is writing to this index"),
            e => storage::classify(&self.dir, &e, "opening the writer"),
        })
    }

    /// The tantivy entries for one parsed issue.
    pub fn entries(&self, parsed: &ParsedIssue) -> Vec<TantivyDocument> {
        let entry = IssueEntry {
            issue: parsed.issue.clone(),
            warnings: parsed.warnings.clone(),
            documents: parsed.documents.iter().map(|d| d.id.clone()).collect(),
        };
        let mut out = vec![self.issue_entry(&entry)];
        for doc in &parsed.documents {
            out.push(self.document_entry(doc, &parsed.issue));
        }
        out
    }

    /// The entry that records a source file and its issue.
    pub fn issue_entry(&self, entry: &IssueEntry) -> TantivyDocument {
        let f = &self.fields;
        let mut d = TantivyDocument::new();
        d.add_text(f.id, format!("issue:{}", entry.issue.source_sha256));
        d.add_text(f.kind, KIND_ISSUE);
        d.add_text(f.issue_id, &entry.issue.id);
        d.add_text(f.source_sha256, &entry.issue.source_sha256);
        d.add_text(f.source_path, &entry.issue.source_path);
        d.add_bytes(f.record, &stored::pack(&StoredRecord::Issue(entry.clone())));
        d
    }

    /// The entry that records what one ingest made known.
    pub fn changes_entry(&self, set: &crate::changes::ChangeSet) -> TantivyDocument {
        let f = &self.fields;
        let mut d = TantivyDocument::new();
        let part = set.part.map(|p| format!("/{p}")).unwrap_or_default();
        d.add_text(f.id, format!("changes:{}{part}", set.ingested.to_rfc3339()));
        d.add_text(f.kind, KIND_CHANGES);
        d.add_bytes(f.record, &stored::pack(&StoredRecord::Changes(set.clone())));
        d
    }

    /// Stage the entry of a change set in `writer`; the caller commits.
    pub fn stage_changes(&self, writer: &IndexWriter, set: &crate::changes::ChangeSet) -> Result<()> {
        writer.add_document(self.changes_entry(set)).map_err(|e| self.write_error(&e, "adding the changes"))?;
        Ok(())
    }

    fn common_fields(&self, d: &mut TantivyDocument, doc: &DocumentRecord, issue: &IssueMeta) {
        let f = &self.fields;
        d.add_text(f.doc_id, &doc.id);
        for i in &doc.issuer {
            d.add_text(f.issuer, i);
        }
        if let Some(t) = &doc.doc_type {
            d.add_text(f.doc_type, t);
        }
        if let Some(s) = doc.signed_date {
            d.add_i64(f.year, s.year() as i64);
            d.add_i64(f.signed, date_key(s));
        }
        d.add_text(f.issue_id, &issue.id);
        d.add_text(f.source_sha256, &issue.source_sha256);
        d.add_text(f.source_path, &issue.source_path);
        if let Some(from) = doc.validity.effective_from {
            d.add_i64(f.from, date_key(from));
        }
        d.add_i64(f.until, doc.validity.effective_until.map(date_key).unwrap_or(OPEN_END));
    }

    /// A document's entry: its record, its title and text, its clauses.
    pub fn document_entry(&self, doc: &DocumentRecord, issue: &IssueMeta) -> TantivyDocument {
        let f = &self.fields;
        let mut d = TantivyDocument::new();
        d.add_text(f.id, &doc.id);
        d.add_text(f.kind, KIND_DOCUMENT);
        if let Some(dn) = &doc.doc_number {
            for k in number_keys(dn) {
                d.add_text(f.number_key, k);
            }
        }
        d.add_text(f.title, &doc.title);
        d.add_text(f.body, &doc.text);
        let cs = clauses(doc);
        for v in clause_starts(&doc.text, &cs) {
            d.add_u64(f.clause_starts, v);
        }
        d.add_text(f.clauses, serde_json::to_string(&cs).unwrap_or_default());
        self.common_fields(&mut d, doc, issue);
        for l in &doc.links {
            if let Some(t) = &l.target {
                d.add_text(f.link_target, t);
            }
            // By title too: the target may be in the corpus without its 文号 printed.
            if let Some(t) = &l.target_title {
                d.add_text(f.link_target, title_target_term(t));
            }
        }
        for k in doc.title_keys() {
            d.add_text(f.title_key, k);
        }
        if doc.links.iter().any(|l| l.kind.changes_target()) {
            d.add_text(f.force_links, FORCE);
        }
        d.add_bytes(f.record, &stored::pack_document(doc));
        d.add_text(f.hit, stored::HitSummary::of(doc).to_json());
        d
    }

    /// Stage one issue in `writer`: remove what its source file (by path)
    /// and its document ids held before, then add its entries. The caller
    /// commits.
    pub fn stage_issue(&self, writer: &IndexWriter, parsed: &ParsedIssue) -> Result<()> {
        let f = &self.fields;
        writer.delete_term(Term::from_field_text(f.source_path, &parsed.issue.source_path));
        writer.delete_term(Term::from_field_text(f.source_sha256, &parsed.issue.source_sha256));
        // A document printed again elsewhere is replaced.
        for doc in &parsed.documents {
            writer.delete_term(Term::from_field_text(f.doc_id, &doc.id));
        }
        for e in self.entries(parsed) {
            writer.add_document(e).map_err(|e| self.write_error(&e, "adding entries"))?;
        }
        Ok(())
    }

    /// Commit with a payload (the checkpoint: which files this commit holds).
    pub fn commit(&self, writer: &mut IndexWriter, payload: &str) -> Result<()> {
        let mut prepared = writer.prepare_commit().map_err(|e| self.write_error(&e, "committing"))?;
        prepared.set_payload(payload);
        prepared.commit().map_err(|e| self.write_error(&e, "committing"))?;
        Ok(())
    }

    /// What a failed write means. tantivy reports some failures of its
    /// indexing thread without their cause: with next to no space left, that
    /// cause is the disk.
    fn write_error(&self, e: &tantivy::TantivyError, doing: &str) -> Error {
        match storage::classify(&self.dir, e, doing) {
            Error::Index { .. } if storage::free_bytes(&self.dir).is_some_and(|f| f < 1 << 20) => {
                storage::disk_full(&self.dir, None, doing)
            }
            other => other,
        }
    }

    /// Every stored record, in index order.
    pub fn records(&self) -> Result<Vec<StoredRecord>> {
        let mut out = Vec::new();
        for_each_record(&self.index, &self.dir, |r| out.push(r))?;
        Ok(out)
    }

    /// Every stored document record.
    pub fn documents(&self) -> Result<Vec<DocumentRecord>> {
        let mut out = Vec::new();
        for_each_record(&self.index, &self.dir, |r| {
            if let StoredRecord::Document(d) = r {
                out.push(*d);
            }
        })?;
        Ok(out)
    }

    /// The issue entries (one per ingested source file).
    pub fn issues(&self, searcher: &tantivy::Searcher) -> Result<Vec<IssueEntry>> {
        let q = tantivy::query::TermQuery::new(Term::from_field_text(self.fields.kind, KIND_ISSUE), IndexRecordOption::Basic);
        let addrs = searcher.search(&q, &tantivy::collector::DocSetCollector).map_err(|e| Self::err(&self.dir, e))?;
        let mut out = Vec::new();
        for a in addrs {
            let d: TantivyDocument = searcher.doc(a).map_err(|e| Self::err(&self.dir, e))?;
            if let Some(StoredRecord::Issue(e)) = self.record_of(&d) {
                out.push(e);
            }
        }
        out.sort_by(|a, b| a.issue.source_path.cmp(&b.issue.source_path));
        Ok(out)
    }

    /// The stored record of the document with this id.
    pub fn document(&self, searcher: &tantivy::Searcher, id: &str) -> Option<DocumentRecord> {
        let q = tantivy::query::BooleanQuery::new(vec![
            (
                tantivy::query::Occur::Must,
                Box::new(tantivy::query::TermQuery::new(Term::from_field_text(self.fields.id, id), IndexRecordOption::Basic))
                    as Box<dyn tantivy::query::Query>,
            ),
            (
                tantivy::query::Occur::Must,
                Box::new(tantivy::query::TermQuery::new(Term::from_field_text(self.fields.kind, KIND_DOCUMENT), IndexRecordOption::Basic)),
            ),
        ]);
        let top = searcher.search(&q, &tantivy::collector::TopDocs::with_limit(1).order_by_score()).ok()?;
        let (_, addr) = top.first()?;
        let d: TantivyDocument = searcher.doc(*addr).ok()?;
        match self.record_of(&d)? {
            StoredRecord::Document(doc) => Some(*doc),
            _ => None,
        }
    }

    /// The stored records of the documents that match `query`.
    pub fn documents_matching(&self, searcher: &tantivy::Searcher, query: &dyn tantivy::query::Query) -> Result<Vec<DocumentRecord>> {
        let mut out = Vec::new();
        self.for_each_document_matching(searcher, query, |d| {
            out.push(d);
            Ok(())
        })?;
        Ok(out)
    }

    /// Call `f` with the stored record of each document that matches
    /// `query`, one at a time, in index order (for queries that match a
    /// share of the whole corpus: their records are not all held at once).
    pub fn for_each_document_matching(
        &self,
        searcher: &tantivy::Searcher,
        query: &dyn tantivy::query::Query,
        mut f: impl FnMut(DocumentRecord) -> Result<()>,
    ) -> Result<()> {
        let addrs = searcher.search(query, &tantivy::collector::DocSetCollector).map_err(|e| Self::err(&self.dir, e))?;
        let mut addrs: Vec<_> = addrs.into_iter().collect();
        addrs.sort();
        for a in addrs {
            let d: TantivyDocument = searcher.doc(a).map_err(|e| Self::err(&self.dir, e))?;
            if let Some(StoredRecord::Document(doc)) = self.record_of(&d) {
                f(*doc)?;
            }
        }
        Ok(())
    }

    /// The issue entry stored for a source file's SHA-256, if any.
    pub fn issue_by_sha(&self, searcher: &tantivy::Searcher, sha: &str) -> Option<IssueEntry> {
        let q = tantivy::query::TermQuery::new(Term::from_field_text(self.fields.id, &format!("issue:{sha}")), IndexRecordOption::Basic);
        let top = searcher.search(&q, &tantivy::collector::TopDocs::with_limit(1).order_by_score()).ok()?;
        let (_, addr) = top.first()?;
        let d: TantivyDocument = searcher.doc(*addr).ok()?;
        match self.record_of(&d)? {
            StoredRecord::Issue(e) => Some(e),
            _ => None,
        }
    }
}
