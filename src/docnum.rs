//! 文号 (document numbers): parse every form real documents use, print one
//! canonical form.
//!
//! - standard (GB/T 9704-2012 §7.2.5): 机关代字〔年份〕序号号, `青政办发〔2024〕47号`;
//!   the brackets may be `〔〕 [] ［］ 【】 （） ()`, with spaces anywhere;
//! - older forms with 字/第 and a word in the brackets: `国土〔籍〕字第26号`;
//! - decrees: `国务院令第707号`, `山西省人民政府令第250号`.

use regex::Regex;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::sync::LazyLock;

/// A parsed 文号.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DocNumber {
    /// 发文机关代字, e.g. `青政办发`; for a decree the issuer and 令, e.g. `国务院令`.
    pub prefix: String,
    /// What stands in the brackets: a year (`2024`) or, in old forms, a word (`籍`).
    /// `None` for decrees.
    pub bracket: Option<String>,
    /// Characters between the closing bracket and the number: `字第`, `第`, or empty.
    pub infix: String,
    /// 序号.
    pub seq: u32,
}

impl DocNumber {
    /// The year in the brackets, if it is one.
    pub fn year(&self) -> Option<i32> {
        self.bracket.as_deref().and_then(|b| b.parse().ok()).filter(|y| (1900..=2200).contains(y))
    }

    /// Is this a decree number (国务院令第707号)?
    pub fn is_decree(&self) -> bool {
        self.bracket.is_none()
    }

    /// Parse a string that is one 文号 (surrounding space and brackets allowed).
    pub fn parse(s: &str) -> Option<DocNumber> {
        let s = s.trim();
        let (range, dn) = find_all(s).into_iter().next()?;
        let rest = |r: &str| r.chars().all(|c| c.is_whitespace() || matches!(c, '(' | ')' | '（' | '）' | '。'));
        (rest(&s[..range.start]) && rest(&s[range.end..])).then_some(dn)
    }

    /// The number part without the prefix: `〔2024〕74号`, `第707号`,
    /// `（十四届第3号）` (a 公告 numbered within a congress's session).
    pub fn number_part(&self) -> String {
        match &self.bracket {
            Some(b) => format!("〔{b}〕{}{}号", self.infix, self.seq),
            None if self.infix.is_empty() => format!("第{}号", self.seq),
            None => format!("（{}第{}号）", self.infix, self.seq),
        }
    }
}

impl fmt::Display for DocNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.prefix, self.number_part())
    }
}

impl std::str::FromStr for DocNumber {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DocNumber::parse(s).ok_or_else(|| format!("not a 文号: {s}"))
    }
}

impl Serialize for DocNumber {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for DocNumber {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        DocNumber::parse(&s).ok_or_else(|| serde::de::Error::custom(format!("not a 文号: {s}")))
    }
}

/// A bracketed 文号: `青政发〔2024〕59号`, `青政发[2024]74号`, `青政发 （2024） 74 号`,
/// `阳政通字〔2023〕2 号`, `国土〔籍〕字第26号`, `国发〔1996〕第3号`,
/// `宝绿容﹝2019﹞53号` (small brackets U+FE5D/FE5E, as web pages print them).
static BRACKETED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?P<prefix>[\p{Han}]{1,14})[ \t\u{3000}\n]*[〔\[［【（(〖﹝][ \t\u{3000}]*(?P<bracket>(?:19|20)\d{2}|[\p{Han}]{1,2})[ \t\u{3000}]*[〕\]］】）)〗﹞][ \t\u{3000}\n]*(?P<infix>字?第?)[ \t\u{3000}\n]*(?P<seq>\d{1,5})[ \t\u{3000}\n]*号",
    )
    .unwrap()
});

/// A decree or a promulgating 公告: `国务院令第707号`, `中华人民共和国国务院令 第 707 号`,
/// `某省人大常委会公告（十四届第3号）`, `某市人民代表大会常务委员会公告第14号`.
static DECREE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?P<prefix>[\p{Han}]{1,30}?(?:令|公告))[ \t\u{3000}]*(?P<open>[（(][ \t\u{3000}]*)?(?P<session>第?[一二三四五六七八九十]+届)?[ \t\u{3000}]*第[ \t\u{3000}]*(?P<seq>\d{1,5})[ \t\u{3000}]*号(?P<close>[ \t\u{3000}]*[）)])?").unwrap()
});

/// Words that introduce a 文号 in running text and are not part of its 机关代字:
/// `根据青政发〔2024〕59号`, `原青政办发〔2022〕70号`.
const LEAD_INS: &[&str] = &[
    "根据", "按照", "依据", "依照", "参照", "结合", "关于", "印发", "转发", "废止", "执行", "落实", "贯彻", "对照", "详见", "决定", "宣布",
    "同意", "原", "和", "及", "与", "即", "见", "的", "对", "将", "并", "是", "了", "在", "号", "以", "为", "由", "文件", "日",
];

/// An organ's name before a 机关代字 is not part of it: `上海市物价局沪价经〔1998〕115号`,
/// `1985年11月30日市人民政府京政发〔1985〕167号文件发布`. (A decree's number
/// keeps its organ: `某某省人民政府令第250号`.)
const ORGANS_BEFORE: &[&str] = &["人民政府", "政府", "委员会", "办公厅", "办公室", "局", "厅"];

fn strip_lead_ins<'a>(prefix: &'a str, words: &[&[&str]]) -> &'a str {
    // Cut after the rightmost lead-in word that leaves at least two characters.
    let mut best = 0;
    for w in words.iter().flat_map(|ws| ws.iter()) {
        let mut from = 0;
        while let Some(i) = prefix[from..].find(w) {
            let end = from + i + w.len();
            // 和 in 中华人民共和国 is no conjunction.
            let in_name = *w == "和" && prefix[..from + i].ends_with('共') && prefix[end..].starts_with('国');
            if !in_name && prefix[end..].chars().count() >= 2 && end > best {
                best = end;
            }
            from = from + i + w.len();
        }
    }
    &prefix[best..]
}

