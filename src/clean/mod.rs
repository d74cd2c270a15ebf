//! **clean**: pages of lines in, one issue text out, with a map from text
//! offsets back to page numbers.
//!
//! 1. Running headers and footers go: lines near the top or bottom of a page
//!    whose text (digits folded) recurs at the same place on many pages, and
//!    page-number lines (`— 12 —`, `- 12 -`, `第12页`). The printed page
//!    number is kept for citation.
//! 2. Lines that layout broke inside a paragraph are re-joined: a line that
//!    runs to the right margin continues on the next line unless that line is
//!    indented (a new paragraph) or starts a heading (第X条, 一、, （一）…).
//!    Without geometry (text input), a hard-wrapped text is recognised by its
//!    line widths.
//! 3. Spaces that some producers put between Han characters and digits
//!    (`2024 年 8 月 20 日`) are removed.
//!
//! Pages read by OCR vary from page to page (the sheet was shifted, a 期 was
//! read as 其, `— 26 —` as `人`), so recurrence cannot find their running
//! lines. On them, the short lines in the header and footer zones (the top 7 %
//! and bottom 8 % of the page, outside GB/T 9704's 版心) are dropped, a number
//! read in the footer zone is the printed page number, and pages where none
//! was read get the offset between printed and physical numbers that the
//! other pages of the file agree on.

pub mod webpage;

use crate::extract::{is_han, Extraction, Extractor, Geometry, Page};
use crate::text::display_width;
use regex::Regex;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::LazyLock;

/// Where a page's text begins in the clean text.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
pub struct PageStart {
    pub offset: usize,
    /// Physical page, 1-based.
    pub physical: u32,
    /// The number printed on the page (its footer or header), if any.
    pub printed: Option<u32>,
}

/// The cleaned text of an issue.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CleanText {
    pub text: String,
    pub page_starts: Vec<PageStart>,
    /// Running header/footer lines that were removed (once each).
    pub running_lines: Vec<String>,
    /// A printed web page's metadata table, when the file is one.
    #[serde(default)]
    pub web: Option<webpage::WebMetadata>,
}

impl CleanText {
    /// The page holding byte `offset`: its printed number where the page
    /// carries one, else its physical number.
    pub fn page_at(&self, offset: usize) -> u32 {
        let i = self.page_starts.partition_point(|p| p.offset <= offset);
        match i {
            0 => self.page_starts.first().map(|p| p.printed.unwrap_or(p.physical)).unwrap_or(1),
            _ => {
                let p = self.page_starts[i - 1];
                p.printed.unwrap_or(p.physical)
            }
        }
    }

    /// The physical page holding byte `offset`.
    pub fn physical_page_at(&self, offset: usize) -> u32 {
        let i = self.page_starts.partition_point(|p| p.offset <= offset);
        if i == 0 {
            1
        } else {
            self.page_starts[i - 1].physical
        }
    }
}

/// A page-number line: `— 12 —`, `-12-`, `－ 12 －`, `· 12 ·`, `12`, `第12页`, `第 12 页 共 60 页`.
static PAGE_NUMBER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(?:[—－\-–·•\s]*(\d{1,4})[—－\-–·•\s]*|第\s*(\d{1,4})\s*页(?:\s*[，,]?\s*共\s*\d+\s*页)?)$").unwrap());

/// The start of a heading or list item, which never continues the line before:
/// `第三章`, `第十五条`, `一、`, `（一）`, `(二)`, `1.`, `2、`, `（3）`, `附件`, `抄送：`.
static BLOCK_START: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:第[一二三四五六七八九十百零〇\d]+[编章节条]|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)]|\d{1,2}[.．、](?:\D|$)|[（(]\d{1,2}[）)]|附件|抄送|主送)").unwrap()
});

/// The tail of a 文号 broken after its year: `57号）和…`.
static DOCNUM_TAIL: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^\d{1,5}\s*号").unwrap());

/// Whitespace between a Han character (or full-width punctuation) and a
/// digit: `2024 年 8 月 20 日`.
static CJK_SPACE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"[ \t\u{3000}\u{a0}]+").unwrap());

/// Does this line start a heading or list item (第X条, 一、, （一）, 1.)?
pub fn starts_block(line: &str) -> bool {
    BLOCK_START.is_match(line)
}

