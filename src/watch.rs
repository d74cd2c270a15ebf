//! **watch**: the documents a user relies on. In: ids as a user types them
//! (a 文号 in any bracket variant, or a title in 《》). Out: the watch list,
//! and whether a change concerns a watched document.
//!
//! The list is kept beside the index, in `INDEX/watch.json`, with the run
//! log and the kept exports: tantivy never reads it, `rebuild` (also
//! `rebuild --from`) carries it over, an ingest never blocks it. It is
//! rewritten whole (a temporary file renamed into place) under a lock
//! (`INDEX/.watch.lock`), so two `watch add` at once lose nothing. A 文号
//! the corpus does not hold is kept as typed (canonical brackets) and
//! matched by the changes that name it, its own arrival (`added`) included;
//! a title matches a change whose document has that title, its instrument's
//! or the one its wrapper's title names.

use crate::changes::Change;
use crate::docnum::DocNumber;
use crate::index::GongbaoIndex;
use crate::status::Status;
use crate::storage::WATCH_FILE;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Why the watch list could not be read, written or added to.
#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    #[error("'{0}' is neither a 文号 (青政发〔2024〕74号, in any brackets) nor a title in 《》")]
    NotAnId(String),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: not a watch list ({reason}); remove it or put it right")]
    Unreadable { path: PathBuf, reason: String },
}

/// One watched document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WatchItem {
    /// A canonical 文号, or `《title》`.
    pub id: String,
    /// When it was added.
    pub added: NaiveDate,
}

impl WatchItem {
    /// The title watched, for a `《title》` item.
    pub fn title(&self) -> Option<&str> {
        self.id.strip_prefix('《').and_then(|r| r.strip_suffix('》'))
    }

    /// Does change `c` concern this document? `keys`: the title keys of
    /// the document `c` changes, when the corpus holds it.
    pub fn matches(&self, c: &Change, keys: &[String]) -> bool {
        match self.title() {
            Some(t) => {
                let k = crate::text::title_key(t);
                keys.contains(&k)
                    || c.title.as_deref().is_some_and(|x| crate::text::title_key(x) == k)
                    || c.doc_id == crate::index::title_target_term(t)
            }
            None => c.doc_number.as_deref() == Some(self.id.as_str()) || c.doc_id == self.id,
        }
    }
}

/// The watch list (`INDEX/watch.json`: `{"watch": [{"id", "added"}]}`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WatchList {
    pub watch: Vec<WatchItem>,
}

