//! Image preparation before recognition: a rendered page ([`Raster`], at its
//! native resolution, in colour where it has colour) in, the greyscale page
//! the recogniser reads ([`Prepared`]) out, with what each step found.
//!
//! The steps, each switchable (`GONGBAO_OCR_PREPARE`, for measuring them one
//! by one; see [`Steps`]):
//! - **red** ([`drop_red`]): red seals (印章: a red ring with text and a
//!   star, over the signature and date) and red rules go from the text
//!   layer, the black text under them stays; other red ink — a red header's
//!   characters (红头), which carry the issuer — is kept, as black;
//! - **despeckle** ([`median3`]): a 3×3 median takes out salt-and-pepper
//!   specks of a pixel or two (photocopies, dust) and keeps strokes;
//! - **deskew** ([`measure_skew`], [`rotate`]): the angle at which the rows
//!   of dark pixels line up best (projection profiles, ±3°), and the page
//!   turned back by it;
//! - **binarise** ([`sauvola`]): a threshold per pixel from the mean and
//!   spread of its neighbourhood, which holds on a photocopy's uneven grey.
//!
//! The few image operations are written here (imageproc, which has some of
//! them, brings nalgebra and rand with it).

use super::image::{luma, Gray, Raster, Rgb};

/// Which preparation steps run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Steps {
    pub red: bool,
    pub despeckle: bool,
    pub deskew: bool,
    pub binarise: bool,
}

impl Steps {
    pub const NONE: Steps = Steps { red: false, despeckle: false, deskew: false, binarise: false };
    pub const ALL: Steps = Steps { red: true, despeckle: true, deskew: true, binarise: true };

    /// `none`, `all`, or a comma-separated list of `red`, `despeckle`,
    /// `deskew`, `binarise`.
    pub fn parse(s: &str) -> Result<Steps, String> {
        let mut st = Steps::NONE;
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            match part {
                "none" => {}
                "all" => st = Steps::ALL,
                "red" => st.red = true,
                "despeckle" => st.despeckle = true,
                "deskew" => st.deskew = true,
                "binarise" | "binarize" => st.binarise = true,
                _ => return Err(format!("unknown preparation step {part:?} (red, despeckle, deskew, binarise, all, none)")),
            }
        }
        Ok(st)
    }

    /// `red,despeckle,deskew` (or `none`).
    pub fn describe(&self) -> String {
        let mut v = Vec::new();
        for (on, name) in [(self.red, "red"), (self.despeckle, "despeckle"), (self.deskew, "deskew"), (self.binarise, "binarise")] {
            if on {
                v.push(name);
            }
        }
        if v.is_empty() {
            "none".into()
        } else {
            v.join(",")
        }
    }
}

/// A page ready for recognition.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub image: Gray,
    /// The skew measured (degrees, positive: lines fall to the right), and
    /// taken out when the deskew step ran.
    pub skew: f32,
    /// Red seals found (and dropped).
    pub seals: usize,
}

/// Run the steps on a rendered page at `dpi`.
pub fn prepare(page: Raster, dpi: f32, steps: Steps) -> Prepared {
    let (mut g, seals) = match page {
        Raster::Gray(g) => (g, 0),
        Raster::Rgb(c) if steps.red => drop_red(&c, dpi),
        Raster::Rgb(c) => (c.luma(), 0),
    };
    if steps.despeckle {
        g = median3(&g);
    }
    let mut skew = 0.0;
    if steps.deskew {
        skew = measure_skew(&g);
        if skew.abs() >= 0.05 {
            g = rotate(&g, skew);
        }
    }
    if steps.binarise {
        g = sauvola(&g, (dpi / 10.0).round() as usize | 1, 0.2);
    }
    Prepared { image: g, skew, seals }
}

/// Red ink: how much the red channel stands above the other two.
#[inline]
fn redness(p: &[u8]) -> i32 {
    p[0] as i32 - p[1].max(p[2]) as i32
}

/// A red region the text layer does without.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Region {
    x0: usize,
    y0: usize,
    x1: usize,
    y1: usize,
}

