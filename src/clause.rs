//! **clause**: a document record in, the units that clause search ranks out.
//!
//! A document's clauses partition its text: the preamble (what stands
//! before the first provision — a notice's own text, a regulation's title
//! and history — or the whole text when the parser found no provision),
//! then every provision's own span, except that an article (条) keeps its
//! items (项, 目): the article is the unit a lawyer cites and reads. Each
//! clause knows the clause it sits under (an article its chapter, an item
//! of a plan its section), whose heading gives it context.
//!
//! Provisions are located in the document's text in order, comparing only
//! the characters the index keeps (no punctuation, widths folded): the
//! parser normalises labels (`(一)` → `（一）`) but keeps their lines.

use crate::record::DocumentRecord;
use crate::structure::{Provision, ProvisionKind};
use crate::tokenizer::{fold_char, indexed};
use serde::{Deserialize, Serialize};

/// The path of a document's preamble clause (`青政发〔2024〕74号/正文`).
pub const PREAMBLE: &str = "正文";

/// One clause of a document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Clause {
    /// A provision's id, or `<document id>/正文` for the preamble.
    pub id: String,
    /// `None` for the preamble.
    pub kind: Option<ProvisionKind>,
    /// The label as printed (`第十五条`, `（一）`), `正文` for the preamble.
    pub label: String,
    pub heading: Option<String>,
    pub page: u32,
    /// Byte range in the document's text.
    pub start: usize,
    pub end: usize,
    /// Index of the clause this one sits under.
    pub parent: Option<usize>,
}

impl Clause {
    /// The clause's text (a slice of the document's text).
    pub fn text<'a>(&self, doc_text: &'a str) -> &'a str {
        doc_text.get(self.start..self.end).unwrap_or("")
    }
}

/// The characters the index keeps, folded, as a string.
fn keyed(s: &str) -> String {
    s.chars().filter(|c| indexed(*c)).map(fold_char).collect()
}

/// Byte offset of every provision (preorder) in `text`: the start of the
/// first line, at or after the previous provision's, that begins with the
/// provision's label and first words. `None` when not found (the
/// provision's text then stays with the clause before it).
fn locate(text: &str, provisions: &[&Provision]) -> Vec<Option<usize>> {
    let mut line_starts: Vec<usize> = vec![0];
    line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1).filter(|&i| i < text.len()));
    let mut next_line = 0;
    let mut out = Vec::with_capacity(provisions.len());
    for p in provisions {
        let first_line = p.text.lines().next().unwrap_or("");
        let want: String = keyed(&format!("{}{first_line}", p.label)).chars().take(24).collect();
        let label_len = keyed(&p.label).chars().count();
        let mut found = None;
        for j in next_line..line_starts.len() {
            let end = line_starts.get(j + 1).copied().unwrap_or(text.len());
            let line = keyed(&text[line_starts[j]..end]);
            let ok = line.starts_with(&want) || (!line.is_empty() && line.chars().count() >= label_len && want.starts_with(&line));
            if ok && !want.is_empty() {
                found = Some(line_starts[j]);
                next_line = j + 1;
                break;
            }
        }
        out.push(found);
    }
    out
}

/// The clauses of a document, in text order.
pub fn clauses(doc: &DocumentRecord) -> Vec<Clause> {
    // Preorder with each provision's nearest article ancestor and parent.
    struct Node<'a> {
        p: &'a Provision,
        in_article: bool,
        parent: Option<usize>,
    }
    fn walk<'a>(ps: &'a [Provision], parent: Option<usize>, in_article: bool, out: &mut Vec<Node<'a>>) {
        for p in ps {
            let me = out.len();
            out.push(Node { p, in_article, parent });
            walk(&p.children, Some(me), in_article || p.kind == ProvisionKind::Article, out);
        }
    }
    let mut nodes = Vec::new();
    walk(&doc.provisions, None, false, &mut nodes);
    let provs: Vec<&Provision> = nodes.iter().map(|n| n.p).collect();
    let starts = locate(&doc.text, &provs);
    let mut out: Vec<Clause> = Vec::new();
    let first = starts.iter().flatten().next().copied().unwrap_or(doc.text.len());
    if first > 0 && doc.text[..first].chars().any(indexed) || nodes.is_empty() {
        out.push(Clause {
            id: format!("{}/{PREAMBLE}", doc.id),
            kind: None,
            label: PREAMBLE.into(),
            heading: None,
            page: doc.pages[0],
            start: 0,
            end: first,
            parent: None,
        });
    }
    // node index → clause index, for parents.
    let mut clause_of: Vec<Option<usize>> = vec![None; nodes.len()];
    for (i, (n, s)) in nodes.iter().zip(&starts).enumerate() {
        let Some(s) = *s else { continue };
        if n.in_article {
            continue;
        }
        // The nearest ancestor that is a clause.
        let mut a = n.parent;
        let parent = loop {
            match a {
                Some(k) if clause_of[k].is_some() => break clause_of[k],
                Some(k) => a = nodes[k].parent,
                None => break None,
            }
        };
        clause_of[i] = Some(out.len());
        out.push(Clause {
            id: n.p.id.clone(),
            kind: Some(n.p.kind),
            label: n.p.label.clone(),
            heading: n.p.heading.clone(),
            page: n.p.page,
            start: s,
            end: doc.text.len(),
            parent,
        });
    }
    // Each clause ends where the next begins.
    for i in 1..out.len() {
        let next = out[i].start;
        out[i - 1].end = next.max(out[i - 1].start);
    }
    out
}

