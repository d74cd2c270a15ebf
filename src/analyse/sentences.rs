//! Sentences of a document, with their byte ranges, and the masking of
//! cited titles (keywords inside 《…》 do not count).

use regex::Regex;
use std::ops::Range;
use std::sync::LazyLock;

/// A sentence of a document, with its byte range in the text.
#[derive(Debug, Clone)]
pub struct Sentence<'a> {
    pub text: &'a str,
    pub range: Range<usize>,
}

/// A label that opens a line: `第二十四条 `, `一、`, `（三）`, `1.`.
static LINE_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:第[一二三四五六七八九十百零〇\d]+条(?:之[一二三四五六七八九十]+)?[\s　]*|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[）)]|\d{1,2}[.．、])").unwrap()
});

/// Split text into sentences: at 。！？, and at a colon that ends a line.
/// A line's leading label is not part of its first sentence.
pub fn sentences(text: &str) -> Vec<Sentence<'_>> {
    let mut out = Vec::new();
    let mut line_start = 0;
    for line in text.split('\n') {
        let label = LINE_LABEL.find(line).map(|m| m.end()).unwrap_or(0);
        let mut s = line_start + label;
        let body = &text[s..line_start + line.len()];
        let mut offset = s;
        for (i, c) in body.char_indices() {
            let mut end = offset + i + c.len_utf8();
            if end <= s {
                continue;
            }
            let at_line_end = body[i + c.len_utf8()..].trim().is_empty();
            if matches!(c, '。' | '！' | '？') || (matches!(c, '：' | ':') && at_line_end) {
                // A closing quote or bracket after the stop belongs to the
                // sentence: `修改为：“…管理。”`.
                end += text[end..]
                    .chars()
                    .take_while(|c| matches!(c, '”' | '’' | '」' | '』' | '）' | ')'))
                    .map(char::len_utf8)
                    .sum::<usize>();
                push_sentence(text, s, end, &mut out);
                s = end;
            }
        }
        push_sentence(text, s, line_start + line.len(), &mut out);
        offset = line_start + line.len() + 1;
        line_start = offset;
    }
    out
}

fn push_sentence<'a>(text: &'a str, start: usize, end: usize, out: &mut Vec<Sentence<'a>>) {
    if start >= end {
        return;
    }
    let raw = &text[start..end];
    let lead = raw.len() - raw.trim_start().len();
    let t = raw.trim();
    if !t.is_empty() {
        out.push(Sentence { text: t, range: start + lead..start + lead + t.len() });
    }
}

/// The sentence with 《…》 contents blanked (same byte length), so that
/// keywords inside cited titles do not count.
pub(super) fn mask_titles(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut depth = 0;
    let mut own = false;
    for (i, c) in s.char_indices() {
        match c {
            // `本《通知》`, `本《实施意见》`: the document itself, not a cited
            // title: its 文种 stays readable, the brackets become spaces.
            '《' if depth == 0 && s[..i].ends_with('本') && s[i..].find('》').is_some_and(|j| j <= 6 * 3 + 3) => {
                own = true;
                out.push('\u{3000}');
            }
            '》' if own => {
                own = false;
                out.push('\u{3000}');
            }
            '《' => {
                depth += 1;
                out.push(c);
            }
            '》' => {
                depth = (depth - 1).max(0);
                out.push(c);
            }
            _ if depth > 0 => out.extend(std::iter::repeat_n('_', c.len_utf8())),
            _ => out.push(c),
        }
    }
    out
}
