//! Helpers shared by the end-to-end tests: run the real binary on a scratch database.
#![allow(dead_code)]

pub mod cluster;
pub mod hub;
pub mod pty;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const TODAY: &str = "2025-06-01";
/// Every test database's first user (a supervisor) and passphrase.
pub const USER: &str = "Cán bộ Lan";
pub const PASSPHRASE: &str = "test passphrase";

pub fn credentials() -> sinhke::store::Credentials {
    sinhke::store::Credentials::new(USER, PASSPHRASE)
}

/// Opens a test database in this process (cheap KDF if it has to create one).
pub fn open_store(db: &Path) -> sinhke::store::Store {
    try_open_store(db).expect("open store")
}

pub fn try_open_store(db: &Path) -> Result<sinhke::store::Store, sinhke::store::StoreError> {
    sinhke::store::Store::open_with_kdf(
        db,
        sinhke::store::OpenMode::MustExist,
        &credentials(),
        sinhke::store::KdfParams::TEST,
    )
}

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_sinhke")
}

/// The binary with a fixed day, English messages unless asked otherwise, no inherited
/// database path, signed in as the test supervisor, and (for a new database) the cheap
/// test KDF: hundreds of runs at half a second each would be too slow.
pub fn sinhke(db: &Path) -> Command {
    let mut cmd = Command::new(bin());
    cmd.env_remove("SINHKE_DB")
        .env_remove("SINHKE_NEW_PASSPHRASE")
        .env("SINHKE_TODAY", TODAY)
        .env("SINHKE_LANG", "en")
        .env("SINHKE_USER", USER)
        .env("SINHKE_PASSPHRASE", PASSPHRASE)
        .env("SINHKE_KDF", "test")
        .arg("--db")
        .arg(db);
    cmd
}

pub fn run(db: &Path, args: &[&str]) -> Output {
    sinhke(db).args(args).output().expect("run sinhke")
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Runs and asserts success, returning stdout.
pub fn ok(db: &Path, args: &[&str]) -> String {
    let out = run(db, args);
    assert!(
        out.status.success(),
        "sinhke {args:?} failed: {}{}",
        stdout(&out),
        stderr(&out)
    );
    stdout(&out)
}

pub fn demo_db(people: usize) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("db");
    ok(
        &db,
        &["demo", "--people", &people.to_string(), "--seed", "7"],
    );
    (dir, db)
}

/// Copies a folder tree (fixtures are opened from a copy: opening may write).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read fixture") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}

/// `sinhke backup --out FILE`, asserting success; returns what it printed.
pub fn backup_to(db: &Path, file: &Path) -> String {
    ok(db, &["backup", "--out", file.to_str().expect("path")])
}

/// `sinhke export people --include-names --out FILE`, asserting success.
pub fn export_names_to(db: &Path, file: &Path) {
    ok(db, &export_names_args(file));
}

/// The arguments of an export of people with names into `file`.
pub fn export_names_args(file: &Path) -> Vec<&str> {
    vec![
        "export",
        "people",
        "--include-names",
        "--out",
        file.to_str().expect("path"),
    ]
}

/// A person of `ward` whose name carries `n`, as a ward officer would register them.
pub fn person(ward: &str, n: usize) -> sinhke::domain::Person {
    sinhke::domain::Person {
        id: sinhke::domain::Id::NEW,
        code: String::new(),
        full_name: format!("Nguyễn Thị Thử {n}"),
        sex: sinhke::domain::Sex::Female,
        birth_year: 1990,
        ward: ward.into(),
        address: String::new(),
        phone: String::new(),
        target_groups: vec![sinhke::domain::TargetGroup::AtRisk],
        household_note: String::new(),
        consent: None,
        enrolled_on: chrono::NaiveDate::from_ymd_opt(2025, 1, 1).expect("date"),
        status: sinhke::domain::PersonStatus::Active,
        collaborator: "Lan".into(),
        stamp: sinhke::domain::Stamp::default(),
        entered_in_error: false,
    }
}
