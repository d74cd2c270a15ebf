//! PDFs laid out the way real producers lay them out, constructed from the
//! sample issue (tests/fixtures/two-column/, webprint/, watermark/; each
//! folder's README says how they were made): a two-column gazette from two
//! producers (reportlab frames, LibreOffice sections), a notice printed from
//! a web page by Chromium (with and without the radicals Type3 fonts emit),
//! and a document whose every page carries a download site's stamp.

mod common;
use common::*;
use gongbao::record::{DocumentRecord, ParsedIssue};
use gongbao::structure::{flatten, ProvisionKind};
use serde_json::Value;

fn parse(path: &std::path::Path) -> ParsedIssue {
    use_worker_binary();
    gongbao::pipeline::parse_file(path, &Default::default()).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn expected(dir: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(fixture(&format!("{dir}/expected.json"))).unwrap()).unwrap()
}

fn norm(s: &str) -> String {
    gongbao::text::normalize_title(s)
}

fn counts(d: &DocumentRecord) -> (usize, usize) {
    let all = flatten(&d.provisions);
    (all.iter().filter(|p| p.kind == ProvisionKind::Chapter).count(), all.iter().filter(|p| p.kind == ProvisionKind::Article).count())
}

/// Every field a user sees of every document.
fn fields(p: &ParsedIssue) -> Vec<String> {
    let mut v = Vec::new();
    for d in &p.documents {
        v.push(d.title.clone());
        v.push(d.text.clone());
        v.extend(d.issuer.iter().cloned());
        v.extend(d.addressees.iter().cloned());
        v.extend(d.doc_number.iter().map(|n| n.to_string()));
        v.extend(flatten(&d.provisions).iter().map(|x| x.text.clone()));
    }
    v
}

#[test]
fn a_two_column_gazette_from_two_producers() {
    let want = expected("two-column");
    for file in ["two-column/gazette-2col.pdf", "two-column/gazette-2col-lo.pdf"] {
        let p = parse(&fixture(file));
        let docs = want["documents"].as_array().unwrap();
        assert_eq!(p.documents.len(), docs.len(), "{file}: {:?}", p.documents.iter().map(|d| &d.id).collect::<Vec<_>>());
        for (d, w) in p.documents.iter().zip(docs) {
            let dn = d.doc_number.as_ref().map(|n| n.to_string());
            assert_eq!(dn.as_deref(), w["doc_number"].as_str(), "{file}");
            let id = dn.unwrap_or_default();
            assert_eq!(norm(&d.title), norm(w["title"].as_str().unwrap()), "{file} {id}");
            let issuers: Vec<&str> = w["issuer"].as_array().unwrap().iter().map(|x| x.as_str().unwrap()).collect();
            assert_eq!(d.issuer, issuers, "{file} {id}");
            assert_eq!(d.doc_type.as_deref(), w["doc_type"].as_str(), "{file} {id}");
            assert_eq!(d.signed_date.map(|x| x.to_string()).as_deref(), w["signed_date"].as_str(), "{file} {id} signed date");
            if let Some(i) = w["instrument"].as_object() {
                let got = d.instrument.as_ref().unwrap_or_else(|| panic!("{file} {id}: no instrument"));
                assert_eq!(norm(&got.title), norm(i["title"].as_str().unwrap()), "{file} {id}");
                assert_eq!(counts(d), (i["chapters"].as_u64().unwrap() as usize, i["articles"].as_u64().unwrap() as usize), "{file} {id}");
            }
        }
        // Articles read in order: each continues the one before.
        for d in &p.documents {
            let arts: Vec<&str> =
                flatten(&d.provisions).iter().filter(|x| x.kind == ProvisionKind::Article).map(|x| x.label.as_str()).collect();
            for (k, a) in arts.iter().enumerate() {
                assert_eq!(*a, format!("第{}条", gongbao::text::to_cn_number(k as u32 + 1)), "{file} {}: {arts:?}", d.id);
            }
        }
    }
}

#[test]
fn a_printed_web_page_gives_its_notice_without_the_sites_chrome() {
    let want = expected("webprint");
    for file in ["webprint/webprint.pdf", "webprint/webprint-radicals.pdf"] {
        let p = parse(&fixture(file));
        assert_eq!(p.documents.len(), 1, "{file}");
        let d = &p.documents[0];
        assert_eq!(d.doc_number.as_ref().map(|n| n.to_string()).as_deref(), want["doc_number"].as_str(), "{file}");
        assert_eq!(norm(&d.title), norm(want["title"].as_str().unwrap()), "{file}");
        let issuers: Vec<&str> = want["issuer"].as_array().unwrap().iter().map(|x| x.as_str().unwrap()).collect();
        assert_eq!(d.issuer, issuers, "{file}");
        assert_eq!(d.signed_date.map(|x| x.to_string()).as_deref(), want["signed_date"].as_str(), "{file}");
        assert_eq!(d.addressees.as_deref().map(norm), want["addressees"].as_str().map(norm), "{file}");
        for f in fields(&p) {
            assert!(!f.chars().any(|c| ('\u{2e80}'..='\u{2fdf}').contains(&c)), "{file}: radical in {f}");
            for chrome in want["must_not_appear_in_any_field"].as_array().unwrap() {
                let c = chrome.as_str().unwrap();
                assert!(!norm(&f).contains(&norm(c)), "{file}: chrome {c:?} in {f:.80}");
            }
        }
    }
}

#[test]
fn a_download_stamp_on_every_page_is_no_text() {
    let want = expected("watermark");
    let stamp = norm(want["watermark"].as_str().unwrap());
    for (file, w) in want["files"].as_object().unwrap() {
        let p = parse(&fixture(&format!("watermark/{file}")));
        assert_eq!(p.documents.len(), 1, "{file}");
        let (d, w) = (&p.documents[0], &w["document"]);
        assert_eq!(d.doc_number.as_ref().map(|n| n.to_string()).as_deref(), w["doc_number"].as_str(), "{file}");
        assert_eq!(norm(&d.title), norm(w["title"].as_str().unwrap()), "{file}");
        assert_eq!(d.signed_date.map(|x| x.to_string()).as_deref(), w["signed_date"].as_str(), "{file}");
        let arts = counts(d).1;
        let want_arts = w["instrument"]["articles"].as_u64().or(w["instrument"]["articles_present"].as_u64()).unwrap() as usize;
        assert_eq!(arts, want_arts, "{file}");
        for f in fields(&p) {
            assert!(!norm(&f).contains(&stamp), "{file}: the stamp in {f:.80}");
        }
    }
}
