//! **rank**: a query plan in, every matching document and clause with its
//! score out.
//!
//! The model. A query is groups of alternatives (`A OR B`); an alternative
//! is a term typed as a whole and its words (`crate::words`). Every form of
//! every term and word is looked up in the per-character postings of the
//! title and the text: exact matches are phrases of characters; a term or
//! word of two characters or more also matches a title when its characters
//! stand in that order close together (an abbreviation: 控烟条例 in
//! 公共场所控制吸烟条例, 市府办 in 市人民政府办公厅), and one of three or
//! more a text the same way (公租房 in 公共租赁住房). The positions of the
//! matches fall into the document's clauses (`crate::clause`), so one pass
//! scores documents and clauses alike:
//!
//! * coverage — the share of the query's words an entry holds, each word
//!   weighted by its rarity (idf); a term held as a whole counts as all its
//!   words. An entry that holds every word ranks before any that does not;
//! * proximity — for a document, the coverage of its best clause (the
//!   words together in one clause rank higher); for a clause, its own text
//!   before the headings above it and its document's title;
//! * title — for a document, the coverage of its title;
//! * BM25 (k1 1.2, b 0.75) of the words, the whole terms and the loose
//!   matches, a title match weighing more, saturated into [0, 1) so that it
//!   orders entries of equal coverage.
//!
//! Quoted terms and `+terms` are required (a clause must hold a quoted term
//! in its own text), excluded terms remove the entries that hold them
//! verbatim; filters come as a tantivy query of allowed documents.

use crate::error::{Error, Result};
use crate::index::{GongbaoIndex, CLAUSE_END};
use crate::query::ParsedQuery;
use crate::words::{key, term_words};
use std::collections::HashMap;
use tantivy::postings::{Postings, SegmentPostings};
use tantivy::query::{EnableScoring, Query};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, DocSet, InvertedIndexReader, Searcher, SegmentReader, Term, TERMINATED};

/// BM25 parameters.
const K1: f32 = 1.2;
const B: f32 = 0.75;
/// A title (or heading) match weighs this many text matches in BM25.
const TITLE_BM25: f32 = 3.0;
/// A loose (abbreviation) match weighs this much of an exact one in BM25
/// (it counts fully for coverage).
const LOOSE_BM25: f32 = 0.5;
/// BM25 is saturated as r / (r + SATURATION · Σ idf of the query's words).
const SATURATION: f32 = 1.5;

/// A clause's score: every word held (in its text, the headings above it
/// or its document's title) before anything else, then its coverage, its
/// own text's coverage, and BM25 in [0, 1).
const CLAUSE_ALL: f32 = 100.0;
const CLAUSE_COVERAGE: f32 = 10.0;
const CLAUSE_OWN: f32 = 3.0;
/// A document's score: its best clause holds every word first; then that
/// clause's coverage, the title's, the document's, how many of its clauses
/// hold the words (aboutness, saturated), the best clause's BM25 and the
/// document's. (A document that holds every word scattered over its text
/// gets no tier of its own: measured on the dev queries, ranking it first
/// costs 0.02 nDCG@10 — long regulations hold most words somewhere.)
const DOC_ALL_IN_CLAUSE: f32 = 100.0;
const DOC_CLAUSE_COVERAGE: f32 = 10.0;
const DOC_TITLE: f32 = 6.0;
const DOC_COVERAGE: f32 = 2.0;
const DOC_ABOUT: f32 = 3.0;
const ABOUT_HALF: f32 = 2.0;
const DOC_CLAUSE_BM25: f32 = 1.0;

/// Longest span, in positions, of a loose match of `n` characters in a
/// title (控烟条例 in 控制吸烟条例: 6) and in a text (维保 in 维护保养: 3;
/// 公租房 in 公共租赁住房: 6).
fn title_span(n: usize) -> Option<usize> {
    match n {
        0 | 1 => None,
        2 => Some(4),
        n => Some(3 * n + 1),
    }
}
fn body_span(n: usize) -> Option<usize> {
    match n {
        0 | 1 => None,
        2 => Some(4),
        n => Some(2 * n + 1),
    }
}

/// A unit of the query that is counted: a word, or a term as a whole.
#[derive(Debug, Clone)]
struct Unit {
    /// Indexes into `Plan::forms`.
    forms: Vec<usize>,
}

/// One alternative of a group.
#[derive(Debug, Clone)]
struct Alt {
    quoted: bool,
    whole: usize,
    words: Vec<usize>,
}

#[derive(Debug, Clone)]
struct Group {
    alts: Vec<Alt>,
    required: bool,
}

/// A distinct form to look up, and how.
#[derive(Debug, Clone)]
struct Form {
    chars: Vec<String>,
    title_span: Option<usize>,
    body_span: Option<usize>,
    /// A number: not where a numeral stands before or after it.
    guarded: bool,
}

/// What the query asks, as the ranking reads it.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    forms: Vec<Form>,
    units: Vec<Unit>,
    groups: Vec<Group>,
    excluded: Vec<usize>,
}

