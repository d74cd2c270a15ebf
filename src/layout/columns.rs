//! Reading order on pages set in two columns (gazettes from Founder/方正,
//! LibreOffice sections, reportlab frames): a vertical whitespace gutter
//! that runs through the page body between two columns of justified text.
//!
//! In: a page's line segments (the extractor splits a baseline where a gap
//! is wider than an em, so no segment crosses a gutter). Out: its lines in
//! reading order — per band between full-width lines (titles, 文号, running
//! heads), the left column top to bottom, then the right — with the
//! segments of one baseline in one column joined again, and the columns'
//! edges recorded for the clean stage's line joining.
//!
//! A page with no such gutter comes out with its segments joined back into
//! the lines they came from, in the order the extractor gave: one-column
//! pages are unchanged.

use crate::extract::{Column, Geometry, Line, Page};

/// A vertical band of whitespace between two columns, in points.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Gutter {
    pub x0: f32,
    pub x1: f32,
}

/// Lines in the page's top and bottom edges (running heads, page numbers)
/// keep their place at the top and bottom, whatever column they sit in: the
/// top 4 % and bottom 3 % of the page, and a page number (`—１０１２—`,
/// `- 12 -`) anywhere in the top or bottom 8 %. A column's last body line
/// may come within 5 % of the page's foot (Founder's gazettes).
const TOP_EDGE: f32 = 0.04;
const BOTTOM_EDGE: f32 = 0.97;
const NUMBER_ZONE: f32 = 0.08;

/// A page number line: `—１０１２—`, `- 12 -`, `12`, `第12页` (digits folded or not).
static PAGE_NUMBER: std::sync::LazyLock<regex::Regex> =
    std::sync::LazyLock::new(|| regex::Regex::new(r"^[—－\-–·•\s]*(?:[0-9０-９]{1,4}|第\s*[0-9０-９]{1,4}\s*页)[—－\-–·•\s]*$").unwrap());

/// Is this a line of page furniture by where it stands?
fn furniture(text: &str, g: &Geometry, height: f32) -> bool {
    let rel = g.y / height.max(1.0);
    rel < TOP_EDGE || rel > BOTTOM_EDGE || ((rel < NUMBER_ZONE || rel > 1.0 - NUMBER_ZONE) && PAGE_NUMBER.is_match(text.trim()))
}

