//! Page images as OCR handles them: pdftoppm's PNM bytes (`P5` grey, `P6`
//! colour, maxval 255) in, a [`Gray`] or [`Rgb`] raster out, and a [`Gray`]
//! back to the `P5` bytes Tesseract and the PP-OCR worker read on stdin.
//!
//! Only the one PNM flavour pdftoppm writes is read; the `image` crate would
//! bring a codec framework for these few lines of header.

/// An 8-bit greyscale raster, row by row (0 black, 255 white).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gray {
    pub width: usize,
    pub height: usize,
    pub px: Vec<u8>,
}

/// An 8-bit RGB raster, row by row, three bytes a pixel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rgb {
    pub width: usize,
    pub height: usize,
    pub px: Vec<u8>,
}

/// A rendered page: colour where the page has colour.
#[derive(Debug, Clone)]
pub enum Raster {
    Gray(Gray),
    Rgb(Rgb),
}

impl Raster {
    pub fn width(&self) -> usize {
        match self {
            Raster::Gray(g) => g.width,
            Raster::Rgb(c) => c.width,
        }
    }
    pub fn height(&self) -> usize {
        match self {
            Raster::Gray(g) => g.height,
            Raster::Rgb(c) => c.height,
        }
    }
}

impl Gray {
    pub fn new(width: usize, height: usize, fill: u8) -> Gray {
        Gray { width, height, px: vec![fill; width * height] }
    }

    #[inline]
    pub fn get(&self, x: usize, y: usize) -> u8 {
        self.px[y * self.width + x]
    }

    /// The `P5` bytes of this raster.
    pub fn to_pgm(&self) -> Vec<u8> {
        let mut out = format!("P5\n{} {}\n255\n", self.width, self.height).into_bytes();
        out.extend_from_slice(&self.px);
        out
    }

    /// The rectangle `[x0, x1) × [y0, y1)`, clipped to the raster.
    pub fn crop(&self, x0: usize, y0: usize, x1: usize, y1: usize) -> Gray {
        let (x1, y1) = (x1.min(self.width), y1.min(self.height));
        let (x0, y0) = (x0.min(x1), y0.min(y1));
        let w = x1 - x0;
        let mut px = Vec::with_capacity(w * (y1 - y0));
        for y in y0..y1 {
            px.extend_from_slice(&self.px[y * self.width + x0..y * self.width + x1]);
        }
        Gray { width: w, height: y1 - y0, px }
    }
}

impl Rgb {
    /// ITU-R BT.601 luma of each pixel.
    pub fn luma(&self) -> Gray {
        let px = self.px.chunks_exact(3).map(|p| luma(p[0], p[1], p[2])).collect();
        Gray { width: self.width, height: self.height, px }
    }

    /// Does any part of the page carry colour (a red header, a seal), beyond
    /// the tint of paper and the noise of a sensor? At least one pixel in a
    /// thousand whose channels differ by more than 60 levels.
    pub fn has_colour(&self) -> bool {
        let n = self.px.len() / 3;
        let coloured = self
            .px
            .chunks_exact(3)
            .filter(|p| {
                let (mx, mn) = (p[0].max(p[1]).max(p[2]), p[0].min(p[1]).min(p[2]));
                mx - mn > 60
            })
            .count();
        coloured * 1000 > n
    }
}

#[inline]
pub fn luma(r: u8, g: u8, b: u8) -> u8 {
    ((r as u32 * 299 + g as u32 * 587 + b as u32 * 114 + 500) / 1000) as u8
}

