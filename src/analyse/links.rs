//! Links from a document to others: repeals, declares invalid, supersedes,
//! amends, extends, cites, supervision — each with its evidence sentence.

use super::dates::{date_here, End, DATE_EXPR};
use super::sentences::{mask_titles, sentences};
use super::{Link, LinkKind};
use crate::docnum::{find_all, DocNumber};
use crate::text::normalize_title;
use regex::Regex;
use std::ops::Range;
use std::sync::LazyLock;

/// `《…》`
static TITLE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"《([^《》]{1,120})》").unwrap());
/// 废止 as a verb (not 废止的 as an adjective, not 废止和修改 inside a title).
static REPEAL: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"废止").unwrap());
/// 宣布失效, 宣布该文件失效, 予以失效.
static INVALID: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"宣布[^，。；]{0,300}?失效|予以失效|决定失效").unwrap());
/// 不再执行, 停止执行, 替代, 代替, 取代.
static SUPERSEDE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"不再执行|停止执行|不再施行|停止施行|停止使用|不再适用|替代|代替|取代|以本\p{Han}{1,6}?为准").unwrap());
/// 作如下修改, 修改为, 予以修改, 局部修订的条文, 作相应文字调整后重新发布.
static AMEND: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"作如下修改|作出如下修改|修改如下|修改为|予以修改|进行修改|作相应修改|作相应(?:的)?(?:文字)?调整|作如下修订|修订如下|局部修订|^删去|^删除|^增加").unwrap()
});
/// 有效期延长至 / 顺延至 / 延期至.
static EXTEND: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:(?:延长|顺延|延期)[^，。；]{0,300}?(?:至|到)|继续(?:执行|有效|实施|施行)(?:至|到))\s*$").unwrap());
/// A revision history: 根据…修订 / 修正 (describes the text itself).
static REVISION_HISTORY: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"根据[^。]*?(?:修订|修正)\s*[。；;]?\s*$").unwrap());
/// A citing verb: 根据, 按照, 依据, 依照, 参照, 贯彻, 落实, 遵照.
static CITE_VERB: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"根据|按照|依据|依照|参照|贯彻|落实|遵照|执行|结合").unwrap());
/// 暂时调整实施 / 暂停实施: not a repeal.
static SUSPENSION: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"暂时调整实施|暂停实施|暂时停止实施").unwrap());
/// 挂牌督办
static LISTED: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"挂牌督办").unwrap());
/// 销案摘牌 / 摘牌销案 / 予以摘牌 / 撤销挂牌督办.
static CLOSED: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"销案摘牌|摘牌销案|予以摘牌|撤销挂牌|解除挂牌").unwrap());
/// 对X存在的重大火灾隐患…: the supervised party after 对.
static SUPERVISED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"对(?P<t>[^，。；“”《》对]{2,80}?)(?:挂牌督办的|存在的|存在|的重大|重大|的一般|一般|的安全|安全|的火灾|火灾|隐患)").unwrap()
});
/// `2家单位`, `等3家单位`, `等单位` after a list of supervised parties.
static PARTY_COUNT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:等)?(?:\d+|[一二三四五六七八九十]+)?家?(?:单位|企业|场所)$").unwrap());
/// A company or site name: `…有限公司`, `…小区`, `…加油站`.
static COMPANY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[\p{Han}（）()]{2,30}?(?:有限责任公司|股份有限公司|有限公司|公司|厂|宾馆|酒店|饭店|小区|加油站|煤矿|矿|商店|超市|市场|学校|医院|幼儿园)").unwrap()
});

/// A standard's number in brackets after its title: `（GB35181-2017）`, `(GB/T 9704-2012)`.
static STANDARD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*[（(]\s*((?:GB/T|GB/Z|GB|DB\d{2}(?:/T)?|HJ|AQ|JGJ|CJJ|JTG|NB|DL|SL|MZ|WS|XF)\s*\d+(?:[.\-—－]\d+)*)\s*[）)]").unwrap()
});

/// A cited document in a sentence: its 文号 and/or title, and where.
#[derive(Debug, Clone)]
struct Target {
    number: Option<DocNumber>,
    title: Option<String>,
    range: Range<usize>,
}

/// Between a 文号 and the title of the document it numbers:
/// `京政发〔1985〕167号文件发布、根据…修改的《…》`, `…令第7号公布的《…》`.
static NUMBER_THEN_TITLE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(?:文件|文)?(?:发布|印发|公布|颁布)[^，。；《》]{0,80}?的$").unwrap());

