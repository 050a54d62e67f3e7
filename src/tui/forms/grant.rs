//! The grant form: what was handed over, how many, at what value, and when. A new grant's
//! follow-up schedule is created with it, in the same write.

use super::{FieldErrors, labels, merge, optional_number, position, required_date};
use crate::domain::*;
use crate::tui::screens::Ctx;
use crate::tui::widgets::form::{Field, Form, Label};

fn plans_of<'a>(person: Id, ctx: &Ctx<'a>) -> Vec<&'a LivelihoodPlan> {
    let mut plans: Vec<_> = ctx.snap.plans_of(person).collect();
    plans.sort_by_key(|p| (p.created_on, p.id));
    plans
}

pub fn build(person: Id, grant: Option<Id>, ctx: &Ctx) -> Result<Form, &'static str> {
    let existing = grant.and_then(|id| ctx.snap.grants.get(&id));
    let plans = plans_of(person, ctx);
    let g = existing
        .cloned()
        .unwrap_or_else(|| blank(person, plans.last().map(|p| p.id), ctx));
    let plan_labels: Vec<Label> = std::iter::once(Label::Key("form.none"))
        .chain(plans.iter().map(|p| {
            let line = if p.business_detail.is_empty() {
                ctx.t(p.business_line.key()).to_string()
            } else {
                p.business_detail.clone()
            };
            Label::Text(format!("{line} ({})", ctx.t(p.status.key())))
        }))
        .collect();
    let plan_index = g
        .plan_id
        .and_then(|id| plans.iter().position(|p| p.id == id))
        .map_or(0, |i| i + 1);
    let computed = Grant::computed_total(g.quantity, g.unit_value);
    let title = if existing.is_some() {
        ctx.t("form.edit_grant")
    } else {
        ctx.t("form.new_grant")
    };
    let fields = vec![
        Field::choice("plan", "field.plan", plan_labels, plan_index),
        Field::choice(
            "kind",
            "field.kind",
            labels(GrantKind::ALL, GrantKind::key),
            position(GrantKind::ALL, &g.kind),
        ),
        Field::text("item", "field.item", &g.item),
        Field::number(
            "quantity",
            "field.quantity",
            (g.quantity > 0).then_some(g.quantity as i64),
        ),
        Field::text("unit", "field.unit", &g.unit),
        Field::money(
            "unit_value",
            "field.unit_value",
            (g.unit_value.0 > 0).then_some(g.unit_value),
        ),
        Field::money(
            "total_value",
            "field.total_value",
            (existing.is_some() && Some(g.total_value) != computed).then_some(g.total_value),
        ),
        Field::date(
            "handed_over_on",
            "field.handed_over_on",
            Some(g.handed_over_on),
        ),
        Field::text(
            "handover_record_no",
            "field.handover_record_no",
            &g.handover_record_no,
        ),
        Field::text("supplier", "field.supplier", &g.supplier),
    ];
    let mut form = Form::new(title.to_string(), fields, ctx.today);
    if existing.is_none() {
        form.notice = Some("form.grant_schedule_notice");
    }
    Ok(form)
}

/// The total an empty total field stands for: quantity x unit value.
pub fn on_change(form: &mut Form) {
    let quantity = form
        .number("quantity")
        .ok()
        .flatten()
        .unwrap_or(0)
        .clamp(0, u32::MAX as i64) as u32;
    let unit_value = form.money("unit_value").unwrap_or(Dong(0));
    let preview = Grant::computed_total(quantity, unit_value)
        .map(|t| format!("= {t}"))
        .unwrap_or_default();
    form.set_placeholder("total_value", preview);
}

fn blank(person: Id, plan: Option<Id>, ctx: &Ctx) -> Grant {
    Grant {
        id: Id::NEW,
        person_id: person,
        plan_id: plan,
        kind: GrantKind::Equipment,
        item: String::new(),
        quantity: 1,
        unit: String::new(),
        unit_value: Dong(0),
        total_value: Dong(0),
        handed_over_on: ctx.today,
        handover_record_no: String::new(),
        supplier: String::new(),
        stamp: Stamp::default(),
    }
}

pub fn read(form: &Form, person: Id, grant: Option<Id>, ctx: &Ctx) -> Result<Grant, FieldErrors> {
    let mut errors = FieldErrors::new();
    let plans = plans_of(person, ctx);
    let mut g = grant
        .and_then(|id| ctx.snap.grants.get(&id))
        .cloned()
        .unwrap_or_else(|| blank(person, None, ctx));
    g.plan_id = form
        .choice("plan")
        .checked_sub(1)
        .and_then(|i| plans.get(i))
        .map(|p| p.id);
    g.kind = GrantKind::ALL[form.choice("kind").min(GrantKind::ALL.len() - 1)];
    g.item = form.text("item");
    let quantity = optional_number(form, "quantity", &mut errors).unwrap_or(0);
    if quantity > u32::MAX as i64 {
        errors.push(("quantity", "err.number_format"));
    }
    g.quantity = quantity.clamp(0, u32::MAX as i64) as u32;
    g.unit = form.text("unit");
    g.unit_value = form.money("unit_value").unwrap_or(Dong(0));
    g.total_value = match form.money("total_value") {
        Some(total) => total,
        None => Grant::computed_total(g.quantity, g.unit_value).unwrap_or(Dong(0)),
    };
    g.handed_over_on = required_date(form, "handed_over_on", &mut errors).unwrap_or(ctx.today);
    g.handover_record_no = form.text("handover_record_no");
    g.supplier = form.text("supplier");
    let mut tidy = g.clone();
    tidy.tidy();
    let errors = merge(errors, tidy.validate(ctx.today, ctx.snap), |f| f);
    if errors.is_empty() {
        Ok(g)
    } else {
        Err(errors)
    }
}
