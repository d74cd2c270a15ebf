//! A PDF page in, its image out ([`Raster`]) at the page's native
//! resolution and in colour where it has colour.
//!
//! A scanned page is one embedded image: `pdfimages -list` tells its
//! pixels per inch and whether it is grey or colour, and `pdftoppm` renders
//! the page at that resolution (so no pixel is invented or lost), `-gray`
//! for a grey scan. A page without an image (a text page read with `--ocr
//! force`) renders at 300 dpi, grey. Both are poppler-utils programs, run
//! under the worker's bounds; PNM output (PNG would cost seconds of
//! compression per noisy page).

use super::image::{read_pnm, Raster};
use crate::extract::worker::{describe_signal, run_bounded, Finished};
use crate::extract::Limits;
use std::path::Path;
use std::process::Command;

/// Resolution for pages that carry no image (and the default).
pub const DEFAULT_DPI: u32 = 300;
/// Bounds on the resolution a scan's own image is rendered at.
const MIN_DPI: u32 = 150;
const MAX_DPI: u32 = 400;

/// How a page is to be rendered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Native {
    pub dpi: u32,
    pub colour: bool,
}

/// The resolution and colour of page `n`'s largest image, from `pdfimages
/// -list` (`page num type width height color comp bpc enc interp object ID
/// x-ppi y-ppi size ratio`).
pub fn native(pdf: &Path, n: u32, limits: Limits) -> Native {
    let mut cmd = Command::new("pdfimages");
    cmd.args(["-list", "-f", &n.to_string(), "-l", &n.to_string()]).arg(pdf);
    let listing = match run_bounded(cmd, limits.timeout, limits.memory) {
        Ok(Finished::Exited { code: 0, stdout, .. }) => String::from_utf8_lossy(&stdout).into_owned(),
        _ => return Native { dpi: DEFAULT_DPI, colour: false },
    };
    parse_listing(&listing)
}

/// See [`native`].
pub fn parse_listing(listing: &str) -> Native {
    let mut best: Option<(u64, Native)> = None;
    for row in listing.lines().skip(2) {
        let f: Vec<&str> = row.split_whitespace().collect();
        if f.len() < 14 || f[2] != "image" {
            continue;
        }
        let (Ok(w), Ok(h), Ok(ppi)) = (f[3].parse::<u64>(), f[4].parse::<u64>(), f[12].parse::<f32>()) else { continue };
        let colour = !matches!(f[5], "gray" | "-");
        let area = w * h;
        if best.is_none_or(|(a, _)| area > a) {
            best = Some((area, Native { dpi: (ppi.round() as u32).clamp(MIN_DPI, MAX_DPI), colour }));
        }
    }
    best.map(|(_, n)| n).unwrap_or(Native { dpi: DEFAULT_DPI, colour: false })
}

/// `pdftoppm -r DPI [-gray] -f N -l N -singlefile FILE`, read.
pub fn render(pdf: &Path, n: u32, how: Native, limits: Limits) -> Result<Raster, String> {
    let mut cmd = Command::new("pdftoppm");
    cmd.args(["-r", &how.dpi.to_string()]);
    if !how.colour {
        cmd.arg("-gray");
    }
    cmd.args(["-f", &n.to_string(), "-l", &n.to_string(), "-singlefile"]).arg(pdf);
    let bytes = match run_bounded(cmd, limits.timeout, limits.memory) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err("pdftoppm is not installed (Debian: apt-get install poppler-utils)".into())
        }
        Err(e) => return Err(format!("cannot run pdftoppm: {e}")),
        Ok(Finished::Exited { code: 0, stdout, .. }) if !stdout.is_empty() => stdout,
        Ok(Finished::Exited { code, stderr, .. }) => {
            return Err(format!("pdftoppm could not render page {n} (exit code {code}): {}", String::from_utf8_lossy(&stderr).trim()))
        }
        Ok(Finished::Signalled { signal, .. }) => return Err(format!("pdftoppm {}", describe_signal(signal))),
        Ok(Finished::TimedOut) => return Err(format!("pdftoppm timed out after {} s", limits.timeout.as_secs())),
    };
    read_pnm(&bytes).map_err(|e| format!("pdftoppm's page {n}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_largest_image_decides() {
        let listing = "page   num  type   width height color comp bpc  enc interp  object ID x-ppi y-ppi size ratio\n\
--------------------------------------------------------------------------------------------\n\
   1     0 image      40    40  rgb     3   8  jpeg   no        12  0    72    72  2K 2.9%\n\
   1     1 image    1654  2339  rgb     3   8  jpeg   no        10  0   200   200  336K 2.9%\n";
        assert_eq!(parse_listing(listing), Native { dpi: 200, colour: true });
        let grey = "h\n-\n   1     0 image    2480  3508  gray    1   8  jpeg   no        10  0   300   300  1M 2.9%\n";
        assert_eq!(parse_listing(grey), Native { dpi: 300, colour: false });
        let fax = "h\n-\n   1     0 image    1728  2200  gray    1   1  ccitt  no        10  0   100   100  1M 2.9%\n";
        assert_eq!(parse_listing(fax).dpi, 150);
        assert_eq!(parse_listing(""), Native { dpi: DEFAULT_DPI, colour: false });
    }
}
