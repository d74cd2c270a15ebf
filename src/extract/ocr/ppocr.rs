//! PP-OCR (PP-OCRv4 detection and recognition, the mobile direction
//! classifier), run on onnxruntime: a prepared page image in, boxes of text
//! with their confidence out.
//!
//! The models are the ONNX files the PyPI package `rapidocr-onnxruntime`
//! ships; onnxruntime is the shared library the PyPI package `onnxruntime`
//! ships (`scripts/setup.sh` installs both, `pip install --no-deps --target
//! /usr/local/lib/gongbao/ppocr`; `GONGBAO_PPOCR_DIR` names another such
//! directory, e.g. a Python's site-packages). Nothing is downloaded.
//!
//! The recogniser runs in a child process of our own binary
//! (`__ocr-worker`, [`run_worker`]) under the worker's time, memory and CPU
//! bounds, one page after another ([`Reader`]: the models load once for up
//! to [`PAGES_PER_WORKER`] pages), each page within the worker's timeout,
//! one onnxruntime thread each (one child per core reads): whatever
//! onnxruntime does on a page ends that child, and the next page starts
//! another.
//!
//! Protocol: the parent writes a page on stdin, a line `DPI LENGTH` and a
//! PGM of LENGTH bytes; the worker answers with one line of JSON,
//! `{"read": WorkerPage}` or `{"failed": "why"}`, and waits for the next
//! page; it exits 0 when stdin closes, or 3 with a message on stderr when
//! the models will not load.
//!
//! Pipeline (after PaddleOCR's, simplified for upright 公文 pages that the
//! preparation has deskewed): the page is shrunk for detection
//! ([`DET_DPI`]); DB's probability map, thresholded at 0.3 and dilated,
//! falls into connected regions whose boxes, scored and grown back by the
//! unclip ratio, are the text lines; the direction classifier votes on the
//! widest lines whether the page is upside down; each line is cut from the
//! full-resolution page, scaled to 48 pixels high and read by CTC (greedy),
//! its confidence the mean probability of the characters read. For lines
//! that may be a 文号 or a date, the five best characters of each CTC step
//! come back too ([`Step`]), so that the caller can read them again with a
//! character whitelist ([`decode_whitelist`]).

use super::image::Gray;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Where setup.sh installs the models and onnxruntime.
pub const DEFAULT_DIR: &str = "/usr/local/lib/gongbao/ppocr";
const DET_MODEL: &str = "rapidocr_onnxruntime/models/ch_PP-OCRv4_det_infer.onnx";
const CLS_MODEL: &str = "rapidocr_onnxruntime/models/ch_ppocr_mobile_v2.0_cls_infer.onnx";
const REC_MODEL: &str = "rapidocr_onnxruntime/models/ch_PP-OCRv4_rec_infer.onnx";

/// Resolution detection runs at: text of 10 pt is 13 px there, 三号 body
/// text 21 px, enough for DB (PaddleOCR's own default shrinks an A4 page to
/// 736 px, 63 dpi). On the 12 pages of the photocopy and of the 300-dpi scan
/// (bench/ocr.py) 96 dpi read as well as 160 (CER 1.13 % and 0.34 %) in half
/// the detection time (0.5 against 1.0 s a page on one thread).
pub const DET_DPI: f32 = 96.0;
/// Height of a line image for the recogniser.
const REC_HEIGHT: usize = 48;
/// Widest line image (in pixels at 48 high) read in one go.
const REC_MAX_WIDTH: usize = 48 * 60;
/// Line images are this narrow for their height: 0.85 read the photocopy
/// and the scan as well as 1.0 did (CER 1.13 % against 1.17 %, 0.34 %
/// against 0.33 %) in 15 % less time; at 0.75 the scan's CER rose to 0.37 %,
/// at 0.65 to 0.83 %.
const REC_SQUEEZE: f32 = 0.85;
/// Most pages one worker reads before a fresh one takes over (its CPU
/// bound is theirs together); its models load once (0.36 s) for them all.
pub const PAGES_PER_WORKER: usize = 32;
/// CTC candidates kept per step for a whitelist re-read.
const TOP_K: usize = 5;

/// An installed PP-OCR: the model files and onnxruntime's library.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ppocr {
    pub det: PathBuf,
    pub cls: PathBuf,
    pub rec: PathBuf,
    pub runtime: PathBuf,
    /// `PP-OCRv4 (rapidocr-onnxruntime 1.4.4, onnxruntime 1.31.1)`
    pub version: String,
}

