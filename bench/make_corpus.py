#!/usr/bin/env python3
"""Synthetic gazette corpus for the gongbao benchmarks.

Usage
-----
    python3 bench/make_corpus.py --issues N --out DIR [--pdf] [--keep-txt]
                                 [--seed S] [--jobs J]

Reads the sample issue's text (tests/fixtures/yuxian-2024-03.seed.txt: a
cover, a 目录, then 23 documents) and writes N *distinct* gazette issues made
from its documents:

* every issue belongs to one of 30 fictional counties; 孟县 is replaced by the
  county's name and the 机关代字 孟政发/孟政办发/孟政函/孟政办函 by the county's
  abbreviation (青政发, 临政办发, …) consistently throughout the issue;
* a random subset (15–23) of the documents, in permuted order (grouped into
  the 目录's sections), each renumbered: new 文号 year and sequence number,
  keeping the 〔YYYY〕N号 structure; 文号 are unique across the corpus;
* every date is shifted by one per-issue offset so that the issue falls in
  2015–2025 (signed dates 2024年8月20日, 2025 年 5 月, 8月4日, Chinese-numeral
  dates 二〇二四年八月二十日, years in 2024年/〔2024〕); a few signature dates
  are rendered in Chinese numerals;
* text varies: a few sentences are swapped between documents, some numbers
  in body text are changed;
* the cover (<county>人民政府公报, year, 第N期, 总第NNN期, 出版 date) and the
  目录 (titles, 文号, estimated page numbers) are rewritten to match.

Outputs DIR/issue-0001.txt …; with --pdf also DIR/issue-0001.pdf … laid out
by tools/make_gazette_pdf.py (the .txt files are then deleted unless
--keep-txt).  DIR/docnumbers.txt lists every generated 文号 (tab-separated:
文号, issue file stem, the sample's 文号 it replaces, title) and DIR/manifest.json the issues.

Deterministic for a given --seed (and --issues: issue k of a run with N
issues equals issue k of any run with more issues and the same seed).
Requires reportlab and the WenQuanYi Micro Hei font for --pdf.
"""

import argparse
import datetime as dt
import json
import os
import random
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED_TEXT = ROOT / "tests" / "fixtures" / "yuxian-2024-03.seed.txt"
PDF_TOOL = ROOT / "tools" / "make_gazette_pdf.py"
FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"

SEED_COUNTY = "孟县"
SEED_ABBR = "孟"
SEED_PUBLISHED = dt.date(2024, 9, 28)

# 30 fictional counties: (name, 机关代字 abbreviation, pinyin for the cover)
COUNTIES = [
    ("青岚县", "青", "QINGLAN"), ("临溪县", "临", "LINXI"),
    ("松川县", "松", "SONGCHUAN"), ("桐岭县", "桐", "TONGLING"),
    ("云泽县", "云", "YUNZE"), ("梅江县", "梅", "MEIJIANG"),
    ("石坪县", "石", "SHIPING"), ("安澜县", "安", "ANLAN"),
    ("芦湾县", "芦", "LUWAN"), ("枫桥县", "枫", "FENGQIAO"),
    ("柳塘县", "柳", "LIUTANG"), ("杏源县", "杏", "XINGYUAN"),
    ("槐川县", "槐", "HUAICHUAN"), ("荷塘县", "荷", "HETANG"),
    ("竹垣县", "竹", "ZHUYUAN"), ("兰皋县", "兰", "LANGAO"),
    ("桂川县", "桂", "GUICHUAN"), ("雁岭县", "雁", "YANLING"),
    ("鹤坪县", "鹤", "HEPING"), ("凤溪县", "凤", "FENGXI"),
    ("龙湫县", "龙", "LONGQIU"), ("宁川县", "宁", "NINGCHUAN"),
    ("泰岚县", "泰", "TAILAN"), ("清漪县", "清", "QINGYI"),
    ("昭岭县", "昭", "ZHAOLING"), ("平溪县", "平", "PINGXI"),
    ("永澄县", "永", "YONGCHENG"), ("丰渠县", "丰", "FENGQU"),
    ("白岑县", "白", "BAICEN"), ("金陂县", "金", "JINBEI"),
]

CJK_DIGITS = "〇一二三四五六七八九"
DOC_KINDS = ("通知|通告|公告|通报|决定|意见|批复|报告|命令|函|规定|办法|"
             "细则|方案|计划|规划|名单|清单|纲要|规则")

