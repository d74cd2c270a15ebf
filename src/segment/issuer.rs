//! The 发文机关 of a document, from every place a 公文 puts it
//! (GB/T 9704-2012 §7.2.1, §7.3.5): the title's head before 关于
//! (`国务院、中央军委关于…的批复`), the 版头's 发文机关标志, the signature
//! above the 成文日期 (one organ per line, or several on one line separated
//! by spaces), and a rule's promulgation line (`…令第20号公布`).
//!
//! Several places may name the organs; the title's head is preferred, and a
//! 简称 there (`上海市经济信息化委`) gives way to the full name the
//! signature prints (`上海市经济和信息化委员会`). Seal notes (`（印）`,
//! `（…代章）`) are not organs.

use crate::gongwen::{is_org_line, TextLine};
use regex::Regex;
use std::sync::LazyLock;

/// A seal note in a signature block: `（印章）`, `（公章）`, `（此件盖章）`,
/// `（上海市发展和改革委员会代章）`.
static SEAL_NOTE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^[（(][^（）()]{0,40}(?:印章|公章|盖章|代章|印)[）)]$").unwrap());

/// A trailing seal mark after an organ's name: `某县人民政府（印）`, `某县财政局 印`.
static TRAILING_SEAL: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"[\s　]*(?:[（(]\s*印\s*[）)]|印)$").unwrap());

/// An organ's name without a trailing seal mark.
pub fn without_seal(name: &str) -> &str {
    let t = name.trim();
    match TRAILING_SEAL.find(t) {
        // Not the 印 of a name (`某县印刷厂`): only after a full organ name.
        Some(m) if is_org_line(&t[..m.start()]) => t[..m.start()].trim_end(),
        _ => t,
    }
}

/// Split the issuer part of a heading or signature into organs (joint
/// issuance): on spaces and 、.
pub fn split_issuers(s: &str) -> Vec<String> {
    s.split(|c: char| c.is_whitespace() || c == '、').map(|p| without_seal(p).to_string()).filter(|p| !p.is_empty()).collect()
}

/// Is `s` one or several organ names joined by 、 or spaces
/// (`国务院、中央军委`, `国务院办公厅 中央军委办公厅`)?
pub fn is_org_list(s: &str) -> bool {
    let parts = split_issuers(s);
    !parts.is_empty() && parts.len() <= 8 && parts.iter().all(|p| is_org_line(p))
}

/// The issuer at the head of a full title: the organisation name(s) before
/// 关于 / 对 / 转发 / 批转 (`国务院办公厅转发民政部关于…` is issued by
/// 国务院办公厅; `国务院、中央军委关于…的批复` by both). `printed` is the
/// length of the heading's issuer line(s), used when no such word follows them.
pub fn issuer_of_title(full: &str, printed: usize) -> &str {
    let mut best: Option<usize> = None;
    for w in ["转发", "批转", "关于", "对", "印发"] {
        let mut from = 0;
        while let Some(i) = full[from..].find(w) {
            let at = from + i;
            if at > 0 && is_org_list(&full[..at]) {
                best = Some(best.map_or(at, |b: usize| b.min(at)));
                break;
            }
            from = at + w.len();
        }
    }
    match best {
        Some(b) => &full[..b],
        None => &full[..printed.min(full.len())],
    }
}

/// The organs that sign a document: the organ lines directly above its
/// 成文日期 line `date_line` (not above `floor`), top to bottom, or the
/// organs printed before the date on that same line. Seal notes are skipped.
pub fn signature_organs(ls: &[TextLine], date_line: usize, floor: usize) -> Vec<String> {
    let line = ls[date_line].text.trim();
    if let Some((r, _)) = crate::dates::find_dates(line).last() {
        let before = line[..r.start].trim();
        if !before.is_empty() && is_org_list(before) {
            return split_issuers(before);
        }
    }
    let mut organs: Vec<String> = Vec::new();
    let mut i = date_line;
    let mut seen = 0;
    while i > floor && seen < 8 {
        i -= 1;
        let t = ls[i].text.trim();
        if SEAL_NOTE.is_match(t) {
            continue;
        }
        if !is_org_list(t) {
            break;
        }
        let mut parts = split_issuers(t);
        parts.append(&mut organs);
        organs = parts;
        seen += 1;
    }
    organs
}

