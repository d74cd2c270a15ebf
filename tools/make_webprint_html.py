"""Write the HTML of an invented county-bureau notice page, for browser-print fixtures.

A notice published on a (made-up) county government portal, the way such
pages are built: a top bar with the date and 无障碍浏览 | 网站支持IPV6, the
site banner, the main menu, a search box, the breadcrumb
``当前位置：首页 > 政府信息公开 > 政策文件``, a 信息公开 metadata table
(索引号, 主题分类, 发文机关, 标题, 发文字号, 发布日期, 效力状态), the title
again, the 发布时间 / 【字体：大 中 小】 / 打印 / 浏览量 line, then the notice
(主送机关, paragraphs, 一、…五、 items, a validity sentence, signature and
date, （此件公开发布）), then page tools and the footer (联系我们, 网站标识码,
ICP备案, 主办单位).  Everything -- county, bureau, 文号, people, numbers -- is
invented.

Two files are written into --out-dir:

* ``webprint.html``: ordinary code points;
* ``webprint-radicals.html``: the same page where about half of the
  occurrences of some common characters are replaced by the code points that
  the Type3 fonts of browser-printed PDFs really carry for them: Kangxi
  radicals (⽂ U+2F42 for 文, ⼈ U+2F08 for 人, ⽇ U+2F47 for 日, ...), CJK
  radicals supplement (⻔ U+2ED4 for 门, ⻓ U+2ED3 for 长, ⺠ U+2EA0 for 民) and
  CJK compatibility ideographs (不 U+F967 for 不, 利 U+F9DD for 利).  In the
  metadata table's 发文字号 and 标题 and in the page title every occurrence is
  replaced; elsewhere every other occurrence of each character (the 1st, 3rd,
  5th ...).  ``--seed`` instead picks each occurrence at random (p = 0.5).

and ``expected.json`` (the notice's fields, the metadata table, the
substitution counts and the site strings that must not end up in any field).

``--check DIR`` (after printing) verifies the PDFs: pdftotext of
webprint.pdf has no radicals, that of webprint-radicals.pdf has them, and
after mapping them back the two texts are identical.

Print with Chromium (Skia/PDF, Type3 fonts for the CFF-based Noto CJK)::

    chromium --headless --no-sandbox --print-to-pdf=webprint.pdf \\
        --no-pdf-header-footer webprint.html
"""

import argparse
import json
import os
import random
import re
import subprocess
import sys
import unicodedata
from html import escape

# character -> the code point a browser-printed PDF's text layer carries for it
SUBST = {
    "文": "\u2F42", "人": "\u2F08", "日": "\u2F47", "月": "\u2F49", "方": "\u2F45",
    "行": "\u2F8F", "自": "\u2F83", "水": "\u2F54", "工": "\u2F2F", "用": "\u2F64",
    "大": "\u2F24", "小": "\u2F29", "一": "\u2F00", "力": "\u2F12", "高": "\u2FBC",
    "立": "\u2F74", "网": "\u2F79", "户": "\u2F3E",        # ⼾ is KANGXI DOOR, NFKC → 戶 (!)
    "门": "\u2ED4", "长": "\u2ED3", "民": "\u2EA0",        # CJK radicals supplement
    "不": "\uF967", "利": "\uF9DD",                        # CJK compatibility ideographs
}
BACK = {v: k for k, v in SUBST.items()}

COUNTY = "青岚县"
BUREAU = "青岚县水利局"
DOCNO = "青水发〔2024〕23号"
TITLE = "青岚县水利局关于加强农村供水工程日常运行管理的通知"
PUBLISHED = "2024年11月12日"
PUB_TIME = "2024-11-12 10:36"
SIGNED = "2024年11月8日"
PRINT_DATE = "2024年11月15日 星期五"
ADDRESSEES = "各乡（镇）人民政府，县直有关单位，各农村供水工程管理单位："

