"""Check a PDF against its per-page truth (.pages.json) with poppler's pdftotext.

For every page: each truth line (header, watermark, body lines, footer), with
whitespace removed, must occur in ``pdftotext -layout`` of that page with
whitespace removed (justification and column gaps become spaces there), and
the page's characters must be exactly the characters pdftotext finds (as a
multiset, whitespace ignored): nothing missing, nothing extra.

    python3 tools/check_pages_truth.py FILE.pdf FILE.pages.json
"""

import json
import re
import subprocess
import sys


def main(pdf, truth):
    d = json.load(open(truth, encoding="utf-8"))
    bad = 0
    for p in d["pages"]:
        n = str(p["page"])
        lay = subprocess.run(["pdftotext", "-layout", "-f", n, "-l", n, pdf, "-"],
                             capture_output=True, text=True, check=True).stdout
        raw = subprocess.run(["pdftotext", "-f", n, "-l", n, pdf, "-"],
                             capture_output=True, text=True, check=True).stdout
        flat_lay = re.sub(r"\s", "", lay)
        flat_raw = re.sub(r"\s", "", raw)
        lines = p.get("header", []) + p.get("watermark", []) + p["lines"] + p.get("footer", [])
        for t in lines:
            if re.sub(r"\s", "", t) not in flat_lay:
                bad += 1
                print(f"page {n}: not in pdftotext -layout: {t}")
        if sorted(re.sub(r"\s", "", "".join(lines))) != sorted(flat_raw):
            bad += 1
            print(f"page {n}: characters differ from pdftotext")
    print(f"{pdf}: {len(d['pages'])} pages, {bad} problems")
    return 1 if bad else 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2]))
