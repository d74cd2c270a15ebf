//! The vocabulary of 公文 (GB/T 9704-2012) that several stages share:
//! lines with their offsets, the 文种 that end a title, organisation
//! names, and what may stand in a title block. Text in, small facts out;
//! no stage above is used here, so segment, structure and analyse can all
//! depend on it.

use crate::dates::date_line;
use regex::Regex;
use std::sync::LazyLock;

/// A line of the clean text with its byte range.
#[derive(Debug, Clone, Copy)]
pub struct TextLine<'a> {
    pub text: &'a str,
    pub start: usize,
    pub end: usize,
}

/// Split text into lines with byte offsets (empty lines dropped).
pub fn lines(text: &str) -> Vec<TextLine<'_>> {
    let mut v = Vec::new();
    let mut start = 0;
    for l in text.split('\n') {
        let end = start + l.len();
        let t = l.trim();
        if !t.is_empty() {
            let lead = l.len() - l.trim_start().len();
            v.push(TextLine { text: t, start: start + lead, end: start + lead + t.len() });
        }
        start = end + 1;
    }
    v
}

/// 文种 (document types), longest first, as they end a title.
pub const DOC_TYPES: &[&str] = &[
    "实施细则",
    "实施办法",
    "实施方案",
    "实施意见",
    "工作方案",
    "行动方案",
    "行动计划",
    "指导意见",
    "管理办法",
    "暂行办法",
    "暂行规定",
    "通知",
    "通告",
    "公告",
    "决定",
    "决议",
    "命令",
    "意见",
    "办法",
    "规定",
    "条例",
    "细则",
    "规则",
    "方案",
    "计划",
    "规划",
    "纲要",
    "通报",
    "报告",
    "说明",
    "请示",
    "批复",
    "答复",
    "复函",
    "函",
    "纪要",
    "议案",
    "公报",
    "清单",
    "目录",
    "名录",
    "令",
    "章程",
    "守则",
    "标准",
    "指南",
    "规范",
    // 部门决算, 部门预算 of a budget unit.
    "决算",
    "预算",
    // 中华人民共和国安全生产法: a law's title ends in 法 (after 办法 above).
    "法",
];

/// The 文种 a title ends with (allowing a trailing （试行）/（暂行）/（修订）).
pub fn title_doc_type(title: &str) -> Option<&'static str> {
    let t = crate::text::squeeze(title);
    // A web page may print the title in 《》: `《某区公共租赁住房管理办法》`.
    let t = match t.strip_prefix('《').and_then(|r| r.strip_suffix('》')) {
        Some(inner) if !inner.contains(['《', '》']) => inner.to_string(),
        _ => t,
    };
    let t = TRAILING_QUALIFIER.replace(&t, "");
    DOC_TYPES.iter().find(|d| t.ends_with(*d)).copied()
}

/// `（试行）`, `(暂行)`, `（修订）`, `（草案）` at the end of a title.
pub static TRAILING_QUALIFIER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[（(](?:试行|暂行|修订|修正|草案|征求意见稿|\d{4}年修订|\d{4}年修正)[）)]$").unwrap());

/// Dot leaders of a 目录 line: `……………（27）`, `....... 12`.
pub static LEADERS: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?:…{2,}|\.{4,}|·{4,}|-{4,})").unwrap());

/// Endings of an organisation's name, for issuer lines: `青县人民政府`,
/// `青县人民政府办公室`, `中共某某县委办公室`, `某某市财政局`.
static ORG_END: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:政府|办公室|办公厅|委员会|委|局|厅|部|院|署|会|处|中心|公司|集团|党委|县委|市委|省委|支队|大队|站|所|室|社|联|团|队|组|总局|管委会)$").unwrap()
});

/// Is this line an organisation's name standing alone (an issuer line)?
pub fn is_org_line(s: &str) -> bool {
    let s = s.trim();
    let n = s.chars().count();
    (2..=40).contains(&n)
        && !s.contains(['。', '，', '：', ':', '；', '、', '《'])
        && s.split_whitespace().all(|part| ORG_END.is_match(part))
}

pub fn ends_sentence(s: &str) -> bool {
    s.ends_with(['。', '；', '！', '？', ';', '：', ':'])
}

/// The 文种 of an enclosed instrument from its title: the base type
/// (办法, 方案, 规定…), except the 意见 forms that are types of their own
/// (实施意见, 指导意见). `…入市实施办法（试行）` → 办法.
pub fn instrument_type(title: &str) -> Option<&'static str> {
    let t = crate::text::squeeze(title);
    let t = TRAILING_QUALIFIER.replace(&t, "");
    for compound in ["实施意见", "指导意见"] {
        if t.ends_with(compound) {
            return Some(compound);
        }
    }
    const BASE: &[&str] = &[
        "条例", "规定", "办法", "细则", "规则", "方案", "计划", "规划", "纲要", "意见", "清单", "目录", "名录", "名单", "章程", "守则",
        "标准", "指南", "规范", "决定", "通知", "通告", "公告", "制度", "要点", "措施", "导则", "须知",
    ];
    BASE.iter().find(|d| t.ends_with(*d)).copied()
}

/// Can this line be part of a title block?
pub fn title_line_ok(s: &str) -> bool {
    !ends_sentence(s)
        && !LEADERS.is_match(s)
        && date_line(s).is_none()
        && !crate::docnum::find_all(s).iter().any(|_| true)
        && s.chars().count() <= 80
        && !(s.starts_with(['（', '(']) && s.ends_with(['）', ')']))
}
