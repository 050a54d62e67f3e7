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
        (grant.item.as_str(), grant.quantity, grant.total_value.0),
        ("Tủ lạnh", 1, 7_740_000)
    );
    assert_eq!(s.milestones_of(grant.id).count(), 4);
    assert!(store.check().is_ok(), "{:?}", store.check().findings);
    drop(store);
    assert_eq!(ok(&copy, &["check"]).trim(), "ok");
}
