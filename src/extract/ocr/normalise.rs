//! Repairs for what OCR does to 公文 text: one OCR'd line in, the line our
//! parsers expect out. Each repair is a small function with its own tests;
//! each fires only where the printed text cannot have meant what OCR read,
//! so a correct line passes through unchanged.
//!
//! | OCR read                  | repaired                 | repair            |
//! |---------------------------|--------------------------|-------------------|
//! | `青政办发【2024] 51号`     | `青政办发〔2024〕51号`    | [`docnum_brackets`] |
//! | `晋政办发 (2020 86号`      | `晋政办发〔2020〕86号`    | [`docnum_brackets`] |
//! | `天健函2016) 306号`        | `天健函〔2016〕306号`     | [`docnum_brackets`] |
//! | `4 .提高`, `（ 一 ）`       | `4.提高`, `（一）`         | [`spaces`]        |
//! | `二O二四年`, `二0二三年`    | `二〇二四年`, `二〇二三年`  | [`zeros`]         |
//! | `县直各单位:`              | `县直各单位：`            | [`colons`]        |
//! | `”建设“一区三园”`          | `“建设“一区三园”`          | [`quotes`]        |
//! | `目公布之日起施行`          | `自公布之日起施行`         | [`zi`]            |
//! | `和 青政办函〔2024〕15号`   | `青政办函〔2024〕15号`     | [`stray_before_docnum`] |
//! | `2024年7月5户` (a line)     | `2024年7月5日`            | [`date_line_day`] |
//! | `2024年9月185` (a line)     | `2024年9月18日`           | [`date_line_day`] |

use crate::extract::is_han;
use regex::Regex;
use std::sync::LazyLock;

/// Apply every repair to one line.
pub fn line(s: &str) -> String {
    // Full-width digits first (`２016`): the repairs read ASCII ones.
    let s = crate::text::codepoints::fold(s.trim());
    let s = docnum_brackets(&s);
    let s = stray_before_docnum(&s);
    let s = spaces(&s);
    let s = quotes(&s);
    let s = zeros(&s);
    let s = colons(&s);
    let s = date_line_day(&s);
    zi(&s)
}

/// A line that is a date but for its last character: `2024年7月5户`,
/// `2024年7月16目` (日 under a seal, or speckled).
static DATE_LINE_LAST: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(?P<date>(?:19|20)\d{2}年(?:1[0-2]|0?[1-9])月(?:3[01]|[12]\d|0?[1-9]))[\p{Han}&&[^日]]$").unwrap());

/// …or whose 日 was read as a digit, making a day no month has:
/// `2024年9月185`, `2024年7月165`.
static DATE_LINE_DIGIT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(?P<date>(?:19|20)\d{2}年(?:1[0-2]|0?[1-9])月(?P<day>\d{2,3}))(?P<last>\d)$").unwrap());

/// A 成文日期 stands alone on its line and ends in 日 (GB/T 9704-2012
/// §7.3.5.1: `2012年7月1日`); a line that reads as one up to a last Han
/// character that is not 日 is one, and so is one whose last digit makes
/// the day impossible (32 and more) when the digits before it are a day.
/// A last digit that may be one (`2024年7月15`: 15? 1日?) is left to the
/// whitelist re-read.
pub fn date_line_day(s: &str) -> String {
    // Two digits or more before the last: with it the day has three.
    if let Some(c) = DATE_LINE_DIGIT.captures(s) {
        let day: u32 = c["day"].parse().unwrap_or(0);
        if (10..=31).contains(&day) {
            return format!("{}日", &c["date"]);
        }
    }
    DATE_LINE_LAST.replace(s, "${date}日").into_owned()
}

