//! The exchange between a supervisor's database and ward laptops, in process: joining,
//! bundles each way, conflicts and their resolution, and every refusal.

use super::*;
use crate::domain::snapshot::tests::{sample_person, sample_ward};
use crate::domain::*;
use crate::store::versions::{RecordKind, RecordRef};
use crate::store::{Change, Credentials, KdfParams, OpenMode, Refusal, Resolution, Store, StoreError};
use tempfile::TempDir;

pub(super) struct Db {
    pub _dir: TempDir,
    pub store: Store,
}

fn open(dir: &std::path::Path, name: &str) -> Store {
    let credentials = Credentials::new(name, "test passphrase");
    Store::open_with_kdf(dir, OpenMode::CreateIfMissing, &credentials, KdfParams::TEST)
        .expect("open")
}

fn ward(code: &str) -> Ward {
    Ward {
        code: code.into(),
        name: format!("Phường {code}"),
        ..sample_ward()
    }
}

/// A supervisor's database with wards CT and HH.
pub(super) fn supervisor() -> Db {
    let dir = TempDir::new().unwrap();
    let mut store = open(dir.path(), "Giám sát");
    store.add_ward(ward("CT")).unwrap();
    store.add_ward(ward("HH")).unwrap();
    Db { _dir: dir, store }
}

/// A ward laptop joined with a kit from `sup`, its device accepted by `sup`.
pub(super) fn ward_laptop(sup: &mut Db, code: &str) -> Db {
    let kit = make_kit(&mut sup.store, code).unwrap();
    let dir = TempDir::new().unwrap();
    let mut store = open(dir.path(), &format!("Cán bộ {code}"));
    join(&mut store, &kit).unwrap();
    let mut db = Db { _dir: dir, store };
    // First bundle: the ward's keys reach the supervisor, who accepts them once.
    let first = send(&mut db.store, Target::Supervisor, false).unwrap();
    let err = receive(&mut sup.store, &first.file).unwrap_err();
    assert!(matches!(err, StoreError::Refused(Refusal::Waiting(_))), "{err:?}");
    let print = db.store.device_public().fingerprint();
    accept(&mut sup.store, &print).unwrap();
    db
}

pub(super) fn person(name: &str, ward: &str) -> Person {
    Person {
        id: Id::NEW,
        code: String::new(),
        full_name: name.into(),
        ward: ward.into(),
        ..sample_person()
    }
}

fn exchange_up(ward: &mut Db, sup: &mut Db) -> Received {
    let sent = send(&mut ward.store, Target::Supervisor, false).unwrap();
    receive(&mut sup.store, &sent.file).unwrap()
}

fn exchange_down(sup: &mut Db, ward: &mut Db, code: &str) -> Received {
    let sent = send(&mut sup.store, Target::Ward(code.into()), false).unwrap();
    receive(&mut ward.store, &sent.file).unwrap()
}

fn person_ref(id: Id) -> RecordRef {
    RecordRef {
        kind: RecordKind::Person,
        key: id.to_bytes().to_vec(),
    }
}

#[test]
fn a_ward_joins_sends_its_people_and_gets_the_approval_back() {
    let mut sup = supervisor();
    let mut ct = ward_laptop(&mut sup, "CT");
    assert_eq!(ct.store.joined_ward(), Some("CT"));
    assert_eq!(ct.store.user().ward.as_deref(), Some("CT"));
    assert!(!ct.store.may(Permission::ApprovePlans));
    assert!(ct.store.may(Permission::ManageUsers));
    let hoa = ct.store.save_person(person("Nguyễn Thị Hoa", "CT")).unwrap();
    let got = exchange_up(&mut ct, &mut sup);
    assert_eq!(got.report.new_records, 1);
    assert_eq!(sup.store.snapshot().people[&hoa.id].full_name, "Nguyễn Thị Hoa");
    // The supervisor corrects the phone; the ward learns it from its return bundle.
    let mut fixed = sup.store.snapshot().people[&hoa.id].clone();
    fixed.phone = "0987 000 111".into();
    sup.store.save_person(fixed).unwrap();
    let back = exchange_down(&mut sup, &mut ct, "CT");
    assert_eq!(back.report.updated, 1);
    assert_eq!(ct.store.snapshot().people[&hoa.id].phone, "0987 000 111");
    assert!(ct.store.conflicts().is_empty());
    // Receiving the same bundle again changes nothing.
    let again = send(&mut ct.store, Target::Supervisor, false).unwrap();
    let once = receive(&mut sup.store, &again.file).unwrap();
    let twice = receive(&mut sup.store, &again.file).unwrap();
    assert!(!once.already && twice.already);
}

