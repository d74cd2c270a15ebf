//! **feed**: changes in ([`crate::changes`]), an Atom 1.0 document out
//! (RFC 4287), for `GET /feed.atom`.
//!
//! One entry per change, in the order given (newest first): its id a tag
//! URI made of the change's stable id (the same across rebuilds and ingest
//! orders), its title the kind and the document, `updated` the time of the
//! ingest that made it known, a link to the document's page (or, for a
//! document the corpus does not hold, to its status page), the evidence in
//! the summary and the kind as a category. Text is escaped for XML, and the
//! characters XML 1.0 cannot carry (control characters a PDF may hold) are
//! dropped.

use crate::changes::{Change, ChangeKind};
use chrono::{DateTime, FixedOffset, SecondsFormat};
use std::fmt::Write;

/// The most entries a feed holds (the newest).
pub const MAX_ENTRIES: usize = 500;

/// The Atom namespace.
pub const ATOM_NS: &str = "http://www.w3.org/2005/Atom";

/// The feed's id: one for all changes, one for the watch list's.
pub fn feed_id(watched: bool) -> &'static str {
    if watched {
        "tag:gongbao,2024:changes/watched"
    } else {
        "tag:gongbao,2024:changes"
    }
}

/// An entry's id, from the change's stable id.
pub fn entry_id(c: &Change) -> String {
    format!("tag:gongbao,2024:change/{}", c.id)
}

/// The page of the document a change concerns, as a path: `/doc/{id}` when
/// the corpus holds it, else `/status?id=…` (what is known of it).
pub fn doc_path(c: &Change) -> String {
    let id = urlencoding::encode(&c.doc_id);
    if c.in_corpus {
        format!("/doc/{id}")
    } else {
        format!("/status?id={id}")
    }
}

/// A title in 《》, the 《》 inside it as 〈〉.
pub fn quoted(title: &str) -> String {
    format!("《{}》", title.replace('《', "〈").replace('》', "〉"))
}

/// `青政发〔2024〕84号《…》`: a 文号 and a title, either, or the id.
pub fn named(doc_number: Option<&str>, title: Option<&str>, id: &str) -> String {
    match (doc_number, title) {
        (Some(n), Some(t)) => format!("{n}{}", quoted(t)),
        (Some(n), None) => n.to_string(),
        (None, Some(t)) => quoted(t),
        (None, None) => id.to_string(),
    }
}

/// The document a change concerns, [`named`].
pub fn doc_name(c: &Change) -> String {
    named(c.doc_number.as_deref(), c.title.as_deref(), &c.doc_id)
}

/// An entry's title: `废止：青政发〔2024〕84号《…》`.
pub fn title_zh(c: &Change) -> String {
    format!("{}：{}", c.kind.label_zh(), doc_name(c))
}

/// What a change does, in a phrase (without who does it, nor the evidence).
pub fn effect_zh(c: &Change) -> String {
    let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_else(|| "日期未定".into());
    let provisions = if c.provisions.is_empty() { String::new() } else { format!("（{}）", c.provisions.join("、")) };
    match c.kind {
        ChangeKind::Added => match c.until {
            Some(u) => format!("新收录，{}起施行，有效期至{u}。", date(c.effective)),
            None => format!("新收录，{}起施行。", date(c.effective)),
        },
        ChangeKind::Expires => format!("有效期至{}，{}起失效。", date(c.until), date(c.effective)),
        ChangeKind::Extended => match c.until {
            Some(u) => format!("有效期延长至{u}，{}起。", date(c.effective)),
            None => format!("继续有效，未定终止日期，{}起。", date(c.effective)),
        },
        ChangeKind::Dangling => "被提及，本库未收录。".to_string(),
        k => format!("{}{provisions}，{}起。", k.label_zh(), date(c.effective)),
    }
}

/// What a change says, in a sentence (without the evidence): who does
/// what, from when.
pub fn describe_zh(c: &Change) -> String {
    match &c.by {
        Some(b) => format!("{}：{}", named(b.doc_number.as_deref(), Some(&b.title), &b.id), effect_zh(c)),
        None => effect_zh(c),
    }
}

/// Text for XML content: escaped, and without the characters XML 1.0 forbids.
pub fn xml_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(ch),
            c if (c as u32) < 0x20 || matches!(c, '\u{FFFE}' | '\u{FFFF}') => {}
            c => out.push(c),
        }
    }
    out
}

fn time(t: &DateTime<FixedOffset>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, false)
}

/// How to write a feed.
#[derive(Debug, Clone)]
pub struct FeedOptions {
    /// What links start with: `http://host:port`, or empty for relative links.
    pub base: String,
    /// The watch list's feed?
    pub watched: bool,
    /// `updated` of a feed without entries.
    pub empty_updated: DateTime<FixedOffset>,
}

