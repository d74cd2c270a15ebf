//! **changes**: what an ingest made known, and what was made known since.
//!
//! In: the index after an ingest's last issue commit, and the changes that
//! earlier ingests recorded in it. Out: the changes this ingest adds, one
//! [`ChangeSet`] stored as an index entry of kind `changes` (exported and
//! rebuilt like every other record); and, for `gongbao changes`,
//! `/api/changes`, the feed and the page, the changes recorded, selected by
//! date of ingest, by last ingest and by watch list ([`crate::watch`]).
//!
//! A change is a fact about one document — added; repealed, partially
//! repealed, declared invalid, superseded, amended or extended by another;
//! its window ending (`expires`); named by a link while the corpus does not
//! hold it (`dangling`) — with the document that changes it, the date it
//! takes effect and the evidence sentence. Its id is a hash of what it says
//! (kind, document, changing document, new end, provisions), so the same
//! fact has the same id in any index, in any ingest order, across rebuilds.
//!
//! "Made known by an ingest": a fact is recorded by the first ingest after
//! which the corpus holds it, and never again. The document a link changes
//! is named as the corpus knows it at that moment: by its id when the corpus
//! holds it (by 文号, or by a title that names it), else by the 文号 the link
//! gives, else by the title alone. So a repeal of 青政发〔2024〕84号 ingested
//! before 84号 itself is recorded with that repeal (about a 文号 not in the
//! corpus, with a `dangling`), and 84号's own ingest adds only `added`; a
//! renewal that names its target by title alone, ingested first, is recorded
//! about that title, and again — now about the document — by the ingest that
//! brings the document the title names. Each ingest looks at the documents
//! no ingest has announced yet (so a run stopped before its end leaves them
//! to the next) and those it replaced, at their links and at the links that
//! point at them, and at the windows that end between the last ingest and N
//! days after today ([`crate::clock`]): `expires` once per document and end.
//!
//! However many documents an ingest brings, what it holds at a time stays
//! bounded: the documents are looked at [`DOCUMENTS_AT_A_TIME`] at a time,
//! and an ingest that makes more than [`CHANGES_PER_PART`] changes known
//! stores them in parts (entries sharing its `ingested`, numbered by
//! `part`), committed together; [`recorded`] joins them back into one.

use crate::analyse::{Link, LinkKind};
use crate::docnum::DocNumber;
use crate::error::{Error, Result};
use crate::index::{date_key, GongbaoIndex, StoredRecord, FORCE, KIND_CHANGES, KIND_DOCUMENT};
use crate::record::DocumentRecord;
use crate::status::{source_date, Status, TitleResolver};
use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};
use sha2::Digest;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Bound;
use tantivy::query::{BooleanQuery, Occur, Query, RangeQuery, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{Searcher, TantivyDocument, Term};

/// How many days ahead an ingest looks for windows that end (`ingest --expires-within`).
pub const DEFAULT_EXPIRES_WITHIN: u32 = 60;

/// What happened to a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Repealed,
    /// Some provisions repealed (`provisions`).
    PartiallyRepealed,
    DeclaredInvalid,
    Superseded,
    /// Some provisions amended (`provisions`).
    Amended,
    /// Its window extended (`until`: the new end, none for a renewal without one).
    Extended,
    /// Its window ends within the horizon, or has ended since the last ingest.
    Expires,
    /// Cited, repealed or extended, and not in the corpus.
    Dangling,
    /// A new document of the corpus.
    Added,
}

