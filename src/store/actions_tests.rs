//! The named actions that carry business rules: what recording a visit writes, and a
//! referral saved with the consent it needs.

use super::tests::{fresh, new_grant, new_person, today};
use super::*;
use crate::domain::snapshot::tests::day;

/// A person with a livestock grant handed over in January, and its first planned visit.
fn a_planned_visit(store: &mut Store) -> Milestone {
    let person = store.save_person(new_person()).expect("person");
    let (_, visits) = store.hand_over_grant(new_grant(person.id)).expect("grant");
    visits.into_iter().next().expect("a visit")
}

fn done(m: &Milestone) -> VisitRecord {
    VisitRecord {
        milestone: m.id,
        status: MilestoneStatus::Done,
        done_on: Some(today()),
        visit: Visit {
            done_by: "Cán bộ A".into(),
            monthly_income: Some(Dong(3_000_000)),
            ..Visit::default()
        },
        refer_to: String::new(),
        next_visit_on: None,
    }
}

#[test]
fn a_visit_with_a_referral_and_a_next_visit_is_one_write() {
    let (_dir, mut store) = fresh();
    let m = a_planned_visit(&mut store);
    let mut record = done(&m);
    record.visit.referral_needed = Some(Service::Health);
    record.refer_to = "Trạm y tế phường".into();
    record.next_visit_on = Some(day(2025, 6, 15));
    let saved = store.record_visit(record).expect("recorded");
    assert_eq!(saved.milestone.status, MilestoneStatus::Done);
    assert_eq!(saved.milestone.visit.monthly_income, Some(Dong(3_000_000)));
    let referral = saved.referral.expect("a referral");
    assert_eq!(
        (referral.service, referral.made_on),
        (Service::Health, today())
    );
    assert_eq!(referral.milestone_id, Some(m.id));
    let next = saved.next_visit.expect("a next visit");
    assert_eq!(
        (next.due_on, next.status),
        (day(2025, 6, 15), MilestoneStatus::Planned)
    );
    assert_eq!(store.snapshot().referrals.len(), 1);
}

#[test]
fn a_visit_names_what_is_missing_and_writes_nothing() {
    let (_dir, mut store) = fresh();
    let m = a_planned_visit(&mut store);
    let mut record = done(&m);
    record.visit.referral_needed = Some(Service::Legal);
    record.next_visit_on = Some(day(2025, 5, 1));
    let Err(StoreError::Invalid(rejected)) = store.record_visit(record) else {
        panic!("refused");
    };
    let fields: Vec<&str> = rejected[0].problems.iter().map(|p| p.field).collect();
    assert_eq!(fields, vec!["refer_to", "next_visit_on"]);
    assert_eq!(
        store.snapshot().milestones[&m.id].status,
        MilestoneStatus::Planned
    );
    assert!(store.snapshot().referrals.is_empty());
}

#[test]
fn a_missed_visit_keeps_only_its_reason() {
    let (_dir, mut store) = fresh();
    let m = a_planned_visit(&mut store);
    let mut record = done(&m);
    record.status = MilestoneStatus::Missed;
    record.visit.reason = "Đi làm xa".into();
    let saved = store.record_visit(record).expect("recorded");
    assert_eq!(saved.milestone.done_on, None);
    assert_eq!(saved.milestone.visit.monthly_income, None);
    assert_eq!(saved.milestone.visit.reason, "Đi làm xa");
}

#[test]
fn a_referral_saved_with_consent_records_both() {
    let (_dir, mut store) = fresh();
    let mut person = new_person();
    person.consent = None;
    let person = store.save_person(person).expect("person");
    let referral = Referral {
        id: Id::NEW,
        person_id: person.id,
        milestone_id: None,
        service: Service::Psychological,
        to_whom: "Trung tâm công tác xã hội".into(),
        made_on: today(),
        status: ReferralStatus::Made,
        outcome: String::new(),
        stamp: Stamp::default(),
    };
    assert!(store.save_referral(referral.clone()).is_err(), "no consent");
    store
        .save_referral_with_consent(referral, today())
        .expect("saved with consent");
    let consent = store.snapshot().people[&person.id]
        .consent
        .clone()
        .expect("consent");
    assert!(consent.referrals && consent.given_on == today());
}
