//! **query**: a user's query in, ranked hits with highlighted snippets out.
//!
//! The query language is lenient and never fails: words, "exact phrases",
//! `-exclusion`, `OR` between alternatives; a query that is a 文号 (any
//! bracket variant, any spacing) or its number part looks the document up
//! first. Every term is matched verbatim through the per-character field
//! (recall) and scored through the jieba field (ranking); title matches
//! weigh more than body matches.

use crate::docnum::DocNumber;
use crate::error::{Error, Result};
use crate::index::{date_key, GongbaoIndex, ProvisionHit, KIND_DOCUMENT, KIND_PROVISION};
use crate::lookup::ApproximateMatch;
use crate::status::ForceMap;
use crate::tokenizer::{CharTokenizer, JiebaTokenizer};
use chrono::NaiveDate;
use regex::Regex;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::ops::Bound;
use std::sync::LazyLock;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{AllQuery, BooleanQuery, BoostQuery, Occur, PhraseQuery, Query, RangeQuery, TermQuery, TermSetQuery};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::{Searcher, TantivyDocument, Term};

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
    /// The query was a 文号 that no document carries; the hits are for this
    /// one, one or two characters of its 机关代字 away (an OCR misreading).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approximate: Option<ApproximateMatch>,
}

/// A query, read leniently.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ParsedQuery {
    /// All groups must match; within a group, any alternative.
    pub groups: Vec<Vec<String>>,
    pub excluded: Vec<String>,
    pub ignored: Vec<String>,
    /// The query as a whole is a 文号.
    pub doc_number: Option<DocNumber>,
    /// The query as a whole is the number part of a 文号 (`〔2024〕74号`, `74号`).
    pub number_key: Option<String>,
}

/// `〔2024〕74号`, `[2024]74号`, `（2024）74 号`
static NUMBER_PART: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^[〔\[［【（(]((?:19|20)\d{2})[〕\]］】）)](\d{1,5})号$").unwrap());
/// `74号`
static SEQ_ONLY: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^(\d{1,5})号$").unwrap());

/// Read a query: words, "phrases", -exclusions, OR. Never fails.
pub fn parse_query(q: &str) -> ParsedQuery {
    let mut out = ParsedQuery::default();
    let squeezed = crate::text::squeeze(&crate::text::fold_width(q));
    if let Some(dn) = DocNumber::parse(&squeezed).or_else(|| DocNumber::parse(q)) {
        out.doc_number = Some(dn);
    } else if let Some(c) = NUMBER_PART.captures(&squeezed) {
        out.number_key = Some(format!("〔{}〕{}号", &c[1], c[2].parse::<u32>().unwrap_or(0)));
    } else if let Some(c) = SEQ_ONLY.captures(&squeezed) {
        out.number_key = Some(format!("{}号", c[1].parse::<u32>().unwrap_or(0)));
    }
    // Lex into (text, negated, quoted) tokens.
    let mut tokens: Vec<(String, bool, bool)> = Vec::new();
    let mut chars = q.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let mut neg = false;
        if c == '-' || c == '－' {
            chars.next();
            neg = true;
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
            tokens.push((s, neg, true));
        } else {
            let mut s = String::new();
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() || (matches!(c, '"' | '“' | '”') && !s.is_empty()) {
                    break;
                }
                s.push(c);
                chars.next();
            }
            if s.is_empty() && neg {
                out.ignored.push("a lone '-'".into());
                continue;
            }
            tokens.push((s, neg, false));
        }
    }
    let mut join_next = false;
    for (text, neg, quoted) in tokens {
        if !quoted && !neg && (text == "OR" || text == "|") {
            if out.groups.is_empty() {
                out.ignored.push("OR with nothing before it".into());
            } else {
                join_next = true;
            }
            continue;
        }
        if CharTokenizer::tokens(&text).is_empty() {
            if !text.trim().is_empty() || quoted {
                out.ignored.push(format!("'{text}' (no searchable characters)"));
            }
            join_next = false;
            continue;
        }
        if neg {
            out.excluded.push(text);
        } else if join_next {
            out.groups.last_mut().unwrap().push(text);
        } else {
            out.groups.push(vec![text]);
        }
        join_next = false;
    }
    if join_next {
        out.ignored.push("OR with nothing after it".into());
    }
    out
}

