//! Relevance harnesses: gongbao's document and clause search beside SQLite
//! FTS5 (trigram tokenizer, bm25) over the same documents and the same
//! clause rows, in the same run.
//!
//! * `dev_queries_against_fts5` — the harness that measures what users do:
//!   `tests/relevance/dev_queries.json`, 103 queries written blind from
//!   titles and a described need, judged by others who read the texts, over
//!   every text of the dev sets (`../shared/dev`, read in place) and the
//!   sample issue. Figures: document nDCG@10 and recall@10, clause MRR@10
//!   and nDCG@10 (over the clause-level queries, and MRR over all with judged
//!   clauses), queries without a hit; for gongbao, FTS5 with the query's
//!   terms ORed (ranked by how many terms a row holds, then bm25) and FTS5
//!   with them ANDed (bm25).
//! * `relevance_against_the_peer` — the older harness: 63 queries over the
//!   sample issue, written from its own words.
//!
//!     cargo test --release --test relevance -- --nocapture
//!
//! Definitions. Grades 3/2/1, unjudged 0; nDCG@10 with gain 2^g − 1.
//! recall@10 = judged-relevant in the top 10 ÷ min(10, judged relevant)
//! (so that a query with 149 relevant documents can reach 1). Clause
//! MRR@10 = 1/rank of the first judged clause among the first 10 clauses
//! (0 if none). A judged provision is given by an excerpt; it is the clause
//! (`gongbao::clause`) of our parse that holds the excerpt's first
//! character: items count as their article, a notice's own sentences as its
//! preamble (`…/正文`). Hits are mapped to clauses the same way.

mod common;
use common::*;
use gongbao::clause::{clause_at, clause_of_provision, clauses, Clause};
use gongbao::index::GongbaoIndex;
use gongbao::query::{search, SearchRequest};
use gongbao::record::{DocumentRecord, ParsedIssue};
use rayon::prelude::*;
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// Floors of the sample harness (rounded down from what ranked retrieval
/// measures: documents 0.993/1.000, clauses 0.876/0.872; the verbatim-AND
/// engine before it measured clauses 0.893/0.851 on these queries, written
/// from the sample's own words).
const FLOOR_DOC_NDCG: f64 = 0.99;
const FLOOR_DOC_RECALL: f64 = 0.99;
const FLOOR_PROV_NDCG: f64 = 0.87;
const FLOOR_PROV_RECALL: f64 = 0.87;

/// Floors of the dev harness (rounded down from what was measured: nDCG@10
/// 0.938, recall@10 0.919, clause MRR 0.888, no query without a hit).
/// Besides: nDCG@10 and clause MRR at least FTS5-OR's in the same run.
const FLOOR_DEV_NDCG: f64 = 0.95;
const FLOOR_DEV_RECALL: f64 = 0.91;
const FLOOR_DEV_CLAUSE_MRR: f64 = 0.90;

// ---------------------------------------------------------------- metrics

fn dcg(gains: impl Iterator<Item = u64>) -> f64 {
    gains.take(10).enumerate().map(|(i, g)| (2f64.powf(g as f64) - 1.0) / ((i + 2) as f64).log2()).sum()
}

fn ndcg_at_10(ranked: &[String], grades: &HashMap<String, u64>) -> f64 {
    let mut ideal: Vec<u64> = grades.values().copied().collect();
    ideal.sort_unstable_by(|a, b| b.cmp(a));
    let idcg = dcg(ideal.into_iter());
    if idcg == 0.0 {
        return 0.0;
    }
    dcg(ranked.iter().map(|id| *grades.get(id).unwrap_or(&0))) / idcg
}

/// Standard recall@10 (÷ all relevant): the sample harness.
fn recall_at_10(ranked: &[String], grades: &HashMap<String, u64>) -> f64 {
    let rel = grades.values().filter(|g| **g > 0).count();
    if rel == 0 {
        return 0.0;
    }
    ranked.iter().take(10).filter(|id| grades.get(*id).is_some_and(|g| *g > 0)).count() as f64 / rel as f64
}

