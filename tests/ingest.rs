//! Issue "Nightly batch ingest that never loses or corrupts data": bad
//! files are reported and skipped, reruns are idempotent, a changed file
//! replaces only its records, SIGKILL at any moment leaves a consistent
//! index, searches run during an ingest, and rebuild gives the same results.

mod common;
use common::*;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The seed issue as a text issue of another county: its 文号 prefixes and
/// county name replaced, so its documents are distinct.
fn variant(tag: &str) -> String {
    let seed = std::fs::read_to_string(fixture("yuxian-2024-03.seed.txt")).unwrap();
    seed.replace("孟县", &format!("{tag}县")).replace("孟政", &format!("{tag}政"))
}

fn write_variants(dir: &Path, tags: &[&str]) -> Vec<PathBuf> {
    tags.iter()
        .map(|t| {
            let p = dir.join(format!("issue-{t}.txt"));
            std::fs::write(&p, variant(t)).unwrap();
            p
        })
        .collect()
}

fn ingest_json(index: &Path, paths: &[&Path]) -> (Option<i32>, Value) {
    let mut args: Vec<String> = vec!["ingest".into()];
    args.extend(paths.iter().map(|p| p.to_string_lossy().into_owned()));
    args.push("--json".into());
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = run(&a, Some(index));
    let v = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code(), v)
}

/// The index's records as a set of JSON lines (order-free; see record_lines).
fn export(index: &Path) -> BTreeSet<String> {
    let out = run(&["export"], Some(index));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    record_lines(&out.stdout)
}

fn outcome<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"].as_str().unwrap().ends_with(name))
        .unwrap_or_else(|| panic!("{name} not in {report}"))
}

#[test]
fn a_batch_with_broken_files_ingests_the_rest_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("in");
    std::fs::create_dir(&src).unwrap();
    std::fs::copy(root().join("corpus/yuxian-2024-03.pdf"), src.join("yuxian-2024-03.pdf")).unwrap();
    std::fs::copy(fixture("later-issue/yuxian-2024-04.pdf"), src.join("yuxian-2024-04.pdf")).unwrap();
    for e in std::fs::read_dir(fixture("broken")).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, src.join(p.file_name().unwrap())).unwrap();
    }
    // A dangling symlink, a symlink loop, a file that is a loop of links.
    std::os::unix::fs::symlink(src.join("gone.pdf"), src.join("dangling.pdf")).unwrap();
    std::fs::create_dir(src.join("sub")).unwrap();
    std::os::unix::fs::symlink(&src, src.join("sub/loop")).unwrap();
    std::os::unix::fs::symlink(src.join("self.pdf"), src.join("self.pdf")).unwrap();
    let index = dir.path().join("index");
    // pagetree-parent-cycle.pdf sends pdf-extract into an endless loop: a
    // short worker timeout keeps the test quick. It also bounds each OCR
    // step of image-only.pdf, which takes 4–5 s a page on a loaded 2-core
    // machine, more when other builds share it: 30 s leaves room.
    let out = Command::new(bin())
        .args(["ingest", src.to_str().unwrap(), "--json"])
        .env("GONGBAO_INDEX", &index)
        .env("GONGBAO_WORKER_TIMEOUT", "30")
        .output()
        .unwrap();
    let (code, r): (Option<i32>, Value) = (out.status.code(), serde_json::from_slice(&out.stdout).unwrap());
    assert_eq!(code, Some(2), "{r}");
    for (name, reason) in [
        ("empty.pdf", "empty file"),
        ("random-bytes.pdf", "not a PDF"),
        ("truncated-half.pdf", "damaged PDF"),
        ("truncated-tail200.pdf", "damaged PDF"),
        ("encrypted-userpw-aes256.pdf", "encrypted"),
        ("pagetree-parent-cycle.pdf", "timed out"),
        ("dangling.pdf", "cannot read"),
        ("self.pdf", "symlink loop"),
        ("loop", "symlink loop"),
    ] {
        let f = outcome(&r, name);
        assert_eq!(f["outcome"], "failed", "{name}: {f}");
        let e = f["error"].as_str().unwrap();
        assert!(e.contains(reason) && e.contains(name), "{name}: {e}");
    }
    for name in [
        "yuxian-2024-03.pdf",
        "yuxian-2024-04.pdf",
        "encrypted-ownerpw-only-rc4.pdf",
        "encrypted-ownerpw-only-aes128.pdf",
        "encrypted-ownerpw-only-aes256.pdf",
    ] {
        let f = outcome(&r, name);
        assert_eq!(f["outcome"], "ingested", "{name}: {f}");
        assert!(f["documents"].as_u64().unwrap() >= 4, "{name}: {f}");
    }
    // image-only.pdf (two scanned pages from the middle of a document) is
    // read by OCR (tests/ocr.rs covers --ocr off and a missing Tesseract):
    // text, but no document heading: `empty`, which counts like a failure.
    let f = outcome(&r, "image-only.pdf");
    assert_eq!(f["outcome"], "empty", "{f}");
    // (by PP-OCR where it is installed, else Tesseract)
    let engine = f["extractors"][0].as_str().unwrap_or_default();
    assert!(f["extractors"].as_array().unwrap().len() == 1 && ["ppocr", "tesseract"].contains(&engine), "{f}");
    let said = format!("image-only.pdf: no document found (text read by {engine})");
    assert!(f["error"].as_str().unwrap().contains(&said), "{f}");
    // Files read to the end in which no document is found are `empty`, never
    // ingested without documents.
    for name in ["xobject-self-recursive.pdf", "no-mediabox.pdf"] {
        let f = outcome(&r, name);
        assert!(f["outcome"] == "empty" || f["outcome"] == "failed", "{name}: {f}");
    }
    assert_eq!(r["empty"].as_u64().unwrap(), r["files"].as_array().unwrap().iter().filter(|f| f["outcome"] == "empty").count() as u64);
    // Both issues are searchable.
    let s = run_json(&["search", "孟政发〔2024〕95号", "--json"], Some(&index));
    assert_eq!(s["hits"][0]["id"], "孟政发〔2024〕95号");
    // A human report: one line per file, a table by outcome.
    std::fs::remove_file(src.join("pagetree-parent-cycle.pdf")).unwrap();
    let out = run(&["ingest", src.to_str().unwrap()], Some(&dir.path().join("index2")));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("encrypted-userpw-aes256.pdf: encrypted"), "{err}");
    assert!(err.contains("outcome") && err.contains("failed"), "{err}");
}

