//! Validity windows and links on real sentences: 367 sentences harvested
//! verbatim from the dev sets (`../shared/dev/`), each with the answer a
//! reader wrote down without running gongbao (tests/fixtures/validity_real.json;
//! its `description` says how they were harvested and the conventions).
//!
//! The window is the one the sentence fixes for its own document; links
//! are read from the sentence with the sentences before it (`context`,
//! given where the sentence points back: 该办法, 上述文件, 原…) and the
//! document's title (an extension notice titled 关于延长《X》有效期的通知
//! names its target there). Prints the score by family and the failures;
//! fails below 97 %.
//!
//!     cargo test --test validity_real -- --nocapture

use chrono::NaiveDate;
use gongbao::analyse::{analyse_passage, Basis};
use serde_json::Value;
use std::collections::BTreeMap;

fn date(v: &Value) -> Option<NaiveDate> {
    v.as_str().and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
}

fn basis_name(b: Basis) -> String {
    serde_json::to_value(b).unwrap().as_str().unwrap().to_string()
}

/// A link as compared: kind, target (文号, else the title inside 《》), new end, provisions.
type Cmp = (String, String, Option<String>, Vec<String>);

fn key_title(t: &str) -> String {
    gongbao::text::normalize_title(t).replace(['〈', '<'], "《").replace(['〉', '>'], "》")
}

const FLOOR: f64 = 0.97;

#[test]
fn real_sentences_by_family() {
    let cases: Value =
        serde_json::from_str(&std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/validity_real.json")).unwrap())
            .unwrap();
    let mut by_family: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut failures: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for c in cases["cases"].as_array().unwrap() {
        let signed = date(&c["signed_date"]);
        let text = c["text"].as_str().unwrap();
        let context = c["context"].as_str().unwrap_or("");
        let title = c["title"].as_str().unwrap_or("");
        let a = analyse_passage(context, text, signed, title);
        let mut problems = Vec::new();
        let w = &a.validity;
        match c["window"].as_object() {
            None => {
                if w.basis != Basis::Default || w.effective_until.is_some() {
                    problems.push(format!("window: got {:?} {:?}–{:?}, want none", w.basis, w.effective_from, w.effective_until));
                }
            }
            Some(want) => {
                let got = (w.effective_from, w.effective_until, basis_name(w.basis));
                let mut exp = (date(&want["effective_from"]), date(&want["effective_until"]), want["basis"].as_str().unwrap().to_string());
                // No start stated: the default start (the signed date) stands.
                if exp.0.is_none() {
                    exp.0 = signed;
                }
                if got != exp {
                    problems.push(format!("window: got {got:?}, want {exp:?}"));
                }
            }
        }
        let mut got: Vec<Cmp> = a
            .links
            .iter()
            .filter(|l| !matches!(l.kind, gongbao::analyse::LinkKind::SupervisionListed | gongbao::analyse::LinkKind::SupervisionClosed))
            .map(|l| {
                let mut p = l.provisions.clone();
                p.sort();
                (
                    l.kind.to_string(),
                    l.target.clone().unwrap_or_else(|| key_title(l.target_title.as_deref().unwrap_or(""))),
                    l.until.map(|d| d.to_string()),
                    p,
                )
            })
            .collect();
        let mut exp: Vec<Cmp> = c["links"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| {
                let mut p: Vec<String> = l["provisions"]
                    .as_array()
                    .map(|v| v.iter().filter_map(|x| x.as_str().map(str::to_string)).collect())
                    .unwrap_or_default();
                p.sort();
                (
                    l["kind"].as_str().unwrap().to_string(),
                    l["target"]
                        .as_str()
                        .map(|t| gongbao::DocNumber::parse(t).map(|d| d.to_string()).unwrap_or_else(|| t.to_string()))
                        .unwrap_or_else(|| key_title(l["target_title"].as_str().unwrap_or(""))),
                    l["until"].as_str().map(str::to_string),
                    p,
                )
            })
            .collect();
        // Where the reader gave no 文号 (a 令 number, a title alone), the title decides.
        let want_numbered: Vec<bool> = c["links"].as_array().unwrap().iter().map(|l| l["target"].is_string()).collect();
        if want_numbered.iter().all(|n| !n) {
            got = a
                .links
                .iter()
                .filter(|l| {
                    !matches!(l.kind, gongbao::analyse::LinkKind::SupervisionListed | gongbao::analyse::LinkKind::SupervisionClosed)
                })
                .map(|l| {
                    let mut p = l.provisions.clone();
                    p.sort();
                    let t = l.target_title.as_deref().map(key_title).or(l.target.clone()).unwrap_or_default();
                    (l.kind.to_string(), t, l.until.map(|d| d.to_string()), p)
                })
                .collect();
        }
        got.sort();
        got.dedup();
        exp.sort();
        exp.dedup();
        if got != exp {
            problems.push(format!("links: got {got:?}\n      want {exp:?}"));
        }
        let fam = c["family"].as_str().unwrap().to_string();
        let e = by_family.entry(fam.clone()).or_default();
        e.1 += 1;
        if problems.is_empty() {
            e.0 += 1;
        } else {
            failures.entry(fam).or_default().push(format!(
                "{} ({}) {}\n    {}",
                c["id"].as_str().unwrap(),
                c["source"].as_str().unwrap_or(""),
                text,
                problems.join("\n    ")
            ));
        }
    }
    let mut total = (0, 0);
    println!("\n{:<18} {:>9}", "family", "passed");
    for (f, (ok, n)) in &by_family {
        println!("{f:<18} {ok:>4}/{n:<4}");
        total.0 += ok;
        total.1 += n;
    }
    println!("{:<18} {:>4}/{:<4} {:.3}", "all", total.0, total.1, total.0 as f64 / total.1 as f64);
    for (f, v) in &failures {
        println!("\n== {f}: {} failures", v.len());
        for x in v {
            println!("  {x}");
        }
    }
    let share = total.0 as f64 / total.1 as f64;
    assert!(share >= FLOOR, "{:.3} of real sentences pass, below {FLOOR}", share);
}
