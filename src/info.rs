//! **info**: an index directory in, what it holds and what was done to it
//! out — entries by kind, segments, bytes on disk and free beside them, the
//! last commit's checkpoint, the kept exports and the last runs of the
//! ingest log (`gongbao info`).

use crate::error::Result;
use crate::index::{for_each_record, GongbaoIndex, StoredRecord, KIND_DOCUMENT, KIND_ISSUE};
use crate::runlog::RunRecord;
use crate::storage;
use serde::Serialize;
use std::path::Path;
use tantivy::schema::IndexRecordOption;
use tantivy::Term;

/// A kept export.
#[derive(Debug, Clone, Serialize)]
pub struct KeptExport {
    pub path: String,
    pub bytes: u64,
}

/// What `gongbao info` prints.
#[derive(Debug, Clone, Serialize)]
pub struct IndexInfo {
    pub index: String,
    pub issues: usize,
    pub documents: usize,
    pub provisions: usize,
    pub segments: usize,
    /// Bytes of tantivy's files, and of everything in the directory.
    pub index_bytes: u64,
    pub total_bytes: u64,
    /// Bytes free on the file system that holds the index.
    pub free_bytes: Option<u64>,
    /// The checkpoint of the last commit (which files it committed).
    pub last_commit: Option<serde_json::Value>,
    pub exports: Vec<KeptExport>,
    /// The last runs of the ingest log, oldest first.
    pub runs: Vec<RunRecord>,
}

/// Describe the index in `dir`, with its last `runs` runs.
pub fn info(dir: &Path, runs: usize) -> Result<IndexInfo> {
    let ix = GongbaoIndex::open(dir)?;
    let reader = ix.reader()?;
    let searcher = reader.searcher();
    let count = |kind: &str| {
        let q = tantivy::query::TermQuery::new(Term::from_field_text(ix.fields.kind, kind), IndexRecordOption::Basic);
        searcher.search(&q, &tantivy::collector::Count).unwrap_or(0)
    };
    let (total_bytes, index_bytes) = storage::index_bytes(dir);
    let meta = ix.index.load_metas().map_err(|e| storage::classify(dir, &e, "reading meta.json"))?;
    let last_commit = meta.payload.as_deref().map(|p| serde_json::from_str(p).unwrap_or_else(|_| serde_json::Value::String(p.to_string())));
    let exports = storage::exports(dir)
        .into_iter()
        .map(|p| KeptExport { bytes: std::fs::metadata(&p).map(|m| m.len()).unwrap_or(0), path: p.display().to_string() })
        .collect();
    // Provisions are not entries of their own: they are counted in the
    // documents' records.
    let mut provisions = 0;
    for_each_record(&ix.index, dir, |r| {
        if let StoredRecord::Document(d) = r {
            provisions += crate::structure::flatten(&d.provisions).len();
        }
    })?;
    Ok(IndexInfo {
        index: dir.display().to_string(),
        issues: count(KIND_ISSUE),
        documents: count(KIND_DOCUMENT),
        provisions,
        segments: searcher.segment_readers().len(),
        index_bytes,
        total_bytes,
        free_bytes: storage::free_bytes(dir),
        last_commit,
        exports,
        runs: crate::runlog::last(dir, runs).unwrap_or_default(),
    })
}