fn median(mut v: Vec<f32>) -> f32 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// The gutter of a two-column page, if it has one: the widest band of the
/// middle of the page (30–70 % of its width) that few segments cross, with
/// columns of text on both sides that reach it (justified text fills its
/// column; a table's cells do not).
pub fn find_gutter(page: &Page) -> Option<Gutter> {
    let segs: Vec<Geometry> = page.lines.iter().filter(|l| !l.text.trim().is_empty()).filter_map(|l| l.geometry).collect();
    if segs.len() < 12 {
        return None;
    }
    let right_edge = segs.iter().map(|g| g.x1).fold(0.0f32, f32::max);
    let width = if page.width > 0.0 { page.width } else { right_edge };
    let em = median(segs.iter().map(|g| g.size).collect()).max(1.0);
    let (lo, hi) = ((width * 0.3) as i32, (width * 0.7) as i32);
    if hi <= lo {
        return None;
    }
    // Lines across most of the width (a title band, an adoption note, the
    // body of a one-column page) say nothing of a gutter; a page made mostly
    // of them has none.
    let wide = segs.iter().filter(|g| g.x1 - g.x0 > 0.6 * width).count();
    if wide * 10 > segs.len() * 4 {
        return None;
    }
    let narrow: Vec<&Geometry> = segs.iter().filter(|g| g.x1 - g.x0 <= 0.6 * width).collect();
    // Narrow segments crossing each x of the middle band: a centred title
    // or 文号 may cross the gutter, body lines may not.
    let crossing = |x: f32| narrow.iter().filter(|g| g.x0 < x && g.x1 > x).count();
    let counts: Vec<(i32, usize)> = (lo..=hi).map(|x| (x, crossing(x as f32))).collect();
    let least = counts.iter().map(|(_, c)| *c).min()?;
    if least * 8 > narrow.len() {
        return None;
    }
    // The widest run of x with the least crossings.
    let mut best: Option<(i32, i32)> = None;
    let mut start: Option<i32> = None;
    for (x, c) in counts.iter().copied().chain(std::iter::once((hi + 1, usize::MAX))) {
        match (c == least, start) {
            (true, None) => start = Some(x),
            (false, Some(s)) => {
                if best.is_none_or(|(b0, b1)| x - 1 - s > b1 - b0) {
                    best = Some((s, x - 1));
                }
                start = None;
            }
            _ => {}
        }
    }
    let (g0, g1) = best?;
    // Each side's lines: its segments of one baseline taken together (a
    // 目录 line `第一章　总　则` is cut into three segments).
    let side_lines = |keep: &dyn Fn(&Geometry) -> bool| -> Vec<Geometry> {
        let mut v: Vec<Geometry> = Vec::new();
        for g in segs.iter().filter(|g| keep(g)) {
            match v.iter_mut().find(|l| l.y == g.y) {
                Some(l) => {
                    l.x0 = l.x0.min(g.x0);
                    l.x1 = l.x1.max(g.x1);
                }
                None => v.push(*g),
            }
        }
        v
    };
    // Lines on either side of the band's middle (a short title line may
    // stand inside the band itself: `知` of a title wrapped in its 文种).
    let mid = (g0 + g1) as f32 / 2.0;
    let left = side_lines(&|g: &Geometry| g.x1 <= mid);
    let right = side_lines(&|g: &Geometry| g.x0 >= mid);
    if left.len() < 5 || right.len() < 5 {
        return None;
    }
    let pct = |mut v: Vec<f32>, q: f32| {
        v.sort_by(|a, b| a.total_cmp(b));
        v[((v.len() - 1) as f32 * q).round() as usize]
    };
    // The whitespace between the columns: from the right edge of the left
    // column's lines to the left edge of the right column's.
    let gx0 = pct(left.iter().map(|g| g.x1).collect(), 0.9);
    let gx1 = pct(right.iter().map(|g| g.x0).collect(), 0.1);
    // A gutter is a narrow band (GB/T and gazette practice: 1–3 characters)
    // between two columns of about half the body each.
    if gx1 - gx0 < 0.8 * em || gx1 - gx0 > 0.15 * width {
        return None;
    }
    let col_l = gx0 - median(left.iter().map(|g| g.x0).collect());
    let col_r = median(right.iter().map(|g| g.x1).collect()) - gx1;
    if col_l < 0.25 * width || col_r < 0.25 * width {
        return None;
    }
    // Text columns: the lines of each side run to the gutter (left) or
    // start at it (right, after at most a two-character indent).
    let reach_l = left.iter().filter(|g| g.x1 >= gx0 - 2.0 * em).count();
    let reach_r = right.iter().filter(|g| g.x0 <= gx1 + 2.5 * em).count();
    // (One side may hold short lines — a 目录, headings — but not both.)
    let share = |n: usize, of: usize| n as f32 / of.max(1) as f32;
    let (sl, sr) = (share(reach_l, left.len()), share(reach_r, right.len()));
    if sl.max(sr) < 0.6 || sl.min(sr) < 0.3 {
        return None;
    }
    Some(Gutter { x0: gx0, x1: gx1 })
}

/// Where a segment lies relative to the gutter.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Side {
    Left,
    Right,
    /// Crosses or touches the gutter, or stands in the page's top or bottom zone.
    Span,
}

/// How a page's line geometry reads: pdf-extract gives a line's baseline
/// (`y` at the foot of its glyphs), pdftotext and Tesseract its box (`y` at
/// the top).
#[derive(Clone, Copy, PartialEq)]
pub enum Ys {
    Baseline,
    BoxTop,
}

impl Ys {
    pub fn of(page: &Page) -> Ys {
        match page.extractor {
            crate::extract::Extractor::Pdftotext | crate::extract::Extractor::Tesseract => Ys::BoxTop,
            _ => Ys::Baseline,
        }
    }