/// The documents a sentence names: 《title》（文号）, 《title》 alone, 文号
/// alone, or a 文号 that the sentence gives before its title
/// (`…令第7号公布的《X》`). A title after 本 (`本《通知》`) is the document
/// itself.
fn targets(s: &str) -> Vec<Target> {
    let numbers = find_all(s);
    let mut used = vec![false; numbers.len()];
    let mut out = Vec::new();
    for m in TITLE.captures_iter(s) {
        let whole = m.get(0).unwrap();
        if s[..whole.start()].ends_with('本') {
            continue;
        }
        let title = normalize_title(&m[1]);
        // A 文号 right after the title: （文号）, (文号), or bare.
        let near = numbers.iter().position(|(r, _)| {
            r.start >= whole.end()
                && s[whole.end()..r.start].chars().all(|c| matches!(c, '（' | '(' | ' ' | '　'))
                && r.start - whole.end() <= 6
        });
        // …or before it: `…167号文件发布…的《X》`.
        let before = near
            .is_none()
            .then(|| numbers.iter().position(|(r, _)| r.end <= whole.start() && NUMBER_THEN_TITLE.is_match(&s[r.end..whole.start()])));
        match (near, before.flatten()) {
            (Some(k), _) => {
                used[k] = true;
                let n_end = numbers[k].0.end;
                let close = s[n_end..].chars().next().filter(|c| matches!(c, '）' | ')')).map_or(0, |c| c.len_utf8());
                let end = n_end + close;
                out.push(Target { number: Some(numbers[k].1.clone()), title: Some(title), range: whole.start()..end });
            }
            (None, Some(k)) if !used[k] => {
                used[k] = true;
                out.push(Target { number: Some(numbers[k].1.clone()), title: Some(title), range: whole.range() });
            }
            _ => out.push(Target { number: None, title: Some(title), range: whole.range() }),
        }
    }
    for (k, (r, dn)) in numbers.iter().enumerate() {
        // A 文号 inside a title (《…〔2020〕3号…》) is part of the title.
        let inside = out.iter().any(|t| t.range.start <= r.start && r.end <= t.range.end);
        if !used[k] && !inside {
            out.push(Target { number: Some(dn.clone()), title: None, range: r.clone() });
        }
    }
    out.sort_by_key(|t| t.range.start);
    out
}

fn link(kind: LinkKind, t: &Target, evidence: &str) -> Link {
    Link {
        kind,
        target: t.number.as_ref().map(|d| d.to_string()),
        target_title: t.title.clone(),
        until: None,
        provisions: vec![],
        evidence: evidence.to_string(),
    }
}

/// The supervised parties named in a text: after 对 (`对X存在的重大火灾隐患`,
/// `对A、B2家单位的…`), else the last company or site name.
fn supervised_parties(s: &str) -> Vec<String> {
    if let Some(c) = SUPERVISED.captures(s) {
        let t = c["t"].trim_start_matches(['现', '将']).trim();
        let t = PARTY_COUNT.replace(t, "");
        let parties: Vec<String> =
            t.split(['、', '，']).map(|p| p.trim().to_string()).filter(|p| p.chars().count() >= 2 && p != "其").collect();
        if !parties.is_empty() {
            return parties;
        }
    }
    company_in(s).into_iter().collect()
}

/// The last company or site name in a text (`…有限公司`, `…小区`).
fn company_in(s: &str) -> Option<String> {
    COMPANY.find_iter(s).last().map(|m| {
        let name = m.as_str();
        // Cut a leading verb phrase: 县人民政府决定对X公司, 鉴于X公司.
        let cut = ["对", "决定", "目前", "经", "现", "鉴于", "由于", "同意", "要求", "督促", "责令"]
            .iter()
            .filter_map(|w| name.rfind(w).map(|i| i + w.len()))
            .max()
            .unwrap_or(0);
        name[cut..].to_string()
    })
}

/// The clause of `s` that ends with the match at `end` (from the previous
/// comma or sentence start): `现对X存在的重大火灾隐患进行挂牌督办`.
fn clause_ending(s: &str, end: usize) -> &str {
    let start = s[..end].rfind(['，', ',', '；', ';']).map(|i| i + s[i..].chars().next().unwrap().len_utf8()).unwrap_or(0);
    s[start..end].trim()
}