/// The preamble clause `id` (`<document id>/正文`) as a provision's JSON
/// (`kind` `preamble`), for `show` and the API; `None` for any other id.
pub fn preamble_json(doc: &DocumentRecord, id: &str) -> Option<serde_json::Value> {
    let c = clauses(doc).into_iter().find(|c| c.id == id && c.kind.is_none())?;
    Some(serde_json::json!({
        "id": c.id, "kind": "preamble", "label": c.label, "heading": null,
        "text": c.text(&doc.text).trim_end(), "page": c.page, "children": []
    }))
}

/// The clause of `clauses` that holds byte offset `at` of the text.
pub fn clause_at(clauses: &[Clause], at: usize) -> Option<usize> {
    clauses.iter().rposition(|c| c.start <= at)
}

/// The clause a provision belongs to: itself, or the article it is an item of.
pub fn clause_of_provision(clauses: &[Clause], provision_id: &str) -> Option<usize> {
    clauses
        .iter()
        .position(|c| c.id == provision_id)
        .or_else(|| clauses.iter().rposition(|c| provision_id.starts_with(&format!("{}/", c.id))))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> DocumentRecord {
        let mut d: DocumentRecord = serde_json::from_value(serde_json::json!({
            "id": "D", "doc_number": null, "issuer": [], "title": "T", "doc_type": null, "addressees": null,
            "signed_date": null, "issue": {"id": "I", "published": null}, "pages": [3, 4], "order": 1,
            "instrument": null, "provisions": [], "validity": {"effective_from": null, "effective_until": null,
            "basis": "default", "provisional": false, "evidence": []}, "campaign": null, "links": [], "text": text
        }))
        .unwrap();
        d.provisions = crate::structure::provisions_of_text("D", text);
        d
    }

    #[test]
    fn preamble_articles_with_their_items_and_chapters() {
        let text = "某某办法\n2004年8月19日通过\n第一章 总则\n第一条 为了规范管理，制定本办法。\n第二条 设置条件如下：\n(一)符合规划；\n(二)具有场所。\n第二章 附则\n第三条 本办法自公布之日起施行。";
        let d = doc(text);
        let cs = clauses(&d);
        let ids: Vec<&str> = cs.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["D/正文", "D/第一章", "D/第一章/第一条", "D/第一章/第二条", "D/第二章", "D/第二章/第三条"]);
        assert_eq!(cs[0].text(text), "某某办法\n2004年8月19日通过\n");
        assert!(cs[3].text(text).contains("(二)具有场所。"), "{:?}", cs[3].text(text));
        assert_eq!(cs[2].parent, Some(1));
        assert_eq!(cs[0].page, 3);
        // The clauses cover the text, in order.
        assert_eq!(cs.iter().map(|c| c.text(text)).collect::<String>(), text);
        assert_eq!(clause_of_provision(&cs, "D/第一章/第二条/（二）"), Some(3));
        assert_eq!(clause_at(&cs, text.find("符合").unwrap()), Some(3));
    }

    #[test]
    fn a_notice_without_provisions_is_one_clause() {
        let text = "关于延长有效期的通知\n经评估需继续实施，有效期延长至2027年12月31日。";
        let cs = clauses(&doc(text));
        assert_eq!(cs.len(), 1);
        assert_eq!((cs[0].label.as_str(), cs[0].start, cs[0].end), (PREAMBLE, 0, text.len()));
    }

    #[test]
    fn plan_items_are_clauses_under_their_sections() {
        let text = "一、指导思想\n以人民为中心。\n二、主要任务\n（一）建设要求\n1.选址标准。社区食堂以500米为服务半径。";
        let cs = clauses(&doc(text));
        let ids: Vec<&str> = cs.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["D/一", "D/二", "D/二/（一）", "D/二/（一）/1"]);
        assert_eq!(cs[3].parent, Some(2));
        assert_eq!(cs[2].parent, Some(1));
    }
}
