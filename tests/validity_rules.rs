//! Validity windows and links on constructed sentences, ten or more per
//! rule family (tests/fixtures/validity_cases.json), traps included.

use chrono::NaiveDate;
use gongbao::analyse::{analyse, Basis};
use serde_json::Value;
use std::collections::BTreeMap;

fn date(v: &Value) -> Option<NaiveDate> {
    v.as_str().and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
}

fn basis_name(b: Basis) -> String {
    serde_json::to_value(b).unwrap().as_str().unwrap().to_string()
}

#[test]
fn every_rule_family() {
    let cases: Value =
        serde_json::from_str(&std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/validity_cases.json")).unwrap())
            .unwrap();
    let mut by_family: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut failures = Vec::new();
    for c in cases["cases"].as_array().unwrap() {
        let signed = date(&c["signed_date"]);
        let a = analyse(c["text"].as_str().unwrap(), signed, None, "");
        let mut problems = Vec::new();
        // Window.
        let w = &a.validity;
        match c["window"].as_object() {
            None => {
                if w.basis != Basis::Default || w.effective_until.is_some() || w.effective_from != signed {
                    problems.push(format!("window: got {w:?}, want none"));
                }
            }
            Some(want) => {
                let got = (w.effective_from, w.effective_until, basis_name(w.basis));
                let exp = (date(&want["effective_from"]), date(&want["effective_until"]), want["basis"].as_str().unwrap().to_string());
                if got != exp {
                    problems.push(format!("window: got {got:?}, want {exp:?}"));
                }
            }
        }
        // Campaign.
        let got_c = a.campaign.as_ref().map(|c| (c.from, c.until));
        let exp_c = c["campaign"].as_object().map(|o| (date(&o["from"]), date(&o["until"])));
        if got_c != exp_c {
            problems.push(format!("campaign: got {got_c:?}, want {exp_c:?}"));
        }
        // Links.
        let mut got_l: Vec<(String, Option<String>, Option<String>)> = a
            .links
            .iter()
            .map(|l| {
                (serde_json::to_value(l.kind).unwrap().as_str().unwrap().to_string(), l.target.clone(), l.until.map(|d| d.to_string()))
            })
            .collect();
        let mut exp_l: Vec<(String, Option<String>, Option<String>)> = c["links"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| {
                (l["kind"].as_str().unwrap().to_string(), l["target"].as_str().map(str::to_string), l["until"].as_str().map(str::to_string))
            })
            .collect();
        // A link by title only is matched on its kind (its target is resolved per issue).
        got_l.sort();
        exp_l.sort();
        if got_l != exp_l {
            problems.push(format!("links: got {got_l:?}, want {exp_l:?}"));
        }
        let fam = c["family"].as_str().unwrap().to_string();
        let e = by_family.entry(fam).or_default();
        e.1 += 1;
        if problems.is_empty() {
            e.0 += 1;
        } else {
            failures.push(format!("{} {}\n    {}", c["id"].as_str().unwrap(), c["text"].as_str().unwrap(), problems.join("\n    ")));
        }
    }
    let mut total = (0, 0);
    for (f, (ok, n)) in &by_family {
        println!("{f:<18} {ok}/{n}");
        total.0 += ok;
        total.1 += n;
    }
    println!("{:<18} {}/{}", "all", total.0, total.1);
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}
