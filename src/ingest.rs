//! **ingest**: paths in, an updated index and a per-file report out.
//!
//! Files are found (directories walked, symlink loops reported), hashed,
//! and those whose SHA-256 the index already holds are skipped. The rest are
//! parsed in parallel, a few at a time so memory stays flat, and each issue
//! is committed on its own: all its entries or none. One bad file never
//! stops the batch; a file in which no document is found is `empty`, and
//! counts like a failure.
//!
//! What a nightly batch meets besides bad files: a file that changes while
//! it is read (hashed before and after; read again once, else reported), a
//! SIGINT or SIGTERM (see [`crate::signals`]: the file in progress is
//! abandoned, what is committed stays, the rest is reported as `abandoned`),
//! a full disk (the run stops at the failed commit, the index stays at its
//! last commit, and the error says how much space the rest needs). After a
//! run that ends normally the export beside the index is renewed
//! ([`crate::export::keep`]), and [`run`] appends every run to the index's
//! log ([`crate::runlog`]).

use crate::error::Error;
use crate::extract::ExtractOptions;
use crate::index::GongbaoIndex;
use crate::pipeline::{parse_file, sha256_file, sha256_hex};
use crate::record::ParsedIssue;
use crate::signals::{self, StopSignal};
use crate::storage;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// What happened to one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Ingested,
    Unchanged,
    Replaced,
    Failed,
    /// Read (perhaps by a fallback extractor or OCR), but no document found:
    /// nothing is committed, and the exit code counts it like a failure.
    Empty,
    /// Not done: a signal or a fatal error (disk full) stopped the run first.
    Abandoned,
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Outcome::Ingested => "ingested",
            Outcome::Unchanged => "unchanged",
            Outcome::Replaced => "replaced",
            Outcome::Failed => "failed",
            Outcome::Empty => "empty",
            Outcome::Abandoned => "abandoned",
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
    /// Files in which no document was found.
    #[serde(default)]
    pub empty: usize,
    /// Files not done because the run was stopped.
    #[serde(default)]
    pub abandoned: usize,
    pub pages: u32,
    pub seconds: f64,
    /// `SIGINT` or `SIGTERM` when a signal stopped the run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interrupted: Option<String>,
    /// What stopped the run after it began (the disk is full), or what went
    /// wrong after all files were done (the export could not be written).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// With a full disk: the bytes the rest of the run needs free.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub space_needed: Option<u64>,
    /// The export beside the index that holds the state this run left.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub export: Option<String>,
    /// What the run made known ([`crate::changes`]), counted by kind.
    #[serde(default)]
    pub changes: std::collections::BTreeMap<String, usize>,
    /// When the run ran, as its changes record it (none if it recorded none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ingested: Option<chrono::DateTime<chrono::FixedOffset>>,
}

