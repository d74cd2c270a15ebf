//! **query**: a user's query in, ranked hits with highlighted snippets out.
//!
//! The query language is lenient and never fails: words, "exact phrases",
//! `+required` and `-excluded` terms, `OR` between alternatives; a query
//! that is a 文号 (any bracket variant, any spacing) or its number part
//! looks the document up first. Words rank (`crate::rank`): an entry with
//! most of them still appears, after those that hold them all, and the
//! answer says `partial` when none holds them all. Quoted terms keep exact
//! verbatim semantics: any substring a user types between quotes finds the
//! documents, and the clauses, that hold it.

use crate::clause::Clause;
use crate::docnum::DocNumber;
use crate::error::{Error, Result};
use crate::index::{date_key, GongbaoIndex, KIND_DOCUMENT, KIND_PROVISION};
use crate::lookup::ApproximateMatch;
use crate::rank::{rank, Plan, Ranking};
use crate::status::ForceMap;
use crate::stored::HitSummary;
use crate::tokenizer::CharTokenizer;
use chrono::NaiveDate;
use regex::Regex;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::ops::Bound;
use std::sync::LazyLock;
use tantivy::query::{AllQuery, BooleanQuery, Occur, Query, RangeQuery, TermQuery, TermSetQuery};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::{DocAddress, Searcher, TantivyDocument, Term};

/// What the user asked for.
#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    pub query: String,
    pub issuer: Option<String>,
    pub doc_type: Option<String>,
    pub year: Option<i32>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// Only documents in force on this date.
    pub in_force_on: Option<NaiveDate>,
    pub clauses: bool,
    pub limit: usize,
    /// Skip this many hits (paging).
    pub offset: usize,
}

/// A provision a hit points at.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProvisionRef {
    pub id: String,
    pub label: String,
    pub page: u32,
}

/// One search hit (DESIGN.md `search --json`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Hit {
    pub id: String,
    pub kind: String,
    pub doc_number: Option<String>,
    pub title: String,
    pub issuer: Vec<String>,
    pub signed_date: Option<NaiveDate>,
    pub status: Option<String>,
    pub score: f32,
    /// Around 80 characters of text with the matched terms in `<mark>`…`</mark>`.
    pub snippet: String,
    pub provision: Option<ProvisionRef>,
    /// The hit holds every word of the query.
    #[serde(default)]
    pub all_words: bool,
}

/// The answer to a search.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SearchResponse {
    pub query: String,
    pub total: usize,
    pub hits: Vec<Hit>,
    pub facets: BTreeMap<String, BTreeMap<String, usize>>,
    /// Parts of the query that were ignored, and why.
    pub ignored: Vec<String>,
    /// No hit holds every word of the query: the hits hold some of them.
    #[serde(default)]
    pub partial: bool,
    /// The query was a 文号 that no document carries; the hits are for this
    /// one, one or two characters of its 机关代字 away (an OCR misreading).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approximate: Option<ApproximateMatch>,
}

/// What a page says above partial answers.
pub const PARTIAL_NOTE_ZH: &str = "未找到同时包含全部词语的文件，以下为部分匹配";
/// The same, on a terminal.
pub const PARTIAL_NOTE: &str = "no document holds every word of the query; these hold some of them";

/// One alternative of a group: a term as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alternative {
    pub text: String,
    /// Typed between quotes: matched verbatim, required.
    pub quoted: bool,
}

/// A term of the query, with its `OR` alternatives.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Group {
    pub alternatives: Vec<Alternative>,
    /// Typed with `+` (or quoted): every hit holds it.
    pub required: bool,
}

/// A query, read leniently.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ParsedQuery {
    /// The terms; within a group, any alternative.
    pub groups: Vec<Group>,
    pub excluded: Vec<String>,
    pub ignored: Vec<String>,
    /// The query as a whole is a 文号.
    pub doc_number: Option<DocNumber>,
    /// The query as a whole is the number part of a 文号 (`〔2024〕74号`, `74号`).
    pub number_key: Option<String>,
}

impl ParsedQuery {
    /// The terms' texts, group by group.
    pub fn terms(&self) -> Vec<Vec<&str>> {
        self.groups.iter().map(|g| g.alternatives.iter().map(|a| a.text.as_str()).collect()).collect()
    }
}

