//! Throughput of the text stages on the sample issue's text (no PDF, no
//! index): clean, segment (with structure and analyse, which it calls),
//! and each of structure and analyse alone.
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

criterion_group!(benches, stages);
criterion_main!(benches);
