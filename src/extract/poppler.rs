//! The fallback extractor: `pdftotext -bbox-layout -enc UTF-8` (Debian
//! poppler-utils, with poppler-data for the Adobe-GB1 CMaps), run with the
//! same time and memory bounds as the worker. Its XHTML output gives each
//! line's box, so the clean stage gets the same geometry as from pdf-extract.

use super::worker::{run_bounded, Finished};
use super::{Extractor, Geometry, Limits, Line, Page};
use regex::Regex;
use std::path::Path;
use std::process::Command;
use std::sync::LazyLock;

/// Why pdftotext gave nothing.
#[derive(Debug)]
pub struct PopplerError {
    pub encrypted: bool,
    pub message: String,
}

/// `<page width="595.275600" height="841.889800">`
static PAGE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r#"<page width="([\d.]+)" height="([\d.]+)">"#).unwrap());
/// `<line xMin="70.86" yMin="43.21" xMax="152.46" yMax="53.47">`
static LINE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"<line xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">"#).unwrap());
/// `<word xMin="70.86" yMin="43.21" xMax="152.46" yMax="53.47">青县人民政府公报</word>`
static WORD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>"#).unwrap());

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&apos;", "'").replace("&amp;", "&")
}

/// Run pdftotext on the whole file and return its pages.
pub fn pdftotext_pages(path: &Path, limits: Limits) -> Result<Vec<Page>, PopplerError> {
    let mut cmd = Command::new("pdftotext");
    cmd.args(["-bbox-layout", "-enc", "UTF-8", "-q"]).arg(path).arg("-");
    let finished = run_bounded(cmd, limits.timeout, limits.memory).map_err(|e| PopplerError {
        encrypted: false,
        message: if e.kind() == std::io::ErrorKind::NotFound {
            "pdftotext is not installed (Debian: apt-get install poppler-utils poppler-data)".into()
        } else {
            format!("cannot run pdftotext: {e}")
        },
    })?;
    let out = match finished {
        Finished::Exited { code: 0, stdout, .. } => stdout,
        Finished::Exited { code, stderr, .. } => {
            // pdftotext's exit code 1 is "error opening a PDF file", 3 "permissions".
            let msg = String::from_utf8_lossy(&stderr).trim().to_string();
            let encrypted = msg.contains("password") || code == 3;
            return Err(PopplerError { encrypted, message: if msg.is_empty() { format!("exit code {code}") } else { msg } });
        }
        Finished::Signalled { signal, .. } => {
            return Err(PopplerError { encrypted: false, message: super::worker::describe_signal(signal) })
        }
        Finished::TimedOut => return Err(PopplerError { encrypted: false, message: "timed out".into() }),
    };
    let xml = String::from_utf8_lossy(&out);
    let pages = parse_bbox_layout(&xml);
    if pages.is_empty() {
        // pdftotext with -q prints nothing on errors such as a wrong password.
        return Err(PopplerError { encrypted: false, message: "no pages".into() });
    }
    Ok(pages)
}

/// Parse the XHTML of `pdftotext -bbox-layout`.
pub fn parse_bbox_layout(xml: &str) -> Vec<Page> {
    let mut pages = Vec::new();
    for (i, chunk) in xml.split("<page ").skip(1).enumerate() {
        let chunk = format!("<page {chunk}");
        let (width, height) =
            PAGE.captures(&chunk).map(|c| (c[1].parse().unwrap_or(0.0), c[2].parse().unwrap_or(0.0))).unwrap_or((0.0, 0.0));
        let mut lines = Vec::new();
        for part in chunk.split("<line ").skip(1) {
            let part = format!("<line {part}");
            let Some(c) = LINE.captures(&part) else { continue };
            let num = |k: usize| c[k].parse::<f32>().unwrap_or(0.0);
            let (x0, y0, x1, y1) = (num(1), num(2), num(3), num(4));
            let size = (y1 - y0).max(1.0);
            let mut text = String::new();
            let mut end: Option<f32> = None;
            for w in WORD.captures_iter(&part) {
                let wx0: f32 = w[1].parse().unwrap_or(0.0);
                let wx1: f32 = w[2].parse().unwrap_or(0.0);
                if let Some(e) = end {
                    if wx0 - e > size * 0.2 {
                        text.push(' ');
                    }
                }
                text.push_str(&unescape(&w[3]));
                end = Some(wx1);
            }
            lines.push(Line { text, geometry: Some(Geometry { x0, x1, y: y0, size }) });
        }
        lines.sort_by(|a, b| {
            let (ga, gb) = (a.geometry.unwrap(), b.geometry.unwrap());
            ga.y.total_cmp(&gb.y).then(ga.x0.total_cmp(&gb.x0))
        });
        pages.push(Page { number: i as u32 + 1, width, height, lines, extractor: Extractor::Pdftotext, columns: vec![] });
    }
    pages
}