#[test]
fn reruns_are_idempotent_and_a_changed_file_replaces_only_its_records() {
    let dir = tempfile::tempdir().unwrap();
    let files = write_variants(dir.path(), &["甲", "乙", "丙"]);
    let index = dir.path().join("index");
    let (code, r) = ingest_json(&index, &[dir.path()]);
    assert_eq!(code, Some(0), "{r}");
    assert_eq!(r["documents_added"], 69);
    let first = export(&index);
    let (code, r) = ingest_json(&index, &[dir.path()]);
    assert_eq!(code, Some(0));
    assert!(r["files"].as_array().unwrap().iter().all(|f| f["outcome"] == "unchanged"), "{r}");
    assert_eq!(export(&index), first, "a rerun changed the index");
    // A copy under another name is the same file.
    std::fs::copy(&files[0], dir.path().join("copy-of-甲.txt")).unwrap();
    let (_, r) = ingest_json(&index, &[dir.path()]);
    assert_eq!(outcome(&r, "copy-of-甲.txt")["outcome"], "unchanged");
    assert_eq!(export(&index), first);
    // Change one file: its records are replaced, the others untouched.
    std::fs::remove_file(dir.path().join("copy-of-甲.txt")).unwrap();
    let changed = variant("乙").replacen("2024年8月20日", "2024年8月21日", 1);
    std::fs::write(&files[1], changed).unwrap();
    let (code, r) = ingest_json(&index, &[dir.path()]);
    assert_eq!(code, Some(0));
    assert_eq!(outcome(&r, "issue-乙.txt")["outcome"], "replaced");
    assert_eq!(r["documents_replaced"], 23);
    let after = export(&index);
    let untouched = |set: &BTreeSet<String>| -> BTreeSet<String> { set.iter().filter(|l| !l.contains("乙")).cloned().collect() };
    assert_eq!(untouched(&after), untouched(&first));
    assert_eq!(after.len(), first.len());
    assert!(after.iter().any(|l| l.contains("乙政发〔2024〕59号") && l.contains("\"signed_date\":\"2024-08-21\"")));
}

