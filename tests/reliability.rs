//! Issue #17 "A nightly batch that leaves nothing behind": killed runs leave
//! no worker running, SIGTERM/SIGINT stop cleanly, a full disk stops at the
//! last commit and says how much space is needed, a damaged index is named
//! and rebuilt from the kept export, a file that changes while it is read
//! is read again or reported, every run is logged.

mod common;
use common::*;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The seed issue as a text issue of another county (distinct documents).
fn variant(tag: &str) -> String {
    let seed = std::fs::read_to_string(fixture("yuxian-2024-03.seed.txt")).unwrap();
    seed.replace("孟县", &format!("{tag}县")).replace("孟政", &format!("{tag}政"))
}

/// The PDF that sends pdf-extract into an endless loop.
fn looping_pdf() -> PathBuf {
    fixture("broken/pagetree-parent-cycle.pdf")
}

/// Every process whose environment carries `GONGBAO_TEST_RUN=marker`: the
/// ingest started with it and all it started (children inherit it).
fn processes_of_run(marker: &str) -> Vec<(i32, String)> {
    let needle = format!("GONGBAO_TEST_RUN={marker}");
    let mut out = Vec::new();
    let Ok(rd) = std::fs::read_dir("/proc") else { return out };
    for e in rd.filter_map(|e| e.ok()) {
        let Ok(pid) = e.file_name().to_string_lossy().parse::<i32>() else { continue };
        let Ok(env) = std::fs::read(e.path().join("environ")) else { continue };
        if !env.split(|b| *b == 0).any(|v| v == needle.as_bytes()) {
            continue;
        }
        // A zombie is dead already (it only waits for its parent to reap it).
        let state = std::fs::read_to_string(e.path().join("stat")).unwrap_or_default();
        if state.rsplit(')').next().is_some_and(|s| s.trim_start().starts_with('Z')) {
            continue;
        }
        let cmd = std::fs::read(e.path().join("cmdline")).unwrap_or_default();
        out.push((pid, String::from_utf8_lossy(&cmd).replace('\0', " ")));
    }
    out
}