    /// Do two lines stand on one visual line? Same baseline; or, for boxes,
    /// most of the smaller box inside the other (a year set in another font,
    /// whose box is shorter: `2025` / `年10月11日`).
    fn one_line(self, a: &Geometry, b: &Geometry) -> bool {
        if a.y == b.y {
            return true;
        }
        match self {
            Ys::Baseline => false,
            Ys::BoxTop => {
                let overlap = (a.y + a.size).min(b.y + b.size) - a.y.max(b.y);
                overlap >= 0.6 * a.size.min(b.size)
            }
        }
    }
}

/// Join the segments of one visual line back into lines, keeping their order.
pub fn join_baselines(lines: Vec<Line>, ys: Ys) -> Vec<Line> {
    let mut out: Vec<Line> = Vec::with_capacity(lines.len());
    for l in lines {
        if let (Some(prev), Some(g)) = (out.last_mut(), l.geometry) {
            if let Some(pg) = prev.geometry.as_mut() {
                if ys.one_line(pg, &g) && g.x0 >= pg.x1 - 0.1 * g.size {
                    if !prev.text.ends_with(' ') && !l.text.starts_with(' ') {
                        prev.text.push(' ');
                    }
                    prev.text.push_str(&l.text);
                    pg.x1 = pg.x1.max(g.x1);
                    pg.size = pg.size.max(g.size);
                    continue;
                }
                // The box that starts lower may stand to the left.
                if ys == Ys::BoxTop && pg.y != g.y && ys.one_line(pg, &g) && g.x1 <= pg.x0 + 0.1 * g.size {
                    prev.text = format!("{} {}", l.text, prev.text);
                    pg.x0 = pg.x0.min(g.x0);
                    pg.size = pg.size.max(g.size);
                    continue;
                }
            }
        }
        out.push(l);
    }
    out
}

