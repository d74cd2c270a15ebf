//! Relevance harness: nDCG@10 and recall@10 of gongbao's document and
//! clause search on the judged queries of tests/relevance/queries.json,
//! beside the same figures for SQLite FTS5 (trigram tokenizer, bm25) over
//! the same texts. Fails below the floors reached, or below the peer on
//! documents.

mod common;
use common::*;
use gongbao::index::GongbaoIndex;
use gongbao::query::{search, SearchRequest};
use serde_json::Value;
use std::collections::HashMap;

/// Floors: the figures this harness measured when it was written (rounded down).
const FLOOR_DOC_NDCG: f64 = 0.99;
const FLOOR_DOC_RECALL: f64 = 0.99;
const FLOOR_PROV_NDCG: f64 = 0.89;
const FLOOR_PROV_RECALL: f64 = 0.85;

/// The judges graded clauses down to the article (条): items inside an
/// article count as the article. Map hit ids to that granularity, keeping
/// the first occurrence.
fn to_judged_granularity(ids: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for id in ids {
        let parts: Vec<&str> = id.split('/').collect();
        let cut = parts.iter().position(|p| p.starts_with('第') && (p.ends_with('条') || p.contains("条之")));
        let id = match cut {
            Some(i) => parts[..=i].join("/"),
            None => id,
        };
        if !out.contains(&id) {
            out.push(id);
        }
    }
    out
}

fn ndcg_at_10(ranked: &[String], grades: &HashMap<String, u64>) -> f64 {
    let dcg: f64 = ranked
        .iter()
        .take(10)
        .enumerate()
        .map(|(i, id)| {
            let g = *grades.get(id).unwrap_or(&0) as f64;
            (2f64.powf(g) - 1.0) / ((i + 2) as f64).log2()
        })
        .sum();
    let mut ideal: Vec<u64> = grades.values().copied().collect();
    ideal.sort_unstable_by(|a, b| b.cmp(a));
    let idcg: f64 = ideal.iter().take(10).enumerate().map(|(i, g)| (2f64.powf(*g as f64) - 1.0) / ((i + 2) as f64).log2()).sum();
    if idcg == 0.0 {
        0.0
    } else {
        dcg / idcg
    }
}

fn recall_at_10(ranked: &[String], grades: &HashMap<String, u64>) -> f64 {
    let rel = grades.values().filter(|g| **g > 0).count();
    if rel == 0 {
        return 0.0;
    }
    ranked.iter().take(10).filter(|id| grades.get(*id).is_some_and(|g| *g > 0)).count() as f64 / rel as f64
}

#[derive(Default, Debug, Clone, Copy)]
struct Scores {
    ndcg: f64,
    recall: f64,
    n: usize,
}

impl Scores {
    fn add(&mut self, ranked: &[String], grades: &HashMap<String, u64>) -> f64 {
        let n = ndcg_at_10(ranked, grades);
        self.ndcg += n;
        self.recall += recall_at_10(ranked, grades);
        self.n += 1;
        n
    }
    fn mean(&self) -> (f64, f64) {
        if self.n == 0 {
            (0.0, 0.0)
        } else {
            (self.ndcg / self.n as f64, self.recall / self.n as f64)
        }
    }
}

/// The peer: FTS5 trigram over documents and provisions.
struct Peer {
    db: rusqlite::Connection,
}

impl Peer {
    fn new(docs: &[gongbao::record::DocumentRecord]) -> Peer {
        let db = rusqlite::Connection::open_in_memory().unwrap();
        db.execute_batch(
            "CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, title, body, tokenize='trigram');
             CREATE VIRTUAL TABLE provs USING fts5(id UNINDEXED, body, tokenize='trigram');",
        )
        .unwrap();
        for d in docs {
            db.execute("INSERT INTO docs(id, title, body) VALUES (?1, ?2, ?3)", (&d.id, &d.title, &d.text)).unwrap();
            for p in gongbao::structure::flatten(&d.provisions) {
                db.execute("INSERT INTO provs(id, body) VALUES (?1, ?2)", (&p.id, format!("{} {}", p.label, p.text))).unwrap();
            }
        }
        Peer { db }
    }

