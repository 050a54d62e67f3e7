//! The exchange between a supervisor's database and ward laptops, in process: joining,
//! bundles each way, conflicts and their resolution, and every refusal.

use super::*;
use crate::domain::snapshot::tests::{sample_person, sample_ward};
use crate::domain::*;
use crate::store::versions::{RecordKind, RecordRef};
use crate::store::{
    Change, Credentials, KdfParams, OpenMode, Refusal, Resolution, Store, StoreError,
};
use tempfile::TempDir;

pub(super) struct Db {
    pub _dir: TempDir,
    pub store: Store,
}

use crate::store::tests::open_named as open;

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
    assert!(
        matches!(err, StoreError::Refused(Refusal::Waiting(_))),
        "{err:?}"
    );
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
    let hoa = ct
        .store
        .save_person(person("Nguyễn Thị Hoa", "CT"))
        .unwrap();
    let got = exchange_up(&mut ct, &mut sup);
    assert_eq!(got.report.new_records, 1);
    assert_eq!(
        sup.store.snapshot().people[&hoa.id].full_name,
        "Nguyễn Thị Hoa"
    );
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

fn edit(db: &mut Db, id: Id, change: impl FnOnce(&mut Person)) {
    let mut p = db.store.snapshot().people[&id].clone();
    change(&mut p);
    db.store.save_person(p).unwrap();
}

/// Hoa, made on a CT laptop and sent to the supervisor, then changed on the laptop by
/// `at_ward` and at the supervisor by `at_sup`; the laptop's change is then sent up.
fn changed_on_both_sides(
    at_ward: impl FnOnce(&mut Person),
    at_sup: impl FnOnce(&mut Person),
) -> (Db, Db, Id, Received) {
    let mut sup = supervisor();
    let mut ct = ward_laptop(&mut sup, "CT");
    let hoa = ct
        .store
        .save_person(person("Nguyễn Thị Hoa", "CT"))
        .unwrap();
    exchange_up(&mut ct, &mut sup);
    edit(&mut ct, hoa.id, at_ward);
    edit(&mut sup, hoa.id, at_sup);
    let got = exchange_up(&mut ct, &mut sup);
    (sup, ct, hoa.id, got)
}

#[test]
fn same_field_edits_are_a_conflict_a_person_resolves_and_the_resolution_travels() {
    let (mut sup, mut ct, hoa, got) = changed_on_both_sides(
        |p| p.phone = "0911 111 111".into(),
        |p| {
            p.phone = "0922 222 222".into();
            p.address = "Tổ 9".into();
        },
    );
    assert_eq!(got.report.new_conflicts, 1);
    let record = person_ref(hoa);
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
    assert_eq!(sup.store.snapshot().people[&hoa].phone, "0911 111 111");
    exchange_down(&mut sup, &mut ct, "CT");
    assert!(ct.store.conflicts().is_empty());
    assert_eq!(
        ct.store.snapshot().people[&hoa],
        sup.store.snapshot().people[&hoa]
    );
}

#[test]
fn parallel_edits_of_different_fields_are_offered_as_one_merged_record() {
    let (mut sup, _ct, hoa, _) = changed_on_both_sides(
        |p| p.phone = "0911 111 111".into(),
        |p| p.address = "Tổ 9".into(),
    );
    let record = person_ref(hoa);
    let view = sup.store.conflict_view(&record).unwrap();
    let Some(Change::Person(merged)) = view.merged else {
        panic!("no merged proposal")
    };
    assert_eq!(
        (merged.phone.as_str(), merged.address.as_str()),
        ("0911 111 111", "Tổ 9")
    );
    sup.store.resolve(&record, &Resolution::Merge).unwrap();
    let now = &sup.store.snapshot().people[&hoa];
    assert_eq!(
        (now.phone.as_str(), now.address.as_str()),
        ("0911 111 111", "Tổ 9")
    );
}