/// A sentence's targets, each with what it is to the sentence.
struct Named {
    target: Target,
    /// Can this target be what the sentence's verb acts on? Not when it
    /// stands in a citing clause (`根据《…》…，《X》同时废止`), names an act of
    /// a revision history (`根据…《关于修改〈X〉的决定》修正的《X》`), or is
    /// replaced text in quotes (`将“《A法》”修改为“《B法》”`).
    object: bool,
    /// An act of a revision history, or replaced text: not cited either.
    aside: bool,
}

/// A clause that cites or frames rather than acts: `根据《…》`, `按照…`,
/// `在《…》下`, `为贯彻落实…`.
static CITING_CLAUSE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(?:根据|依据|按照|依照|参照|遵照|为了?(?:贯彻|落实|执行)|贯彻|落实|在)").unwrap());
/// What follows an act of a revision history: `…的决定》修正的《X》`, `…第二次修正`.
static HISTORY_ACT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*(?:[（(][^）)]{0,30}[）)])?\s*(?:第[一二三四五六七八九十]+次)?(?:修正|修订|修改)").unwrap());
/// Words that point back to a document named before: `该办法`, `上述文件`, `原条文`.
static BACK_REFERENCE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:该|上述|前述|此|原)(?:办法|规定|文件|通知|意见|细则|方案|标准|制度|决定|规则|条例|目录|清单|条文|政策|措施|规范|实施意见|实施细则|管理办法)").unwrap()
});
/// An article named in an amendment or partial repeal: `第五条`, `第三条之一`.
static ARTICLE_REF: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"第[一二三四五六七八九十百零〇0-9]+条(?:之[一二三四五六七八九十]+)?").unwrap());
/// A list of amendments announced: `作如下修改：`, `修改如下：`, `作修改如下：`.
static AMEND_INTRO: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:作如下修改|作出如下修改|作修改如下|修改如下|作如下修订|修订如下)").unwrap());
/// One amendment of such a list: `将第五条修改为`, `删去第八条`, `增加一条`, `调整为`.
static AMEND_ITEM: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"修改为|改为|调整为|替换为|删去|删除|增加|增设|修改").unwrap());
/// Only part of the target is repealed: `《X》中关于反倾销的规定`, `《X》第十条`.
static PART_OF: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(?:[（(][^）)]{0,30}[）)])?\s*(?:中(?:关于|有关)|中的?第|第[一二三四五六七八九十百零〇0-9]+条|的第|有关[^，。；]{0,20}的规定)").unwrap()
});
/// Continuation of a document: `继续实施`, `继续执行`, `继续有效`, `继续适用`.
static CONTINUES: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"继续(?:实施|执行|有效|施行|适用)").unwrap());
/// The new end after a continuation: `有效期延长至`, `有效期至`, `至`.
static NEW_END_LEAD: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?:有效期(?:延长)?(?:至|到)|(?:延长|顺延)(?:至|到)|至)\s*$").unwrap());
/// A title that acts on another document: `关于延长《X》有效期的通知`,
/// `关于废止《X》的决定`, `关于修改《X》的通知`, `关于《X》继续适用的通知`.
static TITLE_ACTS_ON: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:延长|废止|修改|修订|停止执行|继续(?:实施|执行|有效|适用)|宣布失效)[^《]{0,6}《([^《》]+)》|《([^《》]+)》[^《]{0,6}(?:继续(?:实施|执行|有效|适用)|有效期)").unwrap()
});

/// The document a title acts on (its 《X》), if the title is such an act.
pub fn title_target(title: &str) -> Option<String> {
    // `关于印发修改后的《X》的通知`, `转发…修订的《X》`: a wrapper of X, not an act on it.
    if ["印发", "转发", "批转", "发布"].iter().any(|w| title.contains(w)) {
        return None;
    }
    let c = TITLE_ACTS_ON.captures(title)?;
    c.get(1).or(c.get(2)).map(|m| normalize_title(m.as_str()))
}

/// Byte ranges of “…” quotations in `s`.
fn quotations(s: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut open: Option<usize> = None;
    for (i, c) in s.char_indices() {
        match c {
            '“' => open = Some(i),
            '”' => {
                if let Some(o) = open.take() {
                    out.push(o..i + c.len_utf8());
                }
            }
            _ => {}
        }
    }
    out
}