/// A 文号 whose brackets OCR misread: `青政办发【2024] 51号`, `青政发 (2024] 74号`,
/// `国办发 【2019] 57号`, `晋政办发 (2020 86号` (closing bracket lost: the
/// space still separates year and number).
static DOCNUM_BRACKETS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?P<pre>\p{Han})[ \t\u{3000}]*[〔\[［【（(〖〈「{]{1,2}[ \t\u{3000}]*(?P<year>(?:19|20)\d{2})(?:[ \t\u{3000}]*[〕\]］】）)〗〉」}|lI]{1,2}[ \t\u{3000}]*|[ \t\u{3000}]+)(?P<seq>\d{1,5})[ \t\u{3000}]*号",
    )
    .unwrap()
});

/// …or whose opening bracket OCR lost altogether: `天健函2016) 306号`.
static DOCNUM_OPEN_LOST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?P<pre>\p{Han})[ \t\u{3000}]*(?P<year>(?:19|20)\d{2})[ \t\u{3000}]*[〕\]］】）)〗][ \t\u{3000}]*(?P<seq>\d{1,5})[ \t\u{3000}]*号").unwrap()
});

/// Print OCR'd 文号 brackets as the standard's 〔〕 (GB/T 9704-2012 §7.2.5).
pub fn docnum_brackets(s: &str) -> String {
    let s = DOCNUM_BRACKETS.replace_all(s, "${pre}〔${year}〕${seq}号");
    DOCNUM_OPEN_LOST.replace_all(&s, "${pre}〔${year}〕${seq}号").into_owned()
}

/// A 文号 standing alone on its line after a speck OCR read as one or two
/// characters, set apart by a wide gap: `和 青政办函〔2024〕15号`.
static STRAY_BEFORE_DOCNUM: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(?P<stray>\S{1,3})[ \t\u{3000}]+(?P<docnum>\p{Han}{2,14}〔(?:19|20)\d{2}〕\d{1,5}号)$").unwrap());

/// Drop the speck before a 文号 that has a line of its own (GB/T 9704-2012
/// §7.2.4 centres the 发文字号 on its line; nothing precedes it).
pub fn stray_before_docnum(s: &str) -> String {
    match STRAY_BEFORE_DOCNUM.captures(s) {
        // One character at most: two would be a word (根据 青政发…).
        Some(c) if c["stray"].chars().filter(|c| is_han(*c)).count() <= 1 => c["docnum"].to_string(),
        _ => s.to_string(),
    }
}

/// CJK punctuation, brackets and symbols (and the middle dot): spaces next
/// to them are never printed.
fn is_cjk_punct(c: char) -> bool {
    crate::extract::is_cjk_punct(c) || c == '·'
}

/// Remove the spaces OCR puts where print has none: next to CJK punctuation,
/// between a Han character and a digit, before `.,:;!?)]%` and after `([`.
/// Spaces between two Han characters stay (an article's inline heading,
/// `第五条 竞买规则`), as do spaces between Latin words.
pub fn spaces(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == ' ' || c == '\t' || c == '\u{3000}' {
            let start = i;
            while i < chars.len() && matches!(chars[i], ' ' | '\t' | '\u{3000}') {
                i += 1;
            }
            let before = start.checked_sub(1).map(|k| chars[k]);
            let after = chars.get(i).copied();
            let drop = match (before, after) {
                (Some(b), Some(a)) => {
                    is_cjk_punct(b)
                        || is_cjk_punct(a)
                        || (is_han(b) && a.is_ascii_digit())
                        || (b.is_ascii_digit() && is_han(a))
                        || matches!(a, '.' | ',' | ':' | ';' | '!' | '?' | ')' | ']' | '%')
                        || matches!(b, '(' | '[')
                        || (is_han(b) && matches!(a, '(' | '['))
                        || (matches!(b, ')' | ']' | ',' | ';' | ':') && is_han(a))
                }
                _ => true,
            };
            if !drop {
                out.push(' ');
            }
            continue;
        }
        out.push(c);
        i += 1;
    }
    out
}

