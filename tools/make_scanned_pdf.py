"""Turn pages of a text PDF into a *scanned* PDF: images only, no text layer.

Purpose
-------
OCR fixtures. Many county gazettes are published as scans, or mix typeset
pages with scanned ones (a scanned 附件, a signed page). This script imitates
a flat-bed scan of printed pages:

* each page is rendered by ``pdftoppm -r DPI -gray`` (poppler-utils);
* it is rotated by a random angle of up to ``--max-rotation`` degrees (the
  sheet was not laid straight), shifted by a few pixels, given Gaussian
  sensor noise, a light blur (the scanner's optics) and sparse dust specks;
* it is stored as a greyscale JPEG at the scan's resolution, one image per
  page, in a PDF with no fonts and no text (Pillow's PDF writer).

With ``--mix``, only the listed pages are scanned and the others keep their
text layer: the output is the selected pages with those ones replaced
(``qpdf --pages``, which keeps one copy of the fonts the text pages share).

Usage
-----
    python3 tools/make_scanned_pdf.py IN.pdf OUT.pdf --pages 27-38
    python3 tools/make_scanned_pdf.py IN.pdf OUT.pdf --pages 1-12 --mix 3,6,7

Needs poppler-utils (pdftoppm), qpdf and Pillow.

``--pages`` selects the physical pages (1-based, ranges and commas) that go
into the output; ``--mix`` the ones among them that are scanned (without it,
all are). The random generator is seeded (``--seed``), so the output is the
same on every run with the same poppler and Pillow.
"""

import argparse
import io
import os
import random
import subprocess
import sys
import tempfile

from PIL import Image, ImageChops, ImageFilter


def page_list(spec):
    out = []
    for part in spec.split(","):
        part = part.strip()
        if not part:
            continue
        if "-" in part:
            a, b = part.split("-", 1)
            out.extend(range(int(a), int(b) + 1))
        else:
            out.append(int(part))
    return out


def render(pdf, page, dpi):
    png = subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-gray", "-png", "-f", str(page), "-l", str(page), "-singlefile", pdf],
        check=True,
        capture_output=True,
    ).stdout
    return Image.open(io.BytesIO(png)).convert("L")


def scan(img, rng, max_rotation, noise, blur):
    angle = rng.uniform(-max_rotation, max_rotation)
    dx, dy = rng.randint(-12, 12), rng.randint(-12, 12)
    img = img.rotate(angle, resample=Image.BICUBIC, expand=False, fillcolor=255, translate=(dx, dy))
    # Paper is never quite white, ink never quite black.
    img = img.point(lambda v: 28 + v * (236 - 28) // 255)
    w, h = img.size
    noise_img = Image.effect_noise((w, h), noise)  # Gaussian, centred on 128
    img = ImageChops.add(img, noise_img, scale=1.0, offset=-128)  # clipped to 0..255
    # The scanner's optics soften ink edges and sensor noise alike.
    img = img.filter(ImageFilter.GaussianBlur(radius=blur))
    px = img.load()
    # Dust: a few dark specks of 1-3 pixels.
    for _ in range(rng.randint(40, 120)):
        x, y, r = rng.randrange(w), rng.randrange(h), rng.randint(1, 3)
        for yy in range(max(0, y - r), min(h, y + r)):
            for xx in range(max(0, x - r), min(w, x + r)):
                px[xx, yy] = rng.randint(40, 110)
    return img, angle


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("input")
    ap.add_argument("output")
    ap.add_argument("--pages", required=True, help="physical pages to keep, e.g. 27-38 or 1,3,5-9")
    ap.add_argument("--mix", help="pages (among --pages) to scan; the rest keep their text layer")
    ap.add_argument("--dpi", type=int, default=300)
    ap.add_argument("--max-rotation", type=float, default=1.2, help="degrees")
    ap.add_argument("--noise", type=float, default=10.0, help="Gaussian sigma, grey levels")
    ap.add_argument("--blur", type=float, default=0.8, help="Gaussian blur radius, pixels")
    ap.add_argument("--quality", type=int, default=40, help="JPEG quality")
    ap.add_argument("--seed", type=int, default=20241)
    args = ap.parse_args()

    rng = random.Random(args.seed)
    pages = page_list(args.pages)
    scanned = set(page_list(args.mix)) if args.mix else set(pages)
    with tempfile.TemporaryDirectory() as tmp:
        # qpdf page selection: runs of text pages from the input, scanned pages from their own files.
        selection = []
        for n in pages:
            if n in scanned:
                part = os.path.join(tmp, f"p{n:04d}.pdf")
                img, angle = scan(render(args.input, n, args.dpi), rng, args.max_rotation, args.noise, args.blur)
                img.save(part, "PDF", resolution=args.dpi, quality=args.quality)
                selection += [part, "1"]
                print(f"page {n}: scanned, rotated {angle:+.2f} deg", file=sys.stderr)
            else:
                selection += [args.input, str(n)]
                print(f"page {n}: text layer kept", file=sys.stderr)
        subprocess.run(["qpdf", "--empty", "--pages", *selection, "--", args.output], check=True)


if __name__ == "__main__":
    main()
