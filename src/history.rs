//! A regulation's or rule's history: the dated lines it prints instead of
//! a signature, under its title or in parentheses there.
//!
//! ```text
//! 2003年12月31日 上海市第十二届人民代表大会常务委员会第九次会议通过
//! 2016年1月22日 山东省第十二届人民代表大会常务委员会第十八次会议批准
//! 2016年1月22日 青岛市人民代表大会常务委员会公告公布
//! 2016年3月1日 施行
//! （2002年6月29日第九届全国人民代表大会常务委员会第二十八次会议通过　根据2009年8月27日…《关于修改部分法律的决定》第一次修正）
//! 2019年11月30日国家市场监督管理总局令第20号公布
//! ```
//!
//! Each date is one event, its kind the verb that ends its clause (通过,
//! 批准, 公布/发布/颁布, 修订, 修正/修改, 施行), its organ what stands between.
//! Segment reads a document's history, structure an enclosed instrument's.

use crate::dates::find_dates;
use crate::gongwen::TextLine;
use crate::record::{DateKind, DocDate};
use regex::Regex;
use std::sync::LazyLock;

/// The verb that ends a history clause: `…会议通过`, `…批准`, `…令第20号公布`,
/// `…第一次修正`, `施行`.
static EVENT: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"通过|批准|公布|发布|颁布|修订|修正|修改|施行|实施").unwrap());

/// A line that can belong to a history block: it opens with a date, with
/// `（` or `(` and a date, or with 根据 and a date.
static HISTORY_LINE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[（(【\[]?\s*(?:根据\s*)?(?:[0-9０-９]{4}|[〇○零一二三四五六七八九]{4})\s*年").unwrap());

/// The organ that acted, from a history clause's `by`: the meeting's
/// session and number left out (`上海市第十二届人民代表大会常务委员会第九次会议`
/// → `上海市人民代表大会常务委员会`), a decree's issuer (`中华人民共和国国务院令第583号`
/// → `国务院`).
pub fn organ(by: &str) -> Option<String> {
    if let Some(dn) = crate::docnum::DocNumber::parse(by).filter(|d| d.is_decree()) {
        let p = dn.prefix.trim_end_matches('令');
        return Some(p.strip_prefix("中华人民共和国").filter(|r| r.chars().count() >= 2).unwrap_or(p).to_string());
    }
    let t = SESSION.replace_all(by, "");
    let t = MEETING.replace(&t, "");
    let t = t.trim().trim_end_matches("会议").trim();
    (crate::gongwen::is_org_line(t) && t.chars().count() >= 4).then(|| t.to_string())
}

/// `第十二届`, `十四届` in a meeting's name.
static SESSION: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"第?[一二三四五六七八九十]+届").unwrap());
/// `第九次会议`, `第二次全体会议`, `第31次常务会议` at the end of a meeting's name.
static MEETING: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"第[一二三四五六七八九十百0-9]+次(?:全体)?(?:常务)?会议$").unwrap());

/// The kind of event a history verb names.
fn kind(verb: &str) -> Option<DateKind> {
    Some(match verb {
        "通过" => DateKind::Adopted,
        "批准" => DateKind::Approved,
        "公布" | "发布" | "颁布" => DateKind::Promulgated,
        "修订" => DateKind::Revised,
        "修正" | "修改" => DateKind::Amended,
        "施行" | "实施" => DateKind::Effective,
        _ => return None,
    })
}

/// The events of one history text (a line, or a parenthesised note).
pub fn events(text: &str) -> Vec<DocDate> {
    let dates = find_dates(text);
    let mut out = Vec::new();
    for (k, (r, date)) in dates.iter().enumerate() {
        // The clause runs to the next date (or the next 根据, which opens the next event).
        let end = dates.get(k + 1).map(|(n, _)| n.start).unwrap_or(text.len());
        let clause = &text[r.end..end];
        let clause = clause.split("根据").next().unwrap_or(clause);
        // `…通过的《…》` names an earlier act inside a title: the verb must
        // stand outside 《》, and the first one outside counts.
        // `…会议通过的《关于修改…的决定》修正` is an amendment: a verb used
        // as an adjective (followed by 的) does not end the clause.
        let masked = outside_titles(clause);
        // `2011年11月25日…批准的2011年11月15日…通过的《决定》修正`: a date
        // whose only verb is such an adjective still dates that act.
        let verbs: Vec<_> = EVENT.find_iter(&masked).map(|m| m.range()).collect();
        let Some(m) = verbs.iter().find(|m| !masked[m.end..].starts_with('的')).or(verbs.first()).cloned() else { continue };
        let Some(kind) = kind(&clause[m.clone()]) else { continue };
        // `通过并经…批准`: the clause's first verb.
        let by = clause[..m.start].trim().trim_matches(|c: char| c.is_whitespace() || matches!(c, '，' | ',' | '　'));
        let by = (!by.is_empty() && by.chars().count() <= 60 && !by.contains('《')).then(|| by.to_string());
        out.push(DocDate { kind, date: *date, by });
    }
    out
}

/// The clause with 《…》 contents blanked (same byte length).
fn outside_titles(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut depth = 0i32;
    for c in s.chars() {
        match c {
            '《' => depth += 1,
            '》' => depth = (depth - 1).max(0),
            _ => {}
        }
        if depth > 0 && c != '《' {
            out.extend(std::iter::repeat_n('_', c.len_utf8()));
        } else {
            out.push(c);
        }
    }
    out
}