/// The red seals (a ring 20–70 mm across, about as tall as wide, mostly
/// hollow) and red rules (long, under 3 mm thick) of a colour page, in
/// pixels, and how many of them are seals.
fn red_regions(c: &Rgb, dpi: f32) -> (Vec<Region>, usize) {
    // A grid of cells ~0.5 mm wide: a cell is red when two of its pixels are.
    let cell = ((dpi / 50.0).round() as usize).max(2);
    let (gw, gh) = (c.width.div_ceil(cell), c.height.div_ceil(cell));
    let mut count = vec![0u8; gw * gh];
    for y in 0..c.height {
        let row = &c.px[y * c.width * 3..(y + 1) * c.width * 3];
        for (x, p) in row.chunks_exact(3).enumerate() {
            if redness(p) > 50 && p[0] > 100 {
                let i = (y / cell) * gw + x / cell;
                count[i] = count[i].saturating_add(1);
            }
        }
    }
    let red: Vec<bool> = count.iter().map(|&n| n >= 2).collect();
    // Uneven stamp ink, and the black text over it, break a ring: bridge
    // gaps of up to 4 mm (a line of text) by growing red 2 mm every way.
    let k = ((2.0 * dpi / 25.4) / cell as f32).round() as usize;
    let mut rows = vec![false; gw * gh];
    for y in 0..gh {
        for x in 0..gw {
            if red[y * gw + x] {
                for xx in x.saturating_sub(k)..(x + k + 1).min(gw) {
                    rows[y * gw + xx] = true;
                }
            }
        }
    }
    let mut grown = vec![false; gw * gh];
    for y in 0..gh {
        for x in 0..gw {
            if rows[y * gw + x] {
                for yy in y.saturating_sub(k)..(y + k + 1).min(gh) {
                    grown[yy * gw + x] = true;
                }
            }
        }
    }
    let mm = dpi / 25.4 / cell as f32;
    let mut regions = Vec::new();
    let mut seals = 0;
    super::image::for_each_component(&grown, gw, gh, false, |comp| {
        let (x0, y0, x1, y1) = (comp.x0, comp.y0, comp.x1, comp.y1);
        let n: usize = comp.pixels.iter().map(|&i| red[i] as usize).sum();
        // The region without its growth.
        let (x0, y0) = ((x0 + k).min(x1), (y0 + k).min(y1));
        let (x1, y1) = (x1.saturating_sub(k).max(x0), y1.saturating_sub(k).max(y0));
        let (w, h) = ((x1 - x0 + 1) as f32, (y1 - y0 + 1) as f32);
        let (w_mm, h_mm) = (w / mm, h / mm);
        let fill = n as f32 / (w * h);
        let seal = (20.0..=70.0).contains(&w_mm) && (0.75..=1.33).contains(&(w / h)) && fill < 0.5;
        let rule = h_mm < 3.0 && w_mm > 40.0 && w > 12.0 * h;
        if seal || rule {
            seals += seal as usize;
            regions.push(Region {
                x0: (x0 * cell).saturating_sub(cell),
                y0: (y0 * cell).saturating_sub(cell),
                x1: ((x1 + 2) * cell).min(c.width),
                y1: ((y1 + 2) * cell).min(c.height),
            });
        }
    });
    (regions, seals)
}

/// The greyscale text layer of a colour page: seals and red rules dropped
/// (their red pixels become paper, the dark text under them stays), other
/// red ink kept as black; returns it and the number of seals dropped.
pub fn drop_red(c: &Rgb, dpi: f32) -> (Gray, usize) {
    let (regions, seals) = red_regions(c, dpi);
    let mut g = Gray::new(c.width, c.height, 255);
    for y in 0..c.height {
        let in_rows: Vec<&Region> = regions.iter().filter(|r| y >= r.y0 && y < r.y1).collect();
        for x in 0..c.width {
            let p = &c.px[(y * c.width + x) * 3..(y * c.width + x) * 3 + 3];
            let red = redness(p);
            let l = luma(p[0], p[1], p[2]);
            let dropped = red > 15 && in_rows.iter().any(|r| x >= r.x0 && x < r.x1);
            g.px[y * c.width + x] = if dropped {
                // The red channel sees red ink as paper and black as black;
                // clearly red pixels are paper outright.
                if red > 40 {
                    255
                } else {
                    l.max(p[0])
                }
            } else if red > 40 {
                // Red header text: as dark as black ink.
                l.min((255 - (red * 3 / 2).min(255)) as u8)
            } else {
                l
            };
        }
    }
    (g, seals)
}

