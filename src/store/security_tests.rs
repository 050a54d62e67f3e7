//! The rules of issue 6, each as a test: encryption at rest, roles, the audit trail,
//! backups. Beside `tests.rs`, whose helpers they share.

use super::tests::{PASSPHRASE, fresh, new_person, open, open_as, supervisor, today};
use super::*;
use crate::domain::snapshot::tests::*;
use tempfile::TempDir;

/// Every file under `dir`, read whole.
fn all_files(dir: &Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(all_files(&path));
        } else {
            out.push((path.clone(), std::fs::read(&path).expect("read")));
        }
    }
    out
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn officer(ward: Option<&str>) -> Credentials {
    let name = match ward {
        Some(w) => format!("Officer {w}"),
        None => "Officer".to_string(),
    };
    Credentials::new(&name, "officer passphrase")
}

/// A database with a supervisor, a ward CT and a ward TC, and an officer.
fn with_officer(ward: Option<&str>) -> (TempDir, Store) {
    let (dir, mut store) = fresh();
    let mut tc = sample_ward();
    tc.code = "TC".into();
    tc.name = "Tuần Châu".into();
    store.add_ward(tc).expect("ward");
    let who = officer(ward);
    store
        .add_user(&who.user, Role::Officer, ward, who.passphrase())
        .expect("add officer");
    (dir, store)
}

#[test]
fn a_name_written_through_the_store_is_not_found_as_bytes_in_any_file() {
    let (dir, mut store) = fresh();
    let mut p = new_person();
    p.full_name = "Phạm Thị Quỳnh Hương".into();
    p.address = "Số 17 ngõ Hoa Sữa".into();
    let saved = store.save_person(p).expect("save");
    let mut edited = saved.clone();
    edited.full_name = "Phạm Thị Quỳnh Hoa".into();
    store.save_person(edited).expect("edit");
    drop(store);
    let store = open(dir.path());
    assert_eq!(store.snapshot().people.len(), 1, "the person is there");
    drop(store);
    for (path, bytes) in all_files(dir.path()) {
        for secret in ["Phạm Thị Quỳnh", "Quỳnh Hương", "Hoa Sữa"] {
            assert!(
                !contains(&bytes, secret.as_bytes()),
                "{secret} readable in {}",
                path.display()
            );
        }
    }
}

#[test]
fn a_wrong_passphrase_is_refused_and_changes_nothing() {
    let (dir, mut store) = fresh();
    store.save_person(new_person()).expect("save");
    let before = store.snapshot().people.clone();
    drop(store);
    let wrong = Credentials::new(&supervisor().user, "not the passphrase");
    match Store::open(dir.path(), OpenMode::MustExist, &wrong) {
        Err(StoreError::WrongPassphrase) => {}
        Err(other) => panic!("expected WrongPassphrase, got {other:?}"),
        Ok(_) => panic!("a wrong passphrase opened the database"),
    }
    let unknown = Credentials::new("Nobody", PASSPHRASE);
    assert!(matches!(
        Store::open(dir.path(), OpenMode::MustExist, &unknown),
        Err(StoreError::UnknownUser(_))
    ));
    let store = open(dir.path());
    assert_eq!(store.snapshot().people, before);
    assert!(store.check().is_ok(), "{:?}", store.check().findings);
}

#[test]
fn a_value_moved_to_another_key_fails_to_decrypt() {
    let (dir, mut store) = fresh();
    let a = store.save_person(new_person()).expect("a");
    let b = store.save_person(new_person()).expect("b");
    let people = store.tree(keys::PEOPLE);
    let a_value = people
        .get(keys::id_key(a.id))
        .expect("get")
        .expect("a value");
    people.insert(keys::id_key(b.id), a_value).expect("move");
    store.flush().expect("flush");
    let findings = store.check().findings;
    assert!(
        findings.iter().any(|f| f.tree == keys::PEOPLE
            && f.key == b.id.to_string()
            && matches!(f.problem, check::FindingKind::Undecodable(_))),
        "{findings:?}"
    );
    drop(store);
    let store = open(dir.path());
    assert_eq!(store.load_problems().len(), 1);
    assert_eq!(store.load_problems()[0].key, keys::id_key(b.id));
}

