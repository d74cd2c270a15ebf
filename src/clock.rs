//! **clock**: what day it is, for everything that depends on it — the
//! `expires` changes an ingest records, when it records them, and the status
//! `status`, the pages and the feed answer "today".
//!
//! In: the environment. Out: today's date and the current time. Both are the
//! machine's local clock unless `GONGBAO_TODAY` says otherwise: `YYYY-MM-DD`
//! (that day, at the current time of day) or an RFC 3339 time
//! (`2024-12-30T06:00:00+08:00`). Tests and a re-run of a missed night use it.

use chrono::{DateTime, FixedOffset, Local, NaiveDate};

/// The variable that sets today.
pub const TODAY_VAR: &str = "GONGBAO_TODAY";

/// `GONGBAO_TODAY` is set but is no date.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{TODAY_VAR}: '{0}' is neither a date (YYYY-MM-DD) nor an RFC 3339 time")]
pub struct BadToday(pub String);

/// Read a `GONGBAO_TODAY` value, `now` giving the time of day for a bare date.
pub fn parse_today(value: &str, now: DateTime<FixedOffset>) -> Result<DateTime<FixedOffset>, BadToday> {
    let v = value.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(v) {
        return Ok(t);
    }
    let day = NaiveDate::parse_from_str(v, "%Y-%m-%d").map_err(|_| BadToday(value.to_string()))?;
    day.and_time(now.time()).and_local_timezone(*now.offset()).single().ok_or_else(|| BadToday(value.to_string()))
}

/// Is `GONGBAO_TODAY` unset or readable? (`main` asks once, so that a typo
/// is an error rather than a silent fallback to the real date.)
pub fn check() -> Result<(), BadToday> {
    match std::env::var(TODAY_VAR) {
        Ok(v) if !v.trim().is_empty() => parse_today(&v, Local::now().fixed_offset()).map(|_| ()),
        _ => Ok(()),
    }
}

/// The current time, to the millisecond: `GONGBAO_TODAY` if set (and
/// readable), else the local clock.
pub fn now() -> DateTime<FixedOffset> {
    use chrono::SubsecRound;
    let real = Local::now().fixed_offset().trunc_subsecs(3);
    match std::env::var(TODAY_VAR) {
        Ok(v) if !v.trim().is_empty() => parse_today(&v, real).unwrap_or(real),
        _ => real,
    }
}

/// Today's date (see [`now`]).
pub fn today() -> NaiveDate {
    now().date_naive()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_date_keeps_the_time_of_day_and_a_time_is_taken_whole() {
        let now = DateTime::parse_from_rfc3339("2026-12-01T23:37:33+08:00").unwrap();
        let t = parse_today("2024-12-30", now).unwrap();
        assert_eq!(t.to_rfc3339(), "2024-12-30T23:37:33+08:00");
        let t = parse_today("2025-01-02T06:00:00+08:00", now).unwrap();
        assert_eq!(t.date_naive(), NaiveDate::from_ymd_opt(2025, 1, 2).unwrap());
        assert!(parse_today("30/12/2024", now).is_err());
        assert!(parse_today("2024-02-30", now).is_err());
    }
}
