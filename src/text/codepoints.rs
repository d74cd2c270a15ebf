//! Code points that fonts and converters emit instead of the characters
//! printed, folded to those characters in everything downstream (parsing,
//! matching and display):
//!
//! - Kangxi radicals and CJK radicals supplement: a browser print's Type3
//!   fonts map 文 to ⽂ (U+2F42), 门 to ⻔ (U+2ED4);
//! - CJK compatibility ideographs (U+F900–FAFF, U+2F800–2FA1F);
//! - full-width digits and Latin letters (`２０２１`, `ＣＪＪ １２－２０１３`),
//!   which Founder typesetting prints in dates and 文号.
//!
//! Chinese punctuation and the brackets of 文号 and titles (〔〕【】《》（）)
//! stay as printed. Table-driven: [`super::codepoint_table`] (tools/make_fold_table.py).

use super::codepoint_table::FOLD;

/// The character `c` stands for.
pub fn fold_char(c: char) -> char {
    match c {
        '０'..='９' | 'Ａ'..='Ｚ' | 'ａ'..='ｚ' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
        '\u{2e80}'..='\u{2fdf}' | '\u{f900}'..='\u{faff}' | '\u{2f800}'..='\u{2fa1f}' => {
            FOLD.binary_search_by_key(&c, |(k, _)| *k).map(|i| FOLD[i].1).unwrap_or(c)
        }
        _ => c,
    }
}

/// `s` with every such code point folded (borrowed when there is none).
pub fn fold(s: &str) -> std::borrow::Cow<'_, str> {
    if s.chars().all(|c| fold_char(c) == c) {
        std::borrow::Cow::Borrowed(s)
    } else {
        std::borrow::Cow::Owned(s.chars().map(fold_char).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_range() {
        // Kangxi radicals, the simplified reading where there is one.
        assert_eq!(fold("发⽂机关：南宁市发展和改⾰委员会"), "发文机关：南宁市发展和改革委员会");
        assert_eq!(fold("⼾籍"), "户籍");
        assert_eq!(fold("⾨⼝"), "门口");
        // Radicals supplement.
        assert_eq!(fold("⻔户 ⻓期 ⺠生"), "门户 长期 民生");
        // Compatibility ideographs.
        assert_eq!(fold_char('\u{f900}'), '\u{8c48}');
        assert_eq!(fold_char('\u{f907}'), '\u{9f9c}');
        // Full-width digits and letters, not punctuation.
        assert_eq!(fold("２０２１年６月１０日，ＣＪＪ １２－２０１３"), "2021年6月10日，CJJ 12－2013");
        assert_eq!(fold("〔２０２５〕４号【】《》（）"), "〔2025〕4号【】《》（）");
        // Every entry of the table folds to a unified ideograph or a component.
        for (k, v) in FOLD {
            assert_ne!(k, v);
            assert!(!('\u{2e80}'..='\u{2fdf}').contains(v), "{k} → {v}");
        }
        assert!(FOLD.windows(2).all(|w| w[0].0 < w[1].0), "table sorted");
    }
}
