//! The columns of the record files (people, plans, grants, visits): one definition per
//! column, its header key beside how its cell is written, and the writers that pick
//! each file's records and order them.

use super::{Column, ExportError, ExportOptions, Sink, col, with_names, write_records};
use crate::domain::*;
use chrono::NaiveDate;

pub(super) const PEOPLE: &[Column<Person>] = &[
    col("col.code", |r, o| {
        r.text(&o.record.code);
    }),
    with_names("field.full_name", |r, o| {
        r.text(&o.record.full_name);
    }),
    with_names("field.phone", |r, o| {
        r.text(&o.record.phone);
    }),
    with_names("field.address", |r, o| {
        r.text(&o.record.address);
    }),
    col("field.sex", |r, o| {
        r.text(o.t(o.record.sex.key()));
    }),
    col("field.birth_year", |r, o| {
        r.shown(o.record.birth_year);
    }),
    col("field.ward", |r, o| {
        r.text(&o.record.ward);
    }),
    col("field.target", |r, o| {
        r.text(o.record.primary_group().map_or("", |g| o.t(g.key())));
    }),
    col("field.target_secondary", |r, o| {
        r.text(o.record.target_groups.get(1).map_or("", |g| o.t(g.key())));
    }),
    col("field.status", |r, o| {
        r.text(o.t(o.record.status.key()));
    }),
    col("field.enrolled_on", |r, o| {
        r.date(o.record.enrolled_on);
    }),
    col("field.collaborator", |r, o| {
        r.text(&o.record.collaborator);
    }),
    col("field.consent", |r, o| {
        r.text(o.yes_no(o.record.consent.is_some()));
    }),
    col("field.consent_given_on", |r, o| {
        r.opt_date(o.record.consent.as_ref().map(|c| c.given_on));
    }),
    col("field.consent_valid_until", |r, o| {
        r.opt_date(o.record.consent.as_ref().and_then(|c| c.valid_until));
    }),
    col("field.consent_services", |r, o| {
        r.text(o.consent_answer(|c| c.services));
    }),
    col("field.consent_referrals", |r, o| {
        r.text(o.consent_answer(|c| c.referrals));
    }),
    col("field.consent_sharing", |r, o| {
        r.text(o.consent_answer(|c| c.sharing));
    }),
    with_names("field.household_note", |r, o| {
        r.text(&o.record.household_note);
    }),
];