    /// The query as FTS5 takes it: each word a quoted phrase, ANDed (OR kept,
    /// -words as NOT); words under 3 characters (trigram cannot index them)
    /// become LIKE filters.
    fn search(&self, table: &str, q: &str) -> Vec<String> {
        let pq = gongbao::query::parse_query(q);
        let mut matches: Vec<String> = Vec::new();
        let mut likes: Vec<String> = Vec::new();
        for g in &pq.groups {
            let alts: Vec<&String> = g.iter().filter(|t| t.chars().count() >= 3).collect();
            if alts.len() == g.len() {
                matches.push(format!("({})", alts.iter().map(|t| format!("\"{}\"", t.replace('"', ""))).collect::<Vec<_>>().join(" OR ")));
            } else {
                likes.push(format!(
                    "({})",
                    g.iter().map(|t| format!("body LIKE '%{}%'", t.replace('\'', ""))).collect::<Vec<_>>().join(" OR ")
                ));
            }
        }
        let mut sql = format!("SELECT id FROM {table} WHERE 1");
        if !matches.is_empty() {
            let mut m = matches.join(" AND ");
            for e in pq.excluded.iter().filter(|t| t.chars().count() >= 3) {
                m = format!("{m} NOT \"{e}\"");
            }
            sql.push_str(&format!(" AND {table} MATCH '{}'", m.replace('\'', "")));
        }
        for l in &likes {
            sql.push_str(&format!(" AND {l}"));
        }
        sql.push_str(&format!(" ORDER BY bm25({table}) LIMIT 30"));
        let Ok(mut st) = self.db.prepare(&sql) else { return vec![] };
        let rows = st.query_map([], |r| r.get::<_, String>(0));
        match rows {
            Ok(rows) => rows.filter_map(Result::ok).collect(),
            Err(_) => vec![],
        }
    }
}

#[test]
fn relevance_against_the_peer() {
    use_worker_binary();
    let dir = tempfile::tempdir().unwrap();
    let ix = GongbaoIndex::open_or_create(dir.path()).unwrap();
    let report = gongbao::ingest::ingest(&ix, &[root().join("corpus")], Default::default(), &gongbao::ingest::Silent).unwrap();
    assert_eq!(report.failed, 0);
    let reader = ix.reader().unwrap();
    let searcher = reader.searcher();
    let docs = ix.documents().unwrap();
    let peer = Peer::new(&docs);
    let queries: Value = serde_json::from_str(&std::fs::read_to_string(root().join("tests/relevance/queries.json")).unwrap()).unwrap();
    let (mut ours_d, mut ours_p, mut peer_d, mut peer_p) = (Scores::default(), Scores::default(), Scores::default(), Scores::default());
    let mut worst: Vec<(f64, String)> = Vec::new();
    for q in queries["queries"].as_array().unwrap() {
        let text = q["query"].as_str().unwrap();
        let dgrades: HashMap<String, u64> = q["documents"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| (d["doc"].as_str().unwrap().to_string(), d["grade"].as_u64().unwrap()))
            .collect();
        let pgrades: HashMap<String, u64> = q["provisions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                let path: Vec<&str> = p["path"].as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect();
                (format!("{}/{}", p["doc"].as_str().unwrap(), path.join("/")), p["grade"].as_u64().unwrap())
            })
            .collect();
        let req = SearchRequest { query: text.into(), limit: 10, ..Default::default() };
        let clause_req = SearchRequest { query: text.into(), limit: 30, clauses: true, ..Default::default() };
        let ranked: Vec<String> = search(&ix, &searcher, &req).unwrap().hits.into_iter().map(|h| h.id).collect();
        let n = ours_d.add(&ranked, &dgrades);
        peer_d.add(&peer.search("docs", text), &dgrades);
        if !pgrades.is_empty() {
            let req = clause_req;
            let ranked = to_judged_granularity(search(&ix, &searcher, &req).unwrap().hits.into_iter().map(|h| h.id).collect());
            let np = ours_p.add(&ranked, &pgrades);
            peer_p.add(&to_judged_granularity(peer.search("provs", text)), &pgrades);
            worst.push((n.min(np), format!("{} {text}: documents {n:.2}, provisions {np:.2}", q["id"].as_str().unwrap())));
        } else {
            worst.push((n, format!("{} {text}: documents {n:.2}", q["id"].as_str().unwrap())));
        }
    }
    let (od, odr) = ours_d.mean();
    let (op, opr) = ours_p.mean();
    let (pd, pdr) = peer_d.mean();
    let (pp, ppr) = peer_p.mean();
    println!("                      nDCG@10  recall@10  queries");
    println!("gongbao documents     {od:.3}    {odr:.3}      {}", ours_d.n);
    println!("FTS5-trigram docs     {pd:.3}    {pdr:.3}      {}", peer_d.n);
    println!("gongbao provisions    {op:.3}    {opr:.3}      {}", ours_p.n);
    println!("FTS5-trigram provs    {pp:.3}    {ppr:.3}      {}", peer_p.n);
    worst.sort_by(|a, b| a.0.total_cmp(&b.0));
    println!("lowest:");
    for (_, w) in worst.iter().take(8) {
        println!("  {w}");
    }
    assert!(od >= FLOOR_DOC_NDCG && odr >= FLOOR_DOC_RECALL, "documents below the floor");
    assert!(op >= FLOOR_PROV_NDCG && opr >= FLOOR_PROV_RECALL, "provisions below the floor");
    assert!(od >= pd && odr >= pdr, "documents below the peer");
}