/// Poll until `f` holds or `limit` passes; how long it took.
fn poll(limit: Duration, mut f: impl FnMut() -> bool) -> Option<Duration> {
    let t0 = Instant::now();
    loop {
        if f() {
            return Some(t0.elapsed());
        }
        if t0.elapsed() > limit {
            return None;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn ingest_cmd(index: &Path, marker: &str, args: &[&str]) -> Command {
    let mut c = Command::new(bin());
    c.arg("ingest").args(args).env("GONGBAO_INDEX", index).env("GONGBAO_TEST_RUN", marker).env("RAYON_NUM_THREADS", "2");
    c
}

fn signal(child: &Child, sig: i32) {
    unsafe {
        libc::kill(child.id() as i32, sig);
    }
}

fn export_set(index: &Path) -> BTreeSet<String> {
    let out = run(&["export"], Some(index));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    record_lines(&out.stdout)
}

/// The issue ids an index holds.
fn issue_ids(index: &Path) -> BTreeSet<String> {
    export_set(index)
        .iter()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|r| r["kind"] == "issue")
        .map(|r| r["issue"]["id"].as_str().unwrap().to_string())
        .collect()
}

/// A tiny xorshift: random kill moments without a dependency; the seed is printed.
struct Rng(u64);
impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

#[test]
fn sigkill_at_random_moments_leaves_no_worker_running() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("in");
    std::fs::create_dir(&src).unwrap();
    std::fs::copy(looping_pdf(), src.join("loop.pdf")).unwrap();
    let seed = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64 | 1;
    let mut rng = Rng(seed);
    let mut gone_after = Vec::new();
    for round in 0..10 {
        let marker = format!("sigkill-{}-{round}", std::process::id());
        let index = dir.path().join(format!("index-{round}"));
        // A worker timeout of 10 minutes: only the kill can end the worker.
        let mut child = ingest_cmd(&index, &marker, &[src.to_str().unwrap()])
            .env("GONGBAO_WORKER_TIMEOUT", "600")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let worker_running = || processes_of_run(&marker).iter().any(|(_, c)| c.contains("__extract-worker"));
        assert!(poll(Duration::from_secs(30), worker_running).is_some(), "round {round}: the worker never started");
        let delay = rng.below(400);
        std::thread::sleep(Duration::from_millis(delay));
        assert!(worker_running(), "round {round}: the looping worker stopped by itself");
        signal(&child, libc::SIGKILL);
        child.wait().unwrap();
        let gone = poll(Duration::from_secs(2), || processes_of_run(&marker).is_empty());
        let left = processes_of_run(&marker);
        for (pid, _) in &left {
            unsafe {
                libc::kill(*pid, libc::SIGKILL);
            }
        }
        assert!(
            gone.is_some(),
            "round {round} (seed {seed}, killed {delay} ms after the worker started): still running 2 s later: {left:?}"
        );
        gone_after.push((delay, gone.unwrap()));
    }
    let worst = gone_after.iter().map(|(_, d)| *d).max().unwrap();
    println!(
        "seed {seed}: 10 SIGKILLs at {:?} ms after the worker started; every process of the run gone within {worst:?}",
        gone_after.iter().map(|(d, _)| *d).collect::<Vec<_>>()
    );
}

#[test]
fn sigterm_and_sigint_stop_an_ingest_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("in");
    std::fs::create_dir(&src).unwrap();
    // With one thread, files are parsed two at a time: a and b (committed
    // first), then c-loop.pdf (a worker that never ends) and d, then e.
    for (name, tag) in [("a", "甲"), ("b", "乙"), ("d", "丙"), ("e", "丁")] {
        std::fs::write(src.join(format!("{name}.txt")), variant(tag)).unwrap();
    }
    std::fs::copy(looping_pdf(), src.join("c-loop.pdf")).unwrap();
    for (sig, code, json) in [(libc::SIGTERM, 143, true), (libc::SIGINT, 130, false)] {
        let marker = format!("stop-{}-{sig}", std::process::id());
        let index = dir.path().join(format!("index-{sig}"));
        let mut args = vec![src.to_str().unwrap()];
        if json {
            args.push("--json");
        }
        let mut child = ingest_cmd(&index, &marker, &args)
            .env("RAYON_NUM_THREADS", "1")
            .env("GONGBAO_WORKER_TIMEOUT", "600")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let worker_running = || processes_of_run(&marker).iter().any(|(_, c)| c.contains("__extract-worker"));
        assert!(poll(Duration::from_secs(60), worker_running).is_some(), "the looping worker never started");
        let t0 = Instant::now();
        signal(&child, sig);
        let mut status = None;
        poll(Duration::from_secs(20), || {
            status = child.try_wait().unwrap();
            status.is_some()
        });
        let Some(status) = status else {
            let _ = child.kill();
            panic!("signal {sig}: the ingest did not stop within 20 s");
        };
        let stopped_in = t0.elapsed();
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(status.code(), Some(code), "signal {sig}: {stderr}");
        // The worker went with the file it was reading.
        assert!(poll(Duration::from_secs(2), || processes_of_run(&marker).is_empty()).is_some(), "{:?}", processes_of_run(&marker));
        // The summary: what was committed, what was not.
        if json {
            let r: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
            assert_eq!(r["interrupted"], "SIGTERM");
            let outcome = |n: &str| {
                r["files"].as_array().unwrap().iter().find(|f| f["path"].as_str().unwrap().ends_with(n)).unwrap()["outcome"].clone()
            };
            for n in ["a.txt", "b.txt"] {
                assert_eq!(outcome(n), "ingested", "{r}");
            }
            for n in ["c-loop.pdf", "d.txt", "e.txt"] {
                assert_eq!(outcome(n), "abandoned", "{r}");
            }
            assert_eq!(r["abandoned"], 3);
        }
        assert!(stderr.contains("stopped by") && stderr.contains("2 files committed, 3 not done"), "{stderr}");
        // What is committed stays, whole; nothing else is there.
        assert_eq!(issue_ids(&index).len(), 2);
        let check = run(&["check"], Some(&index));
        assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stdout));
        // The run log says how the run ended.
        let log = std::fs::read_to_string(index.join("ingest.log.jsonl")).unwrap();
        let last: Value = serde_json::from_str(log.lines().last().unwrap()).unwrap();
        assert_eq!(last["exit_code"], code);
        assert_eq!(last["files"]["abandoned"], 3);
        if json {
            // The lock is released: the next run (no --wait) does the rest.
            let rerun =
                ingest_cmd(&index, &marker, &[src.to_str().unwrap(), "--json"]).env("GONGBAO_WORKER_TIMEOUT", "2").output().unwrap();
            assert_eq!(rerun.status.code(), Some(2), "{}", String::from_utf8_lossy(&rerun.stderr));
            assert_eq!(issue_ids(&index).len(), 4);
        }
        println!("signal {sig}: exit {code} {stopped_in:?} after the signal");
    }
}

