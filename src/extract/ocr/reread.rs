//! Second readings of the lines that decide a document's identity: an OCR'd
//! line that may be a 文号 or a signing date, read with low confidence, in;
//! the same line read again with a character whitelist out — digits,
//! brackets, 号, 年月日, Chinese numerals and the characters of the issue's
//! 机关代字 — kept only when it parses where the first reading did not.
//!
//! `(2024]全号` read with digits only is `(2024]5号`; normalisation then
//! makes it `〔2024〕5号`. A line that already parses, or reads no better
//! with the whitelist, stays as it was.

use regex::Regex;
use std::collections::BTreeSet;
use std::sync::LazyLock;

/// PP-OCR confidence (0–1) under which a candidate line is read again.
pub const PPOCR_LOW: f32 = 0.97;
/// Tesseract confidence (0–100) under which a candidate line is read again.
pub const TESSERACT_LOW: f32 = 90.0;

/// A line that may be a 文号: a short run of Han characters, a year, a
/// number, whatever OCR made of the brackets and 号: `青政办发(2024]全号`,
/// `青政函 [2O24] 51号`, `南住建函〔2025〕671 号`.
static DOCNUM_LIKE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\S{0,2}?\p{Han}{1,12}\s*\S{0,2}\s*[12][0-9Oo]{3}\s*\S{0,2}\s*\S{1,5}\s*\S?$").unwrap());

/// A line that may be a signing date: `2024年7月1б日`, `二〇二四年七月三日`.
static DATE_LIKE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^\S{0,2}?[0-9Oo〇零一二]\S{3,4}年\S{1,3}月\S{1,4}$").unwrap());

/// A 文号 as it must read after normalisation: `青政办发〔2024〕47号`.
static DOCNUM: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(\p{Han}{2,12})〔((?:19|20)\d{2})〕\d{1,5}号").unwrap());

/// A date as it must read after normalisation: `2024年7月16日`, `二〇二四年七月十六日`.
static DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:(?:19|20)\d{2}年(?:[1-9]|1[0-2])月(?:[1-9]|[12]\d|3[01])日|[一二][〇一二三四五六七八九]{3}年[一二三四五六七八九十]{1,2}月[一二三四五六七八九十]{1,3}日)$").unwrap()
});

/// Might this line be a 文号 or a date (and so deserve its CTC candidates)?
pub fn wants_steps(text: &str) -> bool {
    let t = text.trim();
    t.chars().count() <= 24 && (DOCNUM_LIKE.is_match(t) || DATE_LIKE.is_match(t))
}

/// Does the line, once normalised, hold a well-formed 文号 or date?
pub fn parses(normalised: &str) -> bool {
    DOCNUM.is_match(normalised) || DATE.is_match(normalised.trim())
}

/// The 机关代字 characters of the confident 文号 in `lines` (already
/// normalised): `青政办发〔2024〕47号` gives 青政办发.
pub fn prefix_chars<'a>(lines: impl IntoIterator<Item = &'a str>) -> BTreeSet<char> {
    let mut out = BTreeSet::new();
    for l in lines {
        for c in DOCNUM.captures_iter(l) {
            out.extend(c[1].chars());
        }
    }
    out
}

/// The whitelist for a line: digits, the brackets OCR may read, 号, 年月日,
/// Chinese numerals, the issue's 机关代字 and the Han characters this line
/// itself reads before its first digit (its own 机关代字, as far as it goes).
pub fn whitelist(line: &str, issue_prefixes: &BTreeSet<char>) -> BTreeSet<char> {
    let mut w: BTreeSet<char> = "0123456789〔〕[]［］【】()（）号年月日〇一二三四五六七八九十".chars().collect();
    w.extend(issue_prefixes.iter().copied());
    w.extend(line.chars().take_while(|c| !c.is_ascii_digit()).filter(|c| crate::extract::is_han(*c)));
    w
}

/// Keep the second reading? Only when it parses and the first did not.
pub fn better(first_normalised: &str, second_normalised: &str) -> bool {
    !parses(first_normalised) && parses(second_normalised)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::ocr::normalise;

    #[test]
    fn candidates_are_short_docnum_or_date_shaped_lines() {
        for t in ["青政办发(2024]全号", "青政函 [2O24] 51号", "南住建函〔2025〕671 号", "2024年7月1б日", "二〇二四年七月三日"]
        {
            assert!(wants_steps(t), "{t}");
        }
        for t in ["各乡镇人民政府，县直各单位：", "本通知自2024年8月1日起施行，有效期两年。", "第五条 竞买规则"]
        {
            assert!(!wants_steps(t), "{t}");
        }
    }

    #[test]
    fn the_issue_prefixes_and_the_line_own_make_the_whitelist() {
        let p = prefix_chars(["青政办发〔2024〕47号", "正文", "青政函〔2024〕21号"]);
        assert_eq!(p.iter().collect::<String>(), "函办发政青");
        let w = whitelist("青政办发(2024]全号", &p);
        assert!(w.contains(&'5') && w.contains(&'〔') && w.contains(&'号') && w.contains(&'办'));
        assert!(!w.contains(&'全'));
    }

    #[test]
    fn a_second_reading_is_kept_only_when_it_parses() {
        let n = |s: &str| normalise::line(s);
        assert!(better(&n("青政办发(2024]全号"), &n("青政办发(2024]5号")));
        assert!(!better(&n("青政办发〔2024〕5号"), &n("青政办发〔2024〕6号")));
        assert!(!better(&n("青政办发(2024]全号"), &n("青政办发(2024]号")));
        assert!(better(&n("2024年7月1б日"), &n("2024年7月16日")));
        assert!(parses("二〇二四年七月三日"));
    }
}
