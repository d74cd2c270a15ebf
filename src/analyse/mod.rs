//! **analyse**: a document's text in, its validity window, its campaign
//! period and its links to other documents out — each with the sentence
//! that justifies it.
//!
//! Conventions (those of the truth file): 公布之日 and 印发之日 are the
//! document's signed date; an N-year term ends on from + N years − 1 day;
//! 年底/年末 is 12-31, 月底 the last day of the month. A campaign or task
//! period (从即日起至2025年底) is not a validity window and is kept apart. A
//! keyword counts only outside 《…》: `根据《国务院关于废止…的决定》` repeals
//! nothing.

use crate::docnum::DocNumber;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

mod dates;
mod links;
mod sentences;
mod window;

pub use links::links;
pub use sentences::{sentences, Sentence};
pub use window::{validity, validity_titled};

/// How a validity window was decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// A date stated in the text (自2024年5月1日起施行, 有效期至2026年底).
    StatedDate,
    /// Relative to publication (自公布之日起, 自印发之日起30日后).
    RelativeToPublication,
    /// An N-year term (有效期两年, 试行三年).
    Term,
    /// Extended by a later document (有效期延长至…).
    Extended,
    /// The text says nothing: from the signed date, no end.
    Default,
}

/// When a document is in force, by its own words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValidityWindow {
    pub effective_from: Option<NaiveDate>,
    pub effective_until: Option<NaiveDate>,
    pub basis: Basis,
    /// The term is provisional (有效期暂定五年).
    #[serde(default)]
    pub provisional: bool,
    pub evidence: Vec<String>,
}

/// A campaign or task period: not a validity window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CampaignPeriod {
    pub from: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
    pub evidence: String,
}

/// What a link says about its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkKind {
    Repeals,
    /// Repeals named provisions of the target (`…第十条同时废止`).
    RepealsPart,
    DeclaresInvalid,
    Supersedes,
    Amends,
    Extends,
    Cites,
    SupervisionListed,
    SupervisionClosed,
}

impl std::fmt::Display for LinkKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let v = serde_json::to_value(self).map_err(|_| std::fmt::Error)?;
        f.write_str(v.as_str().unwrap_or("link"))
    }
}

impl LinkKind {
    /// Does this link end the target's force?
    pub fn ends_force(self) -> bool {
        matches!(self, LinkKind::Repeals | LinkKind::DeclaresInvalid | LinkKind::Supersedes)
    }

    /// Does this link change the target's force or text (what status reads)?
    pub fn changes_target(self) -> bool {
        self.ends_force() || matches!(self, LinkKind::Extends | LinkKind::Amends | LinkKind::RepealsPart)
    }
}

/// A link from a document to another (or to a supervised company).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Link {
    pub kind: LinkKind,
    /// The target's canonical 文号, or the supervised company or site.
    pub target: Option<String>,
    /// The target's title as printed inside 《》.
    pub target_title: Option<String>,
    /// For `extends`: the new end of the target's window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<NaiveDate>,
    /// For `amends` and `repeals_part`: the target's provisions named (`第五条`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub provisions: Vec<String>,
    pub evidence: String,
}

/// Everything the analysis finds in one document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    pub validity: ValidityWindow,
    pub campaign: Option<CampaignPeriod>,
    pub links: Vec<Link>,
    /// Citations by title alone (`按照《…办法》执行`), for the issue to resolve.
    #[serde(skip)]
    pub title_citations: Vec<Link>,
}

/// Analyse one passage of a document: the window `text` fixes, and its
/// links read with the sentences before it (`context`, for what it points
/// back to) and the document's `title`. Links found in the context alone
/// are not the passage's.
pub fn analyse_passage(context: &str, text: &str, signed: Option<NaiveDate>, title: &str) -> Analysis {
    let (validity, campaign) = validity_titled(text, signed, title);
    let joined = if context.is_empty() { text.to_string() } else { format!("{context}\n{text}") };
    let (mut links, mut title_citations) = links::every_link(&joined, None, title);
    let own = |l: &Link| text.contains(l.evidence.as_str()) || l.evidence.contains(text);
    links.retain(own);
    title_citations.retain(own);
    links::dedup(&mut links, &mut title_citations);
    Analysis { validity, campaign, links, title_citations }
}

/// Analyse a document: its text, signed date, own 文号 and title.
pub fn analyse(text: &str, signed: Option<NaiveDate>, own: Option<&DocNumber>, title: &str) -> Analysis {
    let (validity, campaign) = validity_titled(text, signed, title);
    let (links, title_citations) = links(text, own, title);
    Analysis { validity, campaign, links, title_citations }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn windows() {
        let (w, _) = validity("第二十四条 本试行办法于公布之日起正式实施，实施日期截止至二零二四年年底。", Some(d("2024-08-22")));
        assert_eq!((w.effective_from, w.effective_until), (Some(d("2024-08-22")), Some(d("2024-12-31"))));
        assert_eq!(w.evidence, ["本试行办法于公布之日起正式实施，实施日期截止至二零二四年年底。"]);
        let (w, _) = validity("本办法自公布之日起30天后施行，有效期两年。", Some(d("2024-07-03")));
        assert_eq!((w.effective_from, w.effective_until, w.basis), (Some(d("2024-08-02")), Some(d("2026-08-01")), Basis::Term));
        let (w, c) = validity("本次整治行动从即日起至2025年底,分四个阶段进行:", Some(d("2024-07-17")));
        assert_eq!((w.effective_until, w.basis), (None, Basis::Default));
        assert_eq!(c.unwrap().until, Some(d("2025-12-31")));
    }

    #[test]
    fn repeal_inside_a_title_is_no_repeal() {
        let (l, _) = links("根据2011年1月8日《国务院关于废止和修改部分行政法规的决定》第一次修订", None, "");
        assert!(l.is_empty(), "{l:?}");
        let (l, _) = links("本通告公布后，原《某县人民政府关于公布名单的通告》（某政函〔2023〕24号）同时废止。", None, "");
        assert_eq!(l.len(), 1);
        assert_eq!((l[0].kind, l[0].target.as_deref()), (LinkKind::Repeals, Some("某政函〔2023〕24号")));
    }
}
