//! **repair**: OCR repairs that need the whole issue. A parsed issue and its
//! clean text in, the clean text with misread 文号 put right out (and what was
//! changed, for the warnings).
//!
//! A gazette issue prints a handful of 机关代字 (青政发, 青政办发, 青政办函…),
//! each on several documents. When OCR misreads one character of a heading's
//! 文号 (`青政办图〔2024〕19号` for 青政办函), the misread prefix is found on no
//! other document of the issue, and one character away from a prefix that
//! two or more documents carry. Such a heading, on a page read by OCR, gets the issue's prefix, when
//! that prefix is the only one within one character and the repaired 文号 is
//! not already taken. Text-layer pages are never touched. When two prefixes
//! are one character away (办图 from both 办函 and 办发) nothing is changed:
//! lookups still find the document through [`crate::query`]'s tolerant 文号
//! match.

use crate::clean::CleanText;
use crate::docnum::{find_all, DocNumber};
use crate::record::DocumentRecord;
use std::collections::{HashMap, HashSet};

/// One repaired 文号.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocNumberRepair {
    pub read: DocNumber,
    pub repaired: DocNumber,
}

/// Character substitutions between two prefixes of the same length, or
/// `None` when their lengths differ.
fn substitutions(a: &str, b: &str) -> Option<usize> {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    (a.len() == b.len()).then(|| a.iter().zip(&b).filter(|(x, y)| x != y).count())
}

/// The repairs for the documents whose heading page was read by OCR.
/// `ocr_page(doc)` says whether a document's heading is on such a page.
pub fn docnum_repairs(docs: &[DocumentRecord], ocr_page: impl Fn(&DocumentRecord) -> bool) -> Vec<DocNumberRepair> {
    let numbers: Vec<&DocNumber> = docs.iter().filter_map(|d| d.doc_number.as_ref()).collect();
    let taken: HashSet<String> = numbers.iter().map(|d| d.to_string()).collect();
    let mut uses: HashMap<&str, usize> = HashMap::new();
    for d in &numbers {
        *uses.entry(d.prefix.as_str()).or_default() += 1;
    }
    let mut out = Vec::new();
    for doc in docs.iter().filter(|d| ocr_page(d)) {
        let Some(dn) = &doc.doc_number else { continue };
        if dn.is_decree() || uses.get(dn.prefix.as_str()).copied().unwrap_or(0) != 1 || dn.prefix.chars().count() < 3 {
            continue;
        }
        // Prefixes one substitution away, each used by at least two other documents.
        let near: Vec<&str> =
            uses.iter().filter(|(p, n)| **n >= 2 && **p != dn.prefix && substitutions(p, &dn.prefix) == Some(1)).map(|(p, _)| *p).collect();
        let [right] = near.as_slice() else { continue };
        let repaired = DocNumber { prefix: right.to_string(), ..dn.clone() };
        if taken.contains(&repaired.to_string()) {
            continue;
        }
        out.push(DocNumberRepair { read: dn.clone(), repaired });
    }
    out
}

/// Apply repairs to the clean text: every occurrence of a misread 文号 is
/// rewritten, and the page map shifted to match.
pub fn apply(clean: &CleanText, repairs: &[DocNumberRepair]) -> CleanText {
    let mut text = String::with_capacity(clean.text.len());
    let mut page_starts = clean.page_starts.clone();
    let mut last = 0;
    let mut delta: isize = 0;
    let mut shifts: Vec<(usize, isize)> = Vec::new();
    for (range, dn) in find_all(&clean.text) {
        let Some(r) = repairs.iter().find(|r| r.read == dn) else { continue };
        let found = &clean.text[range.clone()];
        // Rewrite the prefix only: the rest keeps its printed form.
        let Some(rest) = found.strip_prefix(r.read.prefix.as_str()) else { continue };
        text.push_str(&clean.text[last..range.start]);
        text.push_str(&r.repaired.prefix);
        text.push_str(rest);
        last = range.end;
        delta += r.repaired.prefix.len() as isize - r.read.prefix.len() as isize;
        shifts.push((range.end, delta));
    }
    text.push_str(&clean.text[last..]);
    for p in &mut page_starts {
        let d = shifts.iter().take_while(|(end, _)| *end <= p.offset).last().map(|(_, d)| *d).unwrap_or(0);
        p.offset = (p.offset as isize + d) as usize;
    }
    CleanText { text, page_starts, running_lines: clean.running_lines.clone(), web: clean.web.clone() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clean::PageStart;

    fn doc(id: &str) -> DocumentRecord {
        let mut d = crate::pipeline::parse_text(&format!("{id}\n关于测试的通知\n"), "t.txt").documents.remove(0);
        d.doc_number = DocNumber::parse(id);
        d
    }

    #[test]
    fn a_prefix_misread_once_takes_the_issues_prefix() {
        let docs: Vec<DocumentRecord> =
            ["青政发〔2024〕59号", "青政发〔2024〕74号", "青政办发〔2024〕47号", "青致发〔2024〕81号", "青政办函〔2024〕15号"]
                .iter()
                .map(|s| doc(s))
                .collect();
        let r = docnum_repairs(&docs, |_| true);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].repaired.to_string(), "青政发〔2024〕81号");
        // Not on an OCR'd page: left alone.
        assert!(docnum_repairs(&docs, |_| false).is_empty());
    }

    #[test]
    fn ambiguous_taken_or_lone_prefixes_stay() {
        // 青政办图 is one character from both 青政办函 and 青政办发: which one OCR
        // misread cannot be told from the issue's 文号 alone.
        let docs: Vec<DocumentRecord> =
            ["青政办发〔2024〕1号", "青政办函〔2024〕2号", "青政办图〔2024〕3号"].iter().map(|s| doc(s)).collect();
        assert!(docnum_repairs(&docs, |_| true).is_empty());
        // The repaired number exists already.
        let docs: Vec<DocumentRecord> = ["青政函〔2024〕5号", "青政图〔2024〕5号"].iter().map(|s| doc(s)).collect();
        assert!(docnum_repairs(&docs, |_| true).is_empty());
        // Two prefixes used once each: neither is the issue's.
        let docs: Vec<DocumentRecord> = ["青政办发〔2024〕1号", "青政办函〔2024〕2号"].iter().map(|s| doc(s)).collect();
        assert!(docnum_repairs(&docs, |_| true).is_empty());
        // A prefix used once, with nothing near it (another issuer): left alone.
        let docs: Vec<DocumentRecord> = ["青政发〔2024〕1号", "晋财综〔2024〕2号"].iter().map(|s| doc(s)).collect();
        assert!(docnum_repairs(&docs, |_| true).is_empty());
    }

    #[test]
    fn apply_rewrites_every_occurrence_and_shifts_pages() {
        let text = "青政办图〔2024〕19号\n正文\n依据青政办图〔2024〕19号文件\n下一页\n";
        let second = text.find("下一页").unwrap();
        let clean = CleanText {
            text: text.to_string(),
            page_starts: vec![
                PageStart { offset: 0, physical: 1, printed: None },
                PageStart { offset: second, physical: 2, printed: None },
            ],
            running_lines: vec![],
            web: None,
        };
        let read = DocNumber::parse("青政办图〔2024〕19号").unwrap();
        let repaired = DocNumber::parse("青政办函〔2024〕19号").unwrap();
        let out = apply(&clean, &[DocNumberRepair { read, repaired }]);
        assert_eq!(out.text, "青政办函〔2024〕19号\n正文\n依据青政办函〔2024〕19号文件\n下一页\n");
        assert_eq!(&out.text[out.page_starts[1].offset..], "下一页\n");
    }
}