fn is_cjk(c: char) -> bool {
    is_han(c) || crate::extract::is_cjk_punct(c)
}

/// Remove the spaces between CJK characters and digits. Spaces between Han
/// characters stay: they can separate an article's inline heading from its
/// text (`第五条 竞买规则 农村…`).
pub fn tighten(line: &str) -> String {
    let line = line.trim();
    if !line.contains([' ', '\t', '\u{3000}', '\u{a0}']) {
        return line.to_string();
    }
    let mut out = String::with_capacity(line.len());
    let mut last = 0;
    for m in CJK_SPACE.find_iter(line) {
        out.push_str(&line[last..m.start()]);
        let before = line[..m.start()].chars().next_back();
        let after = line[m.end()..].chars().next();
        let keep = match (before, after) {
            (Some(b), Some(a)) => {
                let cjk_b = is_cjk(b);
                let cjk_a = is_cjk(a);
                !((cjk_b && a.is_ascii_digit()) || (cjk_a && b.is_ascii_digit()))
            }
            _ => false,
        };
        if keep {
            out.push(' ');
        }
        last = m.end();
    }
    out.push_str(&line[last..]);
    out
}

fn running_key(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).map(|c| if c.is_ascii_digit() { '#' } else { c }).collect()
}

/// Position of a line on its page for header detection: its y (bucketed)
/// with geometry, else its index from the top or bottom.
fn position_key(page: &Page, i: usize) -> i64 {
    match page.lines[i].geometry {
        Some(g) => (g.y / 6.0).round() as i64,
        None => {
            let n = page.lines.len();
            if i < 3 {
                i as i64 - 1000
            } else {
                1000 + (n - i) as i64
            }
        }
    }
}

const EDGE: usize = 3;

/// Header zone of an OCR'd page: above this fraction of its height.
const OCR_HEADER_ZONE: f32 = 0.07;
/// Footer zone of an OCR'd page: below this fraction of its height.
const OCR_FOOTER_ZONE: f32 = 0.92;
/// Running lines are short: a header or footer line longer than this is body text.
const OCR_RUNNING_MAX_CHARS: usize = 24;

/// The digits of an OCR'd page-number line: `二26二`, `—30—`, `= 30`, `一 33 一`.
static OCR_PAGE_DIGITS: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^\D{0,4}?(\d{1,4})\D{0,4}$").unwrap());

/// Is line `i` of an OCR'd page in its header or footer zone, and short
/// enough to be a running line or page number? With the page number read, if any.
fn ocr_edge_line(page: &Page, i: usize) -> Option<Option<u32>> {
    let l = &page.lines[i];
    let g = l.geometry?;
    if page.extractor != Extractor::Tesseract || page.height <= 0.0 {
        return None;
    }
    let chars = l.text.chars().filter(|c| !c.is_whitespace()).count();
    if chars > OCR_RUNNING_MAX_CHARS {
        return None;
    }
    let rel = g.y / page.height;
    if rel < OCR_HEADER_ZONE {
        return Some(None);
    }
    if rel > OCR_FOOTER_ZONE {
        let compact: String = l.text.chars().filter(|c| !c.is_whitespace()).collect();
        let number = OCR_PAGE_DIGITS.captures(&compact).and_then(|c| c[1].parse().ok()).filter(|n| *n > 0);
        return Some(number);
    }
    None
}

/// Give OCR'd pages whose number could not be read (or was misread) the
/// offset between printed and physical numbers that most numbered pages agree on.
fn infer_ocr_page_numbers(pages: &[Page], printed: &mut [Option<u32>]) {
    let mut votes: HashMap<i64, usize> = HashMap::new();
    for (p, n) in pages.iter().zip(printed.iter()) {
        if let Some(n) = n {
            *votes.entry(*n as i64 - p.number as i64).or_default() += 1;
        }
    }
    let Some((&offset, &count)) = votes.iter().max_by_key(|(off, c)| (**c, -(off.abs()))) else { return };
    if count < 2 {
        return;
    }
    for (p, n) in pages.iter().zip(printed.iter_mut()) {
        if p.extractor != Extractor::Tesseract {
            continue;
        }
        let want = p.number as i64 + offset;
        if want >= 1 && n.is_none_or(|v| v as i64 != want) {
            *n = Some(want as u32);
        }
    }
}