RE_TOC_HEAD = re.compile(r"^目\s*录$")
RE_DOCNO = re.compile(r"^(\S{1,12}?)〔(\d{4})〕(\d+)号$")
RE_DATE_LINE = re.compile(r"^\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日$")
RE_ORG_LINE = re.compile(r"^\S{2,20}(人民政府|办公室|委员会|局|厅|委|办)$")
RE_ISSUER_TITLE = re.compile(r"^(\S{2,20}(?:人民政府|办公室|委员会|局|厅|委|办))\s*(关于.*)$")
RE_TITLE_END = re.compile(rf"(的\s*({DOC_KINDS})|{DOC_KINDS})(（[^）]*）)?$")
SENT_END = "。；：！？;:"


# --------------------------------------------------------------------------
# Parsing the seed
# --------------------------------------------------------------------------

class Doc:
    def __init__(self, idx, lines, issuer, title, docno_line):
        self.idx = idx
        self.lines = lines            # all paragraphs, header included
        self.issuer = issuer          # 孟县人民政府 / 孟县人民政府办公室
        self.title = title            # 关于……的通知 (layout spaces kept)
        self.docno_line = docno_line  # index of the 文号 line within lines
        m = RE_DOCNO.match(lines[docno_line])
        self.docno = lines[docno_line]
        prefix = m.group(1)
        self.kind = prefix[len(SEED_ABBR):] if prefix.startswith(SEED_ABBR) else prefix
        if "任免" in title:
            self.section = "【人事任免】"
        elif "办" in self.kind or issuer.endswith("办公室"):
            self.section = "【县政府办公室文件】"
        else:
            self.section = "【县政府文件】"


def looks_like_title(line):
    return (len(line) <= 80 and "……" not in line and not line.endswith(tuple(SENT_END))
            and not RE_DATE_LINE.match(line))


def find_doc_start(lines, i):
    """Given the index of a 文号 line, return (start, issuer, title) of the
    document header above it, or None if it does not look like one.

    Accepts "ISSUER / 关于…的通知 / 文号", "ISSUER 关于…的通知 / 文号" and titles
    wrapped over up to three lines."""
    title_parts = []
    j = i - 1
    while j >= 0 and len(title_parts) < 4:
        ln = lines[j]
        m = RE_ISSUER_TITLE.match(ln)
        if m and looks_like_title(ln):
            title = m.group(2) + "".join(reversed(title_parts))
            if RE_TITLE_END.search(title.replace(" ", "")):
                return j, m.group(1), title
            return None
        if RE_ORG_LINE.match(ln) and len(ln) <= 20 and title_parts:
            title = "".join(reversed(title_parts))
            if title.startswith("关于") and RE_TITLE_END.search(title.replace(" ", "")):
                return j, ln, title
            return None
        if not looks_like_title(ln):
            return None
        title_parts.append(ln)
        j -= 1
    return None


def parse_seed(path):
    with open(path, encoding="utf-8") as f:
        lines = [ln.strip().replace("\f", "") for ln in f]
    lines = [ln for ln in lines if ln]
    toc = next((k for k, ln in enumerate(lines) if RE_TOC_HEAD.match(ln)), None)
    if toc is None:
        raise SystemExit(f"{path}: no 目录 heading found")
    starts = []
    for i in range(toc + 1, len(lines)):
        if RE_DOCNO.match(lines[i]):
            hit = find_doc_start(lines, i)
            if hit:
                starts.append((hit[0], hit[1], hit[2], i))
    if not starts:
        raise SystemExit(f"{path}: no documents recognised")
    docs = []
    for n, (s, issuer, title, i) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else len(lines)
        docs.append(Doc(n, lines[s:end], issuer, title, i - s))
    return docs


# --------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------

def cjk_number(n):
    """1..31 in Chinese numerals (十, 十二, 二十, 二十一, 三十一)."""
    if n < 10:
        return CJK_DIGITS[n]
    tens, ones = divmod(n, 10)
    s = ("" if tens == 1 else CJK_DIGITS[tens]) + "十"
    return s + (CJK_DIGITS[ones] if ones else "")


def cjk_year(y):
    return "".join(CJK_DIGITS[int(c)] for c in str(y))


def cjk_date(d):
    return f"{cjk_year(d.year)}年{cjk_number(d.month)}月{cjk_number(d.day)}日"


def parse_cjk_int(s):
    s = s.replace("○", "〇").replace("零", "〇").replace("O", "〇")
    if "十" in s:
        a, _, b = s.partition("十")
        return (CJK_DIGITS.index(a) if a else 1) * 10 + (CJK_DIGITS.index(b) if b else 0)
    v = 0
    for c in s:
        v = v * 10 + CJK_DIGITS.index(c)
    return v