fn boxed(q: impl Query + 'static, boost: f32) -> Box<dyn Query> {
    if (boost - 1.0).abs() < f32::EPSILON {
        Box::new(q)
    } else {
        Box::new(BoostQuery::new(Box::new(q), boost))
    }
}

/// The words of a term in a field without positions: each scores.
fn words_query(field: Field, tokens: &[String], boost: f32) -> Option<Box<dyn Query>> {
    let qs: Vec<(Occur, Box<dyn Query>)> = tokens
        .iter()
        .map(|t| (Occur::Should, Box::new(TermQuery::new(Term::from_field_text(field, t), IndexRecordOption::WithFreqs)) as Box<dyn Query>))
        .collect();
    match qs.len() {
        0 => None,
        _ => Some(boxed(BooleanQuery::new(qs), boost)),
    }
}

/// A phrase (or single term) over the tokens of `text` in `field`.
fn phrase(field: Field, tokens: &[String], boost: f32) -> Option<Box<dyn Query>> {
    match tokens.len() {
        0 => None,
        1 => Some(boxed(TermQuery::new(Term::from_field_text(field, &tokens[0]), IndexRecordOption::WithFreqs), boost)),
        _ => Some(boxed(PhraseQuery::new(tokens.iter().map(|t| Term::from_field_text(field, t)).collect()), boost)),
    }
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

/// Weights: a title match counts more than a body match; the jieba field
/// adds to the score of whole-word matches.
const W_TITLE_CHARS: f32 = 3.0;
const W_BODY_CHARS: f32 = 1.0;
const W_TITLE_WORDS: f32 = 4.0;
const W_BODY_WORDS: f32 = 1.5;

/// Weight of a loose match (half the character pairs of a long term).
const W_LOOSE: f32 = 0.3;

/// The query for one term: matches wherever the term occurs verbatim; with
/// `loose` (clause search), a long term also matches text that holds at
/// least half of its character pairs (调节金 for 土地增值收益调节金), ranked
/// below verbatim matches.
fn term_query(ix: &GongbaoIndex, text: &str, loose: bool) -> Option<Box<dyn Query>> {
    let f = &ix.fields;
    let chars: Vec<String> = CharTokenizer::tokens(text).into_iter().map(|t| t.text).collect();
    let words: Vec<String> = JiebaTokenizer::default().tokens(text).into_iter().map(|t| t.text).collect();
    let mut should: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    if loose && chars.len() >= 4 {
        let pairs: Vec<(Occur, Box<dyn Query>)> =
            chars.windows(2).filter_map(|w| phrase(f.body_chars, w, 1.0)).map(|q| (Occur::Should, q)).collect();
        let need = pairs.len().div_ceil(2);
        should.push((Occur::Should, boxed(BooleanQuery::with_minimum_required_clauses(pairs, need), W_LOOSE)));
    }
    // What must match: the term verbatim (the per-character phrase), in
    // the title or the body — for a clause, in its body, or loosely.
    if let Some(q) = phrase(f.body_chars, &chars, W_BODY_CHARS) {
        should.push((Occur::Should, q));
    }
    if !loose {
        if let Some(q) = phrase(f.title_chars, &chars, W_TITLE_CHARS) {
            should.push((Occur::Should, q));
        }
    }
    if should.is_empty() {
        return None;
    }
    // What only ranks: the jieba words, in the title (a clause's title is
    // its place and its document's title) and in the body.
    let mut parts: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, Box::new(BooleanQuery::new(should)))];
    if loose {
        parts.extend(phrase(f.title_chars, &chars, W_TITLE_CHARS).map(|q| (Occur::Should, q)));
    }
    parts.extend(words_query(f.title, &words, W_TITLE_WORDS).map(|q| (Occur::Should, q)));
    parts.extend(words_query(f.body, &words, W_BODY_WORDS).map(|q| (Occur::Should, q)));
    Some(Box::new(BooleanQuery::new(parts)))
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

