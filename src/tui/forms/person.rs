//! The person form: who they are, where, which target group, and what they consented to.

use super::{
    Refusal, field_ids, optional_date, optional_number, options, required_choice, required_date,
};
use crate::domain::*;
use crate::tui::screens::Ctx;
use crate::tui::widgets::form::{Field, Form, Label};
use chrono::Datelike;

field_ids!(PersonField {
    FullName = "full_name",
    Sex = "sex",
    BirthYear = "birth_year",
    Ward = "ward",
    TargetPrimary = "target_groups",
    TargetSecondary = "target_secondary",
    Phone = "phone",
    Address = "address",
    Collaborator = "collaborator",
    EnrolledOn = "enrolled_on",
    Status = "status",
    Consent = "consent",
    ConsentGivenOn = "consent_given_on",
    ConsentValidUntil = "consent_valid_until",
    ConsentServices = "consent_services",
    ConsentReferrals = "consent_referrals",
    ConsentSharing = "consent_sharing",
    HouseholdNote = "household_note",
});
use PersonField as F;

/// Consent details, shown only once consent is ticked.
const CONSENT_DETAILS: [PersonField; 5] = [
    F::ConsentGivenOn,
    F::ConsentValidUntil,
    F::ConsentServices,
    F::ConsentReferrals,
    F::ConsentSharing,
];

pub fn place(field: &str) -> Option<PersonField> {
    PersonField::from_domain(field)
}

pub fn build(id: Option<Id>, ctx: &Ctx) -> Result<Form, &'static str> {
    let wards: Vec<&Ward> = ctx.snap.wards_in_order();
    let Some(first_ward) = wards.first() else {
        return Err("status.add_ward_first");
    };
    let existing = id.and_then(|id| ctx.snap.people.get(&id));
    // An officer of one ward enters people of that ward.
    let home_ward = ctx
        .user
        .ward
        .clone()
        .unwrap_or_else(|| first_ward.code.clone());
    let p = existing.cloned().unwrap_or_else(|| blank(ctx, home_ward));
    let ward_options = wards
        .iter()
        .map(|w| {
            (
                Label::Text(format!("{} ({})", w.name, w.code)),
                w.code.clone(),
            )
        })
        .collect();
    let consent = p.consent.clone();
    let title = match existing {
        Some(p) => format!("{} · {}", ctx.t("form.edit_person"), p.code),
        None => ctx.t("form.new_person").to_string(),
    };
    let fields = vec![
        Field::text(F::FullName, "field.full_name", &p.full_name),
        Field::choice(
            F::Sex,
            "field.sex",
            options(Sex::ALL, Sex::key),
            Some(&p.sex),
        ),
        Field::number(
            F::BirthYear,
            "field.birth_year",
            (p.birth_year > 0).then_some(i64::from(p.birth_year)),
        ),
        Field::choice(F::Ward, "field.ward", ward_options, Some(&p.ward)),
        Field::choice(
            F::TargetPrimary,
            "field.target",
            options(TargetGroup::ALL, TargetGroup::key),
            p.primary_group().as_ref(),
        ),
        Field::choice(
            F::TargetSecondary,
            "field.target_secondary",
            options(TargetGroup::ALL, TargetGroup::key),
            p.target_groups.get(1),
        )
        .with_none(Label::Key("form.none"), p.target_groups.get(1).is_none()),
        Field::text(F::Phone, "field.phone", &p.phone),
        Field::text(F::Address, "field.address", &p.address),
        Field::text(F::Collaborator, "field.collaborator", &p.collaborator),
        Field::date(F::EnrolledOn, "field.enrolled_on", Some(p.enrolled_on)),
        Field::choice(
            F::Status,
            "field.status",
            options(PersonStatus::ALL, PersonStatus::key),
            Some(&p.status),
        ),
        Field::toggle(F::Consent, "field.consent", consent.is_some()),
        Field::date(
            F::ConsentGivenOn,
            "field.consent_given_on",
            Some(
                consent
                    .as_ref()
                    .map_or(p.enrolled_on.min(ctx.today), |c| c.given_on),
            ),
        ),
        Field::date(
            F::ConsentValidUntil,
            "field.consent_valid_until",
            consent.as_ref().and_then(|c| c.valid_until),
        ),
        Field::toggle(
            F::ConsentServices,
            "field.consent_services",
            consent.as_ref().is_none_or(|c| c.services),
        ),
        Field::toggle(
            F::ConsentReferrals,
            "field.consent_referrals",
            consent.as_ref().is_none_or(|c| c.referrals),
        ),
        Field::toggle(
            F::ConsentSharing,
            "field.consent_sharing",
            consent.as_ref().is_some_and(|c| c.sharing),
        ),
        Field::note(F::HouseholdNote, "field.household_note", &p.household_note),
    ];
    let mut form = Form::new(title, fields, ctx.today, ctx.lang);
    // A consent already recorded keeps its date; a new one follows the intake date.
    if let Some(f) = form.field_mut(F::ConsentGivenOn) {
        f.edited = consent.is_some();
    }
    Ok(form)
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
        entered_in_error: false,
    }
}

