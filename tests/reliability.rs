//! Issue #17 "A nightly batch that leaves nothing behind": killed runs leave
//! no worker running, a worker is bounded by CPU time besides the wall
//! clock, `check` reports documents whose source changed.

mod common;
use common::*;
use serde_json::Value;
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
