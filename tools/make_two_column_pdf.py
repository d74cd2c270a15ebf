"""Typeset gazette text in two columns, as Founder-made 政府公报 are set.

Purpose
-------
Test fixtures for the gazette pipeline.  Real gazettes (全国人民代表大会常务
委员会公报, provincial and county 政府公报 made with Founder/方正 software) are
set on a 16开 page in TWO columns.  This script imitates how such producers
lay a page out -- it copies no real file:

* 16开 page (480 x 740 pt by default), running head (gazette name and issue,
  e.g. ``孟县人民政府公报 ２０２４·３``) over a rule, at the outer edge of the
  page (left on even pages, right on odd pages); the page number ``— N —`` at
  the outer bottom corner;
* body about 10.5 pt in two columns separated by a gutter (default 2 em),
  lines justified to the column width (a line holding few characters is
  letter-spaced), 2-character first-line indents, line breaking at any CJK
  character with 禁则 (no closing punctuation at a line start -- it is
  squeezed into the line before -- and no opening bracket at a line end);
* ``第X条`` labels in a bold (黑体) face followed by a wide space made by
  positioning (no space glyph is drawn), chapter headings centred in the
  column;
* document titles centred across BOTH columns in a larger title face, the
  文号 (or a 令/公告 number such as ``第１２号``) centred under the title, and a
  parenthesised adoption note ``（……会议通过）`` set full width under a law's
  title;
* the signature and date right-aligned at the end of the document's last
  column.

A title band may come in the middle of a page.  The text before it is then
*balanced*: it flows down the left column and on into the right column so
that both end at about the same height; the band follows across the full
width, and the columns start again below it.  This is what makes a signature
end a right column and what makes the reading order of a page
"left, right, band, left, right".

Input
-----
The same conventions as ``make_gazette_pdf.py`` (this script imports its
``read_blocks``/``classify``): UTF-8 text, one paragraph per non-empty line,
lines before ``目 录`` are the cover (unless ``--no-cover``).  On top of its
kinds this script recognises: 目录 entries (``title（文号）……（N）``), the
addressee line (主送机关, the first line after a 文号 that ends in a colon),
an adoption note (a parenthesised line right after a title or number),
``第X条`` article lines, chapter headings with spaced words (``第一章 总 则``),
and an instrument title that follows a signature inside a document (the
attachment of an 印发 notice; set as a band too, slightly smaller).

Outputs
-------
* the PDF;
* ``--truth-json``: per physical page, what was placed where::

    {"page": 3, "label": 1,              # printed page number or null
     "header": ["孟县人民政府公报", "２０２４·３"], "footer": ["— 1 —"],
     "lines": [...],                     # body lines in reading order
     "regions": [                        # top to bottom
       {"type": "full", "bbox": [...], "lines": [...]},
       {"type": "columns", "bbox": [...], "left": [...], "right": [...],
        "left_continues_in_right": true, "left_ends_mid_sentence": true}],
     "columns": {"left": [...], "right": [...]},   # all column lines
     "starts": ["孟政发〔2024〕74号"],     # documents whose title is here
     "continues_on_next_page": true,
     "items": [{"text", "kind", "column", "region", "doc", "bbox"}, ...]}

  ``lines`` are the characters placed on each line, in order, without the
  justification spacing; the wide space after a ``第X条`` label (which is only
  positioning) is written as one ASCII space.  Boxes are in PDF points with
  the origin at the TOP-left corner (as ``pdftotext -bbox``): [x0, top, x1,
  bottom], where top/bottom are the font-size box around the baseline.
* ``--fodt``: the same content as a Flat ODT with two-column sections and
  single-column title paragraphs between them, for LibreOffice::

      soffice --headless --convert-to pdf --outdir OUTDIR FILE.fodt

Fonts
-----
``--font`` (body, 书宋), ``--title-font`` (titles, 小标宋) and
``--heading-font`` (黑体: 第X条 labels, chapter and 一、 headings) each take a
.ttf/.otf/.ttc path (``--*-index`` selects a face in a collection) or
``cid:STSong-Light``.  Fonts with PostScript (CFF) outlines, such as Noto
Serif CJK, are subset to the characters used and converted to TrueType
outlines on the fly (needs fontTools), because ReportLab embeds only
TrueType outlines.  All fonts are subset.

Randomness
----------
``--seed`` drives the only random choice, ``--new-doc random``: whether a
document starts on a new page (probability ``--new-page-prob``) or under a
band wherever the previous one ended.  With the same input, options and seed
the output is the same.

Example
-------
    python3 tools/make_two_column_pdf.py in.txt out.pdf \\
        --font /usr/share/fonts/truetype/arphic/uming.ttc \\
        --title-font /usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc \\
        --title-font-index 2 \\
        --heading-font /usr/share/fonts/truetype/wqy/wqy-microhei.ttc \\
        --issue ２０２４·３ --fix-toc-pages --truth-json out.pages.json

Requires: Python 3.8+, reportlab; fontTools only for CFF fonts.
"""

import argparse
import json
import math
import os
import random
import re
import sys
import tempfile
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_gazette_pdf as mg  # noqa: E402  (read_blocks, classify, register_font)

from reportlab.pdfbase import pdfmetrics  # noqa: E402
from reportlab.pdfgen import canvas as rl_canvas  # noqa: E402

# --------------------------------------------------------------------------
# Classification on top of make_gazette_pdf.classify
# --------------------------------------------------------------------------

CJK_NUM = mg.CJK_NUM
RE_ARTICLE = re.compile(rf"^(第[{CJK_NUM}]+条)[ \u3000\t]+(\S.*)$")
RE_CHAPTER = re.compile(rf"^第[{CJK_NUM}]+[章编节]([ \u3000]+[^\s。；，：]{{1,12}})+$")
RE_TOC_ENTRY = re.compile(r"…{2,}\s*[（(]\s*[\d０-９]+\s*[）)]$")
RE_TOC_PAGE = re.compile(r"[（(]\s*[\d０-９]+\s*[）)]$")
RE_ORDER_NO = re.compile(r"^[（(]?第[\d０-９一二三四五六七八九十百]+号[）)]?$")
RE_NOTE = re.compile(r"^[（(].*(通过|公布|修正|修订|施行|批准).*[）)]$")
RE_DOCNO_IN = re.compile(r"[（(]([^（）()\s]{1,12}〔\d{4}〕\d+号)[）)]")

BAND_KINDS = {"toc_head", "toc_section", "toc", "title", "subtitle", "docno",
              "note"}


def band_family(kind):
    return "toc" if kind.startswith("toc") else "title"


def leads_to_docno(blocks, i):
    """Do the title lines from i on end at a 文号 (or 令/公告 number)?"""
    j = i
    while j < len(blocks) and blocks[j][0] == "title":
        j += 1
    return j < len(blocks) and (blocks[j][0] == "docno" or RE_ORDER_NO.match(blocks[j][1]))