#[test]
fn two_laptops_of_one_ward_that_issue_the_same_code_end_with_different_codes() {
    let mut sup = supervisor();
    let mut one = ward_laptop(&mut sup, "CT");
    let mut two = ward_laptop(&mut sup, "CT");
    let a = one.store.save_person(person("Lê Văn An", "CT")).unwrap();
    let b = two
        .store
        .save_person(person("Trần Thị Bình", "CT"))
        .unwrap();
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
        assert_eq!(
            laptop.store.snapshot().people[&b.id].code,
            people[&b.id].code
        );
        assert_eq!(laptop.store.snapshot().people[&a.id].code, a.code);
        // The code the laptop's own person left stays indexed for the one who keeps it.
        let check = laptop.store.check();
        assert!(check.is_ok(), "{:?}", check.findings);
    }
}

#[test]
fn a_ward_receives_only_its_own_people() {
    let mut sup = supervisor();
    let mut ct = ward_laptop(&mut sup, "CT");
    let mut hh = ward_laptop(&mut sup, "HH");
    ct.store
        .save_person(person("Nguyễn Thị Hoa", "CT"))
        .unwrap();
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
        ct.store
            .save_person(person("Nguyễn Thị Hoa", "CT"))
            .unwrap();
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
        ct.store
            .save_person(person("Nguyễn Thị Hoa", "CT"))
            .unwrap();
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
        assert!(matches!(
            refusal(receive(&mut sup.store, cut)),
            Refusal::Damaged(_)
        ));
        assert_eq!(state(&sup.store), before);
        assert!(sup.store.check().is_ok());
        receive(&mut sup.store, &sent.file).unwrap();
        assert_eq!(sup.store.snapshot().people.len(), 1);
    }

    #[test]
    fn an_older_bundle_after_a_newer_one_is_refused() {
        let mut sup = supervisor();
        let mut ct = ward_laptop(&mut sup, "CT");
        ct.store
            .save_person(person("Nguyễn Thị Hoa", "CT"))
            .unwrap();
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

/// Three ward laptops and their supervisor make random edits (same-field clashes and
/// edits against a person marked entered in error among them); bundles are made at
/// random moments and delivered in random orders, some twice, some lost. After a full
/// exchange every ward holds exactly what the supervisor holds of it, with the same
/// heads and conflicts; once the supervisor resolves them and one more exchange runs,
/// no conflict is left anywhere.
mod convergence {
    use super::*;
    use proptest::prelude::*;

    const WARDS: [&str; 3] = ["CT", "HH", "BC"];

    #[derive(Clone, Debug)]
    enum Step {
        /// A laptop adds a person.
        Add(usize),
        /// Replica (0..3 a ward, 3 the supervisor) edits one field of its n-th person.
        Edit {
            replica: usize,
            person: usize,
            field: u8,
            value: u8,
        },
        /// The supervisor marks a person of a ward entered in error.
        Mark { ward: usize, person: usize },
        /// A bundle is made, from a ward (up) or for it (down), and put in transit.
        Make { ward: usize, up: bool },
        /// A bundle in transit arrives (it stays in transit: it may arrive again).
        Deliver(usize),
    }

    fn step() -> impl Strategy<Value = Step> {
        prop_oneof![
            (0..3usize).prop_map(Step::Add),
            (0..4usize, 0..6usize, 0..3u8, 0..3u8).prop_map(|(replica, person, field, value)| {
                Step::Edit {
                    replica,
                    person,
                    field,
                    value,
                }
            }),
            (0..3usize, 0..6usize).prop_map(|(ward, person)| Step::Mark { ward, person }),
            (0..3usize, any::<bool>()).prop_map(|(ward, up)| Step::Make { ward, up }),
            (0..64usize).prop_map(Step::Deliver),
        ]
    }

    fn people_of(store: &Store, ward: &str) -> Vec<Person> {
        let mut people: Vec<Person> = store
            .snapshot()
            .people
            .values()
            .filter(|p| p.ward == ward)
            .cloned()
            .collect();
        people.sort_by_key(|p| p.id);
        people
    }

    fn edit(store: &mut Store, ward: &str, n: usize, field: u8, value: u8) {
        let people = people_of(store, ward);
        if people.is_empty() {
            return;
        }
        let mut p = people[n % people.len()].clone();
        let text = format!("giá trị {value}");
        match field {
            0 => p.phone = format!("09{value}{value} 000 000"),
            1 => p.address = text,
            _ => p.household_note = text,
        }
        // A person's record may be refused here (say, marked meanwhile): that is fine.
        let _ = store.save_person(p);
    }

    fn heads_and_conflicts(store: &Store, ward: &str) -> Vec<(Id, Vec<Id>, bool)> {
        people_of(store, ward)
            .iter()
            .map(|p| {
                let r = person_ref(p.id);
                (
                    p.id,
                    store.heads_of(&r).unwrap(),
                    store.conflicts().contains(&r),
                )
            })
            .collect()
    }

    fn full_exchange(sup: &mut Db, wards: &mut [Db]) {
        for _ in 0..2 {
            for (w, laptop) in wards.iter_mut().enumerate() {
                exchange_up(laptop, sup);
                exchange_down(sup, laptop, WARDS[w]);
            }
        }
    }

    /// Returns how many conflicts the supervisor resolved.
    fn run(steps: Vec<Step>) -> usize {
        let mut sup = supervisor();
        sup.store.add_ward(ward("BC")).unwrap();
        let mut wards: Vec<Db> = WARDS.iter().map(|w| ward_laptop(&mut sup, w)).collect();
        let mut transit: Vec<(usize, bool, Vec<u8>)> = Vec::new();
        for step in steps {
            match step {
                Step::Add(w) => {
                    let name = format!("Người {}", wards[w].store.snapshot().people.len());
                    wards[w].store.save_person(person(&name, WARDS[w])).unwrap();
                }
                Step::Edit {
                    replica,
                    person,
                    field,
                    value,
                } => {
                    if replica == 3 {
                        let w = person % 3;
                        edit(&mut sup.store, WARDS[w], person, field, value);
                    } else {
                        edit(
                            &mut wards[replica].store,
                            WARDS[replica],
                            person,
                            field,
                            value,
                        );
                    }
                }
                Step::Mark { ward, person } => {
                    let people = people_of(&sup.store, WARDS[ward]);
                    if !people.is_empty() {
                        let id = people[person % people.len()].id;
                        let _ = sup.store.mark_entered_in_error(id, true);
                    }
                }
                Step::Make { ward, up } => {
                    let sent = if up {
                        send(&mut wards[ward].store, Target::Supervisor, false)
                    } else {
                        send(&mut sup.store, Target::Ward(WARDS[ward].into()), false)
                    };
                    transit.push((ward, up, sent.unwrap().file));
                }
                Step::Deliver(n) => {
                    if transit.is_empty() {
                        continue;
                    }
                    let (w, up, file) = transit[n % transit.len()].clone();
                    let result = if up {
                        receive(&mut sup.store, &file)
                    } else {
                        receive(&mut wards[w].store, &file)
                    };
                    // An older bundle than one received is refused; nothing else may be.
                    if let Err(e) = result {
                        assert!(
                            matches!(e, StoreError::Refused(Refusal::Older { .. })),
                            "{e:?}"
                        );
                    }
                }
            }
        }
        full_exchange(&mut sup, &mut wards);
        for (w, laptop) in wards.iter().enumerate() {
            assert_eq!(
                people_of(&laptop.store, WARDS[w]),
                people_of(&sup.store, WARDS[w])
            );
            assert_eq!(
                heads_and_conflicts(&laptop.store, WARDS[w]),
                heads_and_conflicts(&sup.store, WARDS[w])
            );
            assert!(
                laptop.store.check().is_ok(),
                "{:?}",
                laptop.store.check().findings
            );
        }
        assert!(
            sup.store.check().is_ok(),
            "{:?}",
            sup.store.check().findings
        );
        // Every losing head stays readable.
        let conflicts = sup.store.conflicts().clone();
        for record in conflicts.iter() {
            let view = sup.store.conflict_view(record).unwrap();
            assert!(view.heads.len() > 1);
            let keep = view.heads[0].version.id.to_string();
            sup.store.resolve(record, &Resolution::Keep(keep)).unwrap();
        }
        full_exchange(&mut sup, &mut wards);
        for (w, laptop) in wards.iter().enumerate() {
            assert!(laptop.store.conflicts().is_empty());
            assert_eq!(
                people_of(&laptop.store, WARDS[w]),
                people_of(&sup.store, WARDS[w])
            );
        }
        assert!(sup.store.conflicts().is_empty());
        conflicts.len()
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]
        #[test]
        fn every_replica_converges_and_resolutions_clear_conflicts_everywhere(
            steps in proptest::collection::vec(step(), 10..40)
        ) {
            run(steps);
        }
    }

    #[test]
    fn a_fixed_interleaving_with_clashes_converges() {
        use Step::*;
        let resolved = run(vec![
            Add(0),
            Add(1),
            Add(2),
            Make { ward: 0, up: true },
            Make { ward: 1, up: true },
            Make { ward: 2, up: true },
            Deliver(2),
            Deliver(0),
            Deliver(1),
            Deliver(1),
            Edit {
                replica: 0,
                person: 0,
                field: 0,
                value: 1,
            },
            Edit {
                replica: 3,
                person: 0,
                field: 0,
                value: 2,
            },
            Edit {
                replica: 1,
                person: 0,
                field: 1,
                value: 1,
            },
            Mark { ward: 1, person: 0 },
            Make { ward: 0, up: true },
            Make { ward: 1, up: false },
            Deliver(4),
            Deliver(3),
        ]);
        assert_eq!(
            resolved, 2,
            "CT's phone both ways; HH's address against the mark"
        );
    }
}

