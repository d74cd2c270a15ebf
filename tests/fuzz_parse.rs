//! `parse` never panics and never loops, on arbitrary text and on gazette
//! text with lines dropped, duplicated, shuffled, cut and spliced.

use proptest::prelude::*;

fn seed() -> &'static str {
    static SEED: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SEED.get_or_init(|| std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/yuxian-2024-03.seed.txt")).unwrap())
}

/// Characters that gazette parsing reacts to, to make arbitrary text bite.
const ALPHABET: &[&str] = &[
    "第",
    "一",
    "十",
    "条",
    "章",
    "节",
    "之",
    "、",
    "（",
    "）",
    "(",
    ")",
    "〔",
    "〕",
    "[",
    "]",
    "2024",
    "号",
    "年",
    "月",
    "日",
    "〇",
    "○",
    "关于",
    "的通知",
    "人民政府",
    "办公室",
    "：",
    "。",
    "\n",
    "\u{c}",
    " ",
    "……",
    "目 录",
    "附件",
    "1.",
    "废止",
    "发",
    "令",
    "字",
];

fn gazettish() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(ALPHABET), 0..400).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text(s in "\\PC{0,2000}") {
        let _ = gongbao::pipeline::parse_text(&s, "fuzz.txt");
    }

    #[test]
    fn gazette_alphabet(s in gazettish()) {
        let _ = gongbao::pipeline::parse_text(&s, "fuzz.txt");
    }

    #[test]
    fn mutated_gazette(ops in prop::collection::vec((0u8..5, any::<prop::sample::Index>(), any::<prop::sample::Index>()), 1..40)) {
        let mut lines: Vec<String> = seed().lines().map(str::to_string).collect();
        for (op, a, b) in ops {
            if lines.is_empty() { break; }
            let i = a.index(lines.len());
            let j = b.index(lines.len());
            match op {
                0 => { lines.remove(i); }
                1 => { let l = lines[i].clone(); lines.insert(j, l); }
                2 => lines.swap(i, j),
                3 => { let l = lines[i].clone(); let cut = l.char_indices().nth(l.chars().count() / 2).map(|(k, _)| k).unwrap_or(0); lines[i] = l[..cut].to_string(); lines.insert(i + 1, l[cut..].to_string()); }
                _ => { let extra = lines[j].clone(); lines[i].push_str(&extra); }
            }
        }
        let text = lines.join("\n");
        let t0 = std::time::Instant::now();
        let parsed = gongbao::pipeline::parse_text(&text, "mutated.txt");
        prop_assert!(t0.elapsed().as_secs() < 10, "parse took {:?}", t0.elapsed());
        prop_assert!(parsed.documents.len() <= text.lines().count());
    }
}