BODY = [
    ("p", "为进一步加强全县农村供水工程运行管理，保障农村群众饮水安全，巩固拓展农村供水"
          "保障成果，根据《中华人民共和国水法》和《青岚县农村供水工程运行管理办法》"
          "（青政办发〔2022〕31号）有关规定，结合我县实际，现就有关事项通知如下："),
    ("p", "一、压实管理责任。各乡（镇）人民政府是本行政区域农村供水工程运行管理的责任主体，"
          "要明确专人负责，建立工程台账和长效管护机制，落实“一处工程、一名责任人”。县水利局负责全县农村"
          "供水工程的行业监管和技术指导，各有关部门按照职责分工做好相关工作。"),
    ("p", "二、加强水源保护。各乡（镇）要按照规定划定农村集中供水工程水源保护范围，设立警示"
          "标志，每月开展不少于一次巡查，严禁在水源保护范围内从事可能污染水源的活动。"),
    ("p", "三、规范水质检测。供水单位要按照国家有关标准开展日常水质检测，日供水千吨以上的工程"
          "每日检测不少于一次，其他集中供水工程每月检测不少于一次，检测结果于次月5日前报送"
          "县水利局。"),
    ("p", "四、做好冬季防冻。各地要在11月30日前完成管网、水表和阀门井的防冻保温工作，储备必要"
          "的抢修物资，制定冬季供水保障方案，必要时延长报修服务时间，确保用户冬季用水不中断。"),
    ("p", "五、强化应急处置。供水单位要制定供水应急预案，发生供水中断、水质异常等情况时，应立即"
          "启动应急响应，通过短信、村广播等方式告知受影响的农户，并在2小时内向所在乡（镇）人民政府和"
          "县水利局报告。"),
    ("p", "本通知自印发之日起施行，有效期至2026年12月31日。"),
]

MENU = ["首页", "走进青岚", "政务公开", "政务服务", "互动交流", "专题专栏"]
SIDE = ["信息公开指南", "法定主动公开内容", "政策文件", "依申请公开"]
BREADCRUMB = ["首页", "政府信息公开", "政策文件"]
META = [("索引号", "QL-SLJ-2024-00023"), ("主题分类", "农业、林业、水利"),
        ("发文机关", BUREAU), ("标题", TITLE), ("发文字号", DOCNO),
        ("发布日期", PUBLISHED), ("效力状态", "有效")]

CSS = """
@page { size: A4; }
* { margin: 0; padding: 0; box-sizing: border-box; }
body { font-family: "Microsoft YaHei", "微软雅黑", "Noto Sans CJK SC", sans-serif;
       font-size: 14px; color: #333; background: #fff; }
a { color: #333; text-decoration: none; }
.wrap { width: 1000px; margin: 0 auto; }
.topbar { background: #f2f2f2; border-bottom: 1px solid #ddd; height: 34px; line-height: 34px;
          font-size: 12px; color: #666; }
.topbar .l { float: left; } .topbar .r { float: right; }
.topbar .r a { margin: 0 4px; color: #666; }
.banner { height: 110px; background: linear-gradient(#1d5fae, #2f7fd3); color: #fff; }
.banner .logo { float: left; font-size: 36px; font-weight: bold; letter-spacing: 4px;
                line-height: 110px; padding-left: 20px; }
.banner .sub { float: left; font-size: 13px; line-height: 20px; margin: 50px 0 0 14px; opacity: .85; }
.search { float: right; margin-top: 38px; }
.search input { width: 230px; height: 32px; border: 1px solid #cfd8e3; padding: 0 8px;
                font-size: 13px; color: #999; }
.search button { width: 64px; height: 32px; border: 0; background: #f39800; color: #fff;
                 font-size: 14px; }
.nav { background: #174d8f; height: 44px; }
.nav ul { list-style: none; } .nav li { float: left; width: 166px; text-align: center; }
.nav li a { color: #fff; font-size: 17px; line-height: 44px; display: block; }
.nav li.on a { background: #0f3a6e; }
.crumb { height: 42px; line-height: 42px; font-size: 13px; color: #666; border-bottom: 1px dashed #ccc; }
.main { overflow: hidden; margin-top: 14px; }
.side { float: left; width: 190px; border: 1px solid #dce3ec; }
.side h3 { background: #1d5fae; color: #fff; font-size: 16px; line-height: 40px; text-align: center;
           font-weight: normal; }
.side li { list-style: none; line-height: 38px; border-bottom: 1px solid #eef1f5; padding-left: 22px;
           font-size: 14px; }
.side li.on { background: #eaf2fb; color: #1d5fae; }
.content { float: right; width: 790px; }
table.meta { width: 100%; border-collapse: collapse; background: #f8fbfe; font-size: 13px; }
table.meta td { border: 1px solid #d7e1ec; padding: 7px 10px; line-height: 20px; }
table.meta td.k { width: 92px; color: #555; background: #eef4fa; }
h1.title { font-size: 22px; color: #b0160f; text-align: center; line-height: 34px; margin: 26px 20px 12px;
           font-weight: bold; }
.info { text-align: center; font-size: 12px; color: #888; border-bottom: 1px solid #e5e5e5;
        padding-bottom: 10px; }
.info span { margin: 0 10px; }
.article { padding: 22px 26px 10px; font-size: 20px; line-height: 40px; }
.article p { text-indent: 2em; margin-bottom: 4px; text-align: justify; }
.article p.to { text-indent: 0; }
.article p.sign { text-align: right; text-indent: 0; padding-right: 2em; }
.article p.sign1 { margin-top: 30px; }
.article p.pub { text-indent: 2em; }
.tools { text-align: right; font-size: 13px; color: #666; padding: 8px 26px 18px; }
.tools span { margin-left: 14px; }
.qr { font-size: 12px; color: #999; text-align: right; padding: 0 26px 20px; }
.footer { margin-top: 20px; background: #174d8f; color: #dfe8f3; font-size: 12px; line-height: 24px;
          text-align: center; padding: 16px 0; }
.footer .links a { color: #fff; margin: 0 8px; }
"""