impl Plan {
    /// The plan of a parsed query: terms, their words and forms.
    pub fn new(pq: &ParsedQuery) -> Plan {
        let mut p = Plan::default();
        for g in &pq.groups {
            let mut alts = Vec::new();
            for a in &g.alternatives {
                if a.quoted {
                    let u = p.unit(std::slice::from_ref(&a.text), false);
                    alts.push(Alt { quoted: true, whole: u, words: vec![u] });
                    continue;
                }
                let tw = term_words(&a.text);
                let single_number = !tw.splits() && tw.words.first().is_some_and(|w| w.number);
                let whole = p.unit_of(&tw.whole, true, single_number);
                let words: Vec<usize> =
                    if tw.splits() { tw.words.iter().map(|w| p.unit_of(&w.forms, true, w.number)).collect() } else { vec![whole] };
                alts.push(Alt { quoted: false, whole, words });
            }
            if !alts.is_empty() {
                p.groups.push(Group { alts, required: g.required });
            }
        }
        for t in &pq.excluded {
            let u = p.unit(std::slice::from_ref(t), false);
            p.excluded.extend(p.units[u].forms.clone());
        }
        p
    }

    /// The form of `s`; `loose` for the typed form of an unquoted term or
    /// word, `number` for a number word's forms.
    fn form(&mut self, s: &str, loose: bool, number: bool) -> Option<usize> {
        let chars = key(s);
        if chars.is_empty() {
            return None;
        }
        let n = chars.len();
        // Numbers match exactly (6年 is not 6个年).
        let (ts, bs) = if loose && !number { (title_span(n), body_span(n)) } else { (None, None) };
        // The same characters as another form: one lookup. (A quoted or
        // unquoted number is then looked up as typed, unguarded.)
        if let Some(i) = self.forms.iter().position(|f| f.chars == chars) {
            let f = &mut self.forms[i];
            f.title_span = f.title_span.or(ts);
            f.body_span = f.body_span.or(bs);
            f.guarded &= number;
            return Some(i);
        }
        self.forms.push(Form { chars, title_span: ts, body_span: bs, guarded: number });
        Some(self.forms.len() - 1)
    }

    fn unit(&mut self, forms: &[String], loose: bool) -> usize {
        self.unit_of(forms, loose, false)
    }

    fn unit_of(&mut self, forms: &[String], loose: bool, number: bool) -> usize {
        let ids: Vec<usize> = forms.iter().enumerate().filter_map(|(k, s)| self.form(s, loose && k == 0, number)).collect();
        if let Some(i) = self.units.iter().position(|u| u.forms == ids) {
            return i;
        }
        self.units.push(Unit { forms: ids });
        self.units.len() - 1
    }

    /// Does the query hold any word to rank by?
    pub fn has_terms(&self) -> bool {
        !self.groups.is_empty()
    }

    /// The strings a snippet marks: every form of every term and word.
    pub fn highlights(&self) -> Vec<String> {
        let mut v: Vec<String> = self.units.iter().flat_map(|u| u.forms.iter().map(|&f| self.forms[f].chars.concat())).collect();
        v.sort_by_key(|s| std::cmp::Reverse(s.chars().count()));
        v.dedup();
        v
    }
}

/// Where a document stands in the results.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RankedDoc {
    pub segment: u32,
    pub doc: DocId,
    pub score: f32,
    /// Its best clause (index into its clauses), if any clause matched.
    pub best_clause: Option<u32>,
    pub all_held: bool,
    /// False for a document ranked below the first `top` without being
    /// scored (its `score` is then 0 and `best_clause` none).
    pub scored: bool,
}

/// Where a clause stands in the results.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RankedClause {
    pub segment: u32,
    pub doc: DocId,
    pub clause: u32,
    pub score: f32,
    pub all_held: bool,
    /// As for [`RankedDoc::scored`].
    pub scored: bool,
}

/// Every matching document and clause, scored (unsorted).
#[derive(Debug, Default)]
pub struct Ranking {
    pub docs: Vec<RankedDoc>,
    pub clauses: Vec<RankedClause>,
}

/// Matches of one form in one document.
#[derive(Debug, Clone, Default)]
struct FormMatch {
    /// Start positions of exact matches in the text.
    exact: Vec<u32>,
    /// Start positions of loose matches (not exact) in the text.
    loose: Vec<u32>,
    title: u32,
    title_loose: u32,
}

/// The clauses of a document that hold matches, with their counts per
/// form (flat: clause `k`'s count of form `f` is at `k * nf + f`).
#[derive(Debug, Default)]
struct ClauseHits {
    /// Clause indexes, ascending.
    ids: Vec<u32>,
    exact: Vec<u32>,
    loose: Vec<u32>,
}

impl ClauseHits {
    /// Assign every match of a document to the clause it falls in.
    fn of(forms: &[FormMatch], table: &[(u32, u32)]) -> ClauseHits {
        let nf = forms.len();
        let n_cl = table.len().saturating_sub(1);
        // (clause, form, loose) of every match; positions ascend per form,
        // so the clause pointer only moves on within one list.
        let mut events: Vec<(u32, u32, bool)> = Vec::new();
        for (fi, fm) in forms.iter().enumerate() {
            for (positions, loose) in [(&fm.exact, false), (&fm.loose, true)] {
                let mut at = 0usize;
                for &p in positions {
                    while at < n_cl && table[at].0 <= p {
                        at += 1;
                    }
                    events.push((at.saturating_sub(1) as u32, fi as u32, loose));
                }
            }
        }
        events.sort_unstable_by_key(|e| e.0);
        let mut h = ClauseHits::default();
        for (ci, fi, loose) in events {
            if h.ids.last() != Some(&ci) {
                h.ids.push(ci);
                h.exact.resize(h.ids.len() * nf, 0);
                h.loose.resize(h.ids.len() * nf, 0);
            }
            let k = (h.ids.len() - 1) * nf + fi as usize;
            if loose {
                h.loose[k] += 1;
            } else {
                h.exact[k] += 1;
            }
        }
        h
    }