pub(super) fn people(
    snap: &Snapshot,
    o: &ExportOptions,
    w: &mut dyn Sink,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<usize, ExportError> {
    let mut list: Vec<&Person> = snap
        .people
        .values()
        .filter(|p| o.filter.person(p))
        .collect();
    list.sort_by(|a, b| a.code.cmp(&b.code));
    write_records(PEOPLE, list.into_iter(), snap, o, w, progress)
}

fn code_of(snap: &Snapshot, person: Id) -> &str {
    snap.people
        .get(&person)
        .map(|p| p.code.as_str())
        .unwrap_or_default()
}

fn ward_of(snap: &Snapshot, person: Id) -> &str {
    snap.people
        .get(&person)
        .map(|p| p.ward.as_str())
        .unwrap_or_default()
}

pub(super) const PLANS: &[Column<LivelihoodPlan>] = &[
    col("col.code", |r, o| {
        r.text(code_of(o.snap, o.record.person_id));
    }),
    col("field.ward", |r, o| {
        r.text(ward_of(o.snap, o.record.person_id));
    }),
    col("field.business_line", |r, o| {
        r.text(o.t(o.record.business_line.key()));
    }),
    col("field.business_detail", |r, o| {
        r.text(&o.record.business_detail);
    }),
    col("field.goal", |r, o| {
        r.text(&o.record.goal);
    }),
    col("csv.budget_vnd", |r, o| {
        r.money(o.record.budget);
    }),
    col("field.counselling_sessions", |r, o| {
        r.shown(o.record.counselling_sessions);
    }),
    col("field.status", |r, o| {
        r.text(o.t(o.record.status.key()));
    }),
    col("csv.approved_by", |r, o| {
        r.text(&o.record.approved_by);
    }),
    col("col.approved_on", |r, o| {
        r.opt_date(o.record.approved_on);
    }),
    col("field.created_on", |r, o| {
        r.date(o.record.created_on);
    }),
];

pub(super) fn plans(
    snap: &Snapshot,
    o: &ExportOptions,
    w: &mut dyn Sink,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<usize, ExportError> {
    let mut list: Vec<&LivelihoodPlan> = snap
        .plans
        .values()
        .filter(|p| o.filter.owner(snap, p.person_id) && o.filter.in_range(p.created_on))
        .collect();
    list.sort_by_key(|p| (code_of(snap, p.person_id), p.created_on, p.id));
    write_records(PLANS, list.into_iter(), snap, o, w, progress)
}

pub(super) const GRANTS: &[Column<Grant>] = &[
    col("col.code", |r, o| {
        r.text(code_of(o.snap, o.record.person_id));
    }),
    col("field.ward", |r, o| {
        r.text(ward_of(o.snap, o.record.person_id));
    }),
    col("col.handed_over_on", |r, o| {
        r.date(o.record.handed_over_on);
    }),
    col("field.kind", |r, o| {
        r.text(o.t(o.record.kind.key()));
    }),
    col("field.item", |r, o| {
        r.text(&o.record.item);
    }),
    col("field.quantity", |r, o| {
        r.shown(o.record.quantity.plain());
    }),
    col("field.unit", |r, o| {
        r.text(&o.record.unit);
    }),
    col("csv.unit_value_vnd", |r, o| {
        r.money(o.record.unit_value);
    }),
    col("csv.total_value_vnd", |r, o| {
        r.money(o.record.total_value);
    }),
    col("field.handover_record_no", |r, o| {
        r.text(&o.record.handover_record_no);
    }),
    col("field.supplier", |r, o| {
        r.text(&o.record.supplier);
    }),
    col("field.plan", |r, o| {
        let plan = o.record.plan_id.and_then(|p| o.snap.plans.get(&p));
        r.text(plan.map_or("", |p| o.t(p.business_line.key())));
    }),
];

pub(super) fn grants(
    snap: &Snapshot,
    o: &ExportOptions,
    w: &mut dyn Sink,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<usize, ExportError> {
    let mut list: Vec<&Grant> = snap
        .grants
        .values()
        .filter(|g| o.filter.grant(snap, g))
        .collect();
    list.sort_by_key(|g| (g.handed_over_on, code_of(snap, g.person_id), g.id));
    write_records(GRANTS, list.into_iter(), snap, o, w, progress)
}

pub(super) const MILESTONES: &[Column<Milestone>] = &[
    col("col.code", |r, o| {
        r.text(code_of(o.snap, o.record.person_id));
    }),
    col("field.ward", |r, o| {
        r.text(ward_of(o.snap, o.record.person_id));
    }),
    col("col.due_on", |r, o| {
        r.date(o.record.due_on);
    }),
    col("field.kind", |r, o| {
        r.text(o.t(o.record.kind.key()));
    }),
    col("field.status", |r, o| {
        r.text(o.t(o.record.status.key()));
    }),
    col("field.done_on", |r, o| {
        r.opt_date(o.record.done_on);
    }),
    col("field.assigned_to", |r, o| {
        r.text(&o.record.assigned_to);
    }),
    col("field.done_by", |r, o| {
        r.text(&o.record.visit.done_by);
    }),
    col("field.business_operating", |r, o| {
        r.text(
            o.record
                .visit
                .business_operating
                .map_or("", |b| o.yes_no(b)),
        );
    }),
    col("field.animals_alive", |r, o| {
        r.opt_shown(o.record.visit.animals_alive);
    }),
    col("csv.monthly_income_vnd", |r, o| {
        match o.record.visit.monthly_income {
            Some(income) => r.money(income),
            None => r.text(""),
        };
    }),
    col("field.referral_needed", |r, o| {
        r.text(o.record.visit.referral_needed.map_or("", |s| o.t(s.key())));
    }),
    col("field.reason", |r, o| {
        r.text(&o.record.visit.reason);
    }),
    col("field.grant", |r, o| {
        let grant = o.record.grant_id.and_then(|g| o.snap.grants.get(&g));
        r.text(grant.map_or("", |g| g.item.as_str()));
    }),
];

pub(super) fn milestones(
    snap: &Snapshot,
    o: &ExportOptions,
    w: &mut dyn Sink,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<usize, ExportError> {
    // Sorted on keys held in the list itself: comparing through the references would
    // chase two pointers into a 50 MB heap per comparison.
    let mut list: Vec<(NaiveDate, Id, &Milestone)> = snap
        .milestones
        .values()
        .filter(|m| o.filter.milestone(snap, m))
        .map(|m| (m.due_on, m.id, m))
        .collect();
    list.sort_unstable_by_key(|&(due, id, _)| (due, id));
    write_records(
        MILESTONES,
        list.iter().map(|&(_, _, m)| m),
        snap,
        o,
        w,
        progress,
    )
}
