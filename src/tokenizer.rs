//! Chinese tokenisation: the index's one token per character (any verbatim
//! substring is a phrase of them), and jieba, which splits a query's terms
//! into words (`crate::words`).
//!
//! The per-character tokenizer folds full-width characters and ASCII case,
//! and skips punctuation without consuming a position, so a phrase typed
//! with or without punctuation matches the same text. Register it with
//! [`register`] every time an index is opened: tantivy does not store
//! tokenizers in the index.
//!
//! jieba's dictionary (jieba's default one with gongbao's words, see
//! [`add_gongbao_words`]) is not built at run time: that takes 120 ms, more
//! than a whole search. Its words and frequencies are a sorted table
//! (`dictionaries/query_dict.txt`, embedded, read in place), and [`cut`]
//! cuts a text with a jieba that holds only words of the table found in the
//! texts it cut, with their frequencies and the table's total. jieba without
//! HMM takes the most probable route through the dictionary words of a text
//! (ln freq − ln total; a character it does not know counts 1), so that
//! jieba cuts the text exactly as the whole dictionary does (a test checks
//! it on every word of the table and on real text).

use jieba_rs::Jieba;
use std::sync::LazyLock;
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// Name of the per-character tokenizer.
pub const CHARS: &str = "gb_chars";

/// The user dictionaries of `dictionaries/`, embedded at build time.
const USER_DICTS: &[(&str, &str)] =
    &[("legal.txt", include_str!("../dictionaries/legal.txt")), ("derived.txt", include_str!("../dictionaries/derived.txt"))];

/// gongbao's words, added to `j` (jieba's default dictionary) in the order
/// the production dictionary takes them: the user dictionaries of
/// `dictionaries/` (an entry replaces the frequency of a word jieba knows),
/// then every word of a synonym group that jieba does not know yet, with the
/// frequency jieba suggests for it at that point (a term splits at it).
/// `set` is told each word whose frequency this sets, in order (a later
/// call for a word replaces an earlier one). `examples/make_query_dict.rs`
/// builds the table [`cut`] reads with it; nothing else in production does.
pub fn add_gongbao_words(j: &mut Jieba, mut set: impl FnMut(&str, usize)) -> Result<(), jieba_rs::Error> {
    for (_, text) in USER_DICTS {
        let cleaned: String =
            text.lines().map(|l| l.split('#').next().unwrap_or("").trim()).filter(|l| !l.is_empty()).collect::<Vec<_>>().join("\n");
        j.load_dict(&mut std::io::BufReader::new(cleaned.as_bytes()))?;
        // What `load_dict` read: `word [freq] [tag]`, no freq = 0.
        for line in cleaned.lines() {
            let mut it = line.split_whitespace();
            if let Some(w) = it.next() {
                set(w, it.next().and_then(|f| f.parse().ok()).unwrap_or(0));
            }
        }
    }
    // Every word of a synonym group is a word (a term splits at it).
    for line in crate::words::SYNONYMS_TXT.lines().map(|l| l.split('#').next().unwrap_or("")) {
        for w in line.split_whitespace().filter(|w| w.chars().count() >= 2) {
            if !j.has_word(w) {
                let f = j.add_word(w, None, None);
                set(w, f);
            }
        }
    }
    Ok(())
}

/// The production dictionary's words and frequencies, written by
/// `examples/make_query_dict.rs`: a header of lines starting `# ` (among
/// them `# total N`, the sum of the frequencies, and `# longest N`, the
/// longest word in characters), then one `word freq` a line, sorted by the
/// word's bytes.
const QUERY_DICT: &str = include_str!("../dictionaries/query_dict.txt");

/// [`QUERY_DICT`] as it is read: its lines after the header, and the header's figures.
struct Table {
    body: &'static str,
    total: usize,
    longest: usize,
}

static TABLE: LazyLock<Table> = LazyLock::new(|| {
    let (mut at, mut total, mut longest) = (0, 0, 0);
    for line in QUERY_DICT.split_inclusive('\n') {
        let Some(h) = line.strip_prefix("# ") else { break };
        at += line.len();
        let mut it = h.split_whitespace();
        match (it.next(), it.next().and_then(|n| n.parse().ok())) {
            (Some("total"), Some(n)) => total = n,
            (Some("longest"), Some(n)) => longest = n,
            _ => {}
        }
    }
    Table { body: &QUERY_DICT[at..], total, longest }
});