#[test]
fn a_worker_is_bounded_by_cpu_time() {
    let dir = tempfile::tempdir().unwrap();
    // A worker that spins on one core: only RLIMIT_CPU can stop it before
    // the 10-minute wall clock.
    let spin = dir.path().join("spin.sh");
    std::fs::write(&spin, "#!/bin/sh\nwhile :; do :; done\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&spin, std::fs::Permissions::from_mode(0o755)).unwrap();
    let t0 = Instant::now();
    let out = Command::new(bin())
        .args(["ingest", root().join("corpus/yuxian-2024-03.pdf").to_str().unwrap(), "--json"])
        .env("GONGBAO_INDEX", dir.path().join("index"))
        .env("GONGBAO_WORKER_EXE", &spin)
        .env("GONGBAO_WORKER_TIMEOUT", "600")
        .env("GONGBAO_WORKER_CPU_SECONDS", "1")
        .output()
        .unwrap();
    let took = t0.elapsed();
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let f = &r["files"][0];
    assert!(f["warnings"].to_string().contains("ran out of CPU time"), "{r}");
    // pdftotext served the file instead.
    assert_eq!(f["outcome"], "ingested", "{r}");
    assert!(took < Duration::from_secs(60), "{took:?}");
    println!("a spinning worker with 1 s of CPU time: the ingest took {took:?}");
}

/// A small file system for the index: a tmpfs when we may mount one.
struct SmallFs {
    dir: PathBuf,
}

impl SmallFs {
    fn mount(dir: &Path, bytes: u64) -> Option<SmallFs> {
        std::fs::create_dir_all(dir).unwrap();
        // To try the fallback where mount works.
        if std::env::var_os("GONGBAO_TEST_NO_MOUNT").is_some() {
            return None;
        }
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={bytes}"), "tmpfs"])
            .arg(dir)
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        ok.then(|| SmallFs { dir: dir.to_owned() })
    }
    fn resize(&self, bytes: u64) {
        let st = Command::new("mount").args(["-o", &format!("remount,size={bytes}")]).arg(&self.dir).status().unwrap();
        assert!(st.success());
    }
    fn used(&self) -> u64 {
        let c = std::ffi::CString::new(self.dir.to_str().unwrap()).unwrap();
        unsafe {
            let mut s: libc::statvfs = std::mem::zeroed();
            assert_eq!(libc::statvfs(c.as_ptr(), &mut s), 0);
            (s.f_blocks - s.f_bfree) as u64 * s.f_frsize as u64
        }
    }
}

impl Drop for SmallFs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.dir).status();
    }
}