/// A download site's stamp on every page of a standard or a web copy:
/// `Download From: www.bzfxw.com 标准下载网`, `http://…`, `仅供…使用`.
static WATERMARK: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)download|https?://|www\.|\.com|\.cn\b|下载|仅供[^，。]{0,12}使用|内部资料").unwrap());

/// The edge zone of a page: its top and bottom 8 %.
const EDGE_ZONE: f32 = 0.08;

/// Page furniture on a run too short for repetition to tell (one or two
/// pages): a line in the page's edge zone that both pages print at the same
/// place, or that reads as a download site's stamp.
fn short_run_furniture(p: &Page, i: usize, repeats: usize, text_pages: usize) -> bool {
    if text_pages >= 3 {
        return false;
    }
    let Some(g) = p.lines[i].geometry.filter(|_| p.height > 0.0) else { return false };
    let rel = g.y / p.height;
    let in_zone = rel < EDGE_ZONE || rel > 1.0 - EDGE_ZONE;
    in_zone && ((text_pages == 2 && repeats >= 2) || WATERMARK.is_match(&p.lines[i].text))
}

fn edge_indices(n: usize) -> impl Iterator<Item = usize> {
    let top = 0..n.min(EDGE);
    let bottom = n.saturating_sub(EDGE).max(n.min(EDGE))..n;
    top.chain(bottom)
}

/// Clean an extraction into an issue text.
pub fn clean(ex: &Extraction) -> CleanText {
    let mut pages: Vec<Page> = ex
        .pages
        .iter()
        .map(|p| Page { lines: p.lines.iter().filter(|l| !l.text.trim().is_empty()).cloned().collect(), ..p.clone() })
        .collect();
    // 0. A printed web page: its chrome goes, its metadata table is kept.
    let web = {
        let all: Vec<&str> = pages.iter().flat_map(|p| p.lines.iter().map(|l| l.text.as_str())).collect();
        webpage::find(&all, |l| crate::gongwen::title_doc_type(l).is_some() && crate::gongwen::title_line_ok(l))
    };
    if let Some(w) = &web {
        let mut k = 0;
        for p in pages.iter_mut() {
            for l in p.lines.iter_mut() {
                if let Some((_, title)) = w.title_line.as_ref().filter(|(i, _)| *i == k) {
                    l.text = title.clone();
                }
                k += 1;
            }
        }
        let mut k = 0;
        for p in pages.iter_mut() {
            p.lines.retain(|_| {
                k += 1;
                !w.chrome[k - 1]
            });
        }
    }
    // 1. Running lines.
    let mut counts: HashMap<(String, i64), usize> = HashMap::new();
    for p in &pages {
        let mut seen = std::collections::HashSet::new();
        for i in edge_indices(p.lines.len()) {
            let k = (running_key(&p.lines[i].text), position_key(p, i));
            if seen.insert(k.clone()) {
                *counts.entry(k).or_default() += 1;
            }
        }
    }
    let text_pages = pages.iter().filter(|p| !p.lines.is_empty()).count();
    // A running line is on at least half of the pages: a document's
    // heading that happens to open several pages is not.
    let threshold = 3.max(text_pages.div_ceil(2));
    let mut running_lines: Vec<String> = Vec::new();
    let mut body: Vec<(String, Option<Geometry>, usize)> = Vec::new();
    let mut page_printed: Vec<Option<u32>> = vec![None; pages.len()];
    // The cover carries the gazette's name where later pages carry it as a
    // running header; it has no page number.
    let is_cover = pages.first().is_some_and(|p| {
        let n = p.lines.len();
        !edge_indices(n).any(|i| (i < 2 || i + 2 >= n) && PAGE_NUMBER.is_match(p.lines[i].text.trim()))
    });
    for (pi, p) in pages.iter().enumerate() {
        let n = p.lines.len();
        let mut drop = vec![false; n];
        for i in edge_indices(n) {
            let t = p.lines[i].text.trim();
            let key = (running_key(t), position_key(p, i));
            let near_edge = i < 2 || i + 2 >= n;
            if let Some(number) = ocr_edge_line(p, i) {
                page_printed[pi] = page_printed[pi].or(number);
                drop[i] = true;
            } else if let Some(c) = PAGE_NUMBER.captures(t).filter(|_| near_edge) {
                let num = c.get(1).or(c.get(2)).and_then(|m| m.as_str().parse().ok());
                page_printed[pi] = page_printed[pi].or(num);
                drop[i] = true;
            } else if (counts.get(&key).copied().unwrap_or(0) >= threshold && text_pages >= 3 && !(pi == 0 && is_cover))
                || short_run_furniture(p, i, counts.get(&key).copied().unwrap_or(0), text_pages)
            {
                drop[i] = true;
                if !running_lines.iter().any(|r| running_key(r) == key.0) {
                    running_lines.push(t.to_string());
                }
            }
        }
        for (i, l) in p.lines.iter().enumerate() {
            if !drop[i] {
                body.push((tighten(&l.text), l.geometry, pi));
            }
        }
    }

    infer_ocr_page_numbers(&pages, &mut page_printed);

    // 2. Re-join lines broken by layout.
    let layout = Layout::measure(&body, &pages);
    let mut text = String::new();
    let mut page_starts: Vec<PageStart> = Vec::new();
    let mut last_page: Option<usize> = None;
    for (k, (line, _, pi)) in body.iter().enumerate() {
        if k > 0 {
            let (prev, pg, ppi) = &body[k - 1];
            let join = layout.continues(prev, *pg, *ppi, line, body[k].1, *pi, &pages);
            if !join {
                text.push('\n');
            } else if prev.ends_with(|c: char| c.is_ascii_alphabetic()) && line.starts_with(|c: char| c.is_ascii_alphabetic()) {
                text.push(' ');
            }
        }
        if last_page != Some(*pi) {
            // Pages with no body lines get a start too, so the map stays total.
            let from = last_page.map(|l| l + 1).unwrap_or(0);
            for q in from..=*pi {
                page_starts.push(PageStart { offset: text.len(), physical: pages[q].number, printed: page_printed[q] });
            }
            last_page = Some(*pi);
        }
        text.push_str(line);
    }
    text.push('\n');
    CleanText { text, page_starts, running_lines, web: web.map(|w| w.metadata) }
}

