"""Set one document single-column (as make_gazette_pdf.py) with a download-site watermark line.

Files downloaded from standards/document sharing sites carry a thin grey
line such as ``Download From: www.bzfxw.com 标准下载网`` stamped by the site at
the same place on every page.  It is not part of the document: a parser has
to drop it, as it drops running heads, and it must not end up in a title or a
clause.

This script reuses make_gazette_pdf.py's classification, styles and page
flow (A4, centred title and 文号, 2-character indents, right-aligned
signature, ``— N —`` page numbers) but draws no gazette running head (the
document stands alone) and stamps the watermark line on every page, in grey,
at the same position (``--watermark-at top|bottom``).

Usage::

    python3 tools/make_watermark_pdf.py IN.txt OUT.pdf --font FONT [--title-font FONT] \\
        [--font-size 13.5] --watermark "Download From: www.bzfxw.com 标准下载网" \\
        [--watermark-at top] [--truth-json OUT.pages.json]

    # expected.json for the full file and a short extract of it
    python3 tools/make_watermark_pdf.py --expected OUT/expected.json \\
        --truth tests/fixtures/yuxian-2024-03.json --doc 孟政发〔2024〕74号 \\
        --pages-json OUT.pages.json --short-pages 2 --watermark "..."
"""

import argparse
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_gazette_pdf as mg  # noqa: E402

from reportlab.lib.pagesizes import A4  # noqa: E402
from reportlab.lib.units import mm  # noqa: E402

CJK_NUM = mg.CJK_NUM
RE_ARTICLE = re.compile(rf"^(第[{CJK_NUM}]+条)")


class WatermarkDoc(mg.GazetteDoc):
    """GazetteDoc without the gazette head, with a watermark line on every page."""

    def __init__(self, filename, layout, watermark, where, **kw):
        self.watermark = watermark
        self.where = where
        super().__init__(filename, layout, **kw)

    def _decorate(self, canvas, doc):
        truth = self._truth_page()
        w, h = A4
        lay = self.layout
        canvas.saveState()
        footer = f"— {doc.page} —"
        canvas.setFont(lay.font, lay.size * 0.9)
        canvas.drawCentredString(w / 2, 12 * mm, footer)
        ws = 7.5
        canvas.setFillGray(0.55)
        canvas.setFont(lay.font, ws)
        y = h - 9 * mm if self.where == "top" else 6 * mm
        canvas.drawString(18 * mm, y, self.watermark)
        canvas.setStrokeGray(0.7)
        canvas.setLineWidth(0.3)
        ly = y - 2.2 if self.where == "top" else y + ws + 1.5
        canvas.line(18 * mm, ly, w - 18 * mm, ly)
        canvas.restoreState()
        truth["header"] = []
        truth["footer"] = [footer]
        truth["watermark"] = [self.watermark]


def build(args):
    body = mg.register_font(args.font, args.font_index, "WmBody")
    title = body
    if args.title_font:
        title = mg.register_font(args.title_font, args.title_font_index, "WmTitle")
    blocks = mg.read_blocks(args.input, cover=False)
    layout = mg.Layout("", "", 1, body, args.font_size, False)
    styles = mg.make_styles(body, title, args.font_size)
    story = []
    kinds = [k for k, _ in blocks]
    for i, (kind, text) in enumerate(blocks):
        story.append(mg.Paragraph(mg.escape(text), styles[kind]))
        if kind == "sign" and i + 1 < len(blocks) and kinds[i + 1] != "sign":
            story.append(mg.Spacer(1, args.font_size))
    doc = WatermarkDoc(args.output, layout, args.watermark, args.watermark_at,
                       title=blocks[0][1], creator="make_watermark_pdf.py",
                       invariant=1)
    doc.build(story)
    if args.truth_json:
        with open(args.truth_json, "w", encoding="utf-8") as f:
            json.dump({"watermark": args.watermark, "pages": doc.pages_truth}, f,
                      ensure_ascii=False, indent=1)
    print(f"{args.output}: {len(doc.pages_truth)} pages", file=sys.stderr)