/// `〔2024〕74号`, `[2024]74号`, `（2024）74 号`
static NUMBER_PART: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^[〔\[［【（(]((?:19|20)\d{2})[〕\]］】）)](\d{1,5})号$").unwrap());
/// `74号`
static SEQ_ONLY: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^(\d{1,5})号$").unwrap());

/// A lexed token: its text, and whether it was negated, required, quoted.
struct Token {
    text: String,
    neg: bool,
    plus: bool,
    quoted: bool,
}

/// Read a query: words, "phrases", +required, -excluded, OR. Never fails.
pub fn parse_query(q: &str) -> ParsedQuery {
    let mut out = ParsedQuery::default();
    let squeezed = crate::text::squeeze(&crate::text::fold_width(q));
    if let Some(dn) = DocNumber::parse(&squeezed).or_else(|| DocNumber::parse(q)) {
        out.doc_number = Some(dn);
    } else if !squeezed.ends_with('号') {
        // Not a number part either (both end with 号): no regex compiled.
    } else if let Some(c) = NUMBER_PART.captures(&squeezed) {
        out.number_key = Some(format!("〔{}〕{}号", &c[1], c[2].parse::<u32>().unwrap_or(0)));
    } else if let Some(c) = SEQ_ONLY.captures(&squeezed) {
        out.number_key = Some(format!("{}号", c[1].parse::<u32>().unwrap_or(0)));
    }
    let mut tokens: Vec<Token> = Vec::new();
    let mut chars = q.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let (mut neg, mut plus) = (false, false);
        if matches!(c, '-' | '－') {
            chars.next();
            neg = true;
        } else if matches!(c, '+' | '＋') {
            chars.next();
            plus = true;
        }
        if matches!(chars.peek(), Some('"') | Some('“') | Some('”')) {
            chars.next();
            let mut s = String::new();
            let mut closed = false;
            for c in chars.by_ref() {
                if matches!(c, '"' | '“' | '”') {
                    closed = true;
                    break;
                }
                s.push(c);
            }
            if !closed {
                out.ignored.push("unclosed quote (read to the end of the query)".into());
            }
            tokens.push(Token { text: s, neg, plus, quoted: true });
        } else {
            let mut s = String::new();
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() || (matches!(c, '"' | '“' | '”') && !s.is_empty()) {
                    break;
                }
                s.push(c);
                chars.next();
            }
            if s.is_empty() && (neg || plus) {
                out.ignored.push(format!("a lone '{}'", if neg { '-' } else { '+' }));
                continue;
            }
            tokens.push(Token { text: s, neg, plus, quoted: false });
        }
    }
    let mut join_next = false;
    for t in tokens {
        if !t.quoted && !t.neg && !t.plus && (t.text == "OR" || t.text == "|") {
            if out.groups.is_empty() {
                out.ignored.push("OR with nothing before it".into());
            } else {
                join_next = true;
            }
            continue;
        }
        if CharTokenizer::tokens(&t.text).is_empty() {
            if !t.text.trim().is_empty() || t.quoted {
                out.ignored.push(format!("'{}' (no searchable characters)", t.text));
            }
            join_next = false;
            continue;
        }
        let alt = Alternative { text: t.text, quoted: t.quoted };
        if t.neg {
            out.excluded.push(alt.text);
        } else if join_next {
            let g = out.groups.last_mut().expect("a group before OR");
            g.required &= t.plus || alt.quoted;
            g.alternatives.push(alt);
        } else {
            let required = t.plus || alt.quoted;
            out.groups.push(Group { alternatives: vec![alt], required });
        }
        join_next = false;
    }
    if join_next {
        out.ignored.push("OR with nothing after it".into());
    }
    out
}

fn str_term(field: Field, s: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(Term::from_field_text(field, s), IndexRecordOption::Basic))
}

