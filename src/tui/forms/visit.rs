//! Recording a follow-up: done today by default, what the visit found, a referral if one
//! is needed, and the next visit if one is planned. The form only reads what was typed;
//! `Store::record_visit` decides what that writes. Missed and cancelled visits need a reason.

use super::{
    Refusal, field_ids, optional_date, optional_money, optional_number, options, required_choice,
};
use crate::domain::*;
use crate::store::VisitRecord;
use crate::tui::screens::Ctx;
use crate::tui::widgets::form::{Field, Form, Label, Notice};

field_ids!(VisitField {
    Status = "status",
    DoneOn = "done_on",
    DoneBy = "done_by",
    BusinessOperating = "business_operating",
    AnimalsAlive = "animals_alive",
    MonthlyIncome = "monthly_income",
    Notes = "notes",
    ReferralNeeded = "referral_needed",
    ReferTo = "refer_to",
    Reason = "reason",
    NextVisitOn = "next_visit_on",
});
use VisitField as F;

field_ids!(NewVisitField {
    Grant = "grant",
    Kind = "kind",
    DueOn = "due_on",
    AssignedTo = "assigned_to",
});

/// The order the status choice offers: what officers record most often first.
const STATUSES: [MilestoneStatus; 4] = [
    MilestoneStatus::Done,
    MilestoneStatus::Missed,
    MilestoneStatus::Cancelled,
    MilestoneStatus::Planned,
];

pub fn build(milestone: Id, missed: bool, ctx: &Ctx) -> Result<Form, &'static str> {
    let m = ctx
        .snap
        .milestones
        .get(&milestone)
        .ok_or("store.not_found")?;
    let person = ctx.snap.people.get(&m.person_id).ok_or("store.not_found")?;
    let status = match (m.status, missed) {
        (MilestoneStatus::Planned, true) => MilestoneStatus::Missed,
        (MilestoneStatus::Planned, false) => MilestoneStatus::Done,
        (s, _) => s,
    };
    let v = &m.visit;
    let done_by = if v.done_by.is_empty() {
        ctx.actor.to_string()
    } else {
        v.done_by.clone()
    };
    let fields = vec![
        Field::choice(
            F::Status,
            "field.visit_status",
            options(&STATUSES, MilestoneStatus::key),
            Some(&status),
        ),
        Field::date(
            F::DoneOn,
            "field.done_on",
            Some(m.done_on.unwrap_or(ctx.today)),
        ),
        Field::text(F::DoneBy, "field.done_by", &done_by),
        Field::choice(
            F::BusinessOperating,
            "field.business_operating",
            vec![
                (Label::Key("form.yes"), true),
                (Label::Key("form.no"), false),
            ],
            v.business_operating.as_ref(),
        )
        .with_none(Label::Key("form.unknown"), v.business_operating.is_none()),
        Field::number(
            F::AnimalsAlive,
            "field.animals_alive",
            v.animals_alive.map(i64::from),
        ),
        Field::money(F::MonthlyIncome, "field.monthly_income", v.monthly_income),
        Field::note(F::Notes, "field.notes", &v.notes),
        Field::choice(
            F::ReferralNeeded,
            "field.referral_needed",
            options(Service::ALL, Service::key),
            v.referral_needed.as_ref(),
        )
        .with_none(Label::Key("form.none"), v.referral_needed.is_none()),
        Field::text(F::ReferTo, "field.refer_to", ""),
        Field::text(F::Reason, "field.reason", &v.reason),
        Field::date(F::NextVisitOn, "field.next_visit_on", None),
    ];
    let grant = m.grant_id.and_then(|g| ctx.snap.grants.get(&g));
    let what = grant.map(|g| format!(" · {}", g.item)).unwrap_or_default();
    let title = format!(
        "{} · {} {}{}",
        ctx.t("form.record_visit"),
        person.code,
        person.full_name,
        what
    );
    Ok(Form::new(title, fields, ctx.today, ctx.lang))
}

/// Done visits ask what was found; missed or cancelled ones ask why.
pub fn on_change(form: &mut Form, milestone: Option<&Milestone>, snap: &Snapshot) {
    let status = form.choice::<MilestoneStatus>(F::Status);
    let done = status == Some(MilestoneStatus::Done);
    let livestock = milestone
        .and_then(|m| m.grant_id)
        .and_then(|g| snap.grants.get(&g))
        .is_some_and(Grant::is_livestock);
    let has_plan = milestone.is_some_and(|m| m.plan_id.is_some());
    for id in [
        F::DoneOn,
        F::DoneBy,
        F::MonthlyIncome,
        F::Notes,
        F::ReferralNeeded,
    ] {
        form.set_hidden(id, !done);
    }
    let service = form.choice::<Service>(F::ReferralNeeded);
    form.set_hidden(F::BusinessOperating, !done || !has_plan);
    form.set_hidden(F::AnimalsAlive, !done || !livestock);
    form.set_hidden(F::ReferTo, !done || service.is_none());
    form.set_hidden(
        F::Reason,
        !matches!(
            status,
            Some(MilestoneStatus::Missed | MilestoneStatus::Cancelled)
        ),
    );
    let person = milestone.and_then(|m| snap.people.get(&m.person_id));
    let on = form.date(F::DoneOn).ok().flatten().unwrap_or(form.today());
    form.notices.clear();
    if done && service.is_some() && !person.is_some_and(|p| p.consents_to_referral(on)) {
        form.notices
            .push(Notice::new("form.referral_needs_consent"));
    }
}