def refine(blocks):
    """[(kind, text)] from make_gazette_pdf.read_blocks -> refined kinds."""
    out = []
    in_toc = False
    doc_open = False          # a document's 文号 has been seen
    signed = False            # ... and its signature
    prev = None
    for bi, (kind, text) in enumerate(blocks):
        k = kind
        if kind == "cover":
            out.append((k, text))
            prev = k
            continue
        if kind == "toc_head":
            in_toc = True
        elif in_toc:
            if kind == "section":
                k = "toc_section"
            elif RE_TOC_ENTRY.search(text):
                k = "toc"
            else:
                in_toc = False
        if not in_toc:
            if RE_ORDER_NO.match(text) and prev in ("title", "docno"):
                k = "docno"
            elif kind in ("body", "title") and prev in ("title", "docno", "note") \
                    and RE_NOTE.match(text) and len(text) < 400:
                k = "note"
            elif kind == "title":
                k = ("subtitle" if (doc_open and signed and prev != "title"
                                    and not leads_to_docno(blocks, bi)) else "title")
            elif kind == "body" and RE_CHAPTER.match(text) and len(text) <= 24:
                k = "chapter"
            elif kind == "body" and prev == "docno" and text.endswith(("：", ":")):
                k = "addressee"
            elif kind == "body" and RE_ARTICLE.match(text):
                k = "article"
        if k == "title" and prev not in ("title",):
            doc_open, signed = False, False
        if k == "docno":
            doc_open = True
        if k == "sign":
            signed = True
        out.append((k, text))
        prev = k
    return out


# --------------------------------------------------------------------------
# Fonts
# --------------------------------------------------------------------------

def is_cff(path, index):
    try:
        from fontTools.ttLib import TTFont
    except ImportError:
        return False
    try:
        f = TTFont(path, fontNumber=index, lazy=True)
        return "CFF " in f or "CFF2" in f
    except Exception:
        return False


def cff_to_ttf_subset(path, index, text, out_path):
    """Subset a CFF-outline font to `text` and convert it to TrueType outlines."""
    from fontTools import subset
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import TTFont, newTable

    f = TTFont(path, fontNumber=index, recalcTimestamp=False)
    opts = subset.Options()
    opts.layout_features = []
    opts.name_IDs = ["*"]
    opts.notdef_outline = True
    opts.hinting = False
    sub = subset.Subsetter(opts)
    sub.populate(text=text)
    sub.subset(f)
    order = f.getGlyphOrder()
    gs = f.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = {}
    for g in order:
        pen = TTGlyphPen(gs)
        gs[g].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
        glyf.glyphs[g] = pen.glyph()
    f["loca"] = newTable("loca")
    f["glyf"] = glyf
    for t in ("CFF ", "CFF2", "VORG"):
        if t in f:
            del f[t]
    maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for a in ("maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs",
              "maxInstructionDefs", "maxStackElements", "maxSizeOfInstructions",
              "maxComponentElements"):
        setattr(maxp, a, 0)
    maxp.maxZones = 1
    f["maxp"] = maxp
    post = f["post"]
    post.formatType = 2.0
    post.extraNames = []
    post.mapping = {}
    post.glyphOrder = order
    f.sfntVersion = "\x00\x01\x00\x00"
    f["head"].glyphDataFormat = 0
    glyf.compile(f)
    f.save(out_path)


_tmpdir = None


def load_font(spec, index, alias, text):
    """Register a font with ReportLab; converts CFF fonts first."""
    global _tmpdir
    if not spec.startswith("cid:") and is_cff(spec, index):
        if _tmpdir is None:
            _tmpdir = tempfile.TemporaryDirectory(prefix="twocol-fonts-")
        out = os.path.join(_tmpdir.name, alias + ".ttf")
        cff_to_ttf_subset(spec, index, text, out)
        return mg.register_font(out, 0, alias)
    return mg.register_font(spec, index, alias)


# --------------------------------------------------------------------------
# Line breaking
# --------------------------------------------------------------------------

NO_START = set("，。、；：？！）》」』”’〕】〉…·%,.;:!?)]}・—")
NO_END = set("（《「『“‘〔【〈([{")
RE_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9.\-/%]*|\s|.", re.S)


@dataclass
class Piece:
    text: str
    font: str
    size: float
    gap_after: float = 0.0        # positioning gap after the piece (pt)


@dataclass
class Line:
    pieces: list                  # [Piece]
    x0: float                     # offset of the first glyph from the box left
    avail: float                  # width the line is justified to (from x0)
    natural: float                # natural width of pieces incl. gaps
    justify: bool
    kind: str
    height: float                 # vertical space the line takes
    base: float                   # baseline offset from the top of that space
    size: float                   # main font size (for the bbox)
    keep_next: bool = False       # do not end a column/page after this line
    para_end: bool = True         # last line of its paragraph
    doc: str = None
    text: str = ""                # truth text

    def glyphs(self):
        return sum(len(p.text) for p in self.pieces)

    def char_space(self):
        n = self.glyphs()
        if not self.justify or n < 2:
            return 0.0
        return (self.avail - self.natural) / (n - 1)


class Measurer:
    def __init__(self):
        self.cache = {}

    def w(self, text, font, size):
        key = (text, font)
        v = self.cache.get(key)
        if v is None:
            v = pdfmetrics.stringWidth(text, font, 1000.0) / 1000.0
            self.cache[key] = v
        return v * size


M = Measurer()


def break_tokens(toks, widths, first_lim, lim, size):
    """Greedy CJK line breaking with 禁则.  Returns [(start, end)] token ranges."""
    lines = []
    n = len(toks)
    start = 0
    while start < n:
        while start < n and toks[start].isspace():
            start += 1
        if start >= n:
            break
        L = first_lim if not lines else lim
        w = 0.0
        j = start
        while j < n and w + widths[j] <= L + 1e-6:
            w += widths[j]
            j += 1
        if j == start:
            j = start + 1                         # a token wider than the line
        elif j < n:
            squeezed = False
            if (toks[j] in NO_START and w + widths[j] <= L + 0.55 * size + 1e-6
                    and not (j + 1 < n and toks[j + 1] in NO_START)):
                j += 1                             # squeeze one punctuation in
                squeezed = True
            if not squeezed:
                k = j
                while k - 1 > start and (toks[k] in NO_START or toks[k - 1] in NO_END
                                         or toks[k].isspace() and False):
                    k -= 1
                if k > start:
                    j = k
        lines.append((start, j))
        start = j
    return lines


def strip_range(toks, a, b):
    while a < b and toks[a].isspace():
        a += 1
    while b > a and toks[b - 1].isspace():
        b -= 1
    return a, b


def set_paragraph(text, width, font, size, leading, kind, *, indent=0.0,
                  label=None, label_font=None, label_gap=None, align="justify",
                  justify=True, right_indent=0.0, space_before=0.0,
                  keep_together=False):
    """Break one paragraph into Lines for a box of the given width."""
    toks = RE_TOKEN.findall(text)
    widths = [M.w(t, font, size) for t in toks]
    first_extra = indent
    label_w = 0.0
    if label:
        label_gap = size if label_gap is None else label_gap
        label_w = M.w(label, label_font, size) + label_gap
        first_extra += label_w
    avail = width - right_indent
    ranges = break_tokens(toks, widths, avail - first_extra, avail, size)
    if not ranges:
        ranges = [(0, 0)]
    lines = []
    for i, (a, b) in enumerate(ranges):
        a, b = strip_range(toks, a, b)
        s = "".join(toks[a:b])
        nat = sum(widths[a:b])
        pieces = []
        x0 = 0.0
        truth = s
        if i == 0 and label:
            pieces.append(Piece(label, label_font, size, label_gap))
            nat += label_w
            truth = label + " " + s
            x0 = indent
        elif i == 0:
            x0 = indent
        if s:
            pieces.append(Piece(s, font, size))
        last = i == len(ranges) - 1
        box = avail - x0
        if align == "center":
            x0 = (width - nat) / 2.0
        elif align == "right":
            x0 = width - right_indent - nat
        h = leading
        base = (leading - size) / 2.0 + 0.86 * size
        if i == 0 and space_before:
            h += space_before
            base += space_before
        ln = Line(pieces, x0, box, nat, justify and align == "justify" and not last,
                  kind, h, base, size, text=truth, para_end=last)
        if keep_together and not last:
            ln.keep_next = True
        lines.append(ln)
    return lines