/// Only documents (or provisions of documents) in force on the force map's date.
fn in_force_filter(ix: &GongbaoIndex, force: &ForceMap) -> Vec<(Occur, Box<dyn Query>)> {
    let f = &ix.fields;
    let Some(on) = force.as_of else { return vec![] };
    let d = date_key(on);
    let ids =
        |it: Vec<&String>| -> Box<dyn Query> { Box::new(TermSetQuery::new(it.into_iter().map(|id| Term::from_field_text(f.doc_id, id)))) };
    let extended_ok: Vec<&String> = force.extended.iter().filter(|(_, u)| u.is_none_or(|u| u >= on)).map(|(k, _)| k).collect();
    let extended_over: Vec<&String> = force.extended.iter().filter(|(_, u)| u.is_some_and(|u| u < on)).map(|(k, _)| k).collect();
    let until_ok: Vec<(Occur, Box<dyn Query>)> = vec![
        (Occur::Should, Box::new(RangeQuery::new(Bound::Included(Term::from_field_i64(f.until, d)), Bound::Unbounded))),
        (Occur::Should, ids(extended_ok)),
    ];
    vec![
        (Occur::Must, Box::new(RangeQuery::new(Bound::Unbounded, Bound::Included(Term::from_field_i64(f.from, d))))),
        (Occur::Must, Box::new(BooleanQuery::new(until_ok))),
        (Occur::MustNot, ids(force.repealed.keys().collect())),
        (Occur::MustNot, ids(extended_over)),
    ]
}

/// The documents a request allows: documents, by its filters, and those in
/// force on `in_force_on` (by the force map).
fn filter_query(ix: &GongbaoIndex, req: &SearchRequest, force: &ForceMap) -> Box<dyn Query> {
    let f = &ix.fields;
    let mut must: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, str_term(f.kind, KIND_DOCUMENT))];
    if let Some(i) = &req.issuer {
        must.push((Occur::Must, str_term(f.issuer, i)));
    }
    if let Some(t) = &req.doc_type {
        must.push((Occur::Must, str_term(f.doc_type, t)));
    }
    if let Some(y) = req.year {
        must.push((Occur::Must, Box::new(TermQuery::new(Term::from_field_i64(f.year, y as i64), IndexRecordOption::Basic))));
    }
    if req.from.is_some() || req.to.is_some() {
        let lo = req.from.map(|d| Bound::Included(Term::from_field_i64(f.signed, date_key(d)))).unwrap_or(Bound::Unbounded);
        let hi = req.to.map(|d| Bound::Included(Term::from_field_i64(f.signed, date_key(d)))).unwrap_or(Bound::Unbounded);
        must.push((Occur::Must, Box::new(RangeQuery::new(lo, hi))));
    }
    if req.in_force_on.is_some() {
        must.extend(in_force_filter(ix, force));
    }
    if must.len() == 1 {
        must.push((Occur::Must, Box::new(AllQuery)));
    }
    Box::new(BooleanQuery::new(must))
}

/// One ranked result: a document, or a clause of one.
#[derive(Debug, Clone, Copy)]
struct Ranked {
    addr: DocAddress,
    clause: Option<u32>,
    /// For a document: its best clause.
    best: Option<u32>,
    score: f32,
    all_held: bool,
    signed: i64,
    /// Scored, or only known to rank below the first `top`.
    scored: bool,
}

