//! The `gongbao` command line: a thin layer over the library.

use anyhow::{Context, Result};
use chrono::NaiveDate;
use clap::{Parser, Subcommand};
use gongbao::extract::ocr::{EngineChoice, OcrMode};
use gongbao::extract::{worker, ExtractOptions};
use gongbao::index::GongbaoIndex;
use gongbao::ingest::{FileReport, Outcome, Progress};
use gongbao::query::{search, SearchRequest};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

#[derive(Parser)]
#[command(name = "gongbao", version, about = "Chinese government gazettes (政府公报) as a searchable, validity-aware legal record")]
struct Cli {
    /// Index directory.
    #[arg(long, global = true, env = "GONGBAO_INDEX", default_value = "index")]
    index: PathBuf,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Ingest gazette PDFs and text files (directories are walked) into the index.
    Ingest {
        /// Files or directories (default: corpus/).
        paths: Vec<PathBuf>,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
        /// If another ingest is writing to the index, wait for it instead of failing.
        #[arg(long)]
        wait: bool,
        /// OCR pages without a usable text layer (auto), never (off) or every page (force).
        #[arg(long, default_value = "auto", value_name = "auto|off|force")]
        ocr: OcrMode,
        /// The OCR engine: PP-OCR where installed, else Tesseract (auto), or the one named.
        #[arg(long = "ocr-engine", env = "GONGBAO_OCR_ENGINE", default_value = "auto", value_name = "auto|tesseract|ppocr")]
        ocr_engine: EngineChoice,
        /// Exports to keep beside the index (in INDEX/exports/), the newest
        /// written after each successful ingest; 0 keeps none.
        #[arg(long, default_value_t = 1, value_name = "N")]
        keep_export: usize,
        /// Record as `expires` the windows that end up to this many days
        /// after today (GONGBAO_TODAY, else the local date).
        #[arg(long, default_value_t = gongbao::changes::DEFAULT_EXPIRES_WITHIN, value_name = "DAYS")]
        expires_within: u32,
    },
    /// What ingests made known: documents added, repealed, declared invalid,
    /// superseded, amended, partially repealed or extended, windows that end,
    /// documents named that the corpus does not hold. Newest ingest first.
    Changes {
        /// Only those recorded by ingests on or after this date.
        #[arg(long, value_parser = parse_date, conflicts_with = "last")]
        since: Option<NaiveDate>,
        /// Only those recorded by the last ingest.
        #[arg(long)]
        last: bool,
        /// Only those of the watched documents (`gongbao watch`).
        #[arg(long)]
        watched: bool,
        #[arg(long)]
        json: bool,
    },
    /// The documents you rely on: `changes --watched` and `/feed.atom?watched=1`
    /// keep only their changes. ID: a 文号 in any bracket variant, or a title in 《》.
    Watch {
        #[command(subcommand)]
        action: WatchCmd,
    },
    /// Verify the index: every file whole, every segment open, stored records
    /// matching the postings, source files unchanged. Exit 1 on damage, 2 when
    /// sound but some source files changed since they were ingested.
    Check {
        #[arg(long)]
        json: bool,
        /// Do not hash the source files.
        #[arg(long)]
        no_sources: bool,
    },
    /// What the index holds, its exports, and the last ingest runs.
    Info {
        /// How many runs of the ingest log to show.
        #[arg(long, default_value_t = 5)]
        runs: usize,
        #[arg(long)]
        json: bool,
    },
    /// Extract and parse one file without touching the index.
    Parse {
        file: PathBuf,
        #[arg(long)]
        json: bool,
        /// OCR pages without a usable text layer (auto), never (off) or every page (force).
        #[arg(long, default_value = "auto", value_name = "auto|off|force")]
        ocr: OcrMode,
        /// The OCR engine: PP-OCR where installed, else Tesseract (auto), or the one named.
        #[arg(long = "ocr-engine", env = "GONGBAO_OCR_ENGINE", default_value = "auto", value_name = "auto|tesseract|ppocr")]
        ocr_engine: EngineChoice,
    },
    /// Search documents (or provisions with --clauses).
    Search {
        query: String,
        #[arg(long)]
        issuer: Option<String>,
        #[arg(long = "type")]
        doc_type: Option<String>,
        #[arg(long)]
        year: Option<i32>,
        #[arg(long, value_parser = parse_date)]
        from: Option<NaiveDate>,
        #[arg(long, value_parser = parse_date)]
        to: Option<NaiveDate>,
        /// Only documents in force on this date.
        #[arg(long, value_parser = parse_date)]
        in_force_on: Option<NaiveDate>,
        /// Search provisions (clauses) instead of documents.
        #[arg(long)]
        clauses: bool,
        #[arg(long, default_value_t = 10)]
        limit: usize,
        #[arg(long)]
        json: bool,
    },
    /// Show a document's record and provision tree; ID is a 文号 in any bracket
    /// variant (or a document id), optionally with a provision path
    /// (`青政发〔2024〕74号/第四章/第十五条`).
    Show {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Is a document in force on a date, and why? ID is a 文号 in any bracket variant.
    Status {
        id: String,
        /// The date (default: today).
        #[arg(long, value_parser = parse_date)]
        on: Option<NaiveDate>,
        #[arg(long)]
        json: bool,
    },
    /// Serve the JSON API and the web pages over the index.
    Serve {
        /// Address to listen on (loopback unless told otherwise).
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: std::net::SocketAddr,
    },
    /// Write every stored record as JSON Lines (or, with --format bulk, the
    /// NDJSON of the Elasticsearch/OpenSearch _bulk API).
    Export {
        #[arg(long, value_enum, default_value_t = ExportFormat::Jsonl)]
        format: ExportFormat,
        /// Index name for --format bulk.
        #[arg(long, default_value = "gongbao")]
        bulk_index: String,
    },
    /// Rebuild the index from its stored records (no source file needed), or
    /// from an `export` file with --from.
    Rebuild {
        #[arg(long)]
        from: Option<PathBuf>,
    },
    /// Time a query mix in-process (JSON Lines of {"query", "clauses", "issuer",
    /// "type", "in_force_on"}); prints {"p50_ms", "p99_ms", "n"}.
    #[command(name = "bench-queries", hide = true)]
    BenchQueries {
        file: PathBuf,
        #[arg(long, default_value_t = 3)]
        rounds: usize,
    },
    /// Print a file's text after extract and clean (for debugging the parser).
    #[command(name = "clean-text", hide = true)]
    CleanText {
        file: PathBuf,
        #[arg(long, default_value = "auto")]
        ocr: OcrMode,
        /// The OCR engine: PP-OCR where installed, else Tesseract (auto), or the one named.
        #[arg(long = "ocr-engine", env = "GONGBAO_OCR_ENGINE", default_value = "auto", value_name = "auto|tesseract|ppocr")]
        ocr_engine: EngineChoice,
    },
    /// Print a file's pages after extract and layout as JSON (`{"pages":
    /// [{"number", "extractor", "text"}], "ocr", "notes"}`), for bench/ocr.py.
    #[command(name = "extract-pages", hide = true)]
    ExtractPages {
        file: PathBuf,
        #[arg(long, default_value = "auto")]
        ocr: OcrMode,
        /// The OCR engine: PP-OCR where installed, else Tesseract (auto), or the one named.
        #[arg(long = "ocr-engine", env = "GONGBAO_OCR_ENGINE", default_value = "auto", value_name = "auto|tesseract|ppocr")]
        ocr_engine: EngineChoice,
    },
    #[command(name = "__extract-worker", hide = true)]
    Worker { file: PathBuf },
}

#[derive(Subcommand)]
enum WatchCmd {
    /// Watch these documents (a 文号 not in the corpus yet is kept, and matched when it arrives).
    Add {
        #[arg(required = true, value_name = "ID")]
        ids: Vec<String>,
    },
    /// Stop watching these documents.
    Remove {
        #[arg(required = true, value_name = "ID")]
        ids: Vec<String>,
    },
    /// The watched documents, with their status today.
    List {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum ExportFormat {
    /// One stored record per line (what rebuild reads).
    Jsonl,
    /// `_bulk` index actions keyed by id: documents and provisions.
    Bulk,
}

fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| format!("'{s}' is not a date (YYYY-MM-DD)"))
}

/// Progress on stderr: a bar on a terminal, plain lines otherwise.
struct CliProgress {
    bar: Option<indicatif::ProgressBar>,
}

impl Progress for CliProgress {
    fn start(&self, total: usize) {
        if let Some(b) = &self.bar {
            b.set_length(total as u64);
        }
    }
    fn file_done(&self, r: &FileReport) {
        let line = match &r.error {
            Some(e) => format!("{:<9} {e}", r.outcome.to_string()),
            None => format!("{:<9} {} ({} documents)", r.outcome.to_string(), r.path, r.documents),
        };
        self.say(line);
        if let Some(b) = &self.bar {
            b.inc(1);
        }
    }
    fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
    fn note(&self, message: &str) {
        self.say(format!("note: {message}"));
    }
}

impl CliProgress {
    fn say(&self, line: String) {
        match &self.bar {
            Some(b) => b.println(line),
            None => eprintln!("{line}"),
        }
    }
}

/// Does this command start child processes that read our pipes (tesseract
/// reads a page image from one)? Then SIGPIPE stays ignored, as Rust sets
/// it: a child that exits early must not kill us.
fn starts_children(cmd: &Cmd) -> bool {
    matches!(cmd, Cmd::Ingest { .. } | Cmd::Parse { .. } | Cmd::CleanText { .. } | Cmd::ExtractPages { .. })
}

/// mimalloc as the allocator: ranking, parsing and indexing allocate many
/// small vectors, and glibc's malloc/free took 10–14 % of a search's time.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    // The worker is dispatched before clap so that nothing else runs in it.
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some(worker::WORKER_SUBCOMMAND) {
        // SAFETY: first thing, before any other thread exists.
        unsafe {
            libc::signal(libc::SIGPIPE, libc::SIG_DFL);
        }
        let code = match args.get(2) {
            Some(f) => worker::run_worker(std::path::Path::new(f)),
            None => 1,
        };
        std::process::exit(code);
    }
    if args.get(1).map(String::as_str) == Some(gongbao::extract::ocr::ppocr::WORKER_SUBCOMMAND) {
        std::process::exit(gongbao::extract::ocr::ppocr::run_worker(&args[2..]));
    }
    let cli = Cli::parse();
    if let Err(e) = gongbao::clock::check() {
        eprintln!("gongbao: {e}");
        std::process::exit(1);
    }
    if !starts_children(&cli.cmd) {
        // Behave like other command-line tools when the reader of our output
        // goes away (`gongbao show … | head`): end quietly instead of panicking.
        // SAFETY: before any other thread exists.
        unsafe {
            libc::signal(libc::SIGPIPE, libc::SIG_DFL);
        }
    }
    if matches!(cli.cmd, Cmd::Ingest { .. }) {
        // SIGINT and SIGTERM stop an ingest cleanly (see gongbao::signals).
        if let Err(e) = gongbao::signals::install() {
            eprintln!("gongbao: cannot catch SIGINT/SIGTERM: {e}");
        }
    }
    // No panic reaches the user as a Rust backtrace: one line, exit 1, and
    // no child left running.
    std::panic::set_hook(Box::new(|info| {
        gongbao::signals::kill_children();
        let msg = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "panic".into());
        let at = info.location().map(|l| format!(" at {}:{}", l.file(), l.line())).unwrap_or_default();
        PANIC.with(|p| *p.borrow_mut() = Some(format!("{msg}{at}")));
    }));
    let index = cli.index.clone();
    let code = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(cli))) {
        Ok(Ok(code)) => code,
        Ok(Err(e)) => {
            match damage_behind(&index, &e) {
                Some(d) => eprintln!("gongbao: {d}"),
                None => eprintln!("gongbao: {e:#}"),
            }
            1
        }
        Err(_) => {
            let why = PANIC.with(|p| p.borrow_mut().take()).unwrap_or_else(|| "panic".into());
            match index.join("meta.json").exists().then(|| gongbao::check::diagnose(&index)).flatten() {
                Some(d) => eprintln!("gongbao: {d}"),
                None => eprintln!("gongbao: internal error ({why})"),
            }
            1
        }
    };
    gongbao::signals::kill_children();
    std::process::exit(code);
}

