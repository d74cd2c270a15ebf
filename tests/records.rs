//! Issue "Complete document records and provision trees": every field of
//! the 23 documents, their enclosed instruments (title, 文种, chapter and
//! article counts, top-level sections, spot checks) and the 目录, against
//! the hand-checked truth, on every rendering of the sample issue.

mod common;
use common::*;
use serde_json::Value;

fn s(v: &Value) -> String {
    v.as_str().unwrap_or("").to_string()
}

fn walk(ps: &Value, out: &mut Vec<Value>) {
    for p in ps.as_array().into_iter().flatten() {
        out.push(p.clone());
        walk(&p["children"], out);
    }
}

/// Compare one parsed issue with the truth; returns (matched, total, misses).
fn score(parsed: &Value, truth: &Value) -> (usize, usize, Vec<String>) {
    let mut matched = 0;
    let mut total = 0;
    let mut misses = Vec::new();
    let mut check = |what: String, got: String, want: String| {
        total += 1;
        if got == want {
            matched += 1;
        } else {
            misses.push(format!("{what}: got {got:?}, want {want:?}"));
        }
    };
    let docs = parsed["documents"].as_array().unwrap();
    for (i, t) in truth["documents"].as_array().unwrap().iter().enumerate() {
        let d = docs.get(i).cloned().unwrap_or(Value::Null);
        let dn = s(&t["doc_number"]);
        check(format!("{dn} doc_number"), s(&d["doc_number"]), dn.clone());
        let issuers: Vec<String> = d["issuer"].as_array().map(|a| a.iter().map(s).collect()).unwrap_or_default();
        check(format!("{dn} issuer"), issuers.join("、"), s(&t["issuer"]));
        check(format!("{dn} title"), norm(&s(&d["title"])), norm(&s(&t["title_full"])));
        check(format!("{dn} doc_type"), s(&d["doc_type"]), s(&t["doc_type"]));
        check(format!("{dn} addressees"), norm(&s(&d["addressees"])), norm(&s(&t["addressees"])));
        check(format!("{dn} signed_date"), s(&d["signed_date"]), s(&t["signed_date"]));
        let mut provisions = Vec::new();
        walk(&d["provisions"], &mut provisions);
        let spot = |label: &str, starts: &str| {
            provisions.iter().any(|p| norm(&s(&p["label"])) == norm(label) && norm(&s(&p["text"])).starts_with(&norm(starts)))
        };
        let ins = &d["instrument"];
        match t["attachment"].as_object() {
            Some(a) => {
                check(format!("{dn} instrument title"), norm(&s(&ins["title"])), norm(a["title"].as_str().unwrap()));
                check(format!("{dn} instrument doc_type"), s(&ins["doc_type"]), s(&a["doc_type"]));
                for k in ["chapters", "articles", "top_sections"] {
                    if let Some(n) = a[k].as_u64() {
                        check(format!("{dn} {k}"), ins[k].to_string(), n.to_string());
                    }
                }
                for sc in a["spot_checks"].as_array().unwrap() {
                    let (l, st) = (s(&sc["label"]), s(&sc["starts_with"]));
                    check(format!("{dn} {l} starts with {st}"), spot(&l, &st).to_string(), "true".into());
                }
                if let Some(per) = a.get("articles_per_chapter").and_then(|v| v.as_object()) {
                    for (ch, n) in per {
                        let got = provisions
                            .iter()
                            .find(|p| s(&p["label"]) == *ch)
                            .map(|p| p["children"].as_array().unwrap().iter().filter(|c| c["kind"] == "article").count())
                            .unwrap_or(usize::MAX);
                        check(format!("{dn} {ch} articles"), got.to_string(), n.to_string());
                    }
                }
            }
            None => {
                check(format!("{dn} no instrument"), ins.is_null().to_string(), "true".into());
                let body = &t["body"];
                if let Some(n) = body["top_sections"].as_u64() {
                    let got = d["provisions"].as_array().unwrap().iter().filter(|p| p["kind"] == "level1").count();
                    check(format!("{dn} body top_sections"), got.to_string(), n.to_string());
                }
                for sc in body["spot_checks"].as_array().into_iter().flatten() {
                    let (l, st) = (s(&sc["label"]), s(&sc["starts_with"]));
                    check(format!("{dn} {l} starts with {st}"), spot(&l, &st).to_string(), "true".into());
                }
            }
        }
    }
    // The 目录.
    let toc = parsed["toc"].as_array().cloned().unwrap_or_default();
    for (i, t) in truth["toc"].as_array().unwrap().iter().enumerate() {
        let e = toc.get(i).cloned().unwrap_or(Value::Null);
        check(format!("目录 {i} title"), s(&e["title"]), s(&t["title"]));
        check(format!("目录 {i} 文号"), s(&e["doc_number"]), s(&t["doc_number"]));
        check(format!("目录 {i} page"), e["page"].to_string(), t["page"].to_string());
    }
    // The cover.
    let issue = &parsed["issue"];
    for k in ["gazette", "year", "number", "cumulative_number", "published", "id"] {
        check(format!("issue {k}"), issue[k].to_string(), truth["issue"][k].to_string());
    }
    (matched, total, misses)
}

#[test]
fn records_match_the_truth_on_every_rendering() {
    let truth = truth();
    for path in sample_variants() {
        let parsed = parse(&path);
        let (m, t, misses) = score(&parsed, &truth);
        println!("{}: {m}/{t} fields", path.file_name().unwrap().to_string_lossy());
        assert!(misses.is_empty(), "{}:\n{}", path.display(), misses.join("\n"));
        assert!(parsed["warnings"].as_array().unwrap().iter().all(|w| !w.as_str().unwrap().starts_with("目录")), "{}", parsed["warnings"]);
    }
}

#[test]
fn provision_ids_are_stable_and_unique() {
    let parsed = parse(&root().join("corpus/yuxian-2024-03.pdf"));
    let mut ids = std::collections::HashSet::new();
    for d in parsed["documents"].as_array().unwrap() {
        let mut ps = Vec::new();
        walk(&d["provisions"], &mut ps);
        for p in ps {
            let id = s(&p["id"]);
            assert!(id.starts_with(&format!("{}/", s(&d["id"]))), "{id}");
            assert!(ids.insert(id.clone()), "duplicate id {id}");
            assert!(p["page"].as_u64().unwrap() >= 1);
        }
    }
    assert!(ids.contains("孟政发〔2024〕74号/第四章/第十五条"));
    assert!(ids.contains("孟政发〔2024〕59号/四/（一）/1"));
    // The same ids from the text rendering of the issue.
    let again = parse(&fixture("yuxian-2024-03.seed.txt"));
    let mut ids2 = std::collections::HashSet::new();
    for d in again["documents"].as_array().unwrap() {
        let mut ps = Vec::new();
        walk(&d["provisions"], &mut ps);
        ids2.extend(ps.iter().map(|p| s(&p["id"])));
    }
    assert_eq!(ids, ids2);
}
