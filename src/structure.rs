//! **structure**: a document's text in, its enclosed instrument and its
//! provision tree out.
//!
//! A notice that 印发 or attaches an instrument prints it after its own
//! signature and date: an optional 附件 line, the instrument's title, then its
//! body. The provisions are read from the instrument's body, or from the
//! notice's own body when it encloses nothing. Two numbering systems occur:
//! 编/章/节/条 (with 项 （一） and 目 1. inside articles) for regulations, and
//! 一、/（一）/1./（1） for plans and notices. A label counts only at the start
//! of a line and only when it continues its numbering (a 第X条 that does not
//! follow the previous article is a citation, not an article).

use crate::clean::CleanText;
use crate::gongwen::{instrument_type, lines, title_line_ok, TextLine};
use crate::text::parse_cn_number;
use regex::Regex;
use serde::{Deserialize, Serialize};
use std::sync::LazyLock;

/// The kind of a provision, by its numbering.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProvisionKind {
    /// 第X编
    Part,
    /// 第X章
    Chapter,
    /// 第X节
    Section,
    /// 第X条, 第X条之一
    Article,
    /// 一、 (plans and notices)
    Level1,
    /// （一） — a 项 inside an article
    Level2,
    /// 1. — a 目 inside a 项
    Level3,
    /// （1）
    Level4,
    /// An enclosure (附件) of a document that has provisions of its own.
    Annex,
    /// `1 范围`, `3.1`, `4.2.1` — a decimal outline (standards, 预案),
    /// by depth.
    Outline1,
    Outline2,
    Outline3,
}

impl ProvisionKind {
    /// Depth in the numbering hierarchy: a provision nests under open ones of lower rank.
    fn rank(self) -> u8 {
        match self {
            ProvisionKind::Part => 0,
            ProvisionKind::Chapter => 1,
            ProvisionKind::Section => 2,
            ProvisionKind::Article => 3,
            ProvisionKind::Level1 => 4,
            ProvisionKind::Level2 => 5,
            ProvisionKind::Level3 => 6,
            ProvisionKind::Level4 => 7,
            ProvisionKind::Annex => 0,
            ProvisionKind::Outline1 => 4,
            ProvisionKind::Outline2 => 5,
            ProvisionKind::Outline3 => 6,
        }
    }
}

/// One provision and its children.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Provision {
    /// `<document id>/<path>`, e.g. `青政发〔2024〕74号/第三章/第十五条`.
    pub id: String,
    pub kind: ProvisionKind,
    /// The label as printed: `第十五条`, `一、`, `（一）`, `1.`.
    pub label: String,
    /// A chapter's title, an article's inline heading, a section's heading.
    pub heading: Option<String>,
    /// The text after the label, as printed, with its following paragraphs.
    pub text: String,
    /// Page where the provision starts.
    pub page: u32,
    pub children: Vec<Provision>,
}

impl Provision {
    /// This provision and all below it, depth first.
    pub fn walk(&self) -> Vec<&Provision> {
        let mut v = vec![self];
        for c in &self.children {
            v.extend(c.walk());
        }
        v
    }
}

/// Every provision of a tree, depth first.
pub fn flatten(tree: &[Provision]) -> Vec<&Provision> {
    tree.iter().flat_map(|p| p.walk()).collect()
}

/// The regulation, plan or list a notice encloses.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Instrument {
    pub title: String,
    pub doc_type: Option<String>,
    pub chapters: usize,
    pub articles: usize,
    /// Top-level 一、二、… sections (for an instrument without articles).
    pub top_sections: usize,
    /// The dates it prints under its title: adopted, revised, effective.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dates: Vec<crate::record::DocDate>,
}

const NUM: &str = "[一二三四五六七八九十百千零〇两0-9]+";

/// `第三章 入市主体`, `第一编 总则`, `第二节 审批`, `第六章法律责任`
static DIVISION: LazyLock<Regex> = LazyLock::new(|| Regex::new(&format!(r"^第({NUM})([编章节])(.*)$")).unwrap());

