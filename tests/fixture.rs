//! A database written by version 1 of the record layout, committed under
//! tests/fixtures/db-v1, must keep opening and reading in every later version.
//! Written with: SINHKE_TODAY=2025-06-01 sinhke demo --db tests/fixtures/db-v1 --people 12 --seed 42

mod common;
use common::*;
use std::path::Path;

#[test]
fn the_committed_v1_database_opens_reads_and_checks() {
    let dir = tempfile::tempdir().expect("tempdir");
    let copy = dir.path().join("db");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/db-v1"),
        &copy,
    );
    // Opening with credentials migrates it: every value rewritten sealed.
    let store = open_store(&copy);
    let s = store.snapshot();
    assert_eq!(
        (
            s.people.len(),
            s.plans.len(),
            s.grants.len(),
            s.milestones.len()
        ),
        (12, 3, 6, 24)
    );
    assert!(
        store.load_problems().is_empty(),
        "{:?}",
        store.load_problems()
    );
    // Field by field, what version 1 wrote (read once from the fixture and written down here).
    let id = |text: &str| sinhke::domain::Id::parse(text).expect("id");
    let person = &s.people[&id("01GD5E8080D1CVA6S0P533ZYDG")];
    assert_eq!(
        (
            person.code.as_str(),
            person.full_name.as_str(),
            person.birth_year
        ),
        ("DH-0001", "Hồ Kim Lan", 2007)
    );
    assert_eq!(person.sex, sinhke::domain::Sex::Female);
    let grant = &s.grants[&id("01HWSJNS00VFS6VQ6F966MNSEH")];
    assert_eq!(
        (
            grant.item.as_str(),
            grant.quantity.whole_units(),
            grant.total_value.0
        ),
        ("Tủ lạnh", 1, 7_740_000)
    );
    assert_eq!(s.milestones_of(grant.id).count(), 4);
    assert!(store.check().is_ok(), "{:?}", store.check().findings);
    drop(store);
    assert_eq!(ok(&copy, &["check"]).trim(), "ok");
}

fn fixture_copy() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let copy = dir.path().join("db");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/db-v1"),
        &copy,
    );
    (dir, copy)
}

fn files_under(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read").flatten() {
        if entry.path().is_dir() {
            out.extend(files_under(&entry.path()));
        } else {
            out.push(entry.path());
        }
    }
    out
}

#[test]
fn after_migration_no_file_holds_a_name_and_no_old_folder_is_left() {
    let (dir, copy) = fixture_copy();
    let name = "Hồ Kim Lan".as_bytes();
    let readable = |p: &Path| {
        std::fs::read(p)
            .map(|b| b.windows(name.len()).any(|w| w == name))
            .unwrap_or(false)
    };
    assert!(
        files_under(&copy).iter().any(|p| readable(p)),
        "the fixture holds the name in clear, so this test can fail"
    );
    assert_eq!(ok(&copy, &["check"]).trim(), "ok");
    for file in files_under(dir.path()) {
        assert!(!readable(&file), "name readable in {}", file.display());
    }
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .expect("read")
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(names, vec![std::ffi::OsString::from("db")]);
    assert!(ok(&copy, &["audit"]).contains("encrypt_database"));
}

#[test]
fn a_migration_killed_before_the_swap_leaves_the_old_database_to_migrate_again() {
    let (dir, copy) = fixture_copy();
    // What a kill -9 while sealing into the new folder leaves behind.
    let staging = dir.path().join("db.sinhke-new");
    std::fs::create_dir_all(&staging).expect("mkdir");
    std::fs::write(staging.join("db"), b"half written").expect("write");
    assert!(ok(&copy, &["stats"]).contains("people: 12"));
    assert_eq!(ok(&copy, &["check"]).trim(), "ok");
    assert!(!staging.exists());
}

#[test]
fn a_migration_killed_between_the_two_renames_is_finished_on_the_next_open() {
    let (dir, copy) = fixture_copy();
    // Migrate a second copy to stand for the complete new folder, then put the
    // folders where a kill between "db -> db.sinhke-old" and "new -> db" leaves them.
    let other = dir.path().join("other");
    copy_dir(&copy, &other);
    ok(&other, &["stats"]);
    std::fs::rename(&copy, dir.path().join("db.sinhke-old")).expect("old");
    std::fs::rename(&other, dir.path().join("db.sinhke-new")).expect("new");
    std::fs::write(dir.path().join("db.sinhke-new.complete"), b"complete\n").expect("mark");
    assert!(ok(&copy, &["stats"]).contains("people: 12"));
    assert_eq!(ok(&copy, &["check"]).trim(), "ok");
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .expect("read")
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(names, vec![std::ffi::OsString::from("db")]);
}
