//! A government web page printed to PDF by a browser (or saved as text):
//! the site's chrome around the document — the date and accessibility bar,
//! menus, a search box, the breadcrumb `当前位置：首页 > 政府信息公开 > …`,
//! the `发布时间 …【字体：大 中 小】 打印` bar, the footer with 主办单位,
//! 网站标识码 and ICP 备案 — and the page's metadata table (`发文机关`,
//! `标题`, `发文字号`, `发布日期`, `效力状态`, `索引号`…).
//!
//! The chrome is no document text: it is cut. The table's values are kept
//! (see [`WebMetadata`]) for the fields the body does not print.

use crate::docnum::DocNumber;
use chrono::NaiveDate;
use regex::Regex;
use serde::{Deserialize, Serialize};
use std::sync::LazyLock;

/// What a web page's metadata table says of the document it shows.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WebMetadata {
    pub issuer: Option<String>,
    pub title: Option<String>,
    pub doc_number: Option<DocNumber>,
    /// 成文日期 when the table gives it.
    pub signed: Option<NaiveDate>,
    /// 发布日期 (publication on the site).
    pub published: Option<NaiveDate>,
    /// 效力状态 / 有效性 as the site states it.
    pub validity: Option<String>,
}

/// A breadcrumb: `当前位置：首页 > 政府信息公开 > 政策文件`, `您现在的位置：首页>…`.
static BREADCRUMB: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^(?:当前位置|您现在的位置|您的位置|所在位置)\s*[：:]").unwrap());

/// The keys of a metadata table, each possibly letter-spaced (`标 题`) and
/// followed by a colon or not: `发文机关：南宁市发展和改革委员会`.
static META_KEY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(索\s*引\s*号|主\s*题\s*分\s*类|发\s*文\s*机\s*关|发\s*布\s*机\s*构|标\s*题|发\s*文\s*字\s*号|文\s*号|成\s*文\s*日\s*期|发\s*布\s*日\s*期|效\s*力\s*状\s*态|有\s*效\s*性|生\s*效\s*日\s*期|主\s*题\s*词)\s*[：:]?\s*").unwrap()
});

/// A line of the bar above or below the body: `发布时间：2025-10-11 11:33【字体：大 中 小】 打印 浏览量：4360`.
static TOOL_BAR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"【\s*字体|字体\s*[：:]\s*大|浏览量|浏览次数|打印本页|关闭窗口|分享到|扫一扫").unwrap());

/// The site's footer: `网站地图`, `主办单位：…`, `网站标识码`, `…ICP备…`, `公网安备`, `版权所有`.
static FOOTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"网站地图|主办单位|承办单位|网站标识码|ICP\s*备|I\s*C\s*P|公网安备|版权所有|联系我们|相关链接|相关附件|技术支持").unwrap()
});

fn key_name(k: &str) -> String {
    k.chars().filter(|c| !c.is_whitespace() && *c != '：' && *c != ':').collect()
}

/// The key–value pairs of one line of a metadata table.
fn pairs(line: &str) -> Vec<(String, String)> {
    let keys: Vec<regex::Match> = META_KEY.find_iter(line).collect();
    let mut out = Vec::new();
    for (i, k) in keys.iter().enumerate() {
        let end = keys.get(i + 1).map(|n| n.start()).unwrap_or(line.len());
        let value = line[k.end()..end].trim().to_string();
        out.push((key_name(k.as_str()), value));
    }
    out
}

/// Is this a metadata table line: a key and its value, perhaps after a side
/// menu's item on the same visual line (`信息公开指南 发文机关 青岚县水利局`),
/// and not a sentence of the body (`标题` inside a paragraph)?
fn table_line(line: &str) -> bool {
    let t = line.trim();
    META_KEY.find(t).is_some_and(|m| {
        let before = &t[..m.start()];
        before.chars().count() <= 10 && !before.contains(['。', '，', '；'])
    }) && !t.ends_with('。')
        && t.chars().count() <= 120
}

/// A web print found in a file's first lines: its metadata, and which of
/// the lines (in order) are chrome.
pub struct WebPrint {
    pub metadata: WebMetadata,
    pub chrome: Vec<bool>,
    /// The title line, when a side menu's item stands on the same visual
    /// line before it (`依申请公开 青岚县水利局关于…的通知`): its index and
    /// the title alone.
    pub title_line: Option<(usize, String)>,
}