/// The ranking of a request: every result, best first, and whether none
/// holds every word. With `top`, only the first `top` are in order (the
/// rest follow, unscored).
fn ranked(
    ix: &GongbaoIndex,
    searcher: &Searcher,
    req: &SearchRequest,
    pq: &ParsedQuery,
    force: &ForceMap,
    top: Option<usize>,
) -> Result<(Vec<Ranked>, bool, Plan)> {
    let err = |e: tantivy::TantivyError| Error::Index { path: ix.dir.clone(), reason: e.to_string() };
    let filter = filter_query(ix, req, force);
    let lookup_key = pq.doc_number.as_ref().map(|d| d.to_string()).or_else(|| pq.number_key.clone());
    // A 文号: the documents that carry it first, then texts that quote it.
    let (plan, carriers) = match &lookup_key {
        Some(key) => {
            let text = ParsedQuery {
                groups: vec![Group { alternatives: vec![Alternative { text: key.clone(), quoted: true }], required: true }],
                ..Default::default()
            };
            let carriers: std::collections::HashSet<DocAddress> = if req.clauses {
                Default::default()
            } else {
                let q = BooleanQuery::new(vec![
                    (
                        Occur::Must,
                        Box::new(TermQuery::new(Term::from_field_text(ix.fields.number_key, key), IndexRecordOption::Basic))
                            as Box<dyn Query>,
                    ),
                    (Occur::Must, filter.box_clone()),
                ]);
                searcher.search(&q, &tantivy::collector::DocSetCollector).map_err(err)?
            };
            (Plan::new(&text), carriers)
        }
        None => (Plan::new(pq), Default::default()),
    };
    // A 文号's carriers are boosted after ranking: everything is scored.
    let top = top.filter(|_| lookup_key.is_none());
    let Ranking { docs, clauses } = rank(ix, searcher, &plan, filter.as_ref(), req.clauses, top)?;
    // The signing date of a hit (ties go to the newest): each segment's
    // column opened once (opening one by name reads the column directory).
    let signed_cols: Vec<Option<tantivy::columnar::Column<i64>>> =
        searcher.segment_readers().iter().map(|seg| seg.fast_fields().i64("signed").ok()).collect();
    let signed = |addr: DocAddress| -> i64 {
        signed_cols.get(addr.segment_ord as usize).and_then(|c| c.as_ref()).and_then(|c| c.first(addr.doc_id)).unwrap_or(0)
    };
    let mut out: Vec<Ranked> = Vec::new();
    if req.clauses {
        for c in clauses {
            let addr = DocAddress::new(c.segment, c.doc);
            out.push(Ranked {
                addr,
                clause: Some(c.clause),
                best: None,
                score: c.score,
                all_held: c.all_held,
                signed: signed(addr),
                scored: c.scored,
            });
        }
    } else {
        let mut seen = std::collections::HashSet::new();
        for d in docs {
            let addr = DocAddress::new(d.segment, d.doc);
            let boost = if carriers.contains(&addr) { 1000.0 } else { 0.0 };
            seen.insert(addr);
            out.push(Ranked {
                addr,
                clause: None,
                best: d.best_clause,
                score: d.score + boost,
                all_held: d.all_held,
                signed: signed(addr),
                scored: d.scored,
            });
        }
        for addr in carriers.into_iter().filter(|a| !seen.contains(a)) {
            out.push(Ranked { addr, clause: None, best: None, score: 1000.0, all_held: true, signed: signed(addr), scored: true });
        }
    }
    // Best first; equal scores (to 4 digits) newest first; the unscored
    // after every scored one, in index order (only counted).
    let (mut out, mut unscored): (Vec<Ranked>, Vec<Ranked>) = out.into_iter().partition(|r| r.scored);
    let key = |r: &Ranked| (r.score * 1e4).round() as i64;
    out.sort_by_cached_key(|r| (std::cmp::Reverse(key(r)), std::cmp::Reverse(r.signed), r.addr, r.clause));
    unscored.sort_unstable_by_key(|r| (r.addr, r.clause));
    out.append(&mut unscored);
    let partial = plan.has_terms() && lookup_key.is_none() && !out.is_empty() && !out.iter().any(|r| r.all_held);
    Ok((out, partial, plan))
}

/// A stored document, as hits show it.
struct Shown {
    doc: HitSummary,
    /// The document's text (stored in `body`).
    text: String,
    /// The stored clauses (a JSON array): a hit shows one of them.
    clauses: String,
}

impl Shown {
    /// Clause `i`, parsed alone (the others are skipped).
    fn clause(&self, i: u32) -> Option<Clause> {
        nth_of_array(&self.clauses, i as usize)
    }
}

/// The `i`-th element of a JSON array, the others skipped unparsed.
fn nth_of_array<T: serde::de::DeserializeOwned>(json: &str, i: usize) -> Option<T> {
    use serde::de::{Deserializer, IgnoredAny, SeqAccess, Visitor};
    struct Nth<T>(usize, std::marker::PhantomData<T>);
    impl<'de, T: Deserialize<'de>> Visitor<'de> for Nth<T> {
        type Value = Option<T>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an array")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Option<T>, A::Error> {
            for _ in 0..self.0 {
                if seq.next_element::<IgnoredAny>()?.is_none() {
                    return Ok(None);
                }
            }
            let found = seq.next_element::<T>()?;
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok(found)
        }
    }
    serde_json::Deserializer::from_str(json).deserialize_seq(Nth(i, std::marker::PhantomData)).ok().flatten()
}