impl IngestReport {
    /// The exit code of the run (DESIGN.md): 130/143 when SIGINT/SIGTERM
    /// stopped it, 1 on a fatal error, 2 when files failed or were empty, else 0.
    pub fn exit_code(&self) -> i32 {
        if let Some(s) = self.interrupted.as_deref().and_then(StopSignal::from_name) {
            return s.exit_code();
        }
        if self.error.is_some() {
            return 1;
        }
        if self.failed + self.empty > 0 {
            return 2;
        }
        0
    }
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
#[derive(Debug, Clone, Copy)]
pub struct IngestOptions {
    /// The extractor's bounds and OCR mode.
    pub extract: ExtractOptions,
    /// Wait for another ingest on the same index to finish instead of failing.
    pub wait: bool,
    /// How many exports to keep beside the index (0: none).
    pub keep_export: usize,
    /// Windows that end up to this many days after today are recorded as
    /// `expires` changes.
    pub expires_within: u32,
}

impl Default for IngestOptions {
    fn default() -> Self {
        IngestOptions {
            extract: ExtractOptions::default(),
            wait: false,
            keep_export: 1,
            expires_within: crate::changes::DEFAULT_EXPIRES_WITHIN,
        }
    }
}

/// How long a file that changed while it was read is left to settle before
/// it is read again.
const SETTLE: Duration = Duration::from_secs(1);

/// The index's writer; with `wait`, retried until the other ingest is done
/// (or a signal says stop: `Ok(None)`).
fn acquire_writer(ix: &GongbaoIndex, wait: bool) -> crate::Result<Option<tantivy::IndexWriter>> {
    loop {
        if signals::interrupted().is_some() {
            return Ok(None);
        }
        match ix.writer() {
            Err(Error::Index { reason, .. }) if wait && reason.starts_with("another ingest") => {
                std::thread::sleep(std::time::Duration::from_millis(200));
            }
            other => return other.map(Some),
        }
    }
}

/// A file to parse: its path, its SHA-256 when hashed, whether it replaces
/// what the index holds for its path.
struct Pending {
    path: PathBuf,
    sha: String,
    replaces: bool,
}

/// A parsed file, and whether it had to be read twice.
struct Parsed {
    issue: ParsedIssue,
    reread: bool,
}

/// Parse `path`, whose SHA-256 was `sha`, making sure that what was parsed
/// is what the file holds: hashed before and after. A file that changed is
/// left to settle and read once more; changed again, it is reported.
fn parse_unchanging(path: &Path, sha: &str, extract: &ExtractOptions) -> crate::Result<Parsed> {
    let mut expected = sha.to_string();
    for attempt in 0..2 {
        if let Some(s) = signals::interrupted() {
            return Err(Error::Stopped { path: path.to_owned(), signal: s.name() });
        }
        let res = parse_file(path, extract);
        let after = sha256_file(path)?;
        let read_as = res.as_ref().ok().map(|i| i.issue.source_sha256.as_str());
        if after == expected && read_as.is_none_or(|s| s == expected) {
            return res.map(|issue| Parsed { issue, reread: attempt > 0 });
        }
        if attempt == 0 {
            std::thread::sleep(SETTLE);
            expected = sha256_file(path)?;
        }
    }
    Err(Error::Changing { path: path.to_owned() })
}

/// What the rest of a run needs free, in bytes, when the disk is full.
/// The new entries G (measured: an issue's index entries take about 1.1× its
/// records' JSON, and about 3× its source file's bytes before it is parsed)
/// make the index T = I + G; at the peak, either the final merge writes a
/// copy of it beside it (2T), or the new export is written beside the old
/// (T + E + G). Of that, the index's I (and the old export E) are there
/// already. A fifth more and a MiB of slack: it is what to free.
fn space_needed(ix: &GongbaoIndex, parsed_bytes: u64, unparsed_source_bytes: u64) -> u64 {
    let (_, index) = storage::index_bytes(&ix.dir);
    let export = storage::latest_export(&ix.dir).and_then(|p| std::fs::metadata(p).ok()).map(|m| m.len()).unwrap_or(0);
    let growth = parsed_bytes + parsed_bytes / 10 + 3 * unparsed_source_bytes;
    let total = index + growth;
    // Without an export yet, the new one is about as big as the index.
    let new_export = if export == 0 { total } else { export + growth };
    let peak = (2 * total).max(total + new_export);
    let needed = peak.saturating_sub(index);
    needed + needed / 5 + (1 << 20)
}

/// After a commit: merge what tantivy's log merge policy would (segments of
/// like size, eight at a time), now and in this thread, then free the merged
/// segments' files. A failed merge loses nothing (the commit stands).
fn merge_some(ix: &GongbaoIndex, writer: &mut tantivy::IndexWriter, progress: &dyn Progress) {
    use tantivy::indexer::MergePolicy;
    let Ok(metas) = ix.index.searchable_segment_metas() else { return };
    let candidates = tantivy::indexer::LogMergePolicy::default().compute_merge_candidates(&metas);
    if candidates.is_empty() {
        return;
    }
    for c in candidates {
        if let Err(e) = writer.merge(&c.0).wait() {
            progress.note(&format!("merge skipped: {e}"));
        }
    }
    let _ = writer.garbage_collect_files().wait();
}

/// An issue staged in the writer: its report stands once the batch's
/// commit does.
struct Staged {
    report: FileReport,
    issue: ParsedIssue,
}

/// A file the run did not get to.
fn abandoned(path: &Path, sha: Option<String>, why: &str) -> FileReport {
    FileReport {
        path: path.to_string_lossy().into_owned(),
        sha256: sha,
        outcome: Outcome::Abandoned,
        documents: 0,
        error: Some(format!("{}: not done ({why})", path.display())),
        warnings: vec![],
        extractors: vec![],
    }
}

/// Open (or create) the index in `dir`, ingest `paths` into it, and append
/// the run to the index's log, whatever the outcome. `Err` when the run could
/// not start (the index is damaged, another ingest holds it).
pub fn run(dir: &Path, paths: &[PathBuf], opts: IngestOptions, progress: &dyn Progress) -> crate::Result<IngestReport> {
    let start = chrono::Utc::now();
    let res = GongbaoIndex::open_or_create(dir).and_then(|ix| ingest(&ix, paths, opts, progress));
    let record = match &res {
        Ok(r) => crate::runlog::RunRecord::from_report(start, paths, r),
        Err(e) => crate::runlog::RunRecord::refused(start, paths, e),
    };
    if dir.is_dir() {
        if let Err(e) = crate::runlog::append(dir, &record) {
            progress.note(&format!("the run log {} could not be written: {e}", dir.join(storage::LOG_FILE).display()));
        }
    }
    res
}

/// Ingest `paths` into `ix`.
pub fn ingest(ix: &GongbaoIndex, paths: &[PathBuf], opts: IngestOptions, progress: &dyn Progress) -> crate::Result<IngestReport> {
    let t0 = Instant::now();
    // The run reads the whole index (merges, change detection, the export):
    // the pages of its maps are given back as it goes, so that its memory
    // does not grow with the index.
    let _release = ix.maps.clone().map(|m| crate::resident::Releaser::start(m, crate::resident::PERIOD, crate::resident::SLACK));
    let extract = opts.extract;
    let mut report = IngestReport {
        files: vec![],
        documents_added: 0,
        documents_replaced: 0,
        failed: 0,
        empty: 0,
        abandoned: 0,
        pages: 0,
        seconds: 0.0,
        interrupted: None,
        error: None,
        space_needed: None,
        export: None,
        changes: Default::default(),
        ingested: None,
    };
    // When the run ran, for the changes it records (GONGBAO_TODAY may set it).
    let stamp = crate::clock::now();
    // The documents this run committed (for the changes: see below).
    let mut touched: Vec<String> = Vec::new();
    let finish = |mut report: IngestReport| {
        progress.finish();
        let count = |o: Outcome| report.files.iter().filter(|r| r.outcome == o).count();
        report.failed = count(Outcome::Failed);
        report.empty = count(Outcome::Empty);
        report.abandoned = count(Outcome::Abandoned);
        report.interrupted = signals::interrupted().map(|s| s.name().to_string());
        report.seconds = t0.elapsed().as_secs_f64();
        Ok(report)
    };
    let Some(mut writer) = acquire_writer(ix, opts.wait)? else { return finish(report) };
    // Merges run here, one at a time, between commits (see merge_some):
    // none in the background, where they would race the final merge and
    // take space nobody can foresee.
    writer.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
    let (files, problems) = collect_files(paths);
    progress.start(files.len() + problems.len());
    for r in problems {
        progress.file_done(&r);
        report.files.push(r);
    }
    let reader = ix.reader()?;
    let searcher = reader.searcher();
    // Hash every file; skip what the index or this batch already holds.
    let mut seen: HashMap<String, String> = HashMap::new();
    let mut todo: Vec<Pending> = Vec::new();
    let known_paths: HashMap<String, String> =
        ix.issues(&searcher)?.into_iter().map(|e| (e.issue.source_path, e.issue.source_sha256)).collect();
    let mut files = files.into_iter();
    for f in files.by_ref() {
        if let Some(s) = signals::interrupted() {
            let r = abandoned(&f, None, &format!("stopped by {} before it was read", s.name()));
            progress.file_done(&r);
            report.files.push(r);
            break;
        }
        let bytes = match std::fs::read(&f) {
            Ok(b) => b,
            Err(source) => {
                let r = failed(&f, Error::Io { path: f.clone(), source }.to_string());
                progress.file_done(&r);
                report.files.push(r);
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
            report.files.push(r);
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
            report.files.push(r);
            continue;
        }
        let replaces = known_paths.get(&path_s).is_some_and(|old| *old != sha);
        todo.push(Pending { path: f, sha, replaces });
    }
    // The segments of before the run must not stay mapped (their files'
    // space is only freed when the last map goes, after a merge).
    drop(searcher);
    drop(reader);
    // Files never hashed because a signal came.
    let mut left: Vec<FileReport> = files.map(|f| abandoned(&f, None, "stopped before it was read")).collect();
    // Parse a few files at a time in parallel; commit each batch's issues
    // together, once: a commit finalises a segment and may merge, and per
    // file that was a third of the run's time. A batch is whole issues, so
    // whatever stops the run leaves each issue whole or absent. While one
    // batch is staged and committed, the next is parsed.
    let chunk = rayon::current_num_threads().max(1) * 2;
    let mut stop: Option<String> = signals::interrupted().map(|s| format!("stopped by {}", s.name()));
    let mut fatal: Option<Error> = None;
    // A batch parsed, and whether a stop signal had come by the end of it
    // (its workers may have been killed: the batch is not committed).
    let parse = |batch: &'_ [Pending]| -> (Vec<(usize, crate::Result<Parsed>)>, bool) {
        let parsed = batch.par_iter().enumerate().map(|(i, p)| (i, parse_unchanging(&p.path, &p.sha, &extract))).collect();
        (parsed, signals::interrupted().is_some())
    };
    let mut next = 0;
    let mut batch: &[Pending] = &todo[..chunk.min(todo.len())];
    next += batch.len();
    let mut ready = if stop.is_none() && !batch.is_empty() { Some(parse(batch)) } else { None };
    // Each batch is committed while the next one is parsed.
    while let Some((parsed, interrupted)) = ready.take() {
        if interrupted && stop.is_none() {
            stop = signals::interrupted().map(|s| format!("stopped by {}", s.name()));
        }
        let upcoming = &todo[next..(next + chunk).min(todo.len())];
        let go_on = stop.is_none() && signals::interrupted().is_none() && !upcoming.is_empty();
        let upcoming_parsed = std::thread::scope(|scope| {
            let parsing = go_on.then(|| scope.spawn(|| parse(upcoming)));
            let parsed: Vec<(&Pending, crate::Result<Parsed>)> = parsed.into_iter().map(|(i, r)| (&batch[i], r)).collect();
            // Issues staged in the writer, reported once their commit stands.
            let mut staged: Vec<Staged> = Vec::new();
            let mut failure: Option<(Error, String)> = None;
            let mut parsed = parsed.into_iter();
            while let Some((p, res)) = parsed.next() {
                if let Some(why) = &stop {
                    // A batch whose reading a stop signal cut short: not committed.
                    left.push(abandoned(&p.path, Some(p.sha.clone()), why));
                    for (p, _) in parsed.by_ref() {
                        left.push(abandoned(&p.path, Some(p.sha.clone()), why));
                    }
                    break;
                }
                let file_report = match res {
                    Err(e) => failed(&p.path, e.to_string()),
                    Ok(Parsed { issue, reread }) => {
                        let n = issue.documents.len();
                        let sha = issue.issue.source_sha256.clone();
                        // Read again after a change: the bytes that were parsed decide.
                        let rep = if sha == p.sha {
                            p.replaces
                        } else {
                            known_paths.get(&issue.issue.source_path).is_some_and(|old| *old != sha)
                        };
                        let mut warnings = issue.warnings.clone();
                        if reread {
                            warnings.insert(0, format!("{}: changed while it was read; read again once it was still", p.path.display()));
                        }
                        if n == 0 {
                            report.pages += issue.issue.pages;
                            let extractors = issue.issue.extractors.clone();
                            FileReport {
                                path: p.path.to_string_lossy().into_owned(),
                                sha256: Some(sha),
                                outcome: Outcome::Empty,
                                documents: 0,
                                error: Some(format!("{}: no document found (text read by {})", p.path.display(), extractors.join(", "))),
                                warnings,
                                extractors,
                            }
                        } else {
                            if let Err(e) = ix.stage_issue(&writer, &issue) {
                                failure = Some((e, p.path.display().to_string()));
                                staged.push(Staged { report: abandoned(&p.path, Some(p.sha.clone()), "the commit failed"), issue });
                                for (p, _) in parsed.by_ref() {
                                    left.push(abandoned(&p.path, Some(p.sha.clone()), "the run stopped at a failed commit"));
                                }
                                break;
                            }
                            let r = FileReport {
                                path: p.path.to_string_lossy().into_owned(),
                                sha256: Some(sha),
                                outcome: if rep { Outcome::Replaced } else { Outcome::Ingested },
                                documents: n,
                                error: None,
                                warnings,
                                extractors: issue.issue.extractors.clone(),
                            };
                            staged.push(Staged { report: r, issue });
                            continue;
                        }
                    }
                };
                progress.file_done(&file_report);
                report.files.push(file_report);
            }
            // A batch read whole is committed even if a stop signal came
            // since: staging and committing it takes milliseconds. (A stop
            // known before the batch was read left nothing staged.)
            if failure.is_none() && !staged.is_empty() {
                let files: Vec<serde_json::Value> =
                    staged.iter().map(|s| serde_json::json!({"file": s.report.path, "sha256": s.report.sha256})).collect();
                if let Err(e) = ix.commit(&mut writer, &serde_json::json!({ "files": files }).to_string()) {
                    failure = Some((e, staged.iter().map(|s| s.report.path.as_str()).collect::<Vec<_>>().join(", ")));
                }
            }
            match failure {
                None if staged.is_empty() => {}
                None => {
                    for Staged { report: r, issue } in staged {
                        touched.extend(issue.documents.iter().map(|d| d.id.clone()));
                        report.pages += issue.issue.pages;
                        if r.outcome == Outcome::Replaced {
                            report.documents_replaced += r.documents;
                        } else {
                            report.documents_added += r.documents;
                        }
                        progress.file_done(&r);
                        report.files.push(r);
                    }
                    merge_some(ix, &mut writer, progress);
                }
                Some((e, what)) => {
                    // Nothing more can be committed (the writer is gone with the
                    // failed commit): stop here.
                    if let Error::DiskFull { .. } = e {
                        // What the batch would have added (its records as
                        // JSON), measured only now that it is needed.
                        let staged_bytes: u64 =
                            staged.iter().map(|s| serde_json::to_vec(&s.issue).map(|v| v.len() as u64).unwrap_or(0)).sum();
                        let unparsed: u64 = todo[next..].iter().filter_map(|q| std::fs::metadata(&q.path).ok()).map(|m| m.len()).sum();
                        report.space_needed = Some(space_needed(ix, staged_bytes, unparsed));
                    }
                    stop = Some(format!("{what}: {e}"));
                    fatal = Some(e);
                    for Staged { report: r, .. } in staged {
                        let r = if r.outcome == Outcome::Abandoned {
                            r
                        } else {
                            abandoned(Path::new(&r.path), r.sha256.clone(), "the commit failed")
                        };
                        progress.file_done(&r);
                        report.files.push(r);
                    }
                }
            }
            parsing.map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
        });
        if let Some(p) = upcoming_parsed {
            next += upcoming.len();
            if stop.is_none() {
                batch = upcoming;
                ready = Some(p);
            } else {
                let why = if fatal.is_some() { "the run stopped at a failed commit".to_string() } else { stop.clone().unwrap_or_default() };
                for q in upcoming {
                    left.push(abandoned(&q.path, Some(q.sha.clone()), &why));
                }
            }
        }
    }
    let why = stop.clone().unwrap_or_default();
    for p in &todo[next..] {
        left.push(abandoned(&p.path, Some(p.sha.clone()), if fatal.is_some() { "the run stopped at a failed commit" } else { &why }));
    }
    for r in left {
        progress.file_done(&r);
        report.files.push(r);
    }
    if stop.is_some() {
        // What is committed stays; the writer's drop releases the lock.
        drop(writer);
        if let Some(e) = fatal {
            // The failed commit's files are not in the index: remove them
            // (a fresh writer collects what no commit refers to), so that
            // the space is free again and the run can at least be logged.
            if let Ok(w) = ix.writer() {
                let _ = w.garbage_collect_files().wait();
            }
            let e = match e {
                Error::DiskFull { what, .. } => storage::disk_full(&ix.dir, report.space_needed, &what),
                e => e,
            };
            report.error = Some(e.to_string());
        }
        return finish(report);
    }
    // What this run made known, committed as one entry (a run stopped
    // before this point leaves it to the next run, which finds the same).
    let opts_changes = crate::changes::ChangeOptions { today: stamp.date_naive(), expires_within: opts.expires_within };
    match crate::changes::record(ix, &mut writer, &touched, opts_changes, stamp) {
        Ok(Some(recorded)) => {
            report.changes = recorded.counts;
            report.ingested = Some(recorded.ingested);
        }
        Ok(None) => {}
        Err(e) => {
            if let Error::DiskFull { needed, .. } = &e {
                report.space_needed = *needed;
            }
            report.error = Some(format!("the documents are committed, but what they made known could not be recorded: {e}"));
            // The failed commit's files go (what no commit refers to).
            drop(writer);
            if let Ok(w) = ix.writer() {
                let _ = w.garbage_collect_files().wait();
            }
            return finish(report);
        }
    }
    // Fewer segments make every search cheaper: merge them into one (atomic,
    // like a commit; also what an earlier run had to skip).
    let ids = ix.index.searchable_segment_ids().unwrap_or_default();
    if ids.len() > 1 {
        if let Err(e) = writer.merge(&ids).wait() {
            progress.note(&format!("merge skipped: {e}"));
        }
    }
    // What the merges left behind (their inputs, a merge cut short) goes now.
    let _ = writer.garbage_collect_files().wait();
    // The files just written are read whole once, now, while they are in
    // the page cache, so that the next command need not (see check).
    if let Err(e) = crate::check::verify_new_files(ix) {
        report.error = Some(e.to_string());
    }
    // The export of the state this run leaves, beside the index, while the
    // lock still keeps other ingests out.
    if report.error.is_none()
        && signals::interrupted().is_none()
        && (report.documents_added + report.documents_replaced > 0 || !crate::export::is_current(&ix.dir))
    {
        match crate::export::keep(ix, opts.keep_export) {
            Ok(p) => report.export = p.map(|p| p.to_string_lossy().into_owned()),
            Err(e) => {
                if let Error::DiskFull { needed, .. } = &e {
                    report.space_needed = *needed;
                }
                report.error = Some(format!("the index is committed, but its export could not be written: {e}"));
            }
        }
    } else if opts.keep_export > 0 {
        report.export = storage::latest_export(&ix.dir).map(|p| p.to_string_lossy().into_owned());
    }
    // What every search reads of the force-changing links, for the state
    // this run leaves (a cache: a search that finds it stale or missing
    // reads the records instead, so a failure here costs time, not answers).
    if signals::interrupted().is_none() {
        if let Err(e) = crate::status::write_force_links(ix) {
            progress.note(&format!("the force links could not be written beside the index (searches read them from the records): {e}"));
        }
    }
    writer.wait_merging_threads().ok();
    finish(report)
}
