//! The livelihood plan form. Its status only moves along the supervisor's path; moving
//! it to "approved" records who approved it and when.

use super::{
    Refusal, field_ids, optional_money, optional_number, options, required_choice, required_date,
};
use crate::domain::*;
use crate::tui::screens::Ctx;
use crate::tui::widgets::form::{Field, Form, Label};

field_ids!(PlanField {
    BusinessLine = "business_line",
    BusinessDetail = "business_detail",
    Goal = "goal",
    Budget = "budget",
    CounsellingSessions = "counselling_sessions",
    Status = "status",
    CreatedOn = "created_on",
});
use PlanField as F;

/// Who approved and when are set with the status, so their problems go beside it.
pub fn place(field: &str) -> Option<PlanField> {
    match field {
        "approved_by" | "approved_on" => Some(F::Status),
        f => PlanField::from_domain(f),
    }
}

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
    let statuses: Vec<(Label, PlanStatus)> = reachable(p.status, ctx)
        .into_iter()
        .map(|s| (Label::Key(s.key()), s))
        .collect();
    let title = if existing.is_some() {
        ctx.t("form.edit_plan")
    } else {
        ctx.t("form.new_plan")
    };
    let fields = vec![
        Field::choice(
            F::BusinessLine,
            "field.business_line",
            options(BusinessLine::ALL, BusinessLine::key),
            Some(&p.business_line),
        ),
        Field::text(
            F::BusinessDetail,
            "field.business_detail",
            &p.business_detail,
        ),
        Field::note(F::Goal, "field.goal", &p.goal),
        Field::money(F::Budget, "field.budget", Some(p.budget)),
        Field::number(
            F::CounsellingSessions,
            "field.counselling_sessions",
            Some(i64::from(p.counselling_sessions)),
        ),
        Field::choice(F::Status, "field.status", statuses, Some(&p.status)),
        Field::date(F::CreatedOn, "field.created_on", Some(p.created_on)),
    ];
    Ok(Form::new(title.to_string(), fields, ctx.today, ctx.lang))
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
) -> Result<LivelihoodPlan, Refusal> {
    let mut errors = Refusal::default();
    let mut p = plan
        .and_then(|id| ctx.snap.plans.get(&id))
        .cloned()
        .unwrap_or_else(|| blank(person, ctx));
    let status = required_choice::<PlanStatus>(form, F::Status, &mut errors).unwrap_or(p.status);
    let sessions = optional_number(form, F::CounsellingSessions, &mut errors).unwrap_or(0);
    if !(0..=100).contains(&sessions) {
        errors.add(F::CounsellingSessions, "err.number_format");
    }
    if let Some(line) = required_choice::<BusinessLine>(form, F::BusinessLine, &mut errors) {
        p.business_line = line;
    }
    p.business_detail = form.text(F::BusinessDetail);
    p.goal = form.text(F::Goal);
    p.budget = optional_money(form, F::Budget, &mut errors).unwrap_or(Dong(0));
    p.counselling_sessions = sessions.clamp(0, 100) as u16;
    p.created_on = required_date(form, F::CreatedOn, &mut errors).unwrap_or(ctx.today);
    if status == PlanStatus::Approved && p.status == PlanStatus::Draft {
        p.approved_by = ctx.actor.to_string();
        p.approved_on = Some(ctx.today);
    }
    p.status = status;
    let mut tidy = p.clone();
    tidy.tidy();
    errors.domain(tidy.validate(ctx.today, ctx.snap), place);
    errors.or(p)
}
