//! **layout**: an extraction's pages of positioned line segments in, the
//! same pages with their lines in reading order and their code points
//! folded out.
//!
//! - [`columns`]: two-column pages read column by column between the
//!   full-width lines (titles, 文号, running heads); one-column pages keep
//!   their lines.
//! - [`crate::text::codepoints`]: Kangxi radicals, radicals supplement,
//!   compatibility ideographs and full-width digits and letters become the
//!   characters they stand for.
//!
//! Text input (no geometry) is only folded.

pub mod columns;

use crate::extract::Extraction;

/// Put every page of an extraction in reading order and fold its code points.
pub fn arrange(mut ex: Extraction) -> Extraction {
    ex.pages = ex
        .pages
        .into_iter()
        .map(|p| {
            let mut p = columns::reading_order(p);
            for l in &mut p.lines {
                if let std::borrow::Cow::Owned(s) = crate::text::codepoints::fold(&l.text) {
                    l.text = s;
                }
            }
            p
        })
        .collect();
    ex
}
