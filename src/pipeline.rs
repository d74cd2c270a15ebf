//! The pipeline as one call: a source file in, a parsed issue out
//! (extract → layout → clean → segment). No index is touched.

use crate::clean::{clean, CleanText};
use crate::error::{Error, Result};
use crate::extract::{extract_file, ExtractOptions, Extraction};
use crate::record::ParsedIssue;
use crate::repair;
use crate::segment::{parse_cover, segment};
use sha2::{Digest, Sha256};
use std::path::Path;

/// SHA-256 of a file's bytes, in hex.
pub fn sha256_file(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).map_err(|source| Error::Io { path: path.to_owned(), source })?;
    Ok(sha256_hex(&bytes))
}

/// SHA-256 of bytes, in hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let d = Sha256::digest(bytes);
    d.iter().map(|b| format!("{b:02x}")).collect()
}

/// Parse an extraction (already cleaned) into an issue.
pub fn parse_clean(clean: &CleanText, ex: &Extraction, sha256: &str, path: &Path) -> ParsedIssue {
    let extractors = ex.extractors().iter().map(|e| e.to_string()).collect();
    let mut issue = parse_cover(&clean.text, sha256, &path.to_string_lossy(), ex.pages.len() as u32, extractors);
    issue.ocr_pages = ex.ocr.clone();
    let (mut documents, mut toc, mut warnings) = segment(clean, &issue);
    if !ex.ocr.is_empty() {
        // A 文号 OCR misread on one heading: put right from the issue's other headings.
        let read_by_ocr: std::collections::HashSet<u32> = ex.ocr.iter().map(|o| o.page).collect();
        let heading_read_by_ocr = |d: &crate::record::DocumentRecord| {
            clean.page_starts.iter().any(|p| p.printed.unwrap_or(p.physical) == d.pages[0] && read_by_ocr.contains(&p.physical))
        };
        let repairs = repair::docnum_repairs(&documents, heading_read_by_ocr);
        if !repairs.is_empty() {
            let fixed = repair::apply(clean, &repairs);
            (documents, toc, warnings) = segment(&fixed, &issue);
            for r in repairs {
                warnings.push(format!("{}: OCR read its 文号 as {}; repaired from the issue's other 文号", r.repaired, r.read));
            }
        }
    }
    warnings.extend(ex.notes.iter().cloned());
    ParsedIssue { issue, documents, toc, warnings }
}

/// Extract one file and lay its pages out: lines in reading order, code
/// points folded (what the clean stage reads).
pub fn read_pages(path: &Path, opts: &ExtractOptions) -> Result<Extraction> {
    Ok(crate::layout::arrange(extract_file(path, opts)?))
}

/// Extract, clean and segment one file.
pub fn parse_file(path: &Path, opts: &ExtractOptions) -> Result<ParsedIssue> {
    let sha = sha256_file(path)?;
    let ex = read_pages(path, opts)?;
    let c = clean(&ex);
    Ok(parse_clean(&c, &ex, &sha, path))
}

/// Clean and segment plain text (pages separated by form feeds) as if it
/// were a file called `name`. Pure: no file, no worker.
pub fn parse_text(text: &str, name: &str) -> ParsedIssue {
    let ex = crate::layout::arrange(crate::extract::text_pages(text));
    let c = clean(&ex);
    parse_clean(&c, &ex, &sha256_hex(text.as_bytes()), Path::new(name))
}