/// A failure that tantivy reported without naming a file (an I/O error
/// deep in a query) may be damage: if the index's files say so, that is the
/// message. Only index errors are looked into (the check reads every file).
fn damage_behind(index: &std::path::Path, e: &anyhow::Error) -> Option<gongbao::Error> {
    let from_index = e.chain().any(|c| {
        matches!(c.downcast_ref::<gongbao::Error>(), Some(gongbao::Error::Index { reason, .. })
            if !reason.starts_with("another ingest") && !reason.starts_with("no index here") && !reason.contains("schema version"))
    });
    if from_index {
        gongbao::check::diagnose(index)
    } else {
        None
    }
}

thread_local! {
    /// The message of the last panic on this thread, for the one line we print.
    static PANIC: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

fn print_json<T: serde::Serialize>(v: &T) -> Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, v)?;
    writeln!(out)?;
    Ok(())
}

/// Print a provision tree: labels indented by depth, then the first words.
fn print_tree(ps: &[gongbao::structure::Provision], depth: usize, words: usize) {
    for p in ps {
        let text: String = p.text.replace('\n', " ");
        let shown: String = text.chars().take(words).collect();
        let more = if text.chars().count() > words { "…" } else { "" };
        println!("{}{} {}{}  [p.{}]", "  ".repeat(depth), p.label, shown, more, p.page);
        print_tree(&p.children, depth + 1, words);
    }
}