/// recall@10 ÷ min(10, relevant): the dev harness.
fn capped_recall_at_10(ranked: &[String], grades: &HashMap<String, u64>) -> f64 {
    let rel = grades.values().filter(|g| **g > 0).count();
    if rel == 0 {
        return 0.0;
    }
    ranked.iter().take(10).filter(|id| grades.get(*id).is_some_and(|g| *g > 0)).count() as f64 / rel.min(10) as f64
}

fn rr_at_10(ranked: &[String], grades: &HashMap<String, u64>) -> f64 {
    ranked.iter().take(10).position(|id| grades.get(id).is_some_and(|g| *g > 0)).map(|i| 1.0 / (i + 1) as f64).unwrap_or(0.0)
}

/// Mean of per-query values.
#[derive(Default, Debug, Clone)]
struct Mean {
    sum: f64,
    n: usize,
}

impl Mean {
    fn add(&mut self, x: f64) -> f64 {
        self.sum += x;
        self.n += 1;
        x
    }
    fn get(&self) -> f64 {
        if self.n == 0 {
            0.0
        } else {
            self.sum / self.n as f64
        }
    }
}

/// One engine's figures on one harness.
#[derive(Default, Debug, Clone)]
struct Figures {
    doc_ndcg: Mean,
    doc_recall: Mean,
    /// Over the clause-level queries (`"level": "clause"`): what researchers do.
    clause_mrr: Mean,
    clause_ndcg: Mean,
    /// Over every query with judged clauses (document-level ones too).
    clause_mrr_all: Mean,
    /// Queries whose document search returned nothing.
    no_hit: usize,
    /// Queries whose clause search returned nothing.
    no_clause_hit: usize,
}

/// Keep the first occurrence of each id.
fn dedup(ids: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut seen = HashSet::new();
    ids.into_iter().filter(|i| seen.insert(i.clone())).collect()
}

// ---------------------------------------------------------------- the peer

/// How the peer combines a query's terms.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Combine {
    /// Every term (a phrase; OR groups as alternatives), ranked by bm25.
    And,
    /// Any term, ranked by how many terms the row holds, then by bm25.
    Or,
}

/// SQLite FTS5 with the trigram tokenizer: one row per document (title,
/// body) and one per clause (body; context: the document's title and the
/// headings above the clause), the same rows gongbao ranks.
struct Peer {
    db: rusqlite::Connection,
}

/// Every document's clauses, computed once (in parallel).
struct Clauses {
    of: HashMap<String, Vec<Clause>>,
}

impl Clauses {
    fn new(docs: &[DocumentRecord]) -> Clauses {
        Clauses { of: docs.par_iter().map(|d| (d.id.clone(), clauses(d))).collect() }
    }
    fn get(&self, d: &DocumentRecord) -> &[Clause] {
        &self.of[&d.id]
    }
}

/// The headings above a clause, and its document's title: its context.
fn context(doc: &DocumentRecord, cs: &[Clause], i: usize) -> String {
    let mut parts = vec![doc.title.clone()];
    let mut p = cs[i].parent;
    while let Some(k) = p {
        parts.push(format!("{} {}", cs[k].label, cs[k].heading.clone().unwrap_or_default()));
        p = cs[k].parent;
    }
    parts.join(" ")
}

impl Peer {
    fn new(docs: &[DocumentRecord], all: &Clauses) -> Peer {
        let db = rusqlite::Connection::open_in_memory().unwrap();
        db.execute_batch(
            "CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, title, body, tokenize='trigram');
             CREATE VIRTUAL TABLE clauses USING fts5(id UNINDEXED, body, title, tokenize='trigram');",
        )
        .unwrap();
        let mut rows: HashMap<&'static str, Vec<(String, String, String)>> = HashMap::new();
        for doc in docs {
            rows.entry("docs").or_default().push((doc.id.clone(), doc.title.clone(), doc.text.clone()));
            let cs = all.get(doc);
            for (i, cl) in cs.iter().enumerate() {
                rows.entry("clauses").or_default().push((cl.id.clone(), context(doc, cs, i), cl.text(&doc.text).to_string()));
            }
        }
        let tx = db.unchecked_transaction().unwrap();
        {
            for (table, rs) in &rows {
                let mut st = tx.prepare(&format!("INSERT INTO {table}(id, title, body) VALUES (?1, ?2, ?3)")).unwrap();
                for r in rs {
                    st.execute((&r.0, &r.1, &r.2)).unwrap();
                }
            }
        }
        tx.commit().unwrap();
        Peer { db }
    }

