//! **stored**: how an index entry keeps its record in tantivy's doc store.
//!
//! In: a [`StoredRecord`]; out: the values its entry stores, and back.
//!
//! A record is kept as zstd-compressed JSON in the bytes field `record`, so
//! that showing a search hit never decompresses or parses it: a document's
//! entry also stores its text (the `body` field, indexed too), its clauses
//! and a [`HitSummary`] (the `hit` field, a few hundred bytes of JSON). A
//! document's own `text` is left out of its compressed JSON and put back
//! from `body` on reading, so the text is stored once. (Text and clauses stay
//! strings: tantivy reads a stored bytes value byte by byte, 23 instructions
//! a byte against 16 for checking a string's UTF-8.)
//!
//! Measured on the 100-issue benchmark corpus (`bench/`) with callgrind,
//! this cut a search's instructions by a third against parsing the whole
//! record, which repeats the text in its provisions (18.5 KB of JSON per
//! document against 7.6 KB of text).
//!
//! Indexes of the previous schema kept the record as JSON text; [`record_of`]
//! reads both, so `gongbao rebuild` migrates them.

use crate::index::StoredRecord;
use crate::record::DocumentRecord;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use tantivy::schema::{Field, Value};
use tantivy::TantivyDocument;

/// zstd level of a record (level 3 is zstd's default: a document's JSON,
/// 18.5 KB on average, compresses to 3.7 KB without its text).
const LEVEL: i32 = 3;

/// What a search hit shows of a document, stored beside its record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HitSummary {
    pub id: String,
    pub doc_number: Option<String>,
    pub title: String,
    pub issuer: Vec<String>,
    pub signed_date: Option<NaiveDate>,
    pub effective_from: Option<NaiveDate>,
    pub effective_until: Option<NaiveDate>,
}

impl HitSummary {
    pub fn of(doc: &DocumentRecord) -> HitSummary {
        HitSummary {
            id: doc.id.clone(),
            doc_number: doc.doc_number.as_ref().map(|d| d.to_string()),
            title: doc.title.clone(),
            issuer: doc.issuer.clone(),
            signed_date: doc.signed_date,
            effective_from: doc.validity.effective_from,
            effective_until: doc.validity.effective_until,
        }
    }

    /// The JSON stored in the `hit` field.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    pub fn from_json(json: &str) -> Option<HitSummary> {
        serde_json::from_str(json).ok()
    }
}

/// A record as its entry stores it: compressed JSON. A document's text is
/// left out (its entry stores it in `body`) and serves as the compression
/// dictionary (zstd "raw content"), so its provisions' texts, which repeat
/// it, cost a few bytes each: 910 bytes a document on the benchmark corpus,
/// against 3,683 compressed alone.
pub fn pack(record: &StoredRecord) -> Vec<u8> {
    match record {
        StoredRecord::Document(doc) => pack_document(doc),
        other => compress(&serde_json::to_vec(other).unwrap_or_default(), &[]),
    }
}

/// [`pack`] of a document record (borrowed: no copy of it is made to store it).
pub fn pack_document(doc: &DocumentRecord) -> Vec<u8> {
    let without_text = DocumentRecord { text: String::new(), ..doc.clone() };
    compress(&serde_json::to_vec(&StoredRecord::Document(Box::new(without_text))).unwrap_or_default(), doc.text.as_bytes())
}

fn compress(json: &[u8], dictionary: &[u8]) -> Vec<u8> {
    zstd::bulk::Compressor::with_dictionary(LEVEL, dictionary).and_then(|mut c| c.compress(json)).unwrap_or_default()
}