pub fn read(form: &Form, milestone: Id) -> Result<VisitRecord, Refusal> {
    let mut errors = Refusal::default();
    let status = required_choice::<MilestoneStatus>(form, F::Status, &mut errors)
        .unwrap_or(MilestoneStatus::Done);
    let done = status == MilestoneStatus::Done;
    let shown = |id| form.is_shown(id);
    let done_on = if done {
        super::required_date(form, F::DoneOn, &mut errors)
    } else {
        None
    };
    let animals = if shown(F::AnimalsAlive) {
        optional_number(form, F::AnimalsAlive, &mut errors)
    } else {
        None
    };
    if animals.is_some_and(|n| u32::try_from(n).is_err()) {
        errors.add(F::AnimalsAlive, "err.number_format");
    }
    let visit = Visit {
        done_by: form.text(F::DoneBy),
        business_operating: if shown(F::BusinessOperating) {
            form.choice::<bool>(F::BusinessOperating)
        } else {
            None
        },
        animals_alive: animals.and_then(|n| u32::try_from(n).ok()),
        monthly_income: if done {
            optional_money(form, F::MonthlyIncome, &mut errors)
        } else {
            None
        },
        notes: form.text(F::Notes),
        referral_needed: if done {
            form.choice::<Service>(F::ReferralNeeded)
        } else {
            None
        },
        reason: form.text(F::Reason),
    };
    let next_visit_on = optional_date(form, F::NextVisitOn, &mut errors);
    let record = VisitRecord {
        milestone,
        status,
        done_on,
        visit,
        refer_to: form.text(F::ReferTo),
        next_visit_on,
    };
    // The store checks the rest (to whom, the next visit, the handover) and names the field.
    errors.or(record)
}

/// An extra follow-up outside the schedule.
pub fn build_new(person: Id, grant: Option<Id>, ctx: &Ctx) -> Result<Form, &'static str> {
    use NewVisitField as N;
    let p = ctx.snap.people.get(&person).ok_or("store.not_found")?;
    let grants: Vec<(Label, Id)> = ctx
        .snap
        .grants_of(person)
        .map(|g| {
            (
                Label::Text(format!(
                    "{} ({})",
                    g.item,
                    crate::domain::dates::format_date(g.handed_over_on)
                )),
                g.id,
            )
        })
        .collect();
    let assigned = if p.collaborator.is_empty() {
        ctx.actor
    } else {
        &p.collaborator
    };
    let fields = vec![
        Field::choice(N::Grant, "field.grant", grants, grant.as_ref())
            .with_none(Label::Key("form.none"), grant.is_none()),
        Field::choice(
            N::Kind,
            "field.kind",
            options(MilestoneKind::ALL, MilestoneKind::key),
            Some(&MilestoneKind::HomeVisit),
        ),
        Field::date(N::DueOn, "field.due_on", None),
        Field::text(N::AssignedTo, "field.assigned_to", assigned),
    ];
    Ok(Form::new(
        format!(
            "{} · {} {}",
            ctx.t("form.new_followup"),
            p.code,
            p.full_name
        ),
        fields,
        ctx.today,
        ctx.lang,
    ))
}

pub fn read_new(form: &Form, person: Id, ctx: &Ctx) -> Result<Milestone, Refusal> {
    use NewVisitField as N;
    let mut errors = Refusal::default();
    let grant = form
        .choice::<Id>(N::Grant)
        .and_then(|id| ctx.snap.grants.get(&id));
    let due_on = super::required_date(form, N::DueOn, &mut errors).unwrap_or(ctx.today);
    let kind = required_choice::<MilestoneKind>(form, N::Kind, &mut errors)
        .unwrap_or(MilestoneKind::HomeVisit);
    let m = Milestone {
        id: Id::NEW,
        person_id: person,
        grant_id: grant.map(|g| g.id),
        plan_id: grant.and_then(|g| g.plan_id),
        due_on,
        kind,
        months_after: None,
        assigned_to: form.text(N::AssignedTo),
        status: MilestoneStatus::Planned,
        done_on: None,
        visit: Visit::default(),
        stamp: Stamp::default(),
    };
    errors.domain(m.validate(ctx.today, ctx.snap), NewVisitField::from_domain);
    errors.or(m)
}
