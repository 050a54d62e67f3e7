//! The referral form (chuyển tuyến). A referral passes the person's details on, so it
//! needs their consent: without it the form says so and offers to record consent first,
//! in the same write.

use super::{FieldErrors, labels, merge, position, required_date};
use crate::domain::*;
use crate::store::Change;
use crate::tui::screens::Ctx;
use crate::tui::widgets::form::{Field, Form};

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
    let has_consent = p.consents_to_referral(ctx.today);
    let fields = vec![
        Field::choice(
            "service",
            "field.service",
            labels(Service::ALL, Service::key),
            position(Service::ALL, &r.service),
        ),
        Field::text("to_whom", "field.to_whom", &r.to_whom),
        Field::date("made_on", "field.made_on", Some(r.made_on)),
        Field::choice(
            "status",
            "field.status",
            labels(ReferralStatus::ALL, ReferralStatus::key),
            position(ReferralStatus::ALL, &r.status),
        ),
        Field::note("outcome", "field.outcome", &r.outcome),
        Field::toggle("consent_now", "field.consent_now", false),
        Field::date(
            "consent_given_on",
            "field.consent_given_on",
            Some(ctx.today),
        ),
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
    );
    if has_consent {
        form.set_hidden("consent_now", true);
    } else {
        form.notice = Some("form.referral_needs_consent");
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
    let offered = form.field("consent_now").is_some_and(|f| !f.hidden);
    let recording = offered && form.toggle("consent_now");
    form.set_hidden("consent_given_on", !recording);
}

pub fn read(
    form: &Form,
    person: Id,
    referral: Option<Id>,
    milestone: Option<Id>,
    ctx: &Ctx,
) -> Result<Vec<Change>, FieldErrors> {
    let mut errors = FieldErrors::new();
    let mut r = referral
        .and_then(|id| ctx.snap.referrals.get(&id))
        .cloned()
        .unwrap_or_else(|| blank(person, milestone, ctx));
    r.service = Service::ALL[form.choice("service").min(Service::ALL.len() - 1)];
    r.to_whom = form.text("to_whom");
    r.made_on = required_date(form, "made_on", &mut errors).unwrap_or(ctx.today);
    r.status = ReferralStatus::ALL[form.choice("status").min(ReferralStatus::ALL.len() - 1)];
    r.outcome = form.text("outcome");
    let mut changes = Vec::new();
    let mut problems = Vec::new();
    let offered = form.field("consent_now").is_some_and(|f| !f.hidden);
    if offered && form.toggle("consent_now") {
        let given_on = required_date(form, "consent_given_on", &mut errors).unwrap_or(ctx.today);
        if let Some(mut p) = ctx.snap.people.get(&person).cloned() {
            let mut consent = p.consent.clone().unwrap_or(Consent {
                given_on,
                valid_until: None,
                services: true,
                referrals: true,
                sharing: false,
            });
            consent.given_on = consent.given_on.min(given_on);
            consent.referrals = true;
            if consent.valid_until.is_some_and(|u| u < r.made_on) {
                consent.valid_until = None;
            }
            p.consent = Some(consent);
            // Consent is being recorded with this referral; the store checks the pair together.
            problems.extend(
                r.validate(ctx.today, ctx.snap)
                    .into_iter()
                    .filter(|p| p.field != "consent"),
            );
            // The person goes first: the referral relies on the consent saved with them.
            changes.push(Change::Person(p));
        }
    } else {
        problems.extend(r.validate(ctx.today, ctx.snap));
    }
    changes.push(Change::Referral(r));
    let errors = merge(errors, problems, |f| {
        if f == "consent" { "consent_now" } else { f }
    });
    if errors.is_empty() {
        Ok(changes)
    } else {
        Err(errors)
    }
}