/// The clause of `s` that holds byte `at` starts here (after the last
/// `，` `；` `：` before it).
fn clause_start(s: &str, at: usize) -> usize {
    s[..at].rfind(['，', ',', '；', ';', '：', ':']).map(|i| i + s[i..].chars().next().map_or(1, char::len_utf8)).unwrap_or(0)
}

/// The clause of `s` that holds byte `at` ends here (at the next `，` `；`).
fn clause_end(s: &str, at: usize) -> usize {
    s[at.min(s.len())..].find(['，', ',', '；', ';']).map(|i| at + i).unwrap_or(s.len())
}

/// A verb that acts on a document's force or text.
static FORCE_VERB: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"废止|失效|不再执行|停止执行|作如下修改|修改为|延长|继续(?:实施|执行|有效|适用)").unwrap());

/// The targets of a sentence with their roles (own number excluded).
fn named(s: &str, masked: &str, own: Option<&DocNumber>) -> Vec<Named> {
    let quotes = quotations(s);
    targets(s)
        .into_iter()
        .filter(|t| t.number.is_none() || t.number.as_ref() != own)
        .filter(|t| t.number.is_some() || t.title.is_some())
        .map(|t| {
            let in_quote = quotes.iter().any(|q| q.start <= t.range.start && t.range.end <= q.end);
            let cs = clause_start(masked, t.range.start);
            let ce = clause_end(masked, t.range.end);
            let acts_here = FORCE_VERB.is_match(&masked[t.range.end.min(ce)..ce]);
            let citing = CITING_CLAUSE.is_match(masked[cs..].trim_start()) && !acts_here;
            let history = HISTORY_ACT.is_match(&s[t.range.end..]);
            Named { object: !in_quote && !citing && !history, aside: in_quote || history, target: t }
        })
        .collect()
}

/// The articles a sentence names outside quotations.
fn articles_named(s: &str) -> Vec<String> {
    let quotes = quotations(s);
    let mut v: Vec<String> = Vec::new();
    for m in ARTICLE_REF.find_iter(s) {
        if quotes.iter().any(|q| q.contains(&m.start())) {
            continue;
        }
        let a = m.as_str().to_string();
        if !v.contains(&a) {
            v.push(a);
        }
    }
    v
}

