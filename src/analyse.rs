//! **analyse**: a document's text in, its validity window, its campaign
//! period and its links to other documents out — each with the sentence
//! that justifies it.
//!
//! Conventions (those of the truth file): 公布之日 and 印发之日 are the
//! document's signed date; an N-year term ends on from + N years − 1 day;
//! 年底/年末 is 12-31, 月底 the last day of the month. A campaign or task
//! period (从即日起至2025年底) is not a validity window and is kept apart. A
//! keyword counts only outside 《…》: `根据《国务院关于废止…的决定》` repeals
//! nothing.

use crate::docnum::{find_all, DocNumber};
use crate::text::{normalize_title, parse_cn_number};
use chrono::{Datelike, Months, NaiveDate};
use regex::Regex;
use serde::{Deserialize, Serialize};
use std::ops::Range;
use std::sync::LazyLock;

/// How a validity window was decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// A date stated in the text (自2024年5月1日起施行, 有效期至2026年底).
    StatedDate,
    /// Relative to publication (自公布之日起, 自印发之日起30日后).
    RelativeToPublication,
    /// An N-year term (有效期两年, 试行三年).
    Term,
    /// Extended by a later document (有效期延长至…).
    Extended,
    /// The text says nothing: from the signed date, no end.
    Default,
}

/// When a document is in force, by its own words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValidityWindow {
    pub effective_from: Option<NaiveDate>,
    pub effective_until: Option<NaiveDate>,
    pub basis: Basis,
    /// The term is provisional (有效期暂定五年).
    #[serde(default)]
    pub provisional: bool,
    pub evidence: Vec<String>,
}

/// A campaign or task period: not a validity window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CampaignPeriod {
    pub from: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
    pub evidence: String,
}

/// What a link says about its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkKind {
    Repeals,
    DeclaresInvalid,
    Supersedes,
    Amends,
    Extends,
    Cites,
    SupervisionListed,
    SupervisionClosed,
}

impl std::fmt::Display for LinkKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let v = serde_json::to_value(self).map_err(|_| std::fmt::Error)?;
        f.write_str(v.as_str().unwrap_or("link"))
    }
}

impl LinkKind {
    /// Does this link end the target's force?
    pub fn ends_force(self) -> bool {
        matches!(self, LinkKind::Repeals | LinkKind::DeclaresInvalid | LinkKind::Supersedes)
    }
}

/// A link from a document to another (or to a supervised company).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Link {
    pub kind: LinkKind,
    /// The target's canonical 文号, or the supervised company or site.
    pub target: Option<String>,
    /// The target's title as printed inside 《》.
    pub target_title: Option<String>,
    /// For `extends`: the new end of the target's window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<NaiveDate>,
    pub evidence: String,
}

/// Everything the analysis finds in one document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    pub validity: ValidityWindow,
    pub campaign: Option<CampaignPeriod>,
    pub links: Vec<Link>,
    /// Citations by title alone (`按照《…办法》执行`), for the issue to resolve.
    #[serde(skip)]
    pub title_citations: Vec<Link>,
}

// ---------------------------------------------------------------- sentences

/// A sentence of a document, with its byte range in the text.
#[derive(Debug, Clone)]
pub struct Sentence<'a> {
    pub text: &'a str,
    pub range: Range<usize>,
}

/// A label that opens a line: `第二十四条 `, `一、`, `（三）`, `1.`.
static LINE_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:第[一二三四五六七八九十百零〇\d]+条(?:之[一二三四五六七八九十]+)?[\s　]*|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[）)]|\d{1,2}[.．、])").unwrap()
});

