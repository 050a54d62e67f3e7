//! Every figure of the dashboard, computed in one pass over the snapshot.

use super::Filter;
use super::table::percent;
use crate::domain::*;
use chrono::{Datelike, Days, NaiveDate};
use std::collections::{BTreeMap, HashMap, HashSet};

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
    let mut wards: BTreeMap<&str, WardFigures> = snap
        .wards
        .values()
        .map(|w| {
            let figures = WardFigures {
                code: w.code.clone(),
                name: w.name.clone(),
                people: BySex::default(),
                grants: 0,
                grant_value: Dong(0),
                overdue: 0,
                visits_done: 0,
            };
            (w.code.as_str(), figures)
        })
        .collect();
    let ward_of: HashMap<Id, &str> = snap
        .people
        .values()
        .map(|p| (p.id, p.ward.as_str()))
        .collect();
    let date_only = Filter {
        ward: None,
        ..filter.clone()
    };
    for p in snap.people.values().filter(|p| date_only.person(p)) {
        if let Some(w) = wards.get_mut(p.ward.as_str()) {
            w.people.add(p.sex);
        }
    }
    for g in snap.grants.values().filter(|g| date_only.grant(snap, g)) {
        if let Some(w) = ward_of.get(&g.person_id).and_then(|w| wards.get_mut(w)) {
            w.grants += 1;
            w.grant_value += g.total_value;
        }
    }
    for m in snap
        .milestones
        .values()
        .filter(|m| date_only.milestone(snap, m))
    {
        if let Some(w) = ward_of.get(&m.person_id).and_then(|w| wards.get_mut(w)) {
            if m.is_overdue(today) {
                w.overdue += 1;
            }
            if m.status == MilestoneStatus::Done {
                w.visits_done += 1;
            }
        }
    }
    let mut out: Vec<WardFigures> = wards.into_values().collect();
    if let Some(ward) = &filter.ward {
        out.retain(|w| &w.code == ward);
    }
    out
}

/// The dashboard for the whole database (`ward: None`) or one ward.
pub fn compute(snap: &Snapshot, today: NaiveDate, ward: Option<&str>) -> Dashboard {
    let filter = Filter::ward(ward);
    let mut people = BySex::default();
    let mut by_group: Vec<(TargetGroup, BySex)> = TargetGroup::ALL
        .iter()
        .map(|g| (*g, BySex::default()))
        .collect();
    let mut by_age = [0u64; 5];
    let (mut no_consent, mut consent_expired) = (0, 0);
    let mut in_scope: HashSet<Id> = HashSet::new();
    for p in snap.people.values().filter(|p| filter.person(p)) {
        in_scope.insert(p.id);
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
    for plan in snap
        .plans
        .values()
        .filter(|p| in_scope.contains(&p.person_id))
    {
        if let Some((_, n)) = plans_by_status.iter_mut().find(|(s, _)| *s == plan.status) {
            *n += 1;
        }
    }
    let mut grants_by_kind: Vec<(GrantKind, u64, Dong)> =
        GrantKind::ALL.iter().map(|k| (*k, 0, Dong(0))).collect();
    let (mut grants, mut grant_value) = (0, Dong(0));
    for g in snap
        .grants
        .values()
        .filter(|g| in_scope.contains(&g.person_id))
    {
        grants += 1;
        grant_value += g.total_value;
        if let Some((_, n, v)) = grants_by_kind.iter_mut().find(|(k, _, _)| *k == g.kind) {
            *n += 1;
            *v += g.total_value;
        }
    }
    let month_start = |d: NaiveDate| d.with_day(1).unwrap_or(d);
    let this_month = month_start(today);
    let months: Vec<NaiveDate> = (0..12)
        .rev()
        .map(|back| month_start(sub_months(this_month, back)))
        .collect();
    let mut visits_by_month: Vec<(NaiveDate, u64)> = months.iter().map(|m| (*m, 0)).collect();
    let mut follow_ups = FollowUps::default();
    let horizon = today.checked_add_days(Days::new(30)).unwrap_or(today);
    for m in snap
        .milestones
        .values()
        .filter(|m| in_scope.contains(&m.person_id))
    {
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
        if let (MilestoneStatus::Done, Some(done)) = (m.status, m.done_on)
            && let Some(slot) = visits_by_month
                .iter_mut()
                .find(|(start, _)| *start == month_start(done))
        {
            slot.1 += 1;
        }
    }
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
        businesses_operating: businesses_operating(snap, &in_scope),
        animals_alive: animals_alive(snap, &in_scope),
        supported: supported(snap, &in_scope),
        visited_on_time: visited_on_time(snap, &in_scope, today),
    }
}