/// Is this the heading of a division (what follows `第六章`)? Set off by a
/// space it may hold a comma (`第二章  工作报告的审议，国民经济计划和…`);
/// run on (`第六章法律责任`) it must be short, without punctuation, and not
/// a phrase that cites the division (`第六章规定的`).
fn division_heading(rest: &str) -> bool {
    let spaced = rest.starts_with(char::is_whitespace);
    let r = rest.trim();
    if r.is_empty() {
        return true;
    }
    let cites = ["的", "规定", "所", "中的", "中规定", "第", "和", "或", "至", "、", "以", "有关", "之"].iter().any(|w| r.starts_with(w));
    let n = r.chars().count();
    if spaced {
        n <= 40 && !cites && !r.contains(['。', '；', ';'])
    } else {
        n <= 20 && !cites && !r.contains(['。', '，', '；', '：', ',', ';', ':', '、'])
    }
}

/// `第十五条 竞买规则 农村…`, `第三条之一　…`, `第五条【适用范围】…`
static ARTICLE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!(r"^第({NUM})条(?:之([一二三四五六七八九十]+))?[\s　]*(.*)$")).unwrap());
/// `一、指导思想`
static L1: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^([一二三四五六七八九十]+)[、，．.][\s　]*(.*)$").unwrap());
/// `（一）建设要求`, `(二) 强化主体责任`
static L2: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^[（(]([一二三四五六七八九十]+)[）)][\s　]*(.*)$").unwrap());
/// `1.选址标准。`, `2、运营模式`, `3．`
static L3: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^([0-9]{1,3})[.．、][\s　]*(.*)$").unwrap());
/// `（1）以社区党群服务中心…`
static L4: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^[（(]([0-9]{1,3})[）)][\s　]*(.*)$").unwrap());
/// An inline heading at the start of an article: `竞买规则 农村集体…`, `【适用范围】…`.
static INLINE_HEADING: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^(?:【([^】]{1,20})】|([\p{Han}、]{2,14})[ \u{3000}]+\S)").unwrap());
/// Lines between a notice's signature and its enclosure: `附件`, `附件1`, `附件：`, `（此件公开发布）`.
static ENCLOSURE_NOISE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:附件\s*\d*\s*[:：]?\s*$|[（(]此件[^）)]*[）)]$|[（(]联系人.*[）)]$|联\s*系\s*人.*$|联系电话.*$)").unwrap()
});

/// A recognised label at the start of a line.
struct Label {
    kind: ProvisionKind,
    number: u32,
    /// For 第X条之N.
    sub: Option<u32>,
    label: String,
    path: String,
    rest: String,
}

/// `3.1`, `4.2.1 数据格式`, `1 范围`, `5引用文件` — a decimal outline's label
/// and what follows it.
static OUTLINE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^(\d{1,2}(?:\.\d{1,2}){0,2})(?:[\s　]+(.*)|(\p{Han}.*))?$").unwrap());
/// A sub-clause label (`3.1`, `4.2.1`): a document with several is outlined.
static OUTLINE_SUB: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^\d{1,2}\.\d{1,2}(?:\.\d{1,2})?(?:[\s　]|\p{Han}|$)").unwrap());

/// A decimal outline label at the start of a line: the number path and the rest.
fn read_outline(line: &str) -> Option<(Vec<u32>, String)> {
    if crate::gongwen::LEADERS.is_match(line) {
        return None;
    }
    let c = OUTLINE.captures(line.trim())?;
    let path: Vec<u32> = c[1].split('.').filter_map(|n| n.parse().ok()).collect();
    let rest = c.get(2).or(c.get(3)).map_or("", |m| m.as_str()).trim().to_string();
    // `2014年`, `5号楼`, `3%`: a number, not a clause.
    if rest.starts_with(['年', '月', '日', '号', '%', '个', '万', '元', '千', '百', '次', '件', '条', '项', '类', '级']) {
        return None;
    }
    // A chapter (`1 范围`) has a short heading; a sub-clause may stand alone.
    if path.len() == 1 && (rest.is_empty() || rest.chars().count() > 30 || rest.ends_with(['。', '；', '，'])) {
        return None;
    }
    Some((path, rest))
}

