//! A prepared page image through `tesseract`: the image in, its lines with
//! geometry (in PDF points) and confidence out.
//!
//! Tesseract's TSV output gives every word its box and confidence; we build
//! the lines ourselves from it so that (1) a gap as wide as a character
//! becomes a space and nothing else does (Tesseract's plain text puts spaces
//! between Han characters at random), (2) isolated specks of dust that
//! Tesseract read as a low-confidence character are dropped, and (3) the
//! clean stage gets each line's position for header and paragraph detection.

use super::image::Gray;
use super::lines::OcrLine;
use super::OcrEngine;
use crate::extract::worker::{run_bounded_with_input, Finished};
use crate::extract::{Geometry, Limits};
use std::process::Command;

/// Read a prepared page (at `dpi`): its lines (raw text, not yet
/// normalised), its size in points and the mean confidence of its characters.
pub fn read_page(engine: &OcrEngine, page: &Gray, dpi: f32, limits: Limits) -> Result<(Vec<OcrLine>, f32, f32, f32), String> {
    let tsv = run(engine, page, dpi, &["--psm", "6"], limits)?;
    Ok(parse_tsv(&tsv, dpi))
}

/// Read one line again (`--psm 7`) allowing only `whitelist`: its text and
/// mean confidence.
pub fn reread_line(engine: &OcrEngine, line: &Gray, dpi: f32, whitelist: &str, limits: Limits) -> Result<(String, f32), String> {
    let wl = format!("tessedit_char_whitelist={whitelist}");
    let tsv = run(engine, line, dpi, &["--psm", "7", "-c", &wl], limits)?;
    let (lines, _, _, conf) = parse_tsv(&tsv, dpi);
    let text: Vec<String> = lines.into_iter().map(|l| l.text).collect();
    Ok((text.join(""), conf))
}

fn run(engine: &OcrEngine, page: &Gray, dpi: f32, args: &[&str], limits: Limits) -> Result<String, String> {
    let mut cmd = Command::new(&engine.program);
    cmd.args(["stdin", "stdout", "-l", &engine.language]).args(args).args(["--dpi", &(dpi.round() as u32).to_string(), "tsv"]);
    // Pages are read in parallel: one thread per Tesseract.
    cmd.env("OMP_THREAD_LIMIT", "1");
    match run_bounded_with_input(cmd, Some(page.to_pgm()), limits.timeout, limits.memory) {
        Err(e) => Err(format!("cannot run tesseract: {e}")),
        Ok(Finished::Exited { code: 0, stdout, .. }) => Ok(String::from_utf8_lossy(&stdout).into_owned()),
        Ok(Finished::Exited { code, stderr, .. }) => {
            let msg = String::from_utf8_lossy(&stderr);
            Err(format!("tesseract exited with code {code}: {}", msg.lines().last().unwrap_or("").trim()))
        }
        Ok(Finished::Signalled { signal, .. }) => Err(format!("tesseract {}", crate::extract::worker::describe_signal(signal))),
        Ok(Finished::TimedOut) => Err(format!("tesseract timed out after {} s", limits.timeout.as_secs())),
    }
}

/// One word of Tesseract's TSV, in pixels.
#[derive(Debug, Clone)]
struct Word {
    left: f32,
    top: f32,
    right: f32,
    bottom: f32,
    conf: f32,
    text: String,
}

/// A word Tesseract is this unsure of, standing apart from its line, is a
/// speck of dirt rather than a character.
const SPECK_CONFIDENCE: f32 = 40.0;
/// Marks that never open a line in typeset Chinese.
const CLOSING: [char; 12] = ['”', '’', '）', ')', '》', '〕', '】', '，', '。', '、', '；', '：'];
/// A line whose words are all below this is noise (a smudge, a stamp's edge).
const NOISE_LINE_CONFIDENCE: f32 = 20.0;

