//! Recording a follow-up: done today by default, what the visit found, a referral if one
//! is needed, and the next ad-hoc visit if one is planned, all in one write. Missed and
//! cancelled visits need a reason.

use super::{FieldErrors, labels, merge, optional_date, optional_number, position, required_date};
use crate::domain::*;
use crate::store::Change;
use crate::tui::screens::Ctx;
use crate::tui::widgets::form::{Field, Form, Label};

/// The order the status choice offers: what officers record most often first.
const STATUSES: [MilestoneStatus; 4] = [
    MilestoneStatus::Done,
    MilestoneStatus::Missed,
    MilestoneStatus::Cancelled,
    MilestoneStatus::Planned,
];

/// "—", then yes, then no.
fn yes_no() -> Vec<Label> {
    vec![
        Label::Key("form.unknown"),
        Label::Key("form.yes"),
        Label::Key("form.no"),
    ]
}

fn services() -> Vec<Label> {
    std::iter::once(Label::Key("form.none"))
        .chain(labels(Service::ALL, Service::key))
        .collect()
}

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
    let operating = match v.business_operating {
        None => 0,
        Some(true) => 1,
        Some(false) => 2,
    };
    let referral = v
        .referral_needed
        .map_or(0, |s| position(Service::ALL, &s) + 1);
    let done_by = if v.done_by.is_empty() {
        ctx.actor.to_string()
    } else {
        v.done_by.clone()
    };
    let fields = vec![
        Field::choice(
            "status",
            "field.visit_status",
            STATUSES.iter().map(|s| Label::Key(s.key())).collect(),
            position(&STATUSES, &status),
        ),
        Field::date(
            "done_on",
            "field.done_on",
            Some(m.done_on.unwrap_or(ctx.today)),
        ),
        Field::text("done_by", "field.done_by", &done_by),
        Field::choice(
            "business_operating",
            "field.business_operating",
            yes_no(),
            operating,
        ),
        Field::number(
            "animals_alive",
            "field.animals_alive",
            v.animals_alive.map(|n| n as i64),
        ),
        Field::money("monthly_income", "field.monthly_income", v.monthly_income),
        Field::note("notes", "field.notes", &v.notes),
        Field::choice(
            "referral_needed",
            "field.referral_needed",
            services(),
            referral,
        ),
        Field::text("refer_to", "field.refer_to", ""),
        Field::text("reason", "field.reason", &v.reason),
        Field::date("next_visit_on", "field.next_visit_on", None),
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
    Ok(Form::new(title, fields, ctx.today))
}

/// Done visits ask what was found; missed or cancelled ones ask why.
pub fn on_change(form: &mut Form, milestone: Option<&Milestone>, snap: &Snapshot) {
    let status = STATUSES[form.choice("status").min(STATUSES.len() - 1)];
    let done = status == MilestoneStatus::Done;
    let livestock = milestone
        .and_then(|m| m.grant_id)
        .and_then(|g| snap.grants.get(&g))
        .is_some_and(Grant::is_livestock);
    let has_plan = milestone.is_some_and(|m| m.plan_id.is_some());
    for name in [
        "done_on",
        "done_by",
        "monthly_income",
        "notes",
        "referral_needed",
    ] {
        form.set_hidden(name, !done);
    }
    form.set_hidden("business_operating", !done || !has_plan);
    form.set_hidden("animals_alive", !done || !livestock);
    form.set_hidden("refer_to", !done || form.choice("referral_needed") == 0);
    form.set_hidden(
        "reason",
        !matches!(status, MilestoneStatus::Missed | MilestoneStatus::Cancelled),
    );
    let person = milestone.and_then(|m| snap.people.get(&m.person_id));
    let wants_referral = done && form.choice("referral_needed") > 0;
    form.notice = (wants_referral
        && !person.is_some_and(|p| {
            p.consents_to_referral(form.date("done_on").ok().flatten().unwrap_or_default())
        }))
    .then_some("form.referral_needs_consent");
}

