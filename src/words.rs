//! **words**: a term of a query in, the words it is searched by out.
//!
//! A term typed without quotes (`吊销资格证`) is matched as a whole and by
//! its words, so that a text that says the same thing in another order
//! (`吊销专利代理师资格证`) is still found:
//!
//! * the words are jieba's segmentation (default dictionary and gongbao's
//!   `dictionaries/`), where a run of single characters jieba does not know
//!   stays one word (`雨|污|混|接` → `雨污混接`, `外|摆` → `外摆`) and a lone
//!   character beside longer words is dropped (`公|租房` → `租房`: 公 alone
//!   would match every text);
//! * a number with its unit matches in Arabic and in Chinese numerals
//!   (`6年` = `六年`, `五千元` = `5000元`, `15日` = `十五日` = `15天`) and,
//!   when the number is long enough to mean something alone, without its
//!   unit (`21.75天` → `21.75`, `183天` → `183`);
//! * a word that people and 法规 say differently (`遛狗`, `携犬出户`;
//!   `违法建筑`, `违法建设`) matches every word of its group in
//!   `dictionaries/synonyms.txt`;
//! * every form is matched through the per-character field, so a word the
//!   dictionary does not know is still a phrase of characters.

use crate::text::{parse_cn_number, to_cn_number};
use crate::tokenizer::{fold_char, indexed};
use regex::Regex;
use std::collections::HashMap;
use std::sync::LazyLock;

/// The groups of `dictionaries/synonyms.txt`, embedded at build time.
pub const SYNONYMS_TXT: &str = include_str!("../dictionaries/synonyms.txt");

/// Each word of a synonym group → the other words of its groups.
static SYNONYMS: LazyLock<HashMap<String, Vec<String>>> = LazyLock::new(|| {
    let mut map: HashMap<String, Vec<String>> = HashMap::new();
    for line in SYNONYMS_TXT.lines().map(|l| l.split('#').next().unwrap_or("").trim()).filter(|l| !l.is_empty()) {
        let group: Vec<&str> = line.split_whitespace().collect();
        for w in &group {
            let others = map.entry(w.to_string()).or_default();
            for o in &group {
                if o != w && !others.iter().any(|x| x == o) {
                    others.push(o.to_string());
                }
            }
        }
    }
    map
});

/// The words a word's synonym groups give it (none for most words).
pub fn synonyms(word: &str) -> &'static [String] {
    SYNONYMS.get(word).map(Vec::as_slice).unwrap_or(&[])
}

/// A word with its synonyms as further forms.
fn word_with_synonyms(w: String) -> Word {
    let mut forms = vec![w];
    forms.extend(synonyms(&forms[0]).iter().cloned());
    Word { forms, number: false }
}

/// One word of a term: found when any of its forms occurs.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Word {
    /// The word as typed (or as segmented), then its variants.
    pub forms: Vec<String>,
    /// A number with its unit: matched only where no other numeral stands
    /// beside it (`5年` is not in `2025年`).
    pub number: bool,
}

/// A term and the words it is searched by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TermWords {
    /// The term as a whole, with its number variants (`每日工作8小时`,
    /// `每日工作八小时`).
    pub whole: Vec<String>,
    /// Its words; one word equal to the whole when it does not split.
    pub words: Vec<Word>,
}

impl TermWords {
    /// Does the term split into several words?
    pub fn splits(&self) -> bool {
        self.words.len() > 1
    }
}

/// A number with its unit, as in `21.75天`, `五千元以上`, `6年`, `十五日内`,
/// `三百年`, `每周40小时`.
static NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千万]+)(个月|小时|分钟|平方米|立方米|公里|万元|元|天|日|年|周|人|次|倍|米|%|％)",
    )
    .unwrap()
});

/// Chinese numerals for an amount up to 99,999,999 (`5000` → `五千`, `30000` → `三万`).
fn cn_amount(v: u32) -> String {
    fn below_10000(x: u32) -> String {
        if x < 1000 {
            return to_cn_number(x);
        }
        let rest = x % 1000;
        let tail = match rest {
            0 => String::new(),
            r if r < 100 => format!("零{}", to_cn_number(r)),
            r => to_cn_number(r),
        };
        format!("{}千{tail}", to_cn_number(x / 1000))
    }
    if v < 10000 {
        return below_10000(v);
    }
    let rest = v % 10000;
    let tail = match rest {
        0 => String::new(),
        r if r < 1000 => format!("零{}", below_10000(r)),
        r => below_10000(r),
    };
    format!("{}万{tail}", below_10000(v / 10000))
}