# Where a typesetter likes to break a title: after the issuer, after 关于/印发,
# around 《》 and （）, before 的通知; and, less so, before common words.
TITLE_GOOD = re.compile(r"(?<=人民政府)(?=关于)|(?<=办公室)(?=关于)|(?<=委员会)(?=关于)|"
                        r"(?<=关于)|(?<=印发)|(?<=转发)|(?=《)|(?<=》)|(?=的(通知|通告|公告|决定|意见|批复|报告)$)")
TITLE_WORDS = ("农村", "集体", "经营性", "建设", "入市", "实施", "管理", "暂行", "办法",
               "方案", "土地", "增值", "收益", "调节金", "征收", "使用", "经济", "技术",
               "开发区", "一般", "环境", "影响", "评价", "审批", "县级", "权限", "有限公司",
               "重大", "火灾", "隐患", "进行", "挂牌", "督办", "政府", "投资", "信息化",
               "项目", "招商", "引资", "奖励", "工作", "行政", "执法", "主体", "名单",
               "等", "任免", "成立", "调整", "关于", "废止", "中华人民共和国")


def title_penalties(toks):
    """Penalty (in ems) for a line break before token k, k = 1 .. len-1."""
    text = "".join(toks)
    offs = [0]
    for t in toks:
        offs.append(offs[-1] + len(t))
    good = {m.start() for m in TITLE_GOOD.finditer(text)}
    depth, d = [], 0
    for ch in text:
        depth.append(d)
        d += {"《": 1, "（": 1, "(": 1, "》": -1, "）": -1, ")": -1}.get(ch, 0)
    pen = {}
    for k in range(1, len(toks)):
        o = offs[k]
        inside = 3.0 if depth[o] > 0 and text[o - 1] not in "《（(" else 0.0
        if toks[k] in NO_START or toks[k - 1] in NO_END or toks[k].isspace():
            pen[k] = None
        elif o in good:
            pen[k] = 0.0 + inside
        elif any(text.startswith(w, o) for w in TITLE_WORDS):
            pen[k] = 2.0 + inside
        else:
            pen[k] = 5.0 + inside
    return pen


def title_breaks(toks, widths, width, size):
    """Break a title into the fewest lines, then prefer good break points and
    lines of similar length.  Returns [(start, end)]."""
    import itertools
    total = sum(widths)
    pen = title_penalties(toks)
    cum = [0.0]
    for w in widths:
        cum.append(cum[-1] + w)
    n_tok = len(toks)
    cands = [k for k in range(1, n_tok) if pen[k] is not None]
    for n in range(max(1, math.ceil(total / width - 1e-6)), 6):
        if n == 1:
            if total <= width + 1e-6:
                return [(0, n_tok)]
            continue
        best, best_cost = None, None
        for combo in itertools.combinations(cands, n - 1):
            cuts = (0,) + combo + (n_tok,)
            ws = [cum[cuts[i + 1]] - cum[cuts[i]] for i in range(n)]
            if max(ws) > width + 1e-6:
                continue
            cost = sum(pen[k] for k in combo) + 0.6 * (max(ws) - min(ws)) / size
            if best_cost is None or cost < best_cost:
                best, best_cost = cuts, cost
        if best:
            return [(best[i], best[i + 1]) for i in range(n)]
    return break_tokens(toks, widths, width, width, size)


def balanced_lines(text, width, font, size, leading, kind):
    """Centred lines of a title, broken at good points into similar lengths."""
    toks = RE_TOKEN.findall(text)
    widths = [M.w(t, font, size) for t in toks]
    best = title_breaks(toks, widths, width, size)
    out = []
    for a, b in best:
        a, b = strip_range(toks, a, b)
        s = "".join(toks[a:b])
        nat = sum(widths[a:b])
        out.append(Line([Piece(s, font, size)], (width - nat) / 2.0, nat, nat,
                        False, kind, leading, (leading - size) / 2.0 + 0.86 * size,
                        size, text=s))
    return out


# --------------------------------------------------------------------------
# Page geometry and styles
# --------------------------------------------------------------------------

PAGE_SIZES = {"16k": (480.0, 740.0), "a4": (595.28, 841.89),
              "b5": (498.9, 708.66), "da16k": (595.28 * 0.875, 841.89 * 0.875)}


def parse_len(s, em):
    s = str(s).strip()
    if s.endswith("em"):
        return float(s[:-2]) * em
    if s.endswith("mm"):
        return float(s[:-2]) * 72 / 25.4
    if s.endswith("pt"):
        s = s[:-2]
    return float(s)


@dataclass
class Geo:
    width: float
    height: float
    top: float                    # distance of the text area top from the page top
    bottom: float                 # distance of the text area bottom from page top
    inner: float
    outer: float
    gutter: float

    def left_margin(self, label):
        """x of the text area's left edge; odd printed pages are right-hand."""
        if label is not None and label % 2 == 0:
            return self.outer
        return self.inner

    @property
    def text_width(self):
        return self.width - self.inner - self.outer

    @property
    def col_width(self):
        return (self.text_width - self.gutter) / 2.0


@dataclass
class Fonts:
    body: str
    title: str
    heading: str


@dataclass
class Opts:
    size: float
    leading: float
    title_size: float
    justify: bool


# --------------------------------------------------------------------------
# Items: bands (full width) and column lines
# --------------------------------------------------------------------------

@dataclass
class Band:
    lines: list
    space_before: float
    space_after: float
    kinds: list = field(default_factory=list)
    starts_doc: str = None        # 文号 of the document this band starts
    blocks: list = field(default_factory=list)

    @property
    def height(self):
        return sum(l.height for l in self.lines)


def toc_lines(text, width, fonts, o, page_label):
    """A 目录 entry: title（文号） wrapped with a hanging indent, leaders, （N）."""
    size = o.size
    m = RE_TOC_PAGE.search(text)
    body = text[:m.start()].rstrip("…. ") if m else text
    num = f"（{page_label}）" if page_label is not None else (m.group(0) if m else "")
    num_w = M.w(num, fonts.body, size)
    lines = set_paragraph(body, width - num_w - 3 * size, fonts.body, size,
                          o.leading * 0.9, "toc", align="left", justify=False)
    for ln in lines[1:]:
        ln.x0 += size
    last = lines[-1]
    dot_w = M.w("…", fonts.body, size)
    room = width - (last.x0 + last.natural) - num_w
    ndots = max(2, int(room / dot_w))
    leader = "…" * ndots
    last.pieces.append(Piece(leader, fonts.body, size))
    last.natural += ndots * dot_w
    gap = width - last.x0 - last.natural - num_w
    last.pieces[-2 if len(last.pieces) > 1 else -1].gap_after = 0
    last.pieces[-1].gap_after = gap
    last.pieces.append(Piece(num, fonts.body, size))
    last.natural += gap + num_w
    last.text = last.text + leader + num
    for ln in lines:
        ln.justify = False
    return lines


