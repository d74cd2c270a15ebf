//! Build the derived jieba dictionary (`dictionaries/derived.txt`) from
//! real text: the titles, headings and issuing organs of every document of
//! the given files and directories (`.txt`, read by gongbao's own parser).
//!
//!     cargo run --release --example build_dictionary -- ../shared/dev tests/fixtures/yuxian-2024-03.seed.txt > dictionaries/derived.txt
//!
//! What becomes a word (2–8 Han characters, in at least two documents):
//! * the organs that issue documents, without their place (上海市住房和城乡
//!   建设管理委员会 → 住房和城乡建设管理委员会), and their parts that name an
//!   organ themselves (委员会, 办公厅…) when they are long enough;
//! * the headings of parts, chapters and sections (and of a plan's 一、…),
//!   cut at 和/与/及/、/的
//!   (第五章 业主大会和业主委员会 → 业主大会, 业主委员会);
//! * the subjects of titles: the instrument's name without its place and its
//!   文种, cut the same way (上海市住宅物业管理规定 → 住宅物业管理), and the
//!   文种 that close titles (实施细则, 指导意见…).
//!
//! Nothing is taken from queries or judgments; the output is deterministic.

use gongbao::pipeline::parse_text;
use gongbao::structure::flatten;
use gongbao::structure::ProvisionKind::{Chapter, Level1, Part, Section};
use regex::Regex;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

/// A leading place name: 上海市, 上海市黄浦区, 河南省, 浙江省丽水市, 中华人民共和国.
static PLACE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:中华人民共和国|[^\s和与及的管理委局厅办会部城]{1,6}?(?:省|自治区|特别行政区|自治州|市|区|县))+").unwrap()
});
/// The 文种 that closes a title or an instrument's name: 实施细则, 管理办法, 条例, 通知.
static GENRE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:实施细则|实施办法|实施意见|指导意见|管理办法|暂行办法|暂行规定|若干规定|若干意见|工作方案|实施方案|行动方案|行动计划|办法|条例|规定|细则|意见|方案|通知|通告|公告|决定|批复|复函|规则|规划|计划|标准|目录|清单|指南|纲要)$").unwrap()
});
/// Where a heading or subject is cut into words.
static CUT: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"[和与及、，,的暨或]|\s+|（[^）]*）|\([^)]*\)").unwrap());

fn han(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// Heads and tails that make a piece a phrase, not a word (其他规定, 有关事项).
static NOT_A_WORD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(?:其他|其它|有关|相关|对|关于|需要|符合|本)|(?:有关|规定|禁止)$").unwrap());

/// The pieces of a phrase that may be words.
fn pieces(s: &str) -> Vec<String> {
    CUT.split(s)
        .map(|p| p.trim().to_string())
        .filter(|p| han(p) && (2..=8).contains(&p.chars().count()) && !NOT_A_WORD.is_match(p))
        .collect()
}

/// An organ's name without its place.
fn organ_core(name: &str) -> Option<String> {
    let core = PLACE.replace(name, "").to_string();
    (han(&core) && (3..=14).contains(&core.chars().count())).then_some(core)
}

/// The subject of a title: its instrument's name (in 《》 or after 关于…印发),
/// without place and 文种.
fn subjects(title: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut names: Vec<String> = title.split(['《', '》']).skip(1).step_by(2).map(str::to_string).collect();
    if names.is_empty() {
        let t = title.rsplit_once("关于").map(|(_, t)| t).unwrap_or(title);
        let t = t.trim_start_matches("印发").trim_start_matches("转发").trim_start_matches("发布");
        names.push(t.trim_end_matches("的通知").to_string());
    }
    for n in names {
        let n = n.replace("（试行）", "").replace("(试行)", "");
        let n = PLACE.replace(&n, "").to_string();
        if let Some(g) = GENRE.find(&n) {
            out.push(g.as_str().to_string());
            out.extend(pieces(&n[..g.start()]));
        } else {
            out.extend(pieces(&n));
        }
    }
    out
}

fn collect(path: &Path, out: &mut Vec<PathBuf>) {
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path).into_iter().flatten().flatten().map(|e| e.path()).collect();
        entries.sort();
        for e in entries {
            collect(&e, out);
        }
    } else if path.extension().is_some_and(|e| e == "txt") {
        out.push(path.to_owned());
    }
}

fn main() {
    let mut files = Vec::new();
    for a in std::env::args().skip(1) {
        collect(Path::new(&a), &mut files);
    }
    if files.is_empty() {
        eprintln!("usage: build_dictionary DIR|FILE.txt …");
        std::process::exit(1);
    }
    // word → the documents it was found in.
    let mut seen: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut n_docs = 0;
    for f in &files {
        let Ok(text) = std::fs::read_to_string(f) else { continue };
        let parsed = parse_text(&text, &f.to_string_lossy());
        for d in &parsed.documents {
            n_docs += 1;
            let key = format!("{}#{}", f.display(), d.id);
            let mut add = |w: String| {
                seen.entry(w).or_default().insert(key.clone());
            };
            for i in &d.issuer {
                if let Some(c) = organ_core(i) {
                    add(c);
                }
            }
            let mut titles = vec![d.title.clone()];
            titles.extend(d.instrument.as_ref().map(|i| i.title.clone()));
            for t in &titles {
                for s in subjects(t) {
                    add(s);
                }
            }
            // Headings of divisions (编, 章, 节) and of a plan's sections:
            // names of subjects. (An article's inline "heading" may be its first words.)
            for p in flatten(&d.provisions).into_iter().filter(|p| matches!(p.kind, Part | Chapter | Section | Level1)) {
                for w in p.heading.iter().flat_map(|h| pieces(h)) {
                    add(w);
                }
            }
        }
    }
    println!("# Derived by `cargo run --release --example build_dictionary` from the titles, headings and");
    println!("# issuing organs of {n_docs} documents ({} files); words in at least two documents.", files.len());
    println!("# jieba user dictionary: word frequency tag. Regenerate, do not edit.");
    let mut words: Vec<(&String, usize)> = seen.iter().map(|(w, d)| (w, d.len())).filter(|(_, n)| *n >= 2).collect();
    words.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    for (w, n) in words {
        println!("{w} {} n", 1000 + 50 * n.min(40));
    }
}