/// Every link each sentence of a text states, in order (the same link may
/// be stated twice).
pub(super) fn every_link(text: &str, own: Option<&DocNumber>, title: &str) -> (Vec<Link>, Vec<Link>) {
    let mut out: Vec<Link> = Vec::new();
    let mut by_title: Vec<Link> = Vec::new();
    let mut list_kind: Option<LinkKind> = None;
    let mut last_company: Option<String> = None;
    // The document named last (for 该办法, 上述文件), starting with the one
    // the title acts on; and the document a list of amendments amends.
    let mut last_named: Option<Target> = title_target(title).map(|t| Target { number: None, title: Some(t), range: 0..0 });
    let mut amending: Option<Target> = None;
    for sent in sentences(text) {
        let s = sent.text;
        let masked = mask_titles(s);
        let all = named(s, &masked, own);
        let ts: Vec<Target> = all.iter().map(|n| n.target.clone()).collect();
        let citable: Vec<Target> = all.iter().filter(|n| !n.aside).map(|n| n.target.clone()).collect();
        let objects: Vec<Target> = all.iter().filter(|n| n.object).map(|n| n.target.clone()).collect();
        // What this sentence acts on: its own objects, else the document it points back to.
        let back = if objects.is_empty() && BACK_REFERENCE.is_match(&masked) { last_named.clone() } else { None };
        if let Some(t) = objects.last().or(ts.last()) {
            last_named = Some(t.clone());
        }
        // Items of a list announced by 下列文件予以废止：.
        if let Some(kind) = list_kind {
            if !ts.is_empty() && !REPEAL.is_match(&masked) && !INVALID.is_match(&masked) {
                for t in &ts {
                    out.push(link(kind, t, s));
                }
                continue;
            }
            list_kind = None;
        }
        // Items of a list of amendments: 将第五条修改为…, 删去第八条.
        if let Some(t) = amending.clone() {
            if AMEND_ITEM.is_match(&masked) && !AMEND_INTRO.is_match(&masked) {
                let on: Vec<Target> = if objects.is_empty() { vec![t] } else { objects.clone() };
                for t in &on {
                    let mut l = link(LinkKind::Amends, t, s);
                    l.provisions = articles_named(s);
                    out.push(l);
                }
                continue;
            }
            amending = None;
        }
        if REVISION_HISTORY.is_match(&masked) || SUSPENSION.is_match(&masked) {
            continue;
        }
        let kind = if INVALID.is_match(&masked) {
            Some(LinkKind::DeclaresInvalid)
        } else if REPEAL.find_iter(&masked).any(|m| {
            // Not 废止的 (adjective), 已废止 (a state), 废止后 (a time).
            let after = &masked[m.end()..];
            !after.starts_with(['的', '后'])
                && !after.starts_with("以后")
                && !after.starts_with("之后")
                && !masked[..m.start()].ends_with('已')
        }) {
            Some(LinkKind::Repeals)
        } else if SUPERSEDE.is_match(&masked) {
            Some(LinkKind::Supersedes)
        } else if AMEND.is_match(&masked) {
            Some(LinkKind::Amends)
        } else {
            None
        };
        if let Some(kind) = kind {
            // Only documents count: a certificate 予以废止 names none.
            let on: Vec<Target> = if !objects.is_empty() { objects.clone() } else { back.clone().into_iter().collect() };
            if on.is_empty() && (masked.ends_with('：') || masked.ends_with(':')) {
                list_kind = Some(kind);
            }
            if kind == LinkKind::Amends && AMEND_INTRO.is_match(&masked) {
                amending = on.first().cloned();
            }
            for t in &on {
                let mut l = link(kind, t, s);
                if kind == LinkKind::Repeals {
                    let after = &s[t.range.end.min(s.len())..];
                    if PART_OF.is_match(after) || (objects.is_empty() && masked.contains("条文")) {
                        l.kind = LinkKind::RepealsPart;
                        l.provisions = articles_named(after);
                    }
                } else if kind == LinkKind::Amends {
                    l.provisions = articles_named(&s[t.range.end.min(s.len())..]);
                }
                out.push(l);
            }
            continue;
        }
        // Extensions: 《…》（…）有效期延长至2025年12月31日; 《…》需继续实施，
        // 有效期延长至…; 该办法有效期延长至…; 《…》继续有效 (no new end).
        let continues = CONTINUES.find(&masked);
        let mut extended = false;
        for m in DATE_EXPR.find_iter(&masked) {
            let before = &masked[..m.start()];
            let lead = EXTEND.is_match(before) || (continues.is_some_and(|c| c.end() <= m.start()) && NEW_END_LEAD.is_match(before));
            if !lead {
                continue;
            }
            if let Some((_, d)) = date_here(&masked, m.start(), End::Finish) {
                let mut on: Vec<Target> = objects.iter().filter(|t| t.range.start < m.start()).cloned().collect();
                if on.is_empty() {
                    on.extend(back.clone().or_else(|| (ts.is_empty()).then(|| last_named.clone()).flatten()));
                }
                for t in &on {
                    let mut l = link(LinkKind::Extends, t, s);
                    l.until = Some(d);
                    out.push(l);
                    extended = true;
                }
            }
        }
        if !extended {
            if let Some(c) = continues {
                // 《X》继续有效 / 继续适用: renewed without an end.
                let on: Vec<Target> = objects.iter().filter(|t| t.range.end <= c.start()).cloned().collect();
                let on = if on.is_empty() { back.clone().into_iter().collect() } else { on };
                let renewal = !DATE_EXPR.is_match(&masked[c.end()..]) && !masked[c.end()..].starts_with("的");
                if renewal {
                    for t in &on {
                        out.push(link(LinkKind::Extends, t, s));
                        extended = true;
                    }
                }
            }
        }
        if extended {
            continue;
        }
        // Supervision.
        if let Some(m) = LISTED.find(&masked).filter(|m| !masked[..m.start()].ends_with(['了', '已'])) {
            let clause = clause_ending(s, m.end());
            if SUPERVISED.is_match(clause) && !masked[m.end()..].starts_with("的通知") {
                for party in supervised_parties(clause) {
                    out.push(Link {
                        kind: LinkKind::SupervisionListed,
                        target: Some(party),
                        target_title: None,
                        until: None,
                        provisions: vec![],
                        evidence: clause.to_string(),
                    });
                }
            }
        }
        if CLOSED.is_match(&masked) && !masked.contains("的通知") {
            // The party: named in the sentence, in the title, or the last
            // company mentioned before.
            let mut parties = if SUPERVISED.is_match(s) { supervised_parties(s) } else { vec![] };
            if parties.is_empty() && SUPERVISED.is_match(title) {
                parties = supervised_parties(title);
            }
            if parties.is_empty() {
                parties.extend(company_in(s).or_else(|| last_company.clone()));
            }
            for p in parties {
                out.push(Link {
                    kind: LinkKind::SupervisionClosed,
                    target: Some(p),
                    target_title: None,
                    until: None,
                    provisions: vec![],
                    evidence: s.to_string(),
                });
            }
        }
        if let Some(c) = company_in(s) {
            last_company = Some(c);
        }
        // Citations introduced by a citing verb: documents with a 文号;
        // standards by number (GB35181-2017) or by title (…判定标准); and
        // titles alone, which the issue may resolve to one of its documents
        // (kept with no target until then).
        for t in &citable {
            if !CITE_VERB.is_match(&masked[clause_start(&masked, t.range.start)..t.range.start]) {
                continue;
            }
            let span = &s[t.range.clone()];
            if t.number.is_some() {
                out.push(link(LinkKind::Cites, t, span));
                continue;
            }
            let title = t.title.as_deref().unwrap_or("");
            let after = &s[t.range.end..];
            if let Some(std) = STANDARD.captures(after).filter(|c| c.get(0).unwrap().start() <= 3) {
                let code: String = std[1].chars().filter(|c| !c.is_whitespace()).collect();
                let end = t.range.end + std.get(0).unwrap().end();
                out.push(Link {
                    kind: LinkKind::Cites,
                    target: Some(code),
                    target_title: Some(title.to_string()),
                    until: None,
                    provisions: vec![],
                    evidence: s[t.range.start..end].to_string(),
                });
            } else if title.ends_with("标准") || title.ends_with("规范") {
                out.push(Link {
                    kind: LinkKind::Cites,
                    target: Some(title.to_string()),
                    target_title: Some(title.to_string()),
                    until: None,
                    provisions: vec![],
                    evidence: span.to_string(),
                });
            } else {
                by_title.push(Link {
                    kind: LinkKind::Cites,
                    target: None,
                    target_title: Some(title.to_string()),
                    until: None,
                    provisions: vec![],
                    evidence: span.to_string(),
                });
            }
        }
    }
    // A closure notice recalls the listing it closes: that is no new listing.
    let closed: Vec<Option<String>> = out.iter().filter(|l| l.kind == LinkKind::SupervisionClosed).map(|l| l.target.clone()).collect();
    out.retain(|l| l.kind != LinkKind::SupervisionListed || !closed.contains(&l.target));
    (out, by_title)
}