/// 3×3 median (edges replicate).
///
/// Each column of three is sorted once; the median of the nine is then the
/// median of (the largest of the three minima, the median of the three
/// middles, the smallest of the three maxima), which is exact. Branch-free
/// min/max over whole rows lets the compiler vectorise it: a 300-dpi page
/// took 0.39 s with a sort per pixel, it now takes a few milliseconds.
pub fn median3(g: &Gray) -> Gray {
    let (w, h) = (g.width, g.height);
    let mut out = Gray::new(w, h, 255);
    if w == 0 || h == 0 {
        return out;
    }
    #[inline(always)]
    fn med3(a: u8, b: u8, c: u8) -> u8 {
        a.min(b).max(a.max(b).min(c))
    }
    // Sorted columns, one pixel of replicated edge on each side.
    let (mut lo, mut mid, mut hi) = (vec![0u8; w + 2], vec![0u8; w + 2], vec![0u8; w + 2]);
    for y in 0..h {
        let row = |yy: usize| &g.px[yy * w..][..w];
        let (a, b, c) = (row(y.saturating_sub(1)), row(y), row((y + 1).min(h - 1)));
        for x in 0..w {
            let (p, q, r) = (a[x], b[x], c[x]);
            lo[x + 1] = p.min(q).min(r);
            hi[x + 1] = p.max(q).max(r);
            mid[x + 1] = med3(p, q, r);
        }
        for v in [&mut lo, &mut mid, &mut hi] {
            v[0] = v[1];
            v[w + 1] = v[w];
        }
        let o = &mut out.px[y * w..][..w];
        for x in 0..w {
            let l = lo[x].max(lo[x + 1]).max(lo[x + 2]);
            let m = med3(mid[x], mid[x + 1], mid[x + 2]);
            let u = hi[x].min(hi[x + 1]).min(hi[x + 2]);
            o[x] = med3(l, m, u);
        }
    }
    out
}

/// Otsu's global threshold of a greyscale raster.
pub fn otsu(g: &Gray) -> u8 {
    let mut hist = [0u64; 256];
    for &p in &g.px {
        hist[p as usize] += 1;
    }
    let total = g.px.len() as f64;
    let sum: f64 = hist.iter().enumerate().map(|(i, &n)| i as f64 * n as f64).sum();
    let (mut w_b, mut sum_b, mut best, mut best_t) = (0.0f64, 0.0f64, -1.0f64, 128u8);
    for (t, &n) in hist.iter().enumerate() {
        w_b += n as f64;
        if w_b == 0.0 {
            continue;
        }
        let w_f = total - w_b;
        if w_f == 0.0 {
            break;
        }
        sum_b += t as f64 * n as f64;
        let (m_b, m_f) = (sum_b / w_b, (sum - sum_b) / w_f);
        let between = w_b * w_f * (m_b - m_f) * (m_b - m_f);
        if between > best {
            best = between;
            best_t = t as u8;
        }
    }
    best_t
}