/// The measured layout of an issue: margins with geometry, wrap width without.
struct Layout {
    /// Per page: (left margin, right edge) in points.
    margins: Vec<Option<(f32, f32)>>,
    /// For text input: the width in columns at which lines were wrapped.
    wrap_columns: Option<usize>,
}

fn percentile(v: &mut [f32], q: f32) -> Option<f32> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    let i = ((v.len() - 1) as f32 * q).round() as usize;
    Some(v[i])
}

impl Layout {
    fn measure(body: &[(String, Option<Geometry>, usize)], pages: &[Page]) -> Layout {
        // Margins are measured over all pages of the same width, so a page
        // with few lines still gets the issue's margins.
        let mut by_width: HashMap<i64, (Vec<f32>, Vec<f32>)> = HashMap::new();
        for (t, g, pi) in body {
            if let Some(g) = g {
                if display_width(t) >= 20 {
                    let e = by_width.entry(pages[*pi].width.round() as i64).or_default();
                    e.0.push(g.x0);
                    e.1.push(g.x1);
                }
            }
        }
        let mut table: HashMap<i64, (f32, f32)> = HashMap::new();
        for (w, (mut xs0, mut xs1)) in by_width {
            if let (Some(l), Some(r)) = (percentile(&mut xs0, 0.1), percentile(&mut xs1, 0.9)) {
                table.insert(w, (l, r));
            }
        }
        let margins = pages.iter().map(|p| table.get(&(p.width.round() as i64)).copied()).collect();
        let mut widths: Vec<f32> =
            body.iter().filter(|(_, g, _)| g.is_none()).map(|(t, _, _)| display_width(t) as f32).filter(|w| *w >= 10.0).collect();
        let n = widths.len();
        let wrap_columns = percentile(&mut widths, 0.9).and_then(|p90| {
            // A hard-wrapped text has many lines close to its wrap width.
            let close = widths.iter().filter(|w| **w >= p90 - 4.0 && **w <= p90 + 2.0).count();
            (p90 <= 120.0 && n >= 10 && close * 4 >= n).then_some(p90 as usize)
        });
        Layout { margins, wrap_columns }
    }

