use super::*;
use crate::domain::snapshot::tests::*;
use tempfile::TempDir;

pub(super) fn today() -> NaiveDate {
    day(2025, 6, 1)
}

pub(super) const PASSPHRASE: &str = "test passphrase";

pub(super) fn supervisor() -> Credentials {
    Credentials::new("Cán bộ A", PASSPHRASE)
}

/// Opens (creating if needed) as the first user, a supervisor, with a cheap KDF.
pub(super) fn open(dir: &Path) -> Store {
    open_as(dir, &supervisor())
}

/// A database (new, or as it is) opened by `name` with the tests' passphrase, cheaply.
pub(crate) fn open_named(dir: &Path, name: &str) -> Store {
    let credentials = Credentials::new(name, "test passphrase");
    Store::open_with_kdf(
        dir,
        OpenMode::CreateIfMissing,
        &credentials,
        KdfParams::TEST,
    )
    .expect("open")
}

pub(super) fn open_as(dir: &Path, credentials: &Credentials) -> Store {
    let mut store =
        Store::open_with_kdf(dir, OpenMode::CreateIfMissing, credentials, KdfParams::TEST)
            .expect("open");
    store.set_today(today());
    store
}

pub(super) fn fresh() -> (TempDir, Store) {
    let dir = TempDir::new().expect("tempdir");
    let mut store = open(dir.path());
    store.add_ward(sample_ward()).expect("ward");
    (dir, store)
}

pub(super) fn new_person() -> Person {
    let mut p = sample_person();
    p.id = Id::NEW;
    p.code.clear();
    p
}

pub(super) fn new_grant(person: Id) -> Grant {
    let mut g = sample_grant();
    g.id = Id::NEW;
    g.person_id = person;
    g.plan_id = None;
    g
}

#[test]
fn a_saved_person_gets_a_code_and_survives_reopening() {
    let (dir, mut store) = fresh();
    let saved = store.save_person(new_person()).expect("save");
    assert_eq!(saved.code, "CT-0001");
    assert_eq!(saved.stamp.updated_by, "Cán bộ A");
    let second = store.save_person(new_person()).expect("save");
    assert_eq!(second.code, "CT-0002");
    drop(store);
    let store = open(dir.path());
    assert_eq!(store.snapshot().people.len(), 2);
    assert_eq!(store.snapshot().people[&saved.id], saved);
    assert!(store.check().is_ok(), "{:?}", store.check().findings);
}

#[test]
fn an_invalid_person_is_refused_with_every_problem_and_nothing_written() {
    let (_dir, mut store) = fresh();
    let mut p = new_person();
    p.full_name = "  ".into();
    p.birth_year = 3000;
    match store.save_person(p) {
        Err(StoreError::Invalid(rejected)) => {
            let fields: Vec<_> = rejected[0].problems.iter().map(|p| p.field).collect();
            assert_eq!(fields, vec!["full_name", "birth_year"]);
        }
        other => panic!("expected Invalid, got {other:?}"),
    }
    assert!(store.snapshot().people.is_empty());
    assert!(store.tree(keys::PEOPLE).is_empty());
}

#[test]
fn text_is_stored_as_nfc() {
    let (_dir, mut store) = fresh();
    let mut p = new_person();
    p.full_name = "Nguye\u{0302}\u{0303}n Thi\u{0323} Hoa".into();
    let saved = store.save_person(p).expect("save");
    assert_eq!(saved.full_name, "Nguyễn Thị Hoa");
}

#[test]
fn handing_over_a_grant_writes_its_schedule_in_the_same_action() {
    let (dir, mut store) = fresh();
    let person = store.save_person(new_person()).expect("person");
    let (grant, visits) = store.hand_over_grant(new_grant(person.id)).expect("grant");
    assert_eq!(visits.len(), 4);
    assert!(
        visits
            .iter()
            .all(|m| m.grant_id == Some(grant.id) && !m.id.is_new())
    );
    assert_eq!(visits[0].assigned_to, "Trần Thị Lan");
    drop(store);
    let store = open(dir.path());
    assert_eq!(store.snapshot().milestones_of(grant.id).count(), 4);
    assert!(store.check().is_ok());
}

#[test]
fn a_failure_midway_through_an_action_leaves_nothing() {
    let (dir, mut store) = fresh();
    let person = store.save_person(new_person()).expect("person");
    // Grant + 4 milestones is 5 records and 9 index entries; fail after a few writes.
    store.fail_after_writes = Some(6);
    let result = store.hand_over_grant(new_grant(person.id));
    assert!(result.is_err());
    assert!(store.snapshot().grants.is_empty() && store.snapshot().milestones.is_empty());
    drop(store);
    let store = open(dir.path());
    assert!(store.snapshot().grants.is_empty());
    assert!(store.snapshot().milestones.is_empty());
    assert!(store.tree(keys::BY_DUE).is_empty(), "no index entry either");
    assert!(store.check().is_ok());
}