ON = ' class="on"'


class Sub:
    """Replaces about half of the occurrences of the SUBST characters."""

    def __init__(self, on, seed=None):
        self.on = on
        self.rng = random.Random(seed) if seed is not None else None
        self.count = {}
        self.done = {}

    def __call__(self, text, force=False):
        if not self.on:
            return text
        out = []
        for ch in text:
            if ch in SUBST:
                n = self.count.get(ch, 0)
                self.count[ch] = n + 1
                if self.rng is not None:
                    hit = force or self.rng.random() < 0.5
                else:
                    hit = force or n % 2 == 0
                if hit:
                    self.done[ch] = self.done.get(ch, 0) + 1
                    out.append(SUBST[ch])
                    continue
            out.append(ch)
        return "".join(out)


def page(sub):
    S = lambda t, force=False: escape(sub(t, force))  # noqa: E731
    h = []
    h.append('<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n')
    h.append(f"<title>{escape(TITLE)}_{escape(COUNTY)}人民政府</title>\n")
    h.append(f'<meta name="ArticleTitle" content="{escape(TITLE)}">\n')
    h.append(f'<meta name="PubDate" content="{PUB_TIME}">\n')
    h.append(f'<meta name="ContentSource" content="{escape(BUREAU)}">\n')
    h.append(f"<style>{CSS}</style>\n</head>\n<body>\n")
    h.append('<div class="topbar"><div class="wrap">'
             f'<span class="l">{S(PRINT_DATE)}</span>'
             f'<span class="r"><a href="#">{S("无障碍浏览")}</a>|<a href="#">{S("网站支持IPV6")}</a></span>'
             '</div></div>\n')
    h.append('<div class="banner"><div class="wrap">'
             f'<div class="logo">{S(COUNTY + "人民政府")}</div>'
             f'<div class="sub">QINGLAN COUNTY PEOPLE\'S GOVERNMENT</div>'
             f'<div class="search"><input type="text" value="{S("请输入关键字")}">'
             f'<button>{S("搜索")}</button></div>'
             '</div></div>\n')
    h.append('<div class="nav"><div class="wrap"><ul>' +
             "".join(f'<li{ON if m == "政务公开" else ""}><a href="#">{S(m)}</a></li>'
                     for m in MENU) + "</ul></div></div>\n")
    crumb = " &gt; ".join(f'<a href="#">{S(c)}</a>' for c in BREADCRUMB)
    h.append(f'<div class="wrap"><div class="crumb">{S("当前位置：")}{crumb}</div>\n')
    h.append('<div class="main"><div class="side">'
             f'<h3>{S("政府信息公开")}</h3><ul>' +
             "".join(f'<li{ON if x == "政策文件" else ""}>{S(x)}</li>' for x in SIDE) +
             "</ul></div>\n")
    h.append('<div class="content">\n<table class="meta">\n')
    rows = dict(META)
    h.append(f'<tr><td class="k">{S("索引号")}</td><td>{S(rows["索引号"])}</td>'
             f'<td class="k">{S("主题分类")}</td><td>{S(rows["主题分类"])}</td></tr>\n')
    h.append(f'<tr><td class="k">{S("发文机关")}</td><td>{S(rows["发文机关"])}</td>'
             f'<td class="k">{S("效力状态")}</td><td>{S(rows["效力状态"])}</td></tr>\n')
    h.append(f'<tr><td class="k">{S("标　　题")}</td><td colspan="3">{S(rows["标题"], True)}</td></tr>\n')
    h.append(f'<tr><td class="k">{S("发文字号")}</td><td>{S(rows["发文字号"], True)}</td>'
             f'<td class="k">{S("发布日期")}</td><td>{S(rows["发布日期"])}</td></tr>\n')
    h.append("</table>\n")
    h.append(f'<h1 class="title">{S(TITLE, True)}</h1>\n')
    h.append('<div class="info">'
             f'<span>{S("发布时间：" + PUB_TIME)}</span>'
             f'<span>{S("【字体：大 中 小】")}</span>'
             f'<span>{S("打印")}</span>'
             f'<span>{S("浏览量：1268")}</span></div>\n')
    h.append('<div class="article">\n')
    h.append(f'<p class="to">{S(ADDRESSEES)}</p>\n')
    for _, t in BODY:
        h.append(f"<p>{S(t)}</p>\n")
    h.append(f'<p class="sign sign1">{S(BUREAU)}</p>\n')
    h.append(f'<p class="sign">{S(SIGNED)}</p>\n')
    h.append(f'<p class="pub">{S("（此件公开发布）")}</p>\n')
    h.append("</div>\n")
    h.append(f'<div class="tools"><span>{S("【打印本页】")}</span><span>{S("【关闭窗口】")}</span></div>\n')
    h.append("</div></div></div>\n")
    h.append('<div class="footer"><div class="wrap">'
             f'<div class="links"><a href="#">{S("联系我们")}</a>|<a href="#">{S("网站地图")}</a></div>'
             f'<div>{S("主办单位：" + COUNTY + "人民政府办公室　承办单位：" + COUNTY + "政务服务和数据管理局")}</div>'
             f'<div>{S("网站标识码：6399000017　青ICP备10000001号-1　青公网安备 63990002000123号")}</div>'
             f'<div>{S("地址：" + COUNTY + "人民路1号　联系电话：0000-8123456")}</div>'
             "</div></div>\n</body>\n</html>\n")
    return "".join(h)


