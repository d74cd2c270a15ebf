//! The web pages in a real browser: headless Chromium driven over
//! WebDriver (chromedriver). Searches 社区食堂 by typing into the box, opens
//! the first result, follows a link to a provision anchor, opens 最近变化
//! from the header, and saves screenshots (desktop and phone widths) to
//! target/browser-screenshots/.

mod common;
use common::*;
use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

struct Driver {
    child: std::process::Child,
    addr: String,
    session: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = http("DELETE", &self.addr, &format!("/session/{}", self.session), None);
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

impl Driver {
    fn start(profile: &std::path::Path) -> Driver {
        let port = free_port();
        let child = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver (Debian chromium-driver; scripts/setup.sh installs it)");
        let addr = format!("127.0.0.1:{port}");
        let t0 = Instant::now();
        while std::net::TcpStream::connect(&addr).is_err() {
            assert!(t0.elapsed() < Duration::from_secs(20), "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        let caps = json!({"capabilities": {"alwaysMatch": {"goog:chromeOptions": {
            "binary": "/usr/bin/chromium",
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     format!("--user-data-dir={}", profile.display()), "--window-size=1280,1000"]
        }}}});
        let (code, body) = http("POST", &addr, "/session", Some(&caps.to_string()));
        let v: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(code, 200, "new session: {body}");
        let session = v["value"]["sessionId"].as_str().unwrap().to_string();
        let mut child = child;
        let _ = child.try_wait();
        Driver { child, addr, session }
    }

    fn cmd(&self, method: &str, path: &str, body: Value) -> Value {
        let b = body.to_string();
        let (code, text) =
            http(method, &self.addr, &format!("/session/{}{path}", self.session), if method == "GET" { None } else { Some(&b) });
        let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        assert_eq!(code, 200, "{method} {path}: {text}");
        v["value"].clone()
    }

    fn go(&self, url: &str) {
        self.cmd("POST", "/url", json!({"url": url}));
    }

    fn url(&self) -> String {
        self.cmd("GET", "/url", Value::Null).as_str().unwrap().to_string()
    }

    /// Find elements by CSS selector, waiting up to 10 s for at least one.
    fn find_all(&self, css: &str) -> Vec<String> {
        let t0 = Instant::now();
        loop {
            let v = self.cmd("POST", "/elements", json!({"using": "css selector", "value": css}));
            let ids: Vec<String> = v.as_array().unwrap().iter().map(|e| e[ELEMENT].as_str().unwrap().to_string()).collect();
            if !ids.is_empty() || t0.elapsed() > Duration::from_secs(10) {
                return ids;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn find(&self, css: &str) -> String {
        self.find_all(css).into_iter().next().unwrap_or_else(|| panic!("no element {css} at {}", self.url()))
    }

    fn text(&self, el: &str) -> String {
        self.cmd("GET", &format!("/element/{el}/text"), Value::Null).as_str().unwrap_or("").to_string()
    }

    fn attr(&self, el: &str, name: &str) -> String {
        self.cmd("GET", &format!("/element/{el}/attribute/{name}"), Value::Null).as_str().unwrap_or("").to_string()
    }

    fn screenshot(&self, name: &str) -> PathBuf {
        let b64 = self.cmd("GET", "/screenshot", Value::Null);
        let png = base64_decode(b64.as_str().unwrap());
        assert!(png.starts_with(b"\x89PNG"), "not a PNG");
        let dir = root().join("target/browser-screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, png).unwrap();
        path
    }

    fn resize(&self, w: u32, h: u32) {
        self.cmd("POST", "/window/rect", json!({"width": w, "height": h}));
    }
}

fn base64_decode(s: &str) -> Vec<u8> {
    let val = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0);
    for c in s.bytes().filter_map(val) {
        acc = (acc << 6) | c;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}

#[test]
fn search_open_and_follow_a_provision_anchor_in_chromium() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    run_json(&["ingest", root().join("corpus").to_str().unwrap(), "--json"], Some(&index));
    let server = Server::start(&index);
    let d = Driver::start(&dir.path().join("profile"));
    let base = format!("http://{}", server.addr);

    // 1. Search: type into the box and submit.
    d.go(&format!("{base}/"));
    let q = d.find("input[name=q]");
    d.cmd("POST", &format!("/element/{q}/value"), json!({"text": "社区食堂"}));
    let submit = d.find("button[type=submit]");
    d.cmd("POST", &format!("/element/{submit}/click"), json!({}));
    let first = d.find("ol.hits a.title");
    assert!(d.text(&first).contains("社区食堂"), "first hit: {}", d.text(&first));
    assert!(!d.find_all("mark").is_empty(), "highlighted snippet");
    assert!(!d.find_all(".badge.s-in_force").is_empty(), "status badge");
    let shot1 = d.screenshot("1-search.png");

    // 2. Open the first result.
    d.cmd("POST", &format!("/element/{first}/click"), json!({}));
    let h1 = d.find("h1");
    assert!(d.text(&h1).contains("关于推进社区食堂建设的实施意见"), "{}", d.text(&h1));
    assert!(d.url().contains("/doc/"));
    assert!(!d.find_all("#validity").is_empty() && !d.find_all("#provisions .prov").is_empty());
    let shot2 = d.screenshot("2-document.png");

    // 3. Follow a link to a provision anchor.
    let cite = d.find_all("#provisions a.cite").into_iter().nth(3).expect("provision links");
    let href = d.attr(&cite, "href");
    d.cmd("POST", &format!("/element/{cite}/click"), json!({}));
    let url = d.url();
    assert!(url.contains('#'), "{url}");
    let fragment = url.split('#').nth(1).unwrap().to_string();
    assert!(href.ends_with(&fragment), "{href} vs {url}");
    let target = d.find_all(":target");
    assert_eq!(target.len(), 1, "the anchored provision is the :target");
    let shot3 = d.screenshot("3-provision.png");

    // 4. The same pages at a phone's width.
    d.resize(390, 844);
    d.go(&format!("{base}/?q={}", enc("社区食堂")));
    d.find("ol.hits a.title");
    let shot4 = d.screenshot("4-search-phone.png");
    d.go(&format!("{base}/status?id={}&on=2024-08-01", enc("孟政办发〔2022〕70号")));
    assert!(!d.find_all(".badge.s-repealed").is_empty());
    let shot5 = d.screenshot("5-status-phone.png");

    // 5. 最近变化, from the header: the changes the ingest made known, with
    // their badges and evidence; a repeal leads to what is known of its target.
    d.resize(1280, 1000);
    d.go(&format!("{base}/"));
    let link = d.find("header a[href='/changes']");
    d.cmd("POST", &format!("/element/{link}/click"), json!({}));
    let h1 = d.find("h1");
    assert_eq!(d.text(&h1), "最近变化");
    assert!(d.find_all("ol.changes .badge.c-added").len() >= 23, "the sample's documents, added");
    let repeal = d.find("ol.changes li:has(.badge.c-repealed) a.title");
    let quote = d.find("ol.changes li:has(.badge.c-repealed) blockquote");
    assert!(d.text(&quote).contains("废止"), "{}", d.text(&quote));
    let shot6 = d.screenshot("6-changes.png");
    d.cmd("POST", &format!("/element/{repeal}/click"), json!({}));
    assert!(d.url().contains("/status?id="), "{}", d.url());
    assert!(!d.find_all(".badge.s-repealed").is_empty());
    for s in [shot1, shot2, shot3, shot4, shot5, shot6] {
        println!("screenshot: {}", s.display());
    }
}