    fn exact_of(&self, k: usize, nf: usize) -> &[u32] {
        &self.exact[k * nf..(k + 1) * nf]
    }

    fn loose_of(&self, k: usize, nf: usize) -> &[u32] {
        &self.loose[k * nf..(k + 1) * nf]
    }
}

/// A document with matches.
struct DocMatch {
    doc: DocId,
    forms: Vec<FormMatch>,
    /// (first position, parent + 1), the last one the end.
    clause_table: Vec<(u32, u32)>,
    /// The clauses with matches.
    clauses: ClauseHits,
    title_len: u32,
    /// Its counts as a whole (filled with the statistics, used again to judge it).
    counts: UnitCounts,
}

/// Characters that make up numbers, in Arabic and Chinese numerals.
const NUMERALS: &str = "0123456789〇○零一二两三四五六七八九十百千万亿";

/// Is this character part of a number (Arabic or Chinese numerals)?
pub fn is_numeral(c: char) -> bool {
    NUMERALS.contains(c)
}

/// Postings of each distinct character of a form, and the form's
/// characters as indexes into them.
fn open_postings(inv: &InvertedIndexReader, field: Field, chars: &[String]) -> Result<Option<(Vec<SegmentPostings>, Vec<usize>)>> {
    let mut distinct: Vec<&String> = Vec::new();
    let mut seq = Vec::with_capacity(chars.len());
    for c in chars {
        let i = distinct.iter().position(|d| *d == c).unwrap_or_else(|| {
            distinct.push(c);
            distinct.len() - 1
        });
        seq.push(i);
    }
    let mut ps = Vec::with_capacity(distinct.len());
    for c in distinct {
        let t = Term::from_field_text(field, c);
        match inv.read_postings(&t, IndexRecordOption::WithFreqsAndPositions).map_err(|e| io_err(inv, e))? {
            Some(p) => ps.push(p),
            None => return Ok(None),
        }
    }
    Ok(Some((ps, seq)))
}

fn io_err(_: &InvertedIndexReader, e: std::io::Error) -> Error {
    Error::Index { path: "index".into(), reason: e.to_string() }
}

/// Every document holding all characters of a form, with the start
/// positions of its exact matches and of its loose ones (in order, within
/// `span` positions).
fn phrase_matches(
    inv: &InvertedIndexReader,
    field: Field,
    form: &Form,
    span: Option<usize>,
    allowed: &[bool],
    mut found: impl FnMut(DocId, Vec<u32>, Vec<u32>),
) -> Result<()> {
    let chars = &form.chars;
    let Some((mut ps, seq)) = open_postings(inv, field, chars)? else { return Ok(()) };
    // A number that starts (ends) with a numeral stands where no numeral
    // stands before (after) it: 5年 is not in 2025年, 五年 not in 十五年.
    // (Only typed numbers: brackets are not indexed, so a quoted 57号 is
    // also in 〔2024〕57号.)
    let numeral = |s: &String| form.guarded && s.chars().all(is_numeral);
    let (guard_before, guard_after) = (numeral(&chars[0]), numeral(&chars[chars.len() - 1]));
    let mut guards: Vec<SegmentPostings> = Vec::new();
    if guard_before || guard_after {
        for c in NUMERALS.chars() {
            let t = Term::from_field_text(field, &c.to_string());
            if let Some(p) = inv.read_postings(&t, IndexRecordOption::WithFreqsAndPositions).map_err(|e| io_err(inv, e))? {
                guards.push(p);
            }
        }
    }
    let mut guard_pos: Vec<u32> = Vec::new();
    let mut buf: Vec<u32> = Vec::new();
    let last = chars.len() as u32;
    let mut order: Vec<usize> = (0..ps.len()).collect();
    order.sort_by_key(|&i| ps[i].doc_freq());
    let mut pos: Vec<Vec<u32>> = vec![Vec::new(); ps.len()];
    let (mut exact_at, mut loose_at) = (vec![0usize; seq.len()], vec![0usize; seq.len()]);
    let lead = order[0];
    let mut doc = ps[lead].doc();
    'docs: while doc != TERMINATED {
        for &k in &order[1..] {
            let d = if ps[k].doc() < doc { ps[k].seek(doc) } else { ps[k].doc() };
            if d > doc {
                doc = if d == TERMINATED { TERMINATED } else { ps[lead].seek(d) };
                continue 'docs;
            }
        }
        if allowed.get(doc as usize).copied().unwrap_or(false) {
            for (k, p) in ps.iter_mut().enumerate() {
                p.positions(&mut pos[k]);
            }
            let mut exact = Vec::new();
            let mut loose = Vec::new();
            // Positions come sorted and every start looked for grows with
            // the first character's position: one pointer per character,
            // never moved back (exact: at s + i; loose: the first after
            // the previous character's).
            exact_at.iter_mut().for_each(|p| *p = 0);
            loose_at.iter_mut().for_each(|p| *p = 0);
            for &s in &pos[seq[0]] {
                let mut is_exact = true;
                for i in 1..seq.len() {
                    let (l, want) = (&pos[seq[i]], s + i as u32);
                    while exact_at[i] < l.len() && l[exact_at[i]] < want {
                        exact_at[i] += 1;
                    }
                    if l.get(exact_at[i]) != Some(&want) {
                        is_exact = false;
                        break;
                    }
                }
                if is_exact {
                    exact.push(s);
                    continue;
                }
                let Some(span) = span else { continue };
                let mut prev = s;
                let mut ok = true;
                for i in 1..seq.len() {
                    let l = &pos[seq[i]];
                    while loose_at[i] < l.len() && l[loose_at[i]] <= prev {
                        loose_at[i] += 1;
                    }
                    match l.get(loose_at[i]) {
                        Some(&x) if ((x - s) as usize) < span => prev = x,
                        _ => {
                            ok = false;
                            break;
                        }
                    }
                }
                if ok {
                    loose.push(s);
                }
            }
            if !guards.is_empty() && (!exact.is_empty() || !loose.is_empty()) {
                guard_pos.clear();
                for g in guards.iter_mut() {
                    let d = if g.doc() < doc { g.seek(doc) } else { g.doc() };
                    if d == doc {
                        g.positions(&mut buf);
                        guard_pos.extend_from_slice(&buf);
                    }
                }
                guard_pos.sort_unstable();
                let beside = |p: u32| guard_pos.binary_search(&p).is_ok();
                let clear = |s: &u32, end: u32| {
                    let before = guard_before && *s > 0 && beside(s - 1);
                    let after = guard_after && beside(end);
                    !before && !after
                };
                exact.retain(|s| clear(s, s + last));
                loose.retain(|s| clear(s, s + last));
            }
            if !exact.is_empty() || !loose.is_empty() {
                found(doc, exact, loose);
            }
        }
        doc = ps[lead].advance();
    }
    Ok(())
}