#[test]
fn an_import_with_one_bad_person_writes_none() {
    let (_dir, mut store) = fresh();
    let mut bad = new_person();
    bad.ward = "XX".into();
    let result = store.import_people(vec![new_person(), bad, new_person()]);
    match result {
        Err(StoreError::Invalid(rejected)) => assert_eq!(
            rejected.iter().map(|r| r.index).collect::<Vec<_>>(),
            vec![1]
        ),
        other => panic!("expected Invalid, got {other:?}"),
    }
    assert!(store.snapshot().people.is_empty());
    let saved = store
        .import_people(vec![new_person(), new_person()])
        .expect("import");
    assert_eq!(
        saved.iter().map(|p| p.code.as_str()).collect::<Vec<_>>(),
        vec!["CT-0001", "CT-0002"]
    );
}

#[test]
fn a_second_opener_is_refused_with_a_clear_error() {
    let (dir, _store) = fresh();
    match Store::open(dir.path(), OpenMode::MustExist, &supervisor()) {
        Err(StoreError::AlreadyOpen(path)) => assert_eq!(path, dir.path()),
        Err(other) => panic!("expected AlreadyOpen, got {other:?}"),
        Ok(_) => panic!("second open succeeded"),
    }
}

#[test]
fn a_missing_database_is_reported_and_a_foreign_folder_is_not_taken_over() {
    let dir = TempDir::new().expect("tempdir");
    let missing = dir.path().join("nothing-here");
    assert!(matches!(
        Store::open(&missing, OpenMode::MustExist, &supervisor()),
        Err(StoreError::Missing(_))
    ));
    std::fs::write(dir.path().join("thesis.docx"), b"precious").expect("write");
    assert!(matches!(
        Store::open(dir.path(), OpenMode::CreateIfMissing, &supervisor()),
        Err(StoreError::NotADatabase(_))
    ));
}

#[test]
fn check_finds_a_dangling_reference() {
    let (_dir, mut store) = fresh();
    let person = store.save_person(new_person()).expect("person");
    let mut orphan = sample_plan();
    orphan.id = Id(77);
    orphan.person_id = Id(4242);
    store
        .tree(keys::PLANS)
        .insert(
            keys::id_key(orphan.id),
            // As written by the last action: a value from after it is a cut trail.
            codec::seal(
                &orphan,
                &store.sealing,
                keys::PLANS,
                &keys::id_key(orphan.id),
                store.audit_head.seq,
            )
            .expect("seal"),
        )
        .expect("plant");
    store
        .tree(keys::BY_PERSON)
        .insert(
            keys::person_entry(orphan.person_id, keys::Tag::Plan, orphan.id),
            vec![],
        )
        .expect("plant");
    let report = store.check();
    // A value planted beside the store has no version either: that is found too.
    let (history, other): (Vec<_>, Vec<_>) = report
        .findings
        .iter()
        .partition(|f| matches!(f.problem, check::FindingKind::HistoryBroken(_)));
    assert_eq!(other.len(), 1, "{:?}", report.findings);
    assert!(matches!(
        other[0].problem,
        check::FindingKind::DanglingReference {
            field: "person",
            ..
        }
    ));
    assert_eq!(history.len(), 1, "{:?}", report.findings);
    assert_eq!(history[0].key, orphan.id.to_string());
    let _ = person;
}

#[test]
fn check_finds_a_stale_index_entry_and_a_missing_one() {
    let (_dir, mut store) = fresh();
    let person = store.save_person(new_person()).expect("person");
    store
        .tree(keys::BY_DUE)
        .insert(keys::due_entry(day(2025, 1, 1), Id(999)), vec![])
        .expect("plant");
    store
        .tree(keys::BY_WARD)
        .remove(keys::ward_entry("CT", person.id))
        .expect("remove");
    let findings = store.check().findings;
    let kinds: Vec<_> = findings
        .iter()
        .map(|f| (f.tree, f.problem.clone()))
        .collect();
    assert!(
        kinds.contains(&(keys::BY_DUE, check::FindingKind::StaleIndexEntry)),
        "{findings:?}"
    );
    assert!(kinds.contains(&(
        keys::BY_WARD,
        check::FindingKind::MissingIndexEntry {
            index: keys::BY_WARD
        }
    )));
}