fn load(ix: &GongbaoIndex, searcher: &Searcher, addr: DocAddress) -> Result<Option<Shown>> {
    let err = |e: tantivy::TantivyError| Error::Index { path: ix.dir.clone(), reason: e.to_string() };
    let d: TantivyDocument = searcher.doc(addr).map_err(err)?;
    let Some(doc) = d.get_first(ix.fields.hit).and_then(|v| v.as_str()).and_then(HitSummary::from_json) else {
        return Ok(None);
    };
    let text = d.get_first(ix.fields.body).and_then(|v| v.as_str()).unwrap_or("").to_string();
    let clauses = d.get_first(ix.fields.clauses).and_then(|v| v.as_str()).unwrap_or("[]").to_string();
    Ok(Some(Shown { doc, text, clauses }))
}

fn provision_ref(c: &Clause) -> ProvisionRef {
    ProvisionRef { id: c.id.clone(), label: c.label.clone(), page: c.page }
}

/// Run a search.
pub fn search(ix: &GongbaoIndex, searcher: &Searcher, req: &SearchRequest) -> Result<SearchResponse> {
    let mut pq = parse_query(&req.query);
    // A 文号 nothing carries: the one it most likely means, said so.
    let mut approximate = None;
    if let Some(dn) = &pq.doc_number {
        if let Some(m) = crate::lookup::nearest(ix, searcher, dn)? {
            pq.doc_number = DocNumber::parse(&m.matched);
            approximate = Some(m);
        }
    }
    let on = req.in_force_on.unwrap_or_else(crate::clock::today);
    let force = ForceMap::cached(ix, searcher, on)?;
    let limit = req.limit.max(1);
    let (results, partial, plan) = ranked(ix, searcher, req, &pq, &force, Some(req.offset.saturating_add(limit)))?;
    let facets = facets(searcher, &results, &force);
    let terms = match &pq.doc_number {
        Some(d) => vec![d.to_string()],
        None => plan.highlights(),
    };
    let mut cache: HashMap<DocAddress, Option<Shown>> = HashMap::new();
    let mut hits = Vec::new();
    for r in results.iter().skip(req.offset).take(limit) {
        if let std::collections::hash_map::Entry::Vacant(e) = cache.entry(r.addr) {
            e.insert(load(ix, searcher, r.addr)?);
        }
        let Some(Some(shown)) = cache.get(&r.addr) else { continue };
        let d = &shown.doc;
        let status = Some(force.status_of(&d.id, d.effective_from, d.effective_until).as_str().to_string());
        let base = |kind: &str, id: String, snippet: String, provision: Option<ProvisionRef>| Hit {
            id,
            kind: kind.into(),
            doc_number: d.doc_number.clone(),
            title: d.title.clone(),
            issuer: d.issuer.clone(),
            signed_date: d.signed_date,
            status: status.clone(),
            score: r.score,
            snippet,
            provision,
            all_words: r.all_held,
        };
        match r.clause {
            Some(ci) => {
                let Some(c) = shown.clause(ci) else { continue };
                hits.push(base(KIND_PROVISION, c.id.clone(), snippet(c.text(&shown.text), &terms, 80), Some(provision_ref(&c))));
            }
            None => {
                let best_clause = r.best.and_then(|ci| shown.clause(ci));
                let best = best_clause.as_ref().map(provision_ref);
                hits.push(base(KIND_DOCUMENT, d.id.clone(), doc_snippet(&shown.text, best_clause.as_ref(), &terms, 80), best));
            }
        }
    }
    Ok(SearchResponse { query: req.query.clone(), total: results.len(), hits, facets, ignored: pq.ignored, partial, approximate })
}

/// Every result of a request, best first: its document's id and, with
/// `clauses`, the clause's index in `crate::clause::clauses` of that
/// document (for tests and tools; no stored record is opened).
pub fn results(ix: &GongbaoIndex, searcher: &Searcher, req: &SearchRequest) -> Result<Vec<(String, Option<u32>)>> {
    let pq = parse_query(&req.query);
    let on = req.in_force_on.unwrap_or_else(crate::clock::today);
    let force = ForceMap::cached(ix, searcher, on)?;
    let (ranked, _, _) = ranked(ix, searcher, req, &pq, &force, None)?;
    let mut out = Vec::with_capacity(ranked.len());
    let mut buf = String::new();
    for r in &ranked {
        let seg = searcher.segment_reader(r.addr.segment_ord);
        let Ok(Some(col)) = seg.fast_fields().str("doc_id") else { continue };
        let Some(ord) = col.term_ords(r.addr.doc_id).next() else { continue };
        buf.clear();
        if col.ord_to_str(ord, &mut buf).unwrap_or(false) {
            out.push((buf.clone(), r.clause));
        }
    }
    Ok(out)
}