def build_items(blocks, geo, fonts, o, rng, new_doc, new_page_prob, toc_pages):
    """Blocks -> [('band', Band) | ('cols', [Line]) | ('break',) | ('cover', [...])]."""
    items = []
    cw = geo.col_width
    tw = geo.text_width
    size, lead = o.size, o.leading
    doc = None
    cols = []
    first_doc = True
    i = 0
    n = len(blocks)

    def flush_cols():
        nonlocal cols
        if cols:
            items.append(("cols", cols))
            cols = []

    cover = [t for k, t in blocks if k == "cover"]
    if cover:
        items.append(("cover", cover))
        items.append(("break",))
    blocks = [(k, t) for k, t in blocks if k != "cover"]
    n = len(blocks)
    in_toc = False
    while i < n:
        kind, text = blocks[i]
        if kind in BAND_KINDS:
            flush_cols()
            # gather consecutive band blocks into one band
            group = []
            fam = band_family(kind)
            while i < n and blocks[i][0] in BAND_KINDS and band_family(blocks[i][0]) == fam:
                if (group and blocks[i][0] == "title"
                        and group[-1][0] in ("docno", "note", "subtitle")):
                    break                        # a new document right after a band
                group.append(blocks[i])
                i += 1
            lines = []
            kinds = [k for k, _ in group]
            starts = None
            if "title" in kinds:
                dn = [t for k, t in group if k == "docno"]
                starts = dn[0] if dn else next(t for k, t in group if k == "title")
                doc = starts
            if kinds[0] == "toc_head":
                in_toc = True
            for k, t in group:
                if k == "toc_head":
                    ls = balanced_lines(t.replace(" ", "\u3000\u3000"), tw, fonts.title,
                                        o.title_size * 1.1, o.title_size * 2.6, k)
                elif k == "toc_section":
                    ls = set_paragraph(t, tw, fonts.heading, size, lead * 1.3, k,
                                       align="left", justify=False)
                elif k == "toc":
                    mdn = RE_DOCNO_IN.search(t)
                    lab = toc_pages.get(mdn.group(1)) if mdn else None
                    ls = toc_lines(t, tw, fonts, o, lab)
                elif k == "title":
                    ls = balanced_lines(t, tw * 0.92, fonts.title, o.title_size,
                                        o.title_size * 1.55, k)
                    for l in ls:
                        l.x0 += tw * 0.04
                elif k == "subtitle":
                    ls = balanced_lines(t, tw * 0.9, fonts.title, o.title_size * 0.88,
                                        o.title_size * 0.88 * 1.55, k)
                    for l in ls:
                        l.x0 += tw * 0.05
                elif k == "docno":
                    ls = balanced_lines(t, tw, fonts.body, size, lead * 1.2, k)
                elif k == "note":
                    ls = set_paragraph(t, tw - 4 * size, fonts.body, size * 0.92,
                                       lead * 0.95, k, indent=2 * size * 0.92,
                                       justify=o.justify)
                    for l in ls:
                        l.x0 += 2 * size
                for l in ls:
                    l.doc = doc
                lines.extend(ls)
            before = lead * 1.4 if kinds[0] in ("title", "subtitle") else lead * 0.5
            after = lead * 0.6
            if in_toc and not (i < n and blocks[i][0] in BAND_KINDS):
                in_toc = False
            if starts and not first_doc and (
                    new_doc == "page" or (new_doc == "random" and rng.random() < new_page_prob)):
                items.append(("break",))
            if starts and first_doc:
                if any(it[0] == "band" for it in items):
                    items.append(("break",))     # after the 目录
                first_doc = False
            items.append(("band", Band(lines, before, after, kinds, starts, group)))
            continue
        # column material
        if kind == "chapter":
            t = text
            ls = set_paragraph(t, cw, fonts.heading, size, lead, kind, align="center",
                               justify=False, space_before=lead * 0.5)
            ls[-1].keep_next = True
        elif kind == "heading":
            ls = set_paragraph(text, cw, fonts.heading, size, lead, kind,
                               indent=2 * size, justify=o.justify)
            ls[-1].keep_next = True
        elif kind == "article":
            m = RE_ARTICLE.match(text)
            ls = set_paragraph(m.group(2), cw, fonts.body, size, lead, kind,
                               indent=2 * size, label=m.group(1),
                               label_font=fonts.heading, label_gap=size,
                               justify=o.justify)
        elif kind == "addressee":
            ls = set_paragraph(text, cw, fonts.body, size, lead, kind,
                               justify=o.justify)
        elif kind == "sign":
            nxt = blocks[i + 1] if i + 1 < n else ("", "")
            prv = blocks[i - 1] if i > 0 else ("", "")
            is_date = bool(mg.RE_DATE.match(text))
            if not is_date and nxt[0] == "sign" and mg.RE_DATE.match(nxt[1]):
                # org above the date: centred over the date
                dw = M.w(nxt[1], fonts.body, size)
                ow = M.w(text, fonts.body, size)
                date_right = cw - 2 * size
                x = date_right - dw / 2 - ow / 2
                x = min(x, cw - ow)
                ls = set_paragraph(text, cw, fonts.body, size, lead, kind,
                                   align="left", justify=False,
                                   space_before=lead)
                ls[0].x0 = max(0.0, x)
                ls[-1].keep_next = True
            else:
                sb = lead if prv[0] != "sign" else 0.0
                ls = set_paragraph(text, cw, fonts.body, size, lead, kind,
                                   align="right", right_indent=2 * size,
                                   justify=False, space_before=sb)
        else:   # body, section (outside the 目录) and anything else
            ls = set_paragraph(text, cw, fonts.body, size, lead, kind,
                               indent=2 * size, justify=o.justify)
        for l in ls:
            l.doc = doc
        cols.extend(ls)
        i += 1
    flush_cols()
    return items


# --------------------------------------------------------------------------
# Pagination
# --------------------------------------------------------------------------

@dataclass
class Page:
    regions: list = field(default_factory=list)   # dicts
    cover: list = None

    def empty(self):
        return not self.regions and self.cover is None


def col_fit(lines, pos, H):
    """Index after the last line (from pos) that fits in height H, keep rules applied."""
    h = 0.0
    j = pos
    while j < len(lines) and h + lines[j].height <= H + 1e-6:
        h += lines[j].height
        j += 1
    if j < len(lines):
        k = j
        while k - 1 > pos and lines[k - 1].keep_next:
            k -= 1
        if k > pos:
            j = k
    return j


def heights(lines, a, b):
    return sum(l.height for l in lines[a:b])


def balance(lines, pos, end):
    """Split point s: left = [pos:s], right = [s:end], left >= right, minimal."""
    if end - pos <= 1:
        return end
    best = end
    for s in range(pos + 1, end + 1):
        if lines[s - 1].keep_next and s < end:
            continue
        if heights(lines, pos, s) + 1e-6 >= heights(lines, s, end):
            best = s
            break
    return best