/// Does the outline path `p` continue `last` (the next sibling at some
/// depth, or a first child)?
fn continues_outline(last: &[u32], p: &[u32]) -> bool {
    if last.is_empty() {
        return p == [1];
    }
    if p.len() == last.len() + 1 {
        return p[..last.len()] == *last && p[p.len() - 1] == 1;
    }
    p.len() <= last.len() && p[..p.len() - 1] == last[..p.len() - 1] && p[p.len() - 1] == last[p.len() - 1] + 1
}

fn read_label(line: &str) -> Option<Label> {
    // A list bullet before the label: `- (1) 被吊销…`, `• （二）…`.
    let line = match line.strip_prefix(['-', '•', '·', '▪', '●']) {
        Some(rest) if rest.starts_with([' ', '\u{3000}', '(', '（']) || rest.trim_start().starts_with(['(', '（']) => rest.trim_start(),
        _ => line,
    };
    if let Some(c) = DIVISION.captures(line).filter(|c| division_heading(&c[3])) {
        let number = parse_cn_number(&c[1])?;
        let kind = match &c[2] {
            "编" => ProvisionKind::Part,
            "章" => ProvisionKind::Chapter,
            _ => ProvisionKind::Section,
        };
        let label = format!("第{}{}", &c[1], &c[2]);
        return Some(Label { kind, number, sub: None, path: label.clone(), label, rest: c[3].trim().to_string() });
    }
    if let Some(c) = ARTICLE.captures(line) {
        let number = parse_cn_number(&c[1])?;
        let sub = c.get(2).and_then(|m| parse_cn_number(m.as_str()));
        let label = match c.get(2) {
            Some(s) => format!("第{}条之{}", &c[1], s.as_str()),
            None => format!("第{}条", &c[1]),
        };
        return Some(Label { kind: ProvisionKind::Article, number, sub, path: label.clone(), label, rest: c[3].trim().to_string() });
    }
    if let Some(c) = L2.captures(line) {
        let number = parse_cn_number(&c[1])?;
        return Some(Label {
            kind: ProvisionKind::Level2,
            number,
            sub: None,
            label: format!("（{}）", &c[1]),
            path: format!("（{}）", &c[1]),
            rest: c[2].trim().to_string(),
        });
    }
    if let Some(c) = L4.captures(line) {
        let number: u32 = c[1].parse().ok()?;
        return Some(Label {
            kind: ProvisionKind::Level4,
            number,
            sub: None,
            label: format!("（{number}）"),
            path: format!("（{number}）"),
            rest: c[2].trim().to_string(),
        });
    }
    if let Some(c) = L1.captures(line) {
        let number = parse_cn_number(&c[1])?;
        let sep = &line[c[1].len()..].chars().next()?;
        if *sep != '、' {
            // 一，/一. only in sloppy print: accept 、 and full stop forms.
            if !matches!(sep, '．' | '.') {
                return None;
            }
        }
        return Some(Label {
            kind: ProvisionKind::Level1,
            number,
            sub: None,
            label: format!("{}、", &c[1]),
            path: c[1].to_string(),
            rest: c[2].trim().to_string(),
        });
    }
    if let Some(c) = L3.captures(line) {
        let number: u32 = c[1].parse().ok()?;
        let rest = c[2].trim();
        // `6.6条`, `2024.1` are numbers, not labels.
        if rest.starts_with(|ch: char| ch.is_ascii_digit()) || rest.is_empty() && line.len() > 8 {
            return None;
        }
        let sep = line[c[1].len()..].chars().next()?;
        return Some(Label {
            kind: ProvisionKind::Level3,
            number,
            sub: None,
            label: format!("{number}{sep}"),
            path: number.to_string(),
            rest: rest.to_string(),
        });
    }
    None
}

/// A provision being built.
struct Open {
    kind: ProvisionKind,
    number: u32,
    label: String,
    path: String,
    heading: Option<String>,
    text: String,
    offset: usize,
    children: Vec<Provision>,
}

