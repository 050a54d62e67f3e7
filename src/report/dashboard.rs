//! Every figure of the dashboard, computed in one pass over the snapshot.

use super::Filter;
use super::table::percent;
use crate::domain::*;
use chrono::{Datelike, Days, NaiveDate};
use std::collections::HashMap;

/// The pilot framework's target: 70% of identified victims and suspected victims receive
/// the support services they need.
pub const SUPPORTED_TARGET: f64 = 70.0;
/// No national target exists for timely follow-up; the programme's own default.
pub const VISITED_ON_TIME_TARGET: f64 = 80.0;

/// Age groups used in reports: under 16, 16-17, 18-35, 36-59, 60 and over.
pub const AGE_GROUPS: [(&str, i32, i32); 5] = [
    ("age.under_16", i32::MIN, 15),
    ("age.16_17", 16, 17),
    ("age.18_35", 18, 35),
    ("age.36_59", 36, 59),
    ("age.60_plus", 60, i32::MAX),
];

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BySex {
    pub female: u64,
    pub male: u64,
    pub other: u64,
}

impl BySex {
    pub fn add(&mut self, sex: Sex) {
        match sex {
            Sex::Female => self.female += 1,
            Sex::Male => self.male += 1,
            Sex::Other => self.other += 1,
        }
    }