#[test]
fn same_field_edits_are_a_conflict_a_person_resolves_and_the_resolution_travels() {
    let mut sup = supervisor();
    let mut ct = ward_laptop(&mut sup, "CT");
    let hoa = ct.store.save_person(person("Nguyễn Thị Hoa", "CT")).unwrap();
    exchange_up(&mut ct, &mut sup);
    let mut at_ward = ct.store.snapshot().people[&hoa.id].clone();
    at_ward.phone = "0911 111 111".into();
    ct.store.save_person(at_ward).unwrap();
    let mut at_sup = sup.store.snapshot().people[&hoa.id].clone();
    at_sup.phone = "0922 222 222".into();
    at_sup.address = "Tổ 9".into();
    sup.store.save_person(at_sup).unwrap();
    let got = exchange_up(&mut ct, &mut sup);
    assert_eq!(got.report.new_conflicts, 1);
    let record = person_ref(hoa.id);
    let view = sup.store.conflict_view(&record).unwrap();
    assert_eq!(view.heads.len(), 2);
    let phone = view.fields.iter().find(|f| f.field == "phone").unwrap();
    assert!(phone.clash);
    assert!(view.merged.is_none(), "same field: a person chooses");
    // Both heads stay readable; the ward's is kept.
    let ward_head = view
        .heads
        .iter()
        .find(|h| h.version.device == ct.store.device_public().id)
        .unwrap();
    let keep = ward_head.version.id.to_string();
    sup.store.resolve(&record, &Resolution::Keep(keep)).unwrap();
    assert!(sup.store.conflicts().is_empty());
    assert_eq!(sup.store.snapshot().people[&hoa.id].phone, "0911 111 111");
    exchange_down(&mut sup, &mut ct, "CT");
    assert!(ct.store.conflicts().is_empty());
    assert_eq!(
        ct.store.snapshot().people[&hoa.id],
        sup.store.snapshot().people[&hoa.id]
    );
}

#[test]
fn parallel_edits_of_different_fields_are_offered_as_one_merged_record() {
    let mut sup = supervisor();
    let mut ct = ward_laptop(&mut sup, "CT");
    let hoa = ct.store.save_person(person("Nguyễn Thị Hoa", "CT")).unwrap();
    exchange_up(&mut ct, &mut sup);
    let mut a = ct.store.snapshot().people[&hoa.id].clone();
    a.phone = "0911 111 111".into();
    ct.store.save_person(a).unwrap();
    let mut b = sup.store.snapshot().people[&hoa.id].clone();
    b.address = "Tổ 9".into();
    sup.store.save_person(b).unwrap();
    exchange_up(&mut ct, &mut sup);
    let record = person_ref(hoa.id);
    let view = sup.store.conflict_view(&record).unwrap();
    let Some(Change::Person(merged)) = view.merged else {
        panic!("no merged proposal")
    };
    assert_eq!(
        (merged.phone.as_str(), merged.address.as_str()),
        ("0911 111 111", "Tổ 9")
    );
    sup.store.resolve(&record, &Resolution::Merge).unwrap();
    let now = &sup.store.snapshot().people[&hoa.id];
    assert_eq!((now.phone.as_str(), now.address.as_str()), ("0911 111 111", "Tổ 9"));
}

#[test]
fn two_laptops_of_one_ward_that_issue_the_same_code_end_with_different_codes() {
    let mut sup = supervisor();
    let mut one = ward_laptop(&mut sup, "CT");
    let mut two = ward_laptop(&mut sup, "CT");
    let a = one.store.save_person(person("Lê Văn An", "CT")).unwrap();
    let b = two.store.save_person(person("Trần Thị Bình", "CT")).unwrap();
    assert_eq!(a.code, b.code);
    exchange_up(&mut one, &mut sup);
    let got = exchange_up(&mut two, &mut sup);
    assert_eq!(got.reissued.len(), 1);
    let people = sup.store.snapshot().people.clone();
    assert_ne!(people[&a.id].code, people[&b.id].code);
    assert_eq!(people[&a.id].code, a.code, "the first keeps its code");
    // Each laptop learns the other's person and the new code.
    exchange_down(&mut sup, &mut one, "CT");
    exchange_down(&mut sup, &mut two, "CT");
    for laptop in [&one, &two] {
        assert_eq!(laptop.store.snapshot().people[&b.id].code, people[&b.id].code);
        assert_eq!(laptop.store.snapshot().people[&a.id].code, a.code);
    }
}

#[test]
fn a_ward_receives_only_its_own_people() {
    let mut sup = supervisor();
    let mut ct = ward_laptop(&mut sup, "CT");
    let mut hh = ward_laptop(&mut sup, "HH");
    ct.store.save_person(person("Nguyễn Thị Hoa", "CT")).unwrap();
    hh.store.save_person(person("Phạm Văn Hải", "HH")).unwrap();
    exchange_up(&mut ct, &mut sup);
    exchange_up(&mut hh, &mut sup);
    sup.store.save_person(person("Đỗ Thị Lan", "HH")).unwrap();
    exchange_down(&mut sup, &mut ct, "CT");
    assert!(ct.store.snapshot().people.values().all(|p| p.ward == "CT"));
    assert_eq!(ct.store.snapshot().people.len(), 1);
    // Even with everything resent.
    let all = send(&mut sup.store, Target::Ward("CT".into()), true).unwrap();
    receive(&mut ct.store, &all.file).unwrap();
    assert_eq!(ct.store.snapshot().people.len(), 1);
}

mod refusals {
    use super::*;