impl Table {
    /// The word of the line that starts at byte `at` of the body, its
    /// frequency, and where the next line starts.
    fn line(&self, at: usize) -> (&'static str, usize, usize) {
        let rest = &self.body[at..];
        let end = rest.find('\n').map(|i| i + 1).unwrap_or(rest.len());
        let line = rest[..end].trim_end_matches('\n');
        let (word, freq) = line.split_once(' ').unwrap_or((line, ""));
        (word, freq.parse().unwrap_or(0), at + end)
    }

    /// Look `word` up: its frequency if it is in the table, and whether any
    /// word of the table starts with it.
    fn lookup(&self, word: &str) -> (Option<usize>, bool) {
        let bytes = self.body.as_bytes();
        // The first line whose word is not less than `word`; `lo` is always
        // a line start.
        let (mut lo, mut hi) = (0, bytes.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            let start = bytes[lo..mid].iter().rposition(|&b| b == b'\n').map(|i| lo + i + 1).unwrap_or(lo);
            let (w, _, next) = self.line(start);
            if w < word {
                lo = next;
            } else {
                hi = start;
            }
        }
        if lo >= bytes.len() {
            return (None, false);
        }
        let (w, freq, _) = self.line(lo);
        ((w == word).then_some(freq), w.starts_with(word))
    }
}

/// A word jieba never meets in a text (no character of it is one jieba cuts
/// words of): it carries the rest of the table's total.
const NEVER_MET: &str = "\u{0}";

/// A jieba that holds the table's words of every text it learnt, with
/// their frequencies, and the table's total (the rest of it on
/// [`NEVER_MET`]): what it holds of the production dictionary is every
/// word of those texts, so it cuts each of them as the whole dictionary.
struct Learnt {
    jieba: Jieba,
    /// The frequencies of the words it holds, summed.
    sum: usize,
    words: usize,
}

/// Learnt words kept per thread before it starts over (a server's memory).
const MAX_LEARNT: usize = 100_000;

impl Learnt {
    fn new() -> Learnt {
        Learnt { jieba: Jieba::empty(), sum: 0, words: 0 }
    }

    /// Take in the table's words that occur in `text` (every substring up to
    /// the longest word, a start given up when no word begins so).
    fn learn(&mut self, text: &str) {
        let t = &*TABLE;
        let bounds: Vec<usize> = text.char_indices().map(|(i, _)| i).chain(std::iter::once(text.len())).collect();
        let n = bounds.len() - 1;
        for a in 0..n {
            for b in a + 1..=n.min(a + t.longest) {
                let w = &text[bounds[a]..bounds[b]];
                let (freq, more) = t.lookup(w);
                if let Some(f) = freq {
                    if !self.jieba.has_word(w) {
                        self.jieba.add_word(w, Some(f), None);
                        self.sum += f;
                        self.words += 1;
                    }
                }
                if !more {
                    break;
                }
            }
        }
        // `add_word` replaces the word's frequency and moves the total with it.
        self.jieba.add_word(NEVER_MET, Some(t.total.saturating_sub(self.sum)), None);
    }
}

/// The words jieba (without HMM) cuts `text` into with the production
/// dictionary. Each thread keeps the words of the texts it cut (looking a
/// new text's words up takes microseconds; building a jieba took 50).
pub fn cut(text: &str) -> Vec<&str> {
    thread_local! {
        static LEARNT: std::cell::RefCell<Learnt> = std::cell::RefCell::new(Learnt::new());
    }
    LEARNT.with(|l| {
        let mut l = l.borrow_mut();
        if l.words > MAX_LEARNT {
            *l = Learnt::new();
        }
        l.learn(text);
        l.jieba.cut(text, false).into_iter().map(|t| t.word).collect()
    })
}

/// Fold one character for matching: full-width → ASCII, ASCII lowercase.
/// (Han characters have no case; other scripts are kept as they are.)
pub fn fold_char(c: char) -> char {
    let c = match c {
        '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
        _ => c,
    };
    c.to_ascii_lowercase()
}

/// Fold a token for matching.
pub fn fold(s: &str) -> String {
    s.chars().map(fold_char).collect()
}

