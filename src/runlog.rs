//! **runlog**: an ingest's outcome in, one JSON line appended to the index's
//! `ingest.log.jsonl` out (and the last runs back, for `gongbao info`).
//!
//! Every ingest appends its line, whatever its end: done, some files failed,
//! stopped by a signal, disk full, refused (another ingest held the lock, the
//! index is damaged). A line is written with one `write(2)` on a file opened
//! for appending, so concurrent runs never interleave inside a line; a log
//! that cannot be written (a full disk) costs a note, never the run.

use crate::ingest::{IngestReport, Outcome};
use crate::storage::LOG_FILE;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

/// At most this many problem files are named in a line (the count is exact).
const MAX_PROBLEMS: usize = 50;

/// One ingest, as the log records it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunRecord {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// The paths the run was given.
    pub paths: Vec<String>,
    /// Files by outcome: `{"ingested": 3, "failed": 1, …}`.
    pub files: BTreeMap<String, usize>,
    pub documents_added: usize,
    pub documents_replaced: usize,
    /// Warnings over all files.
    pub warnings: usize,
    /// Failed, empty and abandoned files with the reason (the first 50).
    #[serde(default)]
    pub problems: Vec<Problem>,
    /// `SIGINT` or `SIGTERM` when a signal stopped the run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interrupted: Option<String>,
    /// Why the run stopped or never started (disk full, damaged index, lock).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The export this run left beside the index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub export: Option<String>,
    /// What the run made known, by kind (see `changes`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub changes: BTreeMap<String, usize>,
    /// The time its changes carry (`changes --last` selects by it); none
    /// when it made nothing known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ingested: Option<chrono::DateTime<chrono::FixedOffset>>,
    pub exit_code: i32,
}

/// A file that did not make it into the index.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Problem {
    pub path: String,
    pub outcome: Outcome,
    pub error: Option<String>,
}

impl RunRecord {
    /// The record of a run that produced a report.
    pub fn from_report(start: DateTime<Utc>, paths: &[std::path::PathBuf], r: &IngestReport) -> RunRecord {
        let mut files: BTreeMap<String, usize> = BTreeMap::new();
        for f in &r.files {
            *files.entry(f.outcome.to_string()).or_default() += 1;
        }
        let problems = r
            .files
            .iter()
            .filter(|f| matches!(f.outcome, Outcome::Failed | Outcome::Empty | Outcome::Abandoned))
            .take(MAX_PROBLEMS)
            .map(|f| Problem { path: f.path.clone(), outcome: f.outcome, error: f.error.clone() })
            .collect();
        RunRecord {
            start,
            end: Utc::now(),
            paths: paths.iter().map(|p| p.to_string_lossy().into_owned()).collect(),
            files,
            documents_added: r.documents_added,
            documents_replaced: r.documents_replaced,
            warnings: r.files.iter().map(|f| f.warnings.len()).sum(),
            problems,
            interrupted: r.interrupted.clone(),
            error: r.error.clone(),
            export: r.export.clone(),
            changes: r.changes.clone(),
            ingested: r.ingested,
            exit_code: r.exit_code(),
        }
    }

    /// The record of a run that ended before it had a report (exit code 1).
    pub fn refused(start: DateTime<Utc>, paths: &[std::path::PathBuf], error: &crate::Error) -> RunRecord {
        RunRecord {
            start,
            end: Utc::now(),
            paths: paths.iter().map(|p| p.to_string_lossy().into_owned()).collect(),
            files: BTreeMap::new(),
            documents_added: 0,
            documents_replaced: 0,
            warnings: 0,
            problems: vec![],
            interrupted: None,
            error: Some(error.to_string()),
            export: None,
            changes: BTreeMap::new(),
            ingested: None,
            exit_code: 1,
        }
    }
}

/// Append `record` to the log of the index in `dir`.
pub fn append(dir: &Path, record: &RunRecord) -> std::io::Result<()> {
    let mut line = serde_json::to_vec(record).map_err(std::io::Error::other)?;
    line.push(b'\n');
    let mut f = std::fs::OpenOptions::new().create(true).append(true).open(dir.join(LOG_FILE))?;
    // One write: O_APPEND puts it at the end in one piece.
    f.write_all(&line)
}

/// The last `n` runs recorded for the index in `dir`, oldest first. Lines
/// that cannot be read (a run cut off mid-line by a full disk) are skipped.
pub fn last(dir: &Path, n: usize) -> std::io::Result<Vec<RunRecord>> {
    let text = match std::fs::read_to_string(dir.join(LOG_FILE)) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(vec![]),
        Err(e) => return Err(e),
    };
    let all: Vec<RunRecord> = text.lines().filter_map(|l| serde_json::from_str(l).ok()).collect();
    let skip = all.len().saturating_sub(n);
    Ok(all.into_iter().skip(skip).collect())
}
