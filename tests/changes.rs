//! Issue #18 "What changed, for whom": the change record of each ingest, the
//! watch list, the Atom feed. The sample issue, then a later one constructed
//! for it (tests/fixtures/later-changes/yuxian-2024-04-changes.txt: it repeals
//! 孟政发〔2024〕84号, declares 孟政办发〔2024〕60号 invalid, extends 孟政发〔2024〕74号,
//! amends 孟政办发〔2024〕47号, repeals 孟政发〔2021〕33号 that the corpus does not
//! hold and cites 孟政发〔2024〕81号), in both orders, with "today" set by
//! GONGBAO_TODAY.

mod common;
use common::*;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn sample() -> PathBuf {
    fixture("yuxian-2024-03.seed.txt")
}

fn later() -> PathBuf {
    fixture("later-changes/yuxian-2024-04-changes.txt")
}

/// `gongbao ARGS` on `index` on the day `today`.
fn run_on(index: &Path, today: &str, args: &[&str]) -> Output {
    Command::new(bin()).args(args).env("GONGBAO_INDEX", index).env("GONGBAO_TODAY", today).output().expect("run gongbao")
}

fn ingest_on(index: &Path, today: &str, path: &Path) -> Value {
    let out = run_on(index, today, &["ingest", path.to_str().unwrap(), "--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn changes(index: &Path, args: &[&str]) -> Vec<Value> {
    let mut a = vec!["changes", "--json"];
    a.extend_from_slice(args);
    let v = run_json(&a, Some(index));
    v["changes"].as_array().unwrap_or_else(|| panic!("no changes array: {v}")).clone()
}

fn s(v: &Value) -> &str {
    v.as_str().unwrap_or("")
}

/// A change as (kind, document, by, effective, until, provisions, in corpus).
type Fact = (String, String, String, String, String, String, bool);

fn fact(c: &Value) -> Fact {
    let provisions: Vec<&str> = c["provisions"].as_array().map(|p| p.iter().map(s).collect()).unwrap_or_default();
    (
        s(&c["kind"]).into(),
        c["doc_number"].as_str().unwrap_or(s(&c["doc_id"])).into(),
        s(&c["by"]["doc_number"]).into(),
        s(&c["effective"]).into(),
        s(&c["until"]).into(),
        provisions.join(","),
        c["in_corpus"].as_bool().unwrap(),
    )
}

fn f(kind: &str, doc: &str, by: &str, effective: &str, until: &str, provisions: &str, in_corpus: bool) -> Fact {
    (kind.into(), doc.into(), by.into(), effective.into(), until.into(), provisions.into(), in_corpus)
}

/// What the later issue makes known after the sample, with a fragment of each evidence sentence.
fn later_after_sample() -> Vec<(Fact, &'static str)> {
    vec![
        (
            f("repealed", "孟政发〔2024〕84号", "孟政发〔2024〕96号", "2024-11-15", "", "", true),
            "决定废止《孟县人民政府关于印发〈孟县推动大规模设备更新",
        ),
        (
            f("repealed", "孟政发〔2021〕33号", "孟政发〔2024〕99号", "2024-12-20", "", "", false),
            "决定废止《孟县城区国有土地上房屋征收补偿暂行办法》（孟政发〔2021〕33号）",
        ),
        (f("declared_invalid", "孟政办发〔2024〕60号", "孟政办函〔2024〕33号", "2024-12-18", "", "", true), "已过时效，故宣布该文件失效"),
        (
            f("amended", "孟政办发〔2024〕47号", "孟政办发〔2024〕91号", "2025-01-01", "", "第十条", true),
            "（孟政办发〔2024〕47号）作如下修改",
        ),
        (
            f("extended", "孟政发〔2024〕74号", "孟政发〔2024〕97号", "2024-12-10", "2025-12-31", "", true),
            "决定将该办法有效期延长至2025年12月31日",
        ),
        // 75号 ends 2024-12-31: within 60 days of 2024-12-30.
        (f("expires", "孟政发〔2024〕75号", "", "2025-01-01", "2024-12-31", "", true), "有效期至二零二四年年底"),
        (f("dangling", "孟政发〔2021〕33号", "孟政发〔2024〕99号", "2024-12-20", "", "", false), "（孟政发〔2021〕33号）"),
        (f("added", "孟政发〔2024〕96号", "", "2024-11-15", "", "", true), ""),
        (f("added", "孟政发〔2024〕97号", "", "2024-12-10", "", "", true), ""),
        (f("added", "孟政发〔2024〕99号", "", "2024-12-20", "", "", true), "本通知自2024年12月20日起施行"),
        (f("added", "孟政办发〔2024〕91号", "", "2025-01-01", "", "", true), "本决定自2025年1月1日起施行"),
        (f("added", "孟政办函〔2024〕33号", "", "2024-12-18", "", "", true), ""),
        (f("added", "孟政办函〔2024〕34号", "", "2024-12-20", "", "", true), ""),
    ]
}

/// The documents' statuses that both orders must agree on.
const STATUS_CHECKS: &[(&str, &str)] = &[
    ("孟政发〔2024〕84号", "2024-12-01"),
    ("孟政发〔2024〕74号", "2025-06-01"),
    ("孟政发〔2024〕74号", "2026-01-01"),
    ("孟政办发〔2024〕47号", "2025-01-02"),
    ("孟政办发〔2024〕60号", "2025-01-01"),
    ("孟政发〔2021〕33号", "2025-01-01"),
    ("孟政发〔2024〕75号", "2025-01-01"),
    ("孟政发〔2024〕81号", "2025-01-01"),
];

fn statuses(index: &Path) -> Vec<String> {
    STATUS_CHECKS
        .iter()
        .map(|(id, on)| {
            let r = run_json(&["status", id, "--on", on, "--json"], Some(index));
            let by: Vec<&str> = r["decided_by"].as_array().unwrap().iter().map(|d| s(&d["doc_number"])).collect();
            format!("{id} {on} {} until {} by {by:?}", r["status"], r["effective_until"])
        })
        .collect()
}

#[test]
fn the_later_issue_s_changes_are_listed_with_kinds_targets_dates_and_evidence_in_either_order() {
    // Sample first (on 2024-10-08), the later issue next (on 2024-12-30).
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a");
    let r = ingest_on(&a, "2024-10-08", &sample());
    assert_eq!(r["changes"]["added"], 23, "{}", r["changes"]);
    assert!(r["changes"].get("expires").is_none(), "no window ends within 60 days of 2024-10-08: {}", r["changes"]);
    let first = changes(&a, &["--last"]);
    // The sample's own repeal and its declaration of invalidity, of documents the corpus does not hold.
    let force: BTreeSet<Fact> = first.iter().filter(|c| !["added", "dangling"].contains(&s(&c["kind"]))).map(fact).collect();
    assert_eq!(
        force,
        BTreeSet::from([
            f("repealed", "孟政函〔2023〕24号", "孟政函〔2024〕51号", "2024-09-18", "", "", false),
            f("repealed", "孟政办发〔2022〕70号", "孟政办发〔2024〕50号", "2024-07-16", "", "", false),
            f("declared_invalid", "孟政办发〔2023〕46号", "孟政办函〔2024〕19号", "2024-07-30", "", "", false),
        ])
    );
    let r = ingest_on(&a, "2024-12-30", &later());
    let got = changes(&a, &["--last"]);
    let want = later_after_sample();
    assert_eq!(got.iter().map(fact).collect::<Vec<_>>(), want.iter().map(|(f, _)| f.clone()).collect::<Vec<_>>(), "changes --last");
    for (c, (_, evidence)) in got.iter().zip(&want) {
        assert!(s(&c["evidence"]).contains(evidence), "{c:#}: evidence");
        assert_eq!(c["ingested"], r["ingested"], "{c}");
        assert!(c["ingested"].as_str().unwrap().starts_with("2024-12-30T"), "{c}");
        if ["added", "expires"].contains(&s(&c["kind"])) {
            assert!(c["by"].is_null(), "{c}");
        } else {
            assert!(!s(&c["by"]["title"]).is_empty(), "{c}");
        }
        // The title of the document changed: its own in the corpus, the link's otherwise.
        assert!(!s(&c["title"]).is_empty(), "{c}");
    }
    assert_eq!(s(&got[0]["title"]), "孟县人民政府关于印发《孟县推动大规模设备更新和消费品以旧换新任务分工方案》的通知");
    assert_eq!(s(&got[1]["title"]), "孟县城区国有土地上房屋征收补偿暂行办法");
    // The citation of 81号 (in the corpus) is no change.
    assert!(!got.iter().any(|c| s(&c["doc_number"]) == "孟政发〔2024〕81号"));
    // The ingest's report counts them by kind; the summary line says so.
    let counts: Vec<(String, u64)> = r["changes"].as_object().unwrap().iter().map(|(k, v)| (k.clone(), v.as_u64().unwrap())).collect();
    assert_eq!(
        counts,
        [("added", 6), ("amended", 1), ("dangling", 1), ("declared_invalid", 1), ("expires", 1), ("extended", 1), ("repealed", 2)]
            .map(|(k, n)| (k.to_string(), n))
    );
    let ids_a: BTreeSet<String> = changes(&a, &[]).iter().map(|c| s(&c["id"]).to_string()).collect();
    let statuses_a = statuses(&a);
    // A run that brings nothing new makes nothing known…
    let out = run_on(&a, "2024-12-31", &["ingest", later().to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("changes: none"), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(changes(&a, &["--last"]).is_empty());
    assert_eq!(changes(&a, &["--since", "2024-12-30"]).len(), 13);
    assert_eq!(changes(&a, &["--since", "2024-10-08"]).len(), 13 + first.len());
    // …until a window comes within 60 days: the extended end of 74号.
    let r = ingest_on(&a, "2025-11-15", &later());
    assert_eq!(r["documents_added"], 0);
    let got = changes(&a, &["--last"]);
    assert_eq!(got.iter().map(fact).collect::<Vec<_>>(), [f("expires", "孟政发〔2024〕74号", "", "2026-01-01", "2025-12-31", "", true)]);
    assert!(s(&got[0]["evidence"]).contains("延长至2025年12月31日"), "the extension decides the end: {}", got[0]);

    // The other order: the later issue first (on 2024-12-30), the sample next (on 2025-01-02).
    let b = dir.path().join("b");
    ingest_on(&b, "2024-12-30", &later());
    let first = changes(&b, &["--last"]);
    let links = |v: &[Value]| -> BTreeSet<(String, String, String)> {
        v.iter()
            .filter(|c| !["added", "dangling", "expires"].contains(&s(&c["kind"])))
            .map(|c| (s(&c["kind"]).into(), s(&c["doc_number"]).into(), s(&c["by"]["doc_number"]).into()))
            .collect()
    };
    let want_links = links(&changes(&a, &["--since", "2024-12-30"]));
    // The links are made known by the ingest of the documents that hold them,
    // whether their targets are in the corpus yet or not.
    assert_eq!(links(&first), want_links);
    assert!(first.iter().filter(|c| s(&c["kind"]) != "dangling" && s(&c["kind"]) != "added").all(|c| c["in_corpus"] == false));
    let dangling: BTreeSet<&str> = first.iter().filter(|c| s(&c["kind"]) == "dangling").map(|c| s(&c["doc_number"])).collect();
    assert_eq!(
        dangling,
        BTreeSet::from([
            "孟政发〔2024〕84号",
            "孟政发〔2024〕74号",
            "孟政办发〔2024〕47号",
            "孟政办发〔2024〕60号",
            "孟政发〔2024〕81号",
            "孟政发〔2021〕33号"
        ])
    );
    ingest_on(&b, "2025-01-02", &sample());
    let second = changes(&b, &["--last"]);
    // The sample's ingest makes known its documents, its own links, and
    // that 75号 has ended since the last ingest — not the later issue's links again.
    assert!(links(&second).is_disjoint(&want_links), "{:?}", links(&second));
    assert_eq!(second.iter().filter(|c| s(&c["kind"]) == "added").count(), 23);
    let expires: Vec<Fact> = second.iter().filter(|c| s(&c["kind"]) == "expires").map(fact).collect();
    assert_eq!(expires, [f("expires", "孟政发〔2024〕75号", "", "2025-01-01", "2024-12-31", "", true)]);
    // The same statuses; the same facts with the same ids, and besides them
    // only what was dangling while its target was not yet ingested.
    assert_eq!(statuses(&b), statuses_a);
    let all_b = changes(&b, &[]);
    let ids_b: BTreeSet<String> = all_b.iter().map(|c| s(&c["id"]).to_string()).collect();
    let before_74 = ids_a.iter().filter(|i| !ids_b.contains(*i)).count();
    assert_eq!(before_74, 0, "a fact of the first order has another id in the second");
    let extra: BTreeSet<&str> = all_b.iter().filter(|c| !ids_a.contains(s(&c["id"]))).map(|c| s(&c["doc_number"])).collect();
    assert!(all_b.iter().filter(|c| !ids_a.contains(s(&c["id"]))).all(|c| s(&c["kind"]) == "dangling"));
    assert_eq!(
        extra,
        BTreeSet::from(["孟政发〔2024〕84号", "孟政发〔2024〕74号", "孟政办发〔2024〕47号", "孟政办发〔2024〕60号", "孟政发〔2024〕81号"])
    );
}

/// A renewal and a partial repeal in a later issue (tests/fixtures/later-validity):
/// one names its target by title alone. Ingested before the sample, that
/// renewal is known about the title; the sample's ingest, which brings the
/// document the title names, makes it known about that document.
#[test]
fn a_change_by_title_alone_becomes_known_about_the_document_when_it_arrives() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    ingest_on(&index, "2025-01-20", &fixture("later-validity/yuxian-2025-01.txt"));
    let first: Vec<Fact> = changes(&index, &["--last"]).iter().filter(|c| s(&c["kind"]) != "added").map(fact).collect();
    let title = "《孟县农村集体经营性建设用地土地增值收益调节金征收使用管理暂行办法（试行）》";
    assert!(
        first.contains(&f("partially_repealed", "孟政发〔2024〕75号", "孟政发〔2025〕3号", "2025-03-01", "", "第十三条", false)),
        "{first:?}"
    );
    assert!(
        first.contains(&f("amended", "孟政办发〔2024〕47号", "孟政办发〔2025〕2号", "2025-02-01", "", "第八条,第十五条", false)),
        "{first:?}"
    );
    assert!(first.contains(&f("extended", title, "孟政发〔2024〕102号", "2024-12-18", "", "", false)), "{first:?}");
    assert!(first.contains(&f("dangling", title, "孟政发〔2024〕102号", "2024-12-18", "", "", false)), "{first:?}");
    ingest_on(&index, "2025-01-21", &sample());
    let second: Vec<Fact> = changes(&index, &["--last"])
        .iter()
        .filter(|c| ["extended", "partially_repealed", "amended"].contains(&s(&c["kind"])))
        .map(fact)
        .collect();
    assert_eq!(second, [f("extended", "孟政发〔2024〕75号", "孟政发〔2024〕102号", "2024-12-18", "", "", true)]);
    // Renewed without an end, 75号 does not expire.
    assert!(!changes(&index, &[]).iter().any(|c| s(&c["kind"]) == "expires" && s(&c["doc_number"]) == "孟政发〔2024〕75号"));
}

#[test]
fn the_watch_list_keeps_the_changes_of_watched_documents_before_and_after_they_arrive() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    ingest_on(&index, "2024-10-08", &sample());
    // 74号 is in the corpus, 97号 not yet.
    let out = run_on(&index, "2024-10-08", &["watch", "add", "孟政发[2024]74号", "孟政发（2024）97号"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let w = run_json(&["watch", "list", "--json"], Some(&index));
    let listed: Vec<(String, bool)> =
        w["watch"].as_array().unwrap().iter().map(|e| (s(&e["id"]).into(), e["in_corpus"].as_bool().unwrap())).collect();
    assert_eq!(listed, [("孟政发〔2024〕74号".to_string(), true), ("孟政发〔2024〕97号".to_string(), false)]);
    assert_eq!(w["watch"][0]["added"], "2024-10-08");
    ingest_on(&index, "2024-12-30", &later());
    let kinds = |v: Vec<Value>| -> Vec<(String, String)> { v.iter().map(|c| (s(&c["kind"]).into(), s(&c["doc_number"]).into())).collect() };
    assert_eq!(
        kinds(changes(&index, &["--watched", "--last"])),
        [("extended".to_string(), "孟政发〔2024〕74号".to_string()), ("added".into(), "孟政发〔2024〕97号".into())]
    );
    assert_eq!(
        kinds(changes(&index, &["--watched"])),
        [
            ("extended".to_string(), "孟政发〔2024〕74号".to_string()),
            ("added".into(), "孟政发〔2024〕97号".into()),
            ("added".into(), "孟政发〔2024〕74号".into())
        ]
    );
    let w = run_json(&["watch", "list", "--json"], Some(&index));
    assert_eq!(w["watch"][1]["in_corpus"], true, "97号 has arrived: {w}");
    // A title, and a 文号 the corpus never holds; 74号 no longer.
    let out = run(&["watch", "add", "《孟县政府投资信息化项目管理办法（暂行）》", "孟政发 (2021) 33 号"], Some(&index));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(run(&["watch", "remove", "孟政发〔2024〕74号"], Some(&index)).status.success());
    assert_eq!(
        kinds(changes(&index, &["--watched", "--last"])),
        [
            ("repealed".to_string(), "孟政发〔2021〕33号".to_string()),
            ("amended".into(), "孟政办发〔2024〕47号".into()),
            ("dangling".into(), "孟政发〔2021〕33号".into()),
            ("added".into(), "孟政发〔2024〕97号".into())
        ]
    );
    let bad = run(&["watch", "add", "孟县政府投资信息化项目管理办法"], Some(&index));
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("title in 《》"), "{}", String::from_utf8_lossy(&bad.stderr));
    // The changes and the watch list survive a rebuild, from the index or from its kept export.
    let all = run(&["changes", "--json"], Some(&index)).stdout;
    let watched = run(&["changes", "--watched", "--json"], Some(&index)).stdout;
    let list = run(&["watch", "list", "--json"], Some(&index)).stdout;
    let export = std::fs::read_dir(index.join("exports")).unwrap().next().unwrap().unwrap().path();
    let copy = dir.path().join("export.jsonl");
    std::fs::copy(&export, &copy).unwrap();
    for rebuild in [vec!["rebuild"], vec!["rebuild", "--from", copy.to_str().unwrap()]] {
        let out = run(&rebuild, Some(&index));
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(run(&["changes", "--json"], Some(&index)).stdout, all, "{rebuild:?}");
        assert_eq!(run(&["changes", "--watched", "--json"], Some(&index)).stdout, watched, "{rebuild:?}");
        assert_eq!(run(&["watch", "list", "--json"], Some(&index)).stdout, list, "{rebuild:?}");
        assert!(run(&["check"], Some(&index)).status.success());
    }
}

const NS: &str = "http://www.w3.org/2005/Atom";

/// A feed as parsed: its id, title, updated, whether it names an author,
/// and its entries (id, title, updated, link, summary, category).
struct Feed {
    id: String,
    title: String,
    updated: String,
    author: bool,
    entries: Vec<[String; 6]>,
}

fn child<'a, 'i>(n: roxmltree::Node<'a, 'i>, name: &str) -> Option<roxmltree::Node<'a, 'i>> {
    n.children().find(|c| c.has_tag_name((NS, name)))
}

fn text(n: roxmltree::Node, name: &str) -> String {
    child(n, name).and_then(|c| c.text()).unwrap_or_else(|| panic!("no {name} in {:?}", n.tag_name())).to_string()
}

fn feed(xml: &str) -> Feed {
    let doc = roxmltree::Document::parse(xml).unwrap_or_else(|e| panic!("not XML ({e}): {xml}"));
    let root = doc.root_element();
    assert!(root.has_tag_name((NS, "feed")), "root {:?}", root.tag_name());
    let mut entries = Vec::new();
    for e in root.children().filter(|c| c.has_tag_name((NS, "entry"))) {
        let link = child(e, "link").and_then(|l| l.attribute("href")).expect("entry link").to_string();
        let category = child(e, "category").and_then(|l| l.attribute("term")).unwrap_or("").to_string();
        entries.push([text(e, "id"), text(e, "title"), text(e, "updated"), link, text(e, "summary"), category]);
    }
    Feed {
        id: text(root, "id"),
        title: text(root, "title"),
        updated: text(root, "updated"),
        author: child(root, "author").is_some(),
        entries,
    }
}

#[test]
fn the_feed_is_atom_1_0_and_its_entries_are_the_changes() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    ingest_on(&index, "2024-10-08", &sample());
    ingest_on(&index, "2024-12-30", &later());
    assert!(run(&["watch", "add", "孟政发〔2024〕84号", "孟政发〔2021〕33号"], Some(&index)).status.success());
    let all = changes(&index, &[]);
    let server = Server::start(&index);
    let (code, xml) = server.get("/feed.atom");
    assert_eq!(code, 200);
    let fd = feed(&xml);
    let got = &fd.entries;
    let first_ids: Vec<String> = got.iter().map(|e| e[0].clone()).collect();
    assert_eq!(fd.id, "tag:gongbao,2024:changes");
    assert!(!fd.title.is_empty());
    let updated = chrono::DateTime::parse_from_rfc3339(&fd.updated).expect("feed updated is RFC 3339");
    assert!(fd.author, "an author");
    // One entry per change, newest first, as `changes` lists them.
    assert_eq!(got.len(), all.len());
    let newest = chrono::DateTime::parse_from_rfc3339(s(&all[0]["ingested"])).unwrap();
    assert_eq!(updated.timestamp(), newest.timestamp());
    for (e, c) in got.iter().zip(&all) {
        assert_eq!(e[0], format!("tag:gongbao,2024:change/{}", s(&c["id"])));
        assert!(e[1].contains(c["doc_number"].as_str().unwrap_or(s(&c["title"]))), "{e:?} vs {c}");
        let t = chrono::DateTime::parse_from_rfc3339(&e[2]).expect("entry updated is RFC 3339");
        assert_eq!(t.timestamp(), chrono::DateTime::parse_from_rfc3339(s(&c["ingested"])).unwrap().timestamp());
        let page =
            if c["in_corpus"] == true { format!("/doc/{}", enc(s(&c["doc_id"]))) } else { format!("/status?id={}", enc(s(&c["doc_id"]))) };
        assert_eq!(e[3], format!("http://{}{page}", server.addr));
        if let Some(ev) = c["evidence"].as_str() {
            assert!(e[4].contains(ev), "{e:?}");
        }
        assert_eq!(e[5], s(&c["kind"]));
    }
    // Each entry's link opens.
    let repeal = got.iter().find(|e| e[5] == "repealed" && e[1].contains("84号")).expect("the repeal of 84号");
    let (code, html) = server.get(repeal[3].trim_start_matches(&format!("http://{}", server.addr)));
    assert_eq!(code, 200);
    assert!(html.contains("孟县推动大规模设备更新和消费品以旧换新任务分工方案"));
    // The watch list's feed.
    let (_, xml) = server.get("/feed.atom?watched=1");
    let fw = feed(&xml);
    let got = &fw.entries;
    assert_eq!(fw.id, "tag:gongbao,2024:changes/watched");
    let watched: Vec<String> = changes(&index, &["--watched"]).iter().map(|c| format!("tag:gongbao,2024:change/{}", s(&c["id"]))).collect();
    assert_eq!(got.iter().map(|e| e[0].clone()).collect::<Vec<_>>(), watched);
    assert_eq!(watched.len(), 4, "84号 added and repealed, 33号 repealed and dangling");
    // The API in the CLI's shape.
    for (q, args) in
        [("", vec![]), ("?since=2024-12-30", vec!["--since", "2024-12-30"]), ("?last=1&watched=1", vec!["--last", "--watched"])]
    {
        let (code, v) = server.json(&format!("/api/changes{q}"));
        assert_eq!(code, 200);
        assert_eq!(v["changes"].as_array().unwrap(), &changes(&index, &args), "{q}");
    }
    assert_eq!(server.get("/api/changes?since=2024-13-01").0, 400);
    // The page: each change with its badge and its evidence.
    let (code, html) = server.get("/changes");
    assert_eq!(code, 200);
    assert!(html.contains(r#"<span class="badge c-repealed">废止</span>"#) && html.contains(r#"class="badge c-expires""#), "{html}");
    assert!(html.contains("决定将该办法有效期延长至2025年12月31日"));
    assert_eq!(html.matches("<li id=\"c-").count(), all.len());
    drop(server);
    // Entry ids are stable across a rebuild.
    assert!(run(&["rebuild"], Some(&index)).status.success());
    let server = Server::start(&index);
    let (_, again) = server.get("/feed.atom");
    let ids: Vec<String> = feed(&again).entries.iter().map(|e| e[0].clone()).collect();
    assert_eq!(ids, first_ids);
}
