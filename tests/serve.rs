//! Issue "A web page and an HTTP API": every endpoint's shape and answers on
//! the sample corpus, bad input as 4xx JSON, the pages, and export →
//! re-import giving the same search results.

mod common;
use common::*;
use std::sync::OnceLock;

struct Fx {
    _dir: tempfile::TempDir,
    index: std::path::PathBuf,
}

/// One index for all tests; each test runs its own server (dropped, and
/// so stopped, at its end).
fn fx() -> &'static Fx {
    static F: OnceLock<Fx> = OnceLock::new();
    F.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let index = dir.path().join("index");
        run_json(
            &["ingest", root().join("corpus").to_str().unwrap(), fixture("later-issue/yuxian-2024-04.pdf").to_str().unwrap(), "--json"],
            Some(&index),
        );
        Fx { _dir: dir, index }
    })
}

#[test]
fn api_endpoints_answer_in_the_cli_shapes() {
    let s = &Server::start(&fx().index);
    let (c, h) = s.json("/api/health");
    assert_eq!((c, h["status"].as_str()), (200, Some("ok")));
    assert_eq!(h["documents"], 27);
    // Search.
    let (c, r) = s.json(&format!("/api/search?q={}", enc("社区食堂")));
    assert_eq!(c, 200);
    assert_eq!(r["hits"][0]["doc_number"], "孟政发〔2024〕59号");
    assert!(r["hits"][0]["snippet"].as_str().unwrap().contains("<mark>社区食堂</mark>"));
    for k in ["issuer", "doc_type", "year", "status"] {
        assert!(r["facets"][k].is_object(), "facet {k}: {r}");
    }
    let (_, r) = s.json(&format!("/api/search?q={}&clauses=1&limit=5", enc("土地增值收益调节金")));
    assert_eq!(r["hits"][0]["kind"], "provision");
    assert!(r["hits"].as_array().unwrap().len() <= 5);
    let (_, r) = s.json(&format!("/api/search?q={}&in_force_on=2024-12-01", enc("以旧换新")));
    assert!(r["hits"].as_array().unwrap().iter().all(|h| h["id"] != "孟政发〔2024〕84号"), "{r}");
    let (_, r) = s.json(&format!("/api/search?q={}&type={}&issuer={}", enc("孟县"), enc("通告"), enc("孟县人民政府")));
    assert_eq!(r["total"], 1);
    // A document, in any bracket variant.
    for id in ["孟政发〔2024〕74号", "孟政发[2024]74号", "孟政发（2024）74号"] {
        let (c, d) = s.json(&format!("/api/documents/{}", enc(id)));
        assert_eq!(c, 200, "{id}: {d}");
        assert_eq!(d["id"], "孟政发〔2024〕74号");
        assert_eq!(d["instrument"]["articles"], 25);
        assert!(d["provisions"].as_array().unwrap().len() == 7);
        assert!(d["status"]["status"].is_string());
    }
    let (_, d) = s.json(&format!("/api/documents/{}", enc("孟政发〔2024〕84号")));
    assert_eq!(d["linked_from"][0]["doc_number"], "孟政发〔2024〕95号", "{d}");
    // A provision.
    let (c, p) = s.json(&format!("/api/provisions/{}", enc("孟政发〔2024〕74号/第四章/第十五条")));
    assert_eq!(c, 200, "{p}");
    assert_eq!(p["provision"]["label"], "第十五条");
    assert!(p["provision"]["text"].as_str().unwrap().starts_with("竞买规则"));
    assert_eq!(p["document"]["id"], "孟政发〔2024〕74号");
    // Status, with its evidence.
    let (c, st) = s.json(&format!("/api/status/{}?on=2024-08-01", enc("孟政办发〔2022〕70号")));
    assert_eq!(c, 200);
    assert_eq!(st["status"], "repealed");
    assert_eq!(st["decided_by"][0]["doc_number"], "孟政办发〔2024〕50号");
    assert!(st["decided_by"][0]["evidence"].as_str().unwrap().contains("决定废止"));
    let (_, st) = s.json(&format!("/api/status/{}?on=2025-06-01", enc("孟政发[2024]75号")));
    assert_eq!((st["status"].as_str(), st["effective_until"].as_str()), (Some("in_force"), Some("2025-12-31")));
}

#[test]
fn bad_input_gets_a_4xx_with_a_message() {
    let s = &Server::start(&fx().index);
    let cases = [
        (format!("/api/documents/{}", enc("孟政发〔2099〕1号")), 404),
        ("/api/documents/nothing-here".to_string(), 404),
        (format!("/api/provisions/{}", enc("孟政发〔2024〕74号/第九十九条")), 404),
        (format!("/api/provisions/{}", enc("孟政发〔2024〕74号")), 400),
        (format!("/api/status/{}?on=2024-13-45", enc("孟政发〔2024〕74号")), 400),
        (format!("/api/search?q={}", enc(&"x".repeat(10_000))), 400),
        ("/api/search?q=a&limit=100000".to_string(), 400),
        ("/api/search?q=a&limit=x".to_string(), 400),
        ("/api/search?q=a&from=yesterday".to_string(), 400),
        ("/api/nothing".to_string(), 404),
    ];
    for (path, want) in cases {
        let (c, body) = s.get(&path);
        let shown: String = path.chars().take(80).collect();
        assert_eq!(c, want, "{shown}: {body}");
        let v: serde_json::Value = serde_json::from_str(&body).unwrap_or_else(|_| panic!("{path}: not JSON: {body}"));
        assert_eq!(v["error"]["status"], want);
        assert!(!v["error"]["message"].as_str().unwrap().is_empty());
    }
    // 10,000 Han characters make a URI longer than HTTP allows (64 KiB once
    // percent-encoded): refused at the protocol level with 414.
    let (c, _) = s.get(&format!("/api/search?q={}", enc(&"长".repeat(10_000))));
    assert_eq!(c, 414);
    // Malformed queries are no errors.
    for q in ["\"", "-", "OR", "（（（"] {
        let (c, _) = s.get(&format!("/api/search?q={}", enc(q)));
        assert_eq!(c, 200, "{q}");
    }
}