/// Build the tantivy query for a request.
pub fn build_query(ix: &GongbaoIndex, req: &SearchRequest, pq: &ParsedQuery) -> Box<dyn Query> {
    build_query_with(ix, req, pq, None)
}

/// Build the tantivy query for a request, filtered by status when a force
/// map is given and the request asks for documents in force.
fn build_query_with(ix: &GongbaoIndex, req: &SearchRequest, pq: &ParsedQuery, force: Option<&ForceMap>) -> Box<dyn Query> {
    let f = &ix.fields;
    let mut must: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let kind = if req.clauses { KIND_PROVISION } else { KIND_DOCUMENT };
    must.push((Occur::Must, str_term(f.kind, kind)));
    let lookup_key = pq.doc_number.as_ref().map(|d| d.to_string()).or_else(|| pq.number_key.clone());
    if let Some(key) = lookup_key {
        // A 文号: the document itself first, then texts that mention it.
        let mut alts: Vec<(Occur, Box<dyn Query>)> =
            vec![(Occur::Should, boxed(TermQuery::new(Term::from_field_text(f.number_key, &key), IndexRecordOption::Basic), 50.0))];
        if let Some(q) = term_query(ix, &key, false) {
            alts.push((Occur::Should, q));
        }
        must.push((Occur::Must, Box::new(BooleanQuery::new(alts))));
    } else {
        let loose = req.clauses;
        let groups: Vec<(Occur, Box<dyn Query>)> = pq
            .groups
            .iter()
            .map(|group| {
                let alts: Vec<(Occur, Box<dyn Query>)> =
                    group.iter().filter_map(|t| term_query(ix, t, loose)).map(|q| (Occur::Should, q)).collect();
                (Occur::Should, Box::new(BooleanQuery::new(alts)) as Box<dyn Query>)
            })
            .collect();
        if !groups.is_empty() {
            // Documents hold every word typed; a clause all but one of them
            // (the words of a topic are spread over the clauses of a
            // document), ranked by how many it holds.
            let need = if req.clauses && groups.len() >= 2 { groups.len() - 1 } else { groups.len() };
            must.push((Occur::Must, Box::new(BooleanQuery::with_minimum_required_clauses(groups, need))));
        }
        // Words typed apart that stand together in the text rank higher.
        if pq.groups.len() > 1 && pq.groups.iter().all(|g| g.len() == 1) {
            let joined: String = pq.groups.iter().map(|g| g[0].as_str()).collect();
            if let Some(q) = term_query(ix, &joined, false) {
                must.push((Occur::Should, q));
            }
        }
    }
    for t in &pq.excluded {
        if let Some(q) = term_query(ix, t, false) {
            must.push((Occur::MustNot, q));
        }
    }
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
    if let (Some(force), Some(_)) = (force, req.in_force_on) {
        must.extend(in_force_filter(ix, force));
    }
    if !must.iter().any(|(o, _)| *o == Occur::Must) {
        must.push((Occur::Must, Box::new(AllQuery)));
    }
    Box::new(BooleanQuery::new(must))
}

/// The terms to highlight: every positive term of the query.
fn highlight_terms(pq: &ParsedQuery) -> Vec<String> {
    let mut v: Vec<String> = pq.groups.iter().flatten().cloned().collect();
    if let Some(d) = &pq.doc_number {
        v = vec![d.to_string()];
    }
    v
}

/// The fields of a stored document record a hit needs (the provisions are
/// skipped, not built).
#[derive(Deserialize)]
struct DocHitView {
    id: String,
    doc_number: Option<String>,
    title: String,
    issuer: Vec<String>,
    signed_date: Option<NaiveDate>,
    validity: WindowView,
    text: String,
}

#[derive(Deserialize)]
struct WindowView {
    effective_from: Option<NaiveDate>,
    effective_until: Option<NaiveDate>,
}