/// Split text into sentences: at 。！？, and at a colon that ends a line.
/// A line's leading label is not part of its first sentence.
pub fn sentences(text: &str) -> Vec<Sentence<'_>> {
    let mut out = Vec::new();
    let mut line_start = 0;
    for line in text.split('\n') {
        let label = LINE_LABEL.find(line).map(|m| m.end()).unwrap_or(0);
        let mut s = line_start + label;
        let body = &text[s..line_start + line.len()];
        let mut offset = s;
        for (i, c) in body.char_indices() {
            let end = offset + i + c.len_utf8();
            let at_line_end = body[i + c.len_utf8()..].trim().is_empty();
            if matches!(c, '。' | '！' | '？') || (matches!(c, '：' | ':') && at_line_end) {
                push_sentence(text, s, end, &mut out);
                s = end;
            }
        }
        push_sentence(text, s, line_start + line.len(), &mut out);
        offset = line_start + line.len() + 1;
        line_start = offset;
    }
    out
}

fn push_sentence<'a>(text: &'a str, start: usize, end: usize, out: &mut Vec<Sentence<'a>>) {
    if start >= end {
        return;
    }
    let raw = &text[start..end];
    let lead = raw.len() - raw.trim_start().len();
    let t = raw.trim();
    if !t.is_empty() {
        out.push(Sentence { text: t, range: start + lead..start + lead + t.len() });
    }
}

/// The sentence with 《…》 contents blanked (same byte length), so that
/// keywords inside cited titles do not count.
fn mask_titles(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut depth = 0;
    for c in s.chars() {
        match c {
            '《' => {
                depth += 1;
                out.push(c);
            }
            '》' => {
                depth = (depth - 1).max(0);
                out.push(c);
            }
            _ if depth > 0 => out.extend(std::iter::repeat_n('_', c.len_utf8())),
            _ => out.push(c),
        }
    }
    out
}

// ---------------------------------------------------------------- dates

const NUM: &str = r"[0-9０-９〇○◯零OoＯ一二三四五六七八九十两]";

/// A date as validity sentences write it: `2026年12月31日`, `二〇二五年年底`,
/// `2027年底`, `2025年末`, `2025年2月底`, `2024年5月` (month only).
static DATE_EXPR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?P<y>{NUM}{{4}})\s*年\s*(?:(?P<yend>年?底|年?末)|(?P<m>{NUM}{{1,2}})\s*月\s*(?:(?P<d>{NUM}{{1,3}})\s*[日号]|(?P<mend>底|末))?)"
    ))
    .unwrap()
});

/// A month without a year, after a dated start: `至10月`.
static MONTH_ONLY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!(r"^\s*(?P<m>{NUM}{{1,2}})\s*月\s*(?:(?P<d>{NUM}{{1,3}})\s*[日号]|(?P<mend>底|末))?")).unwrap());

/// Which end of a period a month-only date stands for.
#[derive(Clone, Copy, PartialEq)]
enum End {
    Start,
    Finish,
}

fn last_day(y: i32, m: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, 1)?.checked_add_months(Months::new(1))?.pred_opt()
}

fn date_from_caps(c: &regex::Captures, year: i32, end: End) -> Option<NaiveDate> {
    if c.name("yend").is_some() {
        return NaiveDate::from_ymd_opt(year, 12, 31);
    }
    let m = parse_cn_number(c.name("m")?.as_str())?;
    if let Some(d) = c.name("d") {
        return NaiveDate::from_ymd_opt(year, m, parse_cn_number(d.as_str())?);
    }
    if c.name("mend").is_some() || end == End::Finish {
        return last_day(year, m);
    }
    NaiveDate::from_ymd_opt(year, m, 1)
}

/// The first date expression at or after `at` in `s`, with its range.
fn date_at(s: &str, at: usize, end: End) -> Option<(Range<usize>, NaiveDate)> {
    let c = DATE_EXPR.captures_at(s, at)?;
    let year = parse_cn_number(&c["y"])? as i32;
    Some((c.get(0)?.range(), date_from_caps(&c, year, end)?))
}

/// A date that must start exactly at `at` (after optional spaces).
fn date_here(s: &str, at: usize, end: End) -> Option<(Range<usize>, NaiveDate)> {
    let (r, d) = date_at(s, at, end)?;
    s[at..r.start].trim().is_empty().then_some((r, d))
}

fn add_years_minus_day(from: NaiveDate, years: u32) -> Option<NaiveDate> {
    from.checked_add_months(Months::new(12 * years))?.pred_opt()
}

// ---------------------------------------------------------------- validity