/// Is this character indexed (not whitespace or punctuation)?
pub fn indexed(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    if crate::extract::is_han(c) {
        return true;
    }
    // The punctuation of Chinese text, answered without Unicode's tables
    // (、。〃 〈〉《》「」『』【】〔〕 and fullwidth ！＂＃…／ ：；…＠).
    if matches!(c, '\u{3000}'..='\u{3003}' | '\u{3008}'..='\u{3011}' | '\u{3014}'..='\u{301f}' | '\u{ff01}'..='\u{ff0f}' | '\u{ff1a}'..='\u{ff20}' | '\u{2010}'..='\u{2027}')
    {
        return false;
    }
    c.is_alphanumeric()
}

/// Tokens precomputed, then streamed.
pub struct VecTokenStream {
    tokens: Vec<Token>,
    i: usize,
}

impl TokenStream for VecTokenStream {
    fn advance(&mut self) -> bool {
        if self.i < self.tokens.len() {
            self.i += 1;
            true
        } else {
            false
        }
    }
    fn token(&self) -> &Token {
        &self.tokens[self.i - 1]
    }
    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.i - 1]
    }
}

/// One token per indexed character: any verbatim substring is a phrase.
#[derive(Clone, Default)]
pub struct CharTokenizer;

impl CharTokenizer {
    pub fn tokens(text: &str) -> Vec<Token> {
        let mut out = Vec::new();
        for (i, c) in text.char_indices() {
            if !indexed(c) {
                continue;
            }
            out.push(Token {
                offset_from: i,
                offset_to: i + c.len_utf8(),
                position: out.len(),
                text: fold_char(c).to_string(),
                position_length: 1,
            });
        }
        out
    }
}

impl Tokenizer for CharTokenizer {
    type TokenStream<'a> = VecTokenStream;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecTokenStream {
        VecTokenStream { tokens: Self::tokens(text), i: 0 }
    }
}