#[test]
fn check_finds_a_value_that_does_not_decode() {
    let (_dir, mut store) = fresh();
    let person = store.save_person(new_person()).expect("person");
    store
        .tree(keys::PEOPLE)
        .insert(keys::id_key(person.id), vec![1, 200, 3])
        .expect("plant");
    let findings = store.check().findings;
    assert!(
        findings
            .iter()
            .any(|f| matches!(f.problem, check::FindingKind::Undecodable(_))),
        "{findings:?}"
    );
}

#[test]
fn moving_a_person_to_another_ward_moves_the_index_entry() {
    let (_dir, mut store) = fresh();
    let mut tc = sample_ward();
    tc.code = "TC".into();
    tc.name = "Tuần Châu".into();
    store.add_ward(tc).expect("ward");
    let mut person = store.save_person(new_person()).expect("person");
    person.ward = "TC".into();
    let moved = store.save_person(person).expect("move");
    assert_eq!(moved.code, "CT-0001", "codes never change");
    assert!(store.check().is_ok(), "{:?}", store.check().findings);
}

#[test]
fn rescheduling_a_grant_keeps_visits_already_done() {
    let (_dir, mut store) = fresh();
    let person = store.save_person(new_person()).expect("person");
    let (mut grant, visits) = store.hand_over_grant(new_grant(person.id)).expect("grant");
    let mut first = visits[0].clone();
    first.status = MilestoneStatus::Done;
    first.done_on = Some(day(2025, 2, 3));
    store.save_milestone(first.clone()).expect("visit");
    grant.handed_over_on = day(2025, 1, 15);
    store.save_grant(grant.clone()).expect("edit");
    let mut all: Vec<_> = store.snapshot().milestones_of(grant.id).cloned().collect();
    all.sort_by_key(|m| m.months_after);
    assert_eq!(all.len(), 4);
    assert_eq!(
        all[0].done_on,
        Some(day(2025, 2, 3)),
        "the done visit is untouched"
    );
    assert_eq!(all[0].due_on, first.due_on);
    assert_eq!(all[1].due_on, day(2025, 4, 15));
    assert!(store.check().is_ok(), "{:?}", store.check().findings);
}

#[test]
fn fill_empty_refuses_a_database_with_records() {
    let (_dir, mut store) = fresh();
    assert!(matches!(
        store.fill_empty(vec![Change::Person(new_person())]),
        Err(StoreError::NotEmpty)
    ));
}

#[test]
fn a_changed_schedule_applies_to_new_grants_only() {
    let (dir, mut store) = fresh();
    let person = store.save_person(new_person()).expect("person");
    let (first, _) = store.hand_over_grant(new_grant(person.id)).expect("grant");
    let mut schedule = Schedule::default();
    schedule
        .months_by_kind
        .insert(GrantKind::Livestock, vec![2, 4]);
    store.set_schedule(schedule.clone()).expect("schedule");
    let (second, _) = store.hand_over_grant(new_grant(person.id)).expect("grant");
    assert_eq!(store.snapshot().milestones_of(first.id).count(), 4);
    assert_eq!(store.snapshot().milestones_of(second.id).count(), 2);
    drop(store);
    assert_eq!(open(dir.path()).schedule(), &schedule);
}

fn many_people(n: usize) -> Vec<Person> {
    (0..n).map(|_| new_person()).collect()
}

#[test]
fn filling_an_empty_database_interrupted_at_any_point_leaves_it_empty_or_full() {
    use bulk::CrashPoint::*;
    for (crash, survives) in [
        (JournalWritten, false),
        (ChunksWritten(1), false),
        (CommitMarked, true),
    ] {
        let dir = TempDir::new().expect("tempdir");
        let mut store = open(dir.path());
        store.crash_at = Some(crash);
        let data = crate::demo::generate(300, 1, today());
        assert!(store.fill_empty(data).is_err(), "{crash:?}");
        drop(store);
        let store = open(dir.path());
        assert_eq!(
            store.snapshot().people.len(),
            if survives { 300 } else { 0 },
            "{crash:?}"
        );
        assert_eq!(store.snapshot().wards.is_empty(), !survives);
        assert!(
            store.check().is_ok(),
            "{crash:?}: {:?}",
            store.check().findings
        );
    }
}

#[test]
fn a_large_import_goes_in_whole() {
    let (dir, mut store) = fresh();
    let saved = store.import_people(many_people(1_500)).expect("import");
    assert_eq!(saved.len(), 1_500);
    drop(store);
    let store = open(dir.path());
    assert_eq!(store.snapshot().people.len(), 1_500);
    assert!(store.tree(keys::JOURNAL).is_empty());
    assert!(store.check().is_ok());
}