fn heading_of(kind: ProvisionKind, rest: &str) -> Option<String> {
    match kind {
        ProvisionKind::Part | ProvisionKind::Chapter | ProvisionKind::Section => (!rest.is_empty()).then(|| rest.to_string()),
        ProvisionKind::Article => INLINE_HEADING.captures(rest).and_then(|c| c.get(1).or(c.get(2))).map(|m| m.as_str().to_string()),
        _ => {
            let r = rest.trim();
            if r.is_empty() {
                None
            } else if r.chars().count() <= 30 && !r.ends_with(['。', '；', '：', ':', ';']) {
                Some(r.trim_end_matches(['，', ',']).to_string())
            } else {
                // `选址标准。社区食堂以…`: a short phrase before the first full stop.
                r.split_once('。').filter(|(h, _)| h.chars().count() <= 16).map(|(h, _)| h.to_string())
            }
        }
    }
}

/// The lines of an instrument's own 目录: a `目录` line and the run of
/// division headings after it, or a run of three or more division headings
/// numbered from 一 with nothing between them (`第一章 总则` / `第二章 …`).
/// The body repeats them with their articles; the 目录 is no provision.
fn toc_lines(ls: &[TextLine]) -> Vec<bool> {
    let mut out = vec![false; ls.len()];
    let division =
        |t: &str| read_label(t).filter(|l| matches!(l.kind, ProvisionKind::Part | ProvisionKind::Chapter | ProvisionKind::Section));
    let mut i = 0;
    while i < ls.len() {
        let titled = crate::text::squeeze(ls[i].text) == "目录";
        let start = if titled { i + 1 } else { i };
        let mut j = start;
        let mut expect = 1;
        while let Some(l) = ls.get(j).and_then(|l| division(l.text)) {
            if l.number != expect {
                break;
            }
            expect = l.number + 1;
            j += 1;
        }
        if (titled && j > start) || j - start >= 3 {
            for k in i..j {
                out[k] = true;
            }
            i = j;
        } else {
            i += 1;
        }
    }
    out
}