/// Find PP-OCR in `GONGBAO_PPOCR_DIR` or [`DEFAULT_DIR`]; the error says
/// what is missing and how to install it.
pub fn detect() -> Result<Ppocr, String> {
    let dir = std::env::var_os("GONGBAO_PPOCR_DIR").map(PathBuf::from).unwrap_or_else(|| PathBuf::from(DEFAULT_DIR));
    probe(&dir)
}

fn probe(dir: &Path) -> Result<Ppocr, String> {
    let install =
        "scripts/setup.sh, or pip install --no-deps --target /usr/local/lib/gongbao/ppocr onnxruntime==1.31.1 rapidocr-onnxruntime==1.4.4";
    let (det, cls, rec) = (dir.join(DET_MODEL), dir.join(CLS_MODEL), dir.join(REC_MODEL));
    for m in [&det, &cls, &rec] {
        if !m.is_file() {
            return Err(format!("PP-OCR models not found ({} is missing; {install})", m.display()));
        }
    }
    let capi = dir.join("onnxruntime/capi");
    let runtime = std::fs::read_dir(&capi)
        .ok()
        .and_then(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.path()))
                .find(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("libonnxruntime.so")))
        })
        .ok_or_else(|| format!("onnxruntime's library not found in {} ({install})", capi.display()))?;
    let dist = |name: &str| -> String {
        std::fs::read_dir(dir)
            .ok()
            .and_then(|rd| {
                rd.filter_map(|e| e.ok())
                    .filter_map(|e| e.file_name().into_string().ok())
                    .find_map(|n| n.strip_prefix(&format!("{name}-")).and_then(|v| v.strip_suffix(".dist-info")).map(str::to_string))
            })
            .unwrap_or_else(|| "?".into())
    };
    let version = format!("PP-OCRv4 (rapidocr-onnxruntime {}, onnxruntime {})", dist("rapidocr_onnxruntime"), dist("onnxruntime"));
    Ok(Ppocr { det, cls, rec, runtime, version })
}

/// The hidden subcommand that runs the PP-OCR worker.
pub const WORKER_SUBCOMMAND: &str = "__ocr-worker";

/// Reads pages through one PP-OCR worker child, started at the first page
/// and kept for the next ones (its models load once, 0.36 s), each page
/// under the worker's timeout. A page the worker fails on (crash, timeout,
/// memory) costs that page only: the next page starts a new worker.
pub struct Reader<'a> {
    engine: &'a Ppocr,
    limits: crate::extract::Limits,
    session: Option<crate::extract::worker::Session>,
}

impl<'a> Reader<'a> {
    pub fn new(engine: &'a Ppocr, limits: crate::extract::Limits) -> Reader<'a> {
        Reader { engine, limits, session: None }
    }

    /// Read one prepared page at `dpi`.
    pub fn read(&mut self, page: &Gray, dpi: f32) -> Result<WorkerPage, String> {
        use crate::extract::worker::{worker_exe, Session, SessionEnd};
        let mut session = match self.session.take() {
            Some(s) => s,
            None => {
                let exe = worker_exe().map_err(|e| format!("cannot start the PP-OCR worker: {e}"))?;
                let mut cmd = std::process::Command::new(exe);
                let e = self.engine;
                cmd.arg(WORKER_SUBCOMMAND).arg("--runtime").arg(&e.runtime).arg("--det").arg(&e.det).arg("--cls").arg(&e.cls);
                cmd.arg("--rec").arg(&e.rec);
                // Workers run in parallel: one thread each.
                cmd.env("OMP_NUM_THREADS", "1");
                Session::start(cmd, PAGES_PER_WORKER, self.limits.timeout, self.limits.memory)
                    .map_err(|e| format!("cannot run the PP-OCR worker: {e}"))?
            }
        };
        let pgm = page.to_pgm();
        let mut request = format!("{dpi} {}\n", pgm.len()).into_bytes();
        request.extend_from_slice(&pgm);
        drop(pgm);
        match session.ask(request, self.limits.timeout) {
            Ok(line) => {
                self.session = Some(session);
                match serde_json::from_slice::<Reply>(&line) {
                    Ok(Reply::Read(p)) => Ok(p),
                    Ok(Reply::Failed(e)) => Err(e),
                    Err(e) => Err(format!("the PP-OCR worker sent an unreadable page: {e}")),
                }
            }
            // A worker that has read its share: the next one reads this page.
            Err(SessionEnd::Spent) => self.read(page, dpi),
            Err(SessionEnd::TimedOut) => Err(format!("the PP-OCR worker timed out after {} s", self.limits.timeout.as_secs())),
            Err(SessionEnd::Ended(how)) => Err(format!("the PP-OCR worker {how}")),
        }
    }
}

/// The worker's answer for one page.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Reply {
    Read(WorkerPage),
    Failed(String),
}