/// What a validity sentence's subject is: `本办法`, `本试行办法`, `本实施方案`.
static OWN_SUBJECT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"本(?:试行|暂行)?(?:实施|管理|工作)?(?:办法|规定|方案|意见|通知|通告|公告|决定|细则|规则|条例|制度|措施|预案|清单|政策|规范|标准|指南|要点|计划|目录|名单|文件|批复|命令|令)").unwrap()
});

/// 自公布之日起, 于印发之日起, 自本通知印发之日起, 自发布之日起30日后.
static FROM_PUBLICATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?:公布|发布|印发|下发|颁布|发文|签发)之日起(?:\s*(?:满\s*)?(?P<n>{NUM}{{1,4}})\s*(?:日|天|个工作日)(?:后|以后))?"
    ))
    .unwrap()
});
/// 本通告公布后, 本办法印发后 (but not 施行后: that points elsewhere).
static FROM_PUBLICATION_AFTER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"本\p{Han}{1,6}?(?:公布|发布|印发|下发)(?:后|之后|以后)").unwrap());
/// 自2024年5月1日起施行, 于2024年7月1日起实施, 自…起暂行三年.
static FROM_STATED: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?:自|从|于)\s*$").unwrap());
/// The verb after a stated start date.
static START_VERB: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*(?:零时|0时|零点|0点)?\s*(?:起|开始)?\s*(?:正式)?(?:施行|实施|执行|生效|试行|暂行)").unwrap());
/// A validity verb anywhere after a start date.
static START_VERB_ANYWHERE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"施行|实施|执行|生效").unwrap());
/// 有效期两年, 有效期为5年, 有效期暂定五年, 试行两年, 试行期为一年, 暂行三年.
static TERM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?:有效期限?|试行期限?|暂行期限?|试行|暂行)\s*(?:为|是)?\s*(?P<prov>暂定为?)?\s*(?P<n>{NUM}{{1,3}})\s*(?:个)?\s*年"
    ))
    .unwrap()
});
/// Before an end date: 有效期至, 截止至, 截至, 实施日期截止至, 执行至, 有效期限到.
static UNTIL_LEAD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:有效期限?(?:为|是)?\s*(?:至|到|截止至|截止到|截至)|截止(?:至|到|日期为)|截至|(?:施行|实施|执行)(?:日期|期限)?(?:截止)?(?:至|到))\s*$").unwrap()
});
/// A period: 执行期限为X至Y, 实施期限自X至Y, 有效期自X至Y, 执行时间为X—Y.
static PERIOD_LEAD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:有效期限?|执行期限?|实施期限?|施行期限?|执行时间|实施时间|施行时间|试行期限?)\s*(?:为|是|：|:)?\s*(?:自|从)?\s*$")
        .unwrap()
});
/// Between the two dates of a period: 至, 到, —, -, ~.
static PERIOD_SEP: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^\s*(?:起\s*)?(?:至|到|—+|－|-|~|～)\s*").unwrap());
/// A campaign: 从即日起至2025年底, 自即日起至….
static CAMPAIGN_FROM_NOW: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?:从|自)即日起\s*(?:至|到)\s*$").unwrap());
/// Words of a campaign or task: a period in such a sentence is no validity.
static CAMPAIGN_WORDS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"整治|行动|专项|攻坚|活动|排查|集中|阶段|宣传月|检查|督查|普查|试点期").unwrap());
/// Between a period's start date and its separator: `起`, `开始，`.
static RANGE_GLUE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^\s*(?:起|开始)?\s*[，,]?\s*(?:至|到|—+|－|-|~|～)\s*").unwrap());
/// `为期一年`, `为期3个月`.
static FOR_A_TERM: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!(r"为期\s*(?P<n>{NUM}{{1,3}})\s*(?:个)?\s*(?P<unit>年|月)")).unwrap());

fn in_any(ranges: &[Range<usize>], i: usize) -> bool {
    ranges.iter().any(|r| r.contains(&i))
}

