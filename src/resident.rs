//! **resident**: the index's memory maps in, their pages out of the
//! process's resident memory while an ingest reads the whole index.
//!
//! tantivy reads its files through memory maps (`MmapDirectory`), and a page
//! of a map, once read, counts in the process's resident set until the map
//! goes. An ingest reads the whole index more than once — each merge reads
//! the segments it merges (the final one, all of them: 160 MB at 1,000
//! issues), change detection reads the records of the documents it brings
//! and of those that link to them, the export reads every record — and the
//! maps stay while the merge or the reader does: without more, its peak
//! memory grew with the index (378 MiB at 1,000 issues, 185 at 100). The
//! merges happen inside tantivy, so no reading of ours in smaller pieces can
//! bound them.
//!
//! A [`Releaser`] is a thread that looks, every [`PERIOD`], at how much of
//! the process's resident memory is file pages (`/proc/self/statm`), and
//! once that has grown by [`SLACK`] tells the kernel that the pages of every
//! map the index's directory holds open are not needed
//! (`madvise(MADV_DONTNEED)`). For a read-only shared map of a file that
//! only takes the pages out of the process's page tables: they stay in the
//! page cache, and the next read of one maps it again (a minor fault, no
//! disk read). What stays resident of the maps is about [`SLACK`] and what
//! was read in the last period (a merge copies a segment's whole store in
//! one write: 70 MB at 1,000 issues, at several hundred MB a second). Each
//! map is held (an `Arc` from the directory's cache) while it is advised, so
//! the range advised is always that map's, never memory that a map just let
//! go of and something else took.

use std::sync::mpsc;
use std::time::Duration;
use tantivy::directory::{Directory, MmapDirectory};

/// How often the releaser looks at the process's file pages (a read of
/// `/proc/self/statm`).
pub const PERIOD: Duration = Duration::from_millis(5);

/// How much the process's resident file pages may grow before the maps'
/// pages are given back (giving back is one `madvise` per map: a hundred or
/// more maps while an ingest merges).
pub const SLACK: u64 = 8 << 20;