/// Look for a web print in `lines` (a file's lines in order): a breadcrumb
/// or at least two metadata lines near the top. The lines above the
/// document's title (the first title-like line after the table, or the
/// table's title repeated), the tool bar, and the footer from its first
/// line on are chrome.
pub fn find(lines: &[&str], title_like: impl Fn(&str) -> bool) -> Option<WebPrint> {
    let head = lines.len().min(60);
    let crumb = lines[..head].iter().position(|l| BREADCRUMB.is_match(l.trim()));
    let table: Vec<usize> = (0..head).filter(|&i| table_line(lines[i])).collect();
    if crumb.is_none() && table.len() < 2 {
        return None;
    }
    let mut m = WebMetadata::default();
    for &i in &table {
        for (k, v) in pairs(lines[i]) {
            if v.is_empty() {
                continue;
            }
            let date = crate::dates::find_dates(&v).first().map(|(_, d)| *d);
            match k.as_str() {
                "发文机关" | "发布机构" => m.issuer = m.issuer.or(Some(v)),
                "标题" => m.title = m.title.or(Some(crate::text::normalize_title(&v))),
                "发文字号" | "文号" => m.doc_number = m.doc_number.or(DocNumber::parse(&v)),
                "成文日期" => m.signed = m.signed.or(date),
                "发布日期" => m.published = m.published.or(date),
                "效力状态" | "有效性" => m.validity = m.validity.or(Some(v)),
                _ => {}
            }
        }
    }
    // The body opens with the title after the table (or the breadcrumb).
    let after = table.last().copied().into_iter().chain(crumb).max().map_or(0, |i| i + 1);
    let own_title = m.title.clone();
    let start = (after..lines.len()).find(|&i| {
        let t = crate::text::normalize_title(lines[i]);
        own_title.as_deref().is_some_and(|o| t.ends_with(o)) || title_like(lines[i])
    })?;
    let title_line = own_title.filter(|o| {
        let t = crate::text::normalize_title(lines[start]);
        t.ends_with(o.as_str()) && t != *o
    });
    let title_line = title_line.map(|t| (start, t));
    let mut chrome = vec![false; lines.len()];
    for c in chrome.iter_mut().take(start) {
        *c = true;
    }
    for (i, l) in lines.iter().enumerate().skip(start) {
        if TOOL_BAR.is_match(l) {
            chrome[i] = true;
        }
    }
    if let Some(f) = (start + 1..lines.len()).find(|&i| FOOTER.is_match(lines[i])) {
        for c in chrome.iter_mut().skip(f) {
            *c = true;
        }
    }
    Some(WebPrint { metadata: m, chrome, title_line })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chrome_and_metadata_of_a_printed_page() {
        let page = "2025年10月15日 星期三 无障碍浏览 | 网站支持IPV6\n请输入关键字\n当前位置： 首页 > 政府信息公开 > 政策文件\n发文机关：某市发展和改革委员会 效力状态：有效\n标 题：某市发展和改革委员会关于某事项的通知\n发文字号：某发改规〔2025〕4号 发布日期：2025年10月11日\n某市发展和改革委员会关于某事项的通知\n发布时间：2025-10-11 11:33【字体：大 中 小】 打印 浏览量：4360\n市直各相关单位：\n现就有关事项通知如下。\n2025年10月11日\n相关链接：《关于某事项的通知》政策解读\n网站地图\n主办单位：某市发展和改革委员会";
        let lines: Vec<&str> = page.lines().collect();
        let w = find(&lines, |l| l.ends_with("的通知")).unwrap();
        assert_eq!(w.metadata.doc_number.unwrap().to_string(), "某发改规〔2025〕4号");
        assert_eq!(w.metadata.issuer.as_deref(), Some("某市发展和改革委员会"));
        assert_eq!(w.metadata.published, NaiveDate::from_ymd_opt(2025, 10, 11));
        assert_eq!(w.metadata.validity.as_deref(), Some("有效"));
        let kept: Vec<&str> = lines.iter().zip(&w.chrome).filter(|(_, c)| !**c).map(|(l, _)| *l).collect();
        assert_eq!(kept, ["某市发展和改革委员会关于某事项的通知", "市直各相关单位：", "现就有关事项通知如下。", "2025年10月11日"]);
    }

    #[test]
    fn a_document_is_no_web_page() {
        let lines = ["某县人民政府关于某事项的通知", "各乡镇：", "标题应当简明。", "2024年1月1日"];
        assert!(find(&lines, |l| l.ends_with("通知")).is_none());
    }
}
