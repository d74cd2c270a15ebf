//! No rule in the library names the sample's county, its 机关代字 or its
//! issue: the parser must work on gazettes it has never seen.
//!
//! `dictionaries/query_dict.txt` is not read: it is generated, jieba's own
//! dictionary (349,000 words of general Chinese, 孔孟 and 浦东 among them)
//! with the words of the dictionaries read here; the tokenizer's tests check
//! it against the dictionary jieba and those files make.

/// Files of `src/` and `dictionaries/` that are rules (not generated).
fn rule_files() -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/src"))];
    stack.push(std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/dictionaries")));
    while let Some(p) = stack.pop() {
        if p.is_dir() {
            stack.extend(std::fs::read_dir(&p).unwrap().map(|e| e.unwrap().path()));
        } else if !p.ends_with("dictionaries/query_dict.txt") {
            out.push(p);
        }
    }
    out
}

#[test]
fn no_rule_names_the_sample_county() {
    let mut offenders = Vec::new();
    for p in rule_files() {
        let text = std::fs::read_to_string(&p).unwrap_or_default();
        for (n, line) in text.lines().enumerate() {
            if line.contains('孟') || line.contains('盂') || line.contains("yuxian") {
                offenders.push(format!("{}:{}: {line}", p.display(), n + 1));
            }
        }
    }
    assert!(offenders.is_empty(), "{}", offenders.join("\n"));
}

/// Nor does any rule (code outside comments and unit tests) name an issuer,
/// place or 机关代字 of the dev sets in `../shared/dev/`: the Shanghai set's
/// 机关代字 and districts, the local regulations' provinces and cities.
#[test]
fn no_rule_names_the_dev_sets() {
    let dev = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/dev"));
    if !dev.is_dir() {
        eprintln!("skipped: ../shared/dev is absent");
        return;
    }
    let mut names: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
    for line in std::fs::read_to_string(dev.join("shanghai/truth.jsonl")).unwrap().lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        if let Some(dn) = v["doc_number"].as_str().and_then(gongbao::DocNumber::parse) {
            if dn.prefix.chars().count() >= 2 {
                names.insert(dn.prefix.clone());
            }
        }
    }
    let truth: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dev.join("local-regulations/truth.json")).unwrap()).unwrap();
    for t in truth.as_array().unwrap() {
        names.insert(t["region"].as_str().unwrap().to_string());
    }
    for d in [
        "浦东", "黄浦", "静安", "徐汇", "长宁", "普陀", "虹口", "杨浦", "闵行", "宝山", "嘉定", "金山", "松江", "青浦", "奉贤", "崇明",
        "青岛", "济南", "杭州", "宁波", "郑州", "广州", "深圳",
    ] {
        names.insert(d.to_string());
    }
    let mut offenders = Vec::new();
    for p in rule_files() {
        let text = std::fs::read_to_string(&p).unwrap_or_default();
        // Code only: a unit-test module and comments (examples of real text) are no rules.
        let code = text.split("#[cfg(test)]").next().unwrap_or("");
        for (n, line) in code.lines().enumerate() {
            let t = line.trim_start();
            if t.starts_with("//") {
                continue;
            }
            if let Some(name) = names.iter().find(|nm| t.contains(nm.as_str())) {
                offenders.push(format!("{}:{}: {name}: {line}", p.display(), n + 1));
            }
        }
    }
    assert!(offenders.is_empty(), "{}", offenders.join("\n"));
}
