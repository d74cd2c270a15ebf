//! **ingest**: paths in, an updated index and a per-file report out.
//!
//! Files are found (directories walked, symlink loops reported), hashed,
//! and those whose SHA-256 the index already holds are skipped. The rest are
//! parsed in parallel, a few at a time so memory stays flat, and each issue
//! is committed on its own: all its entries or none. One bad file never
//! stops the batch.

use crate::error::Error;
use crate::extract::ExtractOptions;
use crate::index::GongbaoIndex;
use crate::pipeline::{parse_file, sha256_hex};
use crate::record::ParsedIssue;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// What happened to one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Ingested,
    Unchanged,
    Replaced,
    Failed,
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Outcome::Ingested => "ingested",
            Outcome::Unchanged => "unchanged",
            Outcome::Replaced => "replaced",
            Outcome::Failed => "failed",
        })
    }
}

/// One file's line in the report (DESIGN.md `ingest --json`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FileReport {
    pub path: String,
    pub sha256: Option<String>,
    pub outcome: Outcome,
    pub documents: usize,
    pub error: Option<String>,
    #[serde(default)]
    pub warnings: Vec<String>,
    #[serde(default)]
    pub extractors: Vec<String>,
}

/// The whole batch.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IngestReport {
    pub files: Vec<FileReport>,
    pub documents_added: usize,
    pub documents_replaced: usize,
    pub failed: usize,
    pub pages: u32,
    pub seconds: f64,
}

/// Is this a file we ingest when walking a directory?
fn wanted(p: &Path) -> bool {
    p.extension().and_then(|e| e.to_str()).is_some_and(|e| e.eq_ignore_ascii_case("pdf") || e.eq_ignore_ascii_case("txt"))
}

fn failed(path: &Path, error: String) -> FileReport {
    FileReport {
        path: path.to_string_lossy().into_owned(),
        sha256: None,
        outcome: Outcome::Failed,
        documents: 0,
        error: Some(error),
        warnings: vec![],
        extractors: vec![],
    }
}

/// Collect the files under `paths`: explicit files as given, directories
/// walked in name order. Unreadable entries and symlink loops are reported.
pub fn collect_files(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<FileReport>) {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    let mut visited: HashSet<PathBuf> = HashSet::new();
    fn walk(dir: &Path, files: &mut Vec<PathBuf>, problems: &mut Vec<FileReport>, visited: &mut HashSet<PathBuf>) {
        let canon = match std::fs::canonicalize(dir) {
            Ok(c) => c,
            Err(e) => {
                problems.push(failed(dir, format!("{}: cannot read: {e}", dir.display())));
                return;
            }
        };
        if !visited.insert(canon) {
            problems.push(failed(dir, format!("{}: symlink loop (directory already visited)", dir.display())));
            return;
        }
        let mut entries: Vec<PathBuf> = match std::fs::read_dir(dir) {
            Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
            Err(e) => {
                problems.push(failed(dir, format!("{}: cannot read: {e}", dir.display())));
                return;
            }
        };
        entries.sort();
        for p in entries {
            match std::fs::metadata(&p) {
                Ok(m) if m.is_dir() => walk(&p, files, problems, visited),
                Ok(_) if wanted(&p) => files.push(p),
                Ok(_) => {}
                Err(e) if e.raw_os_error() == Some(libc::ELOOP) => problems.push(failed(&p, format!("{}: symlink loop", p.display()))),
                Err(e) => {
                    if wanted(&p) || p.is_symlink() {
                        problems.push(failed(&p, format!("{}: cannot read: {e}", p.display())))
                    }
                }
            }
        }
    }
    for p in paths {
        match std::fs::metadata(p) {
            Ok(m) if m.is_dir() => walk(p, &mut files, &mut problems, &mut visited),
            Ok(_) => files.push(p.clone()),
            Err(e) => problems.push(failed(p, format!("{}: cannot read: {e}", p.display()))),
        }
    }
    (files, problems)
}

/// Progress reporting for the CLI.
pub trait Progress: Sync {
    fn start(&self, total: usize);
    fn file_done(&self, report: &FileReport);
    fn finish(&self);
    /// Something worth telling that concerns no file.
    fn note(&self, _message: &str) {}
}

/// No progress output.
pub struct Silent;
impl Progress for Silent {
    fn start(&self, _: usize) {}
    fn file_done(&self, _: &FileReport) {}
    fn finish(&self) {}
}

/// How to ingest.
#[derive(Debug, Clone, Copy, Default)]
pub struct IngestOptions {
    /// The extractor's bounds and OCR mode.
    pub extract: ExtractOptions,
    /// Wait for another ingest on the same index to finish instead of failing.
    pub wait: bool,
}