/// Per-unit counts of one entry.
#[derive(Debug, Clone, Default)]
struct UnitCounts {
    /// In the entry's own text.
    exact: Vec<u32>,
    loose: Vec<u32>,
    /// In its title (a document) or context (a clause: headings above it
    /// and its document's title).
    title: Vec<u32>,
    title_loose: Vec<u32>,
}

/// Corpus statistics for BM25 and coverage.
struct Stats {
    /// idf of each unit among documents (coverage weights and document BM25).
    doc_idf: Vec<f32>,
    /// idf of each unit among clauses.
    clause_idf: Vec<f32>,
    avg_doc_len: f32,
    avg_clause_len: f32,
    avg_title_len: f32,
}

fn idf(n: f32, df: f32) -> f32 {
    (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
}

fn bm25(tf: u32, len: f32, avg: f32) -> f32 {
    if tf == 0 {
        return 0.0;
    }
    let tf = tf as f32;
    tf * (K1 + 1.0) / (tf + K1 * (1.0 - B + B * len / avg.max(1.0)))
}

/// The lengths BM25 normalises by: the entry's text and title (a clause's
/// title is its document's) and their averages.
#[derive(Debug, Clone, Copy)]
struct Lengths {
    text: f32,
    avg_text: f32,
    title: f32,
    avg_title: f32,
}

/// What one entry's counts say.
struct Judgement {
    coverage: f32,
    all_held: bool,
    /// Coverage by the own text alone.
    own_coverage: f32,
    /// Coverage by the title (or context) alone.
    title_coverage: f32,
    bm25: f32,
    /// Every required group holds and no exclusion.
    admissible: bool,
}

impl Plan {
    /// Coverage and BM25 of an entry's counts; `idf` weighs the words both.
    /// Without `full`, only what decides whether the entry is a result
    /// (`admissible`, `all_held`, `coverage`); the rest is left 0.
    fn judge(&self, c: &UnitCounts, idf: &[f32], l: Lengths, full: bool) -> Judgement {
        let Lengths { text: len, avg_text: avg, title: title_len, avg_title } = l;
        let coverage_idf = idf;
        // A word is held where it (or its abbreviation) occurs.
        let held = |u: usize, own_only: bool, title_only: bool| -> f32 {
            let own = c.exact[u] + c.loose[u] > 0;
            let title = c.title[u] + c.title_loose[u] > 0;
            let h = if own_only {
                own
            } else if title_only {
                title
            } else {
                own || title
            };
            h as u8 as f32
        };
        let (mut cov, mut own_cov, mut title_cov, mut total_w) = (0.0f32, 0.0f32, 0.0f32, 0.0f32);
        let mut all = true;
        let mut admissible = true;
        let mut r = 0.0f32;
        for g in &self.groups {
            let (mut gc, mut go, mut gt, mut gw) = (0.0f32, 0.0f32, 0.0f32, 0.0f32);
            let mut g_ok = false;
            for a in &g.alts {
                let w: f32 = a.words.iter().map(|&u| coverage_idf[u]).fold(0.0, f32::max).max(coverage_idf[a.whole]);
                gw = gw.max(w);
                let alt_cov = |own_only: bool, title_only: bool| -> f32 {
                    if a.quoted {
                        let u = a.whole;
                        let has = if own_only {
                            c.exact[u] > 0
                        } else if title_only {
                            c.title[u] > 0
                        } else {
                            c.exact[u] + c.title[u] > 0
                        };
                        return has as u8 as f32;
                    }
                    let whole = held(a.whole, own_only, title_only);
                    let sum: f32 = a.words.iter().map(|&u| coverage_idf[u]).sum();
                    if sum <= 0.0 {
                        return whole;
                    }
                    let words = a.words.iter().map(|&u| held(u, own_only, title_only) * coverage_idf[u]).sum::<f32>() / sum;
                    whole.max(words)
                };
                let ac = alt_cov(false, false);
                gc = gc.max(ac);
                if !full {
                    g_ok |= if a.quoted { c.exact[a.whole] + c.title[a.whole] > 0 } else { ac >= 0.999 };
                    continue;
                }
                go = go.max(alt_cov(true, false));
                gt = gt.max(alt_cov(false, true));
                if a.quoted {
                    g_ok |= c.exact[a.whole] + c.title[a.whole] > 0;
                } else {
                    g_ok |= ac >= 0.999;
                }
                // BM25 of the words and of loose matches of the whole term.
                // (A whole term matched exactly adds nothing beside its
                // words: measured, it only costs clause MRR.)
                let split = a.words.len() > 1 || a.words[0] != a.whole;
                for &u in &a.words {
                    r += idf[u] * (bm25(c.exact[u], len, avg) + TITLE_BM25 * bm25(c.title[u], title_len, avg_title));
                    r += LOOSE_BM25 * idf[u] * (bm25(c.loose[u], len, avg) + TITLE_BM25 * bm25(c.title_loose[u], title_len, avg_title));
                }
                if split {
                    let u = a.whole;
                    r += LOOSE_BM25 * idf[u] * (bm25(c.loose[u], len, avg) + TITLE_BM25 * bm25(c.title_loose[u], title_len, avg_title));
                }
            }
            if g.required && !g_ok {
                admissible = false;
            }
            all &= gc >= 0.999;
            let gw = gw.max(0.01);
            cov += gw * gc;
            own_cov += gw * go;
            title_cov += gw * gt;
            total_w += gw;
        }
        let total_w = total_w.max(1e-6);
        if !full {
            return Judgement {
                coverage: cov / total_w,
                all_held: all && !self.groups.is_empty(),
                own_coverage: 0.0,
                title_coverage: 0.0,
                bm25: 0.0,
                admissible,
            };
        }
        // Saturate BM25: the score of one full match of every word is ~0.5.
        let reference: f32 = self
            .groups
            .iter()
            .map(|g| g.alts.iter().map(|a| a.words.iter().map(|&u| idf[u]).sum::<f32>()).fold(0.0, f32::max))
            .sum::<f32>()
            * SATURATION;
        let bm = r / (r + reference.max(1e-3));
        Judgement {
            coverage: cov / total_w,
            all_held: all && !self.groups.is_empty(),
            own_coverage: own_cov / total_w,
            title_coverage: title_cov / total_w,
            bm25: bm,
            admissible,
        }
    }
}

/// Buffers for [`clause_counts`], reused over a search's clauses (a
/// search judges thousands of them).
#[derive(Default)]
struct Scratch {
    uc: UnitCounts,
    ctx_exact: Vec<u32>,
    ctx_loose: Vec<u32>,
}

fn reset(v: &mut Vec<u32>, n: usize) {
    v.clear();
    v.resize(n, 0);
}

/// A clause's counts: its own, and its context (the clauses above it and the
/// document's title), in `s.uc`.
fn clause_counts<'s>(plan: &Plan, m: &DocMatch, ci: usize, s: &'s mut Scratch) -> &'s UnitCounts {
    let (n, nf) = (plan.units.len(), plan.forms.len());
    for v in [&mut s.uc.exact, &mut s.uc.loose, &mut s.uc.title, &mut s.uc.title_loose] {
        reset(v, n);
    }
    reset(&mut s.ctx_exact, nf);
    reset(&mut s.ctx_loose, nf);
    let h = &m.clauses;
    let (own_exact, own_loose) = (h.exact_of(ci, nf), h.loose_of(ci, nf));
    for (f, fm) in m.forms.iter().enumerate() {
        s.ctx_exact[f] += fm.title;
        s.ctx_loose[f] += fm.title_loose;
    }
    // Parents: their own matches are this clause's context.
    let mut parent = m.clause_table.get(h.ids[ci] as usize).map(|c| c.1).unwrap_or(0);
    let mut guard = 0;
    while parent > 0 && guard < 16 {
        let p = parent - 1;
        if let Ok(k) = h.ids.binary_search(&p) {
            for f in 0..nf {
                s.ctx_exact[f] += h.exact[k * nf + f];
                s.ctx_loose[f] += h.loose[k * nf + f];
            }
        }
        parent = m.clause_table.get(p as usize).map(|c| c.1).unwrap_or(0);
        guard += 1;
    }
    for (u, unit) in plan.units.iter().enumerate() {
        for &f in &unit.forms {
            s.uc.exact[u] += own_exact[f];
            s.uc.loose[u] += own_loose[f];
            s.uc.title[u] += s.ctx_exact[f];
            s.uc.title_loose[u] += s.ctx_loose[f];
        }
    }
    &s.uc
}

