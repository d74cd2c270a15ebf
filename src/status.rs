//! **status**: is a document in force on a date, and why?
//!
//! Resolved at query time from the document's own window and the links
//! that point at it, so a later issue that repeals or extends a document
//! changes its status without rewriting its record (DESIGN.md "Status").
//! A document not in the corpus can still be known to be repealed.

use crate::analyse::{Basis, Link, LinkKind};
use crate::error::Result;
use crate::index::{GongbaoIndex, FORCE};
use crate::record::DocumentRecord;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use tantivy::query::TermQuery;
use tantivy::schema::IndexRecordOption;
use tantivy::{Searcher, Term};

/// A document's status on a date (北大法宝: 尚未生效, 现行有效, 已失效, 已废止).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    NotYetEffective,
    InForce,
    Expired,
    Repealed,
    Unknown,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::NotYetEffective => "not_yet_effective",
            Status::InForce => "in_force",
            Status::Expired => "expired",
            Status::Repealed => "repealed",
            Status::Unknown => "unknown",
        }
    }

    /// The label a Chinese legal database shows.
    pub fn label_zh(self) -> &'static str {
        match self {
            Status::NotYetEffective => "尚未生效",
            Status::InForce => "现行有效",
            Status::Expired => "已失效",
            Status::Repealed => "已废止",
            Status::Unknown => "未知",
        }
    }
}

/// A document whose words decide the status.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    /// The deciding document's id (its 文号).
    pub doc_number: String,
    pub title: String,
    pub kind: LinkKind,
    /// From when it takes effect.
    pub date: Option<NaiveDate>,
    /// For `extends`: the new end.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until: Option<NaiveDate>,
    pub evidence: String,
}

/// The answer to "is ID in force on D?" (DESIGN.md `status --json`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StatusReport {
    pub id: String,
    pub title: Option<String>,
    pub as_of: NaiveDate,
    pub status: Status,
    pub effective_from: Option<NaiveDate>,
    pub effective_until: Option<NaiveDate>,
    pub basis: Option<Basis>,
    pub known_in_corpus: bool,
    pub decided_by: Vec<Decision>,
    /// The sentences of the document's own text that fix its window.
    pub evidence: Vec<String>,
    /// Nothing is known of the 文号 asked for; this answer is for the one
    /// the index holds one or two characters of its 机关代字 away.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approximate: Option<crate::lookup::ApproximateMatch>,
}

/// When a link's source takes effect: its own start, else its signed date.
fn source_date(d: &DocumentRecord) -> Option<NaiveDate> {
    d.validity.effective_from.or(d.signed_date)
}

fn decision(src: &DocumentRecord, l: &Link) -> Decision {
    Decision {
        doc_number: src.id.clone(),
        title: src.title.clone(),
        kind: l.kind,
        date: source_date(src),
        until: l.until,
        evidence: l.evidence.clone(),
    }
}

/// The status of a document given its record (if in the corpus) and the
/// links pointing at it with their source documents.
pub fn resolve(id: &str, record: Option<&DocumentRecord>, incoming: &[(DocumentRecord, Link)], on: NaiveDate) -> StatusReport {
    let from = record.and_then(|r| r.validity.effective_from);
    let mut until = record.and_then(|r| r.validity.effective_until);
    let mut basis = record.map(|r| r.validity.basis);
    let mut decided_by = Vec::new();
    // Extensions in force on the date, in the order they took effect.
    let mut ext: Vec<&(DocumentRecord, Link)> =
        incoming.iter().filter(|(s, l)| l.kind == LinkKind::Extends && source_date(s).is_some_and(|d| d <= on)).collect();
    ext.sort_by_key(|(s, _)| source_date(s));
    for (s, l) in ext {
        if let Some(u) = l.until {
            until = Some(u);
            basis = Some(Basis::Extended);
            decided_by.push(decision(s, l));
        }
    }
    // The earliest repeal in force on the date.
    let mut ends: Vec<&(DocumentRecord, Link)> =
        incoming.iter().filter(|(s, l)| l.kind.ends_force() && source_date(s).is_some_and(|d| d <= on)).collect();
    ends.sort_by_key(|(s, _)| source_date(s));
    let repeal = ends.first().copied();
    let status = match (record, repeal) {
        (_, Some((s, _))) if until.is_none_or(|u| source_date(s).is_none_or(|d| d <= u)) => Status::Repealed,
        (None, _) => Status::Unknown,
        (Some(_), _) => window_status(on, from, until),
    };
    if status == Status::Repealed {
        if let Some((s, l)) = repeal {
            decided_by.insert(0, decision(s, l));
        }
    }
    StatusReport {
        id: id.to_string(),
        title: record.map(|r| r.title.clone()).or_else(|| incoming.iter().find_map(|(_, l)| l.target_title.clone())),
        as_of: on,
        status,
        effective_from: from,
        effective_until: until,
        basis,
        known_in_corpus: record.is_some(),
        decided_by,
        evidence: record.map(|r| r.validity.evidence.clone()).unwrap_or_default(),
        approximate: None,
    }
}