/// A closing quote where only an opening one can stand: at the start of a
/// line (no line opens with a closing mark), after an opening bracket, a 、 or
/// a colon (`（”`, `、”`, `：”`). OCR reads “ as ” often. After 。 and ， a ”
/// may close (`……工作。”`) and stays.
pub fn quotes(s: &str) -> String {
    if !s.contains(['”', '’']) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut prev: Option<char> = None;
    for c in s.chars() {
        let opens = prev.is_none_or(|p| matches!(p, '（' | '(' | '《' | '〔' | '【' | '[' | '、' | '：' | ' ' | '“'));
        out.push(match c {
            '”' if opens => '“',
            '’' if opens => '‘',
            _ => c,
        });
        prev = Some(c);
    }
    out
}

fn is_chinese_digit(c: char) -> bool {
    matches!(c, '〇' | '零' | '一' | '二' | '三' | '四' | '五' | '六' | '七' | '八' | '九' | '十')
}

/// What OCR reads for 〇: Latin O and o, the digit 0, ○ (white circle),
/// their full-width forms, Cyrillic О, θ.
fn looks_like_zero(c: char) -> bool {
    matches!(c, 'O' | 'o' | '0' | '○' | 'Ｏ' | 'ｏ' | '０' | 'О' | 'о' | 'θ' | 'Q')
}

/// `二O二四年` → `二〇二四年`: a run of zero look-alikes between a Chinese
/// numeral and a Chinese numeral or 年 is 〇.
pub fn zeros(s: &str) -> String {
    if !s.chars().any(looks_like_zero) {
        return s.to_string();
    }
    let chars: Vec<char> = s.chars().collect();
    let mut out: Vec<char> = chars.clone();
    let mut i = 0;
    while i < chars.len() {
        if looks_like_zero(chars[i]) {
            let start = i;
            while i < chars.len() && looks_like_zero(chars[i]) {
                i += 1;
            }
            let before = start.checked_sub(1).map(|k| chars[k]);
            let after = chars.get(i).copied();
            if before.is_some_and(is_chinese_digit) && after.is_some_and(|a| is_chinese_digit(a) || a == '年') {
                for c in &mut out[start..i] {
                    *c = '〇';
                }
            }
            continue;
        }
        i += 1;
    }
    out.into_iter().collect()
}

/// `县直各单位:` → `县直各单位：`: an ASCII colon after a Han character or a
/// closing bracket, unless it stands between digits (`10:30`).
pub fn colons(s: &str) -> String {
    if !s.contains(':') {
        return s.to_string();
    }
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        let before = i.checked_sub(1).map(|k| chars[k]);
        let after = chars.get(i + 1).copied();
        let between_digits = before.is_some_and(|b| b.is_ascii_digit()) && after.is_some_and(|a| a.is_ascii_digit());
        if c == ':' && !between_digits && before.is_some_and(|b| is_han(b) || matches!(b, '）' | '〕' | '》' | '”' | ')')) {
            out.push('：');
        } else {
            out.push(c);
        }
    }
    out
}

/// 自 read as 目 where only 自 makes sense: `目公布之日起`, `目印发之日起`,
/// `本办法目2024年9月1日起施行`, `目即日起`, `目本通知印发之日起`.
static ZI: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?P<before>^|[^项题条科栏数节名书细要篇账纲剧盲醒注瞩眉耳面心满举夺触侧刺悦过纵极反头])目(?P<after>(?:公布|发布|印发|下发|颁布|施行|实施|执行)之日|即日起|本(?:通知|办法|规定|意见|决定|公告|通告|细则|方案|条例|规则|制度)(?:公布|发布|印发|下发|施行|实施)|(?:19|20)\d{2}[ ]*年[ ]*\d{1,2}[ ]*月(?:[ ]*\d{1,2}[ ]*日)?(?:零时)?起|[一二][〇零一二三四五六七八九]{3}年[一二三四五六七八九十]{1,2}月(?:[一二三四五六七八九十]{1,3}日)?(?:零时)?起)",
    )
    .unwrap()
});

