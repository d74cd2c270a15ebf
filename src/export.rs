//! **export**: an index's stored records in, JSON Lines out — to any writer
//! (`gongbao export`), or as the export kept beside the index after each
//! successful ingest: `<index>/exports/export-<UTC time>.jsonl`, the newest
//! N kept (`ingest --keep-export N`, default 1), each written to a hidden
//! `.partial` file first and renamed into place when complete, so a kept
//! export is always whole. `gongbao rebuild --from` restores the index from
//! one; tantivy never reads or deletes these files.

use crate::error::{Error, Result};
use crate::index::{for_each_record, GongbaoIndex, StoredRecord};
use crate::storage::{self, EXPORT_DIR};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Write every stored record of `ix` as one JSON line each. Returns the
/// number of records. A failed write ends the export with that error.
pub fn write_jsonl(ix: &GongbaoIndex, out: &mut impl Write) -> Result<usize> {
    let mut n = 0;
    let mut failed: Option<std::io::Error> = None;
    for_each_record(&ix.index, &ix.dir, |r: StoredRecord| {
        if failed.is_none() {
            match serde_json::to_writer(&mut *out, &r).map_err(std::io::Error::from).and_then(|_| out.write_all(b"\n")) {
                Ok(()) => n += 1,
                Err(e) => failed = Some(e),
            }
        }
    })?;
    match failed {
        Some(source) => Err(Error::Io { path: PathBuf::from("<export>"), source }),
        None => Ok(n),
    }
}

/// Counts what would have been written after the file system refused more:
/// the size a complete export needs.
struct Sink<W: Write> {
    inner: W,
    written: u64,
    wanted: u64,
    error: Option<std::io::Error>,
}

impl<W: Write> Write for Sink<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.wanted += buf.len() as u64;
        if self.error.is_none() {
            match self.inner.write_all(buf) {
                Ok(()) => self.written += buf.len() as u64,
                Err(e) => self.error = Some(e),
            }
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        if self.error.is_none() {
            if let Err(e) = self.inner.flush() {
                self.error = Some(e);
            }
        }
        Ok(())
    }
}

/// Is the newest kept export at least as new as the index's last commit?
pub fn is_current(dir: &Path) -> bool {
    let mtime = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    match (storage::latest_export(dir).as_deref().and_then(mtime), mtime(&dir.join("meta.json"))) {
        (Some(e), Some(m)) => e >= m,
        _ => false,
    }
}

/// Write the export of `ix` beside it and keep the newest `keep` exports
/// (0: keep none, and remove those there are). Returns the new export.
/// Out of space, the partial file is removed, the older exports stay, and
/// the error says how much a complete export needs.
pub fn keep(ix: &GongbaoIndex, keep: usize) -> Result<Option<PathBuf>> {
    let dir = ix.dir.join(EXPORT_DIR);
    let io = |path: &Path, source| Error::Io { path: path.to_owned(), source };
    if keep == 0 {
        for p in storage::exports(&ix.dir) {
            std::fs::remove_file(&p).map_err(|e| io(&p, e))?;
        }
        return Ok(None);
    }
    std::fs::create_dir_all(&dir).map_err(|e| io(&dir, e))?;
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ").to_string();
    let mut name = format!("export-{stamp}.jsonl");
    let mut k = 1;
    while dir.join(&name).exists() {
        k += 1;
        name = format!("export-{stamp}-{k}.jsonl");
    }
    let path = dir.join(&name);
    let partial = dir.join(format!(".{name}.partial"));
    let file = std::fs::File::create(&partial).map_err(|e| {
        if storage::io_out_of_space(&e) {
            storage::disk_full(&ix.dir, None, &format!("writing the export{}", storage::size_limit_note(&e)))
        } else {
            io(&partial, e)
        }
    })?;
    let mut sink = Sink { inner: std::io::BufWriter::with_capacity(1 << 20, file), written: 0, wanted: 0, error: None };
    let counted = write_jsonl(ix, &mut sink);
    let _ = sink.flush();
    let wanted = sink.wanted;
    let failure = match counted {
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            return Err(e);
        }
        Ok(_) => sink.error.take().or_else(|| match sink.inner.into_inner() {
            Ok(f) => f.sync_all().err(),
            Err(e) => Some(e.into_error()),
        }),
    };
    if let Some(e) = failure {
        let _ = std::fs::remove_file(&partial);
        return Err(if storage::io_out_of_space(&e) {
            // The whole export, a tenth more for growth, and a MiB of slack.
            let what = format!("writing the export{}", storage::size_limit_note(&e));
            storage::disk_full(&ix.dir, Some(wanted + wanted / 10 + (1 << 20)), &what)
        } else {
            io(&partial, e)
        });
    }
    std::fs::rename(&partial, &path).map_err(|e| io(&path, e))?;
    if let Ok(d) = std::fs::File::open(&dir) {
        let _ = d.sync_all();
    }
    // Rotate: the newest `keep` stay; leftovers of interrupted exports go.
    let all = storage::exports(&ix.dir);
    for old in all.iter().take(all.len().saturating_sub(keep)) {
        std::fs::remove_file(old).map_err(|e| io(old, e))?;
    }
    if let Ok(rd) = std::fs::read_dir(&dir) {
        for e in rd.filter_map(|e| e.ok()) {
            let n = e.file_name().to_string_lossy().into_owned();
            if n.ends_with(".partial") && e.path() != partial {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
    Ok(Some(path))
}