/// One CTC step's best characters and their probabilities.
pub type Step = Vec<(char, f32)>;

/// A line of text the recogniser read, in pixels of the page it was given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkerBox {
    pub x0: f32,
    pub y0: f32,
    pub x1: f32,
    pub y1: f32,
    pub text: String,
    /// Mean probability of the characters read (0–1).
    pub confidence: f32,
    /// The best candidates of each step, for lines that may be a 文号 or a
    /// date (see [`super::reread::wants_steps`]); empty otherwise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<Step>,
}

/// What the worker read on a page.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WorkerPage {
    pub width: usize,
    pub height: usize,
    /// The page was upside down (the direction classifier's vote) and was
    /// read turned; boxes are in the turned page's pixels.
    pub turned: bool,
    pub boxes: Vec<WorkerBox>,
}

/// Entry point of `gongbao __ocr-worker --runtime LIB --det F --cls F --rec
/// F`: read pages from stdin until it closes, answering each with one line
/// of JSON, a [`Reply`]. Returns the exit code (3: the models would not
/// load, or the input broke off; the message is on stderr).
pub fn run_worker(args: &[String]) -> i32 {
    std::panic::set_hook(Box::new(|_| {}));
    let r = std::panic::catch_unwind(|| worker(args)).unwrap_or_else(|_| Err("the PP-OCR worker panicked".into()));
    match r {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("{e}");
            3
        }
    }
}

fn arg<'a>(args: &'a [String], name: &str) -> Result<&'a str, String> {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).map(String::as_str).ok_or_else(|| format!("missing {name}"))
}

/// The next page on stdin: a line `DPI LENGTH`, then LENGTH bytes of PGM.
/// `None` when stdin has closed.
fn next_page(input: &mut impl std::io::BufRead) -> Result<Option<(f32, Vec<u8>)>, String> {
    let mut head = String::new();
    if input.read_line(&mut head).map_err(|e| format!("reading a page header: {e}"))? == 0 {
        return Ok(None);
    }
    let head = head.trim_end();
    let (dpi, len) = head.split_once(' ').ok_or_else(|| format!("a page header without its length: {head:?}"))?;
    let dpi: f32 = dpi.parse().map_err(|_| format!("bad dpi in {head:?}"))?;
    let len: usize = len.parse().map_err(|_| format!("bad length in {head:?}"))?;
    let mut body = vec![0u8; len];
    input.read_exact(&mut body).map_err(|e| format!("a page shorter than its header says: {e}"))?;
    Ok(Some((dpi, body)))
}