/// Repair 目 → 自 in the sentences that fix when a document takes effect.
pub fn zi(s: &str) -> String {
    if !s.contains('目') {
        return s.to_string();
    }
    ZI.replace_all(s, "${before}自${after}").into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_date_line_ends_in_ri() {
        assert_eq!(date_line_day("2024年7月5户"), "2024年7月5日");
        assert_eq!(date_line_day("2024年12月16目"), "2024年12月16日");
        assert_eq!(date_line_day("2024年9月185"), "2024年9月18日");
        assert_eq!(date_line_day("2024年7月315"), "2024年7月31日");
        for s in [
            "2024年7月5日",
            "2024年7月份",
            "2024年7月1б",
            "截至2024年7月5户",
            "2024年7月5日起",
            "2024年7月15",
            "2024年7月325",
            "2024年7月055",
        ] {
            assert_eq!(date_line_day(s), s);
        }
    }

    #[test]
    fn docnum_brackets_as_ocr_reads_them() {
        for (ocr, want) in [
            ("青政办发【2024] 51号", "青政办发〔2024〕51号"),
            ("青政办发 (2024] 47号", "青政办发〔2024〕47号"),
            ("青政函 [2024] 51号.", "青政函〔2024〕51号."),
            ("( 章审管发【2023 ] 6号 )", "( 章审管发〔2023〕6号 )"),
            ("晋政办发 (2020 86号 ) 和", "晋政办发〔2020〕86号 ) 和"),
            ("阳政办发(2020 ] 10号 )", "阳政办发〔2020〕10号 )"),
            ("财资 (2020 ] 97号)", "财资〔2020〕97号)"),
            ("青政发〈2024」74号", "青政发〔2024〕74号"),
            ("青政办发【2024]】53号", "青政办发〔2024〕53号"),
            ("青政办函〔【2024]20号", "青政办函〔2024〕20号"),
            ("某某函2016) 306号", "某某函〔2016〕306号"),
        ] {
            assert_eq!(docnum_brackets(ocr), want, "{ocr}");
        }
    }

    #[test]
    fn docnum_brackets_leave_the_rest_alone() {
        for s in [
            "青政发〔2024〕74号",
            "（2024年）共5号楼",
            "(2024年9月1日)",
            "[2024]",
            "第(2024)号",
            "2024年第3期",
            // a year and a number glued together without a bracket or space: not ours to split
            "青政办发(202486号",
        ] {
            assert_eq!(docnum_brackets(s), s, "{s}");
        }
    }

    #[test]
    fn specks_before_a_docnum_line_go() {
        assert_eq!(stray_before_docnum("和 青政办函〔2024〕15号"), "青政办函〔2024〕15号");
        assert_eq!(line("和 青政办函【2024] 15号"), "青政办函〔2024〕15号");
        assert_eq!(line(".和 青政发(2024] 74号"), "青政发〔2024〕74号");
        // A 文号 inside a sentence, or after a word, stays where it is.
        assert_eq!(stray_before_docnum("根据 青政发〔2024〕74号"), "根据 青政发〔2024〕74号");
        assert_eq!(stray_before_docnum("和 青政发〔2024〕74号文件"), "和 青政发〔2024〕74号文件");
    }

    #[test]
    fn spaces_go_where_print_has_none() {
        assert_eq!(spaces("4 .提高医院病房配置标准 , 推动"), "4.提高医院病房配置标准,推动");
        assert_eq!(spaces("( 十二 ) 卫健局"), "(十二)卫健局");
        assert_eq!(spaces("（ 一 ） 经开区管委会"), "（一）经开区管委会");
        assert_eq!(spaces("2024 年 8 月 20 日"), "2024年8月20日");
        assert_eq!(spaces("《 青县 》 的通知"), "《青县》的通知");
        assert_eq!(spaces("占比 50 %"), "占比50%");
        // Han–Han spaces and Latin words stay.
        assert_eq!(spaces("第五条 竞买规则"), "第五条 竞买规则");
        assert_eq!(spaces("YUXIAN RENMIN ZHENGFU"), "YUXIAN RENMIN ZHENGFU");
        assert_eq!(spaces("青县人民政府公报 2024年第3期"), "青县人民政府公报2024年第3期");
        assert_eq!(spaces("  前后  "), "前后");
    }

    #[test]
    fn quotes_that_can_only_open() {
        assert_eq!(quotes("”建设“互联网+”社区食堂"), "“建设“互联网+”社区食堂");
        assert_eq!(quotes("坚持“安全第一”、”质量优先"), "坚持“安全第一”、“质量优先");
        assert_eq!(quotes("他指出：”要抓好落实。”"), "他指出：“要抓好落实。”");
        assert_eq!(quotes("（”一区三园”）"), "（“一区三园”）");
        // closing quotes that close stay
        assert_eq!(quotes("“明厨亮灶”监督"), "“明厨亮灶”监督");
        assert_eq!(quotes("全链条”整治"), "全链条”整治");
    }

    #[test]
    fn zeros_in_chinese_numerals() {
        assert_eq!(zeros("二O二四年八月二十日"), "二〇二四年八月二十日");
        assert_eq!(zeros("二0二三年"), "二〇二三年");
        assert_eq!(zeros("二OO二年"), "二〇〇二年");
        assert_eq!(zeros("二○一O年"), "二〇一〇年");
        assert_eq!(zeros("二〇二四年"), "二〇二四年");
        // Latin letters and Arabic numbers stay.
        assert_eq!(zeros("2024年10月"), "2024年10月");
        assert_eq!(zeros("GONGBAO 二十"), "GONGBAO 二十");
        assert_eq!(zeros("O2O模式"), "O2O模式");
        assert_eq!(zeros("第一O条"), "第一O条");
    }

    #[test]
    fn colons_after_han() {
        assert_eq!(colons("各乡镇人民政府，县直各单位:"), "各乡镇人民政府，县直各单位：");
        assert_eq!(colons("附件:青县推进"), "附件：青县推进");
        assert_eq!(colons("10:30开会"), "10:30开会");
        assert_eq!(colons("http://x"), "http://x");
        assert_eq!(colons("（略）:"), "（略）：");
    }

    #[test]
    fn zi_in_validity_sentences() {
        assert_eq!(zi("本通知目公布之日起施行"), "本通知自公布之日起施行");
        assert_eq!(zi("目印发之日起实施，有效期两年"), "自印发之日起实施，有效期两年");
        assert_eq!(zi("本办法目2024年9月1日起施行"), "本办法自2024年9月1日起施行");
        assert_eq!(zi("目二〇二四年十月一日起施行"), "自二〇二四年十月一日起施行");
        assert_eq!(zi("目即日起至年底"), "自即日起至年底");
        assert_eq!(zi("目本通知印发之日起执行"), "自本通知印发之日起执行");
        // 目 that belongs where it is.
        for s in ["目前，全县", "重点项目2024年10月1日起开工", "目录", "项目公布之日", "题目", "目标任务"] {
            assert_eq!(zi(s), s);
        }
    }

    #[test]
    fn a_correct_line_is_unchanged() {
        for s in [
            "青县人民政府关于印发《关于推进社区食堂建设的实施意见》的通知",
            "青政发〔2024〕59号",
            "各乡镇人民政府，县直有关单位：",
            "本通知自印发之日起施行，有效期至2026年12月31日。",
            "第五条 竞买规则 农村集体经营性建设用地",
            "（一）建设要求",
            "2024年8月20日",
        ] {
            assert_eq!(line(s), s, "{s}");
        }
    }
}