/// An OCR engine asked for by name must be there: say what to install
/// before any file is read (`auto` falls back instead).
fn require_engine(choice: EngineChoice, ocr: OcrMode) -> Result<()> {
    if choice != EngineChoice::Auto && ocr != OcrMode::Off {
        let name = if choice == EngineChoice::Ppocr { "ppocr" } else { "tesseract" };
        gongbao::extract::ocr::Engine::detect(choice).map_err(|why| anyhow::anyhow!("--ocr-engine {name}: {why}"))?;
    }
    Ok(())
}

fn run(cli: Cli) -> Result<i32> {
    match &cli.cmd {
        Cmd::Ingest { ocr, ocr_engine, .. } | Cmd::Parse { ocr, ocr_engine, .. } | Cmd::ExtractPages { ocr, ocr_engine, .. } => {
            require_engine(*ocr_engine, *ocr)?
        }
        _ => {}
    }
    match cli.cmd {
        Cmd::Worker { file } => Ok(worker::run_worker(&file)),
        Cmd::BenchQueries { file, rounds } => {
            let ix = GongbaoIndex::open(&cli.index)?;
            let reader = ix.reader()?;
            let searcher = reader.searcher();
            let text = std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
            let mut reqs = Vec::new();
            for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
                let v: serde_json::Value = serde_json::from_str(line).with_context(|| format!("{}:{}", file.display(), n + 1))?;
                let date = |k: &str| v[k].as_str().and_then(|s| parse_date(s).ok());
                reqs.push(SearchRequest {
                    query: v["query"].as_str().unwrap_or("").to_string(),
                    issuer: v["issuer"].as_str().map(str::to_string),
                    doc_type: v["type"].as_str().map(str::to_string),
                    in_force_on: date("in_force_on"),
                    clauses: v["clauses"].as_bool().unwrap_or(false),
                    limit: 10,
                    ..Default::default()
                });
            }
            // One warm-up pass, then the timed rounds.
            for r in &reqs {
                search(&ix, &searcher, r)?;
            }
            let mut ms: Vec<f64> = Vec::new();
            let mut worst = vec![0f64; reqs.len()];
            for _ in 0..rounds.max(1) {
                for (i, r) in reqs.iter().enumerate() {
                    let t = std::time::Instant::now();
                    search(&ix, &searcher, r)?;
                    let took = t.elapsed().as_secs_f64() * 1000.0;
                    worst[i] = worst[i].max(took);
                    ms.push(took);
                }
            }
            ms.sort_by(|a, b| a.total_cmp(b));
            let pct = |q: f64| ms[((ms.len() - 1) as f64 * q).round() as usize];
            // The five slowest queries (their slowest round), for the profile.
            let mut order: Vec<usize> = (0..reqs.len()).collect();
            order.sort_by(|&a, &b| worst[b].total_cmp(&worst[a]));
            let slowest: Vec<serde_json::Value> = order
                .iter()
                .take(5)
                .map(|&i| serde_json::json!({"query": reqs[i].query, "clauses": reqs[i].clauses, "ms": worst[i]}))
                .collect();
            print_json(&serde_json::json!({"p50_ms": pct(0.5), "p99_ms": pct(0.99), "mean_ms": ms.iter().sum::<f64>() / ms.len() as f64,
                "n": ms.len(), "slowest": slowest}))?;
            Ok(0)
        }
        Cmd::CleanText { file, ocr, ocr_engine } => {
            let ex = gongbao::pipeline::read_pages(&file, &ExtractOptions { ocr, engine: ocr_engine, ..Default::default() })?;
            let c = gongbao::clean::clean(&ex);
            for n in &ex.notes {
                eprintln!("note: {n}");
            }
            for r in &c.running_lines {
                eprintln!("running line removed: {r}");
            }
            print!("{}", c.text);
            Ok(0)
        }
        Cmd::ExtractPages { file, ocr, ocr_engine } => {
            let ex = gongbao::pipeline::read_pages(&file, &ExtractOptions { ocr, engine: ocr_engine, ..Default::default() })?;
            let pages: Vec<serde_json::Value> =
                ex.pages.iter().map(|p| serde_json::json!({"number": p.number, "extractor": p.extractor, "text": p.text()})).collect();
            print_json(&serde_json::json!({"pages": pages, "ocr": ex.ocr, "notes": ex.notes}))?;
            Ok(0)
        }
        Cmd::Parse { file, json, ocr, ocr_engine } => {
            let parsed = gongbao::pipeline::parse_file(&file, &ExtractOptions { ocr, engine: ocr_engine, ..Default::default() })?;
            if json {
                print_json(&parsed)?;
            } else {
                println!(
                    "{} ({} pages, {} documents; extracted by {})",
                    parsed.issue.id,
                    parsed.issue.pages,
                    parsed.documents.len(),
                    parsed.issue.extractors.join(", ")
                );
                for d in &parsed.documents {
                    println!(
                        "{:>3}. {}  {}  {}  p.{}-{}",
                        d.order,
                        d.id,
                        d.signed_date.map(|d| d.to_string()).unwrap_or_else(|| "?".into()),
                        d.title,
                        d.pages[0],
                        d.pages[1]
                    );
                }
                for w in &parsed.warnings {
                    eprintln!("warning: {w}");
                }
            }
            Ok(0)
        }
        Cmd::Ingest { paths, json, wait, ocr, ocr_engine, keep_export, expires_within } => {
            let paths = if paths.is_empty() { vec![PathBuf::from("corpus")] } else { paths };
            let bar = (!json && std::io::stderr().is_terminal()).then(|| {
                let b = indicatif::ProgressBar::new(0);
                b.set_style(
                    indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} files {elapsed}")
                        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
                );
                b
            });
            let progress = CliProgress { bar };
            let opts = gongbao::ingest::IngestOptions {
                extract: ExtractOptions { ocr, engine: ocr_engine, ..Default::default() },
                wait,
                keep_export,
                expires_within,
            };
            let report = gongbao::ingest::run(&cli.index, &paths, opts, &progress)?;
            if json {
                print_json(&report)?;
            } else {
                let mut by: std::collections::BTreeMap<String, Vec<&FileReport>> = Default::default();
                for f in &report.files {
                    by.entry(f.outcome.to_string()).or_default().push(f);
                }
                eprintln!();
                eprintln!("{:<10} {:>5}", "outcome", "files");
                for (k, v) in &by {
                    eprintln!("{:<10} {:>5}", k, v.len());
                }
                eprintln!(
                    "{} documents added, {} replaced, {} files failed, {} empty, {} pages in {:.2} s",
                    report.documents_added, report.documents_replaced, report.failed, report.empty, report.pages, report.seconds
                );
                if report.ingested.is_some() {
                    eprintln!("changes: {} (gongbao changes --last)", gongbao::changes::summary(&report.changes));
                } else if report.interrupted.is_none() && report.error.is_none() {
                    eprintln!("changes: none");
                }
                if let Some(e) = &report.export {
                    eprintln!("export: {e}");
                }
            }
            let done = report.files.iter().filter(|f| matches!(f.outcome, Outcome::Ingested | Outcome::Replaced)).count();
            if let Some(signal) = &report.interrupted {
                eprintln!(
                    "gongbao: stopped by {signal}: {done} files committed, {} not done (abandoned); what is committed stays, \
                     and the same ingest run again does the rest",
                    report.abandoned
                );
            } else if let Some(e) = &report.error {
                eprintln!("gongbao: {e}");
                if report.abandoned > 0 {
                    eprintln!("gongbao: {done} files committed, {} not done (abandoned)", report.abandoned);
                }
            }
            Ok(report.exit_code())
        }
        Cmd::Check { json, no_sources } => {
            let r = gongbao::check::check(&cli.index, !no_sources)?;
            if json {
                print_json(&r)?;
            } else {
                if r.sound {
                    println!(
                        "index {}: sound: {} segments, {} issues, {} documents, {} provisions; every file whole, stored records match the postings",
                        r.index, r.segments, r.issues, r.documents, r.provisions
                    );
                } else {
                    println!("index {}: damaged", r.index);
                    for d in &r.damage {
                        println!("  damaged  {}: {}", d.file, d.problem);
                    }
                    match &r.export {
                        Some(e) => println!("  restore it with `gongbao --index {} rebuild --from {e}`", r.index),
                        None => println!(
                            "  no export is kept beside it: restore it with `gongbao --index {} rebuild --from EXPORT`, or ingest the sources into a new index",
                            r.index
                        ),
                    }
                }
                for s in &r.sources {
                    let what = if s.state == "changed" { "changed since ingest" } else { "source file gone" };
                    let docs: Vec<&str> = s.documents.iter().take(3).map(String::as_str).collect();
                    let more = if s.documents.len() > 3 { format!(" and {} more", s.documents.len() - 3) } else { String::new() };
                    println!("  {what}: {} ({} documents: {}{more})", s.path, s.documents.len(), docs.join(", "));
                }
                if r.sources.iter().any(|s| s.state == "changed") {
                    println!("  `gongbao ingest` replaces the documents of changed files");
                }
            }
            Ok(r.exit_code())
        }
        Cmd::Info { runs, json } => {
            let i = gongbao::info::info(&cli.index, runs)?;
            if json {
                print_json(&i)?;
            } else {
                use gongbao::error::human_bytes;
                println!("index      {}", i.index);
                println!(
                    "entries    {} issues, {} documents, {} provisions in {} segments",
                    i.issues, i.documents, i.provisions, i.segments
                );
                let free = i.free_bytes.map(human_bytes).unwrap_or_else(|| "?".into());
                println!("disk       {} (index {}), {free} free", human_bytes(i.total_bytes), human_bytes(i.index_bytes));
                if let Some(c) = &i.last_commit {
                    println!("last commit {c}");
                }
                for e in &i.exports {
                    println!("export     {} ({})", e.path, human_bytes(e.bytes));
                }
                if i.exports.is_empty() {
                    println!("export     none kept");
                }
                println!("last runs ({}):", i.runs.len());
                for r in &i.runs {
                    let files: Vec<String> = r.files.iter().map(|(k, n)| format!("{n} {k}")).collect();
                    let secs = (r.end - r.start).num_milliseconds() as f64 / 1000.0;
                    let how = match (&r.interrupted, &r.error) {
                        (Some(s), _) => format!("  stopped by {s}"),
                        (None, Some(e)) => format!("  error: {e}"),
                        _ => String::new(),
                    };
                    println!(
                        "  {}  exit {}  {:.1} s  {}  +{} ~{} documents, {} warnings{how}",
                        r.start.format("%Y-%m-%d %H:%M:%S"),
                        r.exit_code,
                        secs,
                        if files.is_empty() { "no files".to_string() } else { files.join(", ") },
                        r.documents_added,
                        r.documents_replaced,
                        r.warnings
                    );
                }
            }
            Ok(0)
        }
        Cmd::Status { id, on, json } => {
            let ix = GongbaoIndex::open(&cli.index)?;
            let reader = ix.reader()?;
            let typed = gongbao::query::resolve_id(&id);
            let on = on.unwrap_or_else(gongbao::clock::today);
            let r = gongbao::status::status(&ix, &reader.searcher(), &typed.doc_id, on)?;
            if json {
                print_json(&r)?;
            } else {
                if let Some(m) = &r.approximate {
                    eprintln!("note: {}", m.note());
                }
                println!("{}  {}  {} ({})", r.id, r.as_of, r.status.label_zh(), r.status.as_str());
                if let Some(t) = &r.title {
                    println!("{t}");
                }
                if !r.known_in_corpus {
                    println!("(not in the corpus; known only from the documents that name it)");
                }
                let show = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_else(|| "—".into());
                if r.known_in_corpus {
                    println!(
                        "window: {} → {}  ({:?})",
                        show(r.effective_from),
                        show(r.effective_until),
                        r.basis.unwrap_or(gongbao::analyse::Basis::Default)
                    );
                }
                for e in &r.evidence {
                    println!("  “{e}”");
                }
                for d in &r.decided_by {
                    println!("{} by {} from {}: “{}”", d.kind, d.doc_number, show(d.date), d.evidence);
                }
            }
            Ok(0)
        }
        Cmd::Search { query, issuer, doc_type, year, from, to, in_force_on, clauses, limit, json } => {
            let ix = GongbaoIndex::open(&cli.index)?;
            let reader = ix.reader()?;
            let req = SearchRequest { query, issuer, doc_type, year, from, to, in_force_on, clauses, limit, offset: 0 };
            let resp = search(&ix, &reader.searcher(), &req).context("search failed")?;
            if json {
                print_json(&resp)?;
            } else {
                for i in &resp.ignored {
                    eprintln!("ignored: {i}");
                }
                if let Some(m) = &resp.approximate {
                    eprintln!("note: {}", m.note());
                }
                if resp.partial {
                    eprintln!("note: {}", gongbao::query::PARTIAL_NOTE);
                }
                println!("{} hits", resp.total);
                for (facet, counts) in &resp.facets {
                    let list: Vec<String> = counts.iter().map(|(k, n)| format!("{k} {n}")).collect();
                    eprintln!("  {facet}: {}", list.join(", "));
                }
                let tty = std::io::stdout().is_terminal();
                for (n, h) in resp.hits.iter().enumerate() {
                    let status = h.status.as_deref().unwrap_or("");
                    println!(
                        "{:>2}. {}  {}  [{status}]  {}",
                        n + 1,
                        h.doc_number.as_deref().unwrap_or(&h.id),
                        h.signed_date.map(|d| d.to_string()).unwrap_or_default(),
                        h.title
                    );
                    if let Some(p) = &h.provision {
                        println!("    {} (p.{})  {}", p.label, p.page, p.id);
                    }
                    let (b, e) = if tty { ("\x1b[1m", "\x1b[0m") } else { ("[", "]") };
                    let s = h.snippet.replace("<mark>", b).replace("</mark>", e);
                    let s = s.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
                    println!("    {s}");
                }
            }
            Ok(0)
        }
        Cmd::Show { id, json } => {
            let ix = GongbaoIndex::open(&cli.index)?;
            let reader = ix.reader()?;
            let typed = gongbao::query::resolve_id(&id);
            let Some(d) = ix.document(&reader.searcher(), &typed.doc_id) else {
                anyhow::bail!("no document {} in {}", typed.doc_id, cli.index.display());
            };
            if let Some(pid) = &typed.provision_id {
                let all = gongbao::structure::flatten(&d.provisions);
                let Some(p) = all.into_iter().find(|p| p.id == *pid) else {
                    // The preamble clause (…/正文) a clause hit may name.
                    let Some(v) = gongbao::clause::preamble_json(&d, pid) else {
                        anyhow::bail!("{} has no provision {pid}", d.id);
                    };
                    if json {
                        print_json(&v)?;
                    } else {
                        println!("{}  ({} p.{})\n{}", pid, d.title, v["page"], v["text"].as_str().unwrap_or(""));
                    }
                    return Ok(0);
                };
                if json {
                    print_json(p)?;
                } else {
                    println!("{}  ({} p.{})", p.id, d.title, p.page);
                    print_tree(std::slice::from_ref(p), 0, usize::MAX);
                }
                return Ok(0);
            }
            if json {
                print_json(&d)?;
            } else {
                println!("{}\n{}", d.id, d.title);
                println!("发文机关  {}", d.issuer.join("、"));
                println!("文种      {}", d.doc_type.as_deref().unwrap_or("?"));
                println!("主送机关  {}", d.addressees.as_deref().unwrap_or(""));
                println!("成文日期  {}", d.signed_date.map(|d| d.to_string()).unwrap_or_default());
                println!("页码      {}–{}  ({})", d.pages[0], d.pages[1], d.issue.id);
                if let Some(i) = &d.instrument {
                    println!("印发/附件 {} ({}; {} 章 {} 条)", i.title, i.doc_type.as_deref().unwrap_or("?"), i.chapters, i.articles);
                }
                println!();
                print_tree(&d.provisions, 0, 24);
            }
            Ok(0)
        }
        Cmd::Serve { addr } => {
            let state = gongbao::serve::state(&cli.index)?;
            let rt = tokio::runtime::Runtime::new()?;
            let index = cli.index.display().to_string();
            rt.block_on(gongbao::serve::run(state, addr, |bound| {
                println!("gongbao: serving http://{bound}/ (index {index})");
                let _ = std::io::stdout().flush();
            }))
            .with_context(|| format!("serving on {addr}"))?;
            Ok(0)
        }
        Cmd::Export { format, bulk_index } => {
            let ix = GongbaoIndex::open(&cli.index)?;
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            let mut failed: Option<std::io::Error> = None;
            gongbao::index::for_each_record(&ix.index, &ix.dir, |r| {
                if failed.is_none() {
                    let res = match format {
                        ExportFormat::Jsonl => {
                            serde_json::to_writer(&mut out, &r).map_err(std::io::Error::from).and_then(|_| writeln!(out))
                        }
                        ExportFormat::Bulk => gongbao::index::write_bulk(&mut out, &bulk_index, &r),
                    };
                    if let Err(e) = res {
                        failed = Some(e);
                    }
                }
            })?;
            if let Some(e) = failed {
                return Err(e.into());
            }
            out.flush()?;
            Ok(0)
        }
        Cmd::Changes { since, last, watched, json } => {
            let ix = GongbaoIndex::open(&cli.index)?;
            let reader = ix.reader()?;
            let since = match (since, last) {
                (_, true) => gongbao::changes::Since::LastIngest,
                (Some(d), _) => gongbao::changes::Since::Date(d),
                _ => gongbao::changes::Since::All,
            };
            let list = if watched { Some(gongbao::watch::WatchList::load(&cli.index)?) } else { None };
            if list.as_ref().is_some_and(|l| l.is_empty()) {
                eprintln!("note: nothing is watched (gongbao watch add ID…)");
            }
            let changes = gongbao::changes::list(&ix, &reader.searcher(), since, list.as_ref())?;
            if json {
                print_json(&gongbao::changes::ChangesReport { changes })?;
            } else {
                print_changes(&changes);
            }
            Ok(0)
        }
        Cmd::Watch { action } => run_watch(&cli.index, action),
        Cmd::Rebuild { from } => {
            let n = gongbao::index::rebuild_from(&cli.index, from.as_deref())?;
            let source = from.map(|f| f.display().to_string()).unwrap_or_else(|| "its stored records".into());
            eprintln!("rebuilt {} from {source}: {n} documents", cli.index.display());
            Ok(0)
        }
    }
}

