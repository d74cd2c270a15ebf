//! Validity windows: the sentences that fix when a document takes effect
//! and ends (自公布之日起施行, 自DATE起, 有效期N年, 有效期至DATE, periods),
//! and campaign periods kept apart.

use super::dates::*;
use super::sentences::{mask_titles, sentences};
use super::{Basis, CampaignPeriod, ValidityWindow};
use crate::docnum::find_all;
use crate::text::parse_cn_number;
use chrono::{Datelike, Months, NaiveDate};
use regex::Regex;
use std::ops::Range;
use std::sync::LazyLock;

/// What a validity sentence's subject is: `本办法`, `本试行办法`, `本实施方案`,
/// `本《通知》` (masked to `本　通知　`).
static OWN_SUBJECT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"本[\s\u{3000}]?(?:试行|暂行)?(?:实施|管理|工作)?(?:办法|规定|方案|意见|通知|通告|公告|决定|细则|规则|条例|制度|措施|预案|清单|政策|规范|标准|指南|要点|计划|目录|名单|文件|批复|命令|守则|导则|令)").unwrap()
});

/// 自公布之日起, 于印发之日起, 自本通知印发之日起, 自发布之日起30日后,
/// 自通过之日起 (a regulation's adoption: its version date).
static FROM_PUBLICATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?:公布|发布|印发|下发|颁布|发文|签发|通过)之日起(?:\s*(?:满\s*)?(?P<n>{NUM}{{1,4}})\s*(?:日|天|个工作日)(?:后|以后))?"
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
    LazyLock::new(|| Regex::new(r"^\s*(?:零时|0时|零点|0点)?\s*(?:起|开始)?\s*(?:正式)?(?:施行|实施|实行|执行|生效|试行|暂行)").unwrap());
/// `…起施行的《X》`: the verb describes another document.
static VERB_AS_ADJECTIVE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*(?:零时|0时)?\s*(?:起|开始)?\s*(?:正式)?(?:施行|实施|实行|执行|生效)的").unwrap());
/// A history line read as a sentence: `2015年9月1日 施行`.
static DATED_EFFECT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"^{NUM}{{4}}\s*年\s*{NUM}{{1,2}}\s*月\s*{NUM}{{1,3}}\s*日\s*(?:起\s*)?(?:施行|实施)[。]?$")).unwrap()
});
/// A deadline counted from publication: `印发之日起30日内`.
static DEADLINE_AFTER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!(r"^\s*{NUM}{{1,4}}\s*(?:日|天|个工作日|个月|年)(?:以)?内")).unwrap());
/// Things with a validity of their own, not the document's: `许可证有效期为五年`,
/// `执业证书有效期`, `项目建议书（表）自批复之日起，有效期2年`.
static OTHER_HOLDER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"证书|证照|证明|许可|执照|资格|资质|登记证|备案|批复|批文|文书|决定书|合同|协议|建议书|意见书|报告|鉴定|认定|凭证|牌照|[^保]证[^明]?").unwrap()
});
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

/// Is the validity at `at` that of something the document regulates (a
/// licence, a certificate, a filing) rather than its own? When the sentence
/// names no 本X and such a holder stands before, or the 有效期 is a
/// described one (`涉及失信惩戒的有效期`).
fn held_by_other(s: &str, at: usize) -> bool {
    if OWN_SUBJECT.is_match(s) {
        return false;
    }
    let before = &s[..at];
    OTHER_HOLDER.is_match(before) || before.trim_end().ends_with('的')
}

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
    /// A start relative to publication was stated, but the date is unknown.
    relative_unknown: bool,
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
            // `名单有效期从即日起至2025年6月30日止`: the document's own window.
            if before.contains("有效期") && !held_by_other(s, i) {
                if let Some((_, d)) = date_here(s, i + '至'.len_utf8(), End::Finish) {
                    if let Some(sd) = signed {
                        parts.from.get_or_insert((sd, Basis::StatedDate));
                    }
                    parts.until.get_or_insert((d, Basis::StatedDate));
                    found = true;
                }
                continue;
            }
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
    let from_publication = FROM_PUBLICATION.captures_iter(s).find(|c| {
        let (start, end) = (c.get(0).unwrap().start(), c.get(0).unwrap().end());
        START_VERB.is_match(&s[end..]) || (own_act(start) && !DEADLINE_AFTER.is_match(&s[end..]))
    });
    if let Some(m) = from_publication {
        let start = m.get(0).unwrap().start();
        if !about_other_document(s, start) || OWN_SUBJECT.is_match(&s[..start]) {
            match signed {
                Some(sd) => {
                    let days = m.name("n").and_then(|n| parse_cn_number(n.as_str())).unwrap_or(0);
                    let from = sd + chrono::Duration::days(days as i64);
                    parts.from.get_or_insert((from, Basis::RelativeToPublication));
                }
                // The rule is known, its date is not (a text with no signature).
                None => parts.relative_unknown = true,
            }
            found = true;
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
        if (START_VERB.is_match(&s[r.end..]) || later) && !VERB_AS_ADJECTIVE.is_match(&s[r.end..]) {
            parts.from.get_or_insert((d, Basis::StatedDate));
            found = true;
        }
    }
    // A history line `2015年9月1日 施行`.
    if DATED_EFFECT.is_match(s.trim()) {
        if let Some((_, d)) = date_here(s, 0, End::Start) {
            parts.from.get_or_insert((d, Basis::StatedDate));
            found = true;
        }
    }
    // End: an N-year term.
    if !extension {
        if let Some(c) = TERM.captures(s) {
            let at = c.get(0).unwrap().start();
            if !about_other_document(s, at) && !held_by_other(s, at) {
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
            // `本办法有效期为五年，至2028年9月30日止`: a bare 至 after an 有效期 clause.
            let bare_until =
                s[..m.start()].trim_end().ends_with('至') && s[..m.start()].contains("有效期") && s[m.start()..].contains('止');
            if in_campaign(m.start())
                || !(UNTIL_LEAD.is_match(&s[..m.start()]) || bare_until)
                || about_other_document(s, m.start())
                || held_by_other(s, m.start())
            {
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
    validity_titled(text, signed, "")
}

/// The validity window of a text with its title. A notice that acts on
/// another document (`关于延长《某规定》有效期的通知`) may print that
/// document's sentences (`本规定自发布之日起施行，有效期至…`): a 本X whose
/// 文种 is the other document's, not the notice's, is not the notice's window.
pub fn validity_titled(text: &str, signed: Option<NaiveDate>, title: &str) -> (ValidityWindow, Option<CampaignPeriod>) {
    let foreign = super::links::title_target(title)
        .and_then(|t| crate::gongwen::instrument_type(&t))
        .filter(|t| crate::gongwen::title_doc_type(title).is_none_or(|own| !own.ends_with(t)));
    let mut parts = WindowParts::default();
    let mut campaign = None;
    for s in sentences(text) {
        if let Some(t) = foreign {
            let masked = mask_titles(s.text);
            if OWN_SUBJECT.find_iter(&masked).any(|m| m.as_str().trim_end().ends_with(t)) {
                continue;
            }
        }
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
        // An N-year term that the text also states as an end date.
        (Some(_), _) if parts.term.is_some() => Basis::Term,
        (Some((_, b)), _) => *b,
        (None, Some((_, b))) => *b,
        (None, None) if parts.relative_unknown => Basis::RelativeToPublication,
        (None, None) => Basis::Default,
    };
    (
        ValidityWindow { effective_from: from, effective_until: until.map(|(d, _)| d), basis, provisional, evidence: parts.evidence },
        campaign,
    )
}