/// One link per (kind, target): the first sentence that states it is the
/// evidence, and the provisions every statement names are gathered
/// (a list of amendments names one article per item).
pub(super) fn dedup(out: &mut Vec<Link>, by_title: &mut Vec<Link>) {
    type Key = (LinkKind, Option<String>, Option<String>);
    let mut first: std::collections::HashMap<Key, usize> = std::collections::HashMap::new();
    let mut kept: Vec<Link> = Vec::new();
    for l in out.drain(..) {
        let key = (l.kind, l.target.clone(), l.target_title.clone());
        match first.get(&key) {
            Some(&i) => {
                for p in l.provisions {
                    if !kept[i].provisions.contains(&p) {
                        kept[i].provisions.push(p);
                    }
                }
            }
            None => {
                first.insert(key, kept.len());
                kept.push(l);
            }
        }
    }
    *out = kept;
    by_title.retain(|l| first.insert((l.kind, l.target.clone(), l.target_title.clone()), 0).is_none());
}

/// The links of a text. `own` is the document's own 文号 (never a target);
/// `title` its title (names the supervised party of a closure notice, and
/// the document an extension or repeal notice acts on when its body says
/// only 该办法). Citations by title alone come second: only the issue can
/// tell which document they name.
pub fn links(text: &str, own: Option<&DocNumber>, title: &str) -> (Vec<Link>, Vec<Link>) {
    let (mut out, mut by_title) = every_link(text, own, title);
    dedup(&mut out, &mut by_title);
    (out, by_title)
}
