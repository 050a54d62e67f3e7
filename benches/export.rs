//! Exporting the milestones at 1,000, 10,000 and 50,000 demo people, to a file on disk
//! (written beside, synced, renamed: what the program does), and into memory. The floor
//! is the csv crate alone writing as many rows of the same width from ready strings:
//! what is left above it is our own work (filtering, sorting, formatting, translating).

mod common;

use common::{SIZES, demo_db, today};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use sinhke::i18n::Lang;
use sinhke::output::OutputFile;
use sinhke::report::Filter;
use sinhke::report::export::{ExportKind, ExportOptions, export, export_to_file};
use std::hint::black_box;

fn options() -> ExportOptions {
    ExportOptions {
        lang: Lang::Vi,
        include_names: false,
        filter: Filter::default(),
        suppress_below: None,
        delimiter: Default::default(),
    }
}

/// One milestone row's width and typical content, as the export writes it.
const FLOOR_ROW: [&str; 14] = [
    "CT-0001",
    "Phường Cam Đường",
    "2025-03-14",
    "Thăm 3 tháng",
    "Đã thăm",
    "2025-03-20",
    "Lan",
    "Lan",
    "Có",
    "18",
    "2500000",
    "Không",
    "",
    "GR-000123",
];

fn milestones(c: &mut Criterion) {
    let mut group = c.benchmark_group("export_milestones");
    group.sample_size(10);
    for people in SIZES {
        let store = common::open(&demo_db(people));
        let snap = store.snapshot();
        let rows = snap.milestones.len();
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("milestones.csv");
        let target = OutputFile::outside(&path, store.path()).expect("outside the database");
        group.bench_with_input(BenchmarkId::new("to_file", people), &people, |b, _| {
            b.iter(|| {
                export_to_file(
                    ExportKind::Milestones,
                    snap,
                    today(),
                    &options(),
                    &target,
                    &mut |_, _| {},
                )
                .expect("export")
            })
        });
        group.bench_with_input(BenchmarkId::new("to_memory", people), &people, |b, _| {
            b.iter(|| {
                let mut out = Vec::with_capacity(rows * 120);
                export(
                    ExportKind::Milestones,
                    snap,
                    today(),
                    &options(),
                    &mut out,
                    &mut |_, _| {},
                )
                .expect("export");
                black_box(out.len())
            })
        });
        group.bench_with_input(BenchmarkId::new("csv_floor", people), &rows, |b, &rows| {
            b.iter(|| {
                let mut w = csv::Writer::from_writer(Vec::with_capacity(rows * 120));
                for _ in 0..rows {
                    w.write_record(FLOOR_ROW).expect("row");
                }
                black_box(w.into_inner().expect("flush").len())
            })
        });
        drop(store);
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().measurement_time(std::time::Duration::from_secs(5));
    targets = milestones
}
criterion_main!(benches);