/// The forms of a number with its unit, the typed one first.
fn number_forms(number: &str, unit: &str) -> Vec<String> {
    let mut out = vec![format!("{number}{unit}")];
    let mut push = |s: String| {
        if !out.contains(&s) {
            out.push(s);
        }
    };
    let arabic = number.chars().all(|c| c.is_ascii_digit() || c == '.');
    let units: Vec<&str> = match unit {
        "天" => vec!["天", "日"],
        "日" => vec!["日", "天"],
        "％" => vec!["%"],
        u => vec![u],
    };
    if arabic {
        for u in &units {
            push(format!("{number}{u}"));
        }
        if let Ok(v) = number.parse::<u32>() {
            for u in &units {
                push(format!("{v}{u}"));
                push(format!("{}{u}", cn_amount(v)));
                if v == 2 {
                    push(format!("两{u}"));
                }
                if v >= 10000 && v % 10000 == 0 {
                    push(format!("{}万{u}", v / 10000));
                }
            }
        }
        // A long number means something alone (21.75, 183), a short one does not (6).
        if number.chars().filter(|c| c.is_ascii_digit()).count() >= 3 {
            push(number.to_string());
        }
    } else if let Some(v) = parse_cn_number(number) {
        for u in &units {
            push(format!("{number}{u}"));
            push(format!("{v}{u}"));
            push(format!("{}{u}", cn_amount(v)));
            if v >= 10000 && v % 10000 == 0 {
                push(format!("{}万{u}", v / 10000));
            }
        }
    }
    out
}

/// Does this jieba token carry anything the index keeps?
fn keeps(t: &str) -> bool {
    t.chars().any(indexed)
}

/// Segment a stretch of a term without numbers: jieba's words, runs of
/// single characters joined, a lone character beside longer words dropped.
fn segment(text: &str, out: &mut Vec<Word>) {
    // A stretch that is itself in a synonym group is one word.
    if !synonyms(text.trim()).is_empty() {
        out.push(word_with_synonyms(text.trim().to_string()));
        return;
    }
    let toks: Vec<&str> = crate::tokenizer::cut(text).into_iter().filter(|w| keeps(w)).collect();
    let single = |t: &str| t.chars().filter(|c| indexed(*c)).count() == 1;
    let mut words: Vec<String> = Vec::new();
    let mut run = String::new();
    let mut run_len = 0;
    for t in &toks {
        if single(t) {
            run.push_str(t);
            run_len += 1;
            continue;
        }
        if run_len >= 2 {
            words.push(std::mem::take(&mut run));
        }
        run.clear();
        run_len = 0;
        words.push(t.to_string());
    }
    if run_len >= 2 || (run_len == 1 && words.is_empty()) {
        words.push(run);
    }
    out.extend(words.into_iter().map(word_with_synonyms));
}

/// The words of an unquoted term.
pub fn term_words(term: &str) -> TermWords {
    let mut words: Vec<Word> = Vec::new();
    // Stretches of the term: text, number-with-unit, text…
    let mut wholes: Vec<String> = vec![String::new()];
    let mut at = 0;
    for c in NUMBER.captures_iter(term) {
        let m = c.get(0).expect("match");
        let numeral = &c[1];
        if !numeral.chars().any(|ch| ch.is_ascii_digit()) {
            // 万元 is a unit, not a number; a one-character numeral is a
            // number only at the end of the term (六年, 一次), not inside a
            // word (一次性, 一年级).
            let lone = numeral.chars().count() == 1;
            if numeral.chars().all(|ch| matches!(ch, '万' | '千' | '百')) || (lone && m.end() < term.len()) {
                continue;
            }
        }
        if m.start() < at {
            continue;
        }
        segment(&term[at..m.start()], &mut words);
        let forms = number_forms(numeral, &c[2]);
        for w in wholes.iter_mut() {
            w.push_str(&term[at..m.start()]);
        }
        // The whole term with each number form (a few, not every combination).
        let mut next: Vec<String> = Vec::new();
        for w in &wholes {
            for f in forms.iter().filter(|f| f.ends_with(&c[2]) || f.ends_with(['天', '日', '%'])).take(3) {
                next.push(format!("{w}{f}"));
            }
        }
        next.truncate(6);
        wholes = next;
        words.push(Word { forms, number: true });
        at = m.end();
    }
    segment(&term[at..], &mut words);
    for w in wholes.iter_mut() {
        w.push_str(&term[at..]);
    }
    let mut whole: Vec<String> = Vec::new();
    for w in wholes {
        if !whole.contains(&w) {
            whole.push(w);
        }
    }
    if words.is_empty() {
        words.push(Word { forms: whole.clone(), number: false });
    }
    // A term that is one word is that word.
    if words.len() == 1 && key(&words[0].forms[0]) == key(term) {
        for w in &whole {
            if !words[0].forms.contains(w) {
                words[0].forms.push(w.clone());
            }
        }
        whole = words[0].forms.clone();
    }
    TermWords { whole, words }
}