#[test]
fn pages_show_search_document_and_status() {
    let s = &Server::start(&fx().index);
    let (c, html) = s.get(&format!("/?q={}", enc("社区食堂")));
    assert_eq!(c, 200);
    assert!(html.contains("<mark>社区食堂</mark>") && html.contains("s-in_force") && html.contains("发文机关"), "{html}");
    assert!(html.contains(&format!("/doc/{}", enc("孟政发〔2024〕59号"))));
    assert!(!html.contains("以下为部分匹配"));
    // A word no document holds: partial answers, and the page says so.
    let (c, html) = s.get(&format!("/?q={}", enc("社区食堂 区块链")));
    assert_eq!(c, 200);
    assert!(html.contains("未找到同时包含全部词语的文件，以下为部分匹配") && html.contains("<mark>社区食堂</mark>"), "{html}");
    let (_, r) = s.json(&format!("/api/search?q={}", enc("社区食堂 区块链")));
    assert_eq!((r["partial"].as_bool(), r["hits"][0]["doc_number"].as_str()), (Some(true), Some("孟政发〔2024〕59号")), "{r}");
    // A clause hit in a notice's own text links to the text.
    let (_, r) = s.json(&format!("/api/search?q={}&clauses=1", enc("关于印发孟县农村集体经营性建设用地土地增值收益调节金")));
    let pre = r["hits"].as_array().unwrap().iter().find(|h| h["provision"]["label"] == "正文").expect("a preamble hit");
    let (c, p) = s.json(&format!("/api/provisions/{}", enc(pre["provision"]["id"].as_str().unwrap())));
    assert_eq!(c, 200, "{p}");
    assert_eq!(p["provision"]["kind"], "preamble");
    let (c, html) = s.get(&format!("/doc/{}", enc("孟政发〔2024〕74号")));
    assert_eq!(c, 200);
    assert!(html.contains(r#"id="第十五条""#), "anchors by article label");
    assert!(html.contains("本试行办法于公布之日起正式实施"), "the window's evidence");
    assert!(html.contains("lang=\"zh-CN\"") && html.contains("viewport"));
    let (_, html) = s.get(&format!("/doc/{}", enc("孟政发〔2024〕84号")));
    assert!(html.contains("孟政发〔2024〕95号"), "repealed by… is shown");
    let (c, html) = s.get(&format!("/status?id={}&on=2024-08-01", enc("孟政办发〔2023〕46号")));
    assert_eq!(c, 200);
    assert!(html.contains("s-repealed") && html.contains("宣布该文件失效"), "{html}");
    let (c, _) = s.get("/status?id=x&on=notadate");
    assert_eq!(c, 400);
}

#[test]
fn export_then_reimport_gives_the_same_search_results() {
    let f = fx();
    let out = run(&["export"], Some(&f.index));
    assert!(out.status.success());
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("export.jsonl");
    std::fs::write(&file, &out.stdout).unwrap();
    let copy = dir.path().join("index");
    let r = run(&["rebuild", "--from", file.to_str().unwrap()], Some(&copy));
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    for q in ["社区食堂", "调节金", "孟政发[2024]74号", "\"重大火灾隐患\"", "挂牌督办 -火灾"] {
        for extra in [&[][..], &["--clauses"][..]] {
            let mut args = vec!["search", q, "--json"];
            args.extend_from_slice(extra);
            let mut a = run_json(&args, Some(&f.index));
            let mut b = run_json(&args, Some(&copy));
            for v in [&mut a, &mut b] {
                for h in v["hits"].as_array_mut().unwrap() {
                    h["score"] = serde_json::Value::Null;
                }
            }
            assert_eq!(a, b, "{q} {extra:?}");
        }
    }
    // The bulk form: action and source lines in pairs, keyed by id.
    let bulk = run(&["export", "--format", "bulk"], Some(&f.index));
    let text = String::from_utf8_lossy(&bulk.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines.len() > 100 && lines.len() % 2 == 0);
    for pair in lines.chunks(2) {
        let action: serde_json::Value = serde_json::from_str(pair[0]).unwrap();
        let src: serde_json::Value = serde_json::from_str(pair[1]).unwrap();
        assert_eq!(action["index"]["_id"], src["id"]);
    }
    let mapping: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("docs/opensearch-mapping.json")).unwrap()).unwrap();
    assert!(mapping["mappings"]["properties"]["text"].is_object());
}
