//! The isolated worker: our own binary, run as a child process with a
//! wall-clock timeout and an address-space limit, so that whatever a hostile
//! PDF does to pdf-extract (panic, abort, stack overflow, endless loop, memory
//! blow-up) ends that process, not ours.
//!
//! Protocol: the parent runs `gongbao __extract-worker FILE`; the worker
//! prints one [`WorkerReport`] as JSON on stdout and exits 0, or prints a
//! [`WorkerFailure`] and exits 3.

use super::Line;
use serde::{Deserialize, Serialize};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The hidden subcommand that runs the worker.
pub const WORKER_SUBCOMMAND: &str = "__extract-worker";

/// What the worker found in a PDF it could open.
#[derive(Debug, Serialize, Deserialize)]
pub struct WorkerReport {
    pub page_count: u32,
    pub pages: Vec<WorkerPage>,
}

/// One page as pdf-extract saw it, or why it could not.
#[derive(Debug, Serialize, Deserialize)]
pub struct WorkerPage {
    pub number: u32,
    pub width: f32,
    pub height: f32,
    pub lines: Vec<Line>,
    pub error: Option<String>,
    /// The page sets text in Type3 fonts (see [`super::pdf_extract`]).
    #[serde(default)]
    pub type3: bool,
    /// The page is a scan (one image over it): any text is an OCR layer.
    #[serde(default)]
    pub scan: bool,
}

/// Why the worker could not open the PDF at all.
#[derive(Debug, Serialize, Deserialize)]
pub struct WorkerFailure {
    pub encrypted: bool,
    pub message: String,
}

/// The program to run as the worker: `GONGBAO_WORKER_EXE` if set (tests of
/// the library set it to the built binary), else the running executable.
pub fn worker_exe() -> std::io::Result<PathBuf> {
    match std::env::var_os("GONGBAO_WORKER_EXE") {
        Some(p) => Ok(PathBuf::from(p)),
        None => std::env::current_exe(),
    }
}

/// How a bounded child process ended.
#[derive(Debug)]
pub enum Finished {
    /// It exited with this code; its stdout and stderr.
    Exited { code: i32, stdout: Vec<u8>, stderr: Vec<u8> },
    /// It was killed by a signal (abort, stack overflow, out of memory, out
    /// of CPU time: see [`describe_signal`]).
    Signalled { signal: i32, stderr: Vec<u8> },
    /// It ran past the wall-clock limit and was killed.
    TimedOut,
}

/// What a signal that ended a child means, for messages:
/// `ran out of CPU time (SIGXCPU)`, `crashed (signal 11)`.
pub fn describe_signal(signal: i32) -> String {
    match signal {
        libc::SIGXCPU => "ran out of CPU time (SIGXCPU)".to_string(),
        libc::SIGKILL => "was killed (SIGKILL)".to_string(),
        libc::SIGSEGV => "crashed (SIGSEGV)".to_string(),
        libc::SIGABRT => "aborted (SIGABRT)".to_string(),
        _ => format!("crashed (signal {signal})"),
    }
}

/// The CPU-time bound of a child, in seconds: `GONGBAO_WORKER_CPU_SECONDS`,
/// else the wall-clock timeout times the cores we may use (a worker reads
/// pages on every core, so it must not hit this before the wall clock).
/// While we live, the wall clock ends a stuck child first; this bound is
/// the kernel's, and holds even if nobody is left to watch the clock.
pub fn cpu_limit(timeout: Duration) -> u64 {
    if let Some(s) = std::env::var("GONGBAO_WORKER_CPU_SECONDS").ok().and_then(|s| s.trim().parse::<u64>().ok()) {
        return s.max(1);
    }
    let cores = std::thread::available_parallelism().map(|n| n.get() as u64).unwrap_or(1);
    (timeout.as_secs().max(1)).saturating_mul(cores).saturating_add(1)
}

/// Run `cmd` with a wall-clock timeout and an address-space limit.
pub fn run_bounded(cmd: Command, timeout: Duration, memory: u64) -> std::io::Result<Finished> {
    run_bounded_with_input(cmd, None, timeout, memory)
}