#[test]
fn sigkill_at_any_moment_leaves_a_consistent_index() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("in");
    std::fs::create_dir(&src).unwrap();
    write_variants(&src, &["甲", "乙", "丙", "丁", "戊", "己", "庚", "辛"]);
    // The uninterrupted run, and how long it takes.
    let reference = dir.path().join("reference");
    let t0 = Instant::now();
    let (code, _) = ingest_json(&reference, &[&src]);
    let full = t0.elapsed();
    assert_eq!(code, Some(0));
    let want = export(&reference);
    let mut kills = 0;
    // Kill moments: after the k-th file is committed (0 = while the first is
    // being read), immediately or a little later: 12 different moments.
    let moments: Vec<(usize, u64)> = (0..6).flat_map(|k| [(k, 0), (k, 40)]).collect();
    for (k, (after_files, delay_ms)) in moments.into_iter().enumerate() {
        let index = dir.path().join(format!("killed-{k}"));
        let at = format!("after {after_files} files + {delay_ms} ms");
        let mut child = Command::new(bin())
            .args(["ingest", src.to_str().unwrap()])
            .env("GONGBAO_INDEX", &index)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Progress lines (one per file) tell how far the ingest is.
        let stderr = child.stderr.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            use std::io::BufRead;
            for line in std::io::BufReader::new(stderr).lines().map_while(Result::ok) {
                if line.starts_with("ingested") && tx.send(()).is_err() {
                    break;
                }
            }
        });
        for _ in 0..after_files {
            let _ = rx.recv_timeout(Duration::from_secs(60));
        }
        std::thread::sleep(Duration::from_millis(delay_ms));
        let was_running = child.try_wait().unwrap().is_none();
        unsafe {
            libc::kill(child.id() as i32, libc::SIGKILL);
        }
        child.wait().unwrap();
        kills += was_running as usize;
        if index.join("meta.json").exists() {
            // The index opens and every issue in it is complete.
            let records: Vec<Value> = export(&index).iter().map(|l| serde_json::from_str(l).unwrap()).collect();
            let docs: BTreeSet<String> =
                records.iter().filter(|r| r["kind"] == "document").map(|r| r["id"].as_str().unwrap().to_string()).collect();
            let mut listed = BTreeSet::new();
            for r in records.iter().filter(|r| r["kind"] == "issue") {
                for d in r["documents"].as_array().unwrap() {
                    assert!(docs.contains(d.as_str().unwrap()), "kill {k}: issue {} lacks {d}", r["issue"]["id"]);
                    listed.insert(d.as_str().unwrap().to_string());
                }
            }
            assert_eq!(listed, docs, "kill {k}: documents without their issue");
            // A search works on it.
            assert!(run(&["search", "社区食堂", "--json"], Some(&index)).status.success());
        }
        // Rerunning reaches the state of an uninterrupted run.
        let (code, _) = ingest_json(&index, &[&src]);
        assert_eq!(code, Some(0), "kill {k}: rerun failed");
        assert_eq!(export(&index), want, "kill {k} at {at:?}: rerun differs from an uninterrupted run");
    }
    println!("SIGKILL while running: {kills} of 12 (an uninterrupted run takes {full:?})");
    assert!(kills >= 10, "only {kills} kills hit a running ingest");
}