/// Read pdftoppm's output: `P5` or `P6`, maxval 255, one image.
pub fn read_pnm(bytes: &[u8]) -> Result<Raster, String> {
    let mut pos = 0;
    let mut field = || -> Result<&[u8], String> {
        loop {
            while pos < bytes.len() && bytes[pos].is_ascii_whitespace() {
                pos += 1;
            }
            if pos < bytes.len() && bytes[pos] == b'#' {
                while pos < bytes.len() && bytes[pos] != b'\n' {
                    pos += 1;
                }
                continue;
            }
            break;
        }
        let start = pos;
        while pos < bytes.len() && !bytes[pos].is_ascii_whitespace() {
            pos += 1;
        }
        if start == pos {
            return Err("truncated PNM header".into());
        }
        Ok(&bytes[start..pos])
    };
    let magic = field()?.to_vec();
    let num = |f: &[u8]| -> Result<usize, String> {
        std::str::from_utf8(f).ok().and_then(|s| s.parse().ok()).ok_or_else(|| "bad number in PNM header".to_string())
    };
    let width = num(field()?)?;
    let height = num(field()?)?;
    let maxval = num(field()?)?;
    if maxval != 255 {
        return Err(format!("PNM maxval {maxval}, not 255"));
    }
    // One whitespace byte ends the header.
    let data = bytes.get(pos + 1..).unwrap_or(&[]);
    let channels = match magic.as_slice() {
        b"P5" => 1,
        b"P6" => 3,
        m => return Err(format!("not a binary PGM/PPM (magic {:?})", String::from_utf8_lossy(m))),
    };
    let n = width.checked_mul(height).and_then(|n| n.checked_mul(channels)).ok_or("PNM too large")?;
    if width == 0 || height == 0 || data.len() < n {
        return Err(format!("PNM of {width}×{height} holds {} of {n} bytes", data.len()));
    }
    let px = data[..n].to_vec();
    Ok(if channels == 1 { Raster::Gray(Gray { width, height, px }) } else { Raster::Rgb(Rgb { width, height, px }) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pnm_round_trip_and_errors() {
        let g = Gray { width: 3, height: 2, px: vec![0, 10, 20, 30, 40, 255] };
        match read_pnm(&g.to_pgm()).unwrap() {
            Raster::Gray(back) => assert_eq!(back, g),
            r => panic!("{r:?}"),
        }
        let ppm = b"P6\n# pdftoppm\n2 1\n255\n\xff\x00\x00\x00\x00\xff".to_vec();
        match read_pnm(&ppm).unwrap() {
            Raster::Rgb(c) => {
                assert_eq!((c.width, c.height), (2, 1));
                assert_eq!(c.luma().px, vec![76, 29]);
            }
            r => panic!("{r:?}"),
        }
        assert!(read_pnm(b"P5\n3 2\n255\n\x00").is_err());
        assert!(read_pnm(b"P2\n1 1\n255\n0").is_err());
        assert!(read_pnm(b"").is_err());
        assert!(read_pnm(b"P5\n1 1\n65535\n\x00\x00").is_err());
    }

    #[test]
    fn crop_clips() {
        let g = Gray { width: 3, height: 3, px: (0..9).collect() };
        assert_eq!(g.crop(1, 1, 5, 5).px, vec![4, 5, 7, 8]);
        assert_eq!(g.crop(4, 4, 5, 5).px.len(), 0);
    }
}

/// A connected region of a mask: its bounding box (inclusive) and its pixels
/// (indices into the mask).
pub struct Component<'a> {
    pub x0: usize,
    pub y0: usize,
    pub x1: usize,
    pub y1: usize,
    pub pixels: &'a [usize],
}

/// Call `f` with every connected region of the `w`×`h` `mask`, in order of
/// its first pixel; `diagonal`: eight neighbours, else four.
pub fn for_each_component(mask: &[bool], w: usize, h: usize, diagonal: bool, mut f: impl FnMut(Component)) {
    const FOUR: [(i64, i64); 4] = [(-1, 0), (1, 0), (0, -1), (0, 1)];
    const EIGHT: [(i64, i64); 8] = [(-1, 0), (1, 0), (0, -1), (0, 1), (-1, -1), (1, 1), (-1, 1), (1, -1)];
    let steps: &[(i64, i64)] = if diagonal { &EIGHT } else { &FOUR };
    let mut seen = vec![false; w * h];
    let mut stack = Vec::new();
    let mut pixels = Vec::new();
    for start in 0..w * h {
        if !mask[start] || seen[start] {
            continue;
        }
        seen[start] = true;
        stack.push(start);
        pixels.clear();
        let (mut x0, mut y0, mut x1, mut y1) = (w, h, 0, 0);
        while let Some(i) = stack.pop() {
            let (x, y) = (i % w, i / w);
            pixels.push(i);
            x0 = x0.min(x);
            x1 = x1.max(x);
            y0 = y0.min(y);
            y1 = y1.max(y);
            for (dx, dy) in steps {
                let (nx, ny) = (x as i64 + dx, y as i64 + dy);
                if nx >= 0 && ny >= 0 && (nx as usize) < w && (ny as usize) < h {
                    let j = ny as usize * w + nx as usize;
                    if mask[j] && !seen[j] {
                        seen[j] = true;
                        stack.push(j);
                    }
                }
            }
        }
        f(Component { x0, y0, x1, y1, pixels: &pixels });
    }
}