impl ChangeKind {
    pub const ALL: [ChangeKind; 9] = [
        ChangeKind::Repealed,
        ChangeKind::PartiallyRepealed,
        ChangeKind::DeclaredInvalid,
        ChangeKind::Superseded,
        ChangeKind::Amended,
        ChangeKind::Extended,
        ChangeKind::Expires,
        ChangeKind::Dangling,
        ChangeKind::Added,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Repealed => "repealed",
            ChangeKind::PartiallyRepealed => "partially_repealed",
            ChangeKind::DeclaredInvalid => "declared_invalid",
            ChangeKind::Superseded => "superseded",
            ChangeKind::Amended => "amended",
            ChangeKind::Extended => "extended",
            ChangeKind::Expires => "expires",
            ChangeKind::Dangling => "dangling",
            ChangeKind::Added => "added",
        }
    }

    /// The label the page and the feed show.
    pub fn label_zh(self) -> &'static str {
        match self {
            ChangeKind::Repealed => "废止",
            ChangeKind::PartiallyRepealed => "部分废止",
            ChangeKind::DeclaredInvalid => "宣布失效",
            ChangeKind::Superseded => "被替代",
            ChangeKind::Amended => "修改",
            ChangeKind::Extended => "延长有效期",
            ChangeKind::Expires => "有效期届满",
            ChangeKind::Dangling => "未收录",
            ChangeKind::Added => "新增",
        }
    }

    /// The change a link makes to its target (none for citations and supervision).
    pub fn of_link(k: LinkKind) -> Option<ChangeKind> {
        match k {
            LinkKind::Repeals => Some(ChangeKind::Repealed),
            LinkKind::RepealsPart => Some(ChangeKind::PartiallyRepealed),
            LinkKind::DeclaresInvalid => Some(ChangeKind::DeclaredInvalid),
            LinkKind::Supersedes => Some(ChangeKind::Superseded),
            LinkKind::Amends => Some(ChangeKind::Amended),
            LinkKind::Extends => Some(ChangeKind::Extended),
            LinkKind::Cites | LinkKind::SupervisionListed | LinkKind::SupervisionClosed => None,
        }
    }
}

impl std::fmt::Display for ChangeKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The document that makes a change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocRef {
    /// Its id in the corpus (its 文号, or `<issue id>#<n>`).
    pub id: String,
    pub doc_number: Option<String>,
    pub title: String,
}

impl DocRef {
    fn of(d: &DocumentRecord) -> DocRef {
        DocRef { id: d.id.clone(), doc_number: d.doc_number.as_ref().map(|n| n.to_string()), title: d.title.clone() }
    }
}

/// One change (`changes --json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    /// Stable: the same fact has the same id in every index and ingest order.
    pub id: String,
    pub kind: ChangeKind,
    /// What `gongbao status` and `/doc/` take for the document changed: its
    /// id in the corpus, else the 文号 it is named by, else `《title》`.
    pub doc_id: String,
    pub doc_number: Option<String>,
    pub title: Option<String>,
    /// Does the corpus hold the document changed (when the change was recorded)?
    pub in_corpus: bool,
    /// The document that changes it (none for `added` and `expires`).
    pub by: Option<DocRef>,
    /// From when: the changing document's start (its own for `added`; the
    /// first day out of force for `expires`).
    pub effective: Option<NaiveDate>,
    /// `extended`: the new end (none: renewed without one); `expires`: the
    /// last day in force; `added`: its window's end.
    pub until: Option<NaiveDate>,
    /// `amended`, `partially_repealed`: the provisions named.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub provisions: Vec<String>,
    /// The sentence that says so.
    pub evidence: Option<String>,
    /// When the ingest that made it known ran.
    pub ingested: DateTime<FixedOffset>,
}

/// How many documents change detection looks at a time (with their links
/// and the links that point at them): what it holds stays bounded however
/// many an ingest brings (a run of 1,000 issues brings 19,000).
pub const DOCUMENTS_AT_A_TIME: usize = 500;

/// At most this many changes are stored in one entry: an ingest that makes
/// more known stores them in parts.
pub const CHANGES_PER_PART: usize = 2000;

/// What one ingest made known (an index entry of kind `changes`), or a part
/// of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangeSet {
    pub ingested: DateTime<FixedOffset>,
    /// Which part of its ingest's changes this entry holds (1, 2, …), when
    /// they are stored in more than one ([`CHANGES_PER_PART`]); the parts
    /// of an ingest share its `ingested`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub part: Option<u32>,
    pub changes: Vec<Change>,
}

/// How much change detection takes on at a time.
#[derive(Debug, Clone, Copy)]
struct Bounds {
    /// Documents looked at a time ([`DOCUMENTS_AT_A_TIME`]).
    documents: usize,
    /// Changes per stored entry ([`CHANGES_PER_PART`]).
    changes: usize,
}

impl Bounds {
    const DEFAULT: Bounds = Bounds { documents: DOCUMENTS_AT_A_TIME, changes: CHANGES_PER_PART };
}

/// What an ingest recorded: when, and how many changes of each kind.
#[derive(Debug, Clone, PartialEq)]
pub struct Recorded {
    pub ingested: DateTime<FixedOffset>,
    /// Counted by kind ([`counts`]).
    pub counts: BTreeMap<String, usize>,
    /// How many entries hold them (1 unless there were more than [`CHANGES_PER_PART`]).
    pub parts: usize,
}