/// The index's writer; with `wait`, retried until the other ingest is done.
fn acquire_writer(ix: &GongbaoIndex, wait: bool) -> crate::Result<tantivy::IndexWriter> {
    loop {
        match ix.writer() {
            Err(Error::Index { reason, .. }) if wait && reason.starts_with("another ingest") => {
                std::thread::sleep(std::time::Duration::from_millis(200));
            }
            other => return other,
        }
    }
}

/// Ingest `paths` into `ix`.
pub fn ingest(ix: &GongbaoIndex, paths: &[PathBuf], opts: IngestOptions, progress: &dyn Progress) -> crate::Result<IngestReport> {
    let t0 = Instant::now();
    let extract = opts.extract;
    let mut writer = acquire_writer(ix, opts.wait)?;
    let (files, mut reports) = collect_files(paths);
    progress.start(files.len() + reports.len());
    for r in &reports {
        progress.file_done(r);
    }
    let reader = ix.reader()?;
    let searcher = reader.searcher();
    // Hash every file; skip what the index or this batch already holds.
    let mut seen: HashMap<String, String> = HashMap::new();
    let mut todo: Vec<(PathBuf, String, bool)> = Vec::new();
    let known_paths: HashMap<String, String> =
        ix.issues(&searcher)?.into_iter().map(|e| (e.issue.source_path, e.issue.source_sha256)).collect();
    for f in files {
        let bytes = match std::fs::read(&f) {
            Ok(b) => b,
            Err(source) => {
                let r = failed(&f, Error::Io { path: f.clone(), source }.to_string());
                progress.file_done(&r);
                reports.push(r);
                continue;
            }
        };
        let sha = sha256_hex(&bytes);
        let path_s = f.to_string_lossy().into_owned();
        if let Some(first) = seen.get(&sha) {
            let r = FileReport {
                path: path_s,
                sha256: Some(sha.clone()),
                outcome: Outcome::Unchanged,
                documents: 0,
                error: None,
                warnings: vec![format!("same content as {first}")],
                extractors: vec![],
            };
            progress.file_done(&r);
            reports.push(r);
            continue;
        }
        seen.insert(sha.clone(), path_s.clone());
        if let Some(entry) = ix.issue_by_sha(&searcher, &sha) {
            let r = FileReport {
                path: path_s,
                sha256: Some(sha),
                outcome: Outcome::Unchanged,
                documents: entry.documents.len(),
                error: None,
                warnings: vec![],
                extractors: entry.issue.extractors.clone(),
            };
            progress.file_done(&r);
            reports.push(r);
            continue;
        }
        let replaces = known_paths.get(&path_s).is_some_and(|old| *old != sha);
        todo.push((f, sha, replaces));
    }
    let mut added = 0;
    let mut replaced = 0;
    let mut pages = 0;
    // Parse a few files at a time in parallel; commit each issue on its own.
    let chunk = rayon::current_num_threads().max(1) * 2;
    for batch in todo.chunks(chunk) {
        let parsed: Vec<(PathBuf, String, bool, crate::Result<ParsedIssue>)> =
            batch.par_iter().map(|(p, sha, rep)| (p.clone(), sha.clone(), *rep, parse_file(p, &extract))).collect();
        for (p, sha, rep, res) in parsed {
            let report = match res {
                Err(e) => failed(&p, e.to_string()),
                Ok(issue) => {
                    let n = issue.documents.len();
                    pages += issue.issue.pages;
                    let mut warnings = issue.warnings.clone();
                    if n == 0 {
                        warnings.insert(0, format!("{}: no document found", p.display()));
                    }
                    ix.stage_issue(&writer, &issue)?;
                    ix.commit(&mut writer, &serde_json::json!({"file": p.to_string_lossy(), "sha256": sha}).to_string())?;
                    if rep {
                        replaced += n;
                    } else {
                        added += n;
                    }
                    FileReport {
                        path: p.to_string_lossy().into_owned(),
                        sha256: Some(sha),
                        outcome: if rep { Outcome::Replaced } else { Outcome::Ingested },
                        documents: n,
                        error: None,
                        warnings,
                        extractors: issue.issue.extractors.clone(),
                    }
                }
            };
            progress.file_done(&report);
            reports.push(report);
        }
    }
    // Fewer segments make every search cheaper: after a batch that changed
    // the index, merge them into one (atomic, like a commit).
    if added + replaced > 0 {
        let ids = ix.index.searchable_segment_ids().unwrap_or_default();
        if ids.len() > 1 {
            if let Err(e) = writer.merge(&ids).wait() {
                progress.note(&format!("merge skipped: {e}"));
            }
        }
    }
    writer.wait_merging_threads().ok();
    progress.finish();
    let failed_n = reports.iter().filter(|r| r.outcome == Outcome::Failed).count();
    Ok(IngestReport {
        files: reports,
        documents_added: added,
        documents_replaced: replaced,
        failed: failed_n,
        pages,
        seconds: t0.elapsed().as_secs_f64(),
    })
}