/// The page's skew in degrees (positive: text lines fall to the right, as
/// the image's y grows downwards), within ±3°: the angle whose projection
/// profile of dark pixels has the sharpest edges.
pub fn measure_skew(g: &Gray) -> f32 {
    let t = otsu(g);
    // Every other pixel of each row is plenty (every row: skipping rows
    // would make the level profile look sharpest).
    let mut dark: Vec<(f32, f32)> = Vec::new();
    for y in 0..g.height {
        for x in (0..g.width).step_by(2) {
            if g.px[y * g.width + x] <= t {
                dark.push((x as f32, y as f32));
            }
        }
    }
    if dark.len() < 100 {
        return 0.0;
    }
    if dark.len() > 400_000 {
        let step = dark.len() / 400_000 + 1;
        dark = dark.into_iter().step_by(step).collect();
    }
    let rows = g.height + g.width / 8 + 2;
    let offset = (g.width as f32 * 0.06) as i64 + 1;
    let mut counts = vec![0u32; rows + 2 * offset as usize];
    let mut score = |deg: f32| -> f64 {
        counts.iter_mut().for_each(|c| *c = 0);
        let tan = deg.to_radians().tan();
        for &(x, y) in &dark {
            let r = (y - x * tan).round() as i64 + offset;
            if r >= 0 && (r as usize) < counts.len() {
                counts[r as usize] += 1;
            }
        }
        // Edges of the profile are sharpest when rows line up (Postl's
        // criterion); the profile's own square is not: a text line is about
        // as tall as its drift over the page.
        counts.windows(2).map(|w| (w[1] as f64 - w[0] as f64).powi(2)).sum()
    };
    let search = |score: &mut dyn FnMut(f32) -> f64, from: f32, to: f32, step: f32| -> f32 {
        let (mut best, mut best_s) = (0.0f32, f64::MIN);
        let mut a = from;
        while a <= to + 1e-4 {
            let s = score(a);
            if s > best_s {
                best_s = s;
                best = a;
            }
            a += step;
        }
        best
    };
    let coarse = search(&mut score, -3.0, 3.0, 0.2);
    let fine = search(&mut score, coarse - 0.2, coarse + 0.2, 0.02);
    (fine * 100.0).round() / 100.0
}

/// Turn the page by `-deg` about its centre (taking out a skew of `deg`),
/// bilinear, white where nothing was.
pub fn rotate(g: &Gray, deg: f32) -> Gray {
    let (w, h) = (g.width, g.height);
    let mut out = Gray::new(w, h, 255);
    let (s, c) = deg.to_radians().sin_cos();
    let (cx, cy) = (w as f32 / 2.0, h as f32 / 2.0);
    for y in 0..h {
        let dy = y as f32 - cy;
        for x in 0..w {
            let dx = x as f32 - cx;
            let sx = cx + dx * c - dy * s;
            let sy = cy + dx * s + dy * c;
            if sx < 0.0 || sy < 0.0 || sx > (w - 1) as f32 || sy > (h - 1) as f32 {
                continue;
            }
            let (x0, y0) = (sx as usize, sy as usize);
            let (x1, y1) = ((x0 + 1).min(w - 1), (y0 + 1).min(h - 1));
            let (fx, fy) = (sx - x0 as f32, sy - y0 as f32);
            let p = |x: usize, y: usize| g.px[y * w + x] as f32;
            let top = p(x0, y0) * (1.0 - fx) + p(x1, y0) * fx;
            let bottom = p(x0, y1) * (1.0 - fx) + p(x1, y1) * fx;
            out.px[y * w + x] = (top * (1.0 - fy) + bottom * fy).round() as u8;
        }
    }
    out
}