def safe_date(y, m, d):
    d = min(d, 28) if m == 2 else min(d, 30 if m in (4, 6, 9, 11) else 31)
    return dt.date(y, m, d)


CJ = "〇○零O一二三四五六七八九十"
RE_ANY_DATE = re.compile(
    r"(?P<cn>(?P<cy>[〇○零O一二三四五六七八九]{4})年(?P<cm>[一二三四五六七八九十]{1,2})月"
    r"(?P<cd>[一二三四五六七八九十]{1,3})日)"
    r"|(?P<full>(?<!\d)(?P<y>20[1-3]\d)(?P<s1>\s*)年(?P<s2>\s*)(?P<m>\d{1,2})(?P<s3>\s*)月"
    r"(?:(?P<s4>\s*)(?P<d>\d{1,2})(?P<s5>\s*)日)?)"
    r"|(?P<md>(?<![\d年])(?P<m2>\d{1,2})月(?P<d2>\d{1,2})日)"
    r"|(?P<yr>(?<![\d.])(?P<y3>20[1-3]\d)(?=\s*(?:年|〕|\]|］|】|—|–|-|～|~|至)))")


def shift_dates(text, delta, ydelta, base_year):
    """Shift every date in text by delta days (years alone by ydelta)."""

    def rep(m):
        if m.group("cn"):
            try:
                d = dt.date(parse_cjk_int(m.group("cy")), parse_cjk_int(m.group("cm")),
                            parse_cjk_int(m.group("cd")))
            except (ValueError, IndexError):
                return m.group(0)
            return cjk_date(d + delta)
        if m.group("full"):
            y, mo = int(m.group("y")), int(m.group("m"))
            if not 1 <= mo <= 12:
                return m.group(0)
            s1, s2, s3 = m.group("s1"), m.group("s2"), m.group("s3")
            if m.group("d"):
                try:
                    d = dt.date(y, mo, int(m.group("d"))) + delta
                except ValueError:
                    return m.group(0)
                return (f"{d.year}{s1}年{s2}{d.month}{s3}月{m.group('s4')}{d.day}"
                        f"{m.group('s5')}日")
            d = dt.date(y, mo, 15) + delta
            return f"{d.year}{s1}年{s2}{d.month}{s3}月"
        if m.group("md"):
            try:
                d = dt.date(base_year, int(m.group("m2")), int(m.group("d2"))) + delta
            except ValueError:
                return m.group(0)
            return f"{d.month}月{d.day}日"
        return str(int(m.group("y3")) + ydelta)

    return RE_ANY_DATE.sub(rep, text)


def first_sign_date(doc):
    for ln in doc.lines[doc.docno_line + 1:]:
        if RE_DATE_LINE.match(ln):
            y, mo, d = map(int, re.findall(r"\d+", ln))
            try:
                return dt.date(y, mo, d)
            except ValueError:
                pass
    return None


# --------------------------------------------------------------------------
# Text variation
# --------------------------------------------------------------------------

RE_NUM = re.compile(r"(?<![\d.．〔\[])(\d{2,4})(?![\d〕\]]|\s*[年月日号])")


def vary_numbers(line, rng, rate):
    def rep(m):
        s = m.group(1)
        v = int(s)
        if 2010 <= v <= 2039 or m.start() == 0 or rng.random() >= rate:
            return s
        before = line[m.start() - 1] if m.start() else ""
        after = line[m.end()] if m.end() < len(line) else ""
        if before in "(（" or after in ".、)）．":
            return s
        lo = 10 ** (len(s) - 1)
        return str(rng.randint(lo, lo * 10 - 1))

    return RE_NUM.sub(rep, line)


def body_line(doc, k):
    ln = doc.lines[k]
    return (k > doc.docno_line + 1 and len(ln) >= 40 and not RE_DATE_LINE.match(ln)
            and "〔" not in ln)


def swap_sentences(docs, rng, pairs):
    """Swap `pairs` random sentences between different documents (in place)."""
    cands = []      # (doc position, line index, sentence index)
    split = {}
    for p, doc in enumerate(docs):
        for k in range(len(doc.lines)):
            if not body_line(doc, k):
                continue
            parts = re.split(r"(?<=。)", doc.lines[k])
            split[(p, k)] = parts
            for s, sent in enumerate(parts):
                if 15 <= len(sent) <= 150 and sent.endswith("。"):
                    cands.append((p, k, s))
    if len(docs) < 2:
        return
    for _ in range(pairs):
        a = rng.choice(cands)
        others = [c for c in cands if c[0] != a[0]]
        if not others:
            return
        b = rng.choice(others)
        pa, pb = split[a[:2]], split[b[:2]]
        pa[a[2]], pb[b[2]] = pb[b[2]], pa[a[2]]
    for (p, k), parts in split.items():
        docs[p].lines[k] = "".join(parts)