#[test]
fn an_officer_cannot_approve_a_plan_through_the_store() {
    let (dir, mut store) = with_officer(None);
    let person = store.save_person(new_person()).expect("person");
    let mut plan = sample_plan();
    plan.id = Id::NEW;
    plan.person_id = person.id;
    let plan = store.save_plan(plan).expect("draft plan");
    drop(store);

    let mut as_officer = open_as(dir.path(), &officer(None));
    assert!(!as_officer.may(Permission::ApprovePlans));
    assert!(matches!(
        as_officer.approve_plan(plan.id),
        Err(StoreError::NotAllowed(Permission::ApprovePlans))
    ));
    // Not through a plain save either.
    let mut approved = plan.clone();
    approved.status = PlanStatus::Approved;
    approved.approved_by = "Officer".into();
    approved.approved_on = Some(today());
    assert!(matches!(
        as_officer.save_plan(approved),
        Err(StoreError::NotAllowed(Permission::ApprovePlans))
    ));
    // Editing the draft is an officer's work.
    let mut edited = plan.clone();
    edited.goal = "Mở rộng quầy nước".into();
    as_officer.save_plan(edited).expect("officer edits a draft");
    drop(as_officer);

    let mut store = open(dir.path());
    assert_eq!(store.snapshot().plans[&plan.id].status, PlanStatus::Draft);
    let approved = store.approve_plan(plan.id).expect("supervisor approves");
    assert_eq!(approved.status, PlanStatus::Approved);
    assert_eq!(approved.approved_by, "Cán bộ A");
    assert_eq!(approved.approved_on, Some(today()));
}

#[test]
fn an_officer_of_one_ward_cannot_write_records_of_another() {
    let (dir, mut store) = with_officer(Some("CT"));
    let mut in_tc = new_person();
    in_tc.ward = "TC".into();
    let in_tc = store.save_person(in_tc).expect("supervisor writes TC");
    drop(store);
    let mut as_officer = open_as(dir.path(), &officer(Some("CT")));
    let mine = as_officer.save_person(new_person()).expect("own ward");
    // Only their own ward is loaded: the other ward's person is not there to be shown,
    // searched or exported, and cannot be changed by id, not even moved into CT.
    let seen: Vec<Id> = as_officer.snapshot().people.keys().copied().collect();
    assert_eq!(seen, [mine.id], "only their ward's people");
    let mut edit = in_tc.clone();
    edit.phone = "0900 000 000".into();
    assert!(matches!(
        as_officer.save_person(edit.clone()),
        Err(StoreError::Unseen)
    ));
    edit.ward = "CT".into();
    assert!(matches!(
        as_officer.save_person(edit),
        Err(StoreError::Unseen)
    ));
    let mut moved = new_person();
    moved.ward = "TC".into();
    assert!(matches!(
        as_officer.save_person(moved),
        Err(StoreError::OutsideWard(_))
    ));
    let mut grant = super::tests::new_grant(in_tc.id);
    grant.person_id = in_tc.id;
    assert!(matches!(
        as_officer.hand_over_grant(grant),
        Err(StoreError::Unseen)
    ));
    drop(as_officer);
    let supervisor = open(dir.path());
    assert_eq!(
        supervisor.snapshot().people.len(),
        2,
        "a supervisor sees every ward"
    );
    assert_eq!(
        supervisor.snapshot().people.get(&in_tc.id),
        Some(&in_tc),
        "unchanged"
    );
}

#[test]
fn an_officer_cannot_manage_users_wards_or_export_names() {
    let (dir, store) = with_officer(None);
    drop(store);
    let mut as_officer = open_as(dir.path(), &officer(None));
    assert!(matches!(
        as_officer.add_user("Someone", Role::Officer, None, "long enough"),
        Err(StoreError::NotAllowed(Permission::ManageUsers))
    ));
    assert!(matches!(
        as_officer.change_passphrase("Cán bộ A", "long enough"),
        Err(StoreError::NotAllowed(Permission::ManageUsers))
    ));
    assert!(matches!(
        as_officer.add_ward(sample_ward()),
        Err(StoreError::NotAllowed(Permission::ManageSettings))
    ));
    assert!(matches!(
        as_officer.record_export("people", true),
        Err(StoreError::NotAllowed(Permission::ExportWithNames))
    ));
    as_officer
        .record_export("people", false)
        .expect("codes only is fine");
    let last = as_officer
        .audit_trail(None)
        .expect("trail")
        .pop()
        .expect("entry");
    assert_eq!(
        (last.action.as_str(), last.user.as_str()),
        ("export", "Officer")
    );
}

