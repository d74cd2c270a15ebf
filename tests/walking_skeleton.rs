//! Issue "From a gazette PDF to a search hit, end to end": every variant of
//! the sample issue parses into the 23 documents of the truth file; the
//! clean text keeps the source characters and loses its running lines; the
//! CID-font PDF goes through the fallback; ingest + search finds documents.

mod common;
use common::*;
use serde_json::Value;

fn s(v: &Value) -> String {
    v.as_str().unwrap_or("").to_string()
}

#[test]
fn every_variant_yields_the_23_documents_of_the_truth() {
    let truth = truth();
    let tdocs = truth["documents"].as_array().unwrap();
    for path in sample_variants() {
        let parsed = parse(&path);
        let docs = parsed["documents"].as_array().unwrap();
        let mut matched = 0;
        let mut total = 0;
        let mut misses = Vec::new();
        for (i, t) in tdocs.iter().enumerate() {
            let d = docs.get(i).cloned().unwrap_or(Value::Null);
            let checks = [
                ("doc_number", s(&d["doc_number"]), s(&t["doc_number"])),
                (
                    "issuer",
                    d["issuer"].as_array().map(|a| a.iter().map(s).collect::<Vec<_>>().join("、")).unwrap_or_default(),
                    s(&t["issuer"]),
                ),
                ("title", norm(&s(&d["title"])), norm(&s(&t["title_full"]))),
                ("signed_date", s(&d["signed_date"]), s(&t["signed_date"])),
            ];
            for (field, got, want) in checks {
                total += 1;
                if got == want {
                    matched += 1;
                } else {
                    misses.push(format!("doc {}: {field}: got {got:?}, want {want:?}", i + 1));
                }
            }
        }
        println!("{}: {matched}/{total} fields, {} documents", path.display(), docs.len());
        assert_eq!(docs.len(), 23, "{}: documents found", path.display());
        assert!(misses.is_empty(), "{}:\n{}", path.display(), misses.join("\n"));
    }
}

/// Characters of `a` kept in `b`, in order (LCS by Myers' diff).
fn kept(a: &str, b: &str) -> usize {
    let a: String = a.chars().filter(|c| !c.is_whitespace()).collect();
    let b: String = b.chars().filter(|c| !c.is_whitespace()).collect();
    let diff = similar::TextDiff::configure().timeout(std::time::Duration::from_secs(60)).diff_chars(&a, &b);
    diff.ops()
        .iter()
        .filter_map(|op| match op {
            similar::DiffOp::Equal { len, .. } => Some(*len),
            _ => None,
        })
        .sum()
}

#[test]
fn clean_text_keeps_the_source_characters_and_drops_running_lines() {
    use_worker_binary();
    let seed = std::fs::read_to_string(fixture("yuxian-2024-03.seed.txt")).unwrap();
    let ex = gongbao::pipeline::read_pages(&root().join("corpus/yuxian-2024-03.pdf"), &Default::default()).unwrap();
    let clean = gongbao::clean::clean(&ex);
    let total = seed.chars().filter(|c| !c.is_whitespace()).count();
    let k = kept(&seed, &clean.text);
    let ratio = k as f64 / total as f64;
    println!("characters kept: {k}/{total} = {:.4}%", ratio * 100.0);
    assert!(ratio >= 0.995, "kept {ratio}");

    // The running lines of the PDF, from its layout truth.
    let pages: Value = serde_json::from_str(&std::fs::read_to_string(fixture("yuxian-2024-03.pages.json")).unwrap()).unwrap();
    let mut running: Vec<String> = Vec::new();
    for p in pages["pages"].as_array().unwrap() {
        for l in p["header"].as_array().unwrap().iter().chain(p["footer"].as_array().unwrap()) {
            let l: String = l.as_str().unwrap().chars().filter(|c| !c.is_whitespace()).collect();
            if !running.contains(&l) {
                running.push(l);
            }
        }
    }
    assert!(running.len() > 10, "headers and footers known");
    let parsed = parse(&root().join("corpus/yuxian-2024-03.pdf"));
    let page_number = regex::Regex::new(r"^[—－\-–]\s*\d+\s*[—－\-–]$").unwrap();
    for d in parsed["documents"].as_array().unwrap() {
        for line in d["text"].as_str().unwrap().lines() {
            let l: String = line.chars().filter(|c| !c.is_whitespace()).collect();
            assert!(!running.contains(&l), "{}: running line left: {line}", d["id"]);
            assert!(!page_number.is_match(line.trim()), "{}: page number left: {line}", d["id"]);
            for r in &running {
                if r.chars().count() > 6 {
                    assert!(!l.contains(r.as_str()), "{}: running line inside text: {line}", d["id"]);
                }
            }
        }
    }
}

#[test]
fn cid_font_pdf_goes_through_the_fallback() {
    let parsed = parse(&fixture("yuxian-2024-03-stsong-cid.pdf"));
    assert_eq!(parsed["documents"].as_array().unwrap().len(), 23);
    assert_eq!(parsed["issue"]["extractors"], serde_json::json!(["pdftotext"]));
    let warnings = parsed["warnings"].to_string();
    assert!(warnings.contains("pdf-extract panicked"), "{warnings}");
    // The other variants are served by pdf-extract.
    let parsed = parse(&fixture("yuxian-2024-03-cairo.pdf"));
    assert_eq!(parsed["issue"]["extractors"], serde_json::json!(["pdf-extract"]));
}

#[test]
fn ingest_then_search_finds_the_documents() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    let report = run_json(&["ingest", root().join("corpus").to_str().unwrap(), "--json"], Some(&index));
    assert_eq!(report["files"][0]["outcome"], "ingested");
    assert_eq!(report["documents_added"], 23);
    for (q, want) in [("社区食堂", "孟政发〔2024〕59号"), ("调节金", "孟政发〔2024〕75号")] {
        let r = run_json(&["search", q, "--json"], Some(&index));
        assert_eq!(r["hits"][0]["doc_number"], want, "{q}: {r}");
        assert!(r["hits"][0]["snippet"].as_str().unwrap().contains(&format!("<mark>{q}</mark>")), "{q}: {r}");
    }
    // A second run changes nothing.
    let report = run_json(&["ingest", root().join("corpus").to_str().unwrap(), "--json"], Some(&index));
    assert_eq!(report["files"][0]["outcome"], "unchanged");
}