/// Has the child exited? Without reaping it (`WNOWAIT`): while it is a
/// zombie its pid, and so its process group, cannot be reused.
fn exited_unreaped(pid: i32) -> std::io::Result<bool> {
    // SAFETY: waitid fills the zeroed siginfo_t it is given.
    unsafe {
        let mut info: libc::siginfo_t = std::mem::zeroed();
        if libc::waitid(libc::P_PID, pid as libc::id_t, &mut info, libc::WEXITED | libc::WNOHANG | libc::WNOWAIT) != 0 {
            return Err(std::io::Error::last_os_error());
        }
        Ok(info.si_pid() != 0)
    }
}

/// [`run_bounded`], writing `input` to the child's stdin (e.g. a page image
/// for tesseract).
///
/// The child can outlive neither its bounds nor us: it leads its own process
/// group (so a terminal's Ctrl-C reaches only us, and we kill the group, its
/// children included), it is registered with [`crate::signals`] (a SIGINT or
/// SIGTERM kills it at once), and on Linux it asks the kernel for SIGKILL
/// when we die (`PR_SET_PDEATHSIG`, checked against a parent that died before
/// the call). Its CPU time is bounded by `RLIMIT_CPU` ([`cpu_limit`]) and its
/// address space by `RLIMIT_AS`. After a stop signal no child is started:
/// the call fails with [`std::io::ErrorKind::Interrupted`].
pub fn run_bounded_with_input(mut cmd: Command, input: Option<Vec<u8>>, timeout: Duration, memory: u64) -> std::io::Result<Finished> {
    use std::io::Write;
    use std::os::unix::process::ExitStatusExt;
    if crate::signals::interrupted().is_some() {
        return Err(std::io::Error::new(std::io::ErrorKind::Interrupted, "stopped by a signal"));
    }
    cmd.stdin(if input.is_some() { Stdio::piped() } else { Stdio::null() }).stdout(Stdio::piped()).stderr(Stdio::piped());
    bound(&mut cmd, cpu_limit(timeout), memory);
    let mut child = cmd.spawn()?;
    let pid = child.id() as i32;
    let slot = crate::signals::register(pid);
    let t_in = match (input, child.stdin.take()) {
        (Some(bytes), Some(mut stdin)) => Some(std::thread::spawn(move || {
            // A child that exits early closes the pipe: not our error.
            let _ = stdin.write_all(&bytes);
        })),
        _ => None,
    };
    let mut out = child.stdout.take().expect("piped stdout");
    let mut err = child.stderr.take().expect("piped stderr");
    let t_out = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = out.read_to_end(&mut v);
        v
    });
    let t_err = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = err.read_to_end(&mut v);
        v
    });
    let deadline = Instant::now() + timeout;
    let mut timed_out = false;
    let waited = loop {
        match exited_unreaped(pid) {
            Ok(true) => break Ok(()),
            Ok(false) => {}
            Err(e) => break Err(e),
        }
        if Instant::now() >= deadline {
            timed_out = true;
            crate::signals::kill_group(pid);
        } else if crate::signals::interrupted().is_some() {
            // Registered children are killed by the handler; this one may
            // have found no free slot.
            crate::signals::kill_group(pid);
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    // Whatever the child left running in its group goes with it (and would
    // otherwise hold our pipes open).
    crate::signals::kill_group(pid);
    crate::signals::unregister(slot);
    let status = child.wait();
    if let Some(t) = t_in {
        let _ = t.join();
    }
    let stdout = t_out.join().unwrap_or_default();
    let stderr = t_err.join().unwrap_or_default();
    waited?;
    let st = status?;
    if timed_out {
        return Ok(Finished::TimedOut);
    }
    Ok(match st.code() {
        Some(code) => Finished::Exited { code, stdout, stderr },
        None => Finished::Signalled { signal: st.signal().unwrap_or(0), stderr },
    })
}

/// Set the bounds every child of ours runs under: its own process group,
/// `RLIMIT_AS` of `memory` bytes, `RLIMIT_CPU` of `cpu` seconds, and (on
/// Linux) SIGKILL when we die.
fn bound(cmd: &mut Command, cpu: u64, memory: u64) {
    use std::os::unix::process::CommandExt;
    cmd.process_group(0);
    // SAFETY: getpid has no preconditions.
    let parent = unsafe { libc::getpid() };
    // SAFETY: setrlimit, prctl, getppid are async-signal-safe; nothing else
    // runs between fork and exec.
    unsafe {
        cmd.pre_exec(move || {
            let lim = libc::rlimit { rlim_cur: memory as libc::rlim_t, rlim_max: memory as libc::rlim_t };
            libc::setrlimit(libc::RLIMIT_AS, &lim);
            // SIGXCPU at the soft limit, SIGKILL a second later.
            let lim = libc::rlimit { rlim_cur: cpu as libc::rlim_t, rlim_max: cpu.saturating_add(1) as libc::rlim_t };
            libc::setrlimit(libc::RLIMIT_CPU, &lim);
            #[cfg(target_os = "linux")]
            {
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL as libc::c_ulong, 0, 0, 0) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                // We died between fork and prctl: the child was already
                // handed to another parent, and no death signal will come.
                if libc::getppid() != parent {
                    return Err(std::io::Error::other("parent died"));
                }
            }
            Ok(())
        });
    }
}