#[test]
fn a_supervisor_resets_a_forgotten_passphrase_and_the_old_one_stops_working() {
    let (dir, mut store) = with_officer(None);
    store
        .change_passphrase("officer", "a brand new one")
        .expect("reset (names match folded)");
    drop(store);
    assert!(matches!(
        Store::open(dir.path(), OpenMode::MustExist, &officer(None)),
        Err(StoreError::WrongPassphrase)
    ));
    let store = open_as(dir.path(), &Credentials::new("Officer", "a brand new one"));
    assert_eq!(store.user().role, Role::Officer);
}

#[test]
fn users_are_added_and_removed_but_the_last_supervisor_stays() {
    let (dir, mut store) = with_officer(None);
    assert!(matches!(
        store.add_user("officer", Role::Officer, None, "long enough"),
        Err(StoreError::UserExists(_))
    ));
    assert!(matches!(
        store.add_user("Short", Role::Officer, None, "short"),
        Err(StoreError::PassphraseTooShort)
    ));
    assert!(matches!(
        store.remove_user("Cán bộ A"),
        Err(StoreError::RemoveSelf)
    ));
    store.remove_user("Officer").expect("remove");
    assert_eq!(store.users().len(), 1);
    assert!(store.check().is_ok(), "{:?}", store.check().findings);
    drop(store);
    assert!(matches!(
        Store::open(dir.path(), OpenMode::MustExist, &officer(None)),
        Err(StoreError::UnknownUser(_))
    ));
}

#[test]
fn every_write_is_audited_with_field_names_and_never_values() {
    let (_dir, mut store) = fresh();
    let person = store.save_person(new_person()).expect("person");
    let mut edited = person.clone();
    edited.phone = "0977 111 222".into();
    store.save_person(edited).expect("edit");
    let history = store.history_of(person.id).expect("history");
    let changes: Vec<_> = history.iter().map(|h| h.change.clone()).collect();
    assert_eq!(
        changes,
        vec![
            RecordChange::Created,
            RecordChange::Changed(vec!["phone".into()])
        ]
    );
    assert!(history.iter().all(|h| h.user == "Cán bộ A"));
    let trail = format!("{:?}", store.audit_trail(None).expect("trail"));
    assert!(!trail.contains("0977 111 222") && !trail.contains(&person.full_name));
    assert!(store.check().is_ok(), "{:?}", store.check().findings);
}

#[test]
fn a_bulk_write_is_audited_too() {
    let (_dir, mut store) = fresh();
    let saved = store
        .import_people((0..1_200).map(|_| new_person()).collect())
        .expect("import");
    let history = store.history_of(saved[700].id).expect("history");
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].action, "import_people");
    assert!(store.check().is_ok(), "{:?}", store.check().findings);
}

fn audit_is_broken(store: &Store) -> bool {
    store
        .check()
        .findings
        .iter()
        .any(|f| f.tree == keys::AUDIT && matches!(f.problem, check::FindingKind::AuditBroken(_)))
}

/// A store with five audit entries: the first user, a ward, three people.
fn five_entries() -> (TempDir, Store) {
    let (dir, mut store) = fresh();
    for _ in 0..3 {
        store.save_person(new_person()).expect("person");
    }
    assert_eq!(store.audit_trail(None).expect("trail").len(), 5);
    assert!(!audit_is_broken(&store));
    (dir, store)
}

#[test]
fn the_audit_chain_detects_a_deleted_entry() {
    let (_dir, store) = five_entries();
    store
        .tree(keys::AUDIT)
        .remove(keys::seq_key(3))
        .expect("remove");
    assert!(audit_is_broken(&store), "{:?}", store.check().findings);
}

#[test]
fn the_audit_chain_detects_a_deleted_last_entry() {
    let (_dir, store) = five_entries();
    store
        .tree(keys::AUDIT)
        .remove(keys::seq_key(5))
        .expect("remove");
    assert!(audit_is_broken(&store), "{:?}", store.check().findings);
}

