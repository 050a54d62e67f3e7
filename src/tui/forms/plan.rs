//! The livelihood plan form. Its status only moves along the supervisor's path; moving
//! it to "approved" records who approved it and when.

use super::{FieldErrors, labels, merge, optional_number, position, required_date};
use crate::domain::*;
use crate::tui::screens::Ctx;
use crate::tui::widgets::form::{Field, Form, Label};

/// The statuses a plan may take next, its current one first; approving only for those
/// allowed to approve.
fn reachable(current: PlanStatus, ctx: &Ctx) -> Vec<PlanStatus> {
    let may_approve = ctx.user.may(Permission::ApprovePlans);
    PlanStatus::ALL
        .iter()
        .copied()
        .filter(|s| current.can_move_to(*s))
        .filter(|s| *s == current || *s != PlanStatus::Approved || may_approve)
        .collect()
}

pub fn build(person: Id, plan: Option<Id>, ctx: &Ctx) -> Result<Form, &'static str> {
    let existing = plan.and_then(|id| ctx.snap.plans.get(&id));
    let p = existing.cloned().unwrap_or_else(|| blank(person, ctx));
    let statuses = reachable(p.status, ctx);
    let status_labels = statuses.iter().map(|s| Label::Key(s.key())).collect();
    let title = if existing.is_some() {
        ctx.t("form.edit_plan")
    } else {
        ctx.t("form.new_plan")
    };
    let fields = vec![
        Field::choice(
            "business_line",
            "field.business_line",
            labels(BusinessLine::ALL, BusinessLine::key),
            position(BusinessLine::ALL, &p.business_line),
        ),
        Field::text(
            "business_detail",
            "field.business_detail",
            &p.business_detail,
        ),
        Field::note("goal", "field.goal", &p.goal),
        Field::money("budget", "field.budget", Some(p.budget)),
        Field::number(
            "counselling_sessions",
            "field.counselling_sessions",
            Some(p.counselling_sessions as i64),
        ),
        Field::choice("status", "field.status", status_labels, 0),
        Field::date("created_on", "field.created_on", Some(p.created_on)),
    ];
    Ok(Form::new(title.to_string(), fields, ctx.today))
}

fn blank(person: Id, ctx: &Ctx) -> LivelihoodPlan {
    LivelihoodPlan {
        id: Id::NEW,
        person_id: person,
        business_line: BusinessLine::Poultry,
        business_detail: String::new(),
        goal: String::new(),
        budget: Dong(0),
        counselling_sessions: 1,
        status: PlanStatus::Draft,
        approved_by: String::new(),
        approved_on: None,
        created_on: ctx.today,
        stamp: Stamp::default(),
    }
}

pub fn read(
    form: &Form,
    person: Id,
    plan: Option<Id>,
    ctx: &Ctx,
) -> Result<LivelihoodPlan, FieldErrors> {
    let mut errors = FieldErrors::new();
    let mut p = plan
        .and_then(|id| ctx.snap.plans.get(&id))
        .cloned()
        .unwrap_or_else(|| blank(person, ctx));
    let statuses = reachable(p.status, ctx);
    let status = statuses
        .get(form.choice("status"))
        .copied()
        .unwrap_or(p.status);
    let sessions = optional_number(form, "counselling_sessions", &mut errors).unwrap_or(0);
    if !(0..=100).contains(&sessions) {
        errors.push(("counselling_sessions", "err.number_format"));
    }
    p.business_line = BusinessLine::ALL[form
        .choice("business_line")
        .min(BusinessLine::ALL.len() - 1)];
    p.business_detail = form.text("business_detail");
    p.goal = form.text("goal");
    p.budget = form.money("budget").unwrap_or(Dong(0));
    p.counselling_sessions = sessions.clamp(0, 100) as u16;
    p.created_on = required_date(form, "created_on", &mut errors).unwrap_or(ctx.today);
    if status == PlanStatus::Approved && p.status == PlanStatus::Draft {
        p.approved_by = ctx.actor.to_string();
        p.approved_on = Some(ctx.today);
    }
    p.status = status;
    let mut tidy = p.clone();
    tidy.tidy();
    let errors = merge(errors, tidy.validate(ctx.today, ctx.snap), |f| match f {
        "approved_by" | "approved_on" => "status",
        f => f,
    });
    if errors.is_empty() {
        Ok(p)
    } else {
        Err(errors)
    }
}