/// `changes` for people: per ingest, one block per change.
fn print_changes(changes: &[gongbao::changes::Change]) {
    if changes.is_empty() {
        println!("no changes");
        return;
    }
    let show = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_else(|| "—".into());
    let mut at = None;
    for c in changes {
        if at != Some(c.ingested) {
            at = Some(c.ingested);
            let n = changes.iter().filter(|x| x.ingested == c.ingested).count();
            println!("ingest of {}: {n} changes", c.ingested.format("%Y-%m-%d %H:%M:%S %:z"));
        }
        let name = c.doc_number.clone().unwrap_or_else(|| c.doc_id.clone());
        println!("  {:<18} {name}  {}", c.kind.as_str(), c.title.as_deref().unwrap_or(""));
        let mut what: Vec<String> = Vec::new();
        if let Some(b) = &c.by {
            what.push(format!("by {}", b.doc_number.as_deref().unwrap_or(&b.id)));
        }
        match c.kind {
            gongbao::changes::ChangeKind::Extended => what.push(format!("until {}", show(c.until))),
            gongbao::changes::ChangeKind::Expires => what.push(format!("last day in force {}", show(c.until))),
            _ => {}
        }
        if c.effective.is_some() {
            what.push(format!("from {}", show(c.effective)));
        }
        if !c.provisions.is_empty() {
            what.push(c.provisions.join("、"));
        }
        if !c.in_corpus {
            what.push("not in the corpus".into());
        }
        println!("  {:<18} {}", "", what.join(", "));
        if let Some(e) = &c.evidence {
            println!("  {:<18} “{e}”", "");
        }
    }
}