/// The Atom document for `changes` (at most [`MAX_ENTRIES`], the first ones).
pub fn atom(changes: &[Change], o: &FeedOptions) -> String {
    let shown = &changes[..changes.len().min(MAX_ENTRIES)];
    let updated = shown.iter().map(|c| c.ingested).max().unwrap_or(o.empty_updated);
    let b = xml_text(&o.base);
    let self_href = if o.watched { format!("{b}/feed.atom?watched=1") } else { format!("{b}/feed.atom") };
    let page_href = if o.watched { format!("{b}/changes?watched=1") } else { format!("{b}/changes") };
    let mut x = String::new();
    let _ = write!(
        x,
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"{ATOM_NS}\" xml:lang=\"zh-CN\">\n\
         <id>{}</id>\n<title>{}</title>\n<updated>{}</updated>\n<author><name>gongbao</name></author>\n\
         <generator>gongbao</generator>\n<link rel=\"self\" type=\"application/atom+xml\" href=\"{self_href}\"/>\n\
         <link rel=\"alternate\" type=\"text/html\" href=\"{page_href}\"/>\n",
        feed_id(o.watched),
        if o.watched { "公报 · 关注文件的变化" } else { "公报 · 最近变化" },
        time(&updated)
    );
    for c in shown {
        let mut summary = describe_zh(c);
        if let Some(e) = &c.evidence {
            summary.push_str(&format!("“{e}”"));
        }
        let _ = write!(
            x,
            "<entry>\n<id>{}</id>\n<title>{}</title>\n<updated>{}</updated>\n\
             <link rel=\"alternate\" type=\"text/html\" href=\"{b}{}\"/>\n<category term=\"{}\" label=\"{}\"/>\n\
             <summary type=\"text\">{}</summary>\n</entry>\n",
            xml_text(&entry_id(c)),
            xml_text(&title_zh(c)),
            time(&c.ingested),
            xml_text(&doc_path(c)),
            c.kind.as_str(),
            c.kind.label_zh(),
            xml_text(&summary)
        );
    }
    x.push_str("</feed>\n");
    x
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::changes::DocRef;

    fn change(evidence: &str) -> Change {
        Change {
            id: "0123456789abcdef0123456789abcdef".into(),
            kind: ChangeKind::Repealed,
            doc_id: "青政发〔2024〕84号".into(),
            doc_number: Some("青政发〔2024〕84号".into()),
            title: Some("关于印发<方案> & \"清单\"的通知".into()),
            in_corpus: true,
            by: Some(DocRef {
                id: "青政发〔2024〕96号".into(),
                doc_number: Some("青政发〔2024〕96号".into()),
                title: "关于废止'方案'的通知".into(),
            }),
            effective: chrono::NaiveDate::from_ymd_opt(2024, 11, 15),
            until: None,
            provisions: vec![],
            evidence: Some(evidence.into()),
            ingested: DateTime::parse_from_rfc3339("2024-12-30T06:00:00+08:00").unwrap(),
        }
    }

    /// The feed parses as XML with what it was given, whatever the text holds.
    #[test]
    fn text_that_is_markup_or_control_characters_is_carried_safely() {
        let nasty = "决定废止《A》</summary><x>&amp; \u{c}\u{1}页眉]]>";
        let o = FeedOptions { base: "http://127.0.0.1:8080".into(), watched: false, empty_updated: change("").ingested };
        let xml = atom(&[change(nasty)], &o);
        let doc = roxmltree::Document::parse(&xml).expect("well-formed");
        let root = doc.root_element();
        assert_eq!((root.tag_name().name(), root.tag_name().namespace()), ("feed", Some(ATOM_NS)));
        let entry = root.children().find(|n| n.has_tag_name((ATOM_NS, "entry"))).unwrap();
        let text = |name: &str| entry.children().find(|n| n.has_tag_name((ATOM_NS, name))).and_then(|n| n.text()).unwrap_or("").to_string();
        assert!(text("summary").contains("决定废止《A》</summary><x>&amp; 页眉]]>"), "{}", text("summary"));
        assert_eq!(text("title"), "废止：青政发〔2024〕84号《关于印发<方案> & \"清单\"的通知》");
        assert_eq!(text("id"), "tag:gongbao,2024:change/0123456789abcdef0123456789abcdef");
        let link = entry.children().find(|n| n.has_tag_name((ATOM_NS, "link"))).unwrap();
        assert_eq!(
            link.attribute("href"),
            Some(format!("http://127.0.0.1:8080/doc/{}", urlencoding::encode("青政发〔2024〕84号")).as_str())
        );
        // An empty feed is a feed too.
        let empty = atom(&[], &o);
        let doc = roxmltree::Document::parse(&empty).unwrap();
        assert_eq!(doc.root_element().children().filter(|n| n.has_tag_name((ATOM_NS, "entry"))).count(), 0);
    }
}