fn doc_counts(plan: &Plan, m: &DocMatch) -> UnitCounts {
    let n = plan.units.len();
    let mut uc = UnitCounts { exact: vec![0; n], loose: vec![0; n], title: vec![0; n], title_loose: vec![0; n] };
    for (u, unit) in plan.units.iter().enumerate() {
        for &f in &unit.forms {
            let fm = &m.forms[f];
            uc.exact[u] += fm.exact.len() as u32;
            uc.loose[u] += fm.loose.len() as u32;
            uc.title[u] += fm.title;
            uc.title_loose[u] += fm.title_loose;
        }
    }
    uc
}

/// The allowed documents of a segment: alive and matching the filter.
fn allowed_docs(seg: &SegmentReader, weight: &dyn tantivy::query::Weight) -> Result<Vec<bool>> {
    let err = |e: tantivy::TantivyError| Error::Index { path: "index".into(), reason: e.to_string() };
    let mut allowed = vec![false; seg.max_doc() as usize];
    let mut scorer = weight.scorer(seg, 1.0).map_err(err)?;
    let alive = seg.alive_bitset();
    let mut d = scorer.doc();
    while d != TERMINATED {
        if alive.is_none_or(|a| a.is_alive(d)) {
            allowed[d as usize] = true;
        }
        d = scorer.advance();
    }
    Ok(allowed)
}