#[test]
fn a_large_import_interrupted_at_any_point_leaves_none_or_all_after_reopening() {
    use bulk::CrashPoint::*;
    for (crash, survives) in [
        (JournalWritten, false),
        (ChunksWritten(0), false),
        (ChunksWritten(1), false),
        (CommitMarked, true),
    ] {
        let (dir, mut store) = fresh();
        store.save_person(new_person()).expect("one person before");
        store.crash_at = Some(crash);
        assert!(
            store.import_people(many_people(1_500)).is_err(),
            "{crash:?}"
        );
        drop(store);
        let store = open(dir.path());
        let expected = if survives { 1_501 } else { 1 };
        assert_eq!(store.snapshot().people.len(), expected, "{crash:?}");
        assert!(
            store.check().is_ok(),
            "{crash:?}: {:?}",
            store.check().findings
        );
        assert!(store.tree(keys::JOURNAL).is_empty());
    }
}

#[test]
fn check_repair_rebuilds_lost_and_stale_index_entries_and_changes_no_record() {
    let (_dir, mut store) = fresh();
    let person = store.save_person(new_person()).expect("person");
    store.save_person(new_person()).expect("person");
    assert!(store.indexes_look_whole());
    let people_before = store.snapshot().people.len();
    // One entry lost, one left behind by a record that is gone.
    store
        .tree(keys::BY_WARD)
        .remove(keys::ward_entry(&person.ward, person.id))
        .expect("remove");
    store
        .tree(keys::BY_CODE)
        .insert(b"XX-9999", keys::id_key(Id(5)))
        .expect("plant");
    let findings = store.check().findings;
    assert_eq!(findings.len(), 2, "{findings:?}");
    assert!(findings.iter().all(|f| f.problem.is_index_only()));
    let repaired = store.repair_indexes().expect("repair");
    assert_eq!(
        repaired,
        RepairReport {
            removed: 1,
            added: 1
        }
    );
    assert!(store.check().is_ok(), "{:?}", store.check().findings);
    assert!(store.indexes_look_whole());
    assert_eq!(store.snapshot().people.len(), people_before);
    assert_eq!(
        store.repair_indexes().expect("again"),
        RepairReport::default()
    );
}

#[test]
fn the_quick_index_look_notices_a_lost_entry() {
    let (_dir, mut store) = fresh();
    let person = store.save_person(new_person()).expect("person");
    store
        .tree(keys::BY_CODE)
        .remove(person.code.as_bytes())
        .expect("remove");
    assert!(!store.indexes_look_whole());
}

#[test]
fn check_finds_a_history_that_lost_its_versions_or_its_conflict_mark() {
    let (_dir, mut store) = fresh();
    let saved = store.save_person(new_person()).expect("person");
    assert!(store.check().is_ok(), "{:?}", store.check().findings);
    let record = versions::RecordRef {
        kind: versions::RecordKind::Person,
        key: keys::id_key(saved.id),
    };
    store
        .tree(keys::CONFLICTS)
        .insert(record.index_key(), vec![])
        .expect("plant");
    store.tree(keys::VERSIONS).clear().expect("clear");
    let what: Vec<&str> = store
        .check()
        .findings
        .iter()
        .filter_map(|f| match f.problem {
            check::FindingKind::HistoryBroken(w) => Some(w),
            _ => None,
        })
        .collect();
    assert!(
        what.contains(&"a version in a history is missing"),
        "{what:?}"
    );
    assert!(
        what.contains(&"the conflict list disagrees with the heads"),
        "{what:?}"
    );
}

#[test]
fn check_finds_a_value_that_is_not_its_winning_version() {
    let (_dir, mut store) = fresh();
    let saved = store.save_person(new_person()).expect("person");
    // A value written past the versions (a bug, or a tree edited by hand).
    let mut changed = saved.clone();
    changed.phone = "0999 999 999".into();
    let key = keys::id_key(saved.id);
    let value = store
        .encode_value(keys::PEOPLE, &key, &changed)
        .expect("seal");
    store.tree(keys::PEOPLE).insert(&key, value).expect("plant");
    let findings = store.check().findings;
    assert!(
        findings.iter().any(|f| matches!(
            f.problem,
            check::FindingKind::HistoryBroken("the value shown is not the winning version's")
        )),
        "{findings:?}"
    );
}

#[test]
fn a_value_that_does_not_open_is_called_unreadable_not_a_disk_refusal() {
    let (_dir, store) = fresh();
    store
        .tree(keys::DEVICES)
        .insert(b"0123456789abcdef", b"not a sealed value".to_vec())
        .expect("plant");
    let err = store.known_devices().expect_err("refused");
    assert!(matches!(err, StoreError::Unreadable(_)), "{err:?}");
    let text = crate::messages::store_message(&err, crate::i18n::Lang::En);
    assert!(text.contains("sinhke check"), "{text}");
}