/// A period starting with the date at `at`: `2024年5月至10月`,
/// `2024年8月1日至2025年11月30日`, `2024年4月起至12月底`, `2024年5月开始，
/// 至2025年6月结束`, or a start and `为期一年`.
fn date_range_at(s: &str, at: usize) -> Option<(Range<usize>, NaiveDate, NaiveDate)> {
    let (r1, from) = date_here(s, at, End::Start)?;
    if let Some(glue) = RANGE_GLUE.find(&s[r1.end..]) {
        let at2 = r1.end + glue.end();
        let end = date_here(s, at2, End::Finish).or_else(|| {
            let c = MONTH_ONLY.captures(&s[at2..])?;
            Some((at2..at2 + c.get(0)?.end(), date_from_caps(&c, from.year(), End::Finish)?))
        });
        if let Some((r2, until)) = end {
            return Some((r1.start..r2.end, from, until));
        }
    }
    let c = FOR_A_TERM.captures(&s[r1.end..])?;
    let n = parse_cn_number(&c["n"])?;
    let months = if &c["unit"] == "年" { 12 * n } else { n };
    let until = from.checked_add_months(Months::new(months))?.pred_opt()?;
    Some((r1.start..r1.end + c.get(0)?.end(), from, until))
}

/// Words that make an 有效期 sentence about another document.
static EXTENSION: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?:延长|顺延|延期)").unwrap());

/// Does `before` (text before a match) end a clause about another document
/// (`《…》（…号）有效期至…`) rather than this one?
fn about_other_document(sentence_masked: &str, at: usize) -> bool {
    let before = &sentence_masked[..at];
    let clause_start = before.rfind(['，', ',', '；', ';']).map(|i| i + before[i..].chars().next().map_or(1, char::len_utf8)).unwrap_or(0);
    let clause = &before[clause_start..];
    (clause.contains('《') || !find_all(clause).is_empty()) && !OWN_SUBJECT.is_match(clause)
}

#[derive(Default)]
struct WindowParts {
    from: Option<(NaiveDate, Basis)>,
    until: Option<(NaiveDate, Basis)>,
    term: Option<(u32, bool)>,
    evidence: Vec<String>,
}

fn note(parts: &mut WindowParts, s: &str) {
    if !parts.evidence.iter().any(|e| e == s) {
        parts.evidence.push(s.to_string());
    }
}

