//! Issue "Search that researchers and the legal office can trust": every
//! verbatim substring, quoted, finds its document and its clause; 文号 in
//! any bracket variant finds its document first; clause search returns
//! labelled, paged provisions; filters, facets and lenient queries; ranked
//! answers that say when they are partial.

mod common;
use common::*;
use gongbao::clause::{clause_of_provision, clauses};
use gongbao::index::GongbaoIndex;
use gongbao::query::{results, search, SearchRequest};
use gongbao::structure::flatten;
use std::sync::OnceLock;

struct Fixture {
    _dir: tempfile::TempDir,
    ix: GongbaoIndex,
}

fn fixture_index() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        use_worker_binary();
        let dir = tempfile::tempdir().unwrap();
        let ix = GongbaoIndex::open_or_create(dir.path()).unwrap();
        let r = gongbao::ingest::ingest(&ix, &[root().join("corpus")], Default::default(), &gongbao::ingest::Silent).unwrap();
        assert_eq!(r.failed, 0);
        Fixture { _dir: dir, ix }
    })
}

/// A small deterministic generator (xorshift64*).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545F4914F6CDD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Is the document `doc` (with `clause`, that clause of it) among the
/// results of `query` typed between quotes?
fn matches(fx: &Fixture, searcher: &tantivy::Searcher, query: &str, doc: &str, clause: Option<u32>) -> bool {
    let req = SearchRequest { query: format!("\"{query}\""), clauses: clause.is_some(), limit: 10, ..Default::default() };
    results(&fx.ix, searcher, &req).unwrap().iter().any(|(d, c)| d == doc && *c == clause)
}

/// A substring of 2–12 characters that starts and ends with a letter, digit
/// or Han character (what a user types), from `text`.
fn draw(rng: &mut Rng, text: &str) -> Option<String> {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() < 2 {
        return None;
    }
    for _ in 0..20 {
        let len = 2 + rng.below(11);
        if len > chars.len() {
            continue;
        }
        let start = rng.below(chars.len() - len + 1);
        let s: Vec<char> = chars[start..start + len].to_vec();
        let ok = |c: &char| c.is_alphanumeric();
        if ok(&s[0]) && ok(&s[len - 1]) && !s.iter().any(|c| *c == '"' || *c == '“' || *c == '”') {
            return Some(s.into_iter().collect());
        }
    }
    None
}

#[test]
fn every_quoted_verbatim_substring_finds_its_document_and_clause() {
    let fx = fixture_index();
    let reader = fx.ix.reader().unwrap();
    let searcher = reader.searcher();
    let docs = fx.ix.documents().unwrap();
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    let (mut tried, mut found_docs, mut tried_provs, mut found_provs) = (0, 0, 0, 0);
    let mut misses = Vec::new();
    while tried < 2000 || tried_provs < 2000 {
        let d = &docs[rng.below(docs.len())];
        let Some(sub) = draw(&mut rng, &d.text) else { continue };
        tried += 1;
        if matches(fx, &searcher, &sub, &d.id, None) {
            found_docs += 1;
        } else {
            misses.push(format!("document {}: {sub:?}", d.id));
        }
        let provs = flatten(&d.provisions);
        if provs.is_empty() {
            continue;
        }
        let p = provs[rng.below(provs.len())];
        let Some(psub) = draw(&mut rng, &format!("{} {}", p.label, p.text)) else { continue };
        tried_provs += 1;
        // Its clause: the provision, or the article it is an item of.
        let clause = clause_of_provision(&clauses(d), &p.id).map(|i| i as u32);
        if clause.is_some() && matches(fx, &searcher, &psub, &d.id, clause) {
            found_provs += 1;
        } else {
            misses.push(format!("provision {}: {psub:?}", p.id));
        }
    }
    println!("substrings found: documents {found_docs}/{tried}, provisions {found_provs}/{tried_provs}");
    assert!(misses.is_empty(), "{}", misses.join("\n"));
    assert!(tried >= 2000 && tried_provs >= 2000);
}

#[test]
fn doc_numbers_in_any_bracket_variant_come_first() {
    let fx = fixture_index();
    let reader = fx.ix.reader().unwrap();
    let searcher = reader.searcher();
    for q in
        ["孟政发〔2024〕74号", "孟政发[2024]74号", "孟政发（2024）74号", "孟政发 〔2024〕 74 号", "孟政发【2024】74号", "孟政发(2024)74号"]
    {
        let r = search(&fx.ix, &searcher, &SearchRequest { query: q.into(), limit: 5, ..Default::default() }).unwrap();
        assert_eq!(r.hits[0].id, "孟政发〔2024〕74号", "{q}");
    }
    // The number part alone finds it among documents.
    for q in ["〔2024〕74号", "[2024]74号", "74号"] {
        let r = search(&fx.ix, &searcher, &SearchRequest { query: q.into(), limit: 5, ..Default::default() }).unwrap();
        assert!(r.hits.iter().any(|h| h.id == "孟政发〔2024〕74号"), "{q}");
        assert_eq!(r.hits[0].id, "孟政发〔2024〕74号", "{q}");
    }
    // 57号 is two documents (孟政发 and 孟政办发): both come first.
    let r = search(&fx.ix, &searcher, &SearchRequest { query: "57号".into(), limit: 5, ..Default::default() }).unwrap();
    let top: Vec<&str> = r.hits.iter().take(2).map(|h| h.id.as_str()).collect();
    assert!(top.contains(&"孟政发〔2024〕57号") && top.contains(&"孟政办发〔2024〕57号"), "{top:?}");
}