def paginate(items, geo, lead):
    pages = [Page()]
    y = geo.top

    def new_page():
        nonlocal y
        pages.append(Page())
        y = geo.top

    idx = 0
    while idx < len(items):
        it = items[idx]
        page = pages[-1]
        if it[0] == "cover":
            if not page.empty():
                new_page()
            pages[-1].cover = it[1]
        elif it[0] == "break":
            if not page.empty():
                new_page()
        elif it[0] == "band":
            band = it[1]
            at_top = not page.regions
            nxt = items[idx + 1] if idx + 1 < len(items) else None
            follow = 3 * lead if nxt and nxt[0] == "cols" else 0.0
            need = band.height + (0 if at_top else band.space_before) + follow
            if y + need > geo.bottom + 1e-6 and not at_top:
                new_page()
                at_top = True
            page = pages[-1]
            if not at_top:
                y += band.space_before
            placed = []
            for ln in band.lines:
                placed.append((ln, y))
                y += ln.height
            page.regions.append({"type": "full", "y0": placed[0][1], "y1": y,
                                 "lines": placed, "band": band})
            y += band.space_after
        elif it[0] == "cols":
            lines = it[1]
            pos = 0
            nxt = items[idx + 1] if idx + 1 < len(items) else None
            while pos < len(lines):
                page = pages[-1]
                H = geo.bottom - y
                k1 = col_fit(lines, pos, H)
                if k1 == pos:
                    new_page()
                    continue
                k2 = col_fit(lines, k1, H)
                if k2 >= len(lines):
                    s = balance(lines, pos, len(lines))
                    if heights(lines, pos, s) > H + 1e-6:      # cannot balance
                        s = k1
                    left, right = lines[pos:s], lines[s:]
                    pos = len(lines)
                    full = False
                else:
                    left, right = lines[pos:k1], lines[k1:k2]
                    pos = k2
                    full = True
                region = {"type": "columns", "y0": y, "left": [], "right": []}
                yy = y
                for ln in left:
                    region["left"].append((ln, yy))
                    yy += ln.height
                hl = yy - y
                yy = y
                for ln in right:
                    region["right"].append((ln, yy))
                    yy += ln.height
                hr = yy - y
                region["y1"] = y + max(hl, hr)
                page.regions.append(region)
                y = region["y1"]
                if full:
                    new_page()
            del nxt
        idx += 1
    if pages and pages[-1].empty():
        pages.pop()
    return pages


# --------------------------------------------------------------------------
# Rendering and truth
# --------------------------------------------------------------------------

def fw_digits(s):
    return s.translate({ord(c): 0xFF10 + ord(c) - 48 for c in "0123456789"})


def draw_line(c, ln, x, y_top, page_h):
    """Draw a Line whose box starts at x, y_top (top-origin).  Returns bbox."""
    cs = ln.char_space()
    base = page_h - (y_top + ln.base)
    xx = x + ln.x0
    for p in ln.pieces:
        if p.text:
            t = c.beginText(xx, base)
            t.setFont(p.font, p.size)
            t.setCharSpace(cs)
            t.textOut(p.text)
            c.drawText(t)
        xx += M.w(p.text, p.font, p.size) + cs * len(p.text) + p.gap_after
    x_end = xx - cs if ln.glyphs() else xx
    top = y_top + ln.base - 0.86 * ln.size
    return [round(x + ln.x0, 2), round(top, 2), round(x_end, 2), round(top + ln.size, 2)]


def ends_mid_sentence(ln):
    return (not ln.para_end) and not ln.text.rstrip().endswith(("。", "；", "！", "？", "："))


def render(pages, out_path, geo, fonts, o, gazette, issue, first_page_number, meta):
    c = rl_canvas.Canvas(out_path, pagesize=(geo.width, geo.height), invariant=1,
                         pageCompression=1)
    c.setTitle(meta.get("title", ""))
    c.setAuthor(meta.get("author", ""))
    c.setSubject(meta.get("subject", ""))
    c.setCreator("make_two_column_pdf.py")
    W, Hh = geo.width, geo.height
    # front matter: pages before the first page that starts a document
    first_doc_page = next((i for i, p in enumerate(pages)
                           if any(r["type"] == "full" and r["band"].starts_doc
                                  for r in p.regions)), 0)
    truth = []
    for pi, page in enumerate(pages):
        label = None if pi < first_doc_page else pi - first_doc_page + first_page_number
        lm = geo.left_margin(label)
        rec = {"page": pi + 1, "label": label, "header": [], "footer": [],
               "lines": [], "regions": [], "columns": {"left": [], "right": []},
               "starts": [], "continues_on_next_page": False, "items": []}
        if page.cover is not None:
            draw_cover(c, page.cover, geo, fonts, o, rec)
        if label is not None:
            hs = o.size * 0.86
            c.setFont(fonts.body, hs)
            yb = Hh - (geo.top - 20)
            iss_w = M.w(issue, fonts.body, hs)
            name_w = M.w(gazette, fonts.body, hs)
            gap = hs
            if label % 2 == 0:                    # left-hand page: head at left
                x = lm
            else:
                x = lm + geo.text_width - name_w - gap - iss_w
            c.drawString(x, yb, gazette)
            c.drawString(x + name_w + gap, yb, issue)
            c.setLineWidth(0.6)
            c.line(lm, yb - 4.5, lm + geo.text_width, yb - 4.5)
            foot = f"— {label} —"
            c.setFont(fonts.body, o.size * 0.9)
            fy = Hh - geo.bottom - 24
            fw = M.w(foot, fonts.body, o.size * 0.9)
            fx = lm if label % 2 == 0 else lm + geo.text_width - fw
            c.drawString(fx, fy, foot)
            rec["header"] = [gazette, issue]
            rec["footer"] = [foot]
        for r in page.regions:
            if r["type"] == "full":
                band = r["band"]
                texts = []
                x0s, x1s = [], []
                for ln, yt in r["lines"]:
                    bb = draw_line(c, ln, lm, yt, Hh)
                    texts.append(ln.text)
                    rec["items"].append({"text": ln.text, "kind": ln.kind,
                                         "column": "full", "region": len(rec["regions"]),
                                         "doc": ln.doc, "bbox": bb})
                    x0s.append(bb[0])
                    x1s.append(bb[2])
                rec["regions"].append({"type": "full",
                                       "bbox": [round(min(x0s), 2), round(r["y0"], 2),
                                                round(max(x1s), 2), round(r["y1"], 2)],
                                       "lines": texts})
                rec["lines"].extend(texts)
                if band.starts_doc:
                    rec["starts"].append(band.starts_doc)
            else:
                reg = {"type": "columns",
                       "bbox": [round(lm, 2), round(r["y0"], 2),
                                round(lm + geo.text_width, 2), round(r["y1"], 2)],
                       "left": [], "right": []}
                for side, xoff in (("left", 0.0), ("right", geo.col_width + geo.gutter)):
                    for ln, yt in r[side]:
                        bb = draw_line(c, ln, lm + xoff, yt, Hh)
                        reg[side].append(ln.text)
                        rec["columns"][side].append(ln.text)
                        rec["items"].append({"text": ln.text, "kind": ln.kind,
                                             "column": side, "region": len(rec["regions"]),
                                             "doc": ln.doc, "bbox": bb})
                    rec["lines"].extend(reg[side])
                lf = r["left"][-1][0] if r["left"] else None
                reg["left_continues_in_right"] = bool(lf and r["right"] and not lf.para_end)
                reg["left_ends_mid_sentence"] = bool(lf and r["right"] and ends_mid_sentence(lf))
                rec["regions"].append(reg)
        # does the last body line of the page continue on the next page?
        last = None
        for r in page.regions:
            if r["type"] == "full":
                last = r["lines"][-1][0] if r["lines"] else last
            else:
                last = (r["right"] or r["left"])[-1][0]
        rec["continues_on_next_page"] = bool(last is not None and not last.para_end)
        truth.append(rec)
        c.showPage()
    c.save()
    return truth