type Facets = BTreeMap<String, BTreeMap<String, usize>>;

fn key_date(k: i64) -> Option<NaiveDate> {
    (k != crate::index::OPEN_END).then(|| NaiveDate::from_ymd_opt((k / 10000) as i32, (k / 100 % 100) as u32, (k % 100) as u32)).flatten()
}

/// Counts of the results by issuer, doc_type, year and status, read from
/// fast fields (no stored record is opened); a clause counts for its
/// document's values.
fn facets(searcher: &Searcher, results: &[Ranked], force: &ForceMap) -> Facets {
    let mut by_seg: BTreeMap<u32, HashMap<tantivy::DocId, usize>> = BTreeMap::new();
    for r in results {
        *by_seg.entry(r.addr.segment_ord).or_default().entry(r.addr.doc_id).or_default() += 1;
    }
    let mut issuers: BTreeMap<String, usize> = BTreeMap::new();
    let mut doc_types: BTreeMap<String, usize> = BTreeMap::new();
    let mut years: BTreeMap<String, usize> = BTreeMap::new();
    let mut statuses: BTreeMap<String, usize> = BTreeMap::new();
    for (seg_ord, docs) in by_seg {
        let seg = searcher.segment_reader(seg_ord);
        let ff = seg.fast_fields();
        let (Ok(issuer), Ok(doc_type), Ok(doc_id), Ok(year), Ok(from), Ok(until)) =
            (ff.str("issuer"), ff.str("doc_type"), ff.str("doc_id"), ff.i64("year"), ff.i64("from"), ff.i64("until"))
        else {
            continue;
        };
        // The doc_id ordinals the force map names, and their ids.
        let forced = doc_id.as_ref().map(|col| force.target_ords(seg, col)).unwrap_or_default();
        let mut ords: [HashMap<u64, usize>; 2] = Default::default();
        for (&doc, &n) in &docs {
            for (k, col) in [&issuer, &doc_type].into_iter().enumerate() {
                if let Some(c) = col {
                    for o in c.term_ords(doc) {
                        *ords[k].entry(o).or_default() += n;
                    }
                }
            }
            if let Some(y) = year.first(doc) {
                *years.entry(y.to_string()).or_default() += n;
            }
            let ord = doc_id.as_ref().and_then(|c| c.term_ords(doc).next());
            let id: &str = ord.and_then(|o| forced.get(&o)).map(String::as_str).unwrap_or("");
            let st = force.status_of(id, from.first(doc).and_then(key_date), until.first(doc).and_then(key_date));
            *statuses.entry(st.as_str().to_string()).or_default() += n;
        }
        for (k, (col, out)) in [(&issuer, &mut issuers), (&doc_type, &mut doc_types)].into_iter().enumerate() {
            let Some(c) = col else { continue };
            let mut buf = String::new();
            for (&ord, &n) in &ords[k] {
                buf.clear();
                if c.ord_to_str(ord, &mut buf).unwrap_or(false) {
                    *out.entry(buf.clone()).or_default() += n;
                }
            }
        }
    }
    let mut f = Facets::new();
    for (name, counts) in [("issuer", issuers), ("doc_type", doc_types), ("year", years), ("status", statuses)] {
        if !counts.is_empty() {
            f.insert(name.into(), counts);
        }
    }
    f
}

/// An id typed by a user: a document id (a 文号 in any bracket variant, or
/// `<issue id>#<n>`), optionally followed by a provision path
/// (`青政发[2024]74号/第四章/第十五条`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypedId {
    pub doc_id: String,
    /// The full provision id, when a path was given.
    pub provision_id: Option<String>,
}