    fn quote(t: &str) -> String {
        format!("\"{}\"", t.replace('"', "\"\""))
    }

    fn held(t: &str) -> String {
        let t = t.replace('\'', "''");
        format!("(instr(title, '{t}') > 0 OR instr(body, '{t}') > 0)")
    }

    /// The ids the peer ranks for `q` over `table` (`docs` or `clauses`), best first.
    fn search(&self, table: &str, q: &str, how: Combine, limit: usize) -> Vec<String> {
        let pq = gongbao::query::parse_query(q);
        let terms: Vec<Vec<String>> = pq.terms().into_iter().map(|g| g.into_iter().map(str::to_string).collect()).collect();
        let groups: Vec<&Vec<String>> = terms.iter().collect();
        if groups.is_empty() {
            return vec![];
        }
        // A group trigram can match: every alternative of ≥ 3 characters.
        let long = |g: &Vec<String>| g.iter().all(|t| t.chars().count() >= 3);
        let fts_group = |g: &Vec<String>| format!("({})", g.iter().map(|t| Self::quote(t)).collect::<Vec<_>>().join(" OR "));
        let held_group = |g: &Vec<String>| format!("({})", g.iter().map(|t| Self::held(t)).collect::<Vec<_>>().join(" OR "));
        let excluded: Vec<String> = pq.excluded.iter().map(|t| format!("NOT {}", Self::held(t))).collect();
        let rows = |sql: &str| -> Vec<(String, f64)> {
            let Ok(mut st) = self.db.prepare(sql) else { return vec![] };
            st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, f64>(1)?)))
                .map(|rows| rows.filter_map(Result::ok).collect())
                .unwrap_or_default()
        };
        match how {
            Combine::And => {
                let m: Vec<String> = groups.iter().filter(|g| long(g)).map(|g| fts_group(g)).collect();
                let mut wh: Vec<String> = groups.iter().filter(|g| !long(g)).map(|g| held_group(g)).collect();
                wh.extend(excluded);
                let (rank, mut conds) = if m.is_empty() {
                    ("0.0".to_string(), vec![])
                } else {
                    (format!("bm25({table})"), vec![format!("{table} MATCH '{}'", m.join(" AND ").replace('\'', "''"))])
                };
                conds.extend(wh);
                let sql = format!("SELECT id, {rank} FROM {table} WHERE {} ORDER BY 2, rowid LIMIT {limit}", conds.join(" AND "));
                rows(&sql).into_iter().map(|(id, _)| id).collect()
            }
            Combine::Or => {
                // bm25 over the terms trigram can match, ORed …
                let m: Vec<String> =
                    groups.iter().flat_map(|g| g.iter()).filter(|t| t.chars().count() >= 3).map(|t| Self::quote(t)).collect();
                let bm25: HashMap<String, f64> = if m.is_empty() {
                    HashMap::new()
                } else {
                    let sql = format!("SELECT id, bm25({table}) FROM {table} WHERE {table} MATCH '{}'", m.join(" OR ").replace('\'', "''"));
                    rows(&sql).into_iter().collect()
                };
                // … and how many of the query's terms each row holds: a
                // term of 3 characters or more through the trigram index,
                // a shorter one by scanning (trigrams cannot find it).
                let ids = |t: &str| -> HashSet<String> {
                    let sql = if t.chars().count() >= 3 {
                        format!("SELECT id, 0.0 FROM {table} WHERE {table} MATCH '{}'", Self::quote(t).replace('\'', "''"))
                    } else {
                        format!("SELECT id, 0.0 FROM {table} WHERE {}", Self::held(t))
                    };
                    rows(&sql).into_iter().map(|(id, _)| id).collect()
                };
                let mut held: HashMap<String, usize> = HashMap::new();
                for g in &groups {
                    let mut in_group: HashSet<String> = HashSet::new();
                    for t in g.iter() {
                        in_group.extend(ids(t));
                    }
                    for id in in_group {
                        *held.entry(id).or_default() += 1;
                    }
                }
                for t in &pq.excluded {
                    for id in ids(t) {
                        held.remove(&id);
                    }
                }
                let mut all: Vec<(String, f64, f64)> =
                    held.into_iter().map(|(id, n)| (id.clone(), n as f64, bm25.get(&id).copied().unwrap_or(0.0))).collect();
                all.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.2.total_cmp(&b.2)).then(a.0.cmp(&b.0)));
                all.into_iter().take(limit).map(|(id, _, _)| id).collect()
            }
        }
    }
}

