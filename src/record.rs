//! The records gongbao produces: an issue and its documents (DESIGN.md
//! "Record (JSON)"). These are the shapes `parse --json` prints, the index
//! stores and `export` writes.

use crate::analyse::{CampaignPeriod, Link, ValidityWindow};
use crate::docnum::DocNumber;
use crate::structure::{Instrument, Provision};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// One gazette issue (or a single-document file treated as an issue of one).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct IssueMeta {
    /// `青县人民政府公报/2024/3`; for a file that is not a gazette issue, its file name.
    pub id: String,
    pub gazette: Option<String>,
    pub year: Option<i32>,
    pub number: Option<u32>,
    pub cumulative_number: Option<u32>,
    pub published: Option<NaiveDate>,
    pub source_sha256: String,
    pub source_path: String,
    /// Physical pages in the source.
    pub pages: u32,
    /// Which extractor produced the text (in page order, each once).
    pub extractors: Vec<String>,
    /// The pages read by OCR (engine, version, confidence); absent when none were.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ocr_pages: Vec<crate::extract::ocr::OcrPage>,
}

/// A reference to a document's issue, as carried by each record.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct IssueRef {
    pub id: String,
    pub published: Option<NaiveDate>,
}

/// One official document (公文) of an issue.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct DocumentRecord {
    /// Canonical 文号, or `<issue id>#<order>` for a document without one.
    pub id: String,
    pub doc_number: Option<DocNumber>,
    /// 发文机关: several for a joint issuance.
    pub issuer: Vec<String>,
    /// The full title as printed, issuer included.
    pub title: String,
    /// 文种 of the document itself (通知, 通告, 决定…).
    pub doc_type: Option<String>,
    /// 主送机关, without the trailing colon.
    pub addressees: Option<String>,
    /// 成文日期.
    pub signed_date: Option<NaiveDate>,
    /// Dates a regulation or rule prints instead of a signature: when it
    /// was adopted, approved, promulgated, revised or amended (oldest first).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dates: Vec<DocDate>,
    pub issue: IssueRef,
    /// First and last page (printed page numbers where the gazette prints them).
    pub pages: [u32; 2],
    /// Position in the issue, 1-based.
    pub order: u32,
    /// The regulation, plan or list the document encloses.
    pub instrument: Option<Instrument>,
    /// The provision tree (of the instrument, or of the document's own body).
    pub provisions: Vec<Provision>,
    /// When the document is in force, by its own words.
    pub validity: ValidityWindow,
    /// A campaign or task period the document sets (not its validity).
    pub campaign: Option<CampaignPeriod>,
    /// Links to other documents (repeals, cites…) and supervised parties.
    pub links: Vec<Link>,
    pub text: String,
}

/// What happened to a document on a date it prints: its history line
/// (`2001年11月15日上海市第十一届人民代表大会常务委员会第三十三次会议通过`)
/// or its promulgation line (`2019年11月30日国家市场监督管理总局令第20号公布`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DateKind {
    /// 通过 (adopted by a congress, its standing committee, a government meeting).
    Adopted,
    /// 批准 (approved by the provincial standing committee).
    Approved,
    /// 公布 / 发布 / 颁布 (promulgated).
    Promulgated,
    /// 修订 (revised as a whole).
    Revised,
    /// 修正 / 修改 (amended by a decision).
    Amended,
    /// 施行 / 实施 (takes effect).
    Effective,
}

/// A dated event in a document's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocDate {
    pub kind: DateKind,
    pub date: NaiveDate,
    /// The organ or meeting that acted, as printed (`上海市第十一届人民代表大会常务委员会第三十三次会议`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
}

/// `关于印发《X》的通知`, `转发…《X》的通知`: the instrument a wrapper's title names.
static WRAPPED_TITLE: std::sync::LazyLock<regex::Regex> =
    std::sync::LazyLock::new(|| regex::Regex::new(r"(?:印发|转发|批转|发布|公布)[^《]{0,12}《([^《》]+)》").unwrap());

impl DocumentRecord {
    /// The keys this document is cited by when cited by title alone
    /// ([`crate::text::title_key`]): its title, its instrument's title, and
    /// the instrument a wrapper's title names.
    pub fn title_keys(&self) -> Vec<String> {
        let mut keys = vec![crate::text::title_key(&self.title)];
        if let Some(i) = &self.instrument {
            keys.push(crate::text::title_key(&i.title));
        }
        if let Some(c) = WRAPPED_TITLE.captures(&self.title) {
            keys.push(crate::text::title_key(&c[1]));
        }
        keys.sort();
        keys.dedup();
        keys
    }

    /// The date of the version the text is: its 成文日期, else the latest
    /// adoption, approval, promulgation, revision or amendment it prints.
    pub fn version_date(&self) -> Option<NaiveDate> {
        self.signed_date.or_else(|| self.dates.iter().filter(|d| d.kind != DateKind::Effective).map(|d| d.date).max())
    }
}

/// One entry of an issue's 目录.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TocEntry {
    pub title: String,
    pub doc_number: Option<DocNumber>,
    pub page: Option<u32>,
    /// The 目录's section heading (`县政府文件`), if any.
    pub section: Option<String>,
}

/// What `parse --json` prints: an issue with its documents.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ParsedIssue {
    pub issue: IssueMeta,
    pub documents: Vec<DocumentRecord>,
    /// The issue's 目录 as printed (empty when it has none).
    #[serde(default)]
    pub toc: Vec<TocEntry>,
    pub warnings: Vec<String>,
}