/// Is `short` a 简称 of `full`: the same organ with words left out, sharing
/// its first or last two characters (`上海市经济信息化委` of
/// `上海市经济和信息化委员会`, `黄浦区人民政府` of `上海市黄浦区人民政府`,
/// `区政府` of `上海市嘉定区人民政府`)? A name that only extends the short
/// one is another organ (`某县人民政府` / `某县人民政府办公室`).
pub fn abbreviates(short: &str, full: &str) -> bool {
    let s: Vec<char> = short.chars().collect();
    let f: Vec<char> = full.chars().collect();
    if s.len() >= f.len() || s.len() < 3 || full.starts_with(short) {
        return false;
    }
    let same_start = s[..2] == f[..2];
    let same_end = s[s.len() - 2..] == f[f.len() - 2..];
    // Every character of the short form, in order, in the full one.
    let mut k = 0;
    for c in &f {
        if k < s.len() && *c == s[k] {
            k += 1;
        }
    }
    k == s.len() && (same_start || same_end)
}

/// The issuers of a document, from its title's head, masthead and
/// signature: the title's organs with their 简称 replaced by the full names
/// the signature prints, else the masthead's, else the signature's.
pub fn choose(title_organs: Vec<String>, masthead: Vec<String>, signature: &[String]) -> Vec<String> {
    let mut out = if !title_organs.is_empty() {
        title_organs
    } else if !masthead.is_empty() {
        masthead
    } else {
        signature.to_vec()
    };
    for o in out.iter_mut() {
        if let Some(full) = signature.iter().find(|f| abbreviates(o, f)) {
            *o = full.clone();
        }
    }
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gongwen::lines;

    #[test]
    fn title_heads_with_several_organs() {
        assert_eq!(issuer_of_title("国务院、中央军委关于同意某某的批复", 0), "国务院、中央军委");
        assert_eq!(issuer_of_title("国务院办公厅转发民政部关于某某意见的通知", 0), "国务院办公厅");
        assert_eq!(issuer_of_title("关于印发某某办法的通知", 0), "");
        assert_eq!(split_issuers("国务院、中央军委"), ["国务院", "中央军委"]);
    }

    #[test]
    fn signatures_stacked_spaced_and_sealed() {
        let text = "特此通知。\n某市交通委员会 某市财政局\n（某市交通委员会代章）\n2024年3月1日\n";
        let ls = lines(text);
        assert_eq!(signature_organs(&ls, 3, 0), ["某市交通委员会", "某市财政局"]);
        let text = "特此通知。\n某县人民政府办公室\n某县财政局（印）\n2024年3月1日\n";
        let ls = lines(text);
        assert_eq!(signature_organs(&ls, 3, 0), ["某县人民政府办公室", "某县财政局"]);
        let ls = lines("现印发给你们。\n某县人民政府 2024年8月20日\n");
        assert_eq!(signature_organs(&ls, 1, 0), ["某县人民政府"]);
        // A sentence above the date is no signature.
        let ls = lines("请遵照执行。\n2024年8月20日\n");
        assert!(signature_organs(&ls, 1, 0).is_empty());
    }

    #[test]
    fn short_names_give_way_to_full_ones() {
        assert!(abbreviates("某市经济信息化委", "某市经济和信息化委员会"));
        assert!(!abbreviates("市府办", "某市人民政府办公厅"));
        assert!(!abbreviates("某市财政局", "某市交通委员会"));
        assert!(abbreviates("某区人民政府", "某某市某区人民政府"));
        assert!(abbreviates("区政府", "某某市某某区人民政府"));
        assert!(!abbreviates("某县人民政府", "某县人民政府办公室"));
        let chosen = choose(vec!["某市经济信息化委".into()], vec![], &["某市经济和信息化委员会".into()]);
        assert_eq!(chosen, ["某市经济和信息化委员会"]);
        assert_eq!(choose(vec![], vec![], &["某区水务局".into()]), ["某区水务局"]);
    }
}
