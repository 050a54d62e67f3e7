//! Bringing a ward's workbook in: 10,000 people in one .xlsx (what `export people
//! --include-names --out FILE.xlsx` writes from the 10,000-people demo), read and every
//! row checked (what `--dry-run` does), and read, checked and written into a database
//! that has the wards and nobody yet (the whole `import people`).

mod common;

use common::{credentials, demo_db, today};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use sinhke::i18n::Lang;
use sinhke::report::Filter;
use sinhke::report::export::{Delimiter, ExportKind, ExportOptions};
use sinhke::report::import::read_people_in;
use sinhke::report::workbook::{Contents, Cover, write_workbook};
use sinhke::store::{KdfParams, OpenMode, Store};
use std::hint::black_box;

/// The demo's people as a workbook, with their names, and the demo's wards.
fn workbook_of_people() -> (Vec<u8>, Vec<sinhke::domain::Ward>) {
    let store = common::open(&demo_db(10_000));
    let options = ExportOptions {
        lang: Lang::Vi,
        include_names: true,
        filter: Filter::default(),
        suppress_below: None,
        delimiter: Delimiter::Comma,
    };
    let cover = Cover {
        wards: Vec::new(),
        made_at: String::new(),
    };
    let mut bytes = Vec::new();
    write_workbook(
        Contents::One(ExportKind::People),
        store.snapshot(),
        today(),
        &options,
        &cover,
        &mut bytes,
        &mut |_, _| {},
    )
    .expect("workbook");
    (bytes, store.snapshot().wards.values().cloned().collect())
}

/// A new database with these wards and nobody in them.
fn wards_only(wards: &[sinhke::domain::Ward]) -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = Store::open_with_kdf(
        &dir.path().join("db"),
        OpenMode::CreateIfMissing,
        &credentials(),
        KdfParams::TEST,
    )
    .expect("create");
    store.set_today(today());
    for ward in wards {
        store.add_ward(ward.clone()).expect("ward");
    }
    (dir, store)
}

fn import_people(c: &mut Criterion) {
    let (bytes, wards) = workbook_of_people();
    let mut group = c.benchmark_group("import_workbook_10000_people");
    group.sample_size(10);
    let (_dir, empty) = wards_only(&wards);
    group.bench_function("read_and_check", |b| {
        b.iter(|| {
            let plan = read_people_in(&bytes, None, None, empty.snapshot(), empty.user(), today())
                .expect("read");
            assert_eq!(plan.people.len(), 10_000, "{:?}", plan.problems.first());
            black_box(plan.people.len())
        })
    });
    drop(empty);
    group.bench_function("read_check_and_write", |b| {
        b.iter_batched(
            || wards_only(&wards),
            |(dir, mut store)| {
                let plan =
                    read_people_in(&bytes, None, None, store.snapshot(), store.user(), today())
                        .expect("read");
                let people = plan.people.into_iter().map(|(_, p)| p).collect();
                store.import_people(people).expect("import");
                (dir, store)
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().measurement_time(std::time::Duration::from_secs(10));
    targets = import_people
}
criterion_main!(benches);
