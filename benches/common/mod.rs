//! Demo databases for the benches, built once under target/bench-data and reused.
#![allow(dead_code)]

use sinhke::store::{Credentials, KdfParams, OpenMode, Store};
use std::path::PathBuf;

pub const SIZES: [usize; 3] = [1_000, 10_000, 50_000];

/// The benches' user; a cheap key derivation (the real one is timed in `encryption`).
pub fn credentials() -> Credentials {
    Credentials::new("bench", "bench passphrase")
}

/// Opens a bench database, signed in.
pub fn open(db: &std::path::Path) -> Store {
    Store::open(db, OpenMode::MustExist, &credentials()).expect("open")
}

pub fn today() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2025, 6, 1).expect("date")
}

/// A demo database of `people`, built on first use.
pub fn demo_db(people: usize) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("target/bench-data")
        .join(format!("demo-{people}"));
    if !dir.join("db").exists() {
        let _ = std::fs::remove_dir_all(&dir);
        let mut store = Store::open_with_kdf(
            &dir,
            OpenMode::CreateIfMissing,
            &credentials(),
            KdfParams::TEST,
        )
        .expect("create");
        store.set_today(today());
        store
            .fill_empty(sinhke::demo::generate(people, 1, today()))
            .expect("demo");
    }
    dir
}

/// A scratch copy, for benchmarks that write.
pub fn scratch_copy(people: usize) -> (tempfile::TempDir, PathBuf) {
    let source = demo_db(people);
    let dir = tempfile::tempdir().expect("tempdir");
    let target = dir.path().join("db");
    copy_dir(&source, &target);
    (dir, target)
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read").flatten() {
        let path = entry.path();
        if path.is_dir() {
            copy_dir(&path, &to.join(entry.file_name()));
        } else {
            std::fs::copy(&path, to.join(entry.file_name())).expect("copy");
        }
    }
}