pub fn read(form: &Form, milestone: Id, ctx: &Ctx) -> Result<Vec<Change>, FieldErrors> {
    let mut errors = FieldErrors::new();
    let mut m = ctx
        .snap
        .milestones
        .get(&milestone)
        .cloned()
        .ok_or_else(|| vec![("status", "store.not_found")])?;
    let status = STATUSES[form.choice("status").min(STATUSES.len() - 1)];
    let done = status == MilestoneStatus::Done;
    m.status = status;
    m.done_on = if done {
        required_date(form, "done_on", &mut errors)
    } else {
        None
    };
    let referral_needed = form
        .choice("referral_needed")
        .checked_sub(1)
        .and_then(|i| Service::ALL.get(i))
        .copied();
    if done {
        m.visit.done_by = form.text("done_by");
        m.visit.business_operating = match form.choice("business_operating") {
            1 => Some(true),
            2 => Some(false),
            _ => None,
        };
        let animals = if form.field("animals_alive").is_some_and(|f| !f.hidden) {
            optional_number(form, "animals_alive", &mut errors)
        } else {
            None
        };
        m.visit.animals_alive = animals.map(|n| n.clamp(0, u32::MAX as i64) as u32);
        m.visit.monthly_income = form.money("monthly_income");
        m.visit.notes = form.text("notes");
        m.visit.referral_needed = referral_needed;
        m.visit.reason.clear();
    } else {
        m.visit.reason = form.text("reason");
    }
    let mut changes = vec![Change::Milestone(m.clone())];
    let refer_to = form.text("refer_to");
    // A service chosen is a referral to make: it needs to whom (or no service chosen).
    if done && referral_needed.is_some() && refer_to.trim().is_empty() {
        errors.push(("refer_to", "err.required"));
    }
    if let (true, Some(service), false) = (done, referral_needed, refer_to.trim().is_empty()) {
        changes.push(Change::Referral(Referral {
            id: Id::NEW,
            person_id: m.person_id,
            milestone_id: Some(m.id),
            service,
            to_whom: refer_to,
            made_on: m.done_on.unwrap_or(ctx.today),
            status: ReferralStatus::Made,
            outcome: String::new(),
            stamp: Stamp::default(),
        }));
    }
    let next_visit = optional_date(form, "next_visit_on", &mut errors);
    if next_visit.is_some_and(|next| next < ctx.today) {
        errors.push(("next_visit_on", "err.date_in_past"));
    }
    if let Some(next) = next_visit {
        let mut follow = m.clone();
        follow.id = Id::NEW;
        follow.due_on = next;
        follow.months_after = None;
        follow.status = MilestoneStatus::Planned;
        follow.done_on = None;
        follow.visit = Visit::default();
        changes.push(Change::Milestone(follow));
    }
    let mut tidy = m.clone();
    tidy.tidy();
    let mut domain = tidy.validate(ctx.today, ctx.snap);
    if let Some(Change::Referral(r)) = changes.get(1) {
        domain.extend(
            r.validate(ctx.today, ctx.snap)
                .into_iter()
                .map(|p| Problem::new("refer_to", p.key)),
        );
    }
    let errors = merge(errors, domain, |f| f);
    if errors.is_empty() {
        Ok(changes)
    } else {
        Err(errors)
    }
}

/// An extra follow-up outside the schedule.
pub fn build_new(person: Id, grant: Option<Id>, ctx: &Ctx) -> Result<Form, &'static str> {
    let p = ctx.snap.people.get(&person).ok_or("store.not_found")?;
    let grants: Vec<&Grant> = ctx.snap.grants_of(person).collect();
    let grant_labels: Vec<Label> = std::iter::once(Label::Key("form.none"))
        .chain(grants.iter().map(|g| {
            Label::Text(format!(
                "{} ({})",
                g.item,
                crate::domain::dates::format_date(g.handed_over_on)
            ))
        }))
        .collect();
    let selected = grant
        .and_then(|id| grants.iter().position(|g| g.id == id))
        .map_or(0, |i| i + 1);
    let fields = vec![
        Field::choice("grant", "field.grant", grant_labels, selected),
        Field::choice(
            "kind",
            "field.kind",
            labels(MilestoneKind::ALL, MilestoneKind::key),
            0,
        ),
        Field::date("due_on", "field.due_on", None),
        Field::text(
            "assigned_to",
            "field.assigned_to",
            if p.collaborator.is_empty() {
                ctx.actor
            } else {
                &p.collaborator
            },
        ),
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
    ))
}

pub fn read_new(form: &Form, person: Id, ctx: &Ctx) -> Result<Milestone, FieldErrors> {
    let mut errors = FieldErrors::new();
    let grants: Vec<&Grant> = ctx.snap.grants_of(person).collect();
    let grant = form
        .choice("grant")
        .checked_sub(1)
        .and_then(|i| grants.get(i));
    let due_on = required_date(form, "due_on", &mut errors).unwrap_or(ctx.today);
    let m = Milestone {
        id: Id::NEW,
        person_id: person,
        grant_id: grant.map(|g| g.id),
        plan_id: grant.and_then(|g| g.plan_id),
        due_on,
        kind: MilestoneKind::ALL[form.choice("kind").min(MilestoneKind::ALL.len() - 1)],
        months_after: None,
        assigned_to: form.text("assigned_to"),
        status: MilestoneStatus::Planned,
        done_on: None,
        visit: Visit::default(),
        stamp: Stamp::default(),
    };
    let errors = merge(errors, m.validate(ctx.today, ctx.snap), |f| f);
    if errors.is_empty() {
        Ok(m)
    } else {
        Err(errors)
    }
}