/// Build a page's lines from Tesseract's TSV (`level page_num block_num
/// par_num line_num word_num left top width height conf text`) of an image
/// at `dpi`. Returns the lines (raw text, not yet normalised), the page's
/// width and height in points and the mean confidence of its characters.
pub fn parse_tsv(tsv: &str, dpi: f32) -> (Vec<OcrLine>, f32, f32, f32) {
    let scale = 72.0 / dpi;
    let min_han = MIN_HAN_HEIGHT * dpi / 300.0;
    let (mut width, mut height) = (0.0f32, 0.0f32);
    let mut groups: Vec<((u32, u32, u32), Vec<Word>)> = Vec::new();
    for row in tsv.lines().skip(1) {
        let f: Vec<&str> = row.splitn(12, '\t').collect();
        if f.len() < 11 {
            continue;
        }
        let num = |i: usize| f[i].trim().parse::<f32>().unwrap_or(0.0);
        match f[0] {
            "1" => {
                width = num(8) * scale;
                height = num(9) * scale;
            }
            "5" => {
                let text = f.get(11).map(|t| t.trim()).unwrap_or("");
                if text.is_empty() {
                    continue;
                }
                let key = (num(2) as u32, num(3) as u32, num(4) as u32);
                let w = Word {
                    left: num(6),
                    top: num(7),
                    right: num(6) + num(8),
                    bottom: num(7) + num(9),
                    conf: num(10),
                    text: text.to_string(),
                };
                match groups.last_mut() {
                    Some((k, v)) if *k == key => v.push(w),
                    _ => groups.push((key, vec![w])),
                }
            }
            _ => {}
        }
    }
    let (mut conf_sum, mut conf_chars) = (0.0f64, 0usize);
    let mut lines = Vec::new();
    for (_, mut words) in groups {
        words.sort_by(|a, b| a.left.total_cmp(&b.left));
        let size = line_size(&words, min_han);
        drop_specks(&mut words, size);
        // A closing mark cannot open a line (禁则), and the clean stage would
        // join such a line to the one before: read with little confidence, it is dirt.
        while words.first().is_some_and(|w| w.conf < 50.0 && w.text.starts_with(CLOSING)) {
            words.remove(0);
        }
        if words.is_empty() || words.iter().all(|w| w.conf < NOISE_LINE_CONFIDENCE) {
            continue;
        }
        let mut text = String::new();
        let mut end: Option<f32> = None;
        let (mut line_conf, mut line_chars) = (0.0f32, 0usize);
        for w in &words {
            if let (Some(e), Some(last)) = (end, text.chars().last()) {
                if w.left - e > space_gap(last, w.text.chars().next().unwrap_or(' '), size) {
                    text.push(' ');
                }
            }
            text.push_str(&w.text);
            end = Some(w.right);
            let n = w.text.chars().count();
            conf_sum += w.conf as f64 * n as f64;
            conf_chars += n;
            line_conf += w.conf * n as f32;
            line_chars += n;
        }
        let x0 = words.iter().map(|w| w.left).fold(f32::MAX, f32::min);
        let x1 = words.iter().map(|w| w.right).fold(f32::MIN, f32::max);
        let mut tops: Vec<f32> = words.iter().map(|w| w.top).collect();
        tops.sort_by(|a, b| a.total_cmp(b));
        let y = tops[tops.len() / 2];
        let y_max = words.iter().map(|w| w.bottom).fold(f32::MIN, f32::max);
        lines.push(OcrLine {
            text,
            geometry: Geometry { x0: x0 * scale, x1: x1 * scale, y: y * scale, size: size * scale },
            confidence: if line_chars == 0 { 0.0 } else { line_conf / line_chars as f32 },
            steps: vec![],
            pixels: [x0, tops[0], x1, y_max],
        });
    }
    lines.sort_by(|a, b| a.geometry.y.total_cmp(&b.geometry.y).then(a.geometry.x0.total_cmp(&b.geometry.x0)));
    let confidence = if conf_chars == 0 { 0.0 } else { (conf_sum / conf_chars as f64) as f32 };
    (lines, width, height, confidence)
}

/// How wide a gap between two words must be to print as a space. Tesseract's
/// boxes around Han glyphs are loose (a narrow 发 gets a box a fifth of its
/// advance), so between Han characters only a gap of two characters counts
/// (`青县人民政府公报      2024年第3期`); between Latin words or numbers, a
/// normal word space does.
fn space_gap(before: char, after: char, size: f32) -> f32 {
    if before.is_ascii_alphanumeric() && after.is_ascii_alphanumeric() {
        0.4 * size
    } else {
        2.0 * size
    }
}

/// Smallest plausible height of a Han glyph's box, in pixels at 300 dpi (5 pt).
const MIN_HAN_HEIGHT: f32 = 20.0;

/// The line's character height in pixels. Tesseract's boxes are loose: some
/// span two lines' worth of height, some shrink to a stroke; the lower third
/// of its Han words' plausible heights is the glyph height (punctuation is
/// smaller and not counted).
fn line_size(words: &[Word], min_han: f32) -> f32 {
    let mut h: Vec<f32> =
        words.iter().filter(|w| w.text.chars().any(crate::extract::is_han)).map(|w| w.bottom - w.top).filter(|h| *h >= min_han).collect();
    if h.is_empty() {
        h = words.iter().map(|w| w.bottom - w.top).filter(|h| *h > 0.0).collect();
    }
    if h.is_empty() {
        return 1.0;
    }
    h.sort_by(|a, b| a.total_cmp(b));
    h[h.len() / 3]
}