#[test]
fn clause_search_returns_labelled_provisions_with_pages() {
    let index = tempfile::tempdir().unwrap();
    let i = index.path().join("index");
    run_json(&["ingest", root().join("corpus").to_str().unwrap(), "--json"], Some(&i));
    let r = run_json(&["search", "土地增值收益调节金", "--clauses", "--json"], Some(&i));
    let hits = r["hits"].as_array().unwrap();
    let of_75: Vec<_> = hits.iter().filter(|h| h["doc_number"] == "孟政发〔2024〕75号").collect();
    assert!(!of_75.is_empty(), "{r}");
    for h in &of_75 {
        assert_eq!(h["kind"], "provision");
        let p = &h["provision"];
        // Articles, or the notice's own text (正文) that names the 办法.
        let label = p["label"].as_str().unwrap();
        assert!(label.starts_with('第') || label == "正文", "{h}");
        assert!(p["id"].as_str().unwrap().starts_with("孟政发〔2024〕75号/"), "{h}");
        assert!(p["page"].as_u64().unwrap() >= 1);
        assert!(h["snippet"].as_str().unwrap().contains("<mark>"), "{h}");
    }
    // A document hit names its best provision.
    let r = run_json(&["search", "竞买保证金", "--json"], Some(&i));
    assert_eq!(r["hits"][0]["doc_number"], "孟政发〔2024〕74号", "{r}");
    assert!(r["hits"][0]["provision"]["id"].as_str().unwrap().starts_with("孟政发〔2024〕74号/"), "{r}");
}

#[test]
fn filters_facets_and_lenient_queries() {
    let fx = fixture_index();
    let reader = fx.ix.reader().unwrap();
    let searcher = reader.searcher();
    let s = |req: SearchRequest| search(&fx.ix, &searcher, &req).unwrap();
    let all = s(SearchRequest { query: "孟县".into(), limit: 50, ..Default::default() });
    assert_eq!(all.total, 23);
    assert_eq!(all.facets["issuer"]["孟县人民政府"], 8);
    assert_eq!(all.facets["issuer"]["孟县人民政府办公室"], 15);
    assert_eq!(all.facets["doc_type"]["通告"], 1);
    assert_eq!(all.facets["year"]["2024"], 23);
    assert_eq!(all.facets["status"].values().sum::<usize>(), 23);
    let r = s(SearchRequest { query: "孟县".into(), issuer: Some("孟县人民政府".into()), limit: 50, ..Default::default() });
    assert_eq!(r.total, 8);
    let r = s(SearchRequest { query: "孟县".into(), doc_type: Some("通告".into()), limit: 50, ..Default::default() });
    assert_eq!(r.hits[0].id, "孟政函〔2024〕51号");
    let d = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
    let r = s(SearchRequest { query: "孟县".into(), from: d("2024-09-01"), to: d("2024-09-30"), limit: 50, ..Default::default() });
    assert!(r
        .hits
        .iter()
        .all(|h| h.signed_date.unwrap() >= d("2024-09-01").unwrap() && h.signed_date.unwrap() <= d("2024-09-30").unwrap()));
    assert_eq!(r.total, 4, "{:?}", r.hits.iter().map(|h| &h.id).collect::<Vec<_>>());
    let r = s(SearchRequest { query: "调节金".into(), in_force_on: d("2025-01-01"), limit: 50, ..Default::default() });
    assert_eq!(r.total, 0, "74号 and 75号 expired at the end of 2024");
    // Exclusion and OR.
    let r = s(SearchRequest { query: "挂牌督办 -火灾".into(), limit: 50, ..Default::default() });
    assert!(r.hits.iter().all(|h| h.id != "孟政办发〔2024〕48号"));
    let a = s(SearchRequest { query: "社区食堂 OR 调节金".into(), limit: 50, ..Default::default() }).total;
    assert_eq!(a, 3);
    // Malformed queries never fail and say what was ignored.
    for q in ["\"", "-", "OR", "\"unclosed phrase", "（（（", "----", "OR OR -", "\u{0}", &"长".repeat(10_000)] {
        let r = s(SearchRequest { query: q.into(), limit: 5, ..Default::default() });
        let _ = r.total;
    }
    let r = s(SearchRequest { query: "\"社区食堂".into(), limit: 5, ..Default::default() });
    assert!(!r.ignored.is_empty());
    assert_eq!(r.hits[0].id, "孟政发〔2024〕59号");
    // Titles weigh more than bodies; a phrase more than scattered words.
    let r = s(SearchRequest { query: "以旧换新".into(), limit: 5, ..Default::default() });
    assert_eq!(r.hits[0].id, "孟政发〔2024〕84号");
    // Snippets: marked, about 80 characters.
    let r = s(SearchRequest { query: "社区食堂".into(), limit: 1, ..Default::default() });
    let plain = r.hits[0].snippet.replace("<mark>", "").replace("</mark>", "");
    assert!(plain.chars().count() <= 84 && plain.chars().count() >= 60, "{plain}");
}

