//! The grant form: what was handed over, how many, at what value, and when; for a
//! health-insurance card, its number and the year it covers. A new grant's follow-up
//! schedule, which depends on its kind, is created with it in the same write.

use super::{
    Refusal, field_ids, optional_date, optional_money, options, required_choice, required_date,
};
use crate::domain::dates::{add_months, format_date};
use crate::domain::*;
use crate::tui::screens::Ctx;
use crate::tui::widgets::form::{Field, Form, Label, Notice};

field_ids!(GrantField {
    Plan = "plan",
    Kind = "kind",
    Item = "item",
    Quantity = "quantity",
    Unit = "unit",
    UnitValue = "unit_value",
    TotalValue = "total_value",
    HandedOverOn = "handed_over_on",
    HandoverRecordNo = "handover_record_no",
    Supplier = "supplier",
    CardNumber = "card_number",
    CardValidFrom = "card_valid_from",
    CardValidUntil = "card_valid_until",
});
use GrantField as F;

const CARD_FIELDS: [GrantField; 3] = [F::CardNumber, F::CardValidFrom, F::CardValidUntil];

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
    let plan_options: Vec<(Label, Id)> = plans
        .iter()
        .map(|p| {
            let line = if p.business_detail.is_empty() {
                ctx.t(p.business_line.key()).to_string()
            } else {
                p.business_detail.clone()
            };
            (
                Label::Text(format!("{line} ({})", ctx.t(p.status.key()))),
                p.id,
            )
        })
        .collect();
    let computed = Grant::computed_total(g.quantity, g.unit_value);
    let title = if existing.is_some() {
        ctx.t("form.edit_grant")
    } else {
        ctx.t("form.new_grant")
    };
    let card = g.card.clone().unwrap_or_default();
    let fields = vec![
        Field::choice(F::Plan, "field.plan", plan_options, g.plan_id.as_ref())
            .with_none(Label::Key("form.none"), g.plan_id.is_none()),
        Field::choice(
            F::Kind,
            "field.kind",
            options(GrantKind::ALL, GrantKind::key),
            Some(&g.kind),
        ),
        Field::text(F::Item, "field.item", &g.item),
        Field::decimal(
            F::Quantity,
            "field.quantity",
            &if g.quantity.is_zero() {
                String::new()
            } else {
                g.quantity.to_string()
            },
        ),
        Field::text(F::Unit, "field.unit", &g.unit),
        Field::money(
            F::UnitValue,
            "field.unit_value",
            (g.unit_value.0 > 0).then_some(g.unit_value),
        ),
        Field::money(
            F::TotalValue,
            "field.total_value",
            (existing.is_some() && Some(g.total_value) != computed).then_some(g.total_value),
        ),
        Field::date(
            F::HandedOverOn,
            "field.handed_over_on",
            Some(g.handed_over_on),
        ),
        Field::text(
            F::HandoverRecordNo,
            "field.handover_record_no",
            &g.handover_record_no,
        ),
        Field::text(F::Supplier, "field.supplier", &g.supplier),
        Field::text(F::CardNumber, "field.card_number", &card.number),
        Field::date(F::CardValidFrom, "field.card_valid_from", card.valid_from),
        Field::date(
            F::CardValidUntil,
            "field.card_valid_until",
            card.valid_until,
        ),
    ];
    let mut form = Form::new(title.to_string(), fields, ctx.today, ctx.lang);
    for id in [F::CardValidFrom, F::CardValidUntil] {
        if let Some(f) = form.field_mut(id) {
            f.edited = g.card.is_some();
        }
    }
    if existing.is_some()
        && let Some(f) = form.field_mut(F::Unit)
    {
        f.edited = true;
    }
    Ok(form)
}