fn worker(args: &[String]) -> Result<(), String> {
    use std::io::Write;
    let mut m = Models::load(Path::new(arg(args, "--runtime")?), arg(args, "--det")?, arg(args, "--cls")?, arg(args, "--rec")?)?;
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let stdout = std::io::stdout();
    while let Some((dpi, pgm)) = next_page(&mut input)? {
        let read = super::image::read_pnm(&pgm).and_then(|r| {
            let page = match r {
                super::image::Raster::Gray(g) => g,
                super::image::Raster::Rgb(c) => c.luma(),
            };
            drop(pgm);
            m.read_page(page, dpi)
        });
        let reply = match read {
            Ok(p) => Reply::Read(p),
            Err(e) => Reply::Failed(e),
        };
        let mut out = stdout.lock();
        writeln!(out, "{}", serde_json::to_string(&reply).map_err(|e| e.to_string())?)
            .and_then(|_| out.flush())
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// The three sessions and the recogniser's characters.
struct Models {
    det: ort::session::Session,
    cls: ort::session::Session,
    rec: ort::session::Session,
    /// Index 0 is CTC's blank.
    chars: Vec<char>,
}

fn ort_err<E: std::fmt::Display>(what: &'static str) -> impl Fn(E) -> String {
    move |e| format!("{what}: {e}")
}

impl Models {
    fn load(runtime: &Path, det: &str, cls: &str, rec: &str) -> Result<Models, String> {
        let env = ort::init_from(runtime).map_err(ort_err("cannot load onnxruntime"))?.build().map_err(ort_err("onnxruntime"))?;
        let session = |path: &str| -> Result<ort::session::Session, String> {
            ort::session::Session::builder(&env)
                .map_err(ort_err("onnxruntime"))?
                .with_optimization_level(ort::session::builder::GraphOptimizationLevel::All)
                .map_err(ort_err("onnxruntime"))?
                // Line images differ in width: no memory plan to redo each run.
                .with_memory_pattern(false)
                .map_err(ort_err("onnxruntime"))?
                .with_intra_threads(1)
                .map_err(ort_err("onnxruntime"))?
                .with_inter_threads(1)
                .map_err(ort_err("onnxruntime"))?
                .commit_from_file(path)
                .map_err(|e| format!("cannot load {path}: {e}"))
        };
        let (det, cls, rec) = (session(det)?, session(cls)?, session(rec)?);
        let listed =
            rec.metadata().map_err(ort_err("model metadata"))?.custom("character").ok_or("the recognition model lists no characters")?;
        // blank, the dictionary, and the space PaddleOCR appends.
        let mut chars = vec!['\0'];
        chars.extend(listed.lines().map(|l| l.chars().next().unwrap_or(' ')));
        chars.push(' ');
        Ok(Models { det, cls, rec, chars })
    }

    fn read_page(&mut self, mut page: Gray, dpi: f32) -> Result<WorkerPage, String> {
        let mut boxes = self.detect(&page, dpi)?;
        let mut turned = false;
        if self.upside_down(&page, &boxes)? {
            page = turn(&page);
            boxes = self.detect(&page, dpi)?;
            turned = true;
        }
        let mut out = self.recognise(&page, &boxes)?;
        out.retain(|b| !b.text.trim().is_empty());
        Ok(WorkerPage { width: page.width, height: page.height, turned, boxes: out })
    }

    /// Text line boxes in page pixels: (x0, y0, x1, y1).
    fn detect(&mut self, page: &Gray, dpi: f32) -> Result<Vec<[f32; 4]>, String> {
        let s = (DET_DPI / dpi).min(1.0);
        let round32 = |v: f32| (((v / 32.0).round() as usize).max(1)) * 32;
        let (w, h) = (round32(page.width as f32 * s), round32(page.height as f32 * s));
        let small = resize(page, w, h);
        let plane: Vec<f32> = small.px.iter().map(|&v| v as f32 / 127.5 - 1.0).collect();
        let mut input = Vec::with_capacity(plane.len() * 3);
        for _ in 0..3 {
            input.extend_from_slice(&plane);
        }
        let t = ort::value::Tensor::from_array(([1usize, 3, h, w], input)).map_err(ort_err("detection input"))?;
        let out = self.det.run(ort::inputs![t]).map_err(ort_err("detection"))?;
        let (shape, prob) = out[0].try_extract_tensor::<f32>().map_err(ort_err("detection output"))?;
        let (ph, pw) = (shape[2] as usize, shape[3] as usize);
        let (sx, sy) = (page.width as f32 / pw as f32, page.height as f32 / ph as f32);
        Ok(db_boxes(prob, pw, ph).into_iter().map(|b| [b[0] * sx, b[1] * sy, b[2] * sx, b[3] * sy]).collect())
    }

    /// Do most of the widest lines read as turned by 180°?
    fn upside_down(&mut self, page: &Gray, boxes: &[[f32; 4]]) -> Result<bool, String> {
        let mut widest: Vec<&[f32; 4]> = boxes.iter().filter(|b| b[2] - b[0] > 2.0 * (b[3] - b[1])).collect();
        widest.sort_by(|a, b| (b[2] - b[0]).total_cmp(&(a[2] - a[0])));
        widest.truncate(6);
        if widest.len() < 3 {
            return Ok(false);
        }
        let (cw, ch) = (192usize, 48usize);
        let mut input = vec![0f32; widest.len() * 3 * ch * cw];
        for (i, b) in widest.iter().enumerate() {
            let crop = page.crop(b[0] as usize, b[1] as usize, b[2].ceil() as usize, b[3].ceil() as usize);
            let rw = ((ch as f32 * crop.width as f32 / crop.height.max(1) as f32).ceil() as usize).clamp(1, cw);
            let r = resize(&crop, rw, ch);
            for c in 0..3 {
                for y in 0..ch {
                    for x in 0..rw {
                        input[((i * 3 + c) * ch + y) * cw + x] = r.px[y * rw + x] as f32 / 127.5 - 1.0;
                    }
                }
            }
        }
        let t = ort::value::Tensor::from_array(([widest.len(), 3, ch, cw], input)).map_err(ort_err("direction input"))?;
        let out = self.cls.run(ort::inputs![t]).map_err(ort_err("direction"))?;
        let (_, p) = out[0].try_extract_tensor::<f32>().map_err(ort_err("direction output"))?;
        let turned = p.chunks_exact(2).filter(|c| c[1] > 0.9).count();
        Ok(turned * 3 >= widest.len() * 2)
    }

    fn recognise(&mut self, page: &Gray, boxes: &[[f32; 4]]) -> Result<Vec<WorkerBox>, String> {
        let crops: Vec<Gray> = boxes
            .iter()
            .map(|b| page.crop(b[0].max(0.0) as usize, b[1].max(0.0) as usize, b[2].ceil() as usize, b[3].ceil() as usize))
            .collect();
        // At the line's aspect, narrowed by REC_SQUEEZE.
        let widths: Vec<usize> = crops
            .iter()
            .map(|c| ((REC_SQUEEZE * REC_HEIGHT as f32 * c.width as f32 / c.height.max(1) as f32).ceil() as usize).clamp(8, REC_MAX_WIDTH))
            .collect();
        // One line per run: on one thread a batch of six lines 1,440 px wide
        // took 208 ms a line, one at a time 125 ms (padding aside, the
        // larger tensors leave the cache).
        let mut out = Vec::with_capacity(crops.len());
        for (i, crop) in crops.iter().enumerate() {
            let w = widths[i];
            // Short lines are padded to the 320 px the model was trained at.
            let bw = w.max(320);
            let r = resize(crop, w, REC_HEIGHT);
            let mut input = vec![0f32; 3 * REC_HEIGHT * bw];
            for c in 0..3 {
                for y in 0..REC_HEIGHT {
                    let row = &mut input[(c * REC_HEIGHT + y) * bw..][..w];
                    for (x, v) in row.iter_mut().enumerate() {
                        *v = r.px[y * w + x] as f32 / 127.5 - 1.0;
                    }
                }
            }
            let t = ort::value::Tensor::from_array(([1usize, 3, REC_HEIGHT, bw], input)).map_err(ort_err("recognition input"))?;
            let res = self.rec.run(ort::inputs![t]).map_err(ort_err("recognition"))?;
            let (shape, probs) = res[0].try_extract_tensor::<f32>().map_err(ort_err("recognition output"))?;
            let (steps, classes) = (shape[1] as usize, shape[2] as usize);
            // Steps past the line's own width read the padding.
            let used = (steps * w).div_ceil(bw).min(steps);
            let m = &probs[..used * classes];
            let (text, confidence) = decode(m, classes, &self.chars);
            let b = boxes[i];
            let steps = if super::reread::wants_steps(&text) { top_steps(m, classes, &self.chars) } else { vec![] };
            out.push(WorkerBox { x0: b[0], y0: b[1], x1: b[2], y1: b[3], text, confidence, steps });
        }
        Ok(out)
    }
}

/// Greedy CTC: the best class of each step, repeats merged, blanks dropped;
/// the confidence is the mean probability of the characters kept. The
/// width of punctuation that has two forms is then set from where the
/// characters stand ([`punctuation_widths`]).
fn decode(m: &[f32], classes: usize, chars: &[char]) -> (String, f32) {
    let mut read: Vec<(char, usize)> = Vec::new();
    let (mut sum, mut n) = (0f32, 0usize);
    let mut prev = 0usize;
    for (t, step) in m.chunks_exact(classes).enumerate() {
        let (best, p) = step.iter().enumerate().fold((0usize, f32::MIN), |a, (i, &v)| if v > a.1 { (i, v) } else { a });
        if best != 0 && best != prev {
            if let Some(&c) = chars.get(best) {
                read.push((c, t));
                sum += p;
                n += 1;
            }
        }
        prev = best;
    }
    punctuation_widths(&mut read);
    (read.into_iter().map(|(c, _)| c).collect(), if n == 0 { 0.0 } else { sum / n as f32 })
}

/// The half-width and full-width forms of the punctuation a 公文 prints
/// both ways (`,` and `，`, `(` and `（`…).
const TWO_WIDTHS: [(char, char); 5] = [(',', '，'), ('(', '（'), (')', '）'), (':', '：'), (';', '；')];

/// The recogniser reads `，` and `,` alike (a comma glyph is the same in
/// both); what tells them apart on the page is the room they take. A
/// full-width mark takes an em, as a Han character does, a half-width one
/// about half: measured in CTC steps, the distance from the character before
/// the mark to the one after it is two ems or one and a half. The em is the
/// line's median step between two Han characters (a justified line spreads
/// them alike). Marks at a line's ends, or on lines with too few Han
/// characters to measure, keep the form read.
fn punctuation_widths(read: &mut [(char, usize)]) {
    let is_han = |c: char| ('\u{4e00}'..='\u{9fff}').contains(&c);
    let mut ems: Vec<usize> = read.windows(2).filter(|w| is_han(w[0].0) && is_han(w[1].0)).map(|w| w[1].1 - w[0].1).collect();
    if ems.len() < 3 {
        return;
    }
    ems.sort_unstable();
    let em = ems[ems.len() / 2] as f32;
    if em < 2.0 {
        return;
    }
    for i in 1..read.len().saturating_sub(1) {
        let c = read[i].0;
        let Some(&(half, full)) = TWO_WIDTHS.iter().find(|(h, f)| *h == c || *f == c) else { continue };
        // Only between characters that are not marks themselves (`）（`
        // and `。”` are set closer by the compositor).
        let (before, after) = (read[i - 1].0, read[i + 1].0);
        if TWO_WIDTHS.iter().any(|(h, f)| [*h, *f].contains(&before) || [*h, *f].contains(&after)) {
            continue;
        }
        let span = (read[i + 1].1 - read[i - 1].1) as f32 / em;
        read[i].0 = if span < 1.75 { half } else { full };
    }
}

/// The [`TOP_K`] best characters of each step (`'\0'` for the blank).
fn top_steps(m: &[f32], classes: usize, chars: &[char]) -> Vec<Step> {
    m.chunks_exact(classes)
        .map(|step| {
            let mut idx: Vec<usize> = (0..classes).collect();
            idx.select_nth_unstable_by(TOP_K.min(classes) - 1, |&a, &b| step[b].total_cmp(&step[a]));
            idx.truncate(TOP_K);
            idx.sort_by(|&a, &b| step[b].total_cmp(&step[a]));
            idx.into_iter().map(|i| (chars.get(i).copied().unwrap_or('\0'), (step[i] * 1000.0).round() / 1000.0)).collect()
        })
        .collect()
}

/// CTC again over the kept candidates, allowing only the characters
/// `allowed` says yes to (and the blank): the text and its confidence.
pub fn decode_whitelist(steps: &[Step], allowed: impl Fn(char) -> bool) -> (String, f32) {
    let mut text = String::new();
    let (mut sum, mut n) = (0f32, 0usize);
    let mut prev = '\0';
    for step in steps {
        let (c, p) = step.iter().copied().find(|&(c, _)| c == '\0' || allowed(c)).unwrap_or(('\0', 0.0));
        if c != '\0' && c != prev {
            text.push(c);
            sum += p;
            n += 1;
        }
        prev = c;
    }
    (text, if n == 0 { 0.0 } else { sum / n as f32 })
}

/// DB post-processing: the regions of the probability map above 0.3
/// (dilated by a pixel), scored by their mean probability (kept from 0.5),
/// grown by the unclip ratio 1.6; boxes in map pixels.
fn db_boxes(prob: &[f32], w: usize, h: usize) -> Vec<[f32; 4]> {
    let on: Vec<bool> = prob.iter().map(|&p| p > 0.3).collect();
    // 2×2 dilation, as PaddleOCR's use_dilation.
    let mut mask = on.clone();
    for y in 0..h {
        for x in 0..w {
            if on[y * w + x] {
                if x + 1 < w {
                    mask[y * w + x + 1] = true;
                }
                if y + 1 < h {
                    mask[(y + 1) * w + x] = true;
                    if x + 1 < w {
                        mask[(y + 1) * w + x + 1] = true;
                    }
                }
            }
        }
    }
    let mut boxes = Vec::new();
    super::image::for_each_component(&mask, w, h, true, |c| {
        let (x0, y0, x1, y1) = (c.x0, c.y0, c.x1, c.y1);
        let (sum, n) = (c.pixels.iter().map(|&i| prob[i]).sum::<f32>(), c.pixels.len());
        let (bw, bh) = ((x1 - x0 + 1) as f32, (y1 - y0 + 1) as f32);
        if bw.min(bh) < 3.0 {
            return;
        }
        // The mean over the region itself (a slanted line's box is mostly background).
        if sum / (n as f32) < 0.5 {
            return;
        }
        let d = bw * bh * 1.6 / (2.0 * (bw + bh));
        let b =
            [(x0 as f32 - d).max(0.0), (y0 as f32 - d).max(0.0), (x1 as f32 + 1.0 + d).min(w as f32), (y1 as f32 + 1.0 + d).min(h as f32)];
        if (b[2] - b[0]).min(b[3] - b[1]) < 5.0 {
            return;
        }
        boxes.push(b);
    });
    boxes
}

/// Bilinear resize (area-averaged when shrinking by more than half).
pub fn resize(g: &Gray, w: usize, h: usize) -> Gray {
    let mut out = Gray::new(w, h, 255);
    if g.width == 0 || g.height == 0 || w == 0 || h == 0 {
        return out;
    }
    let (fx, fy) = (g.width as f32 / w as f32, g.height as f32 / h as f32);
    if fx > 2.0 || fy > 2.0 {
        for y in 0..h {
            let (sy0, sy1) = ((y as f32 * fy) as usize, (((y + 1) as f32 * fy) as usize).clamp(1, g.height));
            for x in 0..w {
                let (sx0, sx1) = ((x as f32 * fx) as usize, (((x + 1) as f32 * fx) as usize).clamp(1, g.width));
                let (sy0, sx0) = (sy0.min(sy1 - 1), sx0.min(sx1 - 1));
                let mut s = 0u32;
                for yy in sy0..sy1 {
                    s += g.px[yy * g.width + sx0..yy * g.width + sx1].iter().map(|&v| v as u32).sum::<u32>();
                }
                out.px[y * w + x] = (s / ((sy1 - sy0) * (sx1 - sx0)) as u32) as u8;
            }
        }
        return out;
    }
    for y in 0..h {
        let sy = ((y as f32 + 0.5) * fy - 0.5).clamp(0.0, (g.height - 1) as f32);
        let (y0, ty) = (sy as usize, sy.fract());
        let y1 = (y0 + 1).min(g.height - 1);
        for x in 0..w {
            let sx = ((x as f32 + 0.5) * fx - 0.5).clamp(0.0, (g.width - 1) as f32);
            let (x0, tx) = (sx as usize, sx.fract());
            let x1 = (x0 + 1).min(g.width - 1);
            let p = |x: usize, y: usize| g.px[y * g.width + x] as f32;
            let v = (p(x0, y0) * (1.0 - tx) + p(x1, y0) * tx) * (1.0 - ty) + (p(x0, y1) * (1.0 - tx) + p(x1, y1) * tx) * ty;
            out.px[y * w + x] = v.round() as u8;
        }
    }
    out
}

/// The page turned by 180°.
fn turn(g: &Gray) -> Gray {
    let mut px = g.px.clone();
    px.reverse();
    Gray { width: g.width, height: g.height, px }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ctc_greedy_merges_repeats_and_drops_blanks() {
        let chars = ['\0', '青', '政', '2', ' '];
        // steps: 青 青 blank 政 2 2 blank 2
        let best = [1, 1, 0, 2, 3, 3, 0, 3];
        let mut m = vec![0.01f32; best.len() * chars.len()];
        for (t, &b) in best.iter().enumerate() {
            m[t * chars.len() + b] = 0.9;
        }
        let (text, conf) = decode(&m, chars.len(), &chars);
        assert_eq!(text, "青政22");
        assert!((conf - 0.9).abs() < 1e-6);
        let steps = top_steps(&m, chars.len(), &chars);
        assert_eq!(steps.len(), best.len());
        assert_eq!(steps[0][0].0, '青');
    }

    #[test]
    fn punctuation_takes_the_width_it_has_on_the_page() {
        // Han characters 6 steps apart; a comma 9 steps from 件 to 的 is
        // half-width, one 12 steps from 知 to 各 full-width.
        let mut read: Vec<(char, usize)> =
            vec![('附', 0), ('件', 6), ('，', 9), ('的', 15), ('通', 21), ('知', 27), (',', 33), ('各', 39), ('县', 45)];
        punctuation_widths(&mut read);
        let text: String = read.iter().map(|(c, _)| *c).collect();
        assert_eq!(text, "附件,的通知，各县");
        // too few Han characters to measure an em: kept as read
        let mut read: Vec<(char, usize)> = vec![('1', 0), ('，', 3), ('2', 6)];
        punctuation_widths(&mut read);
        assert_eq!(read[1].0, '，');
    }

    #[test]
    fn whitelist_decoding_takes_the_best_allowed_character() {
        // `(2024]全号`: the step read 全 had 5 as its second candidate.
        let steps: Vec<Step> =
            vec![vec![('2', 0.9), ('\0', 0.05)], vec![('\0', 0.9)], vec![('全', 0.5), ('5', 0.3), ('\0', 0.1)], vec![('号', 0.95)]];
        assert_eq!(decode_whitelist(&steps, |_| true).0, "2全号");
        let (t, c) = decode_whitelist(&steps, |c| c.is_ascii_digit() || c == '号');
        assert_eq!(t, "25号");
        assert!(c > 0.7 && c < 0.75, "{c}");
    }

    #[test]
    fn db_regions_become_grown_boxes() {
        let (w, h) = (64, 32);
        let mut p = vec![0f32; w * h];
        for y in 10..14 {
            for x in 8..40 {
                p[y * w + x] = 0.9;
            }
        }
        // a faint smudge: scored out
        for y in 20..24 {
            for x in 50..60 {
                p[y * w + x] = 0.35;
            }
        }
        let b = db_boxes(&p, w, h);
        assert_eq!(b.len(), 1, "{b:?}");
        let [x0, y0, x1, y1] = b[0];
        assert!(x0 < 8.0 && x1 > 41.0 && y0 < 10.0 && y1 > 15.0, "{:?}", b[0]);
    }

    #[test]
    fn resize_keeps_levels() {
        let g = Gray { width: 4, height: 4, px: vec![100; 16] };
        assert!(resize(&g, 2, 2).px.iter().all(|&v| v == 100));
        assert!(resize(&g, 9, 7).px.iter().all(|&v| v == 100));
        let big = Gray { width: 100, height: 10, px: (0..1000).map(|i| if i % 2 == 0 { 0 } else { 200 }).collect() };
        assert!(resize(&big, 10, 1).px.iter().all(|&v| v == 100));
    }

    #[test]
    fn pages_come_one_after_another_on_stdin() {
        let a = Gray::new(3, 2, 7).to_pgm();
        let b = Gray::new(1, 1, 9).to_pgm();
        let mut input = format!("200 {}\n", a.len()).into_bytes();
        input.extend_from_slice(&a);
        input.extend_from_slice(format!("300 {}\n", b.len()).as_bytes());
        input.extend_from_slice(&b);
        let mut r = std::io::Cursor::new(input);
        assert_eq!(next_page(&mut r).unwrap(), Some((200.0, a)));
        assert_eq!(next_page(&mut r).unwrap(), Some((300.0, b)));
        assert_eq!(next_page(&mut r).unwrap(), None);
        let mut cut = std::io::Cursor::new(b"200 99\nP5".to_vec());
        assert!(next_page(&mut cut).unwrap_err().contains("shorter than its header"));
        let mut bad = std::io::Cursor::new(b"two hundred 5\n".to_vec());
        assert!(next_page(&mut bad).is_err());
    }

    #[test]
    fn a_missing_installation_says_what_to_install() {
        let e = probe(Path::new("/nonexistent")).unwrap_err();
        assert!(e.contains("models not found") && e.contains("rapidocr-onnxruntime"), "{e}");
    }
}