#[test]
fn a_full_disk_stops_at_the_last_commit_and_says_how_much_space_is_needed() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("in");
    std::fs::create_dir(&src).unwrap();
    let tags = ["甲", "乙", "丙", "丁", "戊", "己"];
    // Each issue with text of its own that compresses against nothing (the
    // variants alone differ in a name, and the store compresses them to
    // almost nothing), so that the index grows with the issues.
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for t in tags {
        let own: String = (0..20_000).map(|_| char::from_u32(0x4e00 + rng.below(0x5000) as u32).unwrap()).collect();
        let text = format!("{}\n{own}。\n", variant(t).trim_end());
        std::fs::write(src.join(format!("issue-{t}.txt")), text).unwrap();
    }
    // The uninterrupted run on a roomy disk.
    let reference = dir.path().join("reference");
    let out = run(&["ingest", src.to_str().unwrap(), "--json"], Some(&reference));
    assert!(out.status.success());
    let want = export_set(&reference);
    let (full, _) = dir_bytes(&reference);
    // With one thread issues are committed two at a time. A disk that holds
    // a run of two issues (index, export and log) holds the first commit
    // and not the six issues' index.
    let two_src = dir.path().join("two");
    std::fs::create_dir(&two_src).unwrap();
    for t in &tags[..2] {
        std::fs::copy(src.join(format!("issue-{t}.txt")), two_src.join(format!("issue-{t}.txt"))).unwrap();
    }
    let two_index = dir.path().join("two-index");
    assert!(run(&["ingest", two_src.to_str().unwrap(), "--json"], Some(&two_index)).status.success());
    let (two, _) = dir_bytes(&two_index);
    let mnt = dir.path().join("small");
    let Some(fs) = SmallFs::mount(&mnt, two) else {
        // No mount here (an unprivileged container): the kernel's file-size
        // limit (RLIMIT_FSIZE) stands in for the small disk.
        println!("full disk: mount -t tmpfs is not permitted here; using RLIMIT_FSIZE as the size-limited writer");
        return full_disk_by_file_size_limit(&src, dir.path(), &want);
    };
    println!("full disk: a tmpfs of {two} bytes (the full run takes {full})");
    let index = mnt.join("index");
    let out = Command::new(bin())
        .args(["ingest", src.to_str().unwrap(), "--json"])
        .env("GONGBAO_INDEX", &index)
        .env("RAYON_NUM_THREADS", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let e = r["error"].as_str().unwrap();
    assert!(e.contains(&format!("index {}", index.display())) && e.contains("out of space") && e.contains("needs about"), "{e}");
    assert!(stderr.contains("needs about") && !stderr.contains("panicked"), "{stderr}");
    let needed = r["space_needed"].as_u64().unwrap();
    let committed = r["files"].as_array().unwrap().iter().filter(|f| f["outcome"] == "ingested").count();
    assert!(committed >= 1 && committed < tags.len(), "{committed} committed: {r}");
    // The index is at its last commit: it opens, is sound, holds whole issues.
    assert_eq!(issue_ids(&index).len(), committed);
    let check = run(&["check"], Some(&index));
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stdout));
    assert!(run(&["search", "社区食堂", "--json"], Some(&index)).status.success());
    // With the space it asked for, the next run completes: the index of an uninterrupted run.
    let used = fs.used();
    fs.resize(used + needed);
    let out = run(&["ingest", src.to_str().unwrap(), "--json"], Some(&index));
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(export_set(&index), want);
    let after = fs.used();
    println!(
        "full disk: {committed} of {} issues committed before the disk was full; asked for {needed} bytes, the rest of the run used {} (peak not measured)",
        tags.len(),
        after.saturating_sub(used)
    );
    // The figure is an upper bound, not a wild one.
    assert!(needed < 20 * full, "asked for {needed} bytes; the whole index takes {full}");
}

fn dir_bytes(p: &Path) -> (u64, usize) {
    let mut n = 0;
    let mut files = 0;
    for e in std::fs::read_dir(p).unwrap().filter_map(|e| e.ok()) {
        let m = e.metadata().unwrap();
        if m.is_dir() {
            let (b, f) = dir_bytes(&e.path());
            n += b;
            files += f;
        } else {
            n += m.len();
            files += 1;
        }
    }
    (n, files)
}

