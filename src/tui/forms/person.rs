//! The person form: who they are, where, which target group, and what they consented to.

use super::{FieldErrors, labels, merge, optional_date, optional_number, position, required_date};
use crate::domain::*;
use crate::tui::screens::Ctx;
use crate::tui::widgets::form::{Field, Form, Label};
use chrono::Datelike;

pub fn build(id: Option<Id>, ctx: &Ctx) -> Result<Form, &'static str> {
    if ctx.snap.wards.is_empty() {
        return Err("status.add_ward_first");
    }
    let existing = id.and_then(|id| ctx.snap.people.get(&id));
    let wards: Vec<&Ward> = ctx.snap.wards_in_order();
    let ward_labels = wards
        .iter()
        .map(|w| Label::Text(format!("{} ({})", w.name, w.code)))
        .collect();
    let p = existing
        .cloned()
        .unwrap_or_else(|| blank(ctx, wards[0].code.clone()));
    let secondary: Vec<Label> = std::iter::once(Label::Key("form.none"))
        .chain(labels(TargetGroup::ALL, TargetGroup::key))
        .collect();
    let secondary_index = p
        .target_groups
        .get(1)
        .map(|g| position(TargetGroup::ALL, g) + 1)
        .unwrap_or(0);
    let consent = p.consent.clone();
    let title = match existing {
        Some(p) => format!("{} · {}", ctx.t("form.edit_person"), p.code),
        None => ctx.t("form.new_person").to_string(),
    };
    let fields = vec![
        Field::text("full_name", "field.full_name", &p.full_name),
        Field::choice(
            "sex",
            "field.sex",
            labels(Sex::ALL, Sex::key),
            position(Sex::ALL, &p.sex),
        ),
        Field::number(
            "birth_year",
            "field.birth_year",
            (p.birth_year > 0).then_some(p.birth_year as i64),
        ),
        Field::choice(
            "ward",
            "field.ward",
            ward_labels,
            wards.iter().position(|w| w.code == p.ward).unwrap_or(0),
        ),
        Field::choice(
            "target_primary",
            "field.target",
            labels(TargetGroup::ALL, TargetGroup::key),
            p.primary_group()
                .map(|g| position(TargetGroup::ALL, &g))
                .unwrap_or(0),
        ),
        Field::choice(
            "target_secondary",
            "field.target_secondary",
            secondary,
            secondary_index,
        ),
        Field::text("phone", "field.phone", &p.phone),
        Field::text("address", "field.address", &p.address),
        Field::text("collaborator", "field.collaborator", &p.collaborator),
        Field::date("enrolled_on", "field.enrolled_on", Some(p.enrolled_on)),
        Field::choice(
            "status",
            "field.status",
            labels(PersonStatus::ALL, PersonStatus::key),
            position(PersonStatus::ALL, &p.status),
        ),
        Field::toggle("consent", "field.consent", consent.is_some()),
        Field::date(
            "consent_given_on",
            "field.consent_given_on",
            Some(consent.as_ref().map_or(ctx.today, |c| c.given_on)),
        ),
        Field::date(
            "consent_valid_until",
            "field.consent_valid_until",
            consent.as_ref().and_then(|c| c.valid_until),
        ),
        Field::toggle(
            "consent_services",
            "field.consent_services",
            consent.as_ref().is_none_or(|c| c.services),
        ),
        Field::toggle(
            "consent_referrals",
            "field.consent_referrals",
            consent.as_ref().is_none_or(|c| c.referrals),
        ),
        Field::toggle(
            "consent_sharing",
            "field.consent_sharing",
            consent.as_ref().is_some_and(|c| c.sharing),
        ),
        Field::note("household_note", "field.household_note", &p.household_note),
    ];
    Ok(Form::new(title, fields, ctx.today))
}

fn blank(ctx: &Ctx, ward: String) -> Person {
    Person {
        id: Id::NEW,
        code: String::new(),
        full_name: String::new(),
        sex: Sex::Female,
        birth_year: 0,
        ward,
        address: String::new(),
        phone: String::new(),
        target_groups: vec![TargetGroup::Victim],
        household_note: String::new(),
        consent: None,
        enrolled_on: ctx.today,
        status: PersonStatus::Active,
        collaborator: ctx.actor.to_string(),
        stamp: Stamp::default(),
    }
}

/// Consent details only matter when consent was given.
pub fn on_change(form: &mut Form) {
    let given = form.toggle("consent");
    for name in [
        "consent_given_on",
        "consent_valid_until",
        "consent_services",
        "consent_referrals",
        "consent_sharing",
    ] {
        form.set_hidden(name, !given);
    }
}

pub fn read(form: &Form, id: Option<Id>, ctx: &Ctx) -> Result<Person, FieldErrors> {
    let mut errors = FieldErrors::new();
    let base = id.and_then(|id| ctx.snap.people.get(&id)).cloned();
    let wards: Vec<&Ward> = ctx.snap.wards_in_order();
    let birth_year = optional_number(form, "birth_year", &mut errors);
    if birth_year.is_none() && !errors.iter().any(|(f, _)| *f == "birth_year") {
        errors.push(("birth_year", "err.required"));
    }
    let enrolled_on = required_date(form, "enrolled_on", &mut errors);
    let consent = if form.toggle("consent") {
        let given_on = required_date(form, "consent_given_on", &mut errors);
        let valid_until = optional_date(form, "consent_valid_until", &mut errors);
        Some(Consent {
            given_on: given_on.unwrap_or(ctx.today),
            valid_until,
            services: form.toggle("consent_services"),
            referrals: form.toggle("consent_referrals"),
            sharing: form.toggle("consent_sharing"),
        })
    } else {
        None
    };
    let mut groups = vec![
        TargetGroup::ALL[form
            .choice("target_primary")
            .min(TargetGroup::ALL.len() - 1)],
    ];
    if let Some(second) = form
        .choice("target_secondary")
        .checked_sub(1)
        .and_then(|i| TargetGroup::ALL.get(i))
        && !groups.contains(second)
    {
        groups.push(*second);
    }
    let mut person = base.unwrap_or_else(|| blank(ctx, String::new()));
    person.full_name = form.text("full_name");
    person.sex = Sex::ALL[form.choice("sex").min(Sex::ALL.len() - 1)];
    person.birth_year = birth_year
        .unwrap_or(ctx.today.year() as i64)
        .clamp(i32::MIN as i64, i32::MAX as i64) as i32;
    person.ward = wards
        .get(form.choice("ward"))
        .map(|w| w.code.clone())
        .unwrap_or_default();
    person.target_groups = groups;
    person.phone = form.text("phone");
    person.address = form.text("address");
    person.collaborator = form.text("collaborator");
    person.enrolled_on = enrolled_on.unwrap_or(ctx.today);
    person.status = PersonStatus::ALL[form.choice("status").min(PersonStatus::ALL.len() - 1)];
    person.consent = consent;
    person.household_note = form.text("household_note");
    let mut tidy = person.clone();
    tidy.tidy();
    let problems = tidy.validate(ctx.today, ctx.snap);
    let errors = merge(errors, problems, |f| {
        if f == "target_groups" {
            "target_primary"
        } else {
            f
        }
    });
    if errors.is_empty() {
        Ok(person)
    } else {
        Err(errors)
    }
}