/// Follows the kind: a card's fields, its unit and year; the total an empty total
/// field stands for; the schedule a save creates; and a warning without consent.
pub fn on_change(form: &mut Form, person: Option<&Person>, ctx: &Ctx, new: bool) {
    let kind = form.choice::<GrantKind>(F::Kind);
    let insurance = kind == Some(GrantKind::HealthInsurance);
    for id in CARD_FIELDS {
        form.set_hidden(id, !insurance);
    }
    // A card or a child's desk is not part of a livelihood plan, unless the officer says so.
    if matches!(
        kind,
        Some(GrantKind::HealthInsurance | GrantKind::StudyEquipment)
    ) && !form.edited(F::Plan)
    {
        form.set_choice::<Id>(F::Plan, None);
    }
    let handed_over = form.date(F::HandedOverOn).ok().flatten();
    // The unit follows the kind until the officer types one.
    let card_unit = ctx.t("grant.card_unit");
    if !form.edited(F::Unit) {
        match (insurance, form.text(F::Unit).as_str()) {
            (true, "") => form.set_text(F::Unit, card_unit),
            (false, unit) if unit == card_unit => form.set_text(F::Unit, ""),
            _ => {}
        }
    }
    if insurance {
        // A one-year card from the handover, until the officer types other dates.
        if let Some(from) = handed_over {
            if !form.edited(F::CardValidFrom) {
                form.set_text(F::CardValidFrom, &format_date(from));
            }
            if !form.edited(F::CardValidUntil)
                && let Some(until) = add_months(from, 12).pred_opt()
            {
                form.set_text(F::CardValidUntil, &format_date(until));
            }
        }
    }
    let unit = form.text(F::Unit);
    let quantity = Quantity::parse(&form.text(F::Quantity), &unit).unwrap_or_default();
    let unit_value = form.money(F::UnitValue).ok().flatten().unwrap_or(Dong(0));
    let preview = Grant::computed_total(quantity, unit_value)
        .filter(|t| t.0 > 0)
        .map(|t| format!("= {t}"))
        .unwrap_or_default();
    form.set_placeholder(F::TotalValue, preview);
    form.notices.clear();
    if new && let Some(kind) = kind {
        let months: Vec<String> = ctx
            .schedule
            .months_for(kind)
            .iter()
            .map(u8::to_string)
            .collect();
        form.notices.push(
            Notice::new("form.grant_schedule")
                .with("kind", ctx.t(schedule::follow_up_kind(kind).key()))
                .with("months", months.join(", ")),
        );
    }
    let day = handed_over.unwrap_or(ctx.today);
    if person.is_some_and(|p| !p.has_valid_consent(day)) {
        form.notices.push(Notice::new("form.grant_no_consent"));
    }
}

fn blank(person: Id, plan: Option<Id>, ctx: &Ctx) -> Grant {
    Grant {
        id: Id::NEW,
        person_id: person,
        plan_id: plan,
        kind: GrantKind::Equipment,
        item: String::new(),
        quantity: Quantity::whole(1),
        unit: String::new(),
        unit_value: Dong(0),
        total_value: Dong(0),
        handed_over_on: ctx.today,
        handover_record_no: String::new(),
        supplier: String::new(),
        card: None,
        stamp: Stamp::default(),
    }
}

pub fn read(form: &Form, person: Id, grant: Option<Id>, ctx: &Ctx) -> Result<Grant, Refusal> {
    let mut errors = Refusal::default();
    let mut g = grant
        .and_then(|id| ctx.snap.grants.get(&id))
        .cloned()
        .unwrap_or_else(|| blank(person, None, ctx));
    g.plan_id = form.choice::<Id>(F::Plan);
    if let Some(kind) = required_choice::<GrantKind>(form, F::Kind, &mut errors) {
        g.kind = kind;
    }
    g.item = form.text(F::Item);
    g.unit = form.text(F::Unit);
    g.quantity = match Quantity::parse(&form.text(F::Quantity), &g.unit) {
        Ok(q) => q,
        Err(e) => {
            errors.add(F::Quantity, e.key());
            Quantity(0)
        }
    };
    g.unit_value = optional_money(form, F::UnitValue, &mut errors).unwrap_or(Dong(0));
    g.total_value = match optional_money(form, F::TotalValue, &mut errors) {
        Some(total) => total,
        None => Grant::computed_total(g.quantity, g.unit_value).unwrap_or(Dong(0)),
    };
    g.handed_over_on = required_date(form, F::HandedOverOn, &mut errors).unwrap_or(ctx.today);
    g.handover_record_no = form.text(F::HandoverRecordNo);
    g.supplier = form.text(F::Supplier);
    g.card = (g.kind == GrantKind::HealthInsurance).then(|| InsuranceCard {
        number: form.text(F::CardNumber),
        valid_from: optional_date(form, F::CardValidFrom, &mut errors),
        valid_until: optional_date(form, F::CardValidUntil, &mut errors),
    });
    let mut tidy = g.clone();
    tidy.tidy();
    errors.domain(tidy.validate(ctx.today, ctx.snap), GrantField::from_domain);
    errors.or(g)
}