/// The history of a document whose body starts at line `from`: the run of
/// history lines there, each with the lines that continue it (a history
/// line wraps like any other: `2014年9月26` / `日山东省…批准`; a
/// parenthesised note runs to its closing bracket), up to the first line
/// that is neither (a provision, a sentence of the body). At most `limit`
/// lines are read.
pub fn history(ls: &[TextLine], from: usize, to: usize, limit: usize) -> Vec<DocDate> {
    let mut out = Vec::new();
    let mut pending = String::new();
    let mut i = from;
    while i < to && i < from + limit {
        let t = ls[i].text.trim();
        let continues = !pending.is_empty()
            && !HISTORY_LINE.is_match(t)
            && !crate::clean::starts_block(t)
            && (unclosed_note(&pending) || !ends_with_event(&pending));
        if continues {
            pending.push_str(t);
        } else if HISTORY_LINE.is_match(t) {
            out.extend(events(&pending));
            pending = t.to_string();
        } else {
            break;
        }
        i += 1;
    }
    out.extend(events(&pending));
    out.sort_by_key(|d| d.date);
    out.dedup();
    out
}

/// A `（…` note whose `）` has not come yet.
fn unclosed_note(s: &str) -> bool {
    s.starts_with(['（', '(']) && s.matches(['（', '(']).count() > s.matches(['）', ')']).count()
}

/// Does this history text end with its event verb (`…会议通过`, `…第一次修正）`)?
fn ends_with_event(s: &str) -> bool {
    let t = s.trim_end().trim_end_matches(['）', ')', '。', '；']);
    EVENT.find_iter(t).last().is_some_and(|m| m.end() == t.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn lines_of_a_local_regulation() {
        let text = "某市养犬管理条例\n2015年12月25日 某市第十五届人民代表大会常务委员会第三十二次会议通过\n2016年1月22日 某省第十二届人民代表大会常务委员会第十八次会议批准\n2016年1月22日 某市人民代表大会常务委员会公告公布\n2016年3月1日 施行\n第一条 为了规范养犬行为，制定本条例。\n";
        let ls = crate::gongwen::lines(text);
        let h = history(&ls, 1, ls.len(), 12);
        let kinds: Vec<(DateKind, NaiveDate)> = h.iter().map(|e| (e.kind, e.date)).collect();
        assert_eq!(
            kinds,
            [
                (DateKind::Adopted, d("2015-12-25")),
                (DateKind::Approved, d("2016-01-22")),
                (DateKind::Promulgated, d("2016-01-22")),
                (DateKind::Effective, d("2016-03-01")),
            ]
        );
        assert_eq!(h[0].by.as_deref(), Some("某市第十五届人民代表大会常务委员会第三十二次会议"));
    }

    #[test]
    fn a_parenthesised_note_over_several_lines() {
        let text = "中华人民共和国某某法\n（2002年6月29日第九届全国人民代表大会常务委员会第二十八次会议通过　根据\n2009年8月27日第十一届全国人民代表大会常务委员会第十次会议《关于修改部分法律的决定》第一次修正）\n第一条 为了……\n";
        let ls = crate::gongwen::lines(text);
        let h = history(&ls, 1, ls.len(), 12);
        assert_eq!(h.iter().map(|e| e.kind).collect::<Vec<_>>(), [DateKind::Adopted, DateKind::Amended]);
    }

    #[test]
    fn organs_of_meetings_and_decrees() {
        assert_eq!(organ("某市第十二届人民代表大会常务委员会第九次会议").as_deref(), Some("某市人民代表大会常务委员会"));
        assert_eq!(organ("中华人民共和国国务院令第583号").as_deref(), Some("国务院"));
        assert_eq!(organ("某某省人民政府令第250号").as_deref(), Some("某某省人民政府"));
    }

    #[test]
    fn wrapped_history_lines() {
        let text = "某市农村公路条例\n2014年7月23日 某市第十五届人民代表大会常务委员会第十五次会议通过\n2014年9月26\n日某省第十二届人民代表大会常务委员会第十次会议批准\n2017年5月19日 某省第十二届人民代表大会常务委员会第三十次会议《关于修改〈某某条例〉\n的决定》第一次修正\n第一章 总则\n";
        let ls = crate::gongwen::lines(text);
        let h = history(&ls, 1, ls.len(), 12);
        let kinds: Vec<(DateKind, NaiveDate)> = h.iter().map(|e| (e.kind, e.date)).collect();
        assert_eq!(
            kinds,
            [(DateKind::Adopted, d("2014-07-23")), (DateKind::Approved, d("2014-09-26")), (DateKind::Amended, d("2017-05-19"))]
        );
    }

    #[test]
    fn a_rule_promulgated_by_decree_and_a_verb_inside_a_title() {
        let e = events("2019年11月30日国家市场监督管理总局令第20号公布");
        assert_eq!((e[0].kind, e[0].date), (DateKind::Promulgated, d("2019-11-30")));
        let e = events("2001年8月3日 某市第十一届人民代表大会常务委员会第二十八次会议通过的《某市人民代表大会常务委员会关于修改〈议事规则〉的决定》修正");
        assert_eq!(e[0].kind, DateKind::Amended);
        // A sentence of the body is no history.
        let ls = crate::gongwen::lines("为了规范管理，2020年起实施。\n");
        assert!(history(&ls, 0, 1, 12).is_empty());
    }
}