#[test]
fn an_altered_audit_entry_is_detected() {
    let (_dir, mut store) = fresh();
    for _ in 0..3 {
        store.save_person(new_person()).expect("person");
    }
    // Entry 2 rewritten (sealed properly, as by someone with the key) with another user.
    let key = keys::seq_key(2);
    let value = store
        .tree(keys::AUDIT)
        .get(&key)
        .expect("get")
        .expect("entry");
    let mut entry: AuditEntry = store.decode_value(keys::AUDIT, &key, &value).expect("open");
    entry.user = "someone else".into();
    let forged = store.encode_value(keys::AUDIT, &key, &entry).expect("seal");
    store
        .tree(keys::AUDIT)
        .insert(&key, forged)
        .expect("insert");
    let findings = store.check().findings;
    assert!(
        findings
            .iter()
            .any(|f| matches!(f.problem, check::FindingKind::AuditBroken(_))),
        "{findings:?}"
    );
}

#[test]
fn a_trail_cut_at_its_end_and_capped_with_an_older_head_is_detected() {
    let (_dir, mut store) = five_entries();
    // Someone without the key keeps the head as it was after entry 5...
    let old_head = store
        .tree(keys::META)
        .get(keys::META_AUDIT_HEAD)
        .expect("get")
        .expect("head");
    store.record_export("people", true).expect("export");
    store.save_person(new_person()).expect("person");
    // ...then removes what came after and puts the old head back: the chain itself
    // is whole again, but the person saved by entry 7 says it came after the head.
    for seq in [6, 7] {
        store
            .tree(keys::AUDIT)
            .remove(keys::seq_key(seq))
            .expect("remove");
    }
    store
        .tree(keys::META)
        .insert(keys::META_AUDIT_HEAD, old_head)
        .expect("insert");
    let findings = store.check().findings;
    assert!(
        findings
            .iter()
            .any(|f| f.tree == keys::AUDIT
                && matches!(f.problem, check::FindingKind::AuditBroken(_))),
        "{findings:?}"
    );
}

#[test]
fn a_value_whose_writing_sequence_was_changed_does_not_open() {
    let (_dir, mut store) = fresh();
    let person = store.save_person(new_person()).expect("person");
    let key = keys::id_key(person.id);
    let mut value = store
        .tree(keys::PEOPLE)
        .get(&key)
        .expect("get")
        .expect("value")
        .to_vec();
    value[1] = 0; // the sequence, lowered to slip under an older head
    store
        .tree(keys::PEOPLE)
        .insert(&key, value)
        .expect("insert");
    assert!(!store.check().is_ok());
}

#[test]
fn a_user_name_with_a_terminal_code_in_it_is_refused() {
    let (_dir, mut store) = fresh();
    let result = store.add_user("Nam\u{1b}[2J", Role::Officer, None, "officer passphrase");
    assert!(matches!(result, Err(StoreError::Invalid(_))), "{result:?}");
    assert_eq!(store.users().len(), 1);
}

#[test]
fn only_a_supervisor_marks_a_person_entered_in_error_and_takes_it_back_audited() {
    let (dir, mut store) = with_officer(None);
    let person = store.save_person(new_person()).expect("person");
    drop(store);

    let mut as_officer = open_as(dir.path(), &officer(None));
    assert!(matches!(
        as_officer.mark_entered_in_error(person.id, true),
        Err(StoreError::NotAllowed(Permission::MarkEnteredInError))
    ));
    // Not through a plain save either.
    let mut marked = person.clone();
    marked.entered_in_error = true;
    as_officer
        .save_person(marked)
        .expect("a save keeps the mark as it was");
    assert!(as_officer.snapshot().people[&person.id].counts());
    drop(as_officer);

    let mut store = open(dir.path());
    let marked = store
        .mark_entered_in_error(person.id, true)
        .expect("supervisor marks");
    assert!(!marked.counts());
    // An edit through the form keeps the mark.
    let mut edited = marked.clone();
    edited.entered_in_error = false;
    edited.phone = "0977 111 222".into();
    assert!(!store.save_person(edited).expect("edit").counts());
    let restored = store
        .mark_entered_in_error(person.id, false)
        .expect("supervisor restores");
    assert!(restored.counts());
    let history = store.history_of(person.id).expect("history");
    let actions: Vec<&str> = history.iter().map(|h| h.action.as_str()).collect();
    assert_eq!(
        actions,
        vec![
            "save_person",
            "save_person", // the officer's, which left the mark alone
            "mark_entered_in_error",
            "save_person",
            "restore_entered_in_error"
        ]
    );
    assert_eq!(
        history[2].change,
        RecordChange::Changed(vec!["entered_in_error".into()])
    );
    assert!(store.check().is_ok(), "{:?}", store.check().findings);
}