/// Rank every allowed document (and its clauses) against the plan. With no
/// terms, every allowed document matches with score 0 and no clause.
///
/// With `top`, only the documents (or, with `clauses_wanted`, the clauses)
/// that can be among the first `top` are scored; the others come back with
/// `scored: false`, to be ranked after them in any order.
pub fn rank(
    ix: &GongbaoIndex,
    searcher: &Searcher,
    plan: &Plan,
    filter: &dyn Query,
    clauses_wanted: bool,
    top: Option<usize>,
) -> Result<Ranking> {
    let err = |e: tantivy::TantivyError| Error::Index { path: ix.dir.clone(), reason: e.to_string() };
    let f = &ix.fields;
    let weight = filter.weight(EnableScoring::disabled_from_searcher(searcher)).map_err(err)?;
    let mut out = Ranking::default();
    // Pass 1: matches per segment.
    let mut per_seg: Vec<(Vec<DocMatch>, Vec<bool>)> = Vec::new();
    let (mut n_docs, mut body_tokens, mut title_tokens, mut n_clauses) = (0u64, 0u64, 0u64, 0u64);
    for seg in searcher.segment_readers() {
        let allowed = allowed_docs(seg, weight.as_ref())?;
        let body = seg.inverted_index(f.body).map_err(err)?;
        let title = seg.inverted_index(f.title).map_err(err)?;
        let kind_docs =
            seg.inverted_index(f.kind).map_err(err)?.doc_freq(&Term::from_field_text(f.kind, crate::index::KIND_DOCUMENT)).unwrap_or(0);
        n_docs += kind_docs as u64;
        body_tokens += body.total_num_tokens();
        title_tokens += title.total_num_tokens();
        let starts = seg.fast_fields().u64("clause_starts").map_err(err)?;
        n_clauses += (starts.values.num_vals() as u64).saturating_sub(kind_docs as u64);
        let mut index: HashMap<DocId, usize> = HashMap::new();
        let mut docs: Vec<DocMatch> = Vec::new();
        let nf = plan.forms.len();
        let mut entry = |docs: &mut Vec<DocMatch>, d: DocId| -> usize {
            *index.entry(d).or_insert_with(|| {
                docs.push(DocMatch {
                    doc: d,
                    forms: vec![FormMatch::default(); nf],
                    clause_table: vec![],
                    clauses: ClauseHits::default(),
                    title_len: 0,
                    counts: UnitCounts::default(),
                });
                docs.len() - 1
            })
        };
        // The forms' postings are read in parallel, then merged in order.
        type BodyHits = Vec<(DocId, Vec<u32>, Vec<u32>)>;
        type TitleHits = Vec<(DocId, u32, u32)>;
        let read_form = |form: &Form| -> Result<(BodyHits, TitleHits)> {
            let mut body_hits: BodyHits = Vec::new();
            phrase_matches(&body, f.body, form, form.body_span, &allowed, |d, e, l| body_hits.push((d, e, l)))?;
            let mut title_hits: TitleHits = Vec::new();
            phrase_matches(&title, f.title, form, form.title_span, &allowed, |d, e, l| {
                title_hits.push((d, e.len() as u32, l.len() as u32))
            })?;
            Ok((body_hits, title_hits))
        };
        // In parallel only when the postings to walk are long enough to
        // pay for waking rayon's workers (most queries' are not).
        let lead_docs: usize = plan
            .forms
            .iter()
            .map(|form| {
                form.chars.iter().map(|c| body.doc_freq(&Term::from_field_text(f.body, c)).unwrap_or(0) as usize).min().unwrap_or(0)
            })
            .sum();
        let found: Vec<Result<(BodyHits, TitleHits)>> = if plan.forms.len() > 1 && lead_docs >= PAR_MIN_LEAD_DOCS {
            use rayon::prelude::*;
            plan.forms.par_iter().map(read_form).collect()
        } else {
            plan.forms.iter().map(read_form).collect()
        };
        for (fi, r) in found.into_iter().enumerate() {
            let (body_hits, title_hits) = r?;
            for (d, e, l) in body_hits {
                let k = entry(&mut docs, d);
                docs[k].forms[fi].exact = e;
                docs[k].forms[fi].loose = l;
            }
            for (d, e, l) in title_hits {
                let k = entry(&mut docs, d);
                docs[k].forms[fi].title = e;
                docs[k].forms[fi].title_loose = l;
            }
        }
        if !plan.has_terms() {
            for (d, ok) in allowed.iter().enumerate() {
                if *ok {
                    entry(&mut docs, d as DocId);
                }
            }
        }
        // Clause tables and per-clause counts.
        let norms = seg.get_fieldnorms_reader(f.title).map_err(err)?;
        for m in docs.iter_mut() {
            m.title_len = norms.fieldnorm(m.doc);
            m.clause_table = starts.values_for_doc(m.doc).map(|v| ((v >> 32) as u32, (v & CLAUSE_END) as u32)).collect();
            if m.clause_table.is_empty() {
                m.clause_table.push((0, CLAUSE_END as u32));
            }
            m.clauses = ClauseHits::of(&m.forms, &m.clause_table);
        }
        per_seg.push((docs, allowed));
    }
    // Statistics.
    let nu = plan.units.len();
    let mut df_doc = vec![0u32; nu];
    let mut df_clause = vec![0u32; nu];
    for (docs, _) in per_seg.iter_mut() {
        for m in docs.iter_mut() {
            m.counts = doc_counts(plan, m);
            let uc = &m.counts;
            for (df, (e, t)) in df_doc.iter_mut().zip(uc.exact.iter().zip(&uc.title)) {
                if e + t > 0 {
                    *df += 1;
                }
            }
            for k in 0..m.clauses.ids.len() {
                let e = m.clauses.exact_of(k, plan.forms.len());
                for (u, unit) in plan.units.iter().enumerate() {
                    if unit.forms.iter().any(|&f| e[f] > 0) {
                        df_clause[u] += 1;
                    }
                }
            }
        }
    }
    let nd = n_docs.max(1) as f32;
    let nc = n_clauses.max(1) as f32;
    let stats = Stats {
        doc_idf: df_doc.iter().map(|&d| idf(nd, d as f32)).collect(),
        clause_idf: df_clause.iter().map(|&d| idf(nc, d as f32)).collect(),
        avg_doc_len: body_tokens as f32 / nd,
        avg_clause_len: body_tokens as f32 / nc,
        avg_title_len: title_tokens as f32 / nd,
    };
    // Pass 2: scores. Each document is judged as a whole first (a few
    // operations per word), which bounds its score; its clauses are judged
    // only while that bound can still reach the first `top` results.
    let mut cands: Vec<Candidate> = Vec::new();
    for (seg_ord, (docs, _)) in per_seg.iter().enumerate() {
        for m in docs {
            let uc = &m.counts;
            let doc_len = m.clause_table.last().map(|c| c.0).unwrap_or(0) as f32;
            let lengths = Lengths { text: doc_len, avg_text: stats.avg_doc_len, title: m.title_len as f32, avg_title: stats.avg_title_len };
            let jd = plan.judge(uc, &stats.doc_idf, lengths, true);
            let excluded = plan.excluded.iter().any(|&f| !m.forms[f].exact.is_empty() || m.forms[f].title > 0);
            if !clauses_wanted && (!jd.admissible || excluded) {
                continue;
            }
            // No clause holds more of the query (weighed as clauses weigh
            // it) than its whole document does; saturated parts stay below 1.
            let jc = plan.judge(uc, &stats.clause_idf, lengths, false);
            let bound = if !plan.has_terms() {
                0.0
            } else if clauses_wanted {
                CLAUSE_ALL * jc.all_held as u8 as f32 + (CLAUSE_COVERAGE + CLAUSE_OWN) * jc.coverage + 1.0
            } else {
                DOC_ALL_IN_CLAUSE * jc.all_held as u8 as f32
                    + DOC_CLAUSE_COVERAGE * jc.coverage
                    + DOC_TITLE * jd.title_coverage
                    + DOC_COVERAGE * jd.coverage
                    + DOC_ABOUT
                    + DOC_CLAUSE_BM25
                    + jd.bm25
            };
            cands.push(Candidate { seg: seg_ord as u32, m, jd, bound });
        }
    }
    if top.is_some() {
        cands.sort_by(|a, b| b.bound.total_cmp(&a.bound));
    }
    // The best `top` scores so far (a min-heap, in units of 1e-4: results
    // are ordered by 4 digits).
    let mut best: std::collections::BinaryHeap<std::cmp::Reverse<i64>> = Default::default();
    let mut next = 0usize;
    while next < cands.len() {
        if let Some(k) = top {
            // An entry whose bound is below the k-th best score (by more
            // than rounding) cannot be among the first k, nor can any
            // after it.
            if let Some(std::cmp::Reverse(kth)) = best.peek().filter(|_| best.len() >= k.max(1)) {
                if ((cands[next].bound * 1e4) as i64) < kth - 10 {
                    break;
                }
            }
        }
        let end = match top {
            Some(k) if next == 0 => k.max(PRUNE_CHUNK).min(cands.len()),
            Some(_) => (next + PRUNE_CHUNK).min(cands.len()),
            None => cands.len(),
        };
        let mut keep = |score: f32| {
            if let Some(k) = top {
                best.push(std::cmp::Reverse((score * 1e4).round() as i64));
                if best.len() > k.max(1) {
                    best.pop();
                }
            }
        };
        let scored: Vec<(Option<RankedDoc>, Vec<RankedClause>)> =
            map_judged(&cands[next..end], |scratch, c| score_doc(plan, &stats, c, clauses_wanted, true, scratch));
        for (d, cs) in scored {
            if let Some(d) = d {
                keep(d.score);
                out.docs.push(d);
            }
            cs.iter().for_each(|c| keep(c.score));
            out.clauses.extend(cs);
        }
        next = end;
    }
    // The rest: results all the same (counted, in facets), ranked after.
    let rest = &cands[next..];
    if clauses_wanted {
        let judged: Vec<Vec<RankedClause>> = map_judged(rest, |scratch, c| score_doc(plan, &stats, c, true, false, scratch).1);
        out.clauses.extend(judged.into_iter().flatten());
    } else {
        for c in rest {
            out.docs.push(RankedDoc {
                segment: c.seg,
                doc: c.m.doc,
                score: 0.0,
                best_clause: None,
                all_held: c.jd.all_held,
                scored: false,
            });
        }
    }
    Ok(out)
}