# --------------------------------------------------------------------------
# Issue generation
# --------------------------------------------------------------------------

class Corpus:
    """Sequential state shared by the issues of one corpus."""

    def __init__(self, seed):
        self.rng = random.Random(f"gongbao-bench:{seed}")
        self.issue_numbers = {}     # (county, year) -> last 期 number
        self.docno_counters = {}    # (abbr, kind, year) -> last sequence number
        self.cum_base = {c[0]: self.rng.randint(0, 40) for c in COUNTIES}

    def next_docno(self, rng, abbr, kind, year):
        key = (abbr, kind, year)
        n = self.docno_counters.get(key, 0) + rng.randint(1, 6)
        self.docno_counters[key] = n
        return f"{abbr}{kind}〔{year}〕{n}号"


class Issue:
    pass


def make_issue(corpus, seed_docs, k, args):
    rng = random.Random(f"{args.seed}:{k}")
    # County, year and issue number: (county, year, number) is unique.
    while True:
        county, abbr, pinyin = rng.choice(COUNTIES)
        year = rng.randint(2015, 2025)
        n = corpus.issue_numbers.get((county, year), 0) + 1
        if n <= 9:
            corpus.issue_numbers[(county, year)] = n
            break
    # The sample's documents were signed up to ~3 months before publication:
    # publishing issue n in month n + 3 keeps them in the issue's year.
    published = dt.date(year, n + 3, rng.randint(5, 28))
    delta = published - SEED_PUBLISHED
    cumulative = corpus.cum_base[county] + (year - 2015) * 12 + n

    # Document subset in permuted order, grouped by 目录 section.
    size = rng.randint(min(args.min_docs, len(seed_docs)), min(args.max_docs, len(seed_docs)))
    picked = rng.sample(seed_docs, size)
    sections = []
    for d in picked:
        if d.section not in sections:
            sections.append(d.section)
    order = {"【县政府文件】": 0, "【县政府办公室文件】": 1, "【人事任免】": 2}
    sections.sort(key=lambda s: order.get(s, 9))
    picked = [d for s in sections for d in picked if d.section == s]

    # New 文号 for every seed document (documents not picked still get one,
    # so that references to them are renumbered too).
    mapping = {}
    docs = []
    for d in picked:
        sd = first_sign_date(d)
        new_year = (sd + delta).year if sd else published.year
        mapping[d.docno] = corpus.next_docno(rng, abbr, d.kind, new_year)
    for d in seed_docs:
        if d.docno not in mapping:
            mapping[d.docno] = corpus.next_docno(rng, abbr, d.kind, published.year)

    placeholders = {old: f"\x00{i}\x00" for i, old in enumerate(mapping)}
    restore = {ph: mapping[old] for old, ph in placeholders.items()}

    def transform(text, ydelta, base_year):
        for old, ph in placeholders.items():
            text = text.replace(old, ph)
        text = shift_dates(text, delta, ydelta, base_year)
        text = text.replace(SEED_COUNTY, county).replace(SEED_ABBR + "政", abbr + "政")
        for ph, new in restore.items():
            text = text.replace(ph, new)
        return text

    for d in picked:
        sd = first_sign_date(d)
        ydelta = ((sd + delta).year - sd.year) if sd else published.year - 2024
        base_year = sd.year if sd else 2024
        nd = Doc.__new__(Doc)
        nd.__dict__.update(d.__dict__)
        nd.lines = []
        for j, ln in enumerate(d.lines):
            if j > d.docno_line + 1 and not RE_DATE_LINE.match(ln):
                ln = vary_numbers(ln, rng, args.number_rate)
            nd.lines.append(transform(ln, ydelta, base_year))
        nd.issuer = transform(d.issuer, ydelta, base_year)
        nd.title = transform(d.title, ydelta, base_year)
        nd.docno = mapping[d.docno]
        nd.lines[d.docno_line] = nd.docno
        # Now and then a signature date in Chinese numerals.
        if rng.random() < args.cn_date_rate:
            for j in range(len(nd.lines) - 1, d.docno_line, -1):
                if RE_DATE_LINE.match(nd.lines[j]):
                    y, mo, dd = map(int, re.findall(r"\d+", nd.lines[j]))
                    nd.lines[j] = cjk_date(dt.date(y, mo, dd))
                    break
        docs.append(nd)

    swap_sentences(docs, rng, rng.randint(2, 6))

    # Cover.
    gazette = f"{county}人民政府公报"
    cover = [gazette, f"{pinyin} RENMIN ZHENGFU GONGBAO", f"{year} 第{n}期",
             f"(总第{cumulative:03d}期)", gazette, f"{pinyin} RENMIN ZHENGFU GONGBAO",
             f"{year}年第{n}期", f"{county}人民政府办公室 主管主办",
             f"{published.year}年{published.month}月{published.day}日出版（月刊）"]

    # 目录 with estimated page numbers (~1000 characters a page).
    toc = ["目 录"]
    dash = "- " if rng.random() < 0.5 else ""
    chars = 0
    cur = None
    for d in docs:
        if d.section != cur:
            cur = d.section
            toc.append(cur)
        page = 1 + chars // 1000
        full_title = (d.issuer + d.title).replace(" ", "")
        toc.append(f"{dash}{full_title}（{d.docno}）……………（{page}）")
        chars += sum(len(x) for x in d.lines) + 120

    body = []
    for d in docs:
        body.extend(d.lines)

    issue = Issue()
    issue.stem = f"issue-{k:04d}"
    issue.gazette = gazette
    issue.label = f"{year}年第{n}期"
    issue.published = published.isoformat()
    issue.text = "\n\n".join(cover + toc + body) + "\n"
    seed_of = {v: k for k, v in mapping.items()}
    issue.docs = [(d.docno, seed_of[d.docno], (d.issuer + d.title).replace(" ", "")) for d in docs]
    return issue