/// The record of [`pack`]: `text` is the `body` a document's entry stores
/// (`None` for the other entries), the dictionary and the text put back.
pub fn unpack(packed: &[u8], text: Option<&str>) -> Option<StoredRecord> {
    let dictionary = text.unwrap_or("").as_bytes();
    let size = zstd::bulk::Decompressor::upper_bound(packed)?;
    let json = zstd::bulk::Decompressor::with_dictionary(dictionary).and_then(|mut d| d.decompress(packed, size)).ok()?;
    let mut record: StoredRecord = serde_json::from_slice(&json).ok()?;
    if let (StoredRecord::Document(doc), Some(text)) = (&mut record, text) {
        doc.text = text.to_string();
    }
    Some(record)
}

/// The record an entry stores, whichever schema wrote it: `record` as
/// compressed bytes (this one, a document's text from `body`), or as JSON
/// text (the previous one, text included, `body` not stored).
pub fn record_of(entry: &TantivyDocument, record: Field, body: Option<Field>) -> Option<StoredRecord> {
    let v = entry.get_first(record)?;
    if let Some(bytes) = v.as_bytes() {
        let text = body.and_then(|f| entry.get_first(f)).and_then(|t| t.as_str());
        return unpack(bytes, text);
    }
    serde_json::from_str(v.as_str()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> DocumentRecord {
        let text = "青岚县人民政府关于印发《青岚县社区食堂管理办法》的通知\n青政发〔2024〕7号\n各乡镇人民政府，县政府各部门：\n\
                    现将《青岚县社区食堂管理办法》印发给你们，请认真贯彻执行。\n青岚县人民政府\n2024年3月1日\n\
                    青岚县社区食堂管理办法\n第一章 总则\n第一条 为推进社区食堂建设，方便老年人就餐，制定本办法。\n\
                    第二条 本办法适用于本县行政区域内社区食堂的建设和运营。\n第二章 附则\n第三条 本办法自公布之日起施行。\n";
        let parsed = crate::pipeline::parse_text(text, "qinglan-2024-01.txt");
        parsed.documents.into_iter().find(|d| !d.provisions.is_empty()).expect("a document with provisions")
    }

    #[test]
    fn a_document_packs_without_its_text_and_unpacks_whole() {
        let doc = sample();
        let packed = pack(&StoredRecord::Document(Box::new(doc.clone())));
        let size = zstd::bulk::Decompressor::upper_bound(&packed).unwrap();
        let json = zstd::bulk::Decompressor::with_dictionary(doc.text.as_bytes()).unwrap().decompress(&packed, size).unwrap();
        let inner: StoredRecord = serde_json::from_slice(&json).unwrap();
        let StoredRecord::Document(inner) = inner else { panic!("not a document") };
        assert!(inner.text.is_empty(), "the text is stored once, in body");
        // The provisions' texts cost little against the text as dictionary.
        let alone = zstd::bulk::compress(&json, LEVEL).unwrap().len();
        assert!(packed.len() * 4 < alone * 3, "against the text {} bytes, alone {alone} of {}", packed.len(), json.len());
        let Some(StoredRecord::Document(back)) = unpack(&packed, Some(&doc.text)) else { panic!("unpacked") };
        assert_eq!(serde_json::to_value(&*back).unwrap(), serde_json::to_value(&doc).unwrap());
    }

    #[test]
    fn an_issue_and_a_document_without_text_round_trip() {
        let mut doc = sample();
        doc.text = String::new();
        let Some(StoredRecord::Document(back)) = unpack(&pack(&StoredRecord::Document(Box::new(doc.clone()))), Some("")) else {
            panic!("unpacked")
        };
        assert_eq!(back.id, doc.id);
        let ingested = chrono::DateTime::parse_from_rfc3339("2026-12-02T10:00:00+08:00").unwrap();
        let changes = crate::changes::ChangeSet { ingested, part: None, changes: Vec::new() };
        assert!(matches!(unpack(&pack(&StoredRecord::Changes(changes)), None), Some(StoredRecord::Changes(_))));
    }

    #[test]
    fn garbage_is_no_record() {
        assert!(unpack(b"not zstd", None).is_none());
        assert!(unpack(&zstd::bulk::compress(b"{\"kind\":\"nope\"}", 3).unwrap(), None).is_none());
    }
}
