"""OCR benchmark: each engine after each preparation step, side by side in one run.

    python3 bench/ocr.py [--binary target/release/gongbao] [--pages N] [--out BENCHMARKS.md]

For each engine (Tesseract, PP-OCR) and each cumulative set of preparation
steps (none; red; red+despeckle; red+despeckle+deskew; all four, with
binarisation) it runs `gongbao extract-pages FILE --ocr-engine E` with
GONGBAO_OCR_PREPARE set, on the first --pages pages of

  * the 200-dpi photocopy with seals
    (tests/fixtures/scanned/yuxian-2024-03-p27-38-200dpi-rot1.5-speckle0.004-photocopy-seal-q30-s7.pdf),

and, with each engine's default steps, on the 300-dpi scan
(tests/fixtures/scanned/yuxian-2024-03-p27-38-scanned.pdf). It reports the
character error rate against the printed pages
(tests/fixtures/yuxian-2024-03.pages.json: header, body and footer lines,
whitespace removed, Levenshtein), the seconds per page (wall clock, the
whole extraction: render, prepare, recognise, re-read, normalise; pages in
parallel on every core) and the peak memory of the largest process (the
recogniser's child; pages run as many at once as there are cores), and
writes the "OCR" section of BENCHMARKS.md (replacing it if present).
"""

import argparse
import json
import os
import pathlib
import re
import resource
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
PHOTOCOPY = ROOT / "tests/fixtures/scanned/yuxian-2024-03-p27-38-200dpi-rot1.5-speckle0.004-photocopy-seal-q30-s7.pdf"
SCAN300 = ROOT / "tests/fixtures/scanned/yuxian-2024-03-p27-38-scanned.pdf"
FIRST = 27  # physical page of the sample both fixtures start at
STEPS = ["none", "red", "red,despeckle", "red,despeckle,deskew", "red,despeckle,deskew,binarise"]


def truth_pages():
    pages = json.loads((ROOT / "tests/fixtures/yuxian-2024-03.pages.json").read_text())["pages"]
    return ["".join("".join(p[k]) for k in ("header", "lines", "footer")) for p in pages]


def levenshtein(a, b):
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def first_pages(pdf, n, tmp):
    out = pathlib.Path(tmp) / f"{pdf.stem}-first{n}.pdf"
    subprocess.run(["qpdf", "--empty", "--pages", str(pdf), f"1-{n}", "--", str(out)], check=True)
    return out


# Runs one command and prints its wall time and the peak RSS of its largest
# descendant (RUSAGE_CHILDREN: every descendant is waited for by its parent).
MEASURE = """
import json, resource, subprocess, sys, time, os
t = time.perf_counter()
p = subprocess.run(sys.argv[1:], capture_output=True)
wall = time.perf_counter() - t
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
sys.stderr.buffer.write(p.stderr)
print(json.dumps({"code": p.returncode, "wall": wall, "rss_kb": rss, "out": p.stdout.decode()}))
"""


def run(binary, pdf, engine, steps):
    env = dict(os.environ, GONGBAO_OCR_PREPARE=steps) if steps else dict(os.environ)
    env.pop("GONGBAO_OCR_ENGINE", None)
    cmd = [sys.executable, "-c", MEASURE, str(binary), "extract-pages", str(pdf), "--ocr-engine", engine]
    r = json.loads(subprocess.run(cmd, capture_output=True, check=True, env=env).stdout)
    if r["code"] != 0:
        raise SystemExit(f"{engine} {steps}: gongbao exited {r['code']}")
    return r, json.loads(r["out"])


def cer(read, truth, first):
    edits = chars = 0
    for i, p in enumerate(read["pages"]):
        t = "".join(truth[first - 1 + i].split())
        edits += levenshtein(t, "".join(p["text"].split()))
        chars += len(t)
    return edits / chars


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", default=str(ROOT / "target/release/gongbao"))
    ap.add_argument("--out", default=str(ROOT / "BENCHMARKS.md"))
    ap.add_argument("--pages", type=int, default=12, help="first N pages of each fixture (1-12)")
    args = ap.parse_args()
    truth = truth_pages()
    jobs = os.cpu_count() or 1
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        photocopy = first_pages(PHOTOCOPY, args.pages, tmp)
        scan300 = first_pages(SCAN300, args.pages, tmp)
        for engine in ("tesseract", "ppocr"):
            for steps in STEPS + [None]:
                pdf, label = (photocopy, "200 dpi photocopy") if steps else (scan300, "300 dpi scan")
                r, read = run(args.binary, pdf, engine, steps)
                n = len(read["pages"])
                engines = {o["engine"] for o in read["ocr"]}
                if engines != {engine}:
                    raise SystemExit(f"{engine} {steps}: pages read by {engines}")
                version = read["ocr"][0]["version"]
                row = (engine, version, label, steps or "default", cer(read, truth, FIRST), r["wall"] / n, r["rss_kb"] / 1024)
                print(f"{row[0]:9} {row[2]:17} {row[3]:30} CER {row[4] * 100:5.2f} %  {row[5]:5.2f} s/page  {row[6]:5.0f} MB",
                      file=sys.stderr)
                rows.append(row)
    versions = sorted({f"{r[0]} {r[1]}" for r in rows})
    lines = [
        "## OCR",
        "",
        f"Generated by `python3 bench/ocr.py --binary {os.path.relpath(args.binary, ROOT)} --pages {args.pages}` on "
        f"{time.strftime('%Y-%m-%d')}, {jobs} cores: the first {args.pages} pages of "
        f"`{PHOTOCOPY.relative_to(ROOT)}` (each preparation step) and of `{SCAN300.relative_to(ROOT)}` "
        f"(each engine's default steps). Engines: {'; '.join(versions)}. CER: Levenshtein over the printed "
        "page (header, body, footer; whitespace removed). Seconds per page: wall clock of `gongbao extract-pages` "
        f"(render, prepare, recognise, re-read, normalise; {jobs} pages at once). Memory: peak RSS of the largest "
        f"process (a recogniser child; {jobs} run at once).",
        "",
        "| engine | fixture | preparation | CER | s/page | peak MB |",
        "|---|---|---|---:|---:|---:|",
    ]
    for engine, _, label, steps, c, spp, mb in rows:
        lines.append(f"| {engine} | {label} | {steps} | {c * 100:.2f} % | {spp:.2f} | {mb:.0f} |")
    lines += [
        "",
        "Documents and fields on these pages: `cargo test --test ocr -- --nocapture`.",
        "",
    ]
    section = "\n".join(lines)
    print(section)
    out = pathlib.Path(args.out)
    text = out.read_text() if out.exists() else ""
    if "\n## OCR\n" in text or text.startswith("## OCR\n"):
        text = re.sub(r"(?ms)^## OCR\n.*?(?=^## |\Z)", section + "\n", text)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    out.write_text(text)


if __name__ == "__main__":
    main()