/// Sauvola's adaptive threshold: black where a pixel is darker than
/// `m·(1 + k·(s/128 − 1))` over the `window`² neighbourhood around it.
pub fn sauvola(g: &Gray, window: usize, k: f32) -> Gray {
    let (w, h) = (g.width, g.height);
    let iw = w + 1;
    let mut sum = vec![0u64; iw * (h + 1)];
    let mut sq = vec![0u64; iw * (h + 1)];
    for y in 0..h {
        let (mut rs, mut rq) = (0u64, 0u64);
        for x in 0..w {
            let v = g.px[y * w + x] as u64;
            rs += v;
            rq += v * v;
            sum[(y + 1) * iw + x + 1] = sum[y * iw + x + 1] + rs;
            sq[(y + 1) * iw + x + 1] = sq[y * iw + x + 1] + rq;
        }
    }
    let r = window / 2;
    let mut out = Gray::new(w, h, 255);
    for y in 0..h {
        let (y0, y1) = (y.saturating_sub(r), (y + r + 1).min(h));
        for x in 0..w {
            let (x0, x1) = (x.saturating_sub(r), (x + r + 1).min(w));
            let n = ((y1 - y0) * (x1 - x0)) as f64;
            let at = |t: &[u64], xx: usize, yy: usize| t[yy * iw + xx];
            let s = (at(&sum, x1, y1) + at(&sum, x0, y0) - at(&sum, x0, y1) - at(&sum, x1, y0)) as f64;
            let q = (at(&sq, x1, y1) + at(&sq, x0, y0) - at(&sq, x0, y1) - at(&sq, x1, y0)) as f64;
            let mean = s / n;
            let sd = (q / n - mean * mean).max(0.0).sqrt();
            let t = mean * (1.0 + k as f64 * (sd / 128.0 - 1.0));
            if (g.px[y * w + x] as f64) <= t {
                out.px[y * w + x] = 0;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A white page with dark horizontal bars (text lines) falling by `deg`.
    fn lines_page(w: usize, h: usize, deg: f32) -> Gray {
        let mut g = Gray::new(w, h, 230);
        let tan = deg.to_radians().tan();
        for line in 0..12 {
            let y0 = 40.0 + line as f32 * 30.0;
            for x in 20..w - 20 {
                // words: 10 px of ink, 4 px gap
                if x % 14 >= 10 {
                    continue;
                }
                let yc = y0 + x as f32 * tan;
                for dy in 0..10 {
                    let y = (yc + dy as f32) as usize;
                    if y < h {
                        g.px[y * w + x] = 30;
                    }
                }
            }
        }
        g
    }

    #[test]
    fn skew_is_measured_and_taken_out() {
        for deg in [-1.5f32, -0.6, 0.0, 0.8, 2.2] {
            let g = lines_page(600, 460, deg);
            let m = measure_skew(&g);
            assert!((m - deg).abs() <= 0.1, "{deg}: measured {m}");
            let straight = rotate(&g, m);
            assert!(measure_skew(&straight).abs() <= 0.1, "{deg}");
        }
    }

    #[test]
    fn median_is_the_median_of_each_neighbourhood() {
        // Against a sort of the nine (edges replicated) on noise.
        let (w, h) = (37, 23);
        let mut seed = 7u32;
        let px: Vec<u8> = (0..w * h)
            .map(|_| {
                seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                (seed >> 16) as u8
            })
            .collect();
        let g = Gray { width: w, height: h, px };
        let m = median3(&g);
        for y in 0..h {
            for x in 0..w {
                let mut v = Vec::new();
                for yy in [y.saturating_sub(1), y, (y + 1).min(h - 1)] {
                    for xx in [x.saturating_sub(1), x, (x + 1).min(w - 1)] {
                        v.push(g.px[yy * w + xx]);
                    }
                }
                v.sort_unstable();
                assert_eq!(m.px[y * w + x], v[4], "at ({x}, {y})");
            }
        }
    }

    #[test]
    fn median_takes_specks_and_keeps_strokes() {
        let mut g = Gray::new(20, 20, 220);
        // a stroke 3 px wide
        for y in 2..18 {
            for x in 8..11 {
                g.px[y * 20 + x] = 20;
            }
        }
        // pepper and salt
        g.px[3 * 20 + 3] = 10;
        g.px[10 * 20 + 9] = 250;
        let m = median3(&g);
        assert_eq!(m.get(3, 3), 220);
        assert_eq!(m.get(9, 10), 20);
        assert_eq!(m.get(9, 5), 20);
    }

    #[test]
    fn sauvola_holds_on_an_uneven_background() {
        // Background from 150 (left) to 240 (right); ink 40 on both sides.
        let (w, h) = (200, 40);
        let mut g = Gray::new(w, h, 0);
        for y in 0..h {
            for x in 0..w {
                g.px[y * w + x] = (150 + x * 90 / w) as u8;
            }
        }
        for y in 15..25 {
            for x in (10..20).chain(180..190) {
                g.px[y * w + x] = 40;
            }
        }
        let b = sauvola(&g, 21, 0.2);
        assert_eq!(b.get(15, 20), 0);
        assert_eq!(b.get(185, 20), 0);
        assert_eq!(b.get(100, 5), 255);
        assert_eq!(b.get(5, 5), 255);
        // A global threshold cannot do both: Otsu splits the gradient.
        let t = otsu(&g);
        let globally_black = g.px.iter().filter(|&&p| p <= t).count();
        assert!(globally_black > 2 * 200, "{t} {globally_black}");
    }

    /// A colour page: black text, a red seal over part of it, red header text.
    fn sealed_page(dpi: f32) -> Rgb {
        let mm = dpi / 25.4;
        let (w, h) = ((120.0 * mm) as usize, (80.0 * mm) as usize);
        let mut c = Rgb { width: w, height: h, px: vec![235; w * h * 3] };
        let mut set = |x: usize, y: usize, p: [u8; 3]| {
            if x < w && y < h {
                let i = (y * w + x) * 3;
                // multiply, as ink over ink
                for k in 0..3 {
                    c.px[i + k] = ((c.px[i + k] as u32 * p[k] as u32) / 255) as u8;
                }
            }
        };
        // black text bar at y 50-54 mm, x 20-100 mm
        for y in (50.0 * mm) as usize..(54.0 * mm) as usize {
            for x in (20.0 * mm) as usize..(100.0 * mm) as usize {
                set(x, y, [25, 25, 25]);
            }
        }
        // red header bar (text) at y 5-15 mm
        for y in (5.0 * mm) as usize..(15.0 * mm) as usize {
            for x in (30.0 * mm) as usize..(90.0 * mm) as usize {
                if (x / 7) % 3 != 0 {
                    set(x, y, [214, 32, 42]);
                }
            }
        }
        // a ring 42 mm across centred at (70, 52) mm, 1 mm thick, and a star-ish blob
        let (cx, cy, r) = (70.0 * mm, 52.0 * mm, 21.0 * mm);
        for y in 0..h {
            for x in 0..w {
                let d = ((x as f32 - cx).powi(2) + (y as f32 - cy).powi(2)).sqrt();
                if (d > r - mm && d < r) || d < 5.0 * mm {
                    set(x, y, [214, 32, 42]);
                }
            }
        }
        c
    }

    #[test]
    fn seals_go_black_text_under_them_and_red_headers_stay() {
        let dpi = 150.0;
        let mm = dpi / 25.4;
        let c = sealed_page(dpi);
        let (g, seals) = drop_red(&c, dpi);
        assert_eq!(seals, 1);
        let at = |xm: f32, ym: f32| g.get((xm * mm) as usize, (ym * mm) as usize);
        // the ring and the star are paper now
        assert!(at(70.0, 31.5) > 200, "ring {}", at(70.0, 31.5));
        assert!(at(70.0, 48.0) > 200, "star {}", at(70.0, 48.0));
        // the black text under the star and beside the seal stays black
        assert!(at(70.0, 52.0) < 60, "text under the seal {}", at(70.0, 52.0));
        assert!(at(25.0, 52.0) < 60);
        // the red header is ink
        assert!(at(31.0, 10.0) < 60, "header {}", at(31.0, 10.0));
        // without the step, the seal would be grey ink in the luma
        assert!(c.luma().get((70.0 * mm) as usize, (48.0 * mm) as usize) < 120);
        assert!(c.has_colour());
        assert!(!Rgb { width: 4, height: 4, px: vec![200; 48] }.has_colour());
    }

    #[test]
    fn steps_parse() {
        assert_eq!(Steps::parse("all").unwrap(), Steps::ALL);
        assert_eq!(Steps::parse("none").unwrap(), Steps::NONE);
        let s = Steps::parse("red, deskew").unwrap();
        assert!(s.red && s.deskew && !s.despeckle && !s.binarise);
        assert_eq!(s.describe(), "red,deskew");
        assert!(Steps::parse("sharpen").is_err());
    }
}