/// Build the provision tree of the lines `ls` (offsets in the issue text).
pub fn provisions(doc_id: &str, ls: &[TextLine], base: usize, clean: &CleanText) -> Vec<Provision> {
    let mut root: Vec<Provision> = Vec::new();
    let mut stack: Vec<Open> = Vec::new();
    let mut last_article: Option<(u32, Option<u32>)> = None;
    let mut last_division: [u32; 3] = [0; 3];
    let mut used_ids: std::collections::HashMap<String, usize> = Default::default();
    let mut last_of_kind: std::collections::HashMap<ProvisionKind, u32> = Default::default();

    fn close(
        stack: &mut Vec<Open>,
        root: &mut Vec<Provision>,
        doc_id: &str,
        clean: &CleanText,
        base: usize,
        used: &mut std::collections::HashMap<String, usize>,
    ) {
        let o = stack.pop().expect("open provision");
        let parent_path: Vec<&str> = stack.iter().map(|p| p.path.as_str()).collect();
        let mut id =
            if parent_path.is_empty() { format!("{doc_id}/{}", o.path) } else { format!("{doc_id}/{}/{}", parent_path.join("/"), o.path) };
        let n = used.entry(id.clone()).or_insert(0);
        *n += 1;
        if *n > 1 {
            id = format!("{id}~{n}");
        }
        // Children were closed before their parent, with ids under the parent's
        // original path: fix them up if the parent's id changed.
        let p = Provision {
            id,
            kind: o.kind,
            label: o.label,
            heading: o.heading,
            text: o.text.trim_end().to_string(),
            page: clean.page_at(base + o.offset),
            children: o.children,
        };
        match stack.last_mut() {
            Some(parent) => parent.children.push(p),
            None => root.push(p),
        }
    }

    let in_toc = toc_lines(ls);
    // A text with several sub-clause labels (3.1, 3.2) is a decimal outline.
    let outlined = ls.iter().filter(|l| OUTLINE_SUB.is_match(l.text.trim())).count() >= 2;
    let mut last_outline: Vec<u32> = Vec::new();
    for (li, l) in ls.iter().enumerate() {
        if in_toc[li] {
            continue;
        }
        let outline = outlined.then(|| read_outline(l.text)).flatten().filter(|(p, _)| continues_outline(&last_outline, p));
        let outline = outline.map(|(p, rest)| {
            last_outline = p.clone();
            let kind = [ProvisionKind::Outline1, ProvisionKind::Outline2, ProvisionKind::Outline3][p.len() - 1];
            let label = p.iter().map(|n| n.to_string()).collect::<Vec<_>>().join(".");
            Label { kind, number: *p.last().unwrap_or(&0), sub: None, path: label.clone(), label, rest }
        });
        let accepted = outline.or_else(|| read_label(l.text)).filter(|lab| {
            let r = lab.kind.rank();
            match lab.kind {
                // Continuity was checked when the outline label was read.
                ProvisionKind::Outline1 | ProvisionKind::Outline2 | ProvisionKind::Outline3 => true,
                ProvisionKind::Article => match (last_article, lab.sub) {
                    (None, None) => lab.number <= 5,
                    (None, Some(_)) => false,
                    (Some((n, _)), None) => lab.number > n && lab.number <= n + 5,
                    (Some((n, s)), Some(k)) => lab.number == n && s.unwrap_or(0) + 1 == k,
                },
                ProvisionKind::Part | ProvisionKind::Chapter | ProvisionKind::Section => {
                    let i = r as usize;
                    let last = if lab.kind == ProvisionKind::Section && stack.iter().all(|o| o.kind != ProvisionKind::Section) {
                        0
                    } else {
                        last_division[i]
                    };
                    // Sources sometimes skip a number (a chapter lost in
                    // conversion), and an excerpt may open at any chapter.
                    (lab.number > last && lab.number <= last + 3)
                        || (lab.number == 1 && lab.kind == ProvisionKind::Section)
                        || (last == 0 && lab.number <= 50 && stack.iter().all(|o| o.kind.rank() >= r))
                }
                _ => {
                    // A sibling continues its numbering; a new list starts at 1;
                    // many lists number on across their parents (一、（一）（二）
                    // 二、（三）…（二十七） in State Council 意见; 一、… 1. 2. 二、… 3.;
                    // 一、 items numbered across 第X章 in 工作规则).
                    if last_of_kind.get(&lab.kind).is_some_and(|n| lab.number == n + 1) {
                        return true;
                    }
                    let sibling = stack.iter().rev().find(|o| o.kind == lab.kind);
                    let inside_higher = stack.iter().rposition(|o| o.kind.rank() < r);
                    let sib_ok = match (sibling, inside_higher) {
                        (Some(s), Some(h)) => {
                            let si = stack.iter().rposition(|o| o.kind == lab.kind).unwrap_or(0);
                            si > h && lab.number == s.number + 1
                        }
                        (Some(s), None) => lab.number == s.number + 1,
                        _ => false,
                    };
                    sib_ok || lab.number == 1
                }
            }
        });
        let offset = l.start - base;
        match accepted {
            Some(lab) => {
                let r = lab.kind.rank();
                while stack.last().is_some_and(|o| o.kind.rank() >= r) {
                    close(&mut stack, &mut root, doc_id, clean, base, &mut used_ids);
                }
                last_of_kind.insert(lab.kind, lab.number);
                match lab.kind {
                    ProvisionKind::Article => last_article = Some((lab.number, lab.sub)),
                    ProvisionKind::Part | ProvisionKind::Chapter | ProvisionKind::Section => {
                        let i = r as usize;
                        last_division[i] = lab.number;
                        for d in last_division.iter_mut().skip(i + 1) {
                            *d = 0;
                        }
                    }
                    _ => {}
                }
                let heading = heading_of(lab.kind, &lab.rest);
                stack.push(Open {
                    kind: lab.kind,
                    number: lab.number,
                    label: lab.label,
                    path: lab.path,
                    heading,
                    text: if lab.rest.is_empty() { String::new() } else { format!("{}\n", lab.rest) },
                    offset,
                    children: vec![],
                });
            }
            None => {
                if let Some(o) = stack.last_mut() {
                    o.text.push_str(l.text);
                    o.text.push('\n');
                }
            }
        }
    }
    while !stack.is_empty() {
        close(&mut stack, &mut root, doc_id, clean, base, &mut used_ids);
    }
    root
}

