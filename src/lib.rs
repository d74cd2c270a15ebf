//! gongbao: Chinese government gazettes (政府公报) in, a searchable,
//! validity-aware legal record out.
//!
//! The pipeline, one module per stage:
//!
//! ```text
//! PDF / .txt ──extract──▶ pages (text layer, or OCR) ──clean──▶ issue text (+ offset→page map)
//!            ──segment──▶ documents (──repair──▶ 文号 OCR misread) ──structure──▶ provisions
//!            ──analyse──▶ validity windows, links
//!            ──index────▶ tantivy            query ──▶ hits, records, status
//! ```

pub mod analyse;
pub mod clause;
pub mod clean;
pub mod dates;
pub mod docnum;
pub mod error;
pub mod extract;
pub mod gongwen;
pub mod index;
pub mod ingest;
pub mod lookup;
pub mod pipeline;
pub mod query;
pub mod rank;
pub mod record;
pub mod repair;
pub mod segment;
pub mod serve;
pub mod status;
pub mod structure;
pub mod text;
pub mod tokenizer;
pub mod words;

pub use docnum::DocNumber;
pub use error::{Error, Result};