fn sub_months(day: NaiveDate, months: u32) -> NaiveDate {
    day.checked_sub_months(chrono::Months::new(months))
        .unwrap_or(day)
}

/// The last visit done, by when it was done.
fn last_done<'a>(visits: impl Iterator<Item = &'a Milestone>) -> Option<&'a Milestone> {
    visits
        .filter(|m| m.status == MilestoneStatus::Done)
        .max_by_key(|m| (m.done_on, m.due_on, m.id))
}

/// Each plan counts once: at its last visit that asked, was the business operating?
fn businesses_operating(snap: &Snapshot, in_scope: &HashSet<Id>) -> (u64, u64) {
    let mut last: HashMap<Id, &Milestone> = HashMap::new();
    for m in snap
        .milestones
        .values()
        .filter(|m| in_scope.contains(&m.person_id) && m.visit.business_operating.is_some())
    {
        if let (Some(plan), MilestoneStatus::Done) = (m.plan_id, m.status) {
            let entry = last.entry(plan).or_insert(m);
            if (m.done_on, m.due_on, m.id) > (entry.done_on, entry.due_on, entry.id) {
                *entry = m;
            }
        }
    }
    let operating = last
        .values()
        .filter(|m| m.visit.business_operating == Some(true))
        .count() as u64;
    (operating, last.len() as u64)
}

/// Over livestock grants with a visit that counted animals: alive at the last such visit
/// against the number handed over.
fn animals_alive(snap: &Snapshot, in_scope: &HashSet<Id>) -> (u64, u64) {
    let (mut alive, mut handed) = (0u64, 0u64);
    for g in snap
        .grants
        .values()
        .filter(|g| g.is_livestock() && in_scope.contains(&g.person_id))
    {
        let counted = snap
            .milestones_of(g.id)
            .filter(|m| m.visit.animals_alive.is_some());
        if let Some(visit) = last_done(counted) {
            alive += visit.visit.animals_alive.unwrap_or(0).min(g.quantity) as u64;
            handed += g.quantity as u64;
        }
    }
    (alive, handed)
}

/// Identified victims and suspected victims who received at least one support service:
/// a grant handed over, or a referral that was accepted or done.
fn supported(snap: &Snapshot, in_scope: &HashSet<Id>) -> Indicator {
    let mut numerator = 0;
    let mut denominator = 0;
    for p in snap.people.values().filter(|p| in_scope.contains(&p.id)) {
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
        if served {
            numerator += 1;
        }
    }
    Indicator {
        key: "indicator.supported",
        numerator,
        denominator,
        target: SUPPORTED_TARGET,
    }
}

/// People with a grant whose follow-ups have fallen due (past the grace week): the share
/// whose every such follow-up was done on time.
fn visited_on_time(snap: &Snapshot, in_scope: &HashSet<Id>, today: NaiveDate) -> Indicator {
    let cutoff = today
        .checked_sub_days(Days::new(ON_TIME_GRACE_DAYS))
        .unwrap_or(today);
    let (mut numerator, mut denominator) = (0, 0);
    for p in snap.people.values().filter(|p| in_scope.contains(&p.id)) {
        if snap.grants_of(p.id).next().is_none() {
            continue;
        }
        let mut due = snap
            .milestones_of(p.id)
            .filter(|m| {
                m.grant_id.is_some() && m.status != MilestoneStatus::Cancelled && m.due_on < cutoff
            })
            .peekable();
        if due.peek().is_none() {
            continue;
        }
        denominator += 1;
        if due.all(|m| m.was_done_on_time() == Some(true)) {
            numerator += 1;
        }
    }
    Indicator {
        key: "indicator.visited_on_time",
        numerator,
        denominator,
        target: VISITED_ON_TIME_TARGET,
    }
}

/// Months covered by `visits_by_month`, for labels: "06", "07"...
pub fn month_label(start: NaiveDate) -> String {
    format!("{:02}", start.month())
}

#[cfg(test)]
#[path = "dashboard_tests.rs"]
mod tests;
