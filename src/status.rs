//! **status**: is a document in force on a date, and why?
//!
//! Resolved at query time from the document's own window and the links
//! that point at it, so a later issue that repeals or extends a document
//! changes its status without rewriting its record (DESIGN.md "Status").
//! A document not in the corpus can still be known to be repealed.
//!
//! Links point at a target by its 文号, or by its title alone (`《X》`): a
//! title names the latest document of the corpus with that title signed
//! on or before the linking document. A document in force that a later one
//! amends is `amended`; one whose provisions a later one repeals is
//! `partially_repealed` (with the provisions named).

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
    /// In force, and a document in force on the date changed its text.
    Amended,
    /// In force, and a document in force on the date repealed some of its provisions.
    PartiallyRepealed,
    Expired,
    Repealed,
    Unknown,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::NotYetEffective => "not_yet_effective",
            Status::InForce => "in_force",
            Status::Amended => "amended",
            Status::PartiallyRepealed => "partially_repealed",
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
            Status::Amended => "已被修改",
            Status::PartiallyRepealed => "部分失效",
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
    /// For `amends` and `repeals_part`: the provisions it names.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub provisions: Vec<String>,
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
pub fn source_date(d: &DocumentRecord) -> Option<NaiveDate> {
    d.validity.effective_from.or(d.signed_date)
}

