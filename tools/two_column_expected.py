"""Write tests/fixtures/two-column/expected.json, checked against the text laid out.

The document facts (doc_number, issuer, title, doc_type, signed_date, the
enclosed instrument's title and chapter/article counts) are taken from the
hand-checked truth ``tests/fixtures/yuxian-2024-03.json``.  Each is then
checked against the input text that was typeset (``gazette-2col.txt``), so
the expectation cannot drift from what the PDFs contain; the script stops on
any disagreement.  Page facts come from the PDFs: for the ReportLab PDF from
its ``.pages.json`` truth, for the LibreOffice PDF from ``pdftotext`` (the
page on which each 文号 line stands, and the numbers its 目录 prints, which
must agree).

Usage::

    python3 tools/two_column_expected.py --truth tests/fixtures/yuxian-2024-03.json \\
        --text tests/fixtures/two-column/gazette-2col.txt \\
        --rl tests/fixtures/two-column/gazette-2col.pdf \\
        --lo tests/fixtures/two-column/gazette-2col-lo.pdf \\
        --out tests/fixtures/two-column/expected.json
"""

import argparse
import json
import os
import re
import subprocess
import sys

CJK_NUM = "一二三四五六七八九十百零〇"
RE_DOCNO = re.compile(r"^\S{1,12}〔\d{4}〕\d+号$")
RE_DATE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$")
RE_ARTICLE = re.compile(rf"^第[{CJK_NUM}]+条")
RE_CHAPTER = re.compile(rf"^第[{CJK_NUM}]+章")


def norm(s):
    s = re.sub(r"\s+", "", s)
    return s.translate(str.maketrans("(),:;", "（），：；"))


def fail(msg):
    sys.exit("two_column_expected: " + msg)


def read_docs(path):
    """{文号: {title_line, dates, instrument_title, chapters, articles}} from the input."""
    lines = [ln.strip() for ln in open(path, encoding="utf-8") if ln.strip()]
    start = next(i for i, ln in enumerate(lines) if RE_DOCNO.match(ln)) - 1
    docs, order, cur = {}, [], None
    for i in range(start, len(lines)):
        ln = lines[i]
        if RE_DOCNO.match(ln):
            cur = {"title_line": lines[i - 1], "addressee_line": lines[i + 1],
                   "dates": [], "instrument_title": None,
                   "chapters": 0, "articles": 0, "signed": False}
            docs[ln] = cur
            order.append(ln)
            continue
        if cur is None:
            continue
        if i + 1 < len(lines) and RE_DOCNO.match(lines[i + 1]):
            continue                                   # next document's title
        m = RE_DATE.match(ln)
        if m:
            cur["dates"].append("%s-%02d-%02d" % (m.group(1), int(m.group(2)), int(m.group(3))))
            cur["signed"] = True
        elif cur["signed"] and cur["instrument_title"] is None and cur["articles"] == 0 \
                and not RE_CHAPTER.match(ln) and lines[i - 1] and RE_DATE.match(lines[i - 1]):
            cur["instrument_title"] = ln
        elif RE_CHAPTER.match(ln):
            cur["chapters"] += 1
        elif RE_ARTICLE.match(ln):
            cur["articles"] += 1
    return order, docs


def pdftotext_pages(pdf):
    n = int(re.search(r"Pages:\s+(\d+)", subprocess.run(
        ["pdfinfo", pdf], capture_output=True, text=True).stdout).group(1))
    out = []
    for p in range(1, n + 1):
        out.append(subprocess.run(["pdftotext", "-layout", "-f", str(p), "-l", str(p), pdf, "-"],
                                  capture_output=True, text=True).stdout)
    return out


def lo_pages(pdf, docnos):
    """Printed page of each 文号 in the LibreOffice PDF, checked against its 目录."""
    pages = pdftotext_pages(pdf)
    found = {}
    for i, t in enumerate(pages):
        for ln in t.split("\n"):
            s = re.sub(r"\s", "", ln)
            if s in docnos and s not in found:
                found[s] = i + 1
    toc = {}
    for t in pages[:3]:
        flat = re.sub(r"\s", "", t)
        for d in docnos:
            m = re.search(re.escape(d) + r"）[….]*（(\d+)）", flat)
            if m:
                toc[d] = int(m.group(1))
    # printed label = physical - (number of front pages); the first doc is page 1
    first = min(found.values())
    labels = {d: found[d] - first + 1 for d in docnos}
    for d in docnos:
        if toc.get(d) != labels[d]:
            fail(f"LibreOffice PDF: 目录 says {d} is on page {toc.get(d)}, "
                 f"its 文号 stands on printed page {labels[d]}")
    return labels, len(pages), first - 1