/// What `changes --json` and `/api/changes` answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangesReport {
    pub changes: Vec<Change>,
}

/// Which changes to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Since {
    /// Every change recorded.
    All,
    /// Those recorded by ingests on or after this (local) date.
    Date(NaiveDate),
    /// Those recorded by the last ingest (none if it made nothing known).
    LastIngest,
}

/// How an ingest looks for changes.
#[derive(Debug, Clone, Copy)]
pub struct ChangeOptions {
    /// The date of the run ([`crate::clock::today`]).
    pub today: NaiveDate,
    /// Windows ending up to this many days after today are announced.
    pub expires_within: u32,
}

/// Changes counted by kind, in [`ChangeKind::ALL`]'s order.
pub fn counts(changes: &[Change]) -> BTreeMap<String, usize> {
    let mut m = BTreeMap::new();
    for c in changes {
        count(&mut m, c);
    }
    m
}

fn count(m: &mut BTreeMap<String, usize>, c: &Change) {
    *m.entry(c.kind.as_str().to_string()).or_insert(0) += 1;
}

/// `3 repealed, 1 extended, 6 added` (kinds in their order), or `none`.
pub fn summary(counts: &BTreeMap<String, usize>) -> String {
    let parts: Vec<String> =
        ChangeKind::ALL.iter().filter_map(|k| counts.get(k.as_str()).filter(|n| **n > 0).map(|n| format!("{n} {k}"))).collect();
    if parts.is_empty() {
        "none".into()
    } else {
        parts.join(", ")
    }
}

/// The stable id of a change: a hash of what it says.
fn change_id(key: &str) -> String {
    let h = sha2::Sha256::digest(key.as_bytes());
    h.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

/// The document a link changes, as the corpus knows it now.
struct Target {
    doc_id: String,
    doc_number: Option<String>,
    title: Option<String>,
    in_corpus: bool,
}

/// Finds the changes an ingest made known.
struct Detector<'a> {
    ix: &'a GongbaoIndex,
    searcher: &'a Searcher,
    stamp: DateTime<FixedOffset>,
    /// Ids recorded before, and found now.
    known: HashSet<String>,
    out: Vec<Change>,
    titles: TitleResolver,
    /// One copy of each record, however many links name it (of the
    /// documents looked at now: see [`Detector::forget`]).
    docs: HashMap<String, Option<std::rc::Rc<DocumentRecord>>>,
}