/// Read the validity clauses of one sentence into `parts`.
fn validity_in(sentence: &str, signed: Option<NaiveDate>, parts: &mut WindowParts, campaign: &mut Option<CampaignPeriod>) {
    let masked = mask_titles(sentence);
    let s = masked.as_str();
    let mut found = false;
    let extension = EXTENSION.is_match(s);
    // Campaigns first: their dates are not validity.
    let mut campaign_ranges: Vec<Range<usize>> = Vec::new();
    for (i, _) in s.match_indices('至').chain(s.match_indices('到')) {
        let before = &s[..i + '至'.len_utf8()];
        if CAMPAIGN_FROM_NOW.is_match(before) {
            if let Some((r, d)) = date_here(s, i + '至'.len_utf8(), End::Finish) {
                campaign_ranges.push(0..r.end);
                campaign.get_or_insert(CampaignPeriod { from: signed, until: Some(d), evidence: sentence.to_string() });
            }
        }
    }
    // A dated period in a sentence about an action (整治, 行动, 专项…) that
    // is not a validity period: 集中整治时间为2024年5月至10月, 自2024年4月起至
    // 12月底开展…行动, 从2024年7月1日起开展为期一年的专项整治.
    if CAMPAIGN_WORDS.is_match(s) && !OWN_SUBJECT.is_match(s) {
        for m in DATE_EXPR.find_iter(s) {
            if in_any(&campaign_ranges, m.start()) || PERIOD_LEAD.is_match(&s[..m.start()]) {
                continue;
            }
            if let Some((r, from, until)) = date_range_at(s, m.start()) {
                campaign_ranges.push(r);
                campaign.get_or_insert(CampaignPeriod { from: Some(from), until: Some(until), evidence: sentence.to_string() });
            }
        }
    }
    let in_campaign = |i: usize| in_any(&campaign_ranges, i);

    // Periods: 执行期限为X至Y.
    for m in DATE_EXPR.find_iter(s) {
        if in_campaign(m.start()) || !PERIOD_LEAD.is_match(&s[..m.start()]) || about_other_document(s, m.start()) || extension {
            continue;
        }
        let Some((r1, d1)) = date_here(s, m.start(), End::Start) else { continue };
        let Some(sep) = PERIOD_SEP.find(&s[r1.end..]) else { continue };
        if let Some((_, d2)) = date_here(s, r1.end + sep.end(), End::Finish) {
            parts.from.get_or_insert((d1, Basis::StatedDate));
            parts.until.get_or_insert((d2, Basis::StatedDate));
            found = true;
        }
    }
    // Start: relative to publication.
    // `自公布之日起施行`, not a deadline counted from another act's
    // publication (`自市人民政府公布之日起30日内设置保护标志`): a validity
    // verb must follow, or the act be this document's own (`自本通知印发之日起，…不再执行`).
    let own_act = |at: usize| OWN_SUBJECT.find_iter(&s[..at]).last().is_some_and(|m| m.end() == at);
    let from_publication = FROM_PUBLICATION
        .captures_iter(s)
        .find(|c| START_VERB.is_match(&s[c.get(0).unwrap().end()..]) || own_act(c.get(0).unwrap().start()));
    if let Some(m) = from_publication {
        let start = m.get(0).unwrap().start();
        if !about_other_document(s, start) || OWN_SUBJECT.is_match(&s[..start]) {
            if let Some(sd) = signed {
                let days = m.name("n").and_then(|n| parse_cn_number(n.as_str())).unwrap_or(0);
                let from = sd + chrono::Duration::days(days as i64);
                parts.from.get_or_insert((from, Basis::RelativeToPublication));
                found = true;
            }
        }
    } else if let Some(m) = FROM_PUBLICATION_AFTER.find(s) {
        if let Some(sd) = signed {
            let _ = m;
            parts.from.get_or_insert((sd, Basis::RelativeToPublication));
            found = true;
        }
    }
    // Start: a stated date (自2024年5月1日起施行).
    for m in DATE_EXPR.find_iter(s) {
        if in_campaign(m.start()) || !FROM_STATED.is_match(&s[..m.start()]) || about_other_document(s, m.start()) {
            continue;
        }
        let Some((r, d)) = date_here(s, m.start(), End::Start) else { continue };
        // 自2025年1月1日起，…按本通知执行: the verb may come later, with this
        // document as its subject.
        let later =
            s[r.end..].trim_start().starts_with('起') && OWN_SUBJECT.is_match(&s[r.end..]) && START_VERB_ANYWHERE.is_match(&s[r.end..]);
        if START_VERB.is_match(&s[r.end..]) || later {
            parts.from.get_or_insert((d, Basis::StatedDate));
            found = true;
        }
    }
    // End: an N-year term.
    if !extension {
        if let Some(c) = TERM.captures(s) {
            let at = c.get(0).unwrap().start();
            if !about_other_document(s, at) {
                if let Some(n) = parse_cn_number(&c["n"]).filter(|n| (1..=50).contains(n)) {
                    parts.term.get_or_insert((n, c.name("prov").is_some()));
                    found = true;
                }
            }
        }
    }
    // End: a stated date (有效期至…, 截止至…).
    if !extension {
        for m in DATE_EXPR.find_iter(s) {
            if in_campaign(m.start()) || !UNTIL_LEAD.is_match(&s[..m.start()]) || about_other_document(s, m.start()) {
                continue;
            }
            // A deadline (报名截止至…) is no validity: the sentence must be about
            // this document's force.
            let about_force = OWN_SUBJECT.is_match(s) || s[..m.start()].contains("有效期") || s.contains("施行") || s.contains("实施");
            if !about_force {
                continue;
            }
            if let Some((_, d)) = date_here(s, m.start(), End::Finish) {
                parts.until.get_or_insert((d, Basis::StatedDate));
                found = true;
            }
        }
    }
    if found {
        note(parts, sentence);
    }
}