/// The fields of a provision entry a best-provision lookup needs.
#[derive(Deserialize)]
struct ProvisionRefView {
    id: String,
    doc_id: String,
    label: String,
    page: u32,
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
    let on = req.in_force_on.unwrap_or_else(|| chrono::Local::now().date_naive());
    let force = ForceMap::cached(ix, searcher, on)?;
    let query = build_query_with(ix, req, &pq, Some(&force));
    let err = |e: tantivy::TantivyError| Error::Index { path: ix.dir.clone(), reason: e.to_string() };
    let limit = req.limit.max(1);
    // A few more than asked for, so that ties at the edge go to the newest.
    let (top, total, facets) = searcher
        .search(&query, &(TopDocs::with_limit(req.offset + limit + 10).order_by_score(), Count, FacetCollector { force: force.clone() }))
        .map_err(err)?;
    // Ties (equal scores to 4 digits) go to the newest document: read the
    // signed date from the fast field, then load only the hits shown.
    let mut ranked: Vec<(f32, i64, tantivy::DocAddress)> = top
        .into_iter()
        .map(|(score, addr)| {
            let seg = searcher.segment_reader(addr.segment_ord);
            let signed = seg.fast_fields().i64("signed").ok().and_then(|c| c.first(addr.doc_id)).unwrap_or(0);
            (score, signed, addr)
        })
        .collect();
    ranked.sort_by(|a, b| {
        let (sa, sb) = ((a.0 * 1e4).round() as i64, (b.0 * 1e4).round() as i64);
        sb.cmp(&sa).then(b.1.cmp(&a.1))
    });
    let terms = highlight_terms(&pq);
    let mut hits = Vec::new();
    for (score, _, addr) in ranked.into_iter().skip(req.offset).take(limit) {
        let d: TantivyDocument = searcher.doc(addr).map_err(err)?;
        if req.clauses {
            let Some(h) = d.get_first(ix.fields.hit).and_then(|v| v.as_str()) else { continue };
            let Ok(p) = serde_json::from_str::<ProvisionHit>(h) else { continue };
            hits.push(Hit {
                id: p.id.clone(),
                kind: KIND_PROVISION.into(),
                doc_number: p.doc_number.clone(),
                title: p.doc_title.clone(),
                issuer: p.issuer.clone(),
                signed_date: p.signed_date,
                status: Some(force.status_of(&p.doc_id, p.effective_from, p.effective_until).as_str().to_string()),
                score,
                snippet: snippet(&format!("{} {}", p.label, p.text), &terms, 80),
                provision: Some(ProvisionRef { id: p.id, label: p.label, page: p.page }),
            });
            continue;
        }
        let Some(rec) = d.get_first(ix.fields.record).and_then(|v| v.as_str()) else { continue };
        let Ok(doc) = serde_json::from_str::<DocHitView>(rec) else { continue };
        hits.push(Hit {
            status: Some(force.status_of(&doc.id, doc.validity.effective_from, doc.validity.effective_until).as_str().to_string()),
            snippet: snippet(&doc.text, &terms, 80),
            id: doc.id,
            kind: KIND_DOCUMENT.into(),
            doc_number: doc.doc_number,
            title: doc.title,
            issuer: doc.issuer,
            signed_date: doc.signed_date,
            score,
            provision: None,
        });
    }
    if !req.clauses && !hits.is_empty() && pq.doc_number.is_none() && pq.number_key.is_none() {
        // Each document hit shows its best-matching provision: the same
        // query over the provisions of the documents shown.
        let preq = SearchRequest { clauses: true, ..req.clone() };
        let ids = TermSetQuery::new(hits.iter().map(|h| Term::from_field_text(ix.fields.doc_id, &h.id)));
        let pquery = BooleanQuery::new(vec![(Occur::Must, build_query_with(ix, &preq, &pq, Some(&force))), (Occur::Must, Box::new(ids))]);
        let ptop = searcher.search(&pquery, &TopDocs::with_limit(hits.len() * 4).order_by_score()).map_err(err)?;
        let mut best: std::collections::HashMap<String, ProvisionRef> = Default::default();
        for (_, addr) in ptop {
            if hits.iter().all(|h| best.contains_key(&h.id)) {
                break;
            }
            let d: TantivyDocument = searcher.doc(addr).map_err(err)?;
            let Some(p) =
                d.get_first(ix.fields.hit).and_then(|v| v.as_str()).and_then(|h| serde_json::from_str::<ProvisionRefView>(h).ok())
            else {
                continue;
            };
            best.entry(p.doc_id).or_insert(ProvisionRef { id: p.id, label: p.label, page: p.page });
        }
        for h in &mut hits {
            h.provision = best.remove(&h.id);
        }
    }
    Ok(SearchResponse { query: req.query.clone(), total, hits, facets, ignored: pq.ignored, approximate })
}