impl Detector<'_> {
    /// Let go of what was read for the documents looked at so far (the
    /// records and titles; the changes found are the caller's by now): what
    /// the detector holds stays what one group of documents needs.
    fn forget(&mut self) {
        self.docs.clear();
        self.titles = TitleResolver::default();
    }

    /// The changes found since the last call, in the order found.
    fn take(&mut self) -> Vec<Change> {
        std::mem::take(&mut self.out)
    }

    /// A document's record without its text and provisions (nothing here
    /// reads them), kept while its group is looked at.
    fn doc(&mut self, id: &str) -> Option<std::rc::Rc<DocumentRecord>> {
        if !self.docs.contains_key(id) {
            let d = self.ix.document(self.searcher, id).map(|mut d| {
                d.text = String::new();
                d.provisions = Vec::new();
                std::rc::Rc::new(d)
            });
            self.docs.insert(id.to_string(), d);
        }
        self.docs[id].clone()
    }

    /// Record `c` under `key`, unless a change with that key is known.
    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        key: String,
        kind: ChangeKind,
        t: &Target,
        by: Option<&DocumentRecord>,
        effective: Option<NaiveDate>,
        until: Option<NaiveDate>,
        provisions: Vec<String>,
        evidence: Option<String>,
    ) {
        let id = change_id(&key);
        if !self.known.insert(id.clone()) {
            return;
        }
        self.out.push(Change {
            id,
            kind,
            doc_id: t.doc_id.clone(),
            doc_number: t.doc_number.clone(),
            title: t.title.clone(),
            in_corpus: t.in_corpus,
            by: by.map(DocRef::of),
            effective,
            until,
            provisions,
            evidence: evidence.filter(|e| !e.trim().is_empty()),
            ingested: self.stamp,
        });
    }

    fn added(&mut self, d: &DocumentRecord) {
        let t = Target {
            doc_id: d.id.clone(),
            doc_number: d.doc_number.as_ref().map(|n| n.to_string()),
            title: Some(d.title.clone()),
            in_corpus: true,
        };
        let evidence = d.validity.evidence.first().cloned();
        self.push(
            format!("added\x1f{}", d.id),
            ChangeKind::Added,
            &t,
            None,
            d.validity.effective_from.or(d.signed_date),
            d.validity.effective_until,
            vec![],
            evidence,
        );
    }

    /// What link `l` of `src` points at: a document of the corpus if one
    /// is named (by 文号, or by a title), else the 文号, else the title.
    fn target(&mut self, src: &DocumentRecord, l: &Link) -> Result<Option<Target>> {
        let named = l.target.as_deref().and_then(DocNumber::parse).map(|n| n.to_string());
        for c in self.titles.link_targets(self.ix, self.searcher, src, l, source_date(src))? {
            if let Some(d) = self.doc(&c).filter(|d| d.id != src.id) {
                return Ok(Some(Target {
                    doc_id: d.id.clone(),
                    doc_number: d.doc_number.as_ref().map(|n| n.to_string()).or(named),
                    title: Some(d.title.clone()),
                    in_corpus: true,
                }));
            }
        }
        if let Some(n) = named {
            return Ok(Some(Target { doc_id: n.clone(), doc_number: Some(n), title: l.target_title.clone(), in_corpus: false }));
        }
        let title = l.target_title.clone().or_else(|| l.target.clone());
        Ok(title.map(|t| Target { doc_id: crate::index::title_target_term(&t), doc_number: None, title: Some(t), in_corpus: false }))
    }

    /// The changes link `l` of `src` makes: its kind's, and `dangling` when
    /// it names a 文号 (or changes a document by title) the corpus does not hold.
    fn link(&mut self, src: &DocumentRecord, l: &Link) -> Result<()> {
        let kind = ChangeKind::of_link(l.kind);
        let numbered = l.target.as_deref().and_then(DocNumber::parse).is_some();
        // A title or a standard merely cited, a supervised company: no change.
        if matches!(l.kind, LinkKind::SupervisionListed | LinkKind::SupervisionClosed) || (kind.is_none() && !numbered) {
            return Ok(());
        }
        let Some(t) = self.target(src, l)? else { return Ok(()) };
        let date = source_date(src);
        if let Some(k) = kind {
            let until = if k == ChangeKind::Extended { l.until } else { None };
            let key = format!(
                "{k}\x1f{}\x1f{}\x1f{}\x1f{}",
                t.doc_id,
                src.id,
                until.map(|d| d.to_string()).unwrap_or_default(),
                l.provisions.join("、")
            );
            self.push(key, k, &t, Some(src), date, until, l.provisions.clone(), Some(l.evidence.clone()));
        }
        if !t.in_corpus {
            self.push(
                format!("dangling\x1f{}", t.doc_id),
                ChangeKind::Dangling,
                &t,
                Some(src),
                date,
                None,
                vec![],
                Some(l.evidence.clone()),
            );
        }
        Ok(())
    }

    /// `expires` for the windows that end from `lo` to `hi`: documents of
    /// the corpus by their own end, and the targets of extensions by theirs;
    /// each judged by its status (its end after every extension; one
    /// repealed before it ends does not expire).
    fn expiries(&mut self, lo: NaiveDate, hi: NaiveDate) -> Result<()> {
        let f = self.ix.fields;
        let mut candidates: Vec<String> = Vec::new();
        let in_range = BooleanQuery::new(vec![
            (
                Occur::Must,
                Box::new(TermQuery::new(Term::from_field_text(f.kind, KIND_DOCUMENT), IndexRecordOption::Basic)) as Box<dyn Query>,
            ),
            (
                Occur::Must,
                Box::new(RangeQuery::new(
                    Bound::Included(Term::from_field_i64(f.until, date_key(lo))),
                    Bound::Included(Term::from_field_i64(f.until, date_key(hi))),
                )),
            ),
        ]);
        self.ix.for_each_document_matching(self.searcher, &in_range, |d| {
            candidates.push(d.id);
            Ok(())
        })?;
        let force = TermQuery::new(Term::from_field_text(f.force_links, FORCE), IndexRecordOption::Basic);
        let (ix, searcher, titles) = (self.ix, self.searcher, &mut self.titles);
        ix.for_each_document_matching(searcher, &force, |d| {
            for l in d.links.iter().filter(|l| l.kind == LinkKind::Extends && l.until.is_some_and(|u| lo <= u && u <= hi)) {
                candidates.extend(titles.link_targets(ix, searcher, &d, l, source_date(&d))?);
            }
            Ok(())
        })?;
        let mut seen = HashSet::new();
        candidates.retain(|c| seen.insert(c.clone()));
        let far = NaiveDate::from_ymd_opt(9999, 12, 31).unwrap_or(NaiveDate::MAX);
        for id in candidates {
            let r = crate::status::status(self.ix, self.searcher, &id, far)?;
            if r.status == Status::Repealed || r.approximate.is_some() {
                continue;
            }
            let Some(until) = r.effective_until.filter(|u| lo <= *u && *u <= hi) else { continue };
            let record = if r.known_in_corpus { self.doc(&r.id) } else { None };
            let t = Target {
                doc_id: r.id.clone(),
                doc_number: record
                    .as_ref()
                    .map(|d| d.doc_number.as_ref().map(|n| n.to_string()))
                    .unwrap_or_else(|| DocNumber::parse(&r.id).map(|n| n.to_string())),
                title: r.title.clone(),
                in_corpus: r.known_in_corpus,
            };
            let evidence = r
                .decided_by
                .iter()
                .rev()
                .find(|d| d.kind == LinkKind::Extends)
                .map(|d| d.evidence.clone())
                .or_else(|| r.evidence.first().cloned());
            self.push(
                format!("expires\x1f{}\x1f{until}", r.id),
                ChangeKind::Expires,
                &t,
                None,
                until.succ_opt(),
                Some(until),
                vec![],
                evidence,
            );
        }
        Ok(())
    }
}