impl WatchList {
    /// The list of the index in `dir` (empty when there is none).
    pub fn load(dir: &Path) -> Result<WatchList, WatchError> {
        let path = dir.join(WATCH_FILE);
        match std::fs::read_to_string(&path) {
            Ok(t) => serde_json::from_str(&t).map_err(|e| WatchError::Unreadable { path, reason: e.to_string() }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(WatchList::default()),
            Err(source) => Err(WatchError::Io { path, source }),
        }
    }

    /// Does change `c` concern a watched document? (`keys`: see [`WatchItem::matches`].)
    pub fn matches(&self, c: &Change, keys: &[String]) -> bool {
        self.watch.iter().any(|w| w.matches(c, keys))
    }

    pub fn is_empty(&self) -> bool {
        self.watch.is_empty()
    }
}

/// Read a watched id as typed: a 文号 in any bracket variant (canonical
/// out), or `《title》`.
pub fn parse_id(s: &str) -> Result<String, WatchError> {
    let t = s.trim();
    if let Some(inner) = t.strip_prefix('《').and_then(|r| r.strip_suffix('》')) {
        let inner = inner.trim();
        if !inner.is_empty() && !inner.contains(['《', '》']) {
            return Ok(format!("《{inner}》"));
        }
    }
    DocNumber::parse(t).map(|d| d.to_string()).ok_or_else(|| WatchError::NotAnId(s.to_string()))
}

/// Hold the watch list's lock while `f` reads and rewrites it.
fn locked<T>(dir: &Path, f: impl FnOnce() -> Result<T, WatchError>) -> Result<T, WatchError> {
    use std::os::unix::io::AsRawFd;
    let io = |path: &Path, source| WatchError::Io { path: path.to_owned(), source };
    std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
    let lock_path = dir.join(".watch.lock");
    let lock = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(&lock_path).map_err(|e| io(&lock_path, e))?;
    // SAFETY: flock on a file descriptor we own; released when `lock` is closed.
    if unsafe { libc::flock(lock.as_raw_fd(), libc::LOCK_EX) } != 0 {
        return Err(io(&lock_path, std::io::Error::last_os_error()));
    }
    let r = f();
    drop(lock);
    r
}

/// Write the list whole: a temporary file, synced, renamed into place.
fn save(dir: &Path, list: &WatchList) -> Result<(), WatchError> {
    let path = dir.join(WATCH_FILE);
    let tmp = dir.join(format!(".{WATCH_FILE}.partial"));
    let io = |p: &Path, source| WatchError::Io { path: p.to_owned(), source };
    let text = serde_json::to_string_pretty(list).map_err(|e| WatchError::Unreadable { path: path.clone(), reason: e.to_string() })?;
    let mut f = std::fs::File::create(&tmp).map_err(|e| io(&tmp, e))?;
    f.write_all(text.as_bytes()).and_then(|_| f.write_all(b"\n")).and_then(|_| f.sync_all()).map_err(|e| io(&tmp, e))?;
    std::fs::rename(&tmp, &path).map_err(|e| io(&path, e))
}

/// Add `ids` to the list of the index in `dir` (created if need be), on
/// `today`. Returns the ids added and those already watched (canonical).
/// Nothing is written if one id cannot be read.
pub fn add(dir: &Path, ids: &[String], today: NaiveDate) -> Result<(Vec<String>, Vec<String>), WatchError> {
    let wanted: Vec<String> = ids.iter().map(|i| parse_id(i)).collect::<Result<_, _>>()?;
    locked(dir, || {
        let mut list = WatchList::load(dir)?;
        let (mut added, mut already) = (Vec::new(), Vec::new());
        for id in wanted {
            if list.watch.iter().any(|w| w.id == id) || added.contains(&id) {
                already.push(id);
            } else {
                list.watch.push(WatchItem { id: id.clone(), added: today });
                added.push(id);
            }
        }
        if !added.is_empty() {
            save(dir, &list)?;
        }
        Ok((added, already))
    })
}

/// Remove `ids` from the list. Returns the ids removed and those not watched.
pub fn remove(dir: &Path, ids: &[String]) -> Result<(Vec<String>, Vec<String>), WatchError> {
    let wanted: Vec<String> = ids.iter().map(|i| parse_id(i)).collect::<Result<_, _>>()?;
    if !dir.join(WATCH_FILE).exists() {
        return Ok((vec![], wanted));
    }
    locked(dir, || {
        let mut list = WatchList::load(dir)?;
        let (mut removed, mut absent) = (Vec::new(), Vec::new());
        for id in wanted {
            let before = list.watch.len();
            list.watch.retain(|w| w.id != id);
            if list.watch.len() < before {
                removed.push(id);
            } else {
                absent.push(id);
            }
        }
        if !removed.is_empty() {
            save(dir, &list)?;
        }
        Ok((removed, absent))
    })
}

/// A watched document as `watch list` shows it.
#[derive(Debug, Clone, Serialize)]
pub struct WatchEntry {
    pub id: String,
    /// `doc_number` or `title`.
    pub kind: &'static str,
    pub added: NaiveDate,
    /// Does the corpus hold it now?
    pub in_corpus: bool,
    /// Its id in the corpus, its title and its status today, when known.
    pub doc_id: Option<String>,
    pub title: Option<String>,
    pub status: Option<Status>,
}

/// The list with what the index (if there is one) knows of each item today.
pub fn describe(list: &WatchList, ix: Option<&GongbaoIndex>, today: NaiveDate) -> crate::Result<Vec<WatchEntry>> {
    let reader = ix.map(|i| i.reader()).transpose()?;
    let searcher = reader.as_ref().map(|r| r.searcher());
    let mut out = Vec::new();
    for w in &list.watch {
        let mut e = WatchEntry {
            id: w.id.clone(),
            kind: if w.title().is_some() { "title" } else { "doc_number" },
            added: w.added,
            in_corpus: false,
            doc_id: None,
            title: w.title().map(str::to_string),
            status: None,
        };
        if let (Some(ix), Some(s)) = (ix, searcher.as_ref()) {
            let r = crate::status::status(ix, s, &w.id, today)?;
            if r.approximate.is_none() {
                e.in_corpus = r.known_in_corpus;
                e.doc_id = Some(r.id.clone());
                e.title = r.title.clone().or(e.title);
                e.status = Some(r.status);
            }
        }
        out.push(e);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_read_in_any_bracket_variant_or_as_titles() {
        assert_eq!(parse_id("青政发[2024]74号").unwrap(), "青政发〔2024〕74号");
        assert_eq!(parse_id(" 青政发（2024）74号 ").unwrap(), "青政发〔2024〕74号");
        assert_eq!(parse_id("《青县政府投资信息化项目管理办法（暂行）》").unwrap(), "《青县政府投资信息化项目管理办法（暂行）》");
        assert!(matches!(parse_id("青县政府投资信息化项目管理办法"), Err(WatchError::NotAnId(_))));
        assert!(parse_id("《》").is_err());
    }

    #[test]
    fn add_and_remove_keep_the_list_whole() {
        let dir = tempfile::tempdir().unwrap();
        let d = NaiveDate::from_ymd_opt(2024, 10, 8).unwrap();
        let (a, b) = add(dir.path(), &["青政发[2024]74号".into(), "《某办法》".into()], d).unwrap();
        assert_eq!((a.len(), b.len()), (2, 0));
        let (a, b) = add(dir.path(), &["青政发〔2024〕74号".into()], d).unwrap();
        assert_eq!((a.len(), b), (0, vec!["青政发〔2024〕74号".to_string()]));
        assert!(add(dir.path(), &["青政发〔2024〕75号".into(), "nonsense".into()], d).is_err());
        assert_eq!(WatchList::load(dir.path()).unwrap().watch.len(), 2, "nothing written when one id is bad");
        let (r, absent) = remove(dir.path(), &["青政发（2024）74号".into(), "青政发〔2024〕9号".into()]).unwrap();
        assert_eq!((r, absent), (vec!["青政发〔2024〕74号".to_string()], vec!["青政发〔2024〕9号".to_string()]));
        assert_eq!(WatchList::load(dir.path()).unwrap().watch, vec![WatchItem { id: "《某办法》".into(), added: d }]);
        std::fs::write(dir.path().join(WATCH_FILE), "garbage").unwrap();
        assert!(matches!(WatchList::load(dir.path()), Err(WatchError::Unreadable { .. })));
    }
}