def articles_on(pages):
    """Article labels that start a line on these pages, in order."""
    out = []
    for p in pages:
        for ln in p["lines"]:
            m = RE_ARTICLE.match(ln)
            if m and re.match(rf"^第[{CJK_NUM}]+条[ \u3000]", ln + " "):
                out.append(m.group(1))
    return out


def write_expected(args):
    truth = json.load(open(args.truth, encoding="utf-8"))
    t = next(d for d in truth["documents"] if d["doc_number"] == args.doc)
    pj = json.load(open(args.pages_json, encoding="utf-8"))
    pages = pj["pages"]
    arts = articles_on(pages)
    a = t["attachment"]
    if len(arts) != a["articles"]:
        sys.exit(f"articles laid out {len(arts)} != truth {a['articles']}")
    flat = "".join("".join(p["lines"]) for p in pages)
    norm = lambda s: re.sub(r"\s+", "", s).translate(str.maketrans("()", "（）"))  # noqa: E731
    if t["title_full"] not in norm(flat) or args.doc not in flat:
        sys.exit("title or 文号 not found in the laid-out lines")
    for p in pages:
        if args.watermark in "".join(p["lines"]):
            sys.exit("the watermark leaked into the body lines")
    short = pages[:args.short_pages]
    doc = {"doc_number": t["doc_number"], "issuer": [t["issuer"]], "title": t["title_full"],
           "doc_type": t["doc_type"], "signed_date": t["signed_date"],
           "instrument": {"title": a["title"], "chapters": a["chapters"],
                          "articles": a["articles"]}}
    out = {
        "source": "tests/fixtures/yuxian-2024-03.json (document), checked against watermark.pages.json",
        "watermark": args.watermark,
        "watermark_position": "same place on every page, near the top edge, grey 7.5 pt, "
                              "with a thin rule under it",
        "watermark_must_not_appear_in_any_field": [args.watermark, "Download From:",
                                                    "www.bzfxw.com", "标准下载网"],
        "files": {
            "watermark.pdf": {"pages": len(pages), "document": doc,
                              "articles_present": arts,
                              "page_of_article": {lab: i + 1 for i, p in enumerate(pages)
                                                  for lab in articles_on([p])}},
            "watermark-2p.pdf": {
                "pages": len(short), "extract_of": "watermark.pdf pages 1-%d" % len(short),
                "document": {**doc, "instrument": {"title": a["title"],
                                                   "chapters_present": sum(
                                                       1 for p in short for ln in p["lines"]
                                                       if re.match(rf"^第[{CJK_NUM}]+章", ln)),
                                                   "articles_present": len(articles_on(short))}},
                "articles_present": articles_on(short),
                "note": "only %d pages: the watermark repeats just %d times, so repetition "
                        "alone is weak evidence; it is still not document text" %
                        (len(short), len(short)),
            },
        },
    }
    with open(args.expected, "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print(f"{args.expected}: written", file=sys.stderr)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("input", nargs="?")
    ap.add_argument("output", nargs="?")
    ap.add_argument("--font")
    ap.add_argument("--font-index", type=int, default=0)
    ap.add_argument("--title-font")
    ap.add_argument("--title-font-index", type=int, default=0)
    ap.add_argument("--font-size", type=float, default=12.0)
    ap.add_argument("--watermark", default="Download From: www.bzfxw.com 标准下载网")
    ap.add_argument("--watermark-at", choices=("top", "bottom"), default="top")
    ap.add_argument("--truth-json")
    ap.add_argument("--expected", help="write expected.json instead of a PDF")
    ap.add_argument("--truth")
    ap.add_argument("--doc")
    ap.add_argument("--pages-json")
    ap.add_argument("--short-pages", type=int, default=2)
    args = ap.parse_args(argv)
    if args.expected:
        write_expected(args)
    else:
        if not (args.input and args.output and args.font):
            ap.error("input, output and --font are required")
        build(args)


if __name__ == "__main__":
    main()