/// The changes the corpus `searcher` sees holds that no ingest recorded:
/// the documents not yet announced and those in `touched` (replaced by this
/// ingest), their links and the links pointing at them, and the windows
/// that end from the last ingest's date to `expires_within` days after
/// today. Each carries `stamp`, and is given to `found` in the order found:
/// the documents in the order of their issues, [`DOCUMENTS_AT_A_TIME`] at a
/// time (each group's `added`, then its links' changes, then the changes of
/// the links that point at it), then the `expires`. Nothing is found twice.
pub fn detect(
    ix: &GongbaoIndex,
    searcher: &Searcher,
    touched: &[String],
    opts: ChangeOptions,
    stamp: DateTime<FixedOffset>,
    found: impl FnMut(Change) -> Result<()>,
) -> Result<()> {
    detect_within(ix, searcher, touched, opts, stamp, Bounds::DEFAULT, found)
}

fn detect_within(
    ix: &GongbaoIndex,
    searcher: &Searcher,
    touched: &[String],
    opts: ChangeOptions,
    stamp: DateTime<FixedOffset>,
    bounds: Bounds,
    mut found: impl FnMut(Change) -> Result<()>,
) -> Result<()> {
    // What earlier ingests recorded: the ids, and the date of the last, read
    // entry by entry.
    let mut known: HashSet<String> = HashSet::new();
    let mut last_run: Option<NaiveDate> = None;
    for_each_entry(ix, searcher, |s| {
        last_run = last_run.max(Some(s.ingested.date_naive()));
        known.extend(s.changes.into_iter().map(|c| c.id));
    })?;
    let mut det = Detector { ix, searcher, stamp, known, out: Vec::new(), titles: TitleResolver::default(), docs: HashMap::new() };
    // The documents to look at, in the order of their issues.
    let mut ids: Vec<String> = Vec::new();
    let mut listed: HashSet<String> = HashSet::new();
    for e in ix.issues(searcher)? {
        for id in e.documents {
            if !det.known.contains(&change_id(&format!("added\x1f{id}"))) && listed.insert(id.clone()) {
                ids.push(id);
            }
        }
    }
    for id in touched {
        if listed.insert(id.clone()) {
            ids.push(id.clone());
        }
    }
    drop(listed);
    for group in ids.chunks(bounds.documents.max(1)) {
        let docs: Vec<std::rc::Rc<DocumentRecord>> = group.iter().filter_map(|id| det.doc(id)).collect();
        for d in &docs {
            det.added(d);
        }
        for d in &docs {
            for l in &d.links {
                det.link(d, l)?;
            }
        }
        // Links that name these documents: by 文号 (recorded already, when the
        // linking document came first) or by a title that now names them.
        for d in &docs {
            for (src, l) in crate::status::incoming(ix, searcher, &d.id)? {
                if ChangeKind::of_link(l.kind).is_some() {
                    det.link(&src, &l)?;
                }
            }
        }
        drop(docs);
        det.forget();
        det.take().into_iter().try_for_each(&mut found)?;
    }
    let lo = last_run.map(|p| p.min(opts.today)).unwrap_or(opts.today);
    let hi = opts.today.checked_add_days(chrono::Days::new(opts.expires_within as u64)).unwrap_or(NaiveDate::MAX);
    det.expiries(lo, hi)?;
    det.take().into_iter().try_for_each(&mut found)
}