/// Every 文号 in `text`, with its byte range.
pub fn find_all(text: &str) -> Vec<(std::ops::Range<usize>, DocNumber)> {
    let mut out: Vec<(std::ops::Range<usize>, DocNumber)> = Vec::new();
    // Every 文号 ends with 号: a text without one (most queries) needs
    // neither regex, nor their compiling (2 ms, more than the rest of a search).
    if !text.contains('号') {
        return out;
    }
    for c in BRACKETED.captures_iter(text) {
        let m = c.get(0).unwrap();
        let p = c.name("prefix").unwrap();
        let prefix = strip_lead_ins(p.as_str(), &[LEAD_INS, ORGANS_BEFORE]);
        let start = p.end() - prefix.len();
        let bracket = c["bracket"].to_string();
        let seq: u32 = match c["seq"].parse() {
            Ok(n) => n,
            Err(_) => continue,
        };
        // A bracketed word that is not a year only in the old 字第 form.
        let is_year = bracket.chars().all(|c| c.is_ascii_digit());
        let infix = c["infix"].to_string();
        if !is_year && infix.is_empty() && !prefix.ends_with('字') {
            continue;
        }
        out.push((start..m.end(), DocNumber { prefix: prefix.to_string(), bracket: Some(bracket), infix, seq }));
    }
    for c in DECREE.captures_iter(text) {
        let m = c.get(0).unwrap();
        let p = c.name("prefix").unwrap();
        let prefix = strip_lead_ins(p.as_str(), &[LEAD_INS]);
        let start = p.end() - prefix.len();
        if out.iter().any(|(r, _)| r.start < m.end() && start < r.end) {
            continue;
        }
        // An opening bracket needs its closing one (and the other way round).
        if c.name("open").is_some() != c.name("close").is_some() {
            continue;
        }
        if let Ok(seq) = c["seq"].parse() {
            // 中华人民共和国国务院令第707号 is cited as 国务院令第707号: one id for both.
            let short = prefix.strip_prefix("中华人民共和国").filter(|r| r.chars().count() >= 2).unwrap_or(prefix);
            let session = c.name("session").map(|m| m.as_str().trim_start_matches('第').to_string()).unwrap_or_default();
            out.push((start..m.end(), DocNumber { prefix: short.to_string(), bracket: None, infix: session, seq }));
        }
    }
    out.sort_by_key(|(r, _)| r.start);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> String {
        DocNumber::parse(s).map(|d| d.to_string()).unwrap_or_else(|| "NONE".into())
    }

    #[test]
    fn bracket_variants_print_canonically() {
        for s in [
            "青政发〔2024〕74号",
            "青政发[2024]74号",
            "青政发［2024］74号",
            "青政发【2024】74号",
            "青政发（2024）74号",
            "青政发(2024)74号",
            "青政发 〔2024〕 74 号",
            "（青政发〔2024〕74号）",
        ] {
            assert_eq!(p(s), "青政发〔2024〕74号", "{s}");
        }
    }

    #[test]
    fn old_forms_and_decrees() {
        assert_eq!(p("国土〔籍〕字第26号"), "国土〔籍〕字第26号");
        assert_eq!(p("阳政通字〔2023〕2 号"), "阳政通字〔2023〕2号");
        assert_eq!(p("国务院令第707号"), "国务院令第707号");
        assert_eq!(p("中华人民共和国国务院令 第 588 号"), "国务院令第588号");
        assert_eq!(p("某某自治区人大常委会公告（十四届第3号）"), "某某自治区人大常委会公告（十四届第3号）");
        assert_eq!(p("某某自治区人大常委会公告(第十四届第3号)"), "某某自治区人大常委会公告（十四届第3号）");
        assert_eq!(p("某市人民代表大会常务委员会公告第14号"), "某市人民代表大会常务委员会公告第14号");
        assert!(DocNumber::parse("国务院令第707号").unwrap().is_decree());
        assert_eq!(DocNumber::parse("青政办发〔2024〕47号").unwrap().year(), Some(2024));
        assert_eq!(p("第三十二条"), "NONE");
        assert_eq!(p("（2024）"), "NONE");
    }

    #[test]
    fn found_in_running_text() {
        let t = "决定废止《青县…的通知》（青政办发〔2022〕70号）文件。根据晋财综〔2023〕\n57号和原青政函〔2023〕24号";
        let v: Vec<String> = find_all(t).into_iter().map(|(_, d)| d.to_string()).collect();
        assert_eq!(v, ["青政办发〔2022〕70号", "晋财综〔2023〕57号", "青政函〔2023〕24号"]);
        let t = "《山西省教育厅关于切实办好农村教学点的通知》晋教基〔2014〕39号文件精神";
        assert_eq!(find_all(t)[0].1.to_string(), "晋教基〔2014〕39号");
        let t = "原某市物价局某价经〔1998〕115号文同时废止；1985年11月30日市人民政府某政发〔1985〕167号文件发布";
        let v: Vec<String> = find_all(t).into_iter().map(|(_, d)| d.to_string()).collect();
        assert_eq!(v, ["某价经〔1998〕115号", "某政发〔1985〕167号"]);
        assert_eq!(p("某绿容﹝2019﹞53号"), "某绿容〔2019〕53号");
        // A decree keeps its organ.
        assert_eq!(p("某某省人民政府令第250号"), "某某省人民政府令第250号");
    }
}