def draw_cover(c, cover, geo, fonts, o, rec):
    """A simple masthead cover: name large, then the other cover lines."""
    W, H = geo.width, geo.height
    y = H * 0.26
    items = []
    for i, t in enumerate(cover):
        if i == 0:
            size, font, adv = o.title_size * 2.4, fonts.title, o.title_size * 4.2
        elif re.match(r"^[A-Z ]+$", t):
            size, font, adv = o.size * 1.1, fonts.body, o.size * 4
        elif i == len(cover) - 1 or "主办" in t or "出版" in t:
            size, font, adv = o.size * 1.2, fonts.body, o.size * 2.6
        else:
            size, font, adv = o.title_size * 1.1, fonts.title, o.title_size * 2.4
        if "主办" in t and y < H * 0.7:
            y = H * 0.72
        w = M.w(t, font, size)
        x = (W - w) / 2
        c.setFont(font, size)
        c.drawString(x, H - y, t)
        top = y - 0.86 * size
        items.append({"text": t, "kind": "cover", "column": "full", "region": 0, "doc": None,
                      "bbox": [round(x, 2), round(top, 2), round(x + w, 2),
                               round(top + size, 2)]})
        y += adv
    rec["lines"].extend(cover)
    rec["items"].extend(items)
    rec["regions"].append({"type": "full", "bbox": [min(i["bbox"][0] for i in items),
                                                    items[0]["bbox"][1],
                                                    max(i["bbox"][2] for i in items),
                                                    items[-1]["bbox"][3]],
                           "lines": list(cover)})


def doc_pages(truth):
    """{文号 or title: printed page label of its title band}."""
    out = {}
    for p in truth:
        for d in p["starts"]:
            out.setdefault(d, p["label"])
    return out


# --------------------------------------------------------------------------
# Flat ODT (LibreOffice) version
# --------------------------------------------------------------------------

