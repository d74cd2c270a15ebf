//! Dates as validity sentences write them (`2026年12月31日`, `二〇二五年年底`,
//! `2027年底`, `2025年2月底`, `2024年5月`), and date arithmetic.

use crate::text::parse_cn_number;
use chrono::{Months, NaiveDate};
use regex::Regex;
use std::ops::Range;
use std::sync::LazyLock;

pub(super) const NUM: &str = r"[0-9０-９〇○◯零OoＯ一二三四五六七八九十两]";

/// A date as validity sentences write it: `2026年12月31日`, `二〇二五年年底`,
/// `2027年底`, `2025年末`, `2025年2月底`, `2024年5月` (month only).
pub(super) static DATE_EXPR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?P<y>{NUM}{{4}})\s*年\s*(?:(?P<yend>年?底|年?末)|(?P<m>{NUM}{{1,2}})\s*月\s*(?:(?P<d>{NUM}{{1,3}})\s*[日号]|(?P<mend>底|末))?)"
    ))
    .unwrap()
});

/// A month without a year, after a dated start: `至10月`.
pub(super) static MONTH_ONLY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!(r"^\s*(?P<m>{NUM}{{1,2}})\s*月\s*(?:(?P<d>{NUM}{{1,3}})\s*[日号]|(?P<mend>底|末))?")).unwrap());

/// Which end of a period a month-only date stands for.
#[derive(Clone, Copy, PartialEq)]
pub(super) enum End {
    Start,
    Finish,
}

pub(super) fn last_day(y: i32, m: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, 1)?.checked_add_months(Months::new(1))?.pred_opt()
}

pub(super) fn date_from_caps(c: &regex::Captures, year: i32, end: End) -> Option<NaiveDate> {
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
pub(super) fn date_at(s: &str, at: usize, end: End) -> Option<(Range<usize>, NaiveDate)> {
    let c = DATE_EXPR.captures_at(s, at)?;
    let year = parse_cn_number(&c["y"])? as i32;
    Some((c.get(0)?.range(), date_from_caps(&c, year, end)?))
}

/// A date that must start exactly at `at` (after optional spaces).
pub(super) fn date_here(s: &str, at: usize, end: End) -> Option<(Range<usize>, NaiveDate)> {
    let (r, d) = date_at(s, at, end)?;
    s[at..r.start].trim().is_empty().then_some((r, d))
}

pub(super) fn add_years_minus_day(from: NaiveDate, years: u32) -> Option<NaiveDate> {
    from.checked_add_months(Months::new(12 * years))?.pred_opt()
}