/// Split a document into its enclosed instrument (if any) and provisions.
///
/// `doc_lines` are the document's lines (offsets in the issue text),
/// `body_from` the index of its first body line (after the heading),
/// `signature` the index of its signature date line, if found.
pub fn structure(
    doc_id: &str,
    doc_lines: &[TextLine],
    body_from: usize,
    signature: Option<usize>,
    clean: &CleanText,
) -> (Option<Instrument>, Vec<Provision>) {
    let mut instrument = None;
    let mut region: &[TextLine] =
        &doc_lines[body_from.min(doc_lines.len())..signature.unwrap_or(doc_lines.len()).max(body_from).min(doc_lines.len())];
    if let Some(sig) = signature {
        let mut i = sig + 1;
        while i < doc_lines.len() && ENCLOSURE_NOISE.is_match(doc_lines[i].text) {
            i += 1;
        }
        // A 附件 line announces an enclosure whatever its 文种 (`附件` /
        // `三级公立医院绩效考核指标`).
        let announced = i > sig + 1 && doc_lines[sig + 1..i].iter().any(|l| l.text.trim_start().starts_with("附件"));
        // The enclosure's title: up to three title-like lines ending in a 文种.
        let mut title = String::new();
        let mut j = i;
        while j < doc_lines.len() && j < i + 3 && title_line_ok(doc_lines[j].text) && read_label(doc_lines[j].text).is_none() {
            title.push_str(doc_lines[j].text);
            j += 1;
            if instrument_type(&title).is_some()
                && !doc_lines.get(j).is_some_and(|n| n.text.starts_with(['（', '(']) && n.text.chars().count() <= 8)
            {
                break;
            }
        }
        if instrument_type(&title).is_none()
            && announced
            && i < doc_lines.len()
            && title_line_ok(doc_lines[i].text)
            && read_label(doc_lines[i].text).is_none()
        {
            // No 文种 in sight: the announced enclosure's title is its first line.
            title = doc_lines[i].text.to_string();
            j = i + 1;
        }
        if !title.is_empty() && (instrument_type(&title).is_some() || announced) && j < doc_lines.len() {
            let t = crate::text::normalize_title(&title);
            let t = match t.strip_prefix("附件") {
                Some(rest) => rest.trim_start_matches(|c: char| c.is_ascii_digit() || c == '：' || c == ':').to_string(),
                None => t,
            };
            instrument = Some(Instrument {
                doc_type: instrument_type(&t).map(str::to_string),
                title: t,
                chapters: 0,
                articles: 0,
                top_sections: 0,
                // Its own history under its title (通过, 修订, 施行).
                dates: crate::history::history(doc_lines, j, doc_lines.len(), 40),
            });
            region = &doc_lines[j..];
        }
    }
    let base = doc_lines.first().map(|l| l.start).unwrap_or(0);
    let Some(ins) = instrument.as_mut() else {
        return (None, provisions(doc_id, region, base, clean));
    };
    let tree = provisions(doc_id, region, base, clean);
    let all = flatten(&tree);
    ins.chapters = all.iter().filter(|p| p.kind == ProvisionKind::Chapter).count();
    ins.articles = all.iter().filter(|p| p.kind == ProvisionKind::Article).count();
    ins.top_sections = tree.iter().filter(|p| p.kind == ProvisionKind::Level1).count();
    // A document with provisions of its own (an 意见 with an indicator table
    // as 附件) keeps them, the enclosure's nested under `附件`; a notice
    // that only 印发 (or amends and republishes) a regulation is known by
    // the regulation's articles.
    if ins.articles > 0 {
        return (instrument, tree);
    }
    let own_region = &doc_lines[body_from.min(doc_lines.len())..signature.unwrap_or(doc_lines.len()).max(body_from).min(doc_lines.len())];
    let own = provisions(doc_id, own_region, base, clean);
    if own.is_empty() {
        return (instrument, tree);
    }
    let first = region.first().map(|l| l.start).unwrap_or(base);
    let annex = Provision {
        id: format!("{doc_id}/附件"),
        kind: ProvisionKind::Annex,
        label: "附件".into(),
        heading: Some(ins.title.clone()),
        text: String::new(),
        page: clean.page_at(first),
        children: provisions(&format!("{doc_id}/附件"), region, base, clean),
    };
    let mut tree = own;
    tree.push(annex);
    (instrument, tree)
}