def rl_layout_facts(pages_json):
    """Layout facts of the ReportLab PDF, from its per-page truth (physical pages)."""
    d = json.load(open(pages_json, encoding="utf-8"))
    doc_below, instr_below, sig_right, mid_sentence, mid_para = [], [], [], [], []
    for p in d["pages"]:
        regions = p["regions"]
        for k, r in enumerate(regions):
            items = [it for it in p["items"] if it.get("region") == k]
            below_cols = any(x["type"] == "columns" for x in regions[:k])
            if r["type"] == "full" and below_cols and items:
                if items[0]["kind"] == "title":
                    doc_below.append(p["page"])
                elif items[0]["kind"] == "subtitle":
                    instr_below.append(p["page"])
            if r["type"] == "columns":
                right = [it for it in items if it["column"] == "right"]
                if right and right[-1]["kind"] == "sign":
                    sig_right.append(p["page"])
                if r.get("left_continues_in_right"):
                    mid_para.append(p["page"])
                if r.get("left_ends_mid_sentence"):
                    mid_sentence.append(p["page"])
    u = lambda v: sorted(set(v))  # noqa: E731
    return {
        "pages": len(d["pages"]),
        "doc_start_page_label": d["toc_pages"],
        "physical_pages_where": {
            "a_document_title_band_follows_columns_on_the_same_page": u(doc_below),
            "an_instrument_title_band_follows_columns_on_the_same_page": u(instr_below),
            "a_signature_ends_a_right_column": u(sig_right),
            "a_paragraph_runs_from_the_left_column_into_the_right": u(mid_para),
            "the_left_column_ends_mid_sentence": u(mid_sentence),
        },
    }


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--truth", required=True)
    ap.add_argument("--text", required=True)
    ap.add_argument("--rl", required=True, help="ReportLab PDF (with .pages.json beside it)")
    ap.add_argument("--lo", help="LibreOffice PDF")
    ap.add_argument("--out", required=True)
    args = ap.parse_args(argv)

    truth = json.load(open(args.truth, encoding="utf-8"))
    by_no = {d["doc_number"]: d for d in truth["documents"]}
    order, laid = read_docs(args.text)
    docs = []
    for no in order:
        t = by_no.get(no) or fail(f"{no} not in the truth file")
        x = laid[no]
        if norm(x["title_line"]) != t["title_full"]:
            fail(f"{no}: title laid out {norm(x['title_line'])!r} != truth {t['title_full']!r}")
        if not x["dates"] or x["dates"][0] != t["signed_date"]:
            fail(f"{no}: signed date {x['dates'][:1]} != truth {t['signed_date']}")
        if norm(x["addressee_line"]).rstrip("：") != t["addressees"]:
            fail(f"{no}: addressees {x['addressee_line']!r} != truth {t['addressees']!r}")
        rec = {"doc_number": no, "issuer": [t["issuer"]], "title": t["title_full"],
               "doc_type": t["doc_type"], "addressees": t["addressees"],
               "signed_date": t["signed_date"],
               "signed_by": t["signed_by"], "section": t["section"]}
        a = t.get("attachment")
        if a:
            if x["instrument_title"] is None or norm(x["instrument_title"]) != a["title"]:
                fail(f"{no}: instrument title {x['instrument_title']!r} != {a['title']!r}")
            if a.get("structure") == "条":
                if (x["chapters"], x["articles"]) != (a["chapters"], a["articles"]):
                    fail(f"{no}: counted {x['chapters']} chapters / {x['articles']} articles, "
                         f"truth {a['chapters']} / {a['articles']}")
            rec["instrument"] = {"title": a["title"], "doc_type": a["doc_type"],
                                 "chapters": a.get("chapters"), "articles": a.get("articles"),
                                 "top_sections": a.get("top_sections")}
        else:
            rec["instrument"] = None
            if x["articles"]:
                fail(f"{no}: articles found in a document without an instrument")
        docs.append(rec)

    rl_json = os.path.splitext(args.rl)[0] + ".pages.json"
    rl = rl_layout_facts(rl_json)
    out = {
        "source": "tests/fixtures/yuxian-2024-03.json (documents), checked against gazette-2col.txt",
        "issue": {"gazette": truth["issue"]["gazette"], "year": truth["issue"]["year"],
                  "number": truth["issue"]["number"],
                  "cumulative_number": truth["issue"]["cumulative_number"],
                  "published": truth["issue"]["published"],
                  "running_head": ["孟县人民政府公报", "２０２４·３"]},
        "documents": docs,
        "totals": {"documents": len(docs),
                   "instruments": sum(1 for d in docs if d["instrument"]),
                   "articles": sum((d["instrument"] or {}).get("articles") or 0 for d in docs),
                   "chapters": sum((d["instrument"] or {}).get("chapters") or 0 for d in docs)},
        "pdfs": {
            os.path.basename(args.rl): {
                "producer": "ReportLab (tools/make_two_column_pdf.py)",
                "front_pages": 2,
                **rl,
            }
        },
    }
    if args.lo:
        labels, n, front = lo_pages(args.lo, order)
        out["pdfs"][os.path.basename(args.lo)] = {
            "producer": "LibreOffice (Flat ODT with two-column sections)",
            "front_pages": front, "pages": n, "doc_start_page_label": labels}
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print(f"{args.out}: {len(docs)} documents checked", file=sys.stderr)


if __name__ == "__main__":
    main()