/// How many documents are judged clause by clause at a time before the
/// bound is checked again.
const PRUNE_CHUNK: usize = 16;

/// Below this many documents in the rarest character's postings, summed
/// over the forms, the forms are read on the calling thread: waking rayon's
/// workers (tens of microseconds, far more on a busy machine) costs more
/// than the walk.
const PAR_MIN_LEAD_DOCS: usize = 256;
/// Below this many clauses with a hit, candidates are judged on the calling
/// thread (a clause's judgement takes well under a microsecond).
const PAR_MIN_CLAUSES: usize = 512;

/// `judge` over candidates, in parallel when they hold enough clauses to
/// pay for it, in order either way.
fn map_judged<'a, R: Send>(cands: &[Candidate<'a>], judge: impl Fn(&mut Scratch, &Candidate<'a>) -> R + Sync + Send) -> Vec<R> {
    let clauses: usize = cands.iter().map(|c| c.m.clauses.ids.len()).sum();
    if clauses >= PAR_MIN_CLAUSES {
        use rayon::prelude::*;
        cands.par_iter().map_init(Scratch::default, |scratch, c| judge(scratch, c)).collect()
    } else {
        let mut scratch = Scratch::default();
        cands.iter().map(|c| judge(&mut scratch, c)).collect()
    }
}

