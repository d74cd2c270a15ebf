//! A later issue that changes documents of the sample the way local
//! documents do: an extension notice whose body says only 该办法 (the 文号
//! in the sentence before), a 继续适用 notice that names its target by
//! 《title》 alone, an amendment of two articles, and a partial repeal
//! (tests/fixtures/later-validity/yuxian-2025-01.txt). Status before, on
//! and after each change, with the deciding document and its sentence, in
//! both ingest orders.

mod common;
use common::*;
use serde_json::Value;
use std::path::Path;

fn ingest(index: &Path, path: &Path) {
    let out = run(&["ingest", path.to_str().unwrap(), "--json"], Some(index));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

fn status(index: &Path, id: &str, on: &str) -> Value {
    run_json(&["status", id, "--on", on, "--json"], Some(index))
}

/// (document, date, status, the deciding document if any, its kind, provisions it names)
const EXPECTED: &[(&str, &str, &str, Option<&str>, &str, &[&str])] = &[
    // 74号 ends 2024-12-31; 孟政发〔2024〕101号 (该办法) extends it to 2026-12-31.
    ("孟政发〔2024〕74号", "2024-12-14", "in_force", None, "", &[]),
    ("孟政发〔2024〕74号", "2025-06-01", "in_force", Some("孟政发〔2024〕101号"), "extends", &[]),
    ("孟政发〔2024〕74号", "2026-12-31", "in_force", Some("孟政发〔2024〕101号"), "extends", &[]),
    ("孟政发〔2024〕74号", "2027-01-01", "expired", Some("孟政发〔2024〕101号"), "extends", &[]),
    // 75号 ends 2024-12-31; 102号 renews it by title with no end; 孟政发〔2025〕3号 repeals its 第十三条 from 2025-03-01.
    ("孟政发〔2024〕75号", "2024-12-17", "in_force", None, "", &[]),
    ("孟政发〔2024〕75号", "2025-01-15", "in_force", Some("孟政发〔2024〕102号"), "extends", &[]),
    ("孟政发〔2024〕75号", "2025-02-28", "in_force", Some("孟政发〔2024〕102号"), "extends", &[]),
    ("孟政发〔2024〕75号", "2025-03-01", "partially_repealed", Some("孟政发〔2025〕3号"), "repeals_part", &["第十三条"]),
    ("孟政发〔2024〕75号", "2030-01-01", "partially_repealed", Some("孟政发〔2025〕3号"), "repeals_part", &["第十三条"]),
    // 47号 (until 2026-08-01) is amended from 2025-02-01 in 第八条 and 第十五条.
    ("孟政办发〔2024〕47号", "2025-01-31", "in_force", None, "", &[]),
    ("孟政办发〔2024〕47号", "2025-02-01", "amended", Some("孟政办发〔2025〕2号"), "amends", &["第八条", "第十五条"]),
    ("孟政办发〔2024〕47号", "2026-08-02", "expired", None, "", &[]),
];

#[test]
fn extensions_renewals_amendments_and_partial_repeals_in_either_order() {
    let sample = fixture("yuxian-2024-03.seed.txt");
    let later = fixture("later-validity/yuxian-2025-01.txt");
    let mut answers: Vec<Vec<String>> = Vec::new();
    for order in [[&sample, &later], [&later, &sample]] {
        let dir = tempfile::tempdir().unwrap();
        let index = dir.path().join("index");
        ingest(&index, order[0]);
        ingest(&index, order[1]);
        let mut mine = Vec::new();
        for (id, on, want, by, kind, provisions) in EXPECTED {
            let r = status(&index, id, on);
            assert_eq!(r["status"], *want, "{id} on {on}: {r:#}");
            let decided: Vec<&Value> = r["decided_by"].as_array().unwrap().iter().collect();
            if let Some(by) = by {
                let d =
                    decided.iter().find(|d| d["doc_number"] == *by).unwrap_or_else(|| panic!("{id} on {on}: not decided by {by}: {r:#}"));
                assert_eq!(d["kind"], *kind, "{id} on {on}");
                assert!(!d["evidence"].as_str().unwrap().is_empty(), "{id} on {on}: no evidence");
                let got: Vec<&str> = d["provisions"].as_array().map(|v| v.iter().filter_map(|x| x.as_str()).collect()).unwrap_or_default();
                assert_eq!(got, *provisions, "{id} on {on}: provisions");
            } else if *want != "expired" {
                assert!(decided.is_empty(), "{id} on {on}: decided by {decided:?}");
            }
            mine.push(format!("{id} {on} {}", r["status"]));
        }
        answers.push(mine);
    }
    assert_eq!(answers[0], answers[1], "the ingest order changed an answer");
    // A search says the same as status, in its hits and its facets, on the
    // date asked and, without one, on today as GONGBAO_TODAY sets it.
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    ingest(&index, &sample);
    ingest(&index, &later);
    let by_date = run_json(&["search", "孟政办发〔2024〕47号", "--in-force-on", "2025-06-01", "--json"], Some(&index));
    let out = std::process::Command::new(bin())
        .args(["search", "孟政办发〔2024〕47号", "--json"])
        .env("GONGBAO_INDEX", &index)
        .env("GONGBAO_TODAY", "2025-06-01")
        .output()
        .unwrap();
    let by_today: Value = serde_json::from_slice(&out.stdout).unwrap();
    for r in [&by_date, &by_today] {
        let hit = &r["hits"][0];
        assert_eq!(hit["doc_number"], "孟政办发〔2024〕47号", "{r:#}");
        assert_eq!(hit["status"], "amended", "{r:#}");
        let statuses = &r["facets"]["status"];
        for h in r["hits"].as_array().unwrap() {
            let s = h["status"].as_str().unwrap();
            assert!(statuses[s].as_u64().unwrap_or(0) >= 1, "hit {} is {s}, facets {statuses}", h["id"]);
        }
    }
    // The evidence names the target the body calls 该办法.
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    ingest(&index, &later);
    let r = status(&index, "孟政发〔2024〕74号", "2025-06-01");
    assert_eq!(r["known_in_corpus"], false);
    assert_eq!(r["status"], "unknown", "{r:#}");
    assert!(r["decided_by"][0]["evidence"].as_str().unwrap().contains("将该办法有效期延长至2026年12月31日"), "{r:#}");
}
