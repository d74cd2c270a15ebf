"""Cut documents out of the seed issue text and clean them for re-typesetting.

The seed (``shared/seed/yuxian-2024-03.txt``, also ``tests/fixtures/
yuxian-2024-03.seed.txt``) is the text of a real single-column gazette as it
came out of a PDF: sentences that were split by that PDF's page breaks sit on
two lines, titles carry the layout space of their line break, and two list
items carry a ``- `` bullet from the extraction.  Before the same documents can
be set again in another layout (two columns, another page size) those
artefacts have to go, or the new layout would reproduce the old page breaks.

What this script changes, and nothing else:

* a title printed on two or three lines (``孟县人民政府`` / ``关于……的通知``,
  or one line with a space where the line broke) becomes one title line,
  with the break-space removed (half-width brackets are kept as printed);
* the body lines listed in ``JOINS`` (continuations of a sentence that the
  seed's page break split) are appended to the line before them, with no
  space (``晋财综〔2023〕`` + ``57号）`` becomes ``晋财综〔2023〕57号）``);
* a leading ``- `` list bullet is removed;
* everything else (half-width commas, ``第一章 总 则`` spacing, the spaces in
  ``不低于 5 年``) is kept exactly as printed.

Usage::

    python3 tools/seed_docs.py SEED.txt OUT.txt --doc 孟政发〔2024〕74号 ... \\
        [--cover] [--toc]

``--cover`` writes the seed's cover lines first; ``--toc`` writes a 目录 with
one line per chosen document (``title（文号）……（0）``; page numbers are
placeholders for ``make_two_column_pdf.py --fix-toc-pages`` to fill in), under
the 【section】 headings the seed's own 目录 gives those documents.
"""

import argparse
import re
import sys

RE_DOCNO = re.compile(r"^\S{1,12}〔\d{4}〕\d+号$")
RE_ORG_ONLY = re.compile(r"^\S{2,20}(人民政府|办公室)$")

# Body lines (by their start) that continue the line before them: sentences
# that the seed's own page breaks split.  Each must occur exactly once in a
# chosen document, or the script stops.
JOINS = (
    "员资格界定、制定土地增值收益",          # 74号 第二章 2.
    "限制权利；",                            # 74号 第七条（四）
    "室审核。县自然资源局依据",              # 74号 第十条
    "建设用地应当按规定纳入全国",            # 74号 第十四条
    "相关规定办理乡村建设工程",              # 74号 第十九条
    "57号）和《孟县农村集体",                # 75号 第一条
    "定比例对土地增值收益收取",              # 75号 第四条
    "转让收入。",                            # 75号 第八条（一）
    "造、运维的计算机网络系统",              # 47号 第二条
    "提出下一年度政府投资信息化",            # 47号 第五条
    "重大安全隐患的政务信息系统",            # 47号 第十一条
    "要投资来源的项目的监督管理",            # 47号 第二十二条
)

COVER = ["孟县人民政府公报", "YUXIAN RENMIN ZHENGFU GONGBAO", "2024年第3期",
         "(总第015期)", "孟县人民政府办公室 主管主办", "2024年9月28日出版（季刊）"]


def read_lines(path):
    with open(path, encoding="utf-8") as f:
        return [ln.strip().replace("\f", "") for ln in f if ln.strip()]


def title_start(lines, i):
    """Index of the first title line above the 文号 line at i.

    The line above the 文号 is the title (or its second part); the line above
    that belongs to the title too when it is the issuer alone (孟县人民政府)."""
    j = i - 1
    if j - 1 >= 0 and RE_ORG_ONLY.match(lines[j - 1]):
        j -= 1
    return j


def find_doc(lines, docno):
    idx = [i for i, ln in enumerate(lines) if ln == docno]
    if len(idx) != 1:
        sys.exit(f"{docno}: found {len(idx)} times as a line")
    return idx[0]


def cut(lines, docnos):
    """Return {docno: [lines]} (title lines first) for the chosen documents."""
    starts = {}
    all_docnos = [i for i, ln in enumerate(lines) if RE_DOCNO.match(ln)]
    for i in all_docnos:
        starts[i] = title_start(lines, i)
    out = {}
    for d in docnos:
        i = find_doc(lines, d)
        s = starts[i]
        later = [starts[k] for k in all_docnos if k > i]
        e = min(later) if later else len(lines)
        out[d] = lines[s:e]
    return out


def clean(doc_lines, docno, used):
    i = doc_lines.index(docno)
    title = "".join(doc_lines[:i])
    title = re.sub(r"\s+", "", title)
    body = []
    for ln in doc_lines[i + 1:]:
        if ln.startswith("- "):
            ln = ln[2:]
        hit = [j for j in JOINS if ln.startswith(j)]
        if hit:
            used[hit[0]] = used.get(hit[0], 0) + 1
            body[-1] = body[-1] + ln
        else:
            body.append(ln)
    # the seed sets the instrument title on two lines with a break-space too
    body = [re.sub(r"(?<=[\u4e00-\u9fff）)]) (?=暂行办法)", "", b) for b in body]
    return title, [title, docno] + body


def toc_sections(lines):
    """{docno: section} from the seed's own 目录."""
    sec, out = None, {}
    text = "\n".join(lines[:120])
    for ln in text.split("\n"):
        m = re.match(r"^【\s*(.+?)\s*】$", ln)
        if m:
            sec = m.group(1)
        for d in re.findall(r"（([^（）\s]{1,12}〔\d{4}〕\d+号)）", ln):
            out.setdefault(d, sec)
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("seed")
    ap.add_argument("output")
    ap.add_argument("--doc", action="append", required=True, help="文号, repeatable, in order")
    ap.add_argument("--cover", action="store_true")
    ap.add_argument("--toc", action="store_true")
    args = ap.parse_args(argv)

    lines = read_lines(args.seed)
    docs = cut(lines, args.doc)
    used = {}
    cleaned = {d: clean(docs[d], d, used) for d in args.doc}
    for j in JOINS:
        n = used.get(j, 0)
        if n > 1:
            sys.exit(f"join {j!r} used {n} times")
    out = []
    if args.cover:
        out += COVER
    if args.toc:
        secs = toc_sections(lines)
        out.append("目 录")
        cur = None
        for d in args.doc:
            if secs.get(d) != cur:
                cur = secs.get(d)
                out.append(f"【{cur}】")
            out.append(f"{cleaned[d][0]}（{d}）……（0）")
    for d in args.doc:
        out += cleaned[d][1]
    with open(args.output, "w", encoding="utf-8") as f:
        f.write("\n\n".join(out) + "\n")
    print(f"{args.output}: {len(args.doc)} documents, {len(out)} lines, "
          f"{sum(used.values())} joins", file=sys.stderr)


if __name__ == "__main__":
    main()