    fn refusal(result: Result<Received, StoreError>) -> Refusal {
        match result {
            Err(StoreError::Refused(r)) => r,
            other => panic!("not refused: {other:?}"),
        }
    }

    /// The figures a person would compare before and after: nothing may change.
    fn state(store: &Store) -> (usize, u64, usize) {
        (
            store.snapshot().people.len(),
            store.log_position(),
            store.conflicts().len(),
        )
    }

    #[test]
    fn a_bundle_for_another_database_is_refused() {
        let mut sup = supervisor();
        let mut ct = ward_laptop(&mut sup, "CT");
        let mut other = supervisor();
        ct.store.save_person(person("Nguyễn Thị Hoa", "CT")).unwrap();
        let sent = send(&mut ct.store, Target::Supervisor, false).unwrap();
        let before = state(&other.store);
        assert_eq!(
            refusal(receive(&mut other.store, &sent.file)),
            Refusal::NotForThisDatabase
        );
        assert_eq!(state(&other.store), before);
    }

    #[test]
    fn a_flipped_byte_or_a_cut_file_is_refused_and_nothing_changes() {
        let mut sup = supervisor();
        let mut ct = ward_laptop(&mut sup, "CT");
        ct.store.save_person(person("Nguyễn Thị Hoa", "CT")).unwrap();
        let sent = send(&mut ct.store, Target::Supervisor, false).unwrap();
        let before = state(&sup.store);
        let mut flipped = sent.file.clone();
        let at = flipped.len() - 40;
        flipped[at] ^= 1;
        assert!(matches!(
            refusal(receive(&mut sup.store, &flipped)),
            Refusal::Damaged(_)
        ));
        let cut = &sent.file[..sent.file.len() - 100];
        assert!(matches!(refusal(receive(&mut sup.store, cut)), Refusal::Damaged(_)));
        assert_eq!(state(&sup.store), before);
        assert!(sup.store.check().is_ok());
        receive(&mut sup.store, &sent.file).unwrap();
        assert_eq!(sup.store.snapshot().people.len(), 1);
    }

    #[test]
    fn an_older_bundle_after_a_newer_one_is_refused() {
        let mut sup = supervisor();
        let mut ct = ward_laptop(&mut sup, "CT");
        ct.store.save_person(person("Nguyễn Thị Hoa", "CT")).unwrap();
        let old = send(&mut ct.store, Target::Supervisor, false).unwrap();
        ct.store.save_person(person("Lê Văn An", "CT")).unwrap();
        let new = send(&mut ct.store, Target::Supervisor, false).unwrap();
        receive(&mut sup.store, &new.file).unwrap();
        assert_eq!(sup.store.snapshot().people.len(), 2, "the newer holds both");
        assert!(matches!(
            refusal(receive(&mut sup.store, &old.file)),
            Refusal::Older { .. }
        ));
    }

    #[test]
    fn a_device_not_accepted_is_kept_waiting_and_merged_on_acceptance() {
        let mut sup = supervisor();
        let kit = make_kit(&mut sup.store, "CT").unwrap();
        let dir = TempDir::new().unwrap();
        let mut ct = open(dir.path(), "Cán bộ");
        join(&mut ct, &kit).unwrap();
        ct.save_person(person("Nguyễn Thị Hoa", "CT")).unwrap();
        let sent = send(&mut ct, Target::Supervisor, false).unwrap();
        let print = ct.device_public().fingerprint();
        assert_eq!(
            refusal(receive(&mut sup.store, &sent.file)),
            Refusal::Waiting(print.clone())
        );
        assert!(sup.store.snapshot().people.is_empty());
        let (device, merged) = accept(&mut sup.store, &print.to_lowercase()).unwrap();
        assert!(device.accepted);
        assert_eq!(merged.len(), 1);
        assert_eq!(sup.store.snapshot().people.len(), 1);
    }

    #[test]
    fn a_return_bundle_from_a_stranger_is_refused() {
        let mut sup = supervisor();
        let mut ct = ward_laptop(&mut sup, "CT");
        // Another supervisor who somehow has the ward's keys accepted.
        let mut rogue = supervisor();
        let ward_device = crate::store::device::KnownDevice::new(ct.store.device_public(), true);
        rogue
            .store
            .save_devices(&[ward_device], "test", String::new())
            .unwrap();
        rogue.store.save_person(person("Kẻ lạ", "CT")).unwrap();
        let bad = send(&mut rogue.store, Target::Ward("CT".into()), false).unwrap();
        assert!(matches!(
            refusal(receive(&mut ct.store, &bad.file)),
            Refusal::UnknownDevice(_)
        ));
        assert!(ct.store.snapshot().people.is_empty());
    }

    #[test]
    fn a_ward_cannot_send_another_wards_people() {
        let mut sup = supervisor();
        let mut ct = ward_laptop(&mut sup, "CT");
        // The laptop's user is limited to CT, so the store refuses HH people outright.
        assert!(matches!(
            ct.store.save_person(person("Phạm Văn Hải", "HH")),
            Err(StoreError::OutsideWard(_))
        ));
    }
}