/// Find what this ingest made known and commit it (`None` when it made
/// nothing known: nothing is committed): one entry, or, past
/// [`CHANGES_PER_PART`] changes, parts of that many, staged as they fill
/// and committed together, so that the ingest's changes are all recorded
/// or none.
pub fn record(
    ix: &GongbaoIndex,
    writer: &mut tantivy::IndexWriter,
    touched: &[String],
    opts: ChangeOptions,
    stamp: DateTime<FixedOffset>,
) -> Result<Option<Recorded>> {
    record_within(ix, writer, touched, opts, stamp, Bounds::DEFAULT)
}

fn record_within(
    ix: &GongbaoIndex,
    writer: &mut tantivy::IndexWriter,
    touched: &[String],
    opts: ChangeOptions,
    stamp: DateTime<FixedOffset>,
    bounds: Bounds,
) -> Result<Option<Recorded>> {
    let reader = ix.scan_reader()?;
    let searcher = reader.searcher();
    let mut pending: Vec<Change> = Vec::new();
    let mut counts = BTreeMap::new();
    let mut parts: u32 = 0;
    detect_within(ix, &searcher, touched, opts, stamp, bounds, |c| {
        count(&mut counts, &c);
        pending.push(c);
        if pending.len() >= bounds.changes {
            parts += 1;
            stage_part(ix, writer, stamp, Some(parts), std::mem::take(&mut pending))?;
        }
        Ok(())
    })?;
    drop(searcher);
    drop(reader);
    if !pending.is_empty() {
        let part = (parts > 0).then_some(parts + 1);
        parts += 1;
        stage_part(ix, writer, stamp, part, pending)?;
    }
    if parts == 0 {
        return Ok(None);
    }
    let total: usize = counts.values().sum();
    ix.commit(writer, &serde_json::json!({"changes": total, "ingested": stamp}).to_string())?;
    Ok(Some(Recorded { ingested: stamp, counts, parts: parts as usize }))
}

/// Stage one entry of an ingest's changes, by kind, then as found.
fn stage_part(
    ix: &GongbaoIndex,
    writer: &tantivy::IndexWriter,
    ingested: DateTime<FixedOffset>,
    part: Option<u32>,
    mut changes: Vec<Change>,
) -> Result<()> {
    changes.sort_by_key(|c| c.kind);
    ix.stage_changes(writer, &ChangeSet { ingested, part, changes })
}

/// Call `f` with every entry of kind `changes` (a whole ingest's changes,
/// or a part of them), one at a time, in index order.
fn for_each_entry(ix: &GongbaoIndex, searcher: &Searcher, mut f: impl FnMut(ChangeSet)) -> Result<()> {
    let q = TermQuery::new(Term::from_field_text(ix.fields.kind, KIND_CHANGES), IndexRecordOption::Basic);
    let err = |e: tantivy::TantivyError| Error::Index { path: ix.dir.clone(), reason: e.to_string() };
    let mut addrs: Vec<_> = searcher.search(&q, &tantivy::collector::DocSetCollector).map_err(err)?.into_iter().collect();
    addrs.sort();
    for a in addrs {
        let d: TantivyDocument = searcher.doc(a).map_err(err)?;
        if let Some(StoredRecord::Changes(s)) = ix.record_of(&d) {
            f(s);
        }
    }
    Ok(())
}

