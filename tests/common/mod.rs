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
    assert!(
        out.status.success() || out.status.code() == Some(2),
        "gongbao {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("gongbao {args:?}: not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
}

/// Parse a file with `gongbao parse --json`.
pub fn parse(path: &Path) -> Value {
    run_json(&["parse", path.to_str().unwrap(), "--json"], None)
}

/// Normalise as the truth file does: no whitespace, `( ) , : ;` full-width.
pub fn norm(s: &str) -> String {
    gongbao::text::normalize_title(s)
}
