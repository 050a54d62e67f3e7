//! The consolidation at a province's size: 20 ward laptops of 500 demo people each, each
//! joined with a kit, sending its first full bundle to one supervisor database, which
//! then holds 10,000 people. Reports bundle sizes, send and receive times, and the
//! return bundle; leaves the supervisor's database under target/bench-data for the
//! first-frame bench (SINHKE_BENCH_DB=target/bench-data/consolidated-20x500 cargo bench
//! --bench first_frame). Run: cargo bench --bench sync

mod common;

use sinhke::domain::Ward;
use sinhke::store::{KdfParams, OpenMode, Store};
use sinhke::sync::{self, Target};
use std::time::{Duration, Instant};

const WARDS: usize = 20;
const PEOPLE: usize = 500;

fn open(dir: &std::path::Path) -> Store {
    let mut store = Store::open_with_kdf(
        dir,
        OpenMode::CreateIfMissing,
        &common::credentials(),
        KdfParams::TEST,
    )
    .expect("open");
    store.set_today(common::today());
    store
}

fn median(mut v: Vec<Duration>) -> f64 {
    v.sort();
    v[v.len() / 2].as_secs_f64() * 1000.0
}

fn main() {
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    let sup_dir = root.join(format!("consolidated-{WARDS}x{PEOPLE}"));
    let _ = std::fs::remove_dir_all(&sup_dir);
    let scratch = tempfile::tempdir().expect("tempdir");
    let mut sup = open(&sup_dir);
    let codes: Vec<String> = (0..WARDS)
        .map(|n| format!("P{}", (b'A' + n as u8) as char))
        .collect();
    for code in &codes {
        sup.add_ward(Ward {
            code: code.clone(),
            name: format!("Phường {code}"),
            district: "Hạ Long".into(),
            province: "Quảng Ninh".into(),
        })
        .expect("ward");
    }
    let (mut sends, mut receives, mut sizes, mut returns, mut return_sizes) =
        (vec![], vec![], vec![], vec![], vec![]);
    for code in &codes {
        let kit = sync::make_kit(&mut sup, code).expect("kit");
        let mut ward = open(&scratch.path().join(code));
        sync::join(&mut ward, &kit).expect("join");
        let first = sync::send(&mut ward, Target::Supervisor, false).expect("send");
        let _ = sync::receive(&mut sup, &first.file);
        sync::accept(&mut sup, &ward.device_public().fingerprint()).expect("accept");
        let w = sup.snapshot().wards[code].clone();
        ward.fill_ward(sinhke::demo::generate_for_ward(
            &w,
            PEOPLE,
            1,
            common::today(),
        ))
        .expect("demo");
        let t = Instant::now();
        let sent = sync::send(&mut ward, Target::Supervisor, false).expect("send");
        sends.push(t.elapsed());
        sizes.push(sent.file.len());
        let t = Instant::now();
        let got = sync::receive(&mut sup, &sent.file).expect("receive");
        receives.push(t.elapsed());
        assert_eq!(got.report.new_conflicts, 0);
        let t = Instant::now();
        let back = sync::send(&mut sup, Target::Ward(code.clone()), false).expect("return");
        returns.push(t.elapsed());
        return_sizes.push(back.file.len());
    }
    assert_eq!(sup.snapshot().people.len(), WARDS * PEOPLE);
    sizes.sort();
    let versions: usize = sup.log_position() as usize;
    println!(
        "sync/ward_bundle_{PEOPLE}_people: median {:.0} KiB (min {:.0}, max {:.0})",
        sizes[WARDS / 2] as f64 / 1024.0,
        sizes[0] as f64 / 1024.0,
        sizes[WARDS - 1] as f64 / 1024.0
    );
    println!("sync/send_{PEOPLE}_people: median {:.0} ms", median(sends));
    println!(
        "sync/receive_{PEOPLE}_people_into_supervisor: median {:.0} ms (first {:.0} ms, last {:.0} ms)",
        median(receives.clone()),
        receives[0].as_secs_f64() * 1000.0,
        receives[WARDS - 1].as_secs_f64() * 1000.0
    );
    return_sizes.sort();
    println!(
        "sync/return_bundle: median {:.1} KiB, made in median {:.0} ms",
        return_sizes[WARDS / 2] as f64 / 1024.0,
        median(returns)
    );
    println!(
        "sync/supervisor: {} people, {versions} versions in its log",
        sup.snapshot().people.len()
    );
    drop(sup);
    let t = Instant::now();
    let reopened = common::open(&sup_dir);
    println!(
        "sync/supervisor_open_and_load: {:.0} ms (test key derivation)",
        t.elapsed().as_secs_f64() * 1000.0
    );
    drop(reopened);
}
