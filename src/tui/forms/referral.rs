//! The referral form (chuyển tuyến). A referral passes the person's details on, so it
//! needs their consent: without it the form says so and offers to record consent first,
//! in the same write (`Store::save_referral_with_consent`).

use super::{Refusal, field_ids, options, required_choice, required_date};
use crate::domain::*;
use crate::tui::screens::Ctx;
use crate::tui::widgets::form::{Field, Form, Notice};

field_ids!(ReferralField {
    Service = "service",
    ToWhom = "to_whom",
    MadeOn = "made_on",
    Status = "status",
    Outcome = "outcome",
    ConsentNow = "consent",
    ConsentGivenOn = "consent_given_on",
});
use ReferralField as F;

/// Missing consent is fixed by the consent toggle when the form offers it; consent
/// on record but not on that day, by the date.
pub fn place(form: &Form, field: &str) -> Option<ReferralField> {
    match ReferralField::from_domain(field) {
        Some(F::ConsentNow) if !form.is_shown(F::ConsentNow) => Some(F::MadeOn),
        found => found,
    }
}

pub fn build(
    person: Id,
    referral: Option<Id>,
    milestone: Option<Id>,
    ctx: &Ctx,
) -> Result<Form, &'static str> {
    let p = ctx.snap.people.get(&person).ok_or("store.not_found")?;
    let existing = referral.and_then(|id| ctx.snap.referrals.get(&id));
    let r = existing
        .cloned()
        .unwrap_or_else(|| blank(person, milestone, ctx));
    let has_consent = p.consent.as_ref().is_some_and(|c| c.referrals);
    let fields = vec![
        Field::choice(
            F::Service,
            "field.service",
            options(Service::ALL, Service::key),
            Some(&r.service),
        ),
        Field::text(F::ToWhom, "field.to_whom", &r.to_whom),
        Field::date(F::MadeOn, "field.made_on", Some(r.made_on)),
        Field::choice(
            F::Status,
            "field.status",
            options(ReferralStatus::ALL, ReferralStatus::key),
            Some(&r.status),
        ),
        Field::note(F::Outcome, "field.outcome", &r.outcome),
        Field::toggle(F::ConsentNow, "field.consent_now", false),
        Field::date(F::ConsentGivenOn, "field.consent_given_on", Some(r.made_on)),
    ];
    let title = if existing.is_some() {
        ctx.t("form.edit_referral")
    } else {
        ctx.t("form.new_referral")
    };
    let mut form = Form::new(
        format!("{title} · {} {}", p.code, p.full_name),
        fields,
        ctx.today,
        ctx.lang,
    );
    if has_consent {
        form.set_hidden(F::ConsentNow, true);
    } else {
        form.notices
            .push(Notice::new("form.referral_needs_consent"));
    }
    Ok(form)
}

fn blank(person: Id, milestone: Option<Id>, ctx: &Ctx) -> Referral {
    Referral {
        id: Id::NEW,
        person_id: person,
        milestone_id: milestone,
        service: Service::Health,
        to_whom: String::new(),
        made_on: ctx.today,
        status: ReferralStatus::Made,
        outcome: String::new(),
        stamp: Stamp::default(),
    }
}

pub fn on_change(form: &mut Form) {
    let recording = form.is_shown(F::ConsentNow) && form.toggle(F::ConsentNow);
    form.set_hidden(F::ConsentGivenOn, !recording);
}

/// The referral, and the day consent was given when the form records it too.
pub fn read(
    form: &Form,
    person: Id,
    referral: Option<Id>,
    milestone: Option<Id>,
    ctx: &Ctx,
) -> Result<(Referral, Option<chrono::NaiveDate>), Refusal> {
    let mut errors = Refusal::default();
    let mut r = referral
        .and_then(|id| ctx.snap.referrals.get(&id))
        .cloned()
        .unwrap_or_else(|| blank(person, milestone, ctx));
    if let Some(service) = required_choice::<Service>(form, F::Service, &mut errors) {
        r.service = service;
    }
    r.to_whom = form.text(F::ToWhom);
    r.made_on = required_date(form, F::MadeOn, &mut errors).unwrap_or(ctx.today);
    if let Some(status) = required_choice::<ReferralStatus>(form, F::Status, &mut errors) {
        r.status = status;
    }
    r.outcome = form.text(F::Outcome);
    let consent_on = if form.is_shown(F::ConsentNow) && form.toggle(F::ConsentNow) {
        required_date(form, F::ConsentGivenOn, &mut errors)
    } else {
        None
    };
    let mut tidy = r.clone();
    tidy.tidy();
    let problems = tidy
        .validate(ctx.today, ctx.snap)
        .into_iter()
        // Consent recorded with this referral: the store checks the pair together.
        .filter(|p| consent_on.is_none() || p.field != "consent");
    errors.domain(problems.collect(), |f| place(form, f));
    if consent_on.is_some_and(|on| on > r.made_on) {
        errors.add(F::ConsentGivenOn, "err.consent_after_referral");
    }
    errors.or((r, consent_on))
}