/// A document admitted to pass 2: its judgement as a whole, and the bound
/// that puts on its score.
struct Candidate<'a> {
    seg: u32,
    m: &'a DocMatch,
    jd: Judgement,
    bound: f32,
}

/// One document's score and its clauses' (pass 2 of [`rank`]).
/// Without `full` (clauses only), the clauses that are results, unscored.
fn score_doc(
    plan: &Plan,
    stats: &Stats,
    c: &Candidate,
    clauses_wanted: bool,
    full: bool,
    scratch: &mut Scratch,
) -> (Option<RankedDoc>, Vec<RankedClause>) {
    let (m, jd, seg_ord) = (c.m, &c.jd, c.seg);
    let nf = plan.forms.len();
    let mut clauses_out = Vec::new();
    let title = m.title_len as f32;
    // Its clauses, and the best of them.
    let mut best: Option<(f32, u32, bool, f32, f32)> = None;
    let mut about = 0.0f32;
    for (ki, ci) in m.clauses.ids.iter().enumerate() {
        let own_exact = m.clauses.exact_of(ki, nf);
        let cc = clause_counts(plan, m, ki, scratch);
        let start = m.clause_table[*ci as usize].0;
        let end = m.clause_table.get(*ci as usize + 1).map(|c| c.0).unwrap_or(start);
        // Coverage weighs words by their rarity among clauses: 罚款
        // is in most regulations but in few of their clauses.
        let lengths = Lengths { text: (end - start) as f32, avg_text: stats.avg_clause_len, title, avg_title: stats.avg_title_len };
        let j = plan.judge(cc, &stats.clause_idf, lengths, full);
        // A clause holds a quoted term in its own text, and no excluded one.
        let quoted_ok = plan.groups.iter().all(|g| !g.required || g.alts.iter().any(|a| !a.quoted || cc.exact[a.whole] > 0));
        let excluded = plan.excluded.iter().any(|&f| own_exact[f] > 0);
        let own_any = cc.exact.iter().chain(&cc.loose).any(|&x| x > 0);
        if !own_any || !j.admissible || !quoted_ok || excluded {
            continue;
        }
        if !full {
            clauses_out.push(RankedClause { segment: seg_ord, doc: m.doc, clause: *ci, score: 0.0, all_held: j.all_held, scored: false });
            continue;
        }
        about += j.own_coverage;
        let score = CLAUSE_ALL * j.all_held as u8 as f32 + CLAUSE_COVERAGE * j.coverage + CLAUSE_OWN * j.own_coverage + j.bm25;
        if best.is_none_or(|b| score > b.0) {
            best = Some((score, *ci, j.all_held, j.coverage, j.bm25));
        }
        if clauses_wanted {
            clauses_out.push(RankedClause { segment: seg_ord, doc: m.doc, clause: *ci, score, all_held: j.all_held, scored: true });
        }
    }
    if clauses_wanted {
        return (None, clauses_out);
    }
    let (clause_all, clause_cov, clause_bm25) = best.map(|b| (b.2, b.3, b.4)).unwrap_or((false, 0.0, 0.0));
    let score = if plan.has_terms() {
        DOC_ALL_IN_CLAUSE * clause_all as u8 as f32
            + DOC_CLAUSE_COVERAGE * clause_cov
            + DOC_TITLE * jd.title_coverage
            + DOC_COVERAGE * jd.coverage
            + DOC_ABOUT * about / (about + ABOUT_HALF)
            + DOC_CLAUSE_BM25 * clause_bm25
            + jd.bm25
    } else {
        0.0
    };
    (
        Some(RankedDoc { segment: seg_ord, doc: m.doc, score, best_clause: best.map(|b| b.1), all_held: jd.all_held, scored: true }),
        clauses_out,
    )
}