    pub fn total(&self) -> u64 {
        self.female + self.male + self.other
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct FollowUps {
    pub done_on_time: u64,
    pub done_late: u64,
    pub overdue: u64,
    pub due_next_30_days: u64,
}

/// One ward's line in the bar chart and in the summary by ward.
#[derive(Clone, Debug, PartialEq)]
pub struct WardFigures {
    pub code: String,
    pub name: String,
    pub people: BySex,
    pub grants: u64,
    pub grant_value: Dong,
    pub overdue: u64,
    pub visits_done: u64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Indicator {
    pub key: &'static str,
    pub numerator: u64,
    pub denominator: u64,
    pub target: f64,
}

impl Indicator {
    pub fn value(&self) -> Option<f64> {
        percent(self.numerator, self.denominator)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Dashboard {
    pub people: BySex,
    /// By primary target group, every group listed, in the domain's order.
    pub by_group: Vec<(TargetGroup, BySex)>,
    pub by_age: [u64; 5],
    pub no_consent: u64,
    pub consent_expired: u64,
    pub plans_by_status: Vec<(PlanStatus, u64)>,
    pub grants_by_kind: Vec<(GrantKind, u64, Dong)>,
    pub grants: u64,
    pub grant_value: Dong,
    pub follow_ups: FollowUps,
    /// Every ward of the database, whatever the filter: the chart compares them.
    pub by_ward: Vec<WardFigures>,
    /// (first day of the month, visits done in it), oldest first, ending with this month.
    pub visits_by_month: Vec<(NaiveDate, u64)>,
    /// Businesses (plans) whose last visit said whether they operate: (operating, asked).
    pub businesses_operating: (u64, u64),
    /// Livestock at the last visit against livestock handed over: (alive, handed over).
    pub animals_alive: (u64, u64),
    pub supported: Indicator,
    pub visited_on_time: Indicator,
}

pub fn age_group(age: i32) -> usize {
    AGE_GROUPS
        .iter()
        .position(|(_, lo, hi)| (*lo..=*hi).contains(&age))
        .unwrap_or(0)
}

/// Per ward: people by sex, grants and their value, overdue and done follow-ups.
pub fn ward_figures(snap: &Snapshot, today: NaiveDate, filter: &Filter) -> Vec<WardFigures> {
    let mut wards: Vec<WardFigures> = snap
        .wards_in_order()
        .into_iter()
        .map(|w| WardFigures {
            code: w.code.clone(),
            name: w.name.clone(),
            people: BySex::default(),
            grants: 0,
            grant_value: Dong(0),
            overdue: 0,
            visits_done: 0,
        })
        .collect();
    // Each person's ward as a position in `wards`, found once.
    let position: HashMap<String, usize> = wards
        .iter()
        .enumerate()
        .map(|(i, w)| (w.code.clone(), i))
        .collect();
    let mut ward_of: IdMap<usize> = IdMap::default();
    ward_of.reserve(snap.people.len());
    // A person entered in error gets no ward, so none of their records count.
    for p in snap.people.values().filter(|p| p.counts()) {
        if let Some(&i) = position.get(p.ward.as_str()) {
            ward_of.insert(p.id, i);
            if filter.in_range(p.enrolled_on) {
                wards[i].people.add(p.sex);
            }
        }
    }
    for g in snap
        .grants
        .values()
        .filter(|g| filter.in_range(g.handed_over_on))
    {
        if let Some(&i) = ward_of.get(&g.person_id) {
            wards[i].grants += 1;
            wards[i].grant_value += g.total_value;
        }
    }
    for m in snap
        .milestones
        .values()
        .filter(|m| filter.in_range(m.due_on))
    {
        if let Some(&i) = ward_of.get(&m.person_id) {
            wards[i].overdue += u64::from(m.is_overdue(today));
            wards[i].visits_done += u64::from(m.status == MilestoneStatus::Done);
        }
    }
    if let Some(ward) = &filter.ward {
        wards.retain(|w| &w.code == ward);
    }
    wards
}

/// A person's follow-ups that have fallen due, as the on-time indicator sees them.
#[derive(Default)]
struct DueVisits {
    any: bool,
    all_on_time: bool,
}

/// The dashboard for the whole database (`ward: None`) or one ward. One pass over each
/// table: at 10,000 people it must redraw well inside a keypress after any change.
pub fn compute(snap: &Snapshot, today: NaiveDate, ward: Option<&str>) -> Dashboard {
    let filter = Filter::ward(ward);
    // Without a ward every record counts but those of people entered in error (few, so
    // kept apart); with one, only its people's.
    let set_aside: IdSet = snap
        .people
        .values()
        .filter(|p| !p.counts())
        .map(|p| p.id)
        .collect();
    let scope: Option<IdSet> = ward.map(|w| {
        snap.people
            .values()
            .filter(|p| p.ward == w && p.counts())
            .map(|p| p.id)
            .collect()
    });
    let in_scope = |person: &Id| {
        !set_aside.contains(person) && scope.as_ref().is_none_or(|s| s.contains(person))
    };

    let mut people = BySex::default();
    let mut by_group: Vec<(TargetGroup, BySex)> = TargetGroup::ALL
        .iter()
        .map(|g| (*g, BySex::default()))
        .collect();
    let mut by_age = [0u64; 5];
    let (mut no_consent, mut consent_expired) = (0, 0);
    for p in snap.people.values().filter(|p| filter.person(p)) {
        people.add(p.sex);
        if let Some(g) = p.primary_group()
            && let Some((_, counts)) = by_group.iter_mut().find(|(x, _)| *x == g)
        {
            counts.add(p.sex);
        }
        by_age[age_group(p.age_on(today))] += 1;
        match &p.consent {
            None => no_consent += 1,
            Some(c) if c.valid_until.is_some_and(|u| u < today) => consent_expired += 1,
            Some(_) => {}
        }
    }

    let mut plans_by_status: Vec<(PlanStatus, u64)> =
        PlanStatus::ALL.iter().map(|s| (*s, 0)).collect();
    for plan in snap.plans.values().filter(|p| in_scope(&p.person_id)) {
        if let Some((_, n)) = plans_by_status.iter_mut().find(|(s, _)| *s == plan.status) {
            *n += 1;
        }
    }

    let mut grants_by_kind: Vec<(GrantKind, u64, Dong)> =
        GrantKind::ALL.iter().map(|k| (*k, 0, Dong(0))).collect();
    let (mut grants, mut grant_value) = (0, Dong(0));
    let mut with_grant: IdSet = IdSet::default();
    for g in snap.grants.values().filter(|g| in_scope(&g.person_id)) {
        grants += 1;
        grant_value += g.total_value;
        with_grant.insert(g.person_id);
        if let Some((_, n, v)) = grants_by_kind.iter_mut().find(|(k, _, _)| *k == g.kind) {
            *n += 1;
            *v += g.total_value;
        }
    }

    let month_start = |d: NaiveDate| d.with_day(1).unwrap_or(d);
    let this_month = month_start(today);
    let first_month = month_start(sub_months(this_month, 11));
    let mut visits_by_month: Vec<(NaiveDate, u64)> = (0..12)
        .rev()
        .map(|back| (month_start(sub_months(this_month, back)), 0))
        .collect();
    let mut follow_ups = FollowUps::default();
    let horizon = today.checked_add_days(Days::new(30)).unwrap_or(today);
    let cutoff = today
        .checked_sub_days(Days::new(ON_TIME_GRACE_DAYS))
        .unwrap_or(today);
    // The last visit that asked, per plan (operating?) and per livestock grant (alive?).
    let mut last_asked: IdMap<&Milestone> = IdMap::default();
    let mut last_counted: IdMap<&Milestone> = IdMap::default();
    let mut due_visits: IdMap<DueVisits> = IdMap::default();
    let later =
        |a: &Milestone, b: &Milestone| (a.done_on, a.due_on, a.id) > (b.done_on, b.due_on, b.id);
    for m in snap.milestones.values().filter(|m| in_scope(&m.person_id)) {
        match m.was_done_on_time() {
            Some(true) => follow_ups.done_on_time += 1,
            Some(false) => follow_ups.done_late += 1,
            None => {}
        }
        if m.is_overdue(today) {
            follow_ups.overdue += 1;
        } else if m.status.is_open() && m.due_on <= horizon {
            follow_ups.due_next_30_days += 1;
        }
        if m.status == MilestoneStatus::Done {
            if let Some(done) = m.done_on.filter(|d| *d >= first_month) {
                let months = (done.year() - first_month.year()) * 12 + done.month() as i32
                    - first_month.month() as i32;
                if let Some(slot) = visits_by_month.get_mut(months as usize) {
                    slot.1 += 1;
                }
            }
            if let (Some(plan), Some(_)) = (m.plan_id, m.visit.business_operating) {
                let entry = last_asked.entry(plan).or_insert(m);
                if later(m, entry) {
                    *entry = m;
                }
            }
            if let (Some(grant), Some(_)) = (m.grant_id, m.visit.animals_alive) {
                let entry = last_counted.entry(grant).or_insert(m);
                if later(m, entry) {
                    *entry = m;
                }
            }
        }
        if m.grant_id.is_some() && m.status != MilestoneStatus::Cancelled && m.due_on < cutoff {
            let due = due_visits.entry(m.person_id).or_insert(DueVisits {
                any: false,
                all_on_time: true,
            });
            due.any = true;
            due.all_on_time &= m.was_done_on_time() == Some(true);
        }
    }
    let operating = last_asked
        .values()
        .filter(|m| m.visit.business_operating == Some(true))
        .count() as u64;
    let (mut alive, mut handed) = (0u64, 0u64);
    for (grant, visit) in &last_counted {
        if let Some(g) = snap.grants.get(grant).filter(|g| g.is_livestock()) {
            let given = g.quantity.whole_units();
            alive += u64::from(visit.visit.animals_alive.unwrap_or(0)).min(given);
            handed += given;
        }
    }
    let visited = due_visits
        .iter()
        .filter(|(p, _)| with_grant.contains(p))
        .fold((0, 0), |(n, d), (_, v)| {
            (n + u64::from(v.any && v.all_on_time), d + u64::from(v.any))
        });

    Dashboard {
        people,
        by_group,
        by_age,
        no_consent,
        consent_expired,
        plans_by_status,
        grants_by_kind,
        grants,
        grant_value,
        follow_ups,
        by_ward: ward_figures(snap, today, &Filter::default()),
        visits_by_month,
        businesses_operating: (operating, last_asked.len() as u64),
        animals_alive: (alive, handed),
        supported: supported(snap, &filter),
        visited_on_time: Indicator {
            key: "indicator.visited_on_time",
            numerator: visited.0,
            denominator: visited.1,
            target: VISITED_ON_TIME_TARGET,
        },
    }
}

fn sub_months(day: NaiveDate, months: u32) -> NaiveDate {
    day.checked_sub_months(chrono::Months::new(months))
        .unwrap_or(day)
}

/// Identified victims and suspected victims who received at least one support service:
/// a grant handed over, or a referral that was accepted or done.
fn supported(snap: &Snapshot, filter: &Filter) -> Indicator {
    let mut numerator = 0;
    let mut denominator = 0;
    for p in snap.people.values().filter(|p| filter.person(p)) {
        let identified = p
            .target_groups
            .iter()
            .any(|g| matches!(g, TargetGroup::Victim | TargetGroup::SuspectedVictim));
        if !identified {
            continue;
        }
        denominator += 1;
        let served = snap.grants_of(p.id).next().is_some()
            || snap
                .referrals_of(p.id)
                .any(|r| matches!(r.status, ReferralStatus::Accepted | ReferralStatus::Done));
        numerator += u64::from(served);
    }
    Indicator {
        key: "indicator.supported",
        numerator,
        denominator,
        target: SUPPORTED_TARGET,
    }
}

/// Months covered by `visits_by_month`, for labels: "06", "07"...
pub fn month_label(start: NaiveDate) -> String {
    format!("{:02}", start.month())
}

#[cfg(test)]
#[path = "dashboard_tests.rs"]
mod tests;