def build_fodt(blocks, out_path, args, geo, toc_breaks):
    """Two-column sections for column material, plain paragraphs for bands.

    LibreOffice balances the columns of a section that is followed by other
    content, so a title between two sections gives the same "columns, band,
    columns" page as the ReportLab version.  Page numbers in the 目录 are
    page-reference fields to bookmarks on the titles (LibreOffice fills them
    in when it lays the document out)."""
    s = args.font_size
    ts = args.title_size
    pt = lambda v: f"{v:.2f}pt"  # noqa: E731
    bodyf, titlef, heif = args.fodt_body_family, args.fodt_title_family, args.fodt_heading_family
    lh = pt(s * args.leading)                    # exact line pitch, as the grid
    width_txt = geo.text_width

    def pstyle(name, size, align="justify", indent=0.0, before=0.0, after=0.0,
               font="Body", bold=False, extra="", mleft=0.0, mright=0.0,
               line_height=lh, parent=None, children=""):
        weight = (' fo:font-weight="bold" style:font-weight-asian="bold"' if bold else "")
        par = f' style:parent-style-name="{parent}"' if parent else ""
        return (f'<style:style style:name="{name}" style:family="paragraph"{par}>'
                f'<style:paragraph-properties fo:text-align="{align}"'
                f' fo:text-indent="{pt(indent)}" fo:margin-top="{pt(before)}"'
                f' fo:margin-bottom="{pt(after)}" fo:margin-left="{pt(mleft)}"'
                f' fo:margin-right="{pt(mright)}" fo:line-height="{line_height}"'
                f' style:punctuation-wrap="hanging" style:line-break="strict"'
                f' style:text-autospace="ideograph-alpha"{extra}>{children}'
                f'</style:paragraph-properties>'
                f'<style:text-properties style:font-name="{font}"'
                f' style:font-name-asian="{font}" fo:font-size="{pt(size)}"'
                f' style:font-size-asian="{pt(size)}"{weight}/></style:style>')

    toc_tab = (f'<style:tab-stops><style:tab-stop style:position="{pt(width_txt - 0.5)}"'
               f' style:type="right" style:leader-style="dotted"'
               f' style:leader-text="…"/></style:tab-stops>')
    styles = [
        pstyle("hdr_r", s * 0.86, "end", font="Body", line_height=pt(s * 1.2)),
        pstyle("hdr_l", s * 0.86, "start", font="Body", line_height=pt(s * 1.2)),
        pstyle("ftr_r", s * 0.9, "end", line_height=pt(s * 1.2)),
        pstyle("ftr_l", s * 0.9, "start", line_height=pt(s * 1.2)),
        pstyle("masthead", ts * 2.4, "center", before=geo.height * 0.1, after=ts * 2,
               font="Title", bold=True, line_height=pt(ts * 3)),
        pstyle("cover", ts * 1.1, "center", after=ts, font="Title", bold=True,
               line_height=pt(ts * 1.5)),
        pstyle("cover_small", s * 1.1, "center", after=s * 2),
        pstyle("cover_foot", s * 1.2, "center", before=s * 1.0),
        pstyle("cover_foot1", s * 1.2, "center", before=geo.height * 0.16),
        pstyle("toc_head", ts * 1.1, "center", before=0, after=ts * 1.2, font="Title",
               bold=True, extra=' fo:break-before="page"', line_height=pt(ts * 2.6)),
        pstyle("toc_section", s, "start", before=s * 0.5, font="Hei", bold=True),
        pstyle("toc", s, "start", mleft=s, indent=-s, line_height=pt(s * args.leading * 0.9),
               children=toc_tab),
        pstyle("title", ts, "center", before=s * 1.8, after=s * 0.3, font="Title",
               bold=True, line_height=pt(ts * 1.55), mleft=width_txt * 0.04,
               mright=width_txt * 0.04),
        pstyle("title_pb", ts, "center", before=0, after=s * 0.3, font="Title",
               bold=True, line_height=pt(ts * 1.55), mleft=width_txt * 0.04,
               mright=width_txt * 0.04, extra=' fo:break-before="page"'),
        pstyle("subtitle", ts * 0.88, "center", before=s * 1.6, after=s * 0.3,
               font="Title", bold=True, line_height=pt(ts * 1.55), mleft=width_txt * 0.05,
               mright=width_txt * 0.05),
        pstyle("docno", s, "center", before=s * 0.2, after=s * 0.9),
        pstyle("note", s * 0.92, "justify", indent=s * 1.84, mleft=s * 2, mright=s * 2,
               after=s * 0.6),
        pstyle("chapter", s, "center", before=s * 0.6, after=s * 0.2, font="Hei",
               bold=True, extra=' fo:keep-with-next="always"'),
        pstyle("heading", s, "justify", indent=s * 2, font="Hei", bold=True,
               extra=' fo:keep-with-next="always"'),
        pstyle("addressee", s, "justify"),
        pstyle("body", s, "justify", indent=s * 2),
        # (no keep-with-next on the signature: in a balanced section LibreOffice
        # then pushes the band that follows to the next page)
        pstyle("sign", s, "end", mright=s * 2),
        pstyle("sign_first", s, "end", mright=s * 2, before=s * 1.6,
               extra=' fo:orphans="2" fo:widows="2"'),
        pstyle("sign_date", s, "end", mright=s * 2),
    ]
    hei_span = ('<style:style style:name="Lbl" style:family="text">'
                '<style:text-properties style:font-name="Hei" style:font-name-asian="Hei"'
                ' fo:font-weight="bold" style:font-weight-asian="bold"/></style:style>')
    mm = lambda v: f"{v * 25.4 / 72:.2f}mm"  # noqa: E731
    head_h = 18.0
    auto = f"""
 <style:page-layout style:name="pmCover">
  <style:page-layout-properties fo:page-width="{mm(geo.width)}" fo:page-height="{mm(geo.height)}"
   fo:margin-top="{mm(geo.top)}" fo:margin-bottom="{mm(geo.height - geo.bottom)}"
   fo:margin-left="{mm(geo.inner)}" fo:margin-right="{mm(geo.outer)}"/>
 </style:page-layout>
 <style:page-layout style:name="pmBody">
  <style:page-layout-properties fo:page-width="{mm(geo.width)}" fo:page-height="{mm(geo.height)}"
   style:page-usage="mirrored" fo:margin-top="{mm(geo.top - head_h - 6)}"
   fo:margin-bottom="{mm(geo.height - geo.bottom - 34)}"
   fo:margin-left="{mm(geo.inner)}" fo:margin-right="{mm(geo.outer)}"/>
  <style:header-style><style:header-footer-properties fo:min-height="{pt(head_h)}"
   fo:margin-bottom="6pt" fo:border-bottom="0.6pt solid #000000" fo:padding-bottom="2pt"/></style:header-style>
  <style:footer-style><style:header-footer-properties fo:min-height="{pt(14)}"
   fo:margin-top="20pt"/></style:footer-style>
 </style:page-layout>
 <style:style style:name="Sect2" style:family="section">
  <style:section-properties text:dont-balance-text-columns="false">
   <style:columns fo:column-count="2" fo:column-gap="{pt(geo.gutter)}"/>
  </style:section-properties>
 </style:style>
 <style:style style:name="P_first" style:family="paragraph" style:parent-style-name="title"
  style:master-page-name="Body"><style:paragraph-properties style:page-number="{args.first_page_number}"/></style:style>
 <style:style style:name="P_cover" style:family="paragraph" style:parent-style-name="masthead"
  style:master-page-name="Cover"/>
"""
    name, issue = escape(args.gazette_name), escape(args.issue)
    master = f"""
 <style:master-page style:name="Cover" style:page-layout-name="pmCover"/>
 <style:master-page style:name="Body" style:page-layout-name="pmBody">
  <style:header><text:p text:style-name="hdr_r">{name}<text:s/>{issue}</text:p></style:header>
  <style:header-left><text:p text:style-name="hdr_l">{name}<text:s/>{issue}</text:p></style:header-left>
  <style:footer><text:p text:style-name="ftr_r">— <text:page-number text:select-page="current">1</text:page-number> —</text:p></style:footer>
  <style:footer-left><text:p text:style-name="ftr_l">— <text:page-number text:select-page="current">1</text:page-number> —</text:p></style:footer-left>
 </style:master-page>
"""
    head = f"""<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
 xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"
 xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0"
 xmlns:dc="http://purl.org/dc/elements/1.1/"
 office:version="1.2" office:mimetype="application/vnd.oasis.opendocument.text">
<office:meta><dc:title>{name} {issue}</dc:title><meta:generator>make_two_column_pdf.py</meta:generator></office:meta>
<office:font-face-decls>
 <style:font-face style:name="Body" svg:font-family="'{escape(bodyf)}'"/>
 <style:font-face style:name="Title" svg:font-family="'{escape(titlef)}'"/>
 <style:font-face style:name="Hei" svg:font-family="'{escape(heif)}'"/>
</office:font-face-decls>
<office:styles>
 <style:default-style style:family="paragraph">
  <style:paragraph-properties fo:line-height="{lh}" style:writing-mode="lr-tb"/>
  <style:text-properties style:font-name="Body" style:font-name-asian="Body"
   fo:font-size="{pt(s)}" style:font-size-asian="{pt(s)}" fo:language="zh" fo:country="CN"
   style:language-asian="zh" style:country-asian="CN" fo:hyphenate="false"/>
 </style:default-style>
 {''.join(styles)}
 {hei_span}
</office:styles>
<office:automatic-styles>{auto}</office:automatic-styles>
<office:master-styles>{master}</office:master-styles>
<office:body><office:text>
"""
    parts = [head]
    in_sect = False
    sect_n = 0
    bm = {}
    first_title_done = False
    cover_n = 0
    prev = None
    docs_seen = 0
    skip_next = False
    for i, (kind, text) in enumerate(blocks):
        col = kind not in BAND_KINDS and kind != "cover"
        if col and not in_sect:
            sect_n += 1
            parts.append(f'<text:section text:style-name="Sect2" text:name="S{sect_n}">\n')
            in_sect = True
        elif not col and in_sect:
            parts.append("</text:section>\n")
            in_sect = False
        t = escape(text)
        if kind == "cover":
            if cover_n == 0:
                sty = "P_cover"
            elif re.match(r"^[A-Z ]+$", text):
                sty = "cover_small"
            elif "主办" in text:
                sty = "cover_foot1"
            elif "出版" in text:
                sty = "cover_foot"
            else:
                sty = "cover"
            cover_n += 1
            parts.append(f'<text:p text:style-name="{sty}">{t}</text:p>\n')
        elif kind == "toc_head":
            parts.append(f'<text:p text:style-name="toc_head">'
                         f'{escape(text.replace(" ", "　　"))}</text:p>\n')
        elif kind == "toc":
            m = RE_TOC_PAGE.search(text)
            body = text[:m.start()].rstrip("…. ") if m else text
            mdn = RE_DOCNO_IN.search(text)
            ref = bm.setdefault(mdn.group(1), f"doc{len(bm) + 1}") if mdn else None
            num = (f'（<text:bookmark-ref text:reference-format="page" '
                   f'text:ref-name="{ref}">0</text:bookmark-ref>）') if ref else ""
            parts.append(f'<text:p text:style-name="toc">{escape(body)}<text:tab/>{num}</text:p>\n')
        elif kind == "title":
            starts = prev not in ("title",)
            if starts:
                docs_seen += 1
            sty = "title"
            if starts and not first_title_done:
                sty = "P_first"
                first_title_done = True
            elif starts and docs_seen in toc_breaks:
                sty = "title_pb"
            # bookmark the 文号 that follows
            j = i + 1
            while j < len(blocks) and blocks[j][0] == "title":
                j += 1
            mark = ""
            if starts and j < len(blocks) and blocks[j][0] == "docno":
                ref = bm.setdefault(blocks[j][1], f"doc{len(bm) + 1}")
                mark = f'<text:bookmark text:name="{ref}"/>'
            parts.append(f'<text:p text:style-name="{sty}">{mark}{t}</text:p>\n')
        elif kind in ("subtitle", "docno", "note", "toc_section", "chapter", "heading",
                      "addressee"):
            parts.append(f'<text:p text:style-name="{kind}">{t}</text:p>\n')
        elif kind == "article":
            m = RE_ARTICLE.match(text)
            parts.append(f'<text:p text:style-name="body"><text:span text:style-name="Lbl">'
                         f'{escape(m.group(1))}</text:span>\u3000{escape(m.group(2))}</text:p>\n')
        elif kind == "sign":
            if skip_next:
                skip_next = False
                prev = kind
                continue
            nxt = blocks[i + 1] if i + 1 < len(blocks) else ("", "")
            if (not mg.RE_DATE.match(text) and nxt[0] == "sign"
                    and mg.RE_DATE.match(nxt[1])):
                # issuer and date in one paragraph, so that they stay together
                parts.append(f'<text:p text:style-name="sign_first">{t}<text:line-break/>'
                             f'{escape(nxt[1])}</text:p>\n')
                skip_next = True
            else:
                sty = "sign_date" if prev == "sign" else "sign_first"
                parts.append(f'<text:p text:style-name="{sty}">{t}</text:p>\n')
        else:
            parts.append(f'<text:p text:style-name="body">{t}</text:p>\n')
        prev = kind
    if in_sect:
        parts.append("</text:section>\n")
    parts.append("</office:text></office:body></office:document>\n")
    # bookmarks must exist before references resolve; put TOC refs to known marks
    doc = "".join(parts)
    with open(out_path, "w", encoding="utf-8") as f:
        f.write(doc)


