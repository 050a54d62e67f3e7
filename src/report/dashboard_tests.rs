//! Each dashboard figure on the hand-built programme in `report::fixture`, with the
//! arithmetic written out.

use super::*;
use crate::report::fixture::{programme, today};

fn dash() -> Dashboard {
    compute(&programme(), today(), None)
}

#[test]
fn people_by_sex_group_and_age() {
    let d = dash();
    // Women: 1, 3, 5; man: 2; other: 4.
    assert_eq!(
        d.people,
        BySex {
            female: 3,
            male: 1,
            other: 1
        }
    );
    let group = |g| {
        d.by_group
            .iter()
            .find(|(x, _)| *x == g)
            .map(|(_, n)| *n)
            .unwrap_or_default()
    };
    // Primary groups only: person 5 is a victim (and family member second).
    assert_eq!(
        group(TargetGroup::Victim),
        BySex {
            female: 2,
            male: 0,
            other: 0
        }
    );
    assert_eq!(group(TargetGroup::FamilyMember).total(), 0);
    assert_eq!(group(TargetGroup::SuspectedVictim).female, 1);
    // Ages in 2025: 30, 15, 17, 65, 45 -> one in each group.
    assert_eq!(d.by_age, [1, 1, 1, 1, 1]);
}

#[test]
fn consent_missing_and_expired() {
    let d = dash();
    assert_eq!(d.no_consent, 1, "person 2");
    assert_eq!(d.consent_expired, 1, "person 3, until 01/01/2025");
}

#[test]
fn plans_by_status_and_grants_by_kind() {
    let d = dash();
    let plans = |s| {
        d.plans_by_status
            .iter()
            .find(|(x, _)| *x == s)
            .map(|(_, n)| *n)
    };
    assert_eq!(
        (
            plans(PlanStatus::Draft),
            plans(PlanStatus::Approved),
            plans(PlanStatus::Active)
        ),
        (Some(1), Some(1), Some(1))
    );
    assert_eq!(plans(PlanStatus::Completed), Some(0));
    // 4,000,000 + 2,000,000 + 1,200,000 + 800,000
    assert_eq!((d.grants, d.grant_value), (4, Dong(8_000_000)));
    let kind = |k| {
        d.grants_by_kind
            .iter()
            .find(|(x, _, _)| *x == k)
            .map(|(_, n, v)| (*n, *v))
    };
    assert_eq!(kind(GrantKind::Livestock), Some((1, Dong(4_000_000))));
    assert_eq!(kind(GrantKind::SeedCapital), Some((0, Dong(0))));
}

#[test]
fn follow_ups_on_time_late_overdue_and_coming() {
    let f = dash().follow_ups;
    // 31 done 4 days after its due date, 34 two days after: on time. 32 done 19 days late.
    assert_eq!((f.done_on_time, f.done_late), (2, 1));
    // 33 was due 01/04 and is still planned.
    assert_eq!(f.overdue, 1);
    // 35 is due 20/06, within 30 days; 36 on 01/08 is not.
    assert_eq!(f.due_next_30_days, 1);
}

#[test]
fn visits_per_month_over_the_last_twelve() {
    let months = dash().visits_by_month;
    assert_eq!(months.len(), 12);
    assert_eq!(
        months.first().map(|m| m.0),
        Some(chrono::NaiveDate::from_ymd_opt(2024, 7, 1).expect("date"))
    );
    assert_eq!(
        months.last().map(|m| m.0),
        Some(chrono::NaiveDate::from_ymd_opt(2025, 6, 1).expect("date"))
    );
    let counts: Vec<u64> = months.iter().map(|m| m.1).collect();
    // February (31), April (32), May (34).
    assert_eq!(counts, vec![0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 1, 0]);
}

#[test]
fn outcomes_at_the_last_visit() {
    let d = dash();
    // Plan 11's last visit (32, 20/04) found the business closed.
    assert_eq!(d.businesses_operating, (0, 1));
    // 30 of the 50 chickens alive at that visit.
    assert_eq!(d.animals_alive, (30, 50));
}

#[test]
fn the_programme_indicators() {
    let d = dash();
    // Victims and suspected victims: 1, 3, 5. Person 1 has grants, 3 an accepted referral; 5 nothing.
    assert_eq!((d.supported.numerator, d.supported.denominator), (2, 3));
    assert!(
        d.supported
            .value()
            .is_some_and(|v| (v - 66.666).abs() < 0.01)
    );
    assert_eq!(d.supported.target, 70.0);
    // With a grant and a visit due before 25/05: person 1 (32 was late), 2 (34 on time),
    // 4 (33 never done). One in three.
    assert_eq!(
        (d.visited_on_time.numerator, d.visited_on_time.denominator),
        (1, 3)
    );
}

#[test]
fn by_ward_figures_split_the_totals() {
    let d = dash();
    let ct = &d.by_ward[0];
    let tc = &d.by_ward[1];
    assert_eq!(
        (ct.code.as_str(), ct.people, ct.grants, ct.grant_value),
        (
            "CT",
            BySex {
                female: 2,
                male: 1,
                other: 0
            },
            3,
            Dong(6_800_000)
        )
    );
    assert_eq!(
        (tc.code.as_str(), tc.grants, tc.grant_value, tc.overdue),
        ("TC", 1, Dong(1_200_000), 1)
    );
    assert_eq!(ct.grant_value + tc.grant_value, d.grant_value);
    assert_eq!((ct.visits_done, tc.visits_done), (3, 0));
}

#[test]
fn one_ward_at_a_time() {
    let d = compute(&programme(), today(), Some("TC"));
    assert_eq!(
        d.people,
        BySex {
            female: 1,
            male: 0,
            other: 1
        }
    );
    assert_eq!((d.grants, d.grant_value), (1, Dong(1_200_000)));
    assert_eq!(d.follow_ups.overdue, 1);
    assert_eq!(d.by_ward.len(), 2, "the chart still compares every ward");
}

#[test]
fn overdue_is_derived_from_the_date() {
    let snap = programme();
    // On 01/04 visit 33 is due, not overdue; the day after it is.
    assert_eq!(
        compute(
            &snap,
            chrono::NaiveDate::from_ymd_opt(2025, 4, 1).expect("date"),
            None
        )
        .follow_ups
        .overdue,
        0
    );
    assert_eq!(
        compute(
            &snap,
            chrono::NaiveDate::from_ymd_opt(2025, 4, 2).expect("date"),
            None
        )
        .follow_ups
        .overdue,
        1
    );
}
