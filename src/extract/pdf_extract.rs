//! pdf-extract's side of extraction (it runs inside the worker process):
//! one page's positioned glyphs, and the line segments built from them.

use super::worker::WorkerPage;
use super::{Geometry, Line};
use pdf_extract::{MediaBox, OutputDev, OutputError, Transform};

/// Collects positioned glyphs of one page from pdf-extract.
struct Collector {
    height: f64,
    glyphs: Vec<Glyph>,
}

impl OutputDev for Collector {
    fn begin_page(&mut self, _n: u32, media_box: &MediaBox, _art: Option<(f64, f64, f64, f64)>) -> Result<(), OutputError> {
        self.height = media_box.ury - media_box.lly;
        Ok(())
    }
    fn end_page(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
    fn output_character(&mut self, trm: &Transform, width: f64, _spacing: f64, font_size: f64, ch: &str) -> Result<(), OutputError> {
        let scale = (trm.m11 * trm.m22 - trm.m12 * trm.m21).abs().sqrt();
        let size = if font_size.is_finite() { font_size * scale } else { scale };
        let size = if size.is_finite() && size > 0.0 { size } else { 10.0 };
        self.glyphs.push(Glyph {
            x: trm.m31 as f32,
            y: (self.height - trm.m32) as f32,
            w: (width * size) as f32,
            size: size as f32,
            s: ch.to_string(),
        });
        Ok(())
    }
    fn begin_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
    fn end_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
    fn end_line(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
}

/// Extract one page with pdf-extract (runs inside the worker).
pub(crate) fn pdf_extract_page(doc: &pdf_extract::Document, n: u32) -> std::result::Result<WorkerPage, String> {
    let mut c = Collector { height: 0.0, glyphs: Vec::new() };
    pdf_extract::output_doc_page(doc, &mut c, n).map_err(|e| format!("pdf-extract: {e:?}"))?;
    let width = page_width(doc, n).unwrap_or(0.0);
    let height = c.height as f32;
    Ok(WorkerPage { number: n, width, height, lines: glyphs_to_lines(c.glyphs), error: None, type3: has_type3_fonts(doc, n), scan: false })
}

fn page_width(doc: &pdf_extract::Document, n: u32) -> Option<f32> {
    let id = *doc.get_pages().get(&n)?;
    let dict = doc.get_dictionary(id).ok()?;
    let mb = dict.get(b"MediaBox").ok()?.as_array().ok()?;
    let f = |o: &pdf_extract::Object| o.as_float().ok().or_else(|| o.as_i64().ok().map(|i| i as f32));
    Some(f(mb.get(2)?)? - f(mb.get(0)?)?)
}

/// Is page `n` a scan: one image drawn over the page (an image XObject of
/// at least 800 pixels whose shape is the page's)? Its text, if any, is an
/// OCR layer laid under the image by the scanner's software.
pub(crate) fn is_scan(doc: &pdf_extract::Document, n: u32) -> bool {
    let Some(id) = doc.get_pages().get(&n).copied() else { return false };
    let Some((w, h)) = page_size(doc, id) else { return false };
    let Ok((resources, ids)) = doc.get_page_resources(id) else { return false };
    let mut dicts: Vec<&pdf_extract::Dictionary> = resources.into_iter().collect();
    dicts.extend(ids.iter().filter_map(|r| doc.get_dictionary(*r).ok()));
    dicts.iter().filter_map(|r| r.get(b"XObject").ok()).filter_map(|x| doc.dereference(x).ok().and_then(|(_, o)| o.as_dict().ok())).any(
        |xobjects| {
            xobjects.iter().any(|(_, o)| {
                let Some(stream) = doc.dereference(o).ok().and_then(|(_, o)| o.as_stream().ok()) else { return false };
                let d = &stream.dict;
                let is_image = d.get(b"Subtype").ok().and_then(|s| s.as_name().ok()) == Some(b"Image");
                let px = |k: &[u8]| d.get(k).ok().and_then(|v| v.as_i64().ok()).unwrap_or(0) as f32;
                let (iw, ih) = (px(b"Width"), px(b"Height"));
                is_image && iw.max(ih) >= 800.0 && ih > 0.0 && ((iw / ih) - (w / h)).abs() <= 0.1 * (w / h)
            })
        },
    )
}

fn page_size(doc: &pdf_extract::Document, id: pdf_extract::ObjectId) -> Option<(f32, f32)> {
    let mb = doc.get_dictionary(id).ok()?.get(b"MediaBox").ok()?.as_array().ok()?;
    let f = |o: &pdf_extract::Object| o.as_float().ok().or_else(|| o.as_i64().ok().map(|i| i as f32));
    let (w, h) = (f(mb.get(2)?)? - f(mb.get(0)?)?, f(mb.get(3)?)? - f(mb.get(1)?)?);
    (w > 0.0 && h > 0.0).then_some((w, h))
}

/// Does page `n` set text in Type3 fonts? (A browser's print does, and
/// pdf-extract places their glyphs from its own width estimates, which can
/// put a digit after the bracket that follows it: pdftotext reads them.)
fn has_type3_fonts(doc: &pdf_extract::Document, n: u32) -> bool {
    let Some(id) = doc.get_pages().get(&n).copied() else { return false };
    doc.get_page_fonts(id)
        .is_ok_and(|fonts| fonts.values().any(|f| f.get(b"Subtype").ok().and_then(|s| s.as_name().ok()) == Some(b"Type3")))
}

/// Build line segments from positioned glyphs: glyphs on one baseline form
/// a line, cut where a gap is wider than an em (a column gutter, or the
/// space after a label: the layout stage decides, and joins the segments of
/// one column again). Segments of one baseline share its `y`.
///
/// A gap becomes a space when it is wider than a third of the glyph size —
/// or, on a letter-spaced line (justified Chinese text with few characters,
/// every gap widened alike: `国务院交 通 运 输`), wider than the line's
/// usual gap by half a glyph.
pub(crate) fn glyphs_to_lines(mut glyphs: Vec<Glyph>) -> Vec<Line> {
    // Reading order: top to bottom, then left to right; keep stream order for
    // glyphs of one line.
    let mut lines: Vec<(Geometry, Vec<Glyph>)> = Vec::new();
    for g in glyphs.drain(..) {
        let blank = g.s.trim().is_empty();
        let tol = (g.size * 0.45).max(1.0);
        match lines.iter_mut().rev().take(4).find(|(geo, _)| (geo.y - g.y).abs() <= tol) {
            Some((geo, v)) => {
                if !blank {
                    geo.x0 = geo.x0.min(g.x);
                    geo.x1 = geo.x1.max(g.x + g.w);
                    geo.size = geo.size.max(g.size);
                }
                v.push(g);
            }
            None if blank => {}
            None => {
                let geo = Geometry { x0: g.x, x1: g.x + g.w, y: g.y, size: g.size };
                lines.push((geo, vec![g]));
            }
        }
    }
    lines.sort_by(|a, b| a.0.y.total_cmp(&b.0.y).then(a.0.x0.total_cmp(&b.0.x0)));
    lines.into_iter().flat_map(|(geo, v)| segments(geo, v)).collect()
}

/// One baseline's glyphs as segments (see [`glyphs_to_lines`]).
fn segments(geo: Geometry, mut v: Vec<Glyph>) -> Vec<Line> {
    v.sort_by(|a, b| a.x.total_cmp(&b.x));
    let size = geo.size.max(1.0);
    let inked: Vec<&Glyph> = v.iter().filter(|g| !g.s.trim().is_empty()).collect();
    // The line's usual gap between inked glyphs (segment cuts aside).
    let mut gaps: Vec<f32> = inked.windows(2).map(|w| w[1].x - (w[0].x + w[0].w)).filter(|gap| (0.0..=size).contains(gap)).collect();
    gaps.sort_by(|a, b| a.total_cmp(b));
    let usual = gaps.get(gaps.len() / 2).copied().unwrap_or(0.0);
    let space_gap = if usual > 0.12 * size { usual + 0.5 * size } else { 0.33 * size };
    let mut out: Vec<Line> = Vec::new();
    let mut text = String::new();
    let mut seg: Option<Geometry> = None;
    let mut end: Option<f32> = None;
    for g in &v {
        if g.s.trim().is_empty() {
            if !text.is_empty() && !text.ends_with(' ') {
                text.push(' ');
            }
            continue;
        }
        if let (Some(e), Some(s)) = (end, seg.as_mut()) {
            let gap = g.x - e;
            if gap > size {
                // A cut: close this segment, start the next.
                out.push(Line { text: std::mem::take(&mut text).trim_end().to_string(), geometry: Some(*s) });
                seg = None;
            } else if gap > space_gap && !text.ends_with(' ') {
                text.push(' ');
            }
        }
        let s = seg.get_or_insert(Geometry { x0: g.x, x1: g.x + g.w, y: geo.y, size: g.size });
        s.x1 = s.x1.max(g.x + g.w);
        s.size = s.size.max(g.size);
        text.push_str(&g.s);
        end = Some(g.x + g.w);
    }
    if let Some(s) = seg {
        out.push(Line { text: text.trim_end().to_string(), geometry: Some(s) });
    }
    out
}

/// A glyph as pdf-extract reports it, in page coordinates (y downwards).
#[derive(Debug, Clone)]
pub(crate) struct Glyph {
    pub x: f32,
    pub y: f32,
    pub w: f32,
    pub size: f32,
    pub s: String,
}