/// Every change set recorded in the index, one per ingest, oldest first:
/// the parts of an ingest (the entries with its `ingested`) joined in the
/// order of their `part`, its changes by kind, then as found.
pub fn recorded(ix: &GongbaoIndex, searcher: &Searcher) -> Result<Vec<ChangeSet>> {
    let mut by_ingest: BTreeMap<DateTime<FixedOffset>, Vec<ChangeSet>> = BTreeMap::new();
    for_each_entry(ix, searcher, |s| by_ingest.entry(s.ingested).or_default().push(s))?;
    Ok(by_ingest.into_iter().map(|(ingested, entries)| join(ingested, entries)).collect())
}

/// The entries of one ingest (each by kind) as one change set.
fn join(ingested: DateTime<FixedOffset>, mut entries: Vec<ChangeSet>) -> ChangeSet {
    entries.sort_by_key(|s| s.part);
    let mut changes: Vec<Change> = entries.into_iter().flat_map(|s| s.changes).collect();
    changes.sort_by_key(|c| c.kind);
    ChangeSet { ingested, part: None, changes }
}

/// The stamp of the last ingest's changes, from the run log (`Some(None)`:
/// the last ingest made nothing known); `None` when the log names no run.
fn last_ingest(dir: &std::path::Path) -> Option<Option<DateTime<FixedOffset>>> {
    let runs = crate::runlog::last(dir, 50).ok()?;
    // A run refused at the lock (or before it opened the index) did nothing.
    runs.iter().rev().find(|r| !(r.exit_code == 1 && r.files.is_empty())).map(|r| r.ingested)
}

