//! Constructed 公文 covering what the sample lacks (joint issuance, 之一
//! articles, inline citations, 节, Chinese-numeral dates, no 文号, a 党委
//! office, [] and （） brackets, a 文号 broken across lines, a provision
//! broken across a page, a decree, a 目录 that disagrees with the body):
//! each parsed and compared with its expected record.

mod common;
use common::*;
use serde_json::Value;

fn s(v: &Value) -> String {
    v.as_str().map(str::to_string).unwrap_or_default()
}

fn walk(ps: &Value, path: Vec<String>, out: &mut Vec<(Vec<String>, Value)>) {
    for p in ps.as_array().into_iter().flatten() {
        let seg = s(&p["id"]).rsplit('/').next().unwrap_or("").to_string();
        let mut here = path.clone();
        here.push(seg);
        out.push((here.clone(), p.clone()));
        walk(&p["children"], here, out);
    }
}

#[test]
fn constructed_documents_parse_as_expected() {
    let dir = root().join("tests/fixtures/constructed");
    let mut files: Vec<_> =
        std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|e| e == "txt")).collect();
    files.sort();
    assert!(files.len() >= 12, "{} fixtures", files.len());
    let mut all_misses = Vec::new();
    let (mut matched, mut total) = (0, 0);
    for f in files {
        let expected: Value = serde_json::from_str(&std::fs::read_to_string(f.with_extension("expected.json")).unwrap()).unwrap();
        let parsed = parse(&f);
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        let mut misses = Vec::new();
        let mut check = |what: String, got: String, want: String| {
            total += 1;
            if got == want {
                matched += 1;
            } else {
                misses.push(format!("{name}: {what}: got {got:?}, want {want:?}"));
            }
        };
        let docs = parsed["documents"].as_array().unwrap();
        let exp_docs = expected["documents"].as_array().unwrap();
        check("documents".into(), docs.len().to_string(), exp_docs.len().to_string());
        for k in ["gazette", "year", "number", "cumulative_number", "published"] {
            if !expected["issue"][k].is_null() {
                check(format!("issue {k}"), parsed["issue"][k].to_string(), expected["issue"][k].to_string());
            }
        }
        for (i, e) in exp_docs.iter().enumerate() {
            let d = docs.get(i).cloned().unwrap_or(Value::Null);
            let tag = format!("doc {}", i + 1);
            check(format!("{tag} doc_number"), s(&d["doc_number"]), s(&e["doc_number"]));
            check(format!("{tag} issuer"), d["issuer"].to_string(), e["issuer"].to_string());
            check(format!("{tag} title"), norm(&s(&d["title"])), norm(&s(&e["title"])));
            check(format!("{tag} doc_type"), s(&d["doc_type"]), s(&e["doc_type"]));
            check(format!("{tag} addressees"), norm(&s(&d["addressees"])), norm(&s(&e["addressees"])));
            check(format!("{tag} signed_date"), s(&d["signed_date"]), s(&e["signed_date"]));
            match e["instrument"].as_object() {
                None => check(format!("{tag} instrument"), d["instrument"].is_null().to_string(), "true".into()),
                Some(ins) => {
                    check(format!("{tag} instrument title"), norm(&s(&d["instrument"]["title"])), norm(&s(&ins["title"])));
                    check(format!("{tag} instrument doc_type"), s(&d["instrument"]["doc_type"]), s(&ins["doc_type"]));
                    for k in ["chapters", "articles", "top_sections"] {
                        if let Some(n) = ins[k].as_u64() {
                            check(format!("{tag} {k}"), d["instrument"][k].to_string(), n.to_string());
                        }
                    }
                }
            }
            let mut provs = Vec::new();
            walk(&d["provisions"], vec![], &mut provs);
            for p in e["provisions"].as_array().into_iter().flatten() {
                let path: Vec<String> = p["path"].as_array().unwrap().iter().map(s).collect();
                let found = provs.iter().find(|(pp, _)| *pp == path);
                let ok = found.is_some_and(|(_, v)| {
                    let text = norm(&s(&v["text"]));
                    let want = norm(&s(&p["starts_with"]));
                    text.starts_with(&want) || norm(&s(&v["heading"])).starts_with(&want)
                });
                check(format!("{tag} provision {path:?} starts with {}", s(&p["starts_with"])), ok.to_string(), "true".into());
            }
        }
        let warnings = parsed["warnings"].to_string();
        for w in expected["warnings_contain"].as_array().into_iter().flatten() {
            check(format!("warning mentions {}", s(w)), warnings.contains(&s(w)).to_string(), "true".into());
        }
        all_misses.extend(misses);
    }
    println!("constructed fixtures: {matched}/{total} checks");
    assert!(all_misses.is_empty(), "{}", all_misses.join("\n"));
}