def render_pdf(txt, pdf, issue, font):
    cmd = [sys.executable, str(PDF_TOOL), str(txt), str(pdf),
           "--gazette-name", issue.gazette, "--issue", issue.label, "--font", font]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{r.stderr}")
    return r.stdout.strip()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--issues", type=int, required=True, help="number of issues")
    ap.add_argument("--out", required=True, help="output directory")
    ap.add_argument("--seed", default="1", help="random seed (default: %(default)s)")
    ap.add_argument("--pdf", action="store_true", help="also lay out PDFs")
    ap.add_argument("--keep-txt", action="store_true", help="keep the .txt next to the .pdf")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                    help="parallel PDF renderers (default: nproc)")
    ap.add_argument("--seed-text", default=str(SEED_TEXT), help="sample issue text")
    ap.add_argument("--font", default=FONT, help="font for the PDFs")
    ap.add_argument("--min-docs", type=int, default=15)
    ap.add_argument("--max-docs", type=int, default=23)
    ap.add_argument("--number-rate", type=float, default=0.15,
                    help="probability that a number in body text is changed")
    ap.add_argument("--cn-date-rate", type=float, default=0.1,
                    help="probability that a signature date is in Chinese numerals")
    args = ap.parse_args(argv)

    seed_docs = parse_seed(args.seed_text)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    corpus = Corpus(args.seed)
    issues = [make_issue(corpus, seed_docs, k, args) for k in range(1, args.issues + 1)]

    for iss in issues:
        (out / f"{iss.stem}.txt").write_text(iss.text, encoding="utf-8")
    with open(out / "docnumbers.txt", "w", encoding="utf-8") as f:
        for iss in issues:
            for docno, seed_docno, title in iss.docs:
                f.write(f"{docno}\t{iss.stem}\t{seed_docno}\t{title}\n")
    manifest = {"seed": args.seed, "issues": [
        {"file": iss.stem, "gazette": iss.gazette, "issue": iss.label,
         "published": iss.published, "documents": len(iss.docs)} for iss in issues]}
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1),
                                       encoding="utf-8")
    print(f"{out}: {len(issues)} issues from {len(seed_docs)} seed documents, "
          f"{sum(len(i.docs) for i in issues)} documents", file=sys.stderr)

    if args.pdf:
        if not Path(args.font).exists():
            raise SystemExit(f"font {args.font} not found (apt-get install fonts-wqy-microhei)")

        def job(iss):
            txt, pdf = out / f"{iss.stem}.txt", out / f"{iss.stem}.pdf"
            msg = render_pdf(txt, pdf, iss, args.font)
            if not args.keep_txt:
                txt.unlink()
            return msg

        with ThreadPoolExecutor(max(1, args.jobs)) as ex:
            for msg in ex.map(job, issues):
                print(msg.splitlines()[0] if msg else "", file=sys.stderr)


if __name__ == "__main__":
    main()