# --------------------------------------------------------------------------

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("input", help="UTF-8 text, one paragraph per line")
    ap.add_argument("output", help="PDF to write")
    ap.add_argument("--gazette-name", default="孟县人民政府公报")
    ap.add_argument("--issue", default="２０２４·３",
                    help="issue in the running head (default: %(default)s)")
    ap.add_argument("--page-size", default="16k",
                    help="16k (480x740 pt), a4, b5, da16k, or WxH in pt (default: 16k)")
    ap.add_argument("--margins", default="54,48,30,30",
                    help="top,bottom,inner,outer in pt (default: %(default)s)")
    ap.add_argument("--gutter", default="2em",
                    help="space between the columns: 2em, 20pt, 7mm (default: 2em)")
    ap.add_argument("--font", required=True, help="body font (书宋)")
    ap.add_argument("--font-index", type=int, default=0)
    ap.add_argument("--title-font", help="title font (小标宋); default: --font")
    ap.add_argument("--title-font-index", type=int, default=0)
    ap.add_argument("--heading-font", help="黑体 for labels and headings; default: title font")
    ap.add_argument("--heading-font-index", type=int, default=0)
    ap.add_argument("--font-size", type=float, default=10.5)
    ap.add_argument("--title-size", type=float, default=16.0)
    ap.add_argument("--leading", type=float, default=1.85,
                    help="line pitch as a multiple of the body size (default: 1.85)")
    ap.add_argument("--justify", action=argparse.BooleanOptionalAction, default=True,
                    help="justify column lines (default: yes)")
    ap.add_argument("--new-doc", choices=("continue", "page", "random"), default="continue",
                    help="where a document starts: under the previous one (continue), "
                         "on a new page, or at random (--seed)")
    ap.add_argument("--new-page-prob", type=float, default=0.4)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--first-page-number", type=int, default=1)
    ap.add_argument("--no-cover", action="store_true")
    ap.add_argument("--fix-toc-pages", action="store_true",
                    help="write the real page numbers into the 目录 entries")
    ap.add_argument("--truth-json")
    ap.add_argument("--fodt", help="also write a Flat ODT (two-column sections) here")
    ap.add_argument("--fodt-body-family", default="Noto Serif CJK SC")
    ap.add_argument("--fodt-title-family", default="Noto Serif CJK SC")
    ap.add_argument("--fodt-heading-family", default="Noto Sans CJK SC")
    args = ap.parse_args(argv)

    blocks = refine(mg.read_blocks(args.input, cover=not args.no_cover))
    all_text = ("".join(t for _, t in blocks) + args.gazette_name + args.issue +
                "—0123456789（）…·　" + fw_digits("0123456789"))
    body = load_font(args.font, args.font_index, "TwoColBody", all_text)
    title = body
    if args.title_font:
        title = load_font(args.title_font, args.title_font_index, "TwoColTitle", all_text)
    heading = title
    if args.heading_font:
        heading = load_font(args.heading_font, args.heading_font_index, "TwoColHei", all_text)
    for fname in {body, title, heading}:
        miss = mg.missing_glyphs(fname, all_text)
        if miss:
            print(f"warning: font {fname} lacks glyphs for: {miss}", file=sys.stderr)

    if args.page_size in PAGE_SIZES:
        W, H = PAGE_SIZES[args.page_size]
    else:
        W, H = (float(v) for v in args.page_size.lower().split("x"))
    t, b, inner, outer = (float(v) for v in args.margins.split(","))
    geo = Geo(W, H, t, H - b, inner, outer, parse_len(args.gutter, args.font_size))
    fonts = Fonts(body, title, heading)
    o = Opts(args.font_size, args.font_size * args.leading, args.title_size, args.justify)

    toc_pages = {}
    for _ in range(5):
        rng = random.Random(args.seed)
        items = build_items(blocks, geo, fonts, o, rng, args.new_doc, args.new_page_prob,
                            toc_pages)
        pages = paginate(items, geo, o.leading)
        meta = {"title": f"{args.gazette_name} {args.issue}", "author": args.gazette_name,
                "subject": args.issue}
        truth = render(pages, args.output, geo, fonts, o, args.gazette_name, args.issue,
                       args.first_page_number, meta)
        if not args.fix_toc_pages:
            break
        found = doc_pages(truth)
        if found == toc_pages:
            break
        toc_pages = found
    # documents that start on a new page (for the FODT version)
    breaks = set()
    ndoc = 0
    prev_break = False
    for it in items:
        if it[0] == "break":
            prev_break = True
        elif it[0] == "band" and it[1].starts_doc:
            ndoc += 1
            if prev_break and ndoc > 1:
                breaks.add(ndoc)
            prev_break = False
        else:
            prev_break = False

    if args.truth_json:
        doc = {"generator": "make_two_column_pdf.py",
               "gazette": args.gazette_name, "issue": args.issue,
               "page_size": [round(W, 2), round(H, 2)],
               "columns": {"count": 2, "gutter": round(geo.gutter, 2),
                           "column_width": round(geo.col_width, 2),
                           "font_size": args.font_size, "leading": round(o.leading, 2)},
               "toc_pages": toc_pages,
               "pages": truth}
        with open(args.truth_json, "w", encoding="utf-8") as f:
            json.dump(doc, f, ensure_ascii=False, indent=1)
    kinds = {}
    for k, _ in blocks:
        kinds[k] = kinds.get(k, 0) + 1
    print(f"{args.output}: {len(truth)} pages; blocks by kind: {kinds}", file=sys.stderr)
    if args.fodt:
        build_fodt(blocks, args.fodt, args, geo, breaks)
        print(f"{args.fodt}: written", file=sys.stderr)


if __name__ == "__main__":
    main()
