//! Dates written in Arabic or Chinese numerals: `2024年8月20日`,
//! `二〇二四年八月二十日`, `二○二四年八月二十日`, `二零二四年…`, `二OO二年…`.

use crate::text::parse_cn_number;
use chrono::NaiveDate;
use regex::Regex;
use std::ops::Range;
use std::sync::LazyLock;

/// Characters of a Chinese or Arabic numeral.
const NUM: &str = r"[0-9０-９〇○◯零OoＯ一二三四五六七八九十两]";

/// A full date: `2024年8月20日`, `二〇二四年八月二十日`, `2024 年 8 月 20 日`.
static DATE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!(r"(?P<y>{NUM}{{4}})\s*年\s*(?P<m>{NUM}{{1,3}})\s*月\s*(?P<d>{NUM}{{1,3}})\s*[日号]")).unwrap());

/// Parse the year, month and day parts of a date.
pub fn ymd(y: &str, m: &str, d: &str) -> Option<NaiveDate> {
    let y = parse_cn_number(y)? as i32;
    let m = parse_cn_number(m)?;
    let d = parse_cn_number(d)?;
    NaiveDate::from_ymd_opt(y, m, d)
}

/// Every full date in `text`, with its byte range.
pub fn find_dates(text: &str) -> Vec<(Range<usize>, NaiveDate)> {
    DATE.captures_iter(text).filter_map(|c| Some((c.get(0)?.range(), ymd(&c["y"], &c["m"], &c["d"])?))).collect()
}

/// If `line` is nothing but a date (a signature date line), that date.
pub fn date_line(line: &str) -> Option<NaiveDate> {
    let t = line.trim();
    let c = DATE.captures(t)?;
    let m = c.get(0)?;
    let rest = format!("{}{}", &t[..m.start()], &t[m.end()..]);
    rest.trim_matches(|c: char| c.is_whitespace() || matches!(c, '（' | '）' | '(' | ')'))
        .is_empty()
        .then(|| ymd(&c["y"], &c["m"], &c["d"]))
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_scripts() {
        let d = NaiveDate::from_ymd_opt(2024, 8, 20).unwrap();
        for s in [
            "2024年8月20日",
            "二〇二四年八月二十日",
            "二○二四年八月二十日",
            "二零二四年八月二十日",
            "2024 年 8 月 20 日",
            "二O二四年八月二十日",
            "２０２４年８月２０日",
        ] {
            assert_eq!(date_line(s), Some(d), "{s}");
        }
        assert_eq!(date_line("2024年13月20日"), None);
        assert_eq!(date_line("于2024年8月20日印发"), None);
        assert_eq!(find_dates("于2024年8月20日印发，2025年1月1日起施行").len(), 2);
    }
}