/// Consent details only matter when consent was given. Until the officer types its
/// date, consent is taken as given at intake: set back years, the intake date goes with it.
pub fn on_change(form: &mut Form) {
    let given = form.toggle(F::Consent);
    for id in CONSENT_DETAILS {
        form.set_hidden(id, !given);
    }
    if !form.edited(F::ConsentGivenOn)
        && let Ok(Some(intake)) = form.date(F::EnrolledOn)
        && !form.focused_is(F::ConsentGivenOn)
    {
        let day = intake.min(form.today());
        form.set_text(F::ConsentGivenOn, &crate::domain::dates::format_date(day));
    }
}

/// "XH-0002 Lê Thị Mai, 1990, Xuân Hội is already here: save anyway?" when `person`
/// looks like someone already here.
pub fn duplicate_question(person: &Person, ctx: &Ctx) -> Option<String> {
    let mut tidy = person.clone();
    tidy.tidy();
    let other = ctx.snap.likely_duplicate_of(&tidy)?;
    let who = format!(
        "{} {}, {}, {}",
        other.code,
        other.full_name,
        other.birth_year,
        ctx.snap.ward_name(&other.ward)
    );
    Some(crate::i18n::tf(
        ctx.lang,
        "person.duplicate_question",
        &[("person", &who)],
    ))
}

pub fn read(form: &Form, id: Option<Id>, ctx: &Ctx) -> Result<Person, Refusal> {
    let mut errors = Refusal::default();
    let base = id.and_then(|id| ctx.snap.people.get(&id)).cloned();
    let birth_year = optional_number(form, F::BirthYear, &mut errors);
    if birth_year.is_none() && !errors.has(F::BirthYear) {
        errors.add(F::BirthYear, "err.required");
    }
    let enrolled_on = required_date(form, F::EnrolledOn, &mut errors);
    let consent = if form.toggle(F::Consent) {
        let given_on = required_date(form, F::ConsentGivenOn, &mut errors);
        let valid_until = optional_date(form, F::ConsentValidUntil, &mut errors);
        Some(Consent {
            given_on: given_on.unwrap_or(ctx.today),
            valid_until,
            services: form.toggle(F::ConsentServices),
            referrals: form.toggle(F::ConsentReferrals),
            sharing: form.toggle(F::ConsentSharing),
        })
    } else {
        None
    };
    let primary = required_choice::<TargetGroup>(form, F::TargetPrimary, &mut errors);
    let mut groups: Vec<TargetGroup> = primary.into_iter().collect();
    if let Some(second) = form.choice::<TargetGroup>(F::TargetSecondary)
        && !groups.contains(&second)
    {
        groups.push(second);
    }
    let mut person = base.unwrap_or_else(|| blank(ctx, String::new()));
    person.full_name = form.text(F::FullName);
    if let Some(sex) = required_choice::<Sex>(form, F::Sex, &mut errors) {
        person.sex = sex;
    }
    person.birth_year = birth_year
        .unwrap_or(i64::from(ctx.today.year()))
        .clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32;
    if let Some(ward) = required_choice::<String>(form, F::Ward, &mut errors) {
        person.ward = ward;
    }
    person.target_groups = groups;
    person.phone = form.text(F::Phone);
    person.address = form.text(F::Address);
    person.collaborator = form.text(F::Collaborator);
    person.enrolled_on = enrolled_on.unwrap_or(ctx.today);
    if let Some(status) = required_choice::<PersonStatus>(form, F::Status, &mut errors) {
        person.status = status;
    }
    person.consent = consent;
    person.household_note = form.text(F::HouseholdNote);
    let mut tidy = person.clone();
    tidy.tidy();
    errors.domain(tidy.validate(ctx.today, ctx.snap), place);
    errors.or(person)
}