    /// Does line `b` continue line `a` (same paragraph, broken by layout)?
    #[allow(clippy::too_many_arguments)]
    fn continues(&self, a: &str, ga: Option<Geometry>, pa: usize, b: &str, gb: Option<Geometry>, pb: usize, pages: &[Page]) -> bool {
        // Chinese line-breaking rules (禁则): no line ends with an opening
        // bracket and none starts with a closing one or the rest of a 文号
        // (`…（晋财综〔2023〕` / `57号）和…`), whatever the layout says.
        if a.ends_with(['（', '(', '〔', '［', '[', '【', '《', '“', '‘'])
            || b.starts_with(['）', ')', '〕', '］', ']', '】', '》', '”', '’', '，', '。', '、', '；', '：', '！', '？'])
            || (a.ends_with(['〕', ']', '］', '】']) && DOCNUM_TAIL.is_match(b))
        {
            return true;
        }
        // A 目录 entry ends with its page number: `……（27）`.
        if BLOCK_START.is_match(b) || a.contains("……") || a.contains("....") {
            return false;
        }
        // On a page set in columns, a line runs to its column's edge.
        let right_of = |g: &Geometry, p: usize| pages[p].column_of(g).map(|c| c.right).or(self.margins[p].map(|m| m.1));
        let left_of = |g: &Geometry, p: usize| pages[p].column_of(g).map(|c| c.left).or(self.margins[p].map(|m| m.0));
        match (ga, gb, ga.as_ref().and_then(|g| right_of(g, pa)), gb.as_ref().and_then(|g| left_of(g, pb))) {
            (Some(ga), Some(gb), Some(right), Some(left)) => {
                let full = ga.x1 >= right - 1.5 * ga.size;
                let flush_left = gb.x0 <= left + 0.6 * gb.size;
                let same_size = (ga.size - gb.size).abs() <= 0.2 * ga.size.max(gb.size);
                full && flush_left && same_size
            }
            (None, None, _, _) => match self.wrap_columns {
                Some(w) => {
                    let terminal = a.ends_with(['。', '：', '；', '！', '？', ':', ';']);
                    display_width(a) + 4 >= w && !terminal
                }
                None => false,
            },
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::text_pages;

    #[test]
    fn spaces_between_han_and_digits_go() {
        assert_eq!(tighten("2024 年 8 月 20 日"), "2024年8月20日");
        assert_eq!(tighten("第五条 竞买规则"), "第五条 竞买规则");
        assert_eq!(tighten("GB 35181-2017 标准"), "GB 35181-2017标准");
        assert_eq!(tighten("Hello world"), "Hello world");
    }

    #[test]
    fn headers_and_page_numbers_go_by_repetition() {
        let mut pages = Vec::new();
        let body = [
            "春眠不觉晓，处处闻啼鸟。",
            "夜来风雨声，花落知多少。",
            "床前明月光，疑是地上霜。",
            "举头望明月，低头思故乡。",
            "白日依山尽，黄河入海流。",
            "欲穷千里目，更上一层楼。",
        ];
        for n in 1..=6 {
            pages.push(format!("某市人民政府公报\n2024年第2期\n{}第{n}页\n{}\n— {n} —", body[n - 1], body[6 - n]));
        }
        let ex = text_pages(&pages.join("\u{c}"));
        let c = clean(&ex);
        assert!(!c.text.contains("公报"), "{}", c.text);
        assert!(!c.text.contains('—'));
        assert!(c.text.contains("床前明月光，疑是地上霜。第3页"), "{}", c.text);
        let off = c.text.find("举头望明月，低头思故乡。第4页").unwrap();
        assert_eq!(c.page_at(off), 4);
        assert_eq!(c.physical_page_at(off), 4);
    }

    #[test]
    fn hard_wrapped_text_is_rejoined() {
        let mut s = String::new();
        for i in 0..12 {
            s.push_str(&format!("这是第{i}段，它的文字很长很长，被排版程序在这里折断了，然后继续写到下一行\n去，直到句号为止。\n"));
        }
        s.push_str("第一条　一个条文的开头也必须保留在行首，不能接到上一行的后面去哦哦哦哦哦\n");
        let c = clean(&text_pages(&s));
        assert!(c.text.contains("下一行去，"), "{}", c.text);
        assert!(c.text.contains("\n第一条"));
    }
}