// ---------------------------------------------------------------- gongbao

fn gongbao_docs(ix: &GongbaoIndex, searcher: &tantivy::Searcher, q: &str) -> Vec<String> {
    let req = SearchRequest { query: q.into(), limit: 10, ..Default::default() };
    search(ix, searcher, &req).unwrap().hits.into_iter().map(|h| h.id).collect()
}

/// Clause hits, mapped to clause ids (an item to its article), first 10 distinct.
fn gongbao_clauses(ix: &GongbaoIndex, searcher: &tantivy::Searcher, q: &str, clause_ids: &ClauseIds) -> Vec<String> {
    let req = SearchRequest { query: q.into(), limit: 30, clauses: true, ..Default::default() };
    let ids = search(ix, searcher, &req).unwrap().hits.into_iter().map(|h| clause_ids.of(&h.id));
    dedup(ids).into_iter().take(10).collect()
}

/// Provision id → clause id, for every document of the corpus.
struct ClauseIds {
    of: HashMap<String, String>,
}

impl ClauseIds {
    fn new(docs: &[DocumentRecord], all: &Clauses) -> ClauseIds {
        let mut of = HashMap::new();
        for d in docs {
            let cs = all.get(d);
            for p in gongbao::structure::flatten(&d.provisions) {
                if let Some(i) = clause_of_provision(cs, &p.id) {
                    of.insert(p.id.clone(), cs[i].id.clone());
                }
            }
        }
        ClauseIds { of }
    }
    fn of(&self, id: &str) -> String {
        self.of.get(id).cloned().unwrap_or_else(|| id.to_string())
    }
}

/// Stage every parsed issue in one writer and commit once.
fn index_of(parsed: &[ParsedIssue]) -> (tempfile::TempDir, GongbaoIndex) {
    let dir = tempfile::tempdir().unwrap();
    let ix = GongbaoIndex::open_or_create(dir.path()).unwrap();
    let mut w = ix.writer().unwrap();
    for p in parsed {
        ix.stage_issue(&w, p).unwrap();
    }
    ix.commit(&mut w, "{}").unwrap();
    w.wait_merging_threads().unwrap();
    (dir, ix)
}

// ---------------------------------------------------------------- the dev harness

/// The judged keys of the dev sets: `gov/gov01.txt`, `shanghai/texts/013.txt`…
fn dev_keys(dev: &Path) -> Vec<String> {
    let mut keys = Vec::new();
    for dir in ["gov", "regulations", "local-regulations/texts", "shanghai/texts"] {
        let mut names: Vec<String> = std::fs::read_dir(dev.join(dir))
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".txt"))
            .collect();
        names.sort();
        keys.extend(names.into_iter().map(|n| format!("{dir}/{n}")));
    }
    keys
}

/// The characters the index keeps, folded, each with its byte offset.
fn keyed_with_offsets(s: &str) -> (Vec<char>, Vec<usize>) {
    s.char_indices().filter(|(_, c)| gongbao::tokenizer::indexed(*c)).map(|(i, c)| (gongbao::tokenizer::fold_char(c), i)).unzip()
}

/// Byte offset in `text` where `excerpt` starts (punctuation and widths aside).
fn find_excerpt(text: &str, excerpt: &str) -> Option<usize> {
    let (hay, offs) = keyed_with_offsets(text);
    let (needle, _) = keyed_with_offsets(excerpt);
    if needle.is_empty() || needle.len() > hay.len() {
        return None;
    }
    (0..=hay.len() - needle.len()).find(|&i| hay[i..i + needle.len()] == needle[..]).map(|i| offs[i])
}