/// The thread that keeps the pages of `dir`'s maps out of resident memory;
/// it stops when dropped.
pub struct Releaser {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Releaser {
    /// Start giving back the pages of `dir`'s maps `period` from now, then
    /// whenever, looked at every `period`, the process's resident file
    /// pages have grown by more than `slack` bytes since (every time, where
    /// `/proc/self/statm` cannot be read). Where the thread cannot be
    /// started, nothing is given back (the ingest works the same, with more
    /// memory).
    pub fn start(dir: MmapDirectory, period: Duration, slack: u64) -> Releaser {
        let (stop, stopped) = mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("gongbao-release-maps".into())
            .spawn(move || {
                // Given back at the first look, then as they grow.
                let mut floor = None;
                while let Err(mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(period) {
                    let now = file_resident();
                    if matches!((now, floor), (Some(n), Some(f)) if n <= f + slack) {
                        continue;
                    }
                    release(&dir);
                    floor = file_resident();
                }
            })
            .ok();
        Releaser { stop: Some(stop), thread }
    }
}

impl Drop for Releaser {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The process's resident file pages (and shared memory), in bytes.
fn file_resident() -> Option<u64> {
    // statm: size resident shared text lib data dt, in pages.
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let shared: u64 = statm.split_whitespace().nth(2)?.parse().ok()?;
    Some(shared * page_size()? as u64)
}

fn page_size() -> Option<usize> {
    // SAFETY: sysconf has no preconditions.
    match unsafe { libc::sysconf(libc::_SC_PAGESIZE) } {
        p if p > 0 => Some(p as usize),
        _ => None,
    }
}

/// Give back the pages of every map `dir` holds open now.
pub fn release(dir: &MmapDirectory) {
    for path in dir.get_cache_info().mmapped {
        // The map itself (a hit in the directory's cache; a map let go of
        // since is opened again, and nothing of it is read), held while advised.
        let Ok(handle) = dir.get_file_handle(&path) else { continue };
        let Ok(bytes) = handle.read_bytes(0..handle.len()) else { continue };
        dont_need(bytes.as_slice());
    }
}

/// `madvise(MADV_DONTNEED)` over the pages of `bytes`, which must be (part
/// of) one read-only shared map of a file: its content stays the file's.
fn dont_need(bytes: &[u8]) {
    let Some(page) = page_size() else { return };
    if bytes.is_empty() {
        return;
    }
    // A map is whole pages: the pages that hold the first and the last byte
    // of `bytes`, and those between, are all of its map.
    let start = bytes.as_ptr() as usize;
    let first = start / page * page;
    let end = (start + bytes.len()).div_ceil(page) * page;
    // SAFETY: [first, end) are pages of the map `bytes` lies in, which the
    // caller keeps mapped for the call; MADV_DONTNEED on a read-only shared
    // file map changes no byte of it (the pages are read from the file
    // again when next touched). An error (EINVAL for a map the kernel
    // cannot advise) leaves the pages where they are.
    unsafe {
        libc::madvise(first as *mut libc::c_void, end - first, libc::MADV_DONTNEED);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::schema::{Schema, STORED, TEXT};

    /// The resident pages of the maps of files in `dir`, from /proc/self/smaps.
    fn resident_kb(dir: &std::path::Path) -> u64 {
        let smaps = std::fs::read_to_string("/proc/self/smaps").unwrap();
        let dir = dir.canonicalize().unwrap();
        let mut ours = false;
        let mut kb = 0;
        for line in smaps.lines() {
            if let Some(first) = line.split_whitespace().next() {
                if first.contains('-') && first.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
                    ours = line.contains(dir.to_str().unwrap());
                    continue;
                }
            }
            if ours {
                if let Some(v) = line.strip_prefix("Rss:") {
                    kb += v.trim().trim_end_matches("kB").trim().parse::<u64>().unwrap();
                }
            }
        }
        kb
    }

    #[test]
    fn pages_read_through_the_maps_are_given_back_and_read_the_same_again() {
        let dir = tempfile::tempdir().unwrap();
        let mut b = Schema::builder();
        let text = b.add_text_field("text", TEXT | STORED);
        let mmap = MmapDirectory::open(dir.path()).unwrap();
        let index = tantivy::Index::create(mmap.clone(), b.build(), Default::default()).unwrap();
        let mut w: tantivy::IndexWriter = index.writer_with_num_threads(1, 15_000_000).unwrap();
        w.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
        // Stored texts that do not compress away: a few MB of store.
        let mut x: u64 = 1;
        for _ in 0..3000 {
            let words: Vec<String> = (0..200)
                .map(|_| {
                    x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                    format!("{:x}", x >> 20)
                })
                .collect();
            w.add_document(tantivy::doc!(text => words.join(" "))).unwrap();
        }
        w.commit().unwrap();
        w.wait_merging_threads().unwrap();
        let reader = index.reader().unwrap();
        let searcher = reader.searcher();
        let read_all = || -> Vec<String> {
            let mut out = Vec::new();
            for seg in searcher.segment_readers() {
                let store = seg.get_store_reader(1).unwrap();
                for d in 0..seg.max_doc() {
                    let doc: tantivy::TantivyDocument = store.get(d).unwrap();
                    out.push(tantivy::schema::Value::as_str(&doc.get_first(text).unwrap()).unwrap().to_string());
                }
            }
            out
        };
        let first = read_all();
        let before = resident_kb(dir.path());
        assert!(before > 2048, "the store was read through its map: {before} kB resident");
        release(&mmap);
        let after = resident_kb(dir.path());
        assert!(after < before / 20, "{before} kB resident before, {after} kB after");
        assert_eq!(read_all(), first, "read again from the page cache, the same");
        // The thread does the same at its first look, and stops when dropped.
        // (Read before it starts: what it sees later is the whole process's
        // file pages, which the other tests of this binary move too.)
        read_all();
        assert!(resident_kb(dir.path()) > 2048);
        let r = Releaser::start(mmap.clone(), Duration::from_millis(5), 0);
        let t0 = std::time::Instant::now();
        while resident_kb(dir.path()) >= before / 20 && t0.elapsed() < Duration::from_secs(5) {
            std::thread::sleep(Duration::from_millis(10));
        }
        assert!(resident_kb(dir.path()) < before / 20);
        drop(r);
    }
}
