//! The store at 1,000, 10,000 and 50,000 demo people: open and load, save a person, and
//! hand over a grant with its schedule.

mod common;

use common::{SIZES, demo_db, scratch_copy, today};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use sinhke::domain::*;

use std::hint::black_box;

fn new_person(ward: &str) -> Person {
    Person {
        id: Id::NEW,
        code: String::new(),
        full_name: "Nguyễn Thị Thử".into(),
        sex: Sex::Female,
        birth_year: 1990,
        ward: ward.into(),
        address: "Tổ 3, khu 2".into(),
        phone: "0912345678".into(),
        target_groups: vec![TargetGroup::Victim],
        household_note: String::new(),
        consent: None,
        enrolled_on: today(),
        status: PersonStatus::Active,
        collaborator: "Lan".into(),
        stamp: Stamp::default(),
        entered_in_error: false,
    }
}

fn open_and_load(c: &mut Criterion) {
    let mut group = c.benchmark_group("open_and_load");
    group.sample_size(10);
    for people in SIZES {
        let db = demo_db(people);
        group.bench_with_input(BenchmarkId::from_parameter(people), &db, |b, db| {
            b.iter_custom(|iterations| {
                let mut total = std::time::Duration::ZERO;
                for _ in 0..iterations {
                    let start = std::time::Instant::now();
                    let store = common::open(db);
                    black_box(store.snapshot().people.len());
                    total += start.elapsed();
                    drop(store);
                    // sled releases its lock from its own threads: let it, outside the timing.
                    std::thread::sleep(std::time::Duration::from_millis(50));
                }
                total
            })
        });
    }
    group.finish();
}

fn writes(c: &mut Criterion) {
    let mut group = c.benchmark_group("write");
    group.sample_size(30);
    for people in SIZES {
        let (_dir, db) = scratch_copy(people);
        let mut store = common::open(&db);
        store.set_today(today());
        group.bench_with_input(BenchmarkId::new("save_person", people), &people, |b, _| {
            b.iter(|| store.save_person(new_person("CT")).expect("save"))
        });
        let person = store.save_person(new_person("CT")).expect("save").id;
        group.bench_with_input(
            BenchmarkId::new("hand_over_grant", people),
            &people,
            |b, _| {
                b.iter(|| {
                    let grant = Grant {
                        id: Id::NEW,
                        person_id: person,
                        plan_id: None,
                        kind: GrantKind::Livestock,
                        item: "Gà giống".into(),
                        quantity: Quantity::whole(50),
                        unit: "con".into(),
                        unit_value: Dong(80_000),
                        total_value: Dong(4_000_000),
                        handed_over_on: today(),
                        handover_record_no: String::new(),
                        supplier: String::new(),
                        card: None,
                        stamp: Stamp::default(),
                    };
                    store.hand_over_grant(grant).expect("hand over")
                })
            },
        );
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().measurement_time(std::time::Duration::from_secs(5));
    targets = open_and_load, writes
}
criterion_main!(benches);