/// The fallback: a file-size limit on the ingest process (writes past it
/// fail with EFBIG, as SIGXFSZ is ignored). The issues' own segments fit
/// under it; the merged segment does not (the merge is skipped, nothing
/// lost) and neither does the export, which is where the run fails.
fn full_disk_by_file_size_limit(src: &Path, dir: &Path, want: &BTreeSet<String>) {
    use std::os::unix::process::CommandExt;
    let index = dir.join("limited");
    let mut c = Command::new(bin());
    c.args(["ingest", src.to_str().unwrap(), "--json"]).env("GONGBAO_INDEX", &index);
    unsafe {
        c.pre_exec(|| {
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            let lim = libc::rlimit { rlim_cur: 200_000, rlim_max: 200_000 };
            libc::setrlimit(libc::RLIMIT_FSIZE, &lim);
            Ok(())
        });
    }
    let out = c.output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let e = r["error"].as_str().unwrap();
    assert!(e.contains("out of space") && e.contains("file-size limit") && e.contains("needs about"), "{r}");
    assert!(run(&["check"], Some(&index)).status.success());
    let out = run(&["ingest", src.to_str().unwrap(), "--json"], Some(&index));
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(&export_set(&index), want);
}

/// The four kinds of damage of the issue, and one only a checksum sees.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Damage {
    SegmentTruncated,
    SegmentOverwritten,
    MetaMissing,
    MetaGarbage,
    /// One byte flipped inside a segment file: its footer intact.
    SegmentByteFlipped,
}

/// Damage a copy of an index; returns the file damaged.
fn damage(index: &Path, how: Damage) -> String {
    let seg = |ext: &str| -> PathBuf {
        std::fs::read_dir(index)
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .find(|p| p.extension().is_some_and(|e| e == ext) && p.file_stem().is_some_and(|s| s.len() == 32))
            .unwrap_or_else(|| panic!("no .{ext} file in {}", index.display()))
    };
    let name = |p: &Path| p.file_name().unwrap().to_string_lossy().into_owned();
    match how {
        Damage::SegmentTruncated => {
            let p = seg("idx");
            let len = std::fs::metadata(&p).unwrap().len();
            std::fs::OpenOptions::new().write(true).open(&p).unwrap().set_len(len / 2).unwrap();
            name(&p)
        }
        Damage::SegmentOverwritten => {
            let p = seg("term");
            let len = std::fs::metadata(&p).unwrap().len() as usize;
            let garbage: Vec<u8> = (0..len).map(|i| (i * 7919 % 251) as u8).collect();
            std::fs::write(&p, garbage).unwrap();
            name(&p)
        }
        Damage::MetaMissing => {
            std::fs::remove_file(index.join("meta.json")).unwrap();
            "meta.json".into()
        }
        Damage::MetaGarbage => {
            std::fs::write(index.join("meta.json"), b"{\"segments\": [{\"segment_id\": \"0b1c").unwrap();
            "meta.json".into()
        }
        Damage::SegmentByteFlipped => {
            // In the postings: a query over them would give wrong hits, not an error.
            let p = seg("idx");
            let mut bytes = std::fs::read(&p).unwrap();
            let mid = bytes.len() / 2;
            bytes[mid] ^= 0x55;
            std::fs::write(&p, bytes).unwrap();
            name(&p)
        }
    }
}

/// A copy with the files' modification times kept (as `cp -a`): only the
/// file the test damages looks new.
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().filter_map(|e| e.ok()) {
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            let dest = to.join(e.file_name());
            std::fs::copy(e.path(), &dest).unwrap();
            let mtime = e.metadata().unwrap().modified().unwrap();
            std::fs::File::options().write(true).open(&dest).unwrap().set_modified(mtime).unwrap();
        }
    }
}

/// The first 20 queries of the judged set, documents and clauses: ids,
/// snippets, statuses.
fn results(index: &Path) -> Vec<Vec<(String, String, Option<String>)>> {
    use gongbao::index::GongbaoIndex;
    use gongbao::query::{search, SearchRequest};
    let queries: Value = serde_json::from_str(&std::fs::read_to_string(root().join("tests/relevance/queries.json")).unwrap()).unwrap();
    let ix = GongbaoIndex::open(index).unwrap();
    let reader = ix.reader().unwrap();
    let searcher = reader.searcher();
    let mut out = Vec::new();
    for q in queries["queries"].as_array().unwrap().iter().take(20) {
        for clauses in [false, true] {
            let req = SearchRequest { query: q["query"].as_str().unwrap().into(), clauses, limit: 10, ..Default::default() };
            let r = search(&ix, &searcher, &req).unwrap();
            out.push(r.hits.into_iter().map(|h| (h.id, h.snippet, h.status)).collect());
        }
    }
    assert!(out.iter().filter(|hits: &&Vec<_>| !hits.is_empty()).count() >= 20, "the queries find too little to compare");
    out
}

