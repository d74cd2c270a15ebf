"""Typeset a 函 (an official letter) as a text PDF, for OCR fixtures.

    python3 tools/make_letter_pdf.py LETTER.txt OUT.pdf [--annex N]

The letter's text: the 文号, the title, the addressees, body paragraphs, an
optional 附件 line, the issuer and the date, a contact line; one paragraph
a line. The layout follows GB/T 9704-2012 as far as a fixture needs: the
文号 centred under a free top margin (the red letterhead, 红头, is printed
there by the paper or by ``make_scanned_pdf.py --red-header``), the title
centred and large, the body indented two characters, the issuer and date
right-aligned. ``--annex N`` appends N pages of an annex table in text (the
part of a real delivery that stays a text PDF).

Needs reportlab and a CJK font (fonts-wqy-microhei, or ``--font``).
"""

import argparse
import re

from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer

DOCNO = re.compile(r"^\S{1,12}〔\d{4}〕\d+号$")
DATE = re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日$")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("input")
    ap.add_argument("output")
    ap.add_argument("--font", default="/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
    ap.add_argument("--size", type=float, default=14.0)
    ap.add_argument("--annex", type=int, default=1, help="pages of annex table in text")
    args = ap.parse_args()
    pdfmetrics.registerFont(TTFont("Body", args.font, subfontIndex=0))
    s = args.size
    base = dict(fontName="Body", fontSize=s, leading=s * 1.75, wordWrap="CJK")
    body = ParagraphStyle("body", alignment=TA_JUSTIFY, firstLineIndent=2 * s, **base)
    plain = ParagraphStyle("plain", alignment=TA_JUSTIFY, **base)
    centre = ParagraphStyle("centre", alignment=TA_CENTER, **base)
    title = ParagraphStyle("title", fontName="Body", fontSize=s * 1.5, leading=s * 2.2, alignment=TA_CENTER, wordWrap="CJK")
    right = ParagraphStyle("right", alignment=TA_RIGHT, rightIndent=4 * s, **base)
    lines = [l.strip() for l in open(args.input, encoding="utf-8") if l.strip()]
    story = [Spacer(1, 38 * mm)]  # the letterhead's place
    for i, line in enumerate(lines):
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if DOCNO.match(line):
            story += [Paragraph(line, centre), Spacer(1, s)]
        elif i == 1:
            story += [Paragraph(line, title), Spacer(1, s * 0.8)]
        elif line.endswith("：") and i == 2:
            story.append(Paragraph(line, plain))
        elif DATE.match(line) or DATE.match(nxt):
            if DATE.match(nxt):
                story.append(Spacer(1, s * 2))
            story.append(Paragraph(line, right))
        else:
            story.append(Paragraph(line, body))
    for n in range(args.annex):
        story += [PageBreak(), Paragraph("附件", plain), Paragraph("城镇老旧小区改造项目竣工验收记录表", title)]
        for k in range(1, 13):
            story.append(Paragraph(f"{n * 12 + k}．项目名称＿＿＿＿＿＿＿＿ 改造内容＿＿＿＿＿＿＿＿ 验收意见＿＿＿＿＿＿", plain))
    doc = SimpleDocTemplate(args.output, pagesize=A4, leftMargin=28 * mm, rightMargin=26 * mm, topMargin=37 * mm,
                            bottomMargin=35 * mm, title=lines[1] if len(lines) > 1 else "", creator="make_letter_pdf.py")
    doc.build(story)


if __name__ == "__main__":
    main()
