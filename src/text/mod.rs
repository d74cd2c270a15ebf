//! Small text helpers shared by the stages: code points folded to the
//! characters they stand for, width folding for matching, display width,
//! Chinese numerals.

mod codepoint_table;
pub mod codepoints;

/// Fold full-width ASCII variants (ＡＢ１２，（）) to ASCII and the ideographic
/// space to a space. Used for *matching*; the text shown to users is kept.
pub fn fold_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        })
        .collect()
}

/// Width of a string in columns: wide (CJK, full-width) characters count 2.
pub fn display_width(s: &str) -> usize {
    s.chars().map(|c| if (c as u32) < 0x1100 { 1 } else { 2 }).sum()
}

/// Remove all whitespace.
pub fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Normalise a title or name as the truth file does: no whitespace, and
/// `( ) , : ;` in their full-width forms.
pub fn normalize_title(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '(' => '（',
            ')' => '）',
            ',' => '，',
            ':' => '：',
            ';' => '；',
            _ => c,
        })
        .collect()
}

/// The key a document is known by when cited by title alone: the title
/// normalised, with the inner brackets a citation prints (`〈…〉`, `<…>`)
/// read as 《…》. `《关于印发〈某某办法〉的通知》` and the title
/// `关于印发《某某办法》的通知` have one key.
pub fn title_key(s: &str) -> String {
    normalize_title(s.trim_matches(|c| c == '《' || c == '》'))
        .chars()
        .map(|c| match c {
            '〈' | '<' | '＜' => '《',
            '〉' | '>' | '＞' => '》',
            _ => c,
        })
        .collect()
}

/// The value of one Chinese digit; 〇, ○, 零, O and Latin/full-width 0 are zero.
pub fn cn_digit(c: char) -> Option<u32> {
    Some(match c {
        '〇' | '○' | '零' | 'O' | 'o' | 'Ｏ' | '０' | '0' | '◯' => 0,
        '一' | '壹' | '1' | '１' => 1,
        '二' | '两' | '贰' | '2' | '２' => 2,
        '三' | '叁' | '3' | '３' => 3,
        '四' | '肆' | '4' | '４' => 4,
        '五' | '伍' | '5' | '５' => 5,
        '六' | '陆' | '6' | '６' => 6,
        '七' | '柒' | '7' | '７' => 7,
        '八' | '捌' | '8' | '８' => 8,
        '九' | '玖' | '9' | '９' => 9,
        _ => return None,
    })
}

/// Parse a number written in Chinese numerals (三十二, 一百零五, 二〇二四) or
/// digits (32, ３２). A run of digit characters without units is read
/// positionally (二〇二四 = 2024).
pub fn parse_cn_number(s: &str) -> Option<u32> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    let has_unit = s.chars().any(|c| matches!(c, '十' | '拾' | '百' | '佰' | '千' | '仟' | '万'));
    if !has_unit {
        let mut v: u32 = 0;
        for c in s.chars() {
            v = v.checked_mul(10)?.checked_add(cn_digit(c)?)?;
        }
        return Some(v);
    }
    let mut total: u32 = 0;
    let mut section: u32 = 0;
    let mut digit: Option<u32> = None;
    for c in s.chars() {
        let unit = match c {
            '十' | '拾' => 10,
            '百' | '佰' => 100,
            '千' | '仟' => 1000,
            '万' => 10000,
            _ => {
                digit = Some(cn_digit(c)?);
                continue;
            }
        };
        if unit == 10000 {
            section += digit.take().unwrap_or(0);
            total += section * 10000;
            section = 0;
        } else {
            section += digit.take().unwrap_or(1) * unit;
        }
    }
    Some(total + section + digit.unwrap_or(0))
}

/// Write a number in Chinese numerals as used in labels (第二十一条).
pub fn to_cn_number(n: u32) -> String {
    const D: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    if n < 10 {
        return D[n as usize].to_string();
    }
    if n < 20 {
        return format!("十{}", if n % 10 == 0 { "" } else { D[(n % 10) as usize] });
    }
    if n < 100 {
        return format!("{}十{}", D[(n / 10) as usize], if n % 10 == 0 { "" } else { D[(n % 10) as usize] });
    }
    if n < 1000 {
        let rest = n % 100;
        let tail = if rest == 0 {
            String::new()
        } else if rest < 10 {
            format!("零{}", D[rest as usize])
        } else {
            let t = to_cn_number(rest);
            if rest < 20 {
                format!("一{t}")
            } else {
                t
            }
        };
        return format!("{}百{}", D[(n / 100) as usize], tail);
    }
    n.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert_eq!(parse_cn_number("三十二"), Some(32));
        assert_eq!(parse_cn_number("十五"), Some(15));
        assert_eq!(parse_cn_number("一百零五"), Some(105));
        assert_eq!(parse_cn_number("二〇二四"), Some(2024));
        assert_eq!(parse_cn_number("二○二四"), Some(2024));
        assert_eq!(parse_cn_number("二OO二"), Some(2002));
        assert_eq!(parse_cn_number("二零二四"), Some(2024));
        assert_eq!(parse_cn_number("２０"), Some(20));
        assert_eq!(parse_cn_number("x"), None);
        for n in 1..400 {
            assert_eq!(parse_cn_number(&to_cn_number(n)), Some(n), "{n}");
        }
        assert_eq!(to_cn_number(21), "二十一");
        assert_eq!(to_cn_number(110), "一百一十");
    }

    #[test]
    fn title_keys() {
        assert_eq!(title_key("关于印发<某区某某办法>的通知"), title_key("关于印发《某区某某办法》的通知"));
        assert_eq!(title_key("《某某 办法 (试行)》"), "某某办法（试行）");
    }

    #[test]
    fn folding() {
        assert_eq!(fold_width("（１２）"), "(12)");
        assert_eq!(normalize_title("关于 (试行) 的通知"), "关于（试行）的通知");
    }
}