/// Register the index's tokenizer (the per-character one) on an index.
pub fn register(index: &tantivy::Index) {
    index.tokenizers().register(CHARS, CharTokenizer);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indexed_shortcuts_agree_with_unicode() {
        for c in (0..=0x10ffffu32).filter_map(char::from_u32) {
            let by_tables = crate::extract::is_han(c) || c.is_ascii_alphanumeric() || (!c.is_ascii() && c.is_alphanumeric());
            assert_eq!(indexed(c), by_tables, "{c:?} U+{:04X}", c as u32);
        }
    }

    #[test]
    fn user_dictionary_terms_are_whole_words() {
        let words = |s: &str| cut(s).into_iter().map(str::to_string).collect::<Vec<_>>();
        assert!(words("推进农村集体经营性建设用地入市").contains(&"集体经营性建设用地".to_string()));
        assert!(words("更新县本级行政执法主体名单").contains(&"行政执法主体".to_string()));
        // The derived dictionary: organs and headings of real documents.
        assert!(
            words("市住房和城乡建设管理委员会").contains(&"住房和城乡建设管理委员会".to_string()),
            "{:?}",
            words("市住房和城乡建设管理委员会")
        );
    }

    /// The jieba built the production way: the reference [`cut`] must cut
    /// like (the only place that builds it).
    fn full_jieba() -> Jieba {
        let mut j = Jieba::new();
        add_gongbao_words(&mut j, |_, _| {}).expect("the embedded dictionaries load");
        j
    }

    fn cut_full(j: &Jieba, s: &str) -> Vec<String> {
        j.cut(s, false).into_iter().map(|t| t.word.to_string()).collect()
    }

    /// [`cut`], which keeps what it learnt over the calls of a thread.
    fn cut_local(s: &str) -> Vec<String> {
        cut(s).into_iter().map(str::to_string).collect()
    }

    /// A jieba of `s`'s words alone.
    fn cut_fresh(s: &str) -> Vec<String> {
        let mut l = Learnt::new();
        l.learn(s);
        l.jieba.cut(s, false).into_iter().map(|t| t.word.to_string()).collect()
    }

    /// The words of the table, in its order.
    fn table_words() -> Vec<&'static str> {
        TABLE.body.lines().map(|l| l.split_once(' ').map(|(w, _)| w).unwrap_or(l)).collect()
    }

    #[test]
    fn the_table_is_the_production_dictionary() {
        let full = full_jieba();
        let words = table_words();
        assert!(words.windows(2).all(|w| w[0] < w[1]), "the table is sorted by bytes, each word once");
        assert_eq!(
            format!("{full:?}"),
            format!("Jieba {{ records_len: {}, total_freq: {} }}", words.len(), TABLE.total),
            "dictionaries/query_dict.txt is stale: regenerate it (dictionaries/README.md)"
        );
        assert_eq!(TABLE.longest, words.iter().map(|w| w.chars().count()).max().unwrap());
        for w in ["社区食堂", "集体经营性建设用地", "携犬出户", "的", "住房和城乡建设管理委员会"] {
            assert!(TABLE.lookup(w).0.is_some() && full.has_word(w), "{w}");
        }
        assert_eq!(TABLE.lookup("社区食"), (None, true));
        assert_eq!(TABLE.lookup("食堂社区食堂"), (None, false));
        assert_eq!(TABLE.lookup(""), (None, true));
    }

    /// Sentences of real text: every line of the fixtures' texts and of
    /// `../shared/seed`, every query of the relevance sets.
    fn real_sentences() -> Vec<String> {
        fn texts(dir: &std::path::Path, out: &mut Vec<String>) {
            let Ok(rd) = std::fs::read_dir(dir) else { return };
            let mut paths: Vec<_> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
            paths.sort();
            for p in paths {
                if p.is_dir() {
                    texts(&p, out);
                } else if p.extension().is_some_and(|e| e == "txt") {
                    let text = std::fs::read_to_string(&p).unwrap_or_default();
                    out.extend(text.lines().filter(|l| !l.trim().is_empty()).map(str::to_string));
                }
            }
        }
        fn queries(v: &serde_json::Value, out: &mut Vec<String>) {
            match v {
                serde_json::Value::Object(m) => {
                    for (k, x) in m {
                        match x {
                            serde_json::Value::String(q) if k == "query" => {
                                out.push(q.clone());
                                out.extend(q.split_whitespace().map(str::to_string));
                            }
                            _ => queries(x, out),
                        }
                    }
                }
                serde_json::Value::Array(a) => a.iter().for_each(|x| queries(x, out)),
                _ => {}
            }
        }
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut out = Vec::new();
        texts(&root.join("tests/fixtures"), &mut out);
        texts(&root.join("../shared/seed"), &mut out);
        let lines = out.len();
        for f in ["tests/relevance/queries.json", "tests/relevance/dev_queries.json"] {
            let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(root.join(f)).expect(f)).expect(f);
            queries(&v, &mut out);
        }
        assert!(lines > 1000 && out.len() - lines > 300, "{lines} lines, {} queries", out.len() - lines);
        out
    }

    #[test]
    fn cut_cuts_real_text_as_the_full_dictionary() {
        let full = full_jieba();
        for s in real_sentences() {
            let want = cut_full(&full, &s);
            assert_eq!(cut_fresh(&s), want, "{s}");
            assert_eq!(cut_local(&s), want, "{s}");
        }
    }

    #[test]
    fn cut_cuts_every_word_and_runs_of_words_as_the_full_dictionary() {
        let full = full_jieba();
        let words = table_words();
        // Every word alone: many at a time, apart (，is no word character,
        // so each is cut on its own; the local dictionary of the batch holds
        // every word of the table found in it). The thread's jieba grows
        // past MAX_LEARNT and starts over on the way.
        for (i, batch) in words.chunks(2000).enumerate() {
            let s = batch.join("，");
            let want = cut_full(&full, &s);
            assert_eq!(cut_local(&s), want, "{}…", &s[..s.len().min(300)]);
            if i % 10 == 0 {
                assert_eq!(cut_fresh(&s), want, "{}…", &s[..s.len().min(300)]);
            }
        }
        // Runs of 2–6 words picked at random (a fixed seed): where words
        // overlap, the route depends on every frequency and on the total.
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = |n: usize| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % n as u64) as usize
        };
        let gongbao: Vec<&str> = words.iter().copied().filter(|w| w.chars().count() >= 2 && full.has_word(w)).collect();
        for _ in 0..200 {
            let runs: Vec<String> = (0..100).map(|_| (0..2 + next(5)).map(|_| gongbao[next(gongbao.len())]).collect()).collect();
            let s = runs.join("。");
            assert_eq!(cut_local(&s), cut_full(&full, &s), "{s}");
        }
    }

    #[test]
    fn chars_skip_punctuation_and_fold() {
        let toks: Vec<String> = CharTokenizer::tokens("（试行）Ａ1").into_iter().map(|t| t.text).collect();
        assert_eq!(toks, ["试", "行", "a", "1"]);
    }
}