CHROME_STRINGS = [
    PRINT_DATE, "无障碍浏览", "网站支持IPV6", "请输入关键字", "搜索",
    "走进青岚", "政务公开", "政务服务", "互动交流", "专题专栏",
    "当前位置：首页 > 政府信息公开 > 政策文件", "当前位置", "首页", "政府信息公开", "政策文件",
    "信息公开指南", "法定主动公开内容", "依申请公开",
    "索引号", "主题分类", "效力状态", "发布日期", "发文字号", "发文机关",
    "发布时间", "【字体：大 中 小】", "字体：大 中 小", "打印", "浏览量", "【打印本页】", "【关闭窗口】",
    "联系我们", "网站地图",
    "主办单位", "承办单位", "网站标识码", "ICP备", "青ICP备10000001号-1", "公网安备",
    "QINGLAN COUNTY PEOPLE'S GOVERNMENT",
]


def expected(sub):
    text_all = "".join(t for _, t in BODY)
    return {
        "made_by": "tools/make_webprint_html.py (invented county, bureau and notice)",
        "doc_number": DOCNO,
        "issuer": [BUREAU],
        "title": TITLE,
        "doc_type": "通知",
        "instrument": None,
        "addressees": ADDRESSEES.rstrip("："),
        "signed_by": BUREAU,
        "signed_date": "2024-11-08",
        "published": "2024-11-12",
        "effective": {"from": "2024-11-08", "until": "2026-12-31",
                      "evidence": "本通知自印发之日起施行，有效期至2026年12月31日。"},
        "cites": [{"target": "青政办发〔2022〕31号",
                   "target_title": "青岚县农村供水工程运行管理办法"}],
        "body": {"top_sections": 5,
                 "top_section_headings": ["压实管理责任", "加强水源保护", "规范水质检测",
                                          "做好冬季防冻", "强化应急处置"],
                 "first_paragraph_starts_with": BODY[0][1][:20],
                 "last_line_after_date": "（此件公开发布）"},
        "metadata_table": {k: v for k, v in META},
        "metadata_table_note": "the 标题 label is printed as 标　　题 (two U+3000); the date line at "
                               "the top (" + PRINT_DATE + ") is the day of printing, not a document date",
        "must_not_appear_in_any_field": CHROME_STRINGS,
        "variants": {
            "webprint.pdf": {"html": "webprint.html", "code_points": "ordinary"},
            "webprint-radicals.pdf": {
                "html": "webprint-radicals.html",
                "code_points": "about half of the occurrences of the characters below are "
                               "Kangxi radicals / CJK radicals supplement / CJK compatibility "
                               "ideographs; every occurrence in the metadata 发文字号 and 标题 "
                               "and in the page title is replaced",
                "map_back": {v: k for k, v in SUBST.items()},
                "map_back_codepoints": {f"U+{ord(v):04X}": k for k, v in SUBST.items()},
                "not_covered_by_nfkc": {f"U+{ord(v):04X}": {
                    "char": v, "means": k,
                    "nfkc": unicodedata.normalize("NFKC", v)}
                    for k, v in SUBST.items() if unicodedata.normalize("NFKC", v) != k},
                "replaced": {k: {"to": f"U+{ord(SUBST[k]):04X}", "replaced": sub.done.get(k, 0),
                                 "occurrences": sub.count.get(k, 0)}
                             for k in SUBST if sub.count.get(k)},
                "doc_number_in_text_layer": "".join(SUBST.get(c, c) for c in DOCNO),
                "title_in_text_layer": "".join(SUBST.get(c, c) for c in TITLE),
            },
        },
        "body_chars": len(text_all),
    }


