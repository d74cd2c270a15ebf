//! Chinese tokenisation: the index's one token per character (any verbatim
//! substring is a phrase of them), and jieba, which splits a query's terms
//! into words (`crate::words`).
//!
//! The per-character tokenizer folds full-width characters and ASCII case,
//! and skips punctuation without consuming a position, so a phrase typed
//! with or without punctuation matches the same text. Register it with
//! [`register`] every time an index is opened: tantivy does not store
//! tokenizers in the index.

use jieba_rs::Jieba;
use std::sync::{Arc, LazyLock};
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// Name of the per-character tokenizer.
pub const CHARS: &str = "gb_chars";

/// The user dictionaries of `dictionaries/`, embedded at build time.
const USER_DICTS: &[(&str, &str)] =
    &[("legal.txt", include_str!("../dictionaries/legal.txt")), ("derived.txt", include_str!("../dictionaries/derived.txt"))];

/// The shared jieba instance (default dictionary + our user dictionaries),
/// built once per process (~100 ms).
pub fn jieba() -> Arc<Jieba> {
    static J: LazyLock<Arc<Jieba>> = LazyLock::new(|| {
        let mut j = Jieba::new();
        for (_, text) in USER_DICTS {
            let cleaned: String =
                text.lines().map(|l| l.split('#').next().unwrap_or("").trim()).filter(|l| !l.is_empty()).collect::<Vec<_>>().join("\n");
            // The embedded dictionaries are tested to load.
            j.load_dict(&mut std::io::BufReader::new(cleaned.as_bytes())).expect("user dictionary");
        }
        // Every word of a synonym group is a word (a term splits at it).
        for line in crate::words::SYNONYMS_TXT.lines().map(|l| l.split('#').next().unwrap_or("")) {
            for w in line.split_whitespace().filter(|w| w.chars().count() >= 2) {
                if !j.has_word(w) {
                    j.add_word(w, None, None);
                }
            }
        }
        Arc::new(j)
    });
    J.clone()
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
    crate::extract::is_han(c) || c.is_ascii_alphanumeric() || (!c.is_ascii() && c.is_alphanumeric())
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
    fn user_dictionary_terms_are_whole_words() {
        let words = |s: &str| jieba().cut(s, false).into_iter().map(|t| t.word.to_string()).collect::<Vec<_>>();
        assert!(words("推进农村集体经营性建设用地入市").contains(&"集体经营性建设用地".to_string()));
        assert!(words("更新县本级行政执法主体名单").contains(&"行政执法主体".to_string()));
        // The derived dictionary: organs and headings of real documents.
        assert!(
            words("市住房和城乡建设管理委员会").contains(&"住房和城乡建设管理委员会".to_string()),
            "{:?}",
            words("市住房和城乡建设管理委员会")
        );
    }

    #[test]
    fn chars_skip_punctuation_and_fold() {
        let toks: Vec<String> = CharTokenizer::tokens("（试行）Ａ1").into_iter().map(|t| t.text).collect();
        assert_eq!(toks, ["试", "行", "a", "1"]);
    }
}