#[test]
fn ranked_answers_the_way_people_ask() {
    let fx = fixture_index();
    let reader = fx.ix.reader().unwrap();
    let searcher = reader.searcher();
    let s = |q: &str| search(&fx.ix, &searcher, &SearchRequest { query: q.into(), limit: 30, ..Default::default() }).unwrap();
    let ids = |r: &gongbao::query::SearchResponse| r.hits.iter().map(|h| h.id.clone()).collect::<Vec<_>>();
    // Words in another order than the text's: found by their words, not verbatim.
    let r = s("食堂社区");
    assert_eq!(r.hits[0].id, "孟政发〔2024〕59号", "{:?}", ids(&r));
    assert!(!r.partial);
    assert_eq!(s("\"食堂社区\"").total, 0, "quoted: verbatim only");
    // A word no document holds: the others still answer, and it says so.
    let r = s("社区食堂 区块链");
    assert_eq!(r.hits[0].id, "孟政发〔2024〕59号");
    assert!(r.partial && !r.hits[0].all_words);
    assert!(!s("社区食堂").partial);
    // +word: every hit holds it.
    let r = s("社区食堂 +调节金");
    assert!(!r.hits.is_empty());
    assert!(r.hits.iter().all(|h| ["孟政发〔2024〕74号", "孟政发〔2024〕75号"].contains(&h.id.as_str())), "{:?}", ids(&r));
    // Numbers in Arabic or Chinese numerals (the text: 有效期两年, 200平方米).
    assert_eq!(s("有效期2年").hits[0].id, "孟政办发〔2024〕47号");
    assert_eq!(s("宅基地 二百平方米").hits[0].id, "孟政发〔2024〕81号");
    // A number typed is a number: 4年 is not in 2024年, unless quoted.
    let all = s("\"4年\"").total;
    assert_eq!(all, 23, "every document is dated 2024年");
    assert!(s("4年").total < all);
    // An abbreviation of an organ (县府办 = 县人民政府办公室) in titles.
    let r = s("县府办");
    assert!(r.hits[0].issuer.contains(&"孟县人民政府办公室".to_string()), "{:?}", r.hits[0]);
    // Clause search: the clause that holds the words together first.
    let r = search(&fx.ix, &searcher, &SearchRequest { query: "起始价 竞买保证金".into(), clauses: true, limit: 5, ..Default::default() })
        .unwrap();
    assert!(r.hits[0].all_words && r.hits[0].id == "孟政发〔2024〕74号/第四章/第十二条", "{:?}", r.hits[0]);
    assert!(!r.hits[1..].iter().any(|h| h.all_words && h.score > r.hits[0].score));
}

/// A page of hits is the same slice of the ranking whether or not the
/// documents (clauses) that cannot reach it are scored: `search` scores only
/// what can reach its page, `results` scores everything.
#[test]
fn a_page_is_the_same_slice_of_the_full_ranking() {
    let fx = fixture_index();
    let reader = fx.ix.reader().unwrap();
    let searcher = reader.searcher();
    let docs = fx.ix.documents().unwrap();
    let mut rng = Rng(0x9a9e_0001_5eed_0002);
    let mut checked = 0;
    for n in 0..120 {
        // One to three words drawn from the texts, unquoted: ranked by
        // coverage, so most documents hold some of them.
        let words: Vec<String> = (0..1 + n % 3)
            .filter_map(|_| {
                let d = &docs[rng.below(docs.len())];
                draw(&mut rng, &d.text).map(|w| w.chars().take(2 + rng.below(3)).collect())
            })
            .collect();
        if words.is_empty() {
            continue;
        }
        let clauses_mode = n % 2 == 1;
        let offset = [0, 3, 10][n % 3];
        let req = SearchRequest { query: words.join(" "), clauses: clauses_mode, limit: 5, offset, ..Default::default() };
        let full = results(&fx.ix, &searcher, &req).unwrap();
        let page = search(&fx.ix, &searcher, &req).unwrap();
        assert_eq!(page.total, full.len(), "{req:?}");
        let want: Vec<String> = full
            .iter()
            .skip(offset)
            .take(5)
            .map(|(id, clause)| match clause {
                None => id.clone(),
                Some(i) => {
                    let d = docs.iter().find(|d| &d.id == id).unwrap();
                    clauses(d)[*i as usize].id.clone()
                }
            })
            .collect();
        let got: Vec<String> = page.hits.iter().map(|h| h.id.clone()).collect();
        assert_eq!(got, want, "{req:?}");
        checked += 1;
    }
    assert!(checked >= 100, "{checked}");
}