/// Counts of the matching entries by issuer, doc_type, year and status,
/// read from fast fields (no stored record is opened).
struct FacetCollector {
    force: ForceMap,
}

type Facets = BTreeMap<String, BTreeMap<String, usize>>;

struct FacetSegment {
    force: ForceMap,
    issuer: Option<tantivy::columnar::StrColumn>,
    doc_type: Option<tantivy::columnar::StrColumn>,
    doc_id: Option<tantivy::columnar::StrColumn>,
    year: tantivy::columnar::Column<i64>,
    from: tantivy::columnar::Column<i64>,
    until: tantivy::columnar::Column<i64>,
    /// Counts by term ordinal, resolved to strings once at harvest.
    issuers: HashMap<u64, usize>,
    doc_types: HashMap<u64, usize>,
    years: HashMap<i64, usize>,
    statuses: HashMap<&'static str, usize>,
    /// The doc_id ordinals the force map names, and their ids.
    forced: std::sync::Arc<HashMap<u64, String>>,
}

fn key_date(k: i64) -> Option<NaiveDate> {
    (k != crate::index::OPEN_END).then(|| NaiveDate::from_ymd_opt((k / 10000) as i32, (k / 100 % 100) as u32, (k % 100) as u32)).flatten()
}

impl tantivy::collector::Collector for FacetCollector {
    type Fruit = Facets;
    type Child = FacetSegment;
    fn for_segment(&self, _: tantivy::SegmentOrdinal, seg: &tantivy::SegmentReader) -> tantivy::Result<FacetSegment> {
        let ff = seg.fast_fields();
        let doc_id = ff.str("doc_id")?;
        // The targets' ordinals in this segment, looked up once per force map.
        let key = seg.segment_id().uuid_string();
        let cached = self.force.segment_ords.lock().ok().and_then(|m| m.get(&key).cloned());
        let forced = match cached {
            Some(f) => f,
            None => {
                let mut forced = HashMap::new();
                if let Some(col) = &doc_id {
                    for id in self.force.repealed.keys().chain(self.force.extended.keys()) {
                        if let Some(ord) = col.dictionary().term_ord(id.as_bytes())? {
                            forced.insert(ord, id.clone());
                        }
                    }
                }
                let f = std::sync::Arc::new(forced);
                if let Ok(mut m) = self.force.segment_ords.lock() {
                    m.insert(key, f.clone());
                }
                f
            }
        };
        Ok(FacetSegment {
            force: self.force.clone(),
            issuer: ff.str("issuer")?,
            doc_type: ff.str("doc_type")?,
            doc_id,
            year: ff.i64("year")?,
            from: ff.i64("from")?,
            until: ff.i64("until")?,
            issuers: HashMap::new(),
            doc_types: HashMap::new(),
            years: HashMap::new(),
            statuses: HashMap::new(),
            forced,
        })
    }
    fn requires_scoring(&self) -> bool {
        false
    }
    fn merge_fruits(&self, fruits: Vec<Facets>) -> tantivy::Result<Facets> {
        let mut out = Facets::new();
        for f in fruits {
            for (facet, counts) in f {
                let e = out.entry(facet).or_default();
                for (k, n) in counts {
                    *e.entry(k).or_default() += n;
                }
            }
        }
        Ok(out)
    }
}

fn resolve(col: &Option<tantivy::columnar::StrColumn>, counts: HashMap<u64, usize>) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    let Some(c) = col else { return out };
    let mut buf = String::new();
    for (ord, n) in counts {
        buf.clear();
        if c.ord_to_str(ord, &mut buf).unwrap_or(false) {
            *out.entry(buf.clone()).or_default() += n;
        }
    }
    out
}