/// A bounded child that answers requests one at a time: each request is
/// written to its stdin, each answer is one line on its stdout. The child
/// runs under the bounds of [`run_bounded_with_input`]; each answer must
/// come within its own timeout, or the child is killed and the session is
/// over. A session serves at most `requests` answers (its CPU bound is
/// theirs together). Dropping it closes the child's stdin and kills its
/// process group.
pub struct Session {
    child: std::process::Child,
    pid: i32,
    slot: Option<usize>,
    stdin: Option<std::process::ChildStdin>,
    answers: std::sync::mpsc::Receiver<std::io::Result<Vec<u8>>>,
    stderr: Option<std::thread::JoinHandle<Vec<u8>>>,
    left: usize,
    /// Waited for: its pid may belong to another process by now.
    reaped: bool,
}

/// Why a session gave no answer.
#[derive(Debug)]
pub enum SessionEnd {
    /// No answer within the timeout: the child was killed.
    TimedOut,
    /// The child ended (or closed its stdout): how, and the last line it
    /// wrote on stderr.
    Ended(String),
    /// It has served all the requests it may.
    Spent,
}

impl Session {
    /// Start `cmd` for up to `requests` requests of at most `timeout` each.
    pub fn start(mut cmd: Command, requests: usize, timeout: Duration, memory: u64) -> std::io::Result<Session> {
        use std::io::BufRead;
        if crate::signals::interrupted().is_some() {
            return Err(std::io::Error::new(std::io::ErrorKind::Interrupted, "stopped by a signal"));
        }
        cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
        bound(&mut cmd, cpu_limit(timeout).saturating_mul(requests.max(1) as u64), memory);
        let mut child = cmd.spawn()?;
        let pid = child.id() as i32;
        let slot = crate::signals::register(pid);
        let stdin = child.stdin.take();
        let out = child.stdout.take().expect("piped stdout");
        let mut err = child.stderr.take().expect("piped stderr");
        let (tx, answers) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut out = std::io::BufReader::new(out);
            loop {
                let mut line = Vec::new();
                match out.read_until(b'\n', &mut line) {
                    Ok(0) => break,
                    r => {
                        let failed = r.is_err();
                        if tx.send(r.map(|_| line)).is_err() || failed {
                            break;
                        }
                    }
                }
            }
        });
        let stderr = Some(std::thread::spawn(move || {
            let mut v = Vec::new();
            let _ = err.read_to_end(&mut v);
            v
        }));
        Ok(Session { child, pid, slot, stdin, answers, stderr, left: requests, reaped: false })
    }

    /// Send one request and wait up to `timeout` for its answer line.
    pub fn ask(&mut self, request: Vec<u8>, timeout: Duration) -> Result<Vec<u8>, SessionEnd> {
        use std::io::Write;
        if self.left == 0 {
            return Err(SessionEnd::Spent);
        }
        self.left -= 1;
        if crate::signals::interrupted().is_some() {
            self.kill();
            return Err(SessionEnd::Ended("stopped by a signal".into()));
        }
        let deadline = Instant::now() + timeout;
        // A child busy elsewhere may not read: write beside the wait, so
        // that the clock still runs (killing the child ends the write).
        let mut stdin = self.stdin.take();
        let writer = std::thread::spawn(move || {
            let ok = stdin.as_mut().is_some_and(|s| s.write_all(&request).and_then(|_| s.flush()).is_ok());
            (stdin, ok)
        });
        let answer = loop {
            let now = Instant::now();
            if now >= deadline {
                break None;
            }
            // Wake now and then to see a stop signal.
            match self.answers.recv_timeout((deadline - now).min(Duration::from_millis(200))) {
                Ok(a) => break Some(a),
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) if crate::signals::interrupted().is_none() => {}
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                    self.kill();
                    let _ = writer.join();
                    return Err(SessionEnd::Ended("stopped by a signal".into()));
                }
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break Some(Err(std::io::ErrorKind::UnexpectedEof.into())),
            }
        };
        match answer {
            Some(Ok(line)) => {
                let (stdin, _) = writer.join().unwrap_or((None, false));
                self.stdin = stdin;
                Ok(line)
            }
            None => {
                self.kill();
                let _ = writer.join();
                Err(SessionEnd::TimedOut)
            }
            Some(Err(_)) => {
                let _ = writer.join();
                Err(SessionEnd::Ended(self.finish()))
            }
        }
    }

    fn kill(&mut self) {
        self.stdin = None;
        if !self.reaped {
            crate::signals::kill_group(self.pid);
        }
    }

    /// The child has closed its stdout: reap it and say how it ended.
    fn finish(&mut self) -> String {
        use std::os::unix::process::ExitStatusExt;
        self.kill();
        let status = self.child.wait();
        self.reaped = true;
        let stderr = self.stderr.take().and_then(|t| t.join().ok()).unwrap_or_default();
        let last = String::from_utf8_lossy(&stderr).lines().last().unwrap_or("").trim().to_string();
        let how = match status {
            Ok(st) => match (st.code(), st.signal()) {
                (Some(code), _) => format!("exited with code {code}"),
                (None, Some(sig)) => describe_signal(sig),
                _ => "ended".to_string(),
            },
            Err(e) => format!("could not be waited for: {e}"),
        };
        if last.is_empty() {
            how
        } else {
            format!("{how}: {last}")
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        // Closing stdin lets a well-behaved child exit; whatever is left of
        // its group goes with the kill.
        self.kill();
        crate::signals::unregister(self.slot);
        if !self.reaped {
            let _ = self.child.wait();
        }
    }
}

