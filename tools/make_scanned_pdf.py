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

What real scans do beyond that, each an option (all off by default, so the
older fixtures come out as before):

* ``--dpi 150``–``200``: the resolution office scanners and photocopiers use;
* ``--speckle F``: salt-and-pepper speckle, a fraction F of the pixels (two
  thirds of them toner specks of 1–2 pixels, one third white drop-outs);
* ``--photocopy``: photocopy contrast: a grey, uneven background (the
  copier's glass and drum), ink pushed to black and thin strokes broken;
* ``--seal ORG``: a red round seal (a ring, ORG along its upper arc, a
  five-pointed star in the middle) stamped over the signature and the date
  of each scanned page that has a date line (``…年…月…日`` right of the
  middle), as 公文 are sealed (GB/T 9704-2012 §7.3.5: 骑年盖月); the page is
  then scanned in colour;
* ``--red-header ORG``: a red letterhead (红头) on the first scanned page:
  ORG in large red characters above a red rule, in the top margin the
  document left free for it; scanned in colour;
* ``--quality Q``: JPEG quality (low values: blocking and ringing).

``--name`` prints the file name that records the seed and the settings
(``…-200dpi-rot1.5-speckle0.004-photocopy-seal-q30-s7.pdf``); fixtures are
named that way so that they can be made again.

With ``--mix``, only the listed pages are scanned and the others keep their
text layer: the output is the selected pages with those ones replaced
(``qpdf --pages``, which keeps one copy of the fonts the text pages share).

Usage
-----
    python3 tools/make_scanned_pdf.py IN.pdf OUT.pdf --pages 27-38
    python3 tools/make_scanned_pdf.py IN.pdf OUT.pdf --pages 1-12 --mix 3,6,7
    python3 tools/make_scanned_pdf.py corpus/yuxian-2024-03.pdf DIR/ --pages 27-38 \
        --dpi 200 --max-rotation 1.5 --speckle 0.004 --photocopy --seal 孟县人民政府 \
        --quality 30 --seed 7          # OUT a directory: the name records the settings

Needs poppler-utils (pdftoppm, pdftotext), qpdf, Pillow and, for seals and
letterheads, a CJK font (fonts-wqy-microhei, or ``--font``).

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

import math
import re

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
SEAL_RED = (214, 32, 42)
# A signing date as printed: 2024年7月3日 or 二〇二四年七月三日.
DATE = re.compile(r"^(?:\d{4}|[一二][〇零○一二三四五六七八九]{3})年[\d一二三四五六七八九十]{1,3}月[\d一二三四五六七八九十]{1,3}日$")


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


def render(pdf, page, dpi, colour=False):
    mode = [] if colour else ["-gray"]
    png = subprocess.run(
        ["pdftoppm", "-r", str(dpi), *mode, "-png", "-f", str(page), "-l", str(page), "-singlefile", pdf],
        check=True,
        capture_output=True,
    ).stdout
    return Image.open(io.BytesIO(png)).convert("RGB" if colour else "L")


def date_lines(pdf, page):
    """The date lines of a page (x0, y0, x1, y1 in points) right of its middle."""
    xml = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), "-bbox", pdf, "-"],
                         check=True, capture_output=True, text=True).stdout
    width = float(re.search(r'<page width="([\d.]+)"', xml).group(1))
    out = []
    for m in re.finditer(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', xml):
        x0, y0, x1, y1 = (float(v) for v in m.groups()[:4])
        if DATE.match(m.group(5).strip()) and x0 > width / 2:
            out.append((x0, y0, x1, y1))
    return out


def star(cx, cy, r):
    pts = []
    for k in range(10):
        a = -math.pi / 2 + k * math.pi / 5
        rr = r if k % 2 == 0 else r * 0.382
        pts.append((cx + rr * math.cos(a), cy + rr * math.sin(a)))
    return pts


def seal_image(org, diameter, font_path, rng):
    """A red round seal on white, `diameter` pixels: ring, ORG on the upper arc, star."""
    d = diameter
    img = Image.new("RGB", (d, d), "white")
    draw = ImageDraw.Draw(img)
    ring = max(2, d // 40)
    draw.ellipse((ring // 2, ring // 2, d - ring // 2 - 1, d - ring // 2 - 1), outline=SEAL_RED, width=ring)
    draw.polygon(star(d / 2, d / 2, d * 0.16), fill=SEAL_RED)
    size = int(d * 0.13)
    font = ImageFont.truetype(font_path, size)
    n = len(org)
    span = min(250.0, 22.0 * n)  # degrees of arc the text takes
    radius = d / 2 - ring - size * 0.75
    for i, ch in enumerate(org):
        a = math.radians(-90 - span / 2 + span * (i + 0.5) / n)
        tile = Image.new("L", (size * 2, size * 2), 0)
        ImageDraw.Draw(tile).text((size // 2, size // 2), ch, font=font, fill=255)
        tile = tile.rotate(-math.degrees(a) - 90, resample=Image.BICUBIC)
        x = d / 2 + radius * math.cos(a) - size
        y = d / 2 + radius * math.sin(a) - size
        img.paste(Image.new("RGB", tile.size, SEAL_RED), (int(x), int(y)), tile)
    # Stamp ink is uneven: lighter patches, a few gaps.
    mask = Image.effect_noise((d, d), 60).filter(ImageFilter.GaussianBlur(d / 30)).point(lambda v: 255 if v > 100 else 120)
    white = Image.new("RGB", (d, d), "white")
    return Image.composite(img, white, mask)


def stamp(page, seal, cx, cy):
    """Multiply the seal onto the page (ink over ink), centred at (cx, cy)."""
    x, y = int(cx - seal.width / 2), int(cy - seal.height / 2)
    box = (x, y, x + seal.width, y + seal.height)
    region = page.crop(box)
    page.paste(ImageChops.multiply(region, seal), box)


def red_header(page, org, dpi, font_path):
    """A 红头: ORG in large red characters centred in the top margin, a red rule under it."""
    draw = ImageDraw.Draw(page)
    px = dpi / 25.4
    size = int(13 * px)  # 13 mm characters, as letterheads print them
    font = ImageFont.truetype(font_path, size)
    w = draw.textlength(org, font=font)
    top = int(12 * px)
    draw.text(((page.width - w) / 2, top), org, font=font, fill=SEAL_RED)
    rule = top + size + int(5 * px)
    draw.rectangle((int(25 * px), rule, page.width - int(25 * px), rule + max(2, int(0.8 * px))), fill=SEAL_RED)


def photocopy(img, rng):
    """Photocopy contrast: ink to black, an uneven grey background, broken thin strokes."""
    w, h = img.size
    # Levels: what is darker than 150 prints black, the paper greys.
    img = img.point(lambda v: 0 if v < 110 else min(255, int((v - 110) * 255 / 100)))
    # The background: a slow gradient from the glass and drum, 20-60 grey levels deep.
    grad = Image.linear_gradient("L").resize((w, h)).rotate(rng.uniform(0, 360), fillcolor=128)
    grad = grad.point(lambda v: 190 + (v * 45) // 255)
    if img.mode == "RGB":
        grad = Image.merge("RGB", (grad, grad, grad))
    img = ImageChops.multiply(img, grad)
    # The drum drops toner: a sparse mask of white pinholes broadens thin strokes' gaps.
    return img


def speckle(img, rng, fraction):
    """Salt and pepper: black toner specks of 1-2 pixels, white drop-outs."""
    w, h = img.size
    px = img.load()
    black = (25, 25, 25) if img.mode == "RGB" else 25
    white = (250, 250, 250) if img.mode == "RGB" else 250
    for _ in range(int(w * h * fraction)):
        x, y = rng.randrange(w - 1), rng.randrange(h - 1)
        if rng.random() < 2 / 3:
            r = rng.choice((1, 1, 2))
            for yy in range(y, y + r):
                for xx in range(x, x + r):
                    px[xx, yy] = black
        else:
            px[x, y] = white
    return img


def scan(img, rng, max_rotation, noise, blur, photocopy_look=False, speckle_fraction=0.0):
    angle = rng.uniform(-max_rotation, max_rotation)
    dx, dy = rng.randint(-12, 12), rng.randint(-12, 12)
    fill = (255, 255, 255) if img.mode == "RGB" else 255
    img = img.rotate(angle, resample=Image.BICUBIC, expand=False, fillcolor=fill, translate=(dx, dy))
    if photocopy_look:
        img = photocopy(img, rng)
    # Paper is never quite white, ink never quite black.
    img = img.point(lambda v: 28 + v * (236 - 28) // 255)
    w, h = img.size
    noise_img = Image.effect_noise((w, h), noise)  # Gaussian, centred on 128
    if img.mode == "RGB":
        noise_img = Image.merge("RGB", (noise_img, noise_img, noise_img))
    img = ImageChops.add(img, noise_img, scale=1.0, offset=-128)  # clipped to 0..255
    # The scanner's optics soften ink edges and sensor noise alike.
    img = img.filter(ImageFilter.GaussianBlur(radius=blur))
    if speckle_fraction > 0:
        img = speckle(img, rng, speckle_fraction)
    px = img.load()
    # Dust: a few dark specks of 1-3 pixels.
    for _ in range(rng.randint(40, 120)):
        x, y, r = rng.randrange(w), rng.randrange(h), rng.randint(1, 3)
        for yy in range(max(0, y - r), min(h, y + r)):
            for xx in range(max(0, x - r), min(w, x + r)):
                v = rng.randint(40, 110)
                px[xx, yy] = (v, v, v) if img.mode == "RGB" else v
    return img, angle


def settings_name(args, stem):
    """The output name that records the settings: `STEM-200dpi-rot1.5-speckle0.004-photocopy-seal-q30-s7.pdf`."""
    parts = [stem, f"{args.dpi}dpi", f"rot{args.max_rotation:g}"]
    if args.speckle:
        parts.append(f"speckle{args.speckle:g}")
    if args.photocopy:
        parts.append("photocopy")
    if args.red_header:
        parts.append("redheader")
    if args.seal:
        parts.append("seal")
    parts += [f"q{args.quality}", f"s{args.seed}"]
    return "-".join(parts) + ".pdf"


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
    ap.add_argument("--speckle", type=float, default=0.0, help="salt-and-pepper fraction of the pixels")
    ap.add_argument("--photocopy", action="store_true", help="photocopy contrast and background")
    ap.add_argument("--seal", metavar="ORG", help="a red seal over each scanned page's signature and date")
    ap.add_argument("--red-header", metavar="ORG", help="a red letterhead on the first scanned page")
    ap.add_argument("--font", default=FONT, help="CJK font for seals and letterheads")
    ap.add_argument("--stem", help="with OUT a directory: the name's stem (default: IN's, with the pages)")
    args = ap.parse_args()
    if os.path.isdir(args.output):
        stem = args.stem or f"{os.path.splitext(os.path.basename(args.input))[0]}-p{args.pages.replace(',', '_')}"
        args.output = os.path.join(args.output, settings_name(args, stem))
        print(args.output)

    rng = random.Random(args.seed)
    pages = page_list(args.pages)
    scanned = set(page_list(args.mix)) if args.mix else set(pages)
    with tempfile.TemporaryDirectory() as tmp:
        # qpdf page selection: runs of text pages from the input, scanned pages from their own files.
        selection = []
        colour = bool(args.seal or args.red_header)
        first = True
        for n in pages:
            if n in scanned:
                part = os.path.join(tmp, f"p{n:04d}.pdf")
                page = render(args.input, n, args.dpi, colour)
                sealed = []
                if args.red_header and first:
                    red_header(page, args.red_header, args.dpi, args.font)
                if args.seal:
                    k = args.dpi / 72
                    seal = seal_image(args.seal, int(42 / 25.4 * args.dpi), args.font, rng)
                    for x0, y0, x1, y1 in date_lines(args.input, n):
                        # Centred on the date, its lower edge just below it.
                        stamp(page, seal, (x0 + x1) / 2 * k, y1 * k - seal.height * 0.42)
                        sealed.append(f"{y0:.0f}")
                first = False
                img, angle = scan(page, rng, args.max_rotation, args.noise, args.blur, args.photocopy, args.speckle)
                img.save(part, "PDF", resolution=args.dpi, quality=args.quality)
                selection += [part, "1"]
                note = f", sealed at y={','.join(sealed)} pt" if sealed else ""
                print(f"page {n}: scanned, rotated {angle:+.2f} deg{note}", file=sys.stderr)
            else:
                selection += [args.input, str(n)]
                print(f"page {n}: text layer kept", file=sys.stderr)
        subprocess.run(["qpdf", "--empty", "--pages", *selection, "--", args.output], check=True)


if __name__ == "__main__":
    main()