/// The validity window of a text signed on `signed`.
pub fn validity(text: &str, signed: Option<NaiveDate>) -> (ValidityWindow, Option<CampaignPeriod>) {
    let mut parts = WindowParts::default();
    let mut campaign = None;
    for s in sentences(text) {
        validity_in(s.text, signed, &mut parts, &mut campaign);
    }
    let from = parts.from.map(|(d, _)| d).or(signed);
    let mut until = parts.until;
    let mut provisional = false;
    if until.is_none() {
        if let (Some((n, prov)), Some(f)) = (parts.term, from) {
            until = add_years_minus_day(f, n).map(|d| (d, Basis::Term));
            provisional = prov;
        }
    }
    let basis = match (&until, &parts.from) {
        (Some((_, b)), _) => *b,
        (None, Some((_, b))) => *b,
        (None, None) => Basis::Default,
    };
    (
        ValidityWindow { effective_from: from, effective_until: until.map(|(d, _)| d), basis, provisional, evidence: parts.evidence },
        campaign,
    )
}

// ---------------------------------------------------------------- links

/// `《…》`
static TITLE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"《([^《》]{1,120})》").unwrap());
/// 废止 as a verb (not 废止的 as an adjective, not 废止和修改 inside a title).
static REPEAL: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"废止").unwrap());
/// 宣布失效, 宣布该文件失效, 予以失效.
static INVALID: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"宣布[^，。；]{0,300}?失效|予以失效|决定失效").unwrap());
/// 不再执行, 停止执行, 替代, 代替, 取代.
static SUPERSEDE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"不再执行|停止执行|不再施行|停止施行|停止使用|不再适用|替代|代替|取代|以本\p{Han}{1,6}?为准").unwrap());
/// 作如下修改, 修改为, 予以修改.
static AMEND: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"作如下修改|作出如下修改|修改如下|修改为|予以修改|进行修改|作相应修改|作如下修订|修订如下|^删去|^删除|^增加").unwrap()
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