def check(d):
    """After printing: verify the text layers of the two PDFs."""
    def txt(name):
        return subprocess.run(["pdftotext", "-layout", os.path.join(d, name), "-"],
                              capture_output=True, text=True, check=True).stdout
    a, b = txt("webprint.pdf"), txt("webprint-radicals.pdf")
    rad = lambda s: sum(1 for c in s if c in BACK)  # noqa: E731
    back = "".join(BACK.get(c, c) for c in b)
    sq = lambda s: re.sub(r"\s+", "", s)  # noqa: E731
    problems = []
    if rad(a):
        problems.append(f"webprint.pdf has {rad(a)} radicals in its text layer")
    if rad(b) < 40:
        problems.append(f"webprint-radicals.pdf has only {rad(b)} radicals")
    if sq(a) != sq(back):
        problems.append("the radicals PDF, mapped back, differs from the plain one")
    exp = json.load(open(os.path.join(d, "expected.json"), encoding="utf-8"))
    for k in ("doc_number", "title"):
        if exp[k] not in sq(a):
            problems.append(f"{k} {exp[k]} not in webprint.pdf text")
    r = exp["variants"]["webprint-radicals.pdf"]
    for k in ("doc_number_in_text_layer", "title_in_text_layer"):
        if r[k] not in sq(b):
            problems.append(f"{k} {r[k]} not in webprint-radicals.pdf text")
    print(f"webprint.pdf: {rad(a)} radicals; webprint-radicals.pdf: {rad(b)} radicals",
          file=sys.stderr)
    if problems:
        sys.exit("check failed: " + "; ".join(problems))
    print("check ok", file=sys.stderr)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out-dir")
    ap.add_argument("--seed", type=int, default=None,
                    help="random choice of the replaced occurrences (default: every other)")
    ap.add_argument("--check", metavar="DIR", help="verify printed PDFs in DIR")
    args = ap.parse_args(argv)
    if args.check:
        check(args.check)
        return
    if not args.out_dir:
        ap.error("--out-dir is required")
    fields = [DOCNO, BUREAU, TITLE, SIGNED, ADDRESSEES] + [t for _, t in BODY]
    leaked = [c for c in CHROME_STRINGS for f in fields if c in f]
    if leaked:
        sys.exit(f"site strings occur in the notice itself: {leaked}")
    os.makedirs(args.out_dir, exist_ok=True)
    plain = page(Sub(False))
    sub = Sub(True, args.seed)
    rad = page(sub)
    with open(os.path.join(args.out_dir, "webprint.html"), "w", encoding="utf-8") as f:
        f.write(plain)
    with open(os.path.join(args.out_dir, "webprint-radicals.html"), "w", encoding="utf-8") as f:
        f.write(rad)
    with open(os.path.join(args.out_dir, "expected.json"), "w", encoding="utf-8") as f:
        json.dump(expected(sub), f, ensure_ascii=False, indent=1)
        f.write("\n")
    total = sum(sub.count.values())
    print(f"{args.out_dir}: replaced {sum(sub.done.values())} of {total} occurrences",
          file=sys.stderr)


if __name__ == "__main__":
    main()
