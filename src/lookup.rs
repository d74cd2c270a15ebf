//! **lookup**: a 文号 that matches nothing in, the 文号 the index holds that
//! it most likely means out — for corpora read by OCR, which misreads a
//! character or two of a 机关代字 (`青政办图〔2024〕19号` for 青政办函).
//!
//! Only the 机关代字 may differ, by one or two characters (edit distance);
//! the year and the number must be equal, since a wrong number is another
//! document, not a misreading. Callers use this only when nothing matches
//! exactly, and say so in their answer ([`ApproximateMatch`]).

use crate::docnum::DocNumber;
use crate::error::{Error, Result};
use crate::index::{GongbaoIndex, KIND_DOCUMENT};
use serde::{Deserialize, Serialize};
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{Searcher, Term};

/// Most characters of a 机关代字 a lookup may take as misread.
pub const MAX_DIFFERENCES: usize = 2;

/// An answer given for a 文号 other than the one asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApproximateMatch {
    /// The 文号 asked for, canonical.
    pub requested: String,
    /// The 文号 answered for.
    pub matched: String,
    /// Characters of the 机关代字 that differ.
    pub differences: usize,
}

impl ApproximateMatch {
    /// `没有文号为 X 的文件；按 Y 回答（机关代字有 1 个字不同，可能是 OCR 误识）`
    pub fn note_zh(&self) -> String {
        format!(
            "没有文号为 {} 的文件；按 {} 回答（机关代字有 {} 个字不同，可能是扫描识别误差）",
            self.requested, self.matched, self.differences
        )
    }

    /// The same in English, for the command line.
    pub fn note(&self) -> String {
        format!(
            "no document is numbered {}; answering for {} ({} character{} of the issuer code differ{}, as OCR misreads them)",
            self.requested,
            self.matched,
            self.differences,
            if self.differences == 1 { "" } else { "s" },
            if self.differences == 1 { "s" } else { "" }
        )
    }
}

/// Edit distance between two short strings, by characters.
fn distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j + 1] + 1).min(cur[j] + 1).min(prev[j] + usize::from(ca != cb));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// How far `candidate` is from `wanted` as a misreading: `Some(differences)`
/// when the year and number agree and the 机关代字 differ by 1..=MAX.
pub fn misreading(wanted: &DocNumber, candidate: &DocNumber) -> Option<usize> {
    if wanted.number_part() != candidate.number_part() || wanted.is_decree() != candidate.is_decree() {
        return None;
    }
    let d = distance(&wanted.prefix, &candidate.prefix);
    // A two-character code cannot lose two characters and stay itself.
    let max = MAX_DIFFERENCES.min(wanted.prefix.chars().count().saturating_sub(1));
    (1..=max).contains(&d).then_some(d)
}

/// The 文号 in the index — of documents, and of targets of links (documents
/// known only because others repeal or cite them) — that `wanted` most likely
/// means, when it is not there itself. Ties go to documents over link
/// targets, then to the smaller 文号.
pub fn nearest(ix: &GongbaoIndex, searcher: &Searcher, wanted: &DocNumber) -> Result<Option<ApproximateMatch>> {
    let err = |e: tantivy::TantivyError| Error::Index { path: ix.dir.clone(), reason: e.to_string() };
    let f = &ix.fields;
    let exact = wanted.to_string();
    if searcher.doc_freq(&Term::from_field_text(f.doc_id, &exact)).map_err(err)? > 0
        || searcher.doc_freq(&Term::from_field_text(f.link_target, &exact)).map_err(err)? > 0
    {
        return Ok(None);
    }
    let mut found: Vec<(usize, u8, String)> = Vec::new();
    // Documents with the same year and number (any issuer).
    let q = BooleanQuery::new(vec![
        (
            Occur::Must,
            Box::new(TermQuery::new(Term::from_field_text(f.number_key, &wanted.number_part()), IndexRecordOption::Basic))
                as Box<dyn Query>,
        ),
        (Occur::Must, Box::new(TermQuery::new(Term::from_field_text(f.kind, KIND_DOCUMENT), IndexRecordOption::Basic))),
    ]);
    for d in ix.documents_matching(searcher, &q)? {
        if let Some(dn) = &d.doc_number {
            if let Some(k) = misreading(wanted, dn) {
                found.push((k, 0, dn.to_string()));
            }
        }
    }
    // Link targets: the term dictionary of the field, read through.
    for seg in searcher.segment_readers() {
        let inv = seg.inverted_index(f.link_target).map_err(err)?;
        let mut stream = inv.terms().stream().map_err(|e| Error::Index { path: ix.dir.clone(), reason: e.to_string() })?;
        while stream.advance() {
            let Ok(s) = std::str::from_utf8(stream.key()) else { continue };
            if let Some(dn) = DocNumber::parse(s) {
                if let Some(k) = misreading(wanted, &dn) {
                    found.push((k, 1, dn.to_string()));
                }
            }
        }
    }
    found.sort();
    Ok(found.into_iter().next().map(|(differences, _, matched)| ApproximateMatch { requested: exact, matched, differences }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dn(s: &str) -> DocNumber {
        DocNumber::parse(s).unwrap()
    }

    #[test]
    fn misreadings_are_in_the_issuer_code_only() {
        assert_eq!(misreading(&dn("青政办函〔2024〕19号"), &dn("青政办图〔2024〕19号")), Some(1));
        assert_eq!(misreading(&dn("晋政发〔2024〕59号"), &dn("青政发〔2024〕59号")), Some(1));
        assert_eq!(misreading(&dn("青政函〔2024〕45号"), &dn("青政了图〔2024〕45号")), Some(2));
        // Another number, another year, the same 文号, three characters: no.
        assert_eq!(misreading(&dn("青政办函〔2024〕19号"), &dn("青政办函〔2024〕18号")), None);
        assert_eq!(misreading(&dn("青政办函〔2024〕19号"), &dn("青政办函〔2023〕19号")), None);
        assert_eq!(misreading(&dn("青政办函〔2024〕19号"), &dn("青政办函〔2024〕19号")), None);
        assert_eq!(misreading(&dn("青政办函〔2024〕19号"), &dn("晋财综〔2024〕19号")), None);
        // A two-character code differs by at most one.
        assert_eq!(misreading(&dn("国发〔2024〕1号"), &dn("省办〔2024〕1号")), None);
        assert_eq!(misreading(&dn("国发〔2024〕1号"), &dn("国友〔2024〕1号")), Some(1));
    }

    #[test]
    fn notes_say_what_was_answered() {
        let m = ApproximateMatch {
            requested: "青政办函〔2024〕19号".into(), matched: "青政办图〔2024〕19号".into(), differences: 1
        };
        assert!(m.note().contains("answering for 青政办图〔2024〕19号 (1 character of the issuer code differs"));
        assert!(m.note_zh().contains("按 青政办图〔2024〕19号 回答"));
    }
}