/// Drop low-confidence words that stand more than a character and a half
/// away from both neighbours (or from their one neighbour at a line's end).
fn drop_specks(words: &mut Vec<Word>, size: f32) {
    let far = 1.5 * size;
    let n = words.len();
    let keep: Vec<bool> = (0..n)
        .map(|i| {
            let w = &words[i];
            if w.conf >= SPECK_CONFIDENCE || n == 1 {
                return true;
            }
            let gap_before = if i > 0 { w.left - words[i - 1].right } else { f32::MAX };
            let gap_after = if i + 1 < n { words[i + 1].left - w.right } else { f32::MAX };
            !(gap_before > far && gap_after > far)
        })
        .collect();
    let mut i = 0;
    words.retain(|_| {
        i += 1;
        keep[i - 1]
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tsv(rows: &[&str]) -> String {
        let mut s = String::from("level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n");
        s.push_str("1\t1\t0\t0\t0\t0\t0\t0\t2481\t3508\t-1\t\n");
        for r in rows {
            s.push_str(r);
            s.push('\n');
        }
        s
    }

    #[test]
    fn words_become_lines_with_geometry_in_points() {
        let t = tsv(&[
            "5\t1\t1\t1\t1\t1\t300\t400\t46\t46\t95.0\t青",
            "5\t1\t1\t1\t1\t2\t347\t400\t92\t46\t93.0\t政办",
            "5\t1\t1\t1\t1\t3\t600\t401\t200\t46\t90.0\t2024",
            "5\t1\t1\t1\t2\t1\t300\t500\t46\t46\t96.0\t各",
        ]);
        let (lines, width, _, conf) = parse_tsv(&t, 300.0);
        assert!((width - 595.44).abs() < 0.1, "{width}");
        let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        // 347+92 = 439 → 600 is a gap of 3.5 characters: a space.
        assert_eq!(texts, ["青政办 2024", "各"]);
        // Loose boxes around Han glyphs leave gaps of about a character: no space.
        let t = tsv(&[
            "5\t1\t1\t1\t1\t1\t1033\t796\t47\t68\t89.8\t政",
            "5\t1\t1\t1\t1\t2\t1080\t802\t60\t55\t96.9\t办",
            "5\t1\t1\t1\t1\t3\t1187\t809\t8\t43\t96.3\t发",
            "5\t1\t1\t1\t2\t1\t300\t900\t100\t46\t96.0\tGONGBAO",
            "5\t1\t1\t1\t2\t2\t420\t900\t100\t46\t96.0\tREN",
        ]);
        let (lines2, ..) = parse_tsv(&t, 300.0);
        let texts2: Vec<&str> = lines2.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(texts2, ["政办发", "GONGBAO REN"]);
        let g = lines[0].geometry;
        assert!(lines[0].confidence > 91.0 && lines[0].confidence < 92.0, "{}", lines[0].confidence);
        assert!((g.x0 - 72.0).abs() < 0.01 && (g.y - 96.0).abs() < 0.01 && (g.size - 11.04).abs() < 0.01, "{g:?}");
        assert!(conf > 90.0 && conf < 96.0, "{conf}");
    }

    #[test]
    fn specks_and_noise_lines_go() {
        let t = tsv(&[
            // a speck far to the left of a centred 文号
            "5\t1\t1\t1\t1\t1\t775\t2033\t40\t36\t30.1\t和",
            "5\t1\t1\t1\t1\t2\t986\t2002\t46\t47\t88.0\t青",
            "5\t1\t1\t1\t1\t3\t1033\t2002\t46\t47\t91.0\t政",
            // a line that is nothing but a smudge
            "5\t1\t1\t1\t2\t1\t1159\t3317\t178\t38\t0.0\t人",
            // a speck read as a closing quote does not open a line
            "5\t1\t1\t1\t4\t0\t641\t584\t16\t61\t29.7\t，",
            "5\t1\t1\t1\t4\t1\t735\t584\t63\t83\t44.5\t”和",
            "5\t1\t1\t1\t4\t2\t958\t608\t44\t66\t89.0\t青",
            // a low-confidence character inside a line stays
            "5\t1\t1\t1\t3\t1\t300\t600\t46\t46\t95.0\t推",
            "5\t1\t1\t1\t3\t2\t347\t600\t46\t46\t12.0\t扒",
            "5\t1\t1\t1\t3\t3\t394\t600\t46\t46\t95.0\t广",
        ]);
        let (lines, ..) = parse_tsv(&t, 300.0);
        let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(texts, ["推扒广", "青", "青政"]);
    }

    #[test]
    fn malformed_rows_are_skipped() {
        // Unparsable numbers read as 0: a zero-confidence word, which is noise.
        let (lines, _, _, conf) = parse_tsv("garbage\n5\t1\n\n5\tx\ty\tz\t1\t1\ta\tb\tc\td\te\t字\n", 300.0);
        assert!(lines.is_empty());
        assert_eq!(conf, 0.0);
        let (lines, ..) = parse_tsv("", 300.0);
        assert!(lines.is_empty());
    }
}