/// Read an id typed by a user.
pub fn resolve_id(input: &str) -> TypedId {
    let input = input.trim();
    // The 文号 part ends at its 号; a provision path follows a '/'.
    // Ids of documents without a 文号 (`<issue id>#<n>`) hold slashes themselves.
    let split_at = match input.find('#') {
        Some(h) => input[h..].find('/').map(|i| h + i),
        None => input.find('/').filter(|&i| DocNumber::parse(&input[..i]).is_some()),
    };
    let (doc_part, path) = match split_at {
        Some(i) => (&input[..i], Some(&input[i + 1..])),
        None => (input, None),
    };
    let doc_id = DocNumber::parse(doc_part).map(|d| d.to_string()).unwrap_or_else(|| doc_part.to_string());
    let provision_id = path.filter(|p| !p.is_empty()).map(|p| {
        let p = p.replace('(', "（").replace(')', "）");
        format!("{doc_id}/{p}")
    });
    TypedId { doc_id, provision_id }
}

fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// The snippet of a document hit: around the matches in and beside its
/// best clause (where the words stand together, and the provision the hit
/// names), or anywhere in the text when that clause holds none verbatim.
/// (Only that stretch of a long regulation is read.)
fn doc_snippet(text: &str, best: Option<&Clause>, terms: &[String], width: usize) -> String {
    if let Some(c) = best {
        // Bytes on either side: a Han character is three.
        let margin = width * 3;
        let a = text.floor_char_boundary(c.start.saturating_sub(margin));
        let b = text.ceil_char_boundary(c.end.saturating_add(margin));
        if let Some(s) = text.get(a..b).and_then(|stretch| snippet_within(stretch, a > 0, b < text.len(), terms, width, true)) {
            return s;
        }
    }
    snippet(text, terms, width)
}

/// A window of about `width` characters of `text` around the best cluster
/// of verbatim matches of `terms` (compared width- and case-folded, skipping
/// punctuation as the index does), with the matches in `<mark>`…`</mark>`.
pub fn snippet(text: &str, terms: &[String], width: usize) -> String {
    snippet_within(text, false, false, terms, width, false).unwrap_or_default()
}