struct Judged {
    id: String,
    clause_level: bool,
    query: String,
    no_relevant: bool,
    docs: HashMap<String, u64>,
    clauses: HashMap<String, u64>,
}

#[test]
fn dev_queries_against_fts5() {
    let Some(dev) = shared_dev() else { return };
    use_worker_binary();
    let t0 = std::time::Instant::now();
    let keys = dev_keys(&dev);
    let mut parsed: Vec<(String, ParsedIssue)> =
        keys.par_iter().map(|k| (k.clone(), gongbao::pipeline::parse_text(&std::fs::read_to_string(dev.join(k)).unwrap(), k))).collect();
    let sample = gongbao::pipeline::parse_file(&root().join("corpus/yuxian-2024-03.pdf"), &Default::default()).unwrap();
    parsed.push(("sample".into(), sample));
    let t_parse = t0.elapsed();
    let docs: Vec<DocumentRecord> = parsed.iter().flat_map(|(_, p)| p.documents.iter().cloned()).collect();
    let all_clauses = Clauses::new(&docs);
    // Our index and the peer's tables, side by side (two cores).
    let issues: Vec<ParsedIssue> = parsed.iter().map(|(_, p)| p.clone()).collect();
    let ((_dir, ix), (peer, t_peer)) = std::thread::scope(|s| {
        let peer = s.spawn(|| {
            let t = std::time::Instant::now();
            (Peer::new(&docs, &all_clauses), t.elapsed())
        });
        (index_of(&issues), peer.join().unwrap())
    });
    let t_index = t0.elapsed() - t_parse;
    // Judged key → document.
    let mut by_key: HashMap<String, &DocumentRecord> = HashMap::new();
    for (k, p) in &parsed {
        if k == "sample" {
            for d in &p.documents {
                by_key.insert(format!("sample/{}", d.id), d);
            }
        } else if let [d] = &p.documents[..] {
            by_key.insert(k.clone(), d);
        }
    }
    let n_clauses: usize = all_clauses.of.values().map(Vec::len).sum();
    let clause_ids = ClauseIds::new(&docs, &all_clauses);

    // The judgments, in our ids.
    let file: Value = serde_json::from_str(&std::fs::read_to_string(root().join("tests/relevance/dev_queries.json")).unwrap()).unwrap();
    let mut judged = Vec::new();
    let mut problems = Vec::new();
    for q in file["queries"].as_array().unwrap() {
        let id = q["id"].as_str().unwrap().to_string();
        let mut j = Judged {
            id: id.clone(),
            clause_level: q["level"].as_str() == Some("clause"),
            query: q["query"].as_str().unwrap().to_string(),
            no_relevant: q["no_relevant"].as_bool().unwrap_or(false),
            docs: HashMap::new(),
            clauses: HashMap::new(),
        };
        for d in q["documents"].as_array().unwrap() {
            let key = d["doc"].as_str().unwrap();
            match by_key.get(key) {
                Some(doc) => {
                    j.docs.insert(doc.id.clone(), d["grade"].as_u64().unwrap());
                }
                None => problems.push(format!("{id}: no document for {key}")),
            }
        }
        for p in q["provisions"].as_array().unwrap() {
            let key = p["doc"].as_str().unwrap();
            let excerpt = p["excerpt"].as_str().unwrap();
            let Some(doc) = by_key.get(key) else {
                problems.push(format!("{id}: no document for {key}"));
                continue;
            };
            let cs = all_clauses.get(doc);
            match find_excerpt(&doc.text, excerpt).and_then(|at| clause_at(cs, at)) {
                Some(i) => {
                    let g = j.clauses.entry(cs[i].id.clone()).or_insert(0);
                    *g = (*g).max(p["grade"].as_u64().unwrap());
                }
                None => problems.push(format!("{id}: excerpt not in {key}: {excerpt}")),
            }
        }
        judged.push(j);
    }

    let reader = ix.reader().unwrap();
    let searcher = reader.searcher();
    let engines = ["gongbao", "FTS5-OR", "FTS5-AND"];
    let mut figs: Vec<Figures> = vec![Figures::default(); 3];
    let mut per_query: Vec<(f64, f64, String)> = Vec::new();
    let mut peer_wins: Vec<String> = Vec::new();
    let t_q = std::time::Instant::now();
    let mut engine_time = [std::time::Duration::ZERO; 3];
    for j in &judged {
        let mut row = (0.0, 0.0, String::new());
        let mut row_doc = 0.0;
        for (e, f) in figs.iter_mut().enumerate() {
            let t = std::time::Instant::now();
            let (d, c) = match e {
                0 => (gongbao_docs(&ix, &searcher, &j.query), gongbao_clauses(&ix, &searcher, &j.query, &clause_ids)),
                _ => {
                    let how = if e == 1 { Combine::Or } else { Combine::And };
                    (peer.search("docs", &j.query, how, 10), dedup(peer.search("clauses", &j.query, how, 10)))
                }
            };
            engine_time[e] += t.elapsed();
            f.no_hit += d.is_empty() as usize;
            f.no_clause_hit += c.is_empty() as usize;
            if j.no_relevant {
                continue;
            }
            let n = f.doc_ndcg.add(ndcg_at_10(&d, &j.docs));
            f.doc_recall.add(capped_recall_at_10(&d, &j.docs));
            let mut rr = f64::NAN;
            if !j.clauses.is_empty() {
                rr = f.clause_mrr_all.add(rr_at_10(&c, &j.clauses));
                if j.clause_level {
                    f.clause_mrr.add(rr);
                    f.clause_ndcg.add(ndcg_at_10(&c, &j.clauses));
                }
            }
            if e == 1 && n > row.0 + 0.05 && !j.clause_level {
                peer_wins.push(format!("{} {}: FTS5-OR {n:.2} > gongbao {:.2}", j.id, j.query, row.0));
            }
            if e == 1 && j.clause_level && !rr.is_nan() && rr > row.1 + 0.05 {
                peer_wins.push(format!("{} {}: FTS5-OR clause RR {rr:.2} > gongbao {:.2}", j.id, j.query, row.1));
            }
            if e == 1 && j.clause_level {
                let g = per_query.last().map(|_| 0.0).unwrap_or(0.0) + row_doc;
                if n > g + 0.05 {
                    peer_wins.push(format!("{} {}: FTS5-OR doc nDCG {n:.2} > gongbao {g:.2}", j.id, j.query));
                }
            }
            if e == 0 {
                row_doc = n;
                let top: Vec<String> =
                    d.iter().take(3).map(|id| format!("{id}{}", if j.docs.contains_key(id) { "✓" } else { "" })).collect();
                let level = if j.clause_level { "clause" } else { "document" };
                let key = if j.clause_level { rr } else { n };
                row = (key, rr, format!("{} ({level}) {}: doc nDCG {n:.2}, clause RR {rr:.2}; top {}", j.id, j.query, top.join(" ")));
            }
        }
        if !j.no_relevant {
            per_query.push(row);
        }
    }
    let t_queries = t_q.elapsed();
    // GONGBAO_EXPLAIN=n44,n83: each one's ranking beside its judgments.
    let explain: Vec<String> = std::env::var("GONGBAO_EXPLAIN").unwrap_or_default().split(',').map(str::to_string).collect();
    for j in judged.iter().filter(|j| explain.contains(&j.id)) {
        println!("\n{} {}", j.id, j.query);
        let req = SearchRequest { query: j.query.clone(), limit: 10, ..Default::default() };
        for (i, h) in search(&ix, &searcher, &req).unwrap().hits.iter().enumerate() {
            let g = j.docs.get(&h.id).copied().unwrap_or(0);
            println!(
                "  {:>2}. [{g}] {:.3} {} {} — {}",
                i + 1,
                h.score,
                h.id,
                h.title,
                h.provision.as_ref().map(|p| p.id.as_str()).unwrap_or("")
            );
        }
        let all = gongbao::query::results(&ix, &searcher, &req).unwrap();
        for (id, g) in &j.docs {
            println!("  judged [{g}] {id} at {:?}", all.iter().position(|x| x.0 == *id).map(|p| p + 1));
        }
        let creq = SearchRequest { query: j.query.clone(), limit: 10, clauses: true, ..Default::default() };
        for (i, h) in search(&ix, &searcher, &creq).unwrap().hits.iter().enumerate() {
            let id = clause_ids.of(&h.id);
            let g = j.clauses.get(&id).copied().unwrap_or(0);
            println!("  c{:>2}. [{g}] {:.3} {} {}", i + 1, h.score, id, h.snippet.chars().take(60).collect::<String>());
        }
        let by_id: HashMap<&str, &DocumentRecord> = docs.iter().map(|d| (d.id.as_str(), d)).collect();
        let all: Vec<String> = gongbao::query::results(&ix, &searcher, &creq)
            .unwrap()
            .into_iter()
            .filter_map(|(d, c)| Some(all_clauses.get(by_id.get(d.as_str())?).get(c? as usize)?.id.clone()))
            .collect();
        for (id, g) in &j.clauses {
            println!("  judged clause [{g}] {id} at {:?}", all.iter().position(|x| x == id).map(|p| p + 1));
        }
    }

    println!(
        "\ndev corpus: {} documents, {n_clauses} clauses; {} queries ({} with judged clauses, {} of them clause-level)",
        docs.len(),
        judged.len(),
        figs[0].clause_mrr_all.n,
        figs[0].clause_mrr.n
    );
    println!(
        "time: parse {:.1} s, index and peer tables {:.1} s (peer {:.1} s), {} × 3 × 2 searches {:.1} s (gongbao {:.1} s, FTS5-OR {:.1} s, FTS5-AND {:.1} s)",
        t_parse.as_secs_f64(),
        t_index.as_secs_f64(),
        t_peer.as_secs_f64(),
        judged.len(),
        t_queries.as_secs_f64(),
        engine_time[0].as_secs_f64(),
        engine_time[1].as_secs_f64(),
        engine_time[2].as_secs_f64()
    );
    println!(
        "\n{:<10} {:>9} {:>10} {:>11} {:>12} {:>16} {:>8} {:>15}",
        "engine", "nDCG@10", "recall@10", "clause MRR", "clause nDCG", "clause MRR (all)", "no hit", "no clause hit"
    );
    for (e, f) in engines.iter().zip(&figs) {
        println!(
            "{e:<10} {:>9.3} {:>10.3} {:>11.3} {:>12.3} {:>16.3} {:>8} {:>15}",
            f.doc_ndcg.get(),
            f.doc_recall.get(),
            f.clause_mrr.get(),
            f.clause_ndcg.get(),
            f.clause_mrr_all.get(),
            f.no_hit,
            f.no_clause_hit
        );
    }
    // Worst first: document-level queries by nDCG, clause-level by RR.
    per_query.sort_by(|a, b| a.0.total_cmp(&b.0));
    println!("\nworst queries (gongbao):");
    for (_, _, w) in per_query.iter().take(25) {
        println!("  {w}");
    }
    if !peer_wins.is_empty() {
        println!("\nwhere FTS5-OR does better:");
        for w in &peer_wins {
            println!("  {w}");
        }
    }
    if !problems.is_empty() {
        println!("\njudgments that do not map onto the corpus:");
        for p in &problems {
            println!("  {p}");
        }
    }
    assert!(problems.is_empty(), "every judgment maps onto a document and a clause");
    let (g, or) = (&figs[0], &figs[1]);
    assert_eq!((g.no_hit, g.no_clause_hit), (0, 0), "no query without a hit");
    assert!(g.doc_ndcg.get() >= FLOOR_DEV_NDCG && g.doc_recall.get() >= FLOOR_DEV_RECALL, "documents below the floor");
    assert!(g.clause_mrr.get() >= FLOOR_DEV_CLAUSE_MRR, "clauses below the floor");
    assert!(g.doc_ndcg.get() >= or.doc_ndcg.get() && g.clause_mrr.get() >= or.clause_mrr.get(), "below FTS5-OR");
}

