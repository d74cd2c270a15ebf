//! **signals**: SIGINT and SIGTERM in, a stop flag and no orphaned children out.
//!
//! [`install`] makes SIGINT and SIGTERM set a flag instead of killing the
//! process: the ingest sees [`interrupted`] between files and stops cleanly
//! (what is committed stays, the rest is reported as not done). A second
//! signal of the same kind kills at once (the handler is reset after the
//! first).
//!
//! Every child process the library starts (extractor workers, pdftotext,
//! pdftoppm, tesseract) is the leader of its own process group and is
//! registered here while it runs ([`register`]). The signal handler kills
//! every registered group at once, so the file in progress is abandoned
//! within milliseconds, and [`kill_children`] does the same on the other
//! ways out of the process (a panic, a fatal error). A SIGKILL of the
//! process itself cannot be caught: for that, each child asks the kernel
//! for `PR_SET_PDEATHSIG` (see `extract::worker::run_bounded`).
//!
//! Only async-signal-safe work happens in the handler: atomics and `kill(2)`.

use std::sync::atomic::{AtomicI32, Ordering};

/// The signal that asked the process to stop: 0 until one arrives.
static STOP: AtomicI32 = AtomicI32::new(0);

/// Process groups of the running children (0 = free slot). More children
/// than slots run unregistered: their own wait loop still kills them when
/// the flag is set (see `run_bounded`), only a few milliseconds later.
const SLOTS: usize = 256;
static CHILDREN: [AtomicI32; SLOTS] = [const { AtomicI32::new(0) }; SLOTS];

/// A signal that stops an ingest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopSignal {
    Interrupt,
    Terminate,
}

impl StopSignal {
    fn from_raw(n: i32) -> Option<StopSignal> {
        match n {
            libc::SIGINT => Some(StopSignal::Interrupt),
            libc::SIGTERM => Some(StopSignal::Terminate),
            _ => None,
        }
    }

    /// `SIGINT`, `SIGTERM`.
    pub fn name(self) -> &'static str {
        match self {
            StopSignal::Interrupt => "SIGINT",
            StopSignal::Terminate => "SIGTERM",
        }
    }

    /// The exit code of a process stopped by this signal: 128 + its number
    /// (130 for SIGINT, 143 for SIGTERM), as shells report it.
    pub fn exit_code(self) -> i32 {
        128 + match self {
            StopSignal::Interrupt => libc::SIGINT,
            StopSignal::Terminate => libc::SIGTERM,
        }
    }

    /// From a name as [`StopSignal::name`] gives it.
    pub fn from_name(s: &str) -> Option<StopSignal> {
        match s {
            "SIGINT" => Some(StopSignal::Interrupt),
            "SIGTERM" => Some(StopSignal::Terminate),
            _ => None,
        }
    }
}

extern "C" fn on_stop(signal: libc::c_int) {
    let _ = STOP.compare_exchange(0, signal, Ordering::SeqCst, Ordering::SeqCst);
    kill_children();
}

/// Catch SIGINT and SIGTERM for the rest of the process's life (call once,
/// before the work starts). Children start with the default dispositions
/// again: exec resets caught signals.
pub fn install() -> std::io::Result<()> {
    for signal in [libc::SIGINT, libc::SIGTERM] {
        // SAFETY: a zeroed sigaction is valid; the handler only touches
        // atomics and calls kill(2), both async-signal-safe.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = on_stop as extern "C" fn(libc::c_int) as libc::sighandler_t;
            action.sa_flags = libc::SA_RESTART | libc::SA_RESETHAND;
            libc::sigemptyset(&mut action.sa_mask);
            if libc::sigaction(signal, &action, std::ptr::null_mut()) != 0 {
                return Err(std::io::Error::last_os_error());
            }
        }
    }
    Ok(())
}

/// The signal that asked us to stop, if one did.
pub fn interrupted() -> Option<StopSignal> {
    StopSignal::from_raw(STOP.load(Ordering::SeqCst))
}

/// Record a running child's process group (its pid: children lead their
/// own group). If a stop signal arrived meanwhile, the group is killed here.
/// Returns the slot to pass to [`unregister`].
pub fn register(pgid: i32) -> Option<usize> {
    let slot = CHILDREN.iter().position(|s| s.compare_exchange(0, pgid, Ordering::SeqCst, Ordering::SeqCst).is_ok());
    if interrupted().is_some() {
        kill_group(pgid);
    }
    slot
}

/// Forget a child: call before it is reaped, so that its pid, once free,
/// is never signalled.
pub fn unregister(slot: Option<usize>) {
    if let Some(i) = slot {
        CHILDREN[i].store(0, Ordering::SeqCst);
    }
}

/// SIGKILL a child's process group (the child and whatever it started).
pub fn kill_group(pgid: i32) {
    if pgid > 0 {
        // SAFETY: kill(2) has no memory-safety preconditions.
        unsafe {
            libc::kill(-pgid, libc::SIGKILL);
        }
    }
}

/// SIGKILL every registered child's process group. Async-signal-safe.
pub fn kill_children() {
    for s in &CHILDREN {
        kill_group(s.load(Ordering::SeqCst));
    }
}