/// The characters of `s` the index keeps, folded: what a form is matched by.
pub fn key(s: &str) -> Vec<String> {
    s.chars().filter(|c| indexed(*c)).map(|c| fold_char(c).to_string()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(t: &str) -> Vec<Vec<String>> {
        term_words(t).words.into_iter().map(|w| w.forms).collect()
    }

    #[test]
    fn terms_split_into_words() {
        let t = term_words("吊销资格证");
        assert_eq!(t.whole, ["吊销资格证"]);
        assert_eq!(words("吊销资格证"), [vec!["吊销"], vec!["资格证"]]);
        // Unknown runs of single characters stay together; a lone one goes.
        assert!(words("雨污混接").iter().any(|w| w[0].contains("雨污")), "{:?}", words("雨污混接"));
        assert!(!words("公租房").iter().any(|w| w[0] == "公"), "{:?}", words("公租房"));
        // One word is the whole term.
        assert_eq!(words("社区食堂"), [vec!["社区食堂"]]);
        assert!(!term_words("社区食堂").splits());
    }

    #[test]
    fn words_find_their_synonyms() {
        let w = words("遛狗");
        assert!(w.len() == 1 && w[0].contains(&"携犬出户".to_string()), "{w:?}");
        let w = words("违法建筑");
        assert!(w.len() == 1 && w[0].contains(&"违法建设".to_string()), "{w:?}");
        // inside a longer term too (the group's words are jieba words)
        let w = words("违法建筑限期拆除");
        assert!(w.iter().any(|f| f.contains(&"违法建设".to_string())), "{w:?}");
        // a word in two groups has both groups' words
        assert!(synonyms("不动产权证书").iter().any(|s| s == "房产证") && synonyms("不动产权证书").iter().any(|s| s == "土地证"));
        assert!(synonyms("通知").is_empty());
    }

    #[test]
    fn numbers_in_both_numerals_with_and_without_units() {
        let w = words("21.75天");
        assert_eq!(w.len(), 1);
        assert!(w[0].contains(&"21.75".to_string()) && w[0].contains(&"21.75日".to_string()), "{w:?}");
        let w = words("2年");
        assert!(w[0].contains(&"两年".to_string()) && w[0].contains(&"二年".to_string()), "{w:?}");
        let w = words("6年");
        assert!(w[0].contains(&"六年".to_string()) && !w[0].contains(&"6".to_string()), "{w:?}");
        let w = words("五千元以上");
        assert!(w[0].contains(&"5000元".to_string()), "{w:?}");
        let w = words("三万元");
        assert!(w[0].contains(&"30000元".to_string()) && w[0].contains(&"3万元".to_string()), "{w:?}");
        let w = words("十五日");
        assert!(w[0].contains(&"15日".to_string()) && w[0].contains(&"15天".to_string()), "{w:?}");
        let w = words("183天");
        assert!(w[0].contains(&"183".to_string()), "{w:?}");
        assert_eq!(cn_amount(5000), "五千");
        assert_eq!(cn_amount(30000), "三万");
        assert_eq!(cn_amount(1500), "一千五百");
        // A number inside a longer term: the whole term in both numerals.
        let t = term_words("每日工作8小时");
        assert!(t.whole.contains(&"每日工作八小时".to_string()), "{:?}", t.whole);
        // 一级, 三农 and 一次性 are not numbers with units.
        assert_eq!(words("三农"), [vec!["三农"]]);
        assert!(words("一次性伤残补助金").iter().all(|w| !w.contains(&"1次".to_string())), "{:?}", words("一次性伤残补助金"));
    }
}