/// The changes recorded, newest ingest first (in each ingest, by kind),
/// selected by `since` and, with `watch`, to the watched documents.
pub fn list(ix: &GongbaoIndex, searcher: &Searcher, since: Since, watch: Option<&crate::watch::WatchList>) -> Result<Vec<Change>> {
    let mut sets = recorded(ix, searcher)?;
    sets.reverse();
    let keep_set: Box<dyn Fn(&ChangeSet) -> bool> = match since {
        Since::All => Box::new(|_| true),
        Since::Date(d) => Box::new(move |s| s.ingested.date_naive() >= d),
        Since::LastIngest => {
            let stamp = match last_ingest(&ix.dir) {
                Some(s) => s,
                // No run log (an index rebuilt from an export elsewhere): the latest set.
                None => sets.first().map(|s| s.ingested),
            };
            Box::new(move |s| Some(s.ingested) == stamp)
        }
    };
    let mut out: Vec<Change> = sets.into_iter().filter(|s| keep_set(s)).flat_map(|s| s.changes).collect();
    if let Some(w) = watch {
        let mut keys: HashMap<String, Vec<String>> = HashMap::new();
        out.retain(|c| {
            let k = keys.entry(c.doc_id.clone()).or_insert_with(|| {
                if c.in_corpus {
                    ix.document(searcher, &c.doc_id).map(|d| d.title_keys()).unwrap_or_default()
                } else {
                    vec![]
                }
            });
            w.matches(c, k)
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn ids_depend_on_what_a_change_says_only() {
        let a = change_id("repealed\x1f青政发〔2024〕84号\x1f青政发〔2024〕96号\x1f\x1f");
        assert_eq!(a, change_id("repealed\x1f青政发〔2024〕84号\x1f青政发〔2024〕96号\x1f\x1f"));
        assert_ne!(a, change_id("repealed\x1f青政发〔2024〕84号\x1f青政发〔2024〕97号\x1f\x1f"));
        assert_eq!(a.len(), 32);
    }

    /// An index of the sample issue (as of `stamp`'s ingest) and, with
    /// `later`, the later issue of `tests/fixtures/later-changes/` ingested
    /// after it; each ingest's changes recorded within `bounds`.
    fn index_of(dir: &std::path::Path, later: bool, bounds: Bounds) -> GongbaoIndex {
        let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        // The sample's text (the one `.seed.txt`), the later issue (the one `.txt` there).
        let only = |dir: &std::path::Path, ending: &str| -> std::path::PathBuf {
            let mut found: Vec<std::path::PathBuf> =
                std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).filter(|p| p.to_string_lossy().ends_with(ending)).collect();
            assert_eq!(found.len(), 1, "{found:?}");
            found.remove(0)
        };
        let ix = GongbaoIndex::open_or_create(dir).unwrap();
        let mut w = ix.writer().unwrap();
        let mut runs = vec![(only(&fixtures, ".seed.txt"), "2024-10-08T06:00:00+08:00")];
        if later {
            runs.push((only(&fixtures.join("later-changes"), ".txt"), "2024-12-30T06:00:00+08:00"));
        }
        for (file, when) in runs {
            let parsed = crate::pipeline::parse_file(&file, &Default::default()).unwrap();
            ix.stage_issue(&w, &parsed).unwrap();
            ix.commit(&mut w, "{}").unwrap();
            let stamp = DateTime::parse_from_rfc3339(when).unwrap();
            let opts = ChangeOptions { today: stamp.date_naive(), expires_within: DEFAULT_EXPIRES_WITHIN };
            let touched: Vec<String> = parsed.documents.iter().map(|d| d.id.clone()).collect();
            record_within(&ix, &mut w, &touched, opts, stamp, bounds).unwrap().unwrap();
        }
        ix
    }

    fn entries(ix: &GongbaoIndex) -> Vec<ChangeSet> {
        let reader = ix.reader().unwrap();
        let mut out = Vec::new();
        for_each_entry(ix, &reader.searcher(), |s| out.push(s)).unwrap();
        out
    }

    #[test]
    fn an_ingest_s_changes_stored_in_parts_read_back_as_one_ingest() {
        let dir = tempfile::tempdir().unwrap();
        let whole = index_of(&dir.path().join("whole"), true, Bounds::DEFAULT);
        let small = Bounds { documents: 3, changes: 4 };
        let parts = index_of(&dir.path().join("parts"), true, small);
        // One entry per ingest, or parts of at most 4, numbered, sharing the ingest's time.
        let mut one: Vec<ChangeSet> = entries(&whole);
        one.sort_by_key(|s| s.ingested);
        assert_eq!(one.len(), 2);
        assert!(one.iter().all(|s| s.part.is_none()));
        let stored = entries(&parts);
        for s in &one {
            let of_it: Vec<&ChangeSet> = stored.iter().filter(|p| p.ingested == s.ingested).collect();
            assert_eq!(of_it.len(), s.changes.len().div_ceil(4), "{}", s.ingested);
            let mut numbers: Vec<u32> = of_it.iter().filter_map(|p| p.part).collect();
            numbers.sort();
            assert_eq!(numbers, (1..=of_it.len() as u32).collect::<Vec<_>>());
            assert!(of_it.iter().all(|p| !p.changes.is_empty() && p.changes.len() <= 4));
        }
        // Read back: the same ingests, the same changes (found in another
        // order, documents three at a time), each ingest's by kind.
        let ids = |sets: &[ChangeSet]| -> Vec<(DateTime<FixedOffset>, BTreeSet<String>)> {
            sets.iter().map(|s| (s.ingested, s.changes.iter().map(|c| c.id.clone()).collect())).collect()
        };
        let reader = parts.reader().unwrap();
        let joined = recorded(&parts, &reader.searcher()).unwrap();
        assert_eq!(ids(&joined), ids(&recorded(&whole, &whole.reader().unwrap().searcher()).unwrap()));
        assert_eq!(ids(&joined), ids(&one));
        for s in &joined {
            assert!(s.part.is_none());
            assert!(s.changes.windows(2).all(|w| w[0].kind <= w[1].kind), "by kind");
            let mut sorted = s.changes.clone();
            sorted.sort_by(|a, b| a.id.cmp(&b.id));
            let mut want = one.iter().find(|o| o.ingested == s.ingested).unwrap().changes.clone();
            want.sort_by(|a, b| a.id.cmp(&b.id));
            assert_eq!(sorted, want, "the same changes, field by field");
        }
        // What `changes` lists: every change once, newest ingest first.
        let listed = list(&parts, &reader.searcher(), Since::All, None).unwrap();
        assert_eq!(listed.len(), one.iter().map(|s| s.changes.len()).sum::<usize>());
        assert!(listed.windows(2).all(|w| w[0].ingested >= w[1].ingested));
        let later = DateTime::parse_from_rfc3339("2024-12-30T06:00:00+08:00").unwrap();
        assert_eq!(list(&parts, &reader.searcher(), Since::Date(later.date_naive()), None).unwrap().len(), one[1].changes.len());
    }

    #[test]
    fn summaries_follow_the_kinds_order() {
        let mut m = BTreeMap::new();
        m.insert("added".to_string(), 6);
        m.insert("repealed".to_string(), 2);
        m.insert("expires".to_string(), 1);
        assert_eq!(summary(&m), "2 repealed, 1 expires, 6 added");
        assert_eq!(summary(&BTreeMap::new()), "none");
    }
}
