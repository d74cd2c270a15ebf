//! Throughput of the text stages on the sample issue's text (no PDF, no
//! index): clean, segment (with structure and analyse, which it calls),
//! and each of structure and analyse alone; and the layout stage's cost
//! per page on the pages pdf-extract gives of a one-column issue (the
//! sample) and of a two-column one (tests/fixtures/two-column), extracted
//! once before timing.
//!
//!     cargo bench --bench stages

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use gongbao::clean::clean;
use gongbao::extract::text_pages;
use std::hint::black_box;

fn seed() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/yuxian-2024-03.seed.txt")).unwrap()
}

fn stages(c: &mut Criterion) {
    let text = seed();
    let pages = text_pages(&text);
    let cleaned = clean(&pages);
    let parsed = gongbao::pipeline::parse_text(&text, "seed.txt");
    let mut g = c.benchmark_group("stages");
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.sample_size(20);
    g.bench_function("clean", |b| b.iter(|| clean(black_box(&pages))));
    g.bench_function("clean+segment+structure+analyse", |b| b.iter(|| gongbao::pipeline::parse_text(black_box(&text), "seed.txt")));
    g.bench_function("segment+structure+analyse", |b| b.iter(|| gongbao::segment::segment(black_box(&cleaned), &parsed.issue)));
    g.bench_function("analyse", |b| {
        b.iter(|| {
            for d in &parsed.documents {
                black_box(gongbao::analyse::analyse(&d.text, d.signed_date, d.doc_number.as_ref(), &d.title));
            }
        })
    });
    g.finish();
}

/// The pages of a PDF as the extractor gives them (before layout).
fn raw_pages(path: &str) -> gongbao::extract::Extraction {
    std::env::set_var("GONGBAO_WORKER_EXE", env!("CARGO_BIN_EXE_gongbao"));
    gongbao::extract::extract_file(std::path::Path::new(path), &Default::default()).unwrap()
}

fn layout(c: &mut Criterion) {
    let mut g = c.benchmark_group("layout per page");
    g.sample_size(20);
    for (name, path) in [
        ("one column (sample)", concat!(env!("CARGO_MANIFEST_DIR"), "/corpus/yuxian-2024-03.pdf")),
        ("two columns", concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/two-column/gazette-2col.pdf")),
    ] {
        let ex = raw_pages(path);
        let n = ex.pages.len() as u64;
        // Per page: criterion's element throughput is pages per second.
        g.throughput(Throughput::Elements(n));
        g.bench_function(name, |b| b.iter(|| gongbao::layout::arrange(black_box(ex.clone()))));
    }
    g.finish();
}

criterion_group!(benches, stages, layout);
criterion_main!(benches);
