//! gongbao: Chinese government gazettes (政府公报) in, a searchable,
//! validity-aware legal record out.
//!
//! The pipeline, one module per stage:
//!
//! ```text
//! PDF / .txt ──extract──▶ pages (text layer, or OCR) ──layout──▶ lines in reading order, code points folded
//!            ──clean────▶ issue text (+ offset→page map)
//!            ──segment──▶ documents (──repair──▶ 文号 OCR misread) ──structure──▶ provisions
//!            ──analyse──▶ validity windows, links
//!            ──index────▶ tantivy, change records   query ──▶ hits, records, status, changes (watch list, feed)
//! ```

pub mod analyse;
pub mod changes;
pub mod check;
pub mod clause;
pub mod clean;
pub mod clock;
pub mod dates;
pub mod docnum;
pub mod error;
pub mod export;
pub mod extract;
pub mod feed;
pub mod gongwen;
pub mod history;
pub mod index;
pub mod info;
pub mod ingest;
pub mod layout;
pub mod lookup;
pub mod pipeline;
pub mod query;
pub mod rank;
pub mod record;
pub mod repair;
pub mod resident;
pub mod runlog;
pub mod segment;
pub mod serve;
pub mod signals;
pub mod status;
pub mod storage;
pub mod stored;
pub mod structure;
pub mod text;
pub mod tokenizer;
pub mod watch;
pub mod words;

pub use docnum::DocNumber;
pub use error::{Error, Result};
