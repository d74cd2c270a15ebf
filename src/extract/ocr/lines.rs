//! The recogniser's boxes (pixels) in, a page's lines (points, in reading
//! order, each with its confidence) out.
//!
//! PP-OCR's detector cuts a printed line where a gap opens: two boxes that
//! stand on one visual line a character or less apart are one line and are
//! joined without a space; boxes further apart stay separate segments, which
//! the layout stage joins with a space or, across a gutter, reads as
//! columns. Specks the recogniser read as a character or two with little
//! confidence go.

use super::ppocr::{Step, WorkerBox};
use crate::extract::Geometry;

/// A recognised line: its raw text (not yet normalised), where it stands and
/// how sure the recogniser was.
#[derive(Debug, Clone, PartialEq)]
pub struct OcrLine {
    pub text: String,
    pub geometry: Geometry,
    /// 0–1 for PP-OCR, 0–100 for Tesseract.
    pub confidence: f32,
    /// PP-OCR's CTC candidates, for a whitelist re-read (see `reread`).
    pub steps: Vec<Step>,
    /// The line's box in the prepared page's pixels (for a re-read by Tesseract).
    pub pixels: [f32; 4],
}

/// A box read with less confidence than this, with at most two characters,
/// is a speck (dust, a seal's remnant), not text.
const SPECK_CONFIDENCE: f32 = 0.6;
/// Box height over glyph height: the detector's boxes are grown around the glyphs.
const BOX_OVER_GLYPH: f32 = 1.25;

/// Lines from PP-OCR boxes on a page rendered at `dpi`.
pub fn from_boxes(mut boxes: Vec<WorkerBox>, dpi: f32) -> Vec<OcrLine> {
    boxes.retain(|b| !(b.confidence < SPECK_CONFIDENCE && b.text.trim().chars().count() <= 2));
    boxes.sort_by(|a, b| a.y0.total_cmp(&b.y0).then(a.x0.total_cmp(&b.x0)));
    // Join boxes of one visual line that stand close: sweep in order of x
    // within groups of vertically overlapping boxes.
    let mut used = vec![false; boxes.len()];
    let mut joined: Vec<(WorkerBox, usize)> = Vec::new();
    for i in 0..boxes.len() {
        if used[i] {
            continue;
        }
        used[i] = true;
        let mut cur = boxes[i].clone();
        let mut n = cur.text.chars().count();
        let mut conf_sum = cur.confidence * n as f32;
        loop {
            let h = cur.y1 - cur.y0;
            let next = (0..boxes.len())
                .filter(|&j| !used[j])
                .filter(|&j| {
                    let b = &boxes[j];
                    let overlap = cur.y1.min(b.y1) - cur.y0.max(b.y0);
                    overlap > 0.6 * h.min(b.y1 - b.y0) && b.x0 >= cur.x1 - 0.3 * h && b.x0 - cur.x1 < 1.0 * h
                })
                .min_by(|&a, &b| boxes[a].x0.total_cmp(&boxes[b].x0));
            let Some(j) = next else { break };
            used[j] = true;
            let b = &boxes[j];
            let m = b.text.chars().count();
            cur.text.push_str(&b.text);
            conf_sum += b.confidence * m as f32;
            n += m;
            cur.x1 = cur.x1.max(b.x1);
            cur.y0 = cur.y0.min(b.y0);
            cur.y1 = cur.y1.max(b.y1);
            // Candidates no longer line up with one box's text.
            cur.steps.clear();
        }
        if n > 0 {
            cur.confidence = conf_sum / n as f32;
        }
        joined.push((cur, n));
    }
    let scale = 72.0 / dpi;
    let mut lines: Vec<OcrLine> = joined
        .into_iter()
        .map(|(b, _)| {
            let size = (b.y1 - b.y0) / BOX_OVER_GLYPH;
            let top = b.y0 + (b.y1 - b.y0 - size) / 2.0;
            OcrLine {
                text: b.text.trim().to_string(),
                geometry: Geometry { x0: b.x0 * scale, x1: b.x1 * scale, y: top * scale, size: size * scale },
                confidence: b.confidence,
                steps: b.steps,
                pixels: [b.x0, b.y0, b.x1, b.y1],
            }
        })
        .collect();
    lines.sort_by(|a, b| a.geometry.y.total_cmp(&b.geometry.y).then(a.geometry.x0.total_cmp(&b.geometry.x0)));
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(x0: f32, y0: f32, x1: f32, y1: f32, text: &str, confidence: f32) -> WorkerBox {
        WorkerBox { x0, y0, x1, y1, text: text.into(), confidence, steps: vec![] }
    }

    #[test]
    fn close_boxes_on_one_line_join_far_ones_stay_apart() {
        let lines = from_boxes(
            vec![
                // a line the detector cut in two, a character's width apart
                b(500.0, 102.0, 900.0, 152.0, "公室关于印发", 0.98),
                b(100.0, 100.0, 470.0, 150.0, "青县人民政府办", 0.96),
                // a second column, far to the right
                b(1300.0, 101.0, 1600.0, 151.0, "第二栏", 0.99),
                b(100.0, 200.0, 300.0, 250.0, "下一行", 0.99),
                // a speck
                b(800.0, 300.0, 830.0, 330.0, "。", 0.3),
            ],
            200.0,
        );
        let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(texts, ["青县人民政府办公室关于印发", "第二栏", "下一行"]);
        let g = lines[0].geometry;
        assert!((g.x0 - 36.0).abs() < 0.01 && (g.x1 - 324.0).abs() < 0.01, "{g:?}");
        assert!((g.size - 52.0 / 1.25 * 0.36).abs() < 0.01, "{g:?}");
        // confidence weighted by characters
        assert!((lines[0].confidence - (0.96 * 7.0 + 0.98 * 6.0) / 13.0).abs() < 1e-4);
    }

    #[test]
    fn a_short_sure_line_stays() {
        let lines = from_boxes(vec![b(800.0, 300.0, 860.0, 350.0, "一", 0.95)], 200.0);
        assert_eq!(lines.len(), 1);
    }
}