/// The page in reading order (see the module doc).
pub fn reading_order(mut page: Page) -> Page {
    let Some(gutter) = find_gutter(&page) else {
        let ys = Ys::of(&page);
        page.lines = join_baselines(std::mem::take(&mut page.lines), ys);
        return page;
    };
    let height =
        if page.height > 0.0 { page.height } else { page.lines.iter().filter_map(|l| l.geometry).map(|g| g.y).fold(0.0, f32::max) };
    let centre = (gutter.x0 + gutter.x1) / 2.0;
    let side_of = |text: &str, g: &Geometry| {
        if furniture(text, g, height) {
            Side::Span
        // Hanging punctuation may run past a column's edge into the gutter,
        // not past its middle.
        } else if g.x1 <= centre + 0.3 * g.size {
            Side::Left
        } else if g.x0 >= centre - 0.3 * g.size {
            Side::Right
        } else {
            Side::Span
        }
    };
    let ys = Ys::of(&page);
    let mut lines = std::mem::take(&mut page.lines);
    // A baseline that spans the columns spans them with all its segments
    // (`（2002年6月29日…通过　根据`).
    let spanning_y: Vec<f32> = lines
        .iter()
        .filter_map(|l| l.geometry.map(|g| (l, g)))
        .filter(|(l, g)| side_of(&l.text, g) == Side::Span)
        .map(|(_, g)| g.y)
        .collect();
    let side = |l: &Line| match l.geometry {
        Some(g) if !spanning_y.contains(&g.y) => side_of(&l.text, &g),
        _ => Side::Span,
    };
    // Lines without geometry (none on a PDF page) keep their place first.
    lines.sort_by(|a, b| match (a.geometry, b.geometry) {
        (Some(ga), Some(gb)) => ga.y.total_cmp(&gb.y).then(ga.x0.total_cmp(&gb.x0)),
        (None, Some(_)) => std::cmp::Ordering::Less,
        (Some(_), None) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    });
    // Bands: the column lines between two full-width ones, left column first.
    let mut out: Vec<Line> = Vec::with_capacity(lines.len());
    let (mut left, mut right, mut spanning): (Vec<Line>, Vec<Line>, Vec<Line>) = (Vec::new(), Vec::new(), Vec::new());
    for l in lines {
        match side(&l) {
            Side::Span => {
                out.extend(join_baselines(std::mem::take(&mut left), ys));
                out.extend(join_baselines(std::mem::take(&mut right), ys));
                spanning.push(l);
            }
            s => {
                out.extend(join_baselines(std::mem::take(&mut spanning), ys));
                if s == Side::Left {
                    left.push(l)
                } else {
                    right.push(l)
                }
            }
        }
    }
    out.extend(join_baselines(spanning, ys));
    out.extend(join_baselines(left, ys));
    out.extend(join_baselines(right, ys));
    // The columns' edges, from their lines (10th and 90th percentiles).
    let edges = |pick: Side| -> Option<Column> {
        let gs: Vec<Geometry> = out.iter().filter(|l| side(l) == pick).filter_map(|l| l.geometry).collect();
        if gs.is_empty() {
            return None;
        }
        let mut x0: Vec<f32> = gs.iter().map(|g| g.x0).collect();
        let mut x1: Vec<f32> = gs.iter().map(|g| g.x1).collect();
        x0.sort_by(|a, b| a.total_cmp(b));
        x1.sort_by(|a, b| a.total_cmp(b));
        Some(Column { left: x0[x0.len() / 10], right: x1[(x1.len() * 9) / 10] })
    };
    page.columns = [edges(Side::Left), edges(Side::Right)].into_iter().flatten().collect();
    page.lines = out;
    page
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::Extractor;

    fn seg(text: &str, x0: f32, x1: f32, y: f32) -> Line {
        Line { text: text.into(), geometry: Some(Geometry { x0, x1, y, size: 10.0 }) }
    }

    fn page(lines: Vec<Line>) -> Page {
        Page { number: 1, width: 480.0, height: 740.0, lines, extractor: Extractor::PdfExtract, columns: vec![] }
    }

    #[test]
    fn two_columns_read_left_then_right_between_full_width_lines() {
        let mut lines = vec![seg("某某公报 2021·5", 260.0, 460.0, 18.0), seg("某某法", 200.0, 280.0, 60.0)];
        for i in 0..8 {
            let y = 100.0 + 20.0 * i as f32;
            lines.push(seg(&format!("右{i}"), 250.0, 470.0, y));
            lines.push(seg(&format!("左{i}"), 10.0, 230.0, y));
        }
        lines.push(seg("第二部法", 190.0, 290.0, 300.0));
        for i in 0..6 {
            let y = 340.0 + 20.0 * i as f32;
            lines.push(seg(&format!("L{i}"), 10.0, 230.0, y));
            lines.push(seg(&format!("R{i}"), 250.0, 470.0, y));
        }
        let p = reading_order(page(lines));
        let texts: Vec<&str> = p.lines.iter().map(|l| l.text.as_str()).collect();
        let mut want = vec!["某某公报 2021·5", "某某法"];
        let l: Vec<String> = (0..8).map(|i| format!("左{i}")).chain((0..8).map(|i| format!("右{i}"))).collect();
        want.extend(l.iter().map(String::as_str));
        want.push("第二部法");
        let l2: Vec<String> = (0..6).map(|i| format!("L{i}")).chain((0..6).map(|i| format!("R{i}"))).collect();
        want.extend(l2.iter().map(String::as_str));
        assert_eq!(texts, want);
        assert_eq!(p.columns.len(), 2);
    }

    #[test]
    fn one_column_pages_keep_their_lines() {
        let mut lines = Vec::new();
        for i in 0..20 {
            let y = 100.0 + 20.0 * i as f32;
            // A label and its text, cut at the wide gap after the label.
            lines.push(seg(&format!("第{i}条"), 60.0, 90.0, y));
            lines.push(seg("正文正文正文正文正文", 110.0, 420.0, y));
        }
        let p = reading_order(page(lines));
        assert_eq!(p.lines.len(), 20);
        assert_eq!(p.lines[3].text, "第3条 正文正文正文正文正文");
        assert!(p.columns.is_empty());
    }

    #[test]
    fn a_table_is_no_pair_of_columns() {
        let mut lines = Vec::new();
        for i in 0..15 {
            let y = 100.0 + 20.0 * i as f32;
            lines.push(seg("项目", 40.0, 70.0, y));
            lines.push(seg("12.5", 300.0, 330.0, y));
        }
        assert!(find_gutter(&page(lines)).is_none());
    }
}