/// The links in the index that point at `id`, with their source documents.
pub fn incoming(ix: &GongbaoIndex, searcher: &Searcher, id: &str) -> Result<Vec<(DocumentRecord, Link)>> {
    let q = TermQuery::new(Term::from_field_text(ix.fields.link_target, id), IndexRecordOption::Basic);
    let mut out = Vec::new();
    for d in ix.documents_matching(searcher, &q)? {
        for l in d.links.iter().filter(|l| l.target.as_deref() == Some(id)) {
            out.push((d.clone(), l.clone()));
        }
    }
    Ok(out)
}

/// The status of `id` on `on`, from the index.
pub fn status(ix: &GongbaoIndex, searcher: &Searcher, id: &str, on: NaiveDate) -> Result<StatusReport> {
    let record = ix.document(searcher, id);
    let inc = incoming(ix, searcher, id)?;
    if record.is_none() && inc.is_empty() {
        // Unknown: perhaps OCR misread its 机关代字 where it was printed.
        if let Some(m) = crate::docnum::DocNumber::parse(id).map(|dn| crate::lookup::nearest(ix, searcher, &dn)).transpose()?.flatten() {
            let record = ix.document(searcher, &m.matched);
            let inc = incoming(ix, searcher, &m.matched)?;
            let mut r = resolve(&m.matched, record.as_ref(), &inc, on);
            r.approximate = Some(m);
            return Ok(r);
        }
    }
    Ok(resolve(id, record.as_ref(), &inc, on))
}

/// What every force-changing link in the index says as of a date: which
/// documents are repealed, and which windows are extended to when. Built
/// once per search to filter and label hits.
#[derive(Debug, Clone, Default)]
pub struct ForceMap {
    pub as_of: Option<NaiveDate>,
    /// Target → the date its repeal takes effect (earliest, on or before as_of).
    pub repealed: HashMap<String, NaiveDate>,
    /// Target → extended end (the latest extension on or before as_of).
    pub extended: HashMap<String, NaiveDate>,
    /// Per segment: the doc_id term ordinals of the targets (computed once).
    pub segment_ords: std::sync::Arc<std::sync::Mutex<HashMap<String, std::sync::Arc<HashMap<u64, String>>>>>,
}

impl ForceMap {
    /// The force map of the index state `searcher` sees, as of `on`, built
    /// once per state and date (the state: the index directory and its
    /// segments with their deletions).
    pub fn cached(ix: &GongbaoIndex, searcher: &Searcher, on: NaiveDate) -> Result<ForceMap> {
        use std::sync::{LazyLock, Mutex};
        type Key = (std::path::PathBuf, Vec<(String, u32)>, NaiveDate);
        static CACHE: LazyLock<Mutex<HashMap<Key, ForceMap>>> = LazyLock::new(Default::default);
        let state: Vec<(String, u32)> =
            searcher.segment_readers().iter().map(|s| (s.segment_id().uuid_string(), s.num_deleted_docs())).collect();
        let key = (ix.dir.clone(), state, on);
        if let Some(m) = CACHE.lock().ok().and_then(|c| c.get(&key).cloned()) {
            return Ok(m);
        }
        let m = ForceMap::build(ix, searcher, on)?;
        if let Ok(mut c) = CACHE.lock() {
            if c.len() > 64 {
                c.clear();
            }
            c.insert(key, m.clone());
        }
        Ok(m)
    }

    pub fn build(ix: &GongbaoIndex, searcher: &Searcher, on: NaiveDate) -> Result<ForceMap> {
        let q = TermQuery::new(Term::from_field_text(ix.fields.force_links, FORCE), IndexRecordOption::Basic);
        let mut m = ForceMap { as_of: Some(on), ..Default::default() };
        let mut ext: Vec<(NaiveDate, String, NaiveDate)> = Vec::new();
        for d in ix.documents_matching(searcher, &q)? {
            let Some(date) = source_date(&d).filter(|x| *x <= on) else { continue };
            for l in &d.links {
                let Some(t) = &l.target else { continue };
                if l.kind.ends_force() {
                    let e = m.repealed.entry(t.clone()).or_insert(date);
                    *e = (*e).min(date);
                } else if let (LinkKind::Extends, Some(u)) = (l.kind, l.until) {
                    ext.push((date, t.clone(), u));
                }
            }
        }
        ext.sort();
        for (_, t, u) in ext {
            m.extended.insert(t, u);
        }
        Ok(m)
    }

    /// The status of a document of the corpus with window `from`–`until`.
    pub fn status_of(&self, id: &str, from: Option<NaiveDate>, until: Option<NaiveDate>) -> Status {
        let Some(on) = self.as_of else { return Status::Unknown };
        let until = self.extended.get(id).copied().or(until);
        if let Some(r) = self.repealed.get(id) {
            if until.is_none_or(|u| *r <= u) {
                return Status::Repealed;
            }
        }
        window_status(on, from, until)
    }
}

/// Where `on` falls in a window that nothing repeals.
fn window_status(on: NaiveDate, from: Option<NaiveDate>, until: Option<NaiveDate>) -> Status {
    if from.is_some_and(|f| on < f) {
        Status::NotYetEffective
    } else if until.is_some_and(|u| on > u) {
        Status::Expired
    } else {
        Status::InForce
    }
}