#[test]
fn searches_keep_working_during_an_ingest_and_a_second_ingest_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("in");
    std::fs::create_dir(&src).unwrap();
    write_variants(&src, &["甲", "乙", "丙", "丁", "戊", "己"]);
    let index = dir.path().join("index");
    // Something to search from the start.
    let first = dir.path().join("first");
    std::fs::create_dir(&first).unwrap();
    write_variants(&first, &["子"]);
    ingest_json(&index, &[&first]);
    let mut child = Command::new(bin())
        .args(["ingest", src.to_str().unwrap(), "--json"])
        .env("GONGBAO_INDEX", &index)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut searches = 0;
    let mut refused = false;
    let deadline = Instant::now() + Duration::from_secs(120);
    while child.try_wait().unwrap().is_none() && Instant::now() < deadline {
        let out = run(&["search", "社区食堂", "--json"], Some(&index));
        assert!(out.status.success(), "search failed during ingest: {}", String::from_utf8_lossy(&out.stderr));
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert!(v["total"].as_u64().unwrap() >= 1);
        searches += 1;
        if !refused {
            let out = run(&["ingest", first.to_str().unwrap(), "--json"], Some(&index));
            if out.status.code() == Some(1) {
                let err = String::from_utf8_lossy(&out.stderr);
                assert!(err.contains("another ingest"), "{err}");
                refused = true;
            }
        }
    }
    assert!(child.wait().unwrap().success());
    println!("{searches} searches during the ingest");
    assert!(searches >= 3, "the ingest was too short to test: {searches} searches");
    assert!(refused, "a second ingest was not refused");
    // With --wait, a second ingest waits for the first and then succeeds.
    let more = dir.path().join("more");
    std::fs::create_dir(&more).unwrap();
    write_variants(&more, &["丑"]);
    let later = dir.path().join("later");
    std::fs::create_dir(&later).unwrap();
    write_variants(&later, &["寅", "卯"]);
    let mut a = Command::new(bin())
        .args(["ingest", later.to_str().unwrap(), "--wait"])
        .env("GONGBAO_INDEX", &index)
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let b = run(&["ingest", more.to_str().unwrap(), "--wait", "--json"], Some(&index));
    assert!(b.status.success(), "{}", String::from_utf8_lossy(&b.stderr));
    assert!(a.wait().unwrap().success());
    let all = export(&index);
    for tag in ["丑", "寅", "卯"] {
        assert!(all.iter().any(|l| l.contains(&format!("{tag}政发〔2024〕59号"))), "{tag} missing");
    }
}

#[test]
fn rebuild_gives_the_same_search_results() {
    use gongbao::index::GongbaoIndex;
    use gongbao::query::{search, SearchRequest};
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    ingest_json(&index, &[&root().join("corpus"), &fixture("later-issue/yuxian-2024-04.pdf")]);
    let queries: Value = serde_json::from_str(&std::fs::read_to_string(root().join("tests/relevance/queries.json")).unwrap()).unwrap();
    let results = |index: &Path| -> Vec<Vec<(String, String, Option<String>)>> {
        let ix = GongbaoIndex::open(index).unwrap();
        let reader = ix.reader().unwrap();
        let searcher = reader.searcher();
        let mut out = Vec::new();
        for q in queries["queries"].as_array().unwrap() {
            for clauses in [false, true] {
                let req = SearchRequest { query: q["query"].as_str().unwrap().into(), clauses, limit: 10, ..Default::default() };
                let r = search(&ix, &searcher, &req).unwrap();
                out.push(r.hits.into_iter().map(|h| (h.id, h.snippet, h.status)).collect());
            }
        }
        out
    };
    let before = results(&index);
    let records = export(&index);
    let out = run(&["rebuild"], Some(&index));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(export(&index), records);
    assert_eq!(results(&index), before);
    assert!(!dir.path().join("index.rebuild").exists() && !dir.path().join("index.old").exists());
}

