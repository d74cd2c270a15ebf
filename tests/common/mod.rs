//! Helpers shared by the integration tests.
#![allow(dead_code)]

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_gongbao")
}

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `../shared/dev`, the dev sets read in place; `None` (and a line saying
/// the test skips) when it is absent.
pub fn shared_dev() -> Option<PathBuf> {
    let p = root().join("../shared/dev");
    if p.is_dir() {
        Some(p)
    } else {
        eprintln!("skipped: ../shared/dev is absent (the dev sets are read in place, never committed)");
        None
    }
}

pub fn fixture(name: &str) -> PathBuf {
    root().join("tests/fixtures").join(name)
}

/// The sample issue and its variants: (path, has a pages.json truth).
pub fn sample_variants() -> Vec<PathBuf> {
    vec![
        root().join("corpus/yuxian-2024-03.pdf"),
        fixture("yuxian-2024-03-uming.pdf"),
        fixture("yuxian-2024-03-cairo.pdf"),
        fixture("yuxian-2024-03-lo.pdf"),
        fixture("yuxian-2024-03-stsong-cid.pdf"),
        fixture("yuxian-2024-03.seed.txt"),
    ]
}

pub fn truth() -> Value {
    serde_json::from_str(&std::fs::read_to_string(fixture("yuxian-2024-03.json")).unwrap()).unwrap()
}

/// Let library calls find the worker binary.
pub fn use_worker_binary() {
    std::env::set_var("GONGBAO_WORKER_EXE", bin());
}

pub fn run(args: &[&str], index: Option<&Path>) -> Output {
    let mut c = Command::new(bin());
    c.args(args);
    if let Some(i) = index {
        c.env("GONGBAO_INDEX", i);
    }
    c.output().expect("run gongbao")
}

pub fn run_json(args: &[&str], index: Option<&Path>) -> Value {
    let out = run(args, index);
    assert!(out.status.success() || out.status.code() == Some(2), "gongbao {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("gongbao {args:?}: not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
}

/// `gongbao export`'s lines as a set, each change set split into its
/// changes without the time of the ingest that recorded them: a rerun
/// after a kill records the same facts as an uninterrupted run, later.
pub fn record_lines(export: &[u8]) -> std::collections::BTreeSet<String> {
    let mut out = std::collections::BTreeSet::new();
    for line in String::from_utf8_lossy(export).lines() {
        match serde_json::from_str::<Value>(line) {
            Ok(v) if v["kind"] == "changes" => {
                for c in v["changes"].as_array().into_iter().flatten() {
                    let mut c = c.clone();
                    if let Some(o) = c.as_object_mut() {
                        o.remove("ingested");
                    }
                    out.insert(serde_json::json!({ "change": c }).to_string());
                }
            }
            _ => {
                out.insert(line.to_string());
            }
        }
    }
    out
}

/// Parse a file with `gongbao parse --json`.
pub fn parse(path: &Path) -> Value {
    run_json(&["parse", path.to_str().unwrap(), "--json"], None)
}

/// Normalise as the truth file does: no whitespace, `( ) , : ;` full-width.
pub fn norm(s: &str) -> String {
    gongbao::text::normalize_title(s)
}

/// A minimal HTTP/1.1 client for the loopback tests: (status, body).
pub fn http(method: &str, addr: &str, path: &str, body: Option<&str>) -> (u16, String) {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(std::time::Duration::from_secs(60))).unwrap();
    let body = body.unwrap_or("");
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).unwrap();
    // Read until the body is complete (some servers keep the connection
    // open whatever the request says).
    let mut raw = Vec::new();
    let mut buf = [0u8; 65536];
    loop {
        let n = match s.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock || e.kind() == std::io::ErrorKind::TimedOut => break,
            Err(e) => panic!("read: {e}"),
        };
        raw.extend_from_slice(&buf[..n]);
        if let Some(h) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&raw[..h]).to_ascii_lowercase();
            let body = raw.len() - h - 4;
            let length = head.lines().find_map(|l| l.strip_prefix("content-length:")).and_then(|v| v.trim().parse::<usize>().ok());
            match length {
                Some(len) if body >= len => break,
                None if head.contains("transfer-encoding: chunked") && raw.ends_with(b"0\r\n\r\n") => break,
                _ => {}
            }
        }
    }
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, rest) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status: u16 = head.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    let chunked = head.to_ascii_lowercase().contains("transfer-encoding: chunked");
    let body = if chunked {
        let mut out = String::new();
        let mut r = rest;
        while let Some((size, tail)) = r.split_once("\r\n") {
            let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
            if n == 0 {
                break;
            }
            let bytes = tail.as_bytes();
            out.push_str(&String::from_utf8_lossy(&bytes[..n.min(bytes.len())]));
            r = tail.get(n + 2..).unwrap_or("");
        }
        out
    } else {
        rest.to_string()
    };
    (status, body)
}

/// Percent-encode a path segment or query value.
pub fn enc(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A running `gongbao serve` on a free loopback port; killed on drop.
pub struct Server {
    pub child: std::process::Child,
    pub addr: String,
}

impl Server {
    pub fn start(index: &Path) -> Server {
        use std::io::BufRead;
        let mut child = Command::new(bin())
            .args(["serve", "--addr", "127.0.0.1:0"])
            .env("GONGBAO_INDEX", index)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("start gongbao serve");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let addr =
            line.split("http://").nth(1).and_then(|r| r.split('/').next()).unwrap_or_else(|| panic!("no address in {line:?}")).to_string();
        Server { child, addr }
    }
    pub fn get(&self, path: &str) -> (u16, String) {
        http("GET", &self.addr, path, None)
    }
    pub fn json(&self, path: &str) -> (u16, Value) {
        let (c, b) = self.get(path);
        (c, serde_json::from_str(&b).unwrap_or_else(|e| panic!("{path}: not JSON ({e}): {b}")))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