#[test]
fn a_damaged_index_is_named_checked_and_rebuilt_from_the_kept_export() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    let out = run(&["ingest", root().join("corpus").to_str().unwrap(), "--json"], Some(&index));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let kept = PathBuf::from(r["export"].as_str().expect("the ingest names its export"));
    assert!(kept.starts_with(index.join("exports")), "{kept:?}");
    let records = export_set(&index);
    // The kept export is what `export` prints.
    let kept_lines: BTreeSet<String> = record_lines(&std::fs::read(&kept).unwrap());
    assert_eq!(kept_lines, records);
    let before = results(&index);
    let check = run(&["check", "--json"], Some(&index));
    assert_eq!(check.status.code(), Some(0), "{}", String::from_utf8_lossy(&check.stdout));
    let sources = dir.path().join("more.txt");
    std::fs::write(&sources, variant("甲")).unwrap();
    for (k, how) in
        [Damage::SegmentTruncated, Damage::SegmentOverwritten, Damage::MetaMissing, Damage::MetaGarbage, Damage::SegmentByteFlipped]
            .into_iter()
            .enumerate()
    {
        let broken = dir.path().join(format!("broken-{k}"));
        copy_dir(&index, &broken);
        let file = damage(&broken, how);
        let export = broken.join("exports").join(kept.file_name().unwrap());
        // `check` finds it, names the file and the export to rebuild from.
        let out = run(&["check", "--json"], Some(&broken));
        assert_eq!(out.status.code(), Some(1), "{how:?}: {}", String::from_utf8_lossy(&out.stdout));
        let c: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(c["sound"], false);
        assert!(c["damage"].as_array().unwrap().iter().any(|d| d["file"] == file.as_str()), "{how:?}: {c}");
        assert_eq!(c["export"], export.to_str().unwrap());
        let out = run(&["check"], Some(&broken));
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("damaged") && text.contains(&file) && text.contains("rebuild --from"), "{text}");
        // Every other command says so too, and none panics. A flipped block
        // too: the damaged file is newer than its checksum was last verified.
        let commands: Vec<Vec<&str>> = vec![
            vec!["search", "社区食堂"],
            vec!["search", "社区食堂", "--json"],
            vec!["show", "孟政发〔2024〕74号"],
            vec!["status", "孟政发〔2024〕74号", "--json"],
            vec!["export"],
            vec!["info"],
            vec!["ingest", sources.to_str().unwrap(), "--json"],
            vec!["rebuild"],
            vec!["serve", "--addr", "127.0.0.1:0"],
        ];
        for args in commands {
            let mut child = Command::new(bin())
                .args(&args)
                .env("GONGBAO_INDEX", &broken)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            if poll(Duration::from_secs(20), || child.try_wait().unwrap().is_some()).is_none() {
                let _ = child.kill();
                panic!("{how:?}: gongbao {args:?} did not stop on a damaged index");
            }
            let out = child.wait_with_output().unwrap();
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(1), "{how:?}: gongbao {args:?}: {err}");
            assert!(
                err.contains(&format!("index {} is damaged: {file}", broken.display()))
                    && err.contains(&format!("rebuild --from {}", export.display())),
                "{how:?}: gongbao {args:?}: {err}"
            );
            assert!(!err.contains("panicked") && !err.contains("internal error"), "{how:?}: gongbao {args:?}: {err}");
            if args.contains(&"--json") {
                assert!(out.stdout.is_empty(), "{how:?}: {args:?} printed {}", String::from_utf8_lossy(&out.stdout));
            }
        }
        // The ingest did not replace the damaged index by a new one.
        assert!(!broken.join("meta.json").exists() || how != Damage::MetaMissing);
        // The kept export restores it: the same records, the same search results.
        let out = run(&["rebuild", "--from", export.to_str().unwrap()], Some(&broken));
        assert!(out.status.success(), "{how:?}: {}", String::from_utf8_lossy(&out.stderr));
        let out = run(&["check"], Some(&broken));
        assert_eq!(out.status.code(), Some(0), "{how:?}: {}", String::from_utf8_lossy(&out.stdout));
        assert_eq!(export_set(&broken), records, "{how:?}");
        assert_eq!(results(&broken), before, "{how:?}");
        // The log and the export moved with the rebuilt index.
        assert!(export.exists() && broken.join("ingest.log.jsonl").exists(), "{how:?}");
    }
}