/// Entry point of the worker process: extract `path` with pdf-extract and
/// print the report. Returns the process exit code.
pub fn run_worker(path: &Path) -> i32 {
    // Panics are expected on hostile pages and are caught per page; keep
    // their messages out of the user's terminal.
    std::panic::set_hook(Box::new(|_| {}));
    match worker_extract(path) {
        Ok(report) => {
            println!("{}", serde_json::to_string(&report).unwrap_or_default());
            0
        }
        Err(failure) => {
            println!("{}", serde_json::to_string(&failure).unwrap_or_default());
            3
        }
    }
}

fn panic_message(p: Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic".to_string()
    }
}

fn worker_extract(path: &Path) -> Result<WorkerReport, WorkerFailure> {
    use pdf_extract::Document;
    use rayon::prelude::*;
    let loaded = std::panic::catch_unwind(|| Document::load(path));
    let mut doc = match loaded {
        Ok(Ok(d)) => d,
        Ok(Err(e)) => return Err(WorkerFailure { encrypted: false, message: e.to_string() }),
        Err(p) => return Err(WorkerFailure { encrypted: false, message: panic_message(p) }),
    };
    if doc.is_encrypted() {
        // Owner-password-only files open with the empty user password.
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| doc.decrypt(""))) {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                let incorrect = matches!(e, pdf_extract::Error::Decryption(pdf_extract::encryption::DecryptionError::IncorrectPassword));
                return Err(WorkerFailure { encrypted: incorrect, message: e.to_string() });
            }
            Err(p) => return Err(WorkerFailure { encrypted: false, message: panic_message(p) }),
        }
    }
    // Inflate every stream once: pdf-extract inflates a font's streams again
    // on every page that uses it (40 % of the work after the CMap memo).
    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| doc.decompress()));
    let page_numbers: Vec<u32> = doc.get_pages().keys().copied().collect();
    let pages = page_numbers
        .par_iter()
        .map(|&n| {
            let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| super::pdf_extract::pdf_extract_page(&doc, n)));
            let scan = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| super::pdf_extract::is_scan(&doc, n))).unwrap_or(false);
            let failed =
                |error: String| WorkerPage { number: n, width: 0.0, height: 0.0, lines: vec![], error: Some(error), type3: false, scan };
            match r {
                Ok(Ok(p)) => WorkerPage { scan, ..p },
                Ok(Err(e)) => failed(e),
                Err(p) => failed(format!("pdf-extract panicked: {}", panic_message(p))),
            }
        })
        .collect();
    Ok(WorkerReport { page_count: page_numbers.len() as u32, pages })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(script: &str) -> Command {
        let mut c = Command::new("sh");
        c.arg("-c").arg(script);
        c
    }

    const MB: u64 = 1 << 30;

    #[test]
    fn a_session_answers_each_request_in_turn() {
        let mut s = Session::start(sh("while read l; do echo \"got $l\"; done"), 3, Duration::from_secs(5), MB).unwrap();
        assert_eq!(s.ask(b"one\n".to_vec(), Duration::from_secs(5)).unwrap(), b"got one\n");
        assert_eq!(s.ask(b"two\n".to_vec(), Duration::from_secs(5)).unwrap(), b"got two\n");
        assert_eq!(s.ask(b"three\n".to_vec(), Duration::from_secs(5)).unwrap(), b"got three\n");
        assert!(matches!(s.ask(b"four\n".to_vec(), Duration::from_secs(5)), Err(SessionEnd::Spent)));
    }

    #[test]
    fn a_session_that_does_not_answer_in_time_is_killed() {
        let mut s = Session::start(sh("read l; sleep 30"), 2, Duration::from_secs(5), MB).unwrap();
        let t = Instant::now();
        assert!(matches!(s.ask(b"x\n".to_vec(), Duration::from_millis(300)), Err(SessionEnd::TimedOut)));
        assert!(t.elapsed() < Duration::from_secs(5));
        // Dropping reaps it at once (it was killed).
        let t = Instant::now();
        drop(s);
        assert!(t.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn a_session_whose_child_dies_says_how() {
        let mut s = Session::start(sh("read l; echo 'the model would not load' >&2; exit 3"), 2, Duration::from_secs(5), MB).unwrap();
        match s.ask(b"x\n".to_vec(), Duration::from_secs(5)) {
            Err(SessionEnd::Ended(how)) => assert_eq!(how, "exited with code 3: the model would not load"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_child_that_never_reads_cannot_block_the_request() {
        // Far more than a pipe holds, to a child that reads nothing.
        let mut s = Session::start(sh("sleep 30"), 1, Duration::from_secs(5), MB).unwrap();
        let big = vec![b'x'; 4 << 20];
        let t = Instant::now();
        assert!(matches!(s.ask(big, Duration::from_millis(300)), Err(SessionEnd::TimedOut)));
        assert!(t.elapsed() < Duration::from_secs(5));
    }
}