/// Provisions of a plain text (for tests and single documents).
pub fn provisions_of_text(doc_id: &str, text: &str) -> Vec<Provision> {
    let clean = CleanText { text: text.to_string(), page_starts: vec![], running_lines: vec![], web: None };
    let ls = lines(text);
    provisions(doc_id, &ls, 0, &clean)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(t: &[Provision]) -> Vec<String> {
        flatten(t).iter().map(|p| p.id.clone()).collect()
    }

    #[test]
    fn articles_only_at_line_start_and_in_sequence() {
        let text = "第一章 总则\n第一条 为了规范管理，依照《中华人民共和国行政处罚法》第三十二条的规定，制定本办法。\n第二条 本办法适用于本县。\n第三十二条规定的情形除外。\n第二章 管理\n第三条 管理如下：\n（一）登记；\n（二）公示。\n第三条之一 新增的条款。\n第四条 其他。";
        let t = provisions_of_text("D", text);
        assert_eq!(
            ids(&t),
            [
                "D/第一章",
                "D/第一章/第一条",
                "D/第一章/第二条",
                "D/第二章",
                "D/第二章/第三条",
                "D/第二章/第三条/（一）",
                "D/第二章/第三条/（二）",
                "D/第二章/第三条之一",
                "D/第二章/第四条"
            ]
        );
        let art2 = &t[0].children[1];
        assert!(art2.text.contains("第三十二条规定的情形除外"), "{}", art2.text);
    }

    #[test]
    fn sections_nest_and_restart() {
        let text = "一、指导思想\n以人民为中心。\n二、主要任务\n（一）建设要求\n1.选址标准。社区食堂以500米为服务半径。\n2.建设模式。多种方式。\n（1）公建公营。\n（二）运营管理\n1.运营主体。依法登记。\n三、保障措施\n加强领导。";
        let t = provisions_of_text("D", text);
        assert_eq!(t.len(), 3);
        assert_eq!(t[0].heading.as_deref(), Some("指导思想"));
        assert!(ids(&t).contains(&"D/二/（一）/2/（1）".to_string()), "{:?}", ids(&t));
        assert!(ids(&t).contains(&"D/二/（二）/1".to_string()));
        assert_eq!(t[1].children[0].children[0].heading.as_deref(), Some("选址标准"));
    }

    #[test]
    fn decimal_outlines_nest_and_skip_their_table_of_contents() {
        let text = "目次\n1 范围……………1\n2 术语……………1\n1 范围\n本预案适用于全县。\n2 术语和定义\n下列术语适用于本预案。\n2.1\n突发事件 指突然发生的事件。\n2.2 应急响应\n2.2.1 一级响应\n由县政府启动。\n3 组织体系\n2014年设立指挥部。\n3.1 指挥部\n";
        let t = provisions_of_text("D", text);
        assert_eq!(ids(&t), ["D/1", "D/2", "D/2/2.1", "D/2/2.2", "D/2/2.2/2.2.1", "D/3", "D/3/3.1"]);
        assert_eq!(t[1].heading.as_deref(), Some("术语和定义"));
        assert!(t[2].text.contains("2014年设立指挥部"));
    }

    #[test]
    fn chapter_without_articles_and_inline_headings() {
        let text = "第一章 总则\n第一条 入市范围 已依法办理土地所有权登记。\n第二章 入市主体\n由村集体经济组织实施。\n第三章 附则\n第二条 本办法自公布之日起施行。";
        let t = provisions_of_text("D", text);
        assert_eq!(t.len(), 3);
        assert!(t[1].children.is_empty());
        assert!(t[1].text.contains("由村集体经济组织实施"));
        assert_eq!(t[0].children[0].heading.as_deref(), Some("入市范围"));
        assert!(t[0].children[0].text.starts_with("入市范围 已依法"));
    }
}