#[test]
fn check_reports_documents_whose_source_changed() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("issue.txt");
    std::fs::write(&src, variant("甲")).unwrap();
    let index = dir.path().join("index");
    assert!(run(&["ingest", src.to_str().unwrap()], Some(&index)).status.success());
    assert_eq!(run(&["check"], Some(&index)).status.code(), Some(0));
    std::fs::write(&src, variant("甲").replacen("2024年8月20日", "2024年8月21日", 1)).unwrap();
    let out = run(&["check", "--json"], Some(&index));
    assert_eq!(out.status.code(), Some(2));
    let c: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(c["sound"], true);
    assert_eq!(c["sources"][0]["state"], "changed", "{c}");
    assert_eq!(c["sources"][0]["documents"].as_array().unwrap().len(), 23, "{c}");
    assert!(c["sources"][0]["documents"].to_string().contains("甲政发〔2024〕59号"), "{c}");
    let text = String::from_utf8_lossy(&run(&["check"], Some(&index)).stdout).into_owned();
    assert!(text.contains("changed since ingest") && text.contains("issue.txt"), "{text}");
    // Re-ingested, it is current again; gone, it is reported but not a problem.
    assert!(run(&["ingest", src.to_str().unwrap()], Some(&index)).status.success());
    assert_eq!(run(&["check"], Some(&index)).status.code(), Some(0));
    std::fs::remove_file(&src).unwrap();
    let out = run(&["check", "--json"], Some(&index));
    assert_eq!(out.status.code(), Some(0));
    let c: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(c["sources"][0]["state"], "missing", "{c}");
}

/// A worker that changes the file it is asked to read before reading it:
/// `once` replaces it with another issue on the first call, else every call
/// appends to it (a download still in progress).
fn changing_worker(dir: &Path, once: Option<&Path>) -> PathBuf {
    let script = dir.join(if once.is_some() { "change-once.sh" } else { "keep-changing.sh" });
    let body = match once {
        Some(next) => format!(
            "#!/bin/sh\nif [ ! -e \"$0.done\" ]; then : > \"$0.done\"; cp '{}' \"$2\"; fi\nexec '{}' \"$@\"\n",
            next.display(),
            bin()
        ),
        None => format!("#!/bin/sh\nprintf '%%%s\\n' \"$$\" >> \"$2\"\nexec '{}' \"$@\"\n", bin()),
    };
    std::fs::write(&script, body).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    script
}

#[test]
fn a_file_that_changes_while_it_is_read_is_read_again_or_reported() {
    let dir = tempfile::tempdir().unwrap();
    let later = fixture("later-issue/yuxian-2024-04.pdf");
    let later_sha = gongbao::pipeline::sha256_file(&later).unwrap();
    // Changed once (the download finished while we read it): read again.
    let file = dir.path().join("issue.pdf");
    std::fs::copy(root().join("corpus/yuxian-2024-03.pdf"), &file).unwrap();
    let index = dir.path().join("index-once");
    let out = Command::new(bin())
        .args(["ingest", file.to_str().unwrap(), "--json"])
        .env("GONGBAO_INDEX", &index)
        .env("GONGBAO_WORKER_EXE", changing_worker(dir.path(), Some(&later)))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let f = &r["files"][0];
    assert_eq!(f["outcome"], "ingested", "{r}");
    assert_eq!(f["sha256"], later_sha.as_str(), "the bytes parsed are the file's final bytes");
    assert!(f["warnings"].to_string().contains("changed while it was read; read again"), "{f}");
    assert_eq!(issue_ids(&index), BTreeSet::from(["孟县人民政府公报/2024/4".to_string()]));
    // Still changing on the second read: reported, nothing committed.
    let file = dir.path().join("growing.pdf");
    std::fs::copy(root().join("corpus/yuxian-2024-03.pdf"), &file).unwrap();
    let index = dir.path().join("index-growing");
    let out = Command::new(bin())
        .args(["ingest", file.to_str().unwrap(), "--json"])
        .env("GONGBAO_INDEX", &index)
        .env("GONGBAO_WORKER_EXE", changing_worker(dir.path(), None))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let f = &r["files"][0];
    assert_eq!(f["outcome"], "failed", "{r}");
    assert!(f["error"].as_str().unwrap().contains("growing.pdf: changed while it was read, twice"), "{f}");
    assert!(issue_ids(&index).is_empty());
}