/// The documents a sentence names: 《title》（文号）, 《title》 alone, 文号 alone.
fn targets(s: &str) -> Vec<Target> {
    let numbers = find_all(s);
    let mut used = vec![false; numbers.len()];
    let mut out = Vec::new();
    for m in TITLE.captures_iter(s) {
        let whole = m.get(0).unwrap();
        let title = normalize_title(&m[1]);
        // A 文号 right after the title: （文号）, (文号), or bare.
        let near = numbers.iter().position(|(r, _)| {
            r.start >= whole.end()
                && s[whole.end()..r.start].chars().all(|c| matches!(c, '（' | '(' | ' ' | '　'))
                && r.start - whole.end() <= 6
        });
        match near {
            Some(k) => {
                used[k] = true;
                let n_end = numbers[k].0.end;
                let close = s[n_end..].chars().next().filter(|c| matches!(c, '）' | ')')).map_or(0, |c| c.len_utf8());
                let end = n_end + close;
                out.push(Target { number: Some(numbers[k].1.clone()), title: Some(title), range: whole.start()..end });
            }
            None => out.push(Target { number: None, title: Some(title), range: whole.range() }),
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

/// The links of a text. `own` is the document's own 文号 (never a target);
/// `title` its title (names the supervised party of a closure notice).
/// Citations by title alone come second: only the issue can tell which
/// document they name.
pub fn links(text: &str, own: Option<&DocNumber>, title: &str) -> (Vec<Link>, Vec<Link>) {
    let mut out: Vec<Link> = Vec::new();
    let mut by_title: Vec<Link> = Vec::new();
    let mut list_kind: Option<LinkKind> = None;
    let mut last_company: Option<String> = None;
    for sent in sentences(text) {
        let s = sent.text;
        let masked = mask_titles(s);
        let ts: Vec<Target> = targets(s).into_iter().filter(|t| t.number.as_ref() != own || t.number.is_none()).collect();
        let ts: Vec<Target> = ts.into_iter().filter(|t| !(t.number.is_none() && t.title.is_none())).collect();
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
            let docs: Vec<&Target> = ts.iter().filter(|t| t.number.is_some() || t.title.is_some()).collect();
            if docs.is_empty() && (masked.ends_with('：') || masked.ends_with(':')) {
                list_kind = Some(kind);
            }
            for t in docs {
                out.push(link(kind, t, s));
            }
            continue;
        }
        // Extensions: 《…》（…）有效期延长至2025年12月31日.
        let mut extended = false;
        for m in DATE_EXPR.find_iter(&masked) {
            if EXTEND.is_match(&masked[..m.start()]) {
                if let Some((_, d)) = date_here(&masked, m.start(), End::Finish) {
                    for t in ts.iter().filter(|t| t.range.start < m.start()) {
                        let mut l = link(LinkKind::Extends, t, s);
                        l.until = Some(d);
                        out.push(l);
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
        for t in &ts {
            if !CITE_VERB.is_match(&masked[..t.range.start]) {
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
                    evidence: s[t.range.start..end].to_string(),
                });
            } else if title.ends_with("标准") || title.ends_with("规范") {
                out.push(Link {
                    kind: LinkKind::Cites,
                    target: Some(title.to_string()),
                    target_title: Some(title.to_string()),
                    until: None,
                    evidence: span.to_string(),
                });
            } else {
                by_title.push(Link {
                    kind: LinkKind::Cites,
                    target: None,
                    target_title: Some(title.to_string()),
                    until: None,
                    evidence: span.to_string(),
                });
            }
        }
    }
    // A closure notice recalls the listing it closes: that is no new listing.
    let closed: Vec<Option<String>> = out.iter().filter(|l| l.kind == LinkKind::SupervisionClosed).map(|l| l.target.clone()).collect();
    out.retain(|l| l.kind != LinkKind::SupervisionListed || !closed.contains(&l.target));
    // One link per (kind, target).
    let mut seen = std::collections::HashSet::new();
    out.retain(|l| seen.insert((l.kind, l.target.clone(), l.target_title.clone())));
    by_title.retain(|l| seen.insert((l.kind, l.target.clone(), l.target_title.clone())));
    (out, by_title)
}

/// Analyse a document: its text, signed date, own 文号 and title.
pub fn analyse(text: &str, signed: Option<NaiveDate>, own: Option<&DocNumber>, title: &str) -> Analysis {
    let (validity, campaign) = validity(text, signed);
    let (links, title_citations) = links(text, own, title);
    Analysis { validity, campaign, links, title_citations }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn windows() {
        let (w, _) = validity("第二十四条 本试行办法于公布之日起正式实施，实施日期截止至二零二四年年底。", Some(d("2024-08-22")));
        assert_eq!((w.effective_from, w.effective_until), (Some(d("2024-08-22")), Some(d("2024-12-31"))));
        assert_eq!(w.evidence, ["本试行办法于公布之日起正式实施，实施日期截止至二零二四年年底。"]);
        let (w, _) = validity("本办法自公布之日起30天后施行，有效期两年。", Some(d("2024-07-03")));
        assert_eq!((w.effective_from, w.effective_until, w.basis), (Some(d("2024-08-02")), Some(d("2026-08-01")), Basis::Term));
        let (w, c) = validity("本次整治行动从即日起至2025年底,分四个阶段进行:", Some(d("2024-07-17")));
        assert_eq!((w.effective_until, w.basis), (None, Basis::Default));
        assert_eq!(c.unwrap().until, Some(d("2025-12-31")));
    }

    #[test]
    fn repeal_inside_a_title_is_no_repeal() {
        let (l, _) = links("根据2011年1月8日《国务院关于废止和修改部分行政法规的决定》第一次修订", None, "");
        assert!(l.is_empty(), "{l:?}");
        let (l, _) = links("本通告公布后，原《某县人民政府关于公布名单的通告》（某政函〔2023〕24号）同时废止。", None, "");
        assert_eq!(l.len(), 1);
        assert_eq!((l[0].kind, l[0].target.as_deref()), (LinkKind::Repeals, Some("某政函〔2023〕24号")));
    }
}
