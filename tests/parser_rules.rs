//! No rule in the library names the sample's county, its 机关代字 or its
//! issue: the parser must work on gazettes it has never seen.

#[test]
fn no_rule_names_the_sample_county() {
    let mut offenders = Vec::new();
    let mut stack = vec![std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/src"))];
    stack.push(std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/dictionaries")));
    while let Some(p) = stack.pop() {
        if p.is_dir() {
            stack.extend(std::fs::read_dir(&p).unwrap().map(|e| e.unwrap().path()));
        } else {
            let text = std::fs::read_to_string(&p).unwrap_or_default();
            for (n, line) in text.lines().enumerate() {
                if line.contains('孟') || line.contains('盂') || line.contains("yuxian") {
                    offenders.push(format!("{}:{}: {line}", p.display(), n + 1));
                }
            }
        }
    }
    assert!(offenders.is_empty(), "{}", offenders.join("\n"));
}