#[test]
fn every_run_is_logged_and_info_shows_the_last_runs() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    let good = dir.path().join("good.txt");
    std::fs::write(&good, variant("甲")).unwrap();
    // A file read fine in which no document is found: `empty`, exit 2, not committed.
    let nothing = dir.path().join("nothing.txt");
    std::fs::write(&nothing, "本页无正文。\n").unwrap();
    assert_eq!(run(&["ingest", good.to_str().unwrap()], Some(&index)).status.code(), Some(0));
    assert_eq!(run(&["ingest", good.to_str().unwrap()], Some(&index)).status.code(), Some(0));
    let out = run(&["ingest", nothing.to_str().unwrap(), "--json"], Some(&index));
    assert_eq!(out.status.code(), Some(2));
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["files"][0]["outcome"], "empty", "{r}");
    assert_eq!(r["empty"], 1);
    assert!(r["files"][0]["error"].as_str().unwrap().contains("no document found"), "{r}");
    // Not committed: the next run reads it again, and says so again.
    assert_eq!(run(&["ingest", nothing.to_str().unwrap()], Some(&index)).status.code(), Some(2));
    // A run refused because another holds the index.
    {
        let ix = gongbao::index::GongbaoIndex::open(&index).unwrap();
        let _writer = ix.writer().unwrap();
        let out = run(&["ingest", good.to_str().unwrap()], Some(&index));
        assert_eq!(out.status.code(), Some(1));
    }
    let out = run(&["info", "--json", "--runs", "10"], Some(&index));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let i: Value = serde_json::from_slice(&out.stdout).unwrap();
    let runs = i["runs"].as_array().unwrap();
    let codes: Vec<i64> = runs.iter().map(|r| r["exit_code"].as_i64().unwrap()).collect();
    assert_eq!(codes, [0, 0, 2, 2, 1], "{i}");
    assert_eq!(runs[0]["files"]["ingested"], 1);
    assert_eq!(runs[0]["documents_added"], 23);
    assert_eq!(runs[1]["files"]["unchanged"], 1);
    assert_eq!(runs[2]["files"]["empty"], 1);
    assert!(runs[2]["problems"][0]["path"].as_str().unwrap().ends_with("nothing.txt"));
    assert!(runs[4]["error"].as_str().unwrap().contains("another ingest"), "{i}");
    for r in runs {
        assert!(r["start"].as_str().unwrap() <= r["end"].as_str().unwrap());
    }
    assert_eq!(i["documents"], 23);
    assert_eq!(i["exports"].as_array().unwrap().len(), 1, "{i}");
    let text = String::from_utf8_lossy(&run(&["info", "--runs", "3"], Some(&index)).stdout).into_owned();
    assert!(text.contains("last runs (3)") && text.contains("exit 1") && text.contains("another ingest"), "{text}");
    // --keep-export N keeps the newest N.
    for (n, tag) in [(2, "乙"), (2, "丙"), (0, "丁")] {
        let f = dir.path().join(format!("{tag}.txt"));
        std::fs::write(&f, variant(tag)).unwrap();
        let out = run(&["ingest", f.to_str().unwrap(), "--keep-export", &n.to_string()], Some(&index));
        assert_eq!(out.status.code(), Some(0));
        assert_eq!(std::fs::read_dir(index.join("exports")).unwrap().count(), n, "--keep-export {n}");
    }
}