fn decision(src: &DocumentRecord, l: &Link) -> Decision {
    Decision {
        doc_number: src.id.clone(),
        title: src.title.clone(),
        kind: l.kind,
        date: source_date(src),
        until: l.until,
        provisions: l.provisions.clone(),
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
    // Extensions in force on the date, in the order they took effect; a
    // renewal without an end (继续有效) opens the window.
    let mut ext: Vec<&(DocumentRecord, Link)> =
        incoming.iter().filter(|(s, l)| l.kind == LinkKind::Extends && source_date(s).is_some_and(|d| d <= on)).collect();
    ext.sort_by_key(|(s, _)| source_date(s));
    for (s, l) in ext {
        until = l.until;
        basis = Some(Basis::Extended);
        decided_by.push(decision(s, l));
    }
    // The earliest repeal in force on the date.
    let in_force_on = |k: fn(LinkKind) -> bool| -> Vec<&(DocumentRecord, Link)> {
        let mut v: Vec<&(DocumentRecord, Link)> =
            incoming.iter().filter(|(s, l)| k(l.kind) && source_date(s).is_some_and(|d| d <= on)).collect();
        v.sort_by_key(|(s, _)| source_date(s));
        v
    };
    let ends = in_force_on(LinkKind::ends_force);
    let repeal = ends.first().copied();
    let mut status = match (record, repeal) {
        (_, Some((s, _))) if until.is_none_or(|u| source_date(s).is_none_or(|d| d <= u)) => Status::Repealed,
        (None, _) => Status::Unknown,
        (Some(_), _) => window_status(on, from, until),
    };
    if status == Status::Repealed {
        if let Some((s, l)) = repeal {
            decided_by.insert(0, decision(s, l));
        }
    }
    // Changes to a document in force: partial repeals, then amendments.
    let parts = in_force_on(|k| k == LinkKind::RepealsPart);
    let amendments = in_force_on(|k| k == LinkKind::Amends);
    if matches!(status, Status::InForce | Status::Unknown) && (!parts.is_empty() || !amendments.is_empty()) {
        if status == Status::InForce {
            status = if parts.is_empty() { Status::Amended } else { Status::PartiallyRepealed };
        }
        decided_by.extend(parts.iter().chain(amendments.iter()).map(|(s, l)| decision(s, l)));
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

/// The links in the index that point at `id` (by its 文号 or id, or by
/// one of its titles when `record` is known), with their source documents.
pub fn incoming(ix: &GongbaoIndex, searcher: &Searcher, id: &str) -> Result<Vec<(DocumentRecord, Link)>> {
    let record = ix.document(searcher, id);
    incoming_to(ix, searcher, id, record.as_ref())
}

fn incoming_to(ix: &GongbaoIndex, searcher: &Searcher, id: &str, record: Option<&DocumentRecord>) -> Result<Vec<(DocumentRecord, Link)>> {
    let q = TermQuery::new(Term::from_field_text(ix.fields.link_target, id), IndexRecordOption::Basic);
    let mut out = Vec::new();
    for d in ix.documents_matching(searcher, &q)? {
        for l in d.links.iter().filter(|l| l.target.as_deref() == Some(id)) {
            out.push((d.clone(), l.clone()));
        }
    }
    let Some(record) = record else { return Ok(out) };
    let mut titles = TitleResolver::default();
    for key in record.title_keys() {
        let q =
            TermQuery::new(Term::from_field_text(ix.fields.link_target, &crate::index::title_target_term(&key)), IndexRecordOption::Basic);
        for d in ix.documents_matching(searcher, &q)? {
            if d.id == record.id {
                continue;
            }
            // By title: a link that names no 文号, or one that names a 文号
            // this document does not print (its record has none).
            for l in d.links.iter().filter(|l| l.target.is_none() || record.doc_number.is_none()) {
                let Some(t) = l.target_title.as_deref().filter(|t| crate::text::title_key(t) == key) else { continue };
                if titles.resolve(ix, searcher, t, source_date(&d), &d.id)?.as_deref() == Some(record.id.as_str())
                    && !out.iter().any(|(s, x)| s.id == d.id && x == l)
                {
                    out.push((d.clone(), l.clone()));
                }
            }
        }
    }
    Ok(out)
}

/// Which document of the corpus a title names, as of the date of the
/// document that names it: the latest with that title signed on or before
/// it (else the earliest after it). Cached per title.
#[derive(Default)]
pub struct TitleResolver {
    /// Title key → (signed date, id, prints a 文号) of the documents with that title.
    by_key: HashMap<String, Vec<(Option<NaiveDate>, String, bool)>>,
}

impl TitleResolver {
    fn resolve(
        &mut self,
        ix: &GongbaoIndex,
        searcher: &Searcher,
        title: &str,
        as_of: Option<NaiveDate>,
        source: &str,
    ) -> Result<Option<String>> {
        let key = crate::text::title_key(title);
        if !self.by_key.contains_key(&key) {
            let q = TermQuery::new(Term::from_field_text(ix.fields.title_key, &key), IndexRecordOption::Basic);
            let mut v: Vec<(Option<NaiveDate>, String, bool)> =
                ix.documents_matching(searcher, &q)?.iter().map(|d| (d.signed_date, d.id.clone(), d.doc_number.is_some())).collect();
            v.sort();
            self.by_key.insert(key.clone(), v);
        }
        // Never the linking document itself: a new 意见 that repeals the old
        // one of the same title names the old one.
        let docs: Vec<&(Option<NaiveDate>, String, bool)> = self.by_key[&key].iter().filter(|(_, id, _)| id != source).collect();
        let before = docs.iter().rev().find(|(d, _, _)| as_of.is_none_or(|a| d.is_none_or(|d| d <= a)));
        Ok(before.or(docs.first()).map(|(_, id, _)| id.clone()))
    }

    /// What a link of `src` (taking effect on `date`) points at, as status
    /// counts it: the 文号 it names; the document of the corpus its title
    /// names when that document prints no 文号 (for a link by title alone,
    /// any document of that title); by title alone and not in the corpus,
    /// the `《title key》` term it is known by.
    pub fn link_targets(
        &mut self,
        ix: &GongbaoIndex,
        searcher: &Searcher,
        src: &DocumentRecord,
        l: &Link,
        date: Option<NaiveDate>,
    ) -> Result<Vec<String>> {
        let mut targets: Vec<String> = l.target.iter().cloned().collect();
        if let Some(title) = &l.target_title {
            match self.resolve_unnumbered(ix, searcher, title, date, &src.id, l.target.is_none())? {
                Some(id) if id != src.id => targets.push(id),
                // Not in the corpus: known by its title.
                _ if l.target.is_none() => targets.push(crate::index::title_target_term(title)),
                _ => {}
            }
        }
        Ok(targets)
    }

    /// [`Self::resolve`], but for a link that also names a 文号 (`any` false)
    /// only a document that prints none: one that prints another 文号 is
    /// another document of the same title.
    fn resolve_unnumbered(
        &mut self,
        ix: &GongbaoIndex,
        searcher: &Searcher,
        title: &str,
        as_of: Option<NaiveDate>,
        source: &str,
        any: bool,
    ) -> Result<Option<String>> {
        let Some(id) = self.resolve(ix, searcher, title, as_of, source)? else { return Ok(None) };
        let numbered = self.by_key[&crate::text::title_key(title)].iter().any(|(_, i, n)| *i == id && *n);
        Ok((any || !numbered).then_some(id))
    }
}

/// The status of `id` on `on`, from the index.
pub fn status(ix: &GongbaoIndex, searcher: &Searcher, id: &str, on: NaiveDate) -> Result<StatusReport> {
    // `《X》`: the document of that title (the latest), or what links to the title.
    if let Some(title) = id.strip_prefix('《').and_then(|r| r.strip_suffix('》')) {
        let mut titles = TitleResolver::default();
        if let Some(found) = titles.resolve(ix, searcher, title, None, "")? {
            return status(ix, searcher, &found, on);
        }
        let term = crate::index::title_target_term(title);
        let inc = incoming_to(ix, searcher, &term, None)?;
        let key = crate::text::title_key(title);
        let inc: Vec<(DocumentRecord, Link)> = ix
            .documents_matching(searcher, &TermQuery::new(Term::from_field_text(ix.fields.link_target, &term), IndexRecordOption::Basic))?
            .into_iter()
            .flat_map(|d| {
                d.links
                    .iter()
                    .filter(|l| l.target.is_none() && l.target_title.as_deref().is_some_and(|t| crate::text::title_key(t) == key))
                    .map(|l| (d.clone(), l.clone()))
                    .collect::<Vec<_>>()
            })
            .chain(inc)
            .collect();
        return Ok(resolve(id, None, &inc, on));
    }
    let record = ix.document(searcher, id);
    let inc = incoming_to(ix, searcher, id, record.as_ref())?;
    if record.is_none() && inc.is_empty() {
        // Unknown: perhaps OCR misread its 机关代字 where it was printed.
        if let Some(m) = crate::docnum::DocNumber::parse(id).map(|dn| crate::lookup::nearest(ix, searcher, &dn)).transpose()?.flatten() {
            let record = ix.document(searcher, &m.matched);
            let inc = incoming_to(ix, searcher, &m.matched, record.as_ref())?;
            let mut r = resolve(&m.matched, record.as_ref(), &inc, on);
            r.approximate = Some(m);
            return Ok(r);
        }
    }
    Ok(resolve(id, record.as_ref(), &inc, on))
}

/// One force-changing link of the index, as the force map reads it: when
/// its source takes effect, what it does (and for an extension, to when),
/// and the targets it names as status counts them
/// ([`TitleResolver::link_targets`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForceLink {
    pub date: NaiveDate,
    pub kind: LinkKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<NaiveDate>,
    pub targets: Vec<String>,
}

/// An index state: its segments (ids) with their deleted counts. Segments
/// are written once; their deletions only grow.
pub type IndexState = Vec<(String, u32)>;

/// The state `searcher` sees.
pub fn index_state(searcher: &Searcher) -> IndexState {
    searcher.segment_readers().iter().map(|s| (s.segment_id().uuid_string(), s.num_deleted_docs())).collect()
}

/// What [`crate::storage::FORCE_FILE`] holds: the force links of one index
/// state. Bump `FORCE_FILE_VERSION` when what a link means changes.
#[derive(Debug, Serialize, Deserialize)]
struct ForceFile {
    version: u32,
    state: IndexState,
    links: Vec<ForceLink>,
}

const FORCE_FILE_VERSION: u32 = 1;

/// Every force-changing link of the index state `searcher` sees, read from
/// the stored records: every document with such links, and those their
/// titles name. (Every search needs these; reading the records takes tens
/// of milliseconds, hence [`force_links`].)
pub fn force_links_from_records(ix: &GongbaoIndex, searcher: &Searcher) -> Result<Vec<ForceLink>> {
    let q = TermQuery::new(Term::from_field_text(ix.fields.force_links, FORCE), IndexRecordOption::Basic);
    let mut out = Vec::new();
    let mut titles = TitleResolver::default();
    ix.for_each_document_matching(searcher, &q, |d| {
        let Some(date) = source_date(&d) else { return Ok(()) };
        for l in d.links.iter().filter(|l| l.kind.changes_target()) {
            let targets = titles.link_targets(ix, searcher, &d, l, Some(date))?;
            out.push(ForceLink { date, kind: l.kind, until: l.until, targets });
        }
        Ok(())
    })?;
    Ok(out)
}

/// The force links of the state `searcher` sees: from the index's
/// [`crate::storage::FORCE_FILE`] when it was written for that state (a
/// few kilobytes to read), else from the stored records, then written there
/// for the next command (when the directory can be written; a failure
/// changes nothing but the next command's time).
///
/// The file is a cache beside tantivy's files, never the truth: ingest
/// writes it after its last commit, and one written for another state (a
/// crash between a commit and the file, an ingest running, a merge), cut
/// short or unreadable is ignored. Writes are atomic (a temporary file,
/// renamed).
pub fn force_links(ix: &GongbaoIndex, searcher: &Searcher) -> Result<Vec<ForceLink>> {
    let state = index_state(searcher);
    let path = ix.dir.join(crate::storage::FORCE_FILE);
    if let Some(f) = std::fs::read(&path).ok().and_then(|b| serde_json::from_slice::<ForceFile>(&b).ok()) {
        if f.version == FORCE_FILE_VERSION && f.state == state {
            return Ok(f.links);
        }
    }
    let links = force_links_from_records(ix, searcher)?;
    let _ = write_force_file(&ix.dir, ForceFile { version: FORCE_FILE_VERSION, state, links: links.clone() });
    Ok(links)
}

/// Write the force links of the index's committed state to its
/// [`crate::storage::FORCE_FILE`] (what ingest does after its last commit).
pub fn write_force_links(ix: &GongbaoIndex) -> Result<()> {
    let reader = ix.scan_reader()?;
    let searcher = reader.searcher();
    let links = force_links_from_records(ix, &searcher)?;
    write_force_file(&ix.dir, ForceFile { version: FORCE_FILE_VERSION, state: index_state(&searcher), links })
        .map_err(|source| crate::error::Error::Io { path: ix.dir.join(crate::storage::FORCE_FILE), source })
}

fn write_force_file(dir: &std::path::Path, f: ForceFile) -> std::io::Result<()> {
    let path = dir.join(crate::storage::FORCE_FILE);
    let tmp = dir.join(format!("{}.{}", crate::storage::FORCE_FILE, std::process::id()));
    let written = serde_json::to_vec(&f).map_err(std::io::Error::other).and_then(|b| std::fs::write(&tmp, b));
    let renamed = written.and_then(|_| std::fs::rename(&tmp, &path));
    if renamed.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    renamed
}

/// What every force-changing link in the index says as of a date: which
/// documents are repealed, and which windows are extended to when. Built
/// once per search to filter and label hits.
#[derive(Debug, Clone, Default)]
pub struct ForceMap {
    pub as_of: Option<NaiveDate>,
    /// Target → the date its repeal takes effect (earliest, on or before as_of).
    pub repealed: HashMap<String, NaiveDate>,
    /// Target → extended end (the latest extension on or before as_of; `None`: renewed without an end).
    pub extended: HashMap<String, Option<NaiveDate>>,
    /// Targets amended, and targets partly repealed, on or before as_of.
    pub amended: std::collections::HashSet<String>,
    pub partly_repealed: std::collections::HashSet<String>,
    /// Per segment: the doc_id term ordinals of the targets (computed once).
    pub segment_ords: std::sync::Arc<std::sync::Mutex<HashMap<String, std::sync::Arc<HashMap<u64, String>>>>>,
}

impl ForceMap {
    /// The force map of the index state `searcher` sees, as of `on`, built
    /// once per state and date (the state: the index directory and its
    /// segments with their deletions).
    pub fn cached(ix: &GongbaoIndex, searcher: &Searcher, on: NaiveDate) -> Result<ForceMap> {
        use std::sync::{LazyLock, Mutex};
        type Key = (std::path::PathBuf, IndexState, NaiveDate);
        static CACHE: LazyLock<Mutex<HashMap<Key, ForceMap>>> = LazyLock::new(Default::default);
        let key = (ix.dir.clone(), index_state(searcher), on);
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

    /// The `doc_id` term ordinals, in one segment's column, of the
    /// documents this map names (repealed, extended, amended), with their ids:
    /// looked up once per segment, then reused by every search.
    pub fn target_ords(&self, seg: &tantivy::SegmentReader, col: &tantivy::columnar::StrColumn) -> std::sync::Arc<HashMap<u64, String>> {
        let key = seg.segment_id().uuid_string();
        if let Some(m) = self.segment_ords.lock().ok().and_then(|c| c.get(&key).cloned()) {
            return m;
        }
        let mut ords = HashMap::new();
        // Every id whose status the map decides (not only repeals and
        // extensions: an amended document is `amended`, in facets as in hits).
        for id in self.repealed.keys().chain(self.extended.keys()).chain(&self.amended).chain(&self.partly_repealed) {
            if let Ok(Some(ord)) = col.dictionary().term_ord(id.as_bytes()) {
                ords.insert(ord, id.clone());
            }
        }
        let ords = std::sync::Arc::new(ords);
        if let Ok(mut c) = self.segment_ords.lock() {
            c.insert(key, ords.clone());
        }
        ords
    }

    /// The force map of the state `searcher` sees, as of `on` (its links by [`force_links`]).
    pub fn build(ix: &GongbaoIndex, searcher: &Searcher, on: NaiveDate) -> Result<ForceMap> {
        Ok(ForceMap::of_links(&force_links(ix, searcher)?, on))
    }

    /// What `links` say as of `on`: those whose source takes effect on or before it.
    pub fn of_links(links: &[ForceLink], on: NaiveDate) -> ForceMap {
        let mut m = ForceMap { as_of: Some(on), ..Default::default() };
        let mut ext: Vec<(NaiveDate, String, Option<NaiveDate>)> = Vec::new();
        for l in links.iter().filter(|l| l.date <= on) {
            for t in &l.targets {
                m.apply(l.kind, l.until, t.clone(), l.date, &mut ext);
            }
        }
        ext.sort();
        for (_, t, u) in ext {
            m.extended.insert(t, u);
        }
        m
    }

    /// Record what a link of `kind` (taking effect on `date`, extending to
    /// `until`) does to target `t`.
    fn apply(
        &mut self,
        kind: LinkKind,
        until: Option<NaiveDate>,
        t: String,
        date: NaiveDate,
        ext: &mut Vec<(NaiveDate, String, Option<NaiveDate>)>,
    ) {
        match kind {
            LinkKind::Extends => ext.push((date, t, until)),
            LinkKind::Amends => {
                self.amended.insert(t);
            }
            LinkKind::RepealsPart => {
                self.partly_repealed.insert(t);
            }
            _ => {
                let e = self.repealed.entry(t).or_insert(date);
                *e = (*e).min(date);
            }
        }
    }

    /// The status of a document of the corpus with window `from`–`until`.
    pub fn status_of(&self, id: &str, from: Option<NaiveDate>, until: Option<NaiveDate>) -> Status {
        let Some(on) = self.as_of else { return Status::Unknown };
        let until = self.extended.get(id).copied().unwrap_or(until);
        if let Some(r) = self.repealed.get(id) {
            if until.is_none_or(|u| *r <= u) {
                return Status::Repealed;
            }
        }
        match window_status(on, from, until) {
            Status::InForce if self.partly_repealed.contains(id) => Status::PartiallyRepealed,
            Status::InForce if self.amended.contains(id) => Status::Amended,
            s => s,
        }
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