impl tantivy::collector::SegmentCollector for FacetSegment {
    type Fruit = Facets;
    fn collect(&mut self, doc: tantivy::DocId, _: tantivy::Score) {
        if let Some(c) = &self.issuer {
            for o in c.term_ords(doc) {
                *self.issuers.entry(o).or_default() += 1;
            }
        }
        if let Some(c) = &self.doc_type {
            for o in c.term_ords(doc) {
                *self.doc_types.entry(o).or_default() += 1;
            }
        }
        if let Some(y) = self.year.first(doc) {
            *self.years.entry(y).or_default() += 1;
        }
        // Only documents the force map names need their id.
        let id =
            self.doc_id.as_ref().and_then(|c| c.term_ords(doc).next()).and_then(|o| self.forced.get(&o)).map(String::as_str).unwrap_or("");
        let st = self.force.status_of(id, self.from.first(doc).and_then(key_date), self.until.first(doc).and_then(key_date));
        *self.statuses.entry(st.as_str()).or_default() += 1;
    }
    fn harvest(self) -> Facets {
        let mut f = Facets::new();
        f.insert("issuer".into(), resolve(&self.issuer, self.issuers));
        f.insert("doc_type".into(), resolve(&self.doc_type, self.doc_types));
        f.insert("year".into(), self.years.into_iter().map(|(y, n)| (y.to_string(), n)).collect());
        f.insert("status".into(), self.statuses.into_iter().map(|(s, n)| (s.to_string(), n)).collect());
        f.retain(|_, v| !v.is_empty());
        f
    }
}

fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// A window of about `width` characters of `text` around the best cluster
/// of verbatim matches of `terms` (compared width- and case-folded, skipping
/// punctuation as the index does), with the matches in `<mark>`…`</mark>`.
pub fn snippet(text: &str, terms: &[String], width: usize) -> String {
    use crate::tokenizer::{fold_char, indexed};
    let chars: Vec<char> = text.chars().map(|c| if c == '\n' { ' ' } else { c }).collect();
    // The indexed characters of the text, folded, with their positions.
    let seq: Vec<(usize, char)> = chars.iter().enumerate().filter(|(_, c)| indexed(**c)).map(|(i, c)| (i, fold_char(*c))).collect();
    let find = |tt: &[char], spans: &mut Vec<(usize, usize)>| {
        if tt.is_empty() || tt.len() > seq.len() {
            return;
        }
        for i in 0..=seq.len() - tt.len() {
            if seq[i].1 == tt[0] && (1..tt.len()).all(|k| seq[i + k].1 == tt[k]) {
                spans.push((seq[i].0, seq[i + tt.len() - 1].0 + 1));
            }
        }
    };
    let mut spans: Vec<(usize, usize)> = Vec::new();
    let token_lists: Vec<Vec<char>> = terms.iter().map(|t| t.chars().filter(|c| indexed(*c)).map(fold_char).collect()).collect();
    for tt in &token_lists {
        find(tt, &mut spans);
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
        let covered: usize = spans.iter().filter(|(a, b)| *a >= start && *b <= start + width).map(|(a, b)| b - a).sum();
        if covered > best.1 {
            best = (start, covered);
        }
    }
    let start = best.0.min(n.saturating_sub(width));
    let end = (start + width).min(n);
    let mut out = String::new();
    if start > 0 {
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
    if end < n {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lenient_parsing() {
        let q = parse_query("社区食堂 \"养老服务\" -餐饮 A OR B");
        assert_eq!(q.groups, vec![vec!["社区食堂".to_string()], vec!["养老服务".into()], vec!["A".into(), "B".into()]]);
        assert_eq!(q.excluded, vec!["餐饮".to_string()]);
        let q = parse_query("\"unclosed OR - ！！ OR");
        assert!(!q.ignored.is_empty());
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
    fn snippets_mark_verbatim_matches() {
        let s = snippet("第一条 为推进社区食堂建设，制定本办法。", &["社区食堂".into()], 80);
        assert!(s.contains("<mark>社区食堂</mark>"), "{s}");
        let s = snippet("试行）的通知", &["试行的通知".into()], 80);
        assert_eq!(s, "<mark>试行）的通知</mark>");
    }
}
