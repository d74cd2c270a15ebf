//! The parser on 148 real documents it was not written for: 48 State
//! Council documents (gov.cn metadata as truth) and 100 regulations (their
//! article and chapter counts). Prints the figures; fails below them.

use gongbao::pipeline::parse_text;
use gongbao::structure::{flatten, ProvisionKind};
use serde_json::Value;

fn dev(path: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/dev").join(path)
}

fn norm(s: &str) -> String {
    gongbao::text::normalize_title(s)
}

#[test]
fn state_council_documents() {
    let truth: Value = serde_json::from_str(&std::fs::read_to_string(dev("gov/truth.json")).unwrap()).unwrap();
    let (mut dn, mut issuer, mut title, mut date, mut one) = (0, 0, 0, 0, 0);
    let n = truth.as_array().unwrap().len();
    for t in truth.as_array().unwrap() {
        let file = t["file"].as_str().unwrap();
        let p = parse_text(&std::fs::read_to_string(dev(&format!("gov/{file}"))).unwrap(), file);
        one += (p.documents.len() == 1) as usize;
        let Some(d) = p.documents.first() else { continue };
        dn += (d.doc_number.as_ref().map(|x| x.to_string()).as_deref() == t["doc_number"].as_str()) as usize;
        issuer += (norm(&d.issuer.join(" ")) == norm(t["issuer"].as_str().unwrap())) as usize;
        title += (norm(&d.title) == norm(t["title"].as_str().unwrap())) as usize;
        date += (d.signed_date.map(|x| x.to_string()).as_deref() == t["signed_date"].as_str()) as usize;
    }
    println!("gov: one document {one}/{n}, 文号 {dn}/{n}, issuer {issuer}/{n}, title {title}/{n}, signed date {date}/{n}");
    // gov24's page prints 二〇〇四年四月二十七日; its metadata says 17日.
    assert!(one == n && dn == n && issuer == n && title == n && date >= n - 1);
}

#[test]
fn regulations() {
    let truth: Value = serde_json::from_str(&std::fs::read_to_string(dev("regulations/truth.json")).unwrap()).unwrap();
    let (mut arts, mut chs, mut titles) = (0, 0, 0);
    let n = truth.as_array().unwrap().len();
    for t in truth.as_array().unwrap() {
        let file = t["file"].as_str().unwrap();
        let p = parse_text(&std::fs::read_to_string(dev(&format!("regulations/{file}"))).unwrap(), file);
        let all: Vec<_> = p.documents.iter().flat_map(|d| flatten(&d.provisions)).collect();
        let a = all.iter().filter(|x| x.kind == ProvisionKind::Article).count();
        let c = all.iter().filter(|x| x.kind == ProvisionKind::Chapter).count();
        arts += (a as u64 == t["articles"].as_u64().unwrap()) as usize;
        chs += (c as u64 == t["chapters"].as_u64().unwrap()) as usize;
        titles += p.documents.first().is_some_and(|d| norm(&d.title) == norm(t["title"].as_str().unwrap())) as usize;
    }
    println!("regulations: articles {arts}/{n}, chapters {chs}/{n}, titles {titles}/{n}");
    assert!(arts == n && chs == n && titles == n);
}