// ---------------------------------------------------------------- the sample harness

#[test]
fn relevance_against_the_peer() {
    use_worker_binary();
    let parsed = gongbao::pipeline::parse_file(&root().join("corpus/yuxian-2024-03.pdf"), &Default::default()).unwrap();
    let (_dir, ix) = index_of(std::slice::from_ref(&parsed));
    let reader = ix.reader().unwrap();
    let searcher = reader.searcher();
    let docs = parsed.documents.clone();
    let all_clauses = Clauses::new(&docs);
    let peer = Peer::new(&docs, &all_clauses);
    let clause_ids = ClauseIds::new(&docs, &all_clauses);
    let queries: Value = serde_json::from_str(&std::fs::read_to_string(root().join("tests/relevance/queries.json")).unwrap()).unwrap();
    let (mut ours_d, mut ours_dr, mut ours_p, mut ours_pr) = (Mean::default(), Mean::default(), Mean::default(), Mean::default());
    let (mut peer_d, mut peer_dr, mut peer_p, mut peer_pr) = (Mean::default(), Mean::default(), Mean::default(), Mean::default());
    let mut worst: Vec<(f64, String)> = Vec::new();
    for q in queries["queries"].as_array().unwrap() {
        let text = q["query"].as_str().unwrap();
        let dgrades: HashMap<String, u64> = q["documents"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| (d["doc"].as_str().unwrap().to_string(), d["grade"].as_u64().unwrap()))
            .collect();
        // Judged by path; as clauses (an item counts as its article).
        let mut pgrades: HashMap<String, u64> = HashMap::new();
        for p in q["provisions"].as_array().unwrap() {
            let path: Vec<&str> = p["path"].as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect();
            let id = clause_ids.of(&format!("{}/{}", p["doc"].as_str().unwrap(), path.join("/")));
            let g = pgrades.entry(id).or_insert(0);
            *g = (*g).max(p["grade"].as_u64().unwrap());
        }
        let ranked = gongbao_docs(&ix, &searcher, text);
        let n = ours_d.add(ndcg_at_10(&ranked, &dgrades));
        ours_dr.add(recall_at_10(&ranked, &dgrades));
        let theirs = peer.search("docs", text, Combine::And, 10);
        peer_d.add(ndcg_at_10(&theirs, &dgrades));
        peer_dr.add(recall_at_10(&theirs, &dgrades));
        if !pgrades.is_empty() {
            let ranked = gongbao_clauses(&ix, &searcher, text, &clause_ids);
            let np = ours_p.add(ndcg_at_10(&ranked, &pgrades));
            ours_pr.add(recall_at_10(&ranked, &pgrades));
            let theirs = dedup(peer.search("clauses", text, Combine::And, 10));
            peer_p.add(ndcg_at_10(&theirs, &pgrades));
            peer_pr.add(recall_at_10(&theirs, &pgrades));
            worst.push((n.min(np), format!("{} {text}: documents {n:.2}, clauses {np:.2}", q["id"].as_str().unwrap())));
        } else {
            worst.push((n, format!("{} {text}: documents {n:.2}", q["id"].as_str().unwrap())));
        }
    }
    println!("                      nDCG@10  recall@10  queries");
    println!("gongbao documents     {:.3}    {:.3}      {}", ours_d.get(), ours_dr.get(), ours_d.n);
    println!("FTS5-AND documents    {:.3}    {:.3}      {}", peer_d.get(), peer_dr.get(), peer_d.n);
    println!("gongbao clauses       {:.3}    {:.3}      {}", ours_p.get(), ours_pr.get(), ours_p.n);
    println!("FTS5-AND clauses      {:.3}    {:.3}      {}", peer_p.get(), peer_pr.get(), peer_p.n);
    worst.sort_by(|a, b| a.0.total_cmp(&b.0));
    println!("lowest:");
    for (_, w) in worst.iter().take(8) {
        println!("  {w}");
    }
    assert!(ours_d.get() >= FLOOR_DOC_NDCG && ours_dr.get() >= FLOOR_DOC_RECALL, "documents below the floor");
    assert!(ours_p.get() >= FLOOR_PROV_NDCG && ours_pr.get() >= FLOOR_PROV_RECALL, "clauses below the floor");
    assert!(ours_d.get() >= peer_d.get() && ours_dr.get() >= peer_dr.get(), "documents below the peer");
}