#[test]
fn a_hanging_or_exploding_extractor_is_bounded() {
    let dir = tempfile::tempdir().unwrap();
    // Workers that hang and that exhaust memory, in place of pdf-extract.
    let hang = dir.path().join("hang.sh");
    std::fs::write(&hang, "#!/bin/sh\nexec sleep 600\n").unwrap();
    let boom = dir.path().join("boom.sh");
    std::fs::write(&boom, "#!/bin/sh\nexec python3 -c 'x = bytearray(8 * 1024 ** 3)'\n").unwrap();
    for s in [&hang, &boom] {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(s, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    for (worker, why) in [(&hang, "timed out"), (&boom, "exited with code")] {
        let index = dir.path().join(format!("index-{}", worker.file_stem().unwrap().to_string_lossy()));
        let t0 = Instant::now();
        let out = Command::new(bin())
            .args(["ingest", root().join("corpus").to_str().unwrap(), "--json"])
            .env("GONGBAO_INDEX", &index)
            .env("GONGBAO_WORKER_EXE", worker)
            .env("GONGBAO_WORKER_TIMEOUT", "2")
            .env("GONGBAO_WORKER_MEMORY_MB", "512")
            .output()
            .unwrap();
        assert!(t0.elapsed() < Duration::from_secs(60), "the ingest was not bounded");
        let r: Value = serde_json::from_slice(&out.stdout).unwrap();
        // The fallback extractor serves the file.
        let f = &r["files"][0];
        assert_eq!(f["outcome"], "ingested", "{r}");
        assert_eq!(f["extractors"], serde_json::json!(["pdftotext"]), "{r}");
        assert!(f["warnings"].to_string().contains(why), "{r}");
    }
}

/// An index written by the previous schema (the record stored as JSON text,
/// the text not stored, no hit summary), made from this index's entries.
fn write_previous_schema_index(from: &Path, to: &Path) {
    use gongbao::index::{for_each_record, GongbaoIndex, StoredRecord};
    use tantivy::schema::{FieldType, OwnedValue, Schema, TextOptions, STORED};
    use tantivy::{Index, TantivyDocument};
    let ix = GongbaoIndex::open(from).unwrap();
    let now = ix.index.schema();
    let mut b = Schema::builder();
    for (_, entry) in now.fields() {
        match (entry.name(), entry.field_type()) {
            ("hit", _) => {}
            ("record", _) => {
                b.add_text_field("record", STORED);
            }
            ("body", FieldType::Str(o)) => {
                b.add_text_field("body", TextOptions::default().set_indexing_options(o.get_indexing_options().unwrap().clone()));
            }
            _ => {
                b.add_field(entry.clone());
            }
        }
    }
    let old = b.build();
    std::fs::create_dir_all(to).unwrap();
    let index = Index::create_in_dir(to, old.clone()).unwrap();
    gongbao::tokenizer::register(&index);
    let mut w: tantivy::IndexWriter = index.writer_with_num_threads(1, 50_000_000).unwrap();
    let mut records = Vec::new();
    for_each_record(&ix.index, from, |r| records.push(r)).unwrap();
    let issues: Vec<_> = records.iter().filter_map(|r| if let StoredRecord::Issue(e) = r { Some(e.clone()) } else { None }).collect();
    for r in &records {
        let entry = match r {
            StoredRecord::Issue(e) => ix.issue_entry(e),
            StoredRecord::Changes(c) => ix.changes_entry(c),
            StoredRecord::Document(d) => ix.document_entry(d, &issues.iter().find(|e| e.documents.contains(&d.id)).unwrap().issue),
        };
        let mut doc = TantivyDocument::new();
        for (field, value) in entry.field_values() {
            let name = now.get_field_name(field);
            match name {
                "hit" => continue,
                "record" => doc.add_text(old.get_field("record").unwrap(), serde_json::to_string(r).unwrap()),
                _ => doc.add_field_value(old.get_field(name).unwrap(), &OwnedValue::from(value)),
            }
        }
        w.add_document(doc).unwrap();
    }
    w.commit().unwrap();
}

#[test]
fn an_index_of_the_previous_schema_is_refused_then_rebuilt_into_this_one() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    ingest_json(&index, &[&root().join("corpus")]);
    let records = export(&index);
    let old = dir.path().join("old");
    write_previous_schema_index(&index, &old);
    // Searching and ingesting refuse it, saying what to do.
    let out = run(&["search", "社区食堂"], Some(&old));
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("gongbao rebuild"), "{}", String::from_utf8_lossy(&out.stderr));
    // Rebuilding reads its records (JSON text) into an index of this schema.
    let out = run(&["rebuild"], Some(&old));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(export(&old), records);
    let search = |index: &Path| {
        let out = run(&["search", "社区食堂", "--json"], Some(index));
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        v["hits"].as_array().unwrap().iter().map(|h| (h["id"].to_string(), h["snippet"].to_string())).collect::<Vec<_>>()
    };
    let hits = search(&old);
    assert!(!hits.is_empty());
    assert_eq!(hits, search(&index));
}