/// [`snippet`] of a stretch of a text (with text `before` and `after` it,
/// marked by an ellipsis); with `exact_only`, `None` when no term stands
/// there verbatim.
fn snippet_within(stretch: &str, before: bool, after: bool, terms: &[String], width: usize, exact_only: bool) -> Option<String> {
    use crate::tokenizer::{fold_char, indexed};
    let chars: Vec<char> = stretch.chars().map(|c| if c == '\n' { ' ' } else { c }).collect();
    // The indexed characters of the text, folded, with their positions.
    let seq: Vec<(usize, char)> = chars.iter().enumerate().filter(|(_, c)| indexed(**c)).map(|(i, c)| (i, fold_char(*c))).collect();
    // A number is marked where no numeral stands beside it (2年 not in 1992年).
    let numeral = |c: char| crate::rank::is_numeral(fold_char(c));
    let find = |tt: &[char], spans: &mut Vec<(usize, usize)>| {
        if tt.is_empty() || tt.len() > seq.len() {
            return;
        }
        let (guard_start, guard_end) = (numeral(tt[0]), numeral(tt[tt.len() - 1]));
        for i in 0..=seq.len() - tt.len() {
            if seq[i].1 == tt[0] && (1..tt.len()).all(|k| seq[i + k].1 == tt[k]) {
                let (a, b) = (seq[i].0, seq[i + tt.len() - 1].0 + 1);
                if (guard_start && a > 0 && numeral(chars[a - 1])) || (guard_end && chars.get(b).is_some_and(|c| numeral(*c))) {
                    continue;
                }
                spans.push((a, b));
            }
        }
    };
    let mut spans: Vec<(usize, usize)> = Vec::new();
    let token_lists: Vec<Vec<char>> = terms.iter().map(|t| t.chars().filter(|c| indexed(*c)).map(fold_char).collect()).collect();
    for tt in &token_lists {
        find(tt, &mut spans);
    }
    if spans.is_empty() && exact_only {
        return None;
    }
    if spans.is_empty() {
        // A loose (clause) match: mark the character pairs of the terms.
        for tt in token_lists.iter().filter(|t| t.len() >= 4) {
            for w in tt.windows(2) {
                find(w, &mut spans);
            }
        }
    }
    spans.sort();
    // Choose the window start that covers the most match characters.
    let n = chars.len();
    let mut best = (0usize, 0usize);
    for &(s, _) in &spans {
        let start = s.saturating_sub(width / 5);
        // Only the spans that start in the window can lie in it (spans are
        // sorted by start: a long text with a common word has hundreds).
        let from = spans.partition_point(|(a, _)| *a < start);
        let covered: usize =
            spans[from..].iter().take_while(|(a, _)| *a <= start + width).filter(|(_, b)| *b <= start + width).map(|(a, b)| b - a).sum();
        if covered > best.1 {
            best = (start, covered);
        }
    }
    let start = best.0.min(n.saturating_sub(width));
    let end = (start + width).min(n);
    let mut out = String::new();
    if start > 0 || before {
        out.push('…');
    }
    let mut i = start;
    // Merge overlapping spans inside the window.
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for &(a, b) in spans.iter().filter(|(a, b)| *a >= start && *b <= end) {
        match merged.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => merged.push((a, b)),
        }
    }
    for (a, b) in merged {
        out.push_str(&escape_html(&chars[i..a].iter().collect::<String>()));
        out.push_str("<mark>");
        out.push_str(&escape_html(&chars[a..b].iter().collect::<String>()));
        out.push_str("</mark>");
        i = b;
    }
    out.push_str(&escape_html(&chars[i..end].iter().collect::<String>()));
    if end < n || after {
        out.push('…');
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lenient_parsing() {
        let q = parse_query("社区食堂 \"养老服务\" -餐饮 A OR B +必须");
        assert_eq!(q.terms(), vec![vec!["社区食堂"], vec!["养老服务"], vec!["A", "B"], vec!["必须"]]);
        assert_eq!(q.groups.iter().map(|g| g.required).collect::<Vec<_>>(), [false, true, false, true]);
        assert!(q.groups[1].alternatives[0].quoted && !q.groups[0].alternatives[0].quoted);
        assert_eq!(q.excluded, vec!["餐饮".to_string()]);
        let q = parse_query("\"unclosed OR - ！！ OR");
        assert!(!q.ignored.is_empty());
        assert!(!parse_query("+ 社区").ignored.is_empty());
        assert_eq!(parse_query("青政发[2024]74号").doc_number.unwrap().to_string(), "青政发〔2024〕74号");
        assert_eq!(parse_query("青政发 〔2024〕 74 号").doc_number.unwrap().to_string(), "青政发〔2024〕74号");
        assert_eq!(parse_query("〔2024〕74号").number_key.unwrap(), "〔2024〕74号");
        assert_eq!(parse_query("74号").number_key.unwrap(), "74号");
    }

    #[test]
    fn typed_ids() {
        let t = resolve_id("青政发[2024]74号/第四章/第十五条");
        assert_eq!(t.doc_id, "青政发〔2024〕74号");
        assert_eq!(t.provision_id.as_deref(), Some("青政发〔2024〕74号/第四章/第十五条"));
        assert_eq!(resolve_id("青政发 （2024） 74 号").doc_id, "青政发〔2024〕74号");
        assert_eq!(resolve_id("青政发〔2024〕59号/四/(一)/1").provision_id.as_deref(), Some("青政发〔2024〕59号/四/（一）/1"));
        assert_eq!(resolve_id("某公报/2024/3#5").doc_id, "某公报/2024/3#5");
        assert_eq!(resolve_id("某公报/2024/3#5/一").provision_id.as_deref(), Some("某公报/2024/3#5/一"));
    }

    #[test]
    fn one_element_of_an_array() {
        let json = r#"[{"a":[1,2]},"x",3,{"b":"4"}]"#;
        assert_eq!(nth_of_array::<u32>(json, 2), Some(3));
        assert_eq!(nth_of_array::<String>(json, 1).as_deref(), Some("x"));
        assert_eq!(nth_of_array::<u32>(json, 4), None);
        assert_eq!(nth_of_array::<u32>(json, 0), None, "not a number");
        assert_eq!(nth_of_array::<u32>("not json", 0), None);
    }

    #[test]
    fn snippets_mark_verbatim_matches() {
        let s = snippet("第一条 为推进社区食堂建设，制定本办法。", &["社区食堂".into()], 80);
        assert!(s.contains("<mark>社区食堂</mark>"), "{s}");
        let s = snippet("试行）的通知", &["试行的通知".into()], 80);
        assert_eq!(s, "<mark>试行）的通知</mark>");
    }
}