/// `watch add|remove|list`.
fn run_watch(index: &std::path::Path, action: WatchCmd) -> Result<i32> {
    use gongbao::watch;
    // The index, when there is one, says what it holds of each id.
    let open = || if index.join("meta.json").exists() { GongbaoIndex::open(index).map(Some) } else { Ok(None) };
    match action {
        WatchCmd::Add { ids } => {
            let (added, already) = watch::add(index, &ids, gongbao::clock::today())?;
            let ix = open()?;
            let list =
                watch::WatchList { watch: watch::WatchList::load(index)?.watch.into_iter().filter(|w| added.contains(&w.id)).collect() };
            for e in watch::describe(&list, ix.as_ref(), gongbao::clock::today())? {
                match (e.in_corpus, &e.title) {
                    (true, Some(t)) => println!("watching {}  {t}", e.id),
                    _ => println!("watching {}  (not in the corpus yet)", e.id),
                }
            }
            for id in already {
                eprintln!("already watched: {id}");
            }
        }
        WatchCmd::Remove { ids } => {
            let (removed, absent) = watch::remove(index, &ids)?;
            for id in removed {
                println!("no longer watching {id}");
            }
            for id in absent {
                eprintln!("not watched: {id}");
            }
        }
        WatchCmd::List { json } => {
            let list = watch::WatchList::load(index)?;
            let ix = open()?;
            let entries = watch::describe(&list, ix.as_ref(), gongbao::clock::today())?;
            if json {
                print_json(&serde_json::json!({ "watch": entries }))?;
            } else if entries.is_empty() {
                println!("nothing is watched (gongbao watch add ID…)");
            } else {
                for e in &entries {
                    let status = e.status.map(|s| format!("{} ({})", s.label_zh(), s.as_str())).unwrap_or_else(|| "—".into());
                    let corpus = if e.in_corpus { "" } else { "  (not in the corpus)" };
                    println!("{}  {status}  {}{corpus}  [since {}]", e.id, e.title.as_deref().unwrap_or(""), e.added);
                }
            }
        }
    }
    Ok(0)
}