#[test]
fn a_ward_version_of_another_wards_record_is_refused_at_the_supervisor() {
    let mut sup = supervisor();
    let mut ct = ward_laptop(&mut sup, "CT");
    let mut hh = ward_laptop(&mut sup, "HH");
    let hai = hh.store.save_person(person("Phạm Văn Hải", "HH")).unwrap();
    exchange_up(&mut hh, &mut sup);
    // A CT laptop that makes a record with HH's person's id (a copied database, a bug).
    let mut copy = person("Phạm Văn Hải", "CT");
    copy.id = hai.id;
    ct.store.fill_ward(vec![Change::Person(copy)]).unwrap();
    let sent = send(&mut ct.store, Target::Supervisor, false).unwrap();
    let before = sup.store.log_position();
    assert!(matches!(
        receive(&mut sup.store, &sent.file),
        Err(StoreError::Refused(Refusal::OtherWard(w))) if w == "HH"
    ));
    assert_eq!(sup.store.log_position(), before);
    assert_eq!(sup.store.snapshot().people[&hai.id].ward, "HH");
}

fn copy_folder(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_folder(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn a_laptop_restored_from_an_older_copy_can_still_send_and_get_its_records_back() {
    let mut sup = supervisor();
    let ct = ward_laptop(&mut sup, "CT");
    let Db { _dir: dir, store } = ct;
    let path = store.path().to_path_buf();
    drop(store);
    // The copy of the day of its last backup; then a week of work that reaches the
    // supervisor, and the laptop's disk dies.
    let backup = TempDir::new().unwrap();
    copy_folder(&path, backup.path());
    let mut before_crash = open(&path, "Cán bộ CT");
    let hoa = before_crash
        .save_person(person("Nguyễn Thị Hoa", "CT"))
        .unwrap();
    let sent = send(&mut before_crash, Target::Supervisor, false).unwrap();
    receive(&mut sup.store, &sent.file).unwrap();
    drop(before_crash);
    drop(dir);
    std::thread::sleep(std::time::Duration::from_millis(5));
    let mut restored = open(backup.path(), "Cán bộ CT");
    restored.save_person(person("Lê Văn An", "CT")).unwrap();
    let sent = send(&mut restored, Target::Supervisor, false).unwrap();
    receive(&mut sup.store, &sent.file).expect("not taken for an old bundle");
    assert_eq!(sup.store.snapshot().people.len(), 2);
    let back = send(&mut sup.store, Target::Ward("CT".into()), true).unwrap();
    receive(&mut restored, &back.file).unwrap();
    assert!(restored.snapshot().people.contains_key(&hoa.id));
}

#[test]
fn people_of_two_wards_who_look_alike_are_listed_for_review_never_merged() {
    let mut sup = supervisor();
    let mut ct = ward_laptop(&mut sup, "CT");
    let mut hh = ward_laptop(&mut sup, "HH");
    ct.store
        .save_person(person("Nguyễn Thị Hoa", "CT"))
        .unwrap();
    hh.store
        .save_person(person("NGUYEN THI HOA", "HH"))
        .unwrap();
    exchange_up(&mut ct, &mut sup);
    let got = exchange_up(&mut hh, &mut sup);
    assert_eq!(
        got.look_alikes,
        vec![("HH-0001".to_string(), "CT-0001".to_string())]
    );
    assert_eq!(sup.store.snapshot().people.len(), 2);
}

#[test]
fn a_wards_audit_trail_travels_with_its_records_and_links_up_at_the_supervisor() {
    let mut sup = supervisor();
    let mut ct = ward_laptop(&mut sup, "CT");
    ct.store
        .save_person(person("Nguyễn Thị Hoa", "CT"))
        .unwrap();
    exchange_up(&mut ct, &mut sup);
    exchange_down(&mut sup, &mut ct, "CT");
    ct.store.save_person(person("Lê Văn An", "CT")).unwrap();
    let got = exchange_up(&mut ct, &mut sup);
    assert!(got.audit_continues);
    let device = ct.store.device_public().id;
    let held = sup.store.ward_audit(device).unwrap();
    let own = ct.store.audit_trail(None).unwrap();
    // Everything up to the last sending is there, each entry naming the one before.
    assert_eq!(held.as_slice(), &own[..held.len()]);
    assert!(
        held.len() >= own.len() - 1,
        "{} of {}",
        held.len(),
        own.len()
    );
    for pair in held.windows(2) {
        assert_eq!(pair[1].prev, pair[0].hash());
    }
}

#[test]
fn in_a_shared_folder_each_laptop_picks_up_only_what_travels_its_way() {
    let mut sup = supervisor();
    let mut ct = ward_laptop(&mut sup, "CT");
    let _hh = ward_laptop(&mut sup, "HH");
    let folder = TempDir::new().unwrap();
    let up = folder::send_into(&mut ct.store, folder.path(), Target::Supervisor);
    assert!(up.result.is_ok(), "{:?}", up.result);
    for target in folder::targets(&sup.store).unwrap() {
        let written = folder::send_into(&mut sup.store, folder.path(), target);
        assert!(written.result.is_ok(), "{:?}", written.result);
    }
    let names = |store: &Store| -> Vec<String> {
        folder::bundles_in(store, folder.path())
            .unwrap()
            .into_iter()
            .map(|f| f.name)
            .collect()
    };
    let at_ct = names(&ct.store);
    assert_eq!(at_ct.len(), 1, "{at_ct:?}");
    assert!(at_ct[0].starts_with("CT-to-ward-"), "{at_ct:?}");
    let at_sup = names(&sup.store);
    assert_eq!(at_sup.len(), 1, "{at_sup:?}");
    assert!(at_sup[0].starts_with("CT-to-supervisor-"), "{at_sup:?}");
    let got = folder::receive_from(&mut ct.store, &folder.path().join(&at_ct[0])).unwrap();
    assert_eq!(got.ward, "CT");
}

#[test]
fn an_officer_of_another_ward_does_not_see_a_wards_conflicts() {
    let (mut sup, _ct, hoa, _) = changed_on_both_sides(
        |p| p.phone = "0911 111 111".into(),
        |p| p.phone = "0922 222 222".into(),
    );
    assert_eq!(sup.store.visible_conflicts().len(), 1);
    for (name, ward) in [("Cán bộ HH", "HH"), ("Cán bộ CT", "CT")] {
        sup.store
            .add_user(
                name,
                crate::domain::Role::Officer,
                Some(ward),
                "test passphrase",
            )
            .unwrap();
    }
    let Db { _dir: kept, store } = sup;
    drop(store);
    let dir = kept.path().to_path_buf();
    let as_officer = |name: &str| {
        Store::open_with_kdf(
            &dir,
            OpenMode::MustExist,
            &Credentials::new(name, "test passphrase"),
            KdfParams::TEST,
        )
        .unwrap()
    };
    let hh = as_officer("Cán bộ HH");
    assert!(hh.visible_conflicts().is_empty(), "another ward's conflict");
    let record = person_ref(hoa);
    assert!(matches!(
        hh.conflict_view(&record),
        Err(StoreError::OutsideWard(_))
    ));
    drop(hh);
    let of_ct = as_officer("Cán bộ CT");
    assert_eq!(of_ct.visible_conflicts().len(), 1);
    assert!(of_ct.conflict_view(&record).is_ok());
}
