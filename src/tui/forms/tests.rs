//! Every form, built from real records and driven by keys as an officer would: what is
//! typed is what is saved, every refusal names its field, and each form and question
//! looks right at 80x24 in both languages.

use super::grant::GrantField;
use super::person::PersonField;
use super::plan::PlanField;
use super::referral::ReferralField;
use super::visit::{NewVisitField, VisitField};
use super::*;
use crate::i18n::Lang;
use crate::tui::app::{App, Modal};
use crate::tui::screens::Request;
use crate::tui::tests::{ctrl, demo_app, press, screen, type_text};
use crate::tui::widgets::form::FieldId;
use chrono::Datelike;
use ratatui::crossterm::event::KeyCode;

pub(super) fn form(app: &App) -> &Form {
    match app.modals.last() {
        Some(Modal::Form(fm)) => &fm.form,
        _ => panic!("no form open"),
    }
}

pub(super) fn open(app: &mut App, purpose: FormPurpose) {
    app.request(Request::OpenForm(purpose));
    assert!(
        matches!(app.modals.last(), Some(Modal::Form(_))),
        "{}",
        screen(app, 80, 24)
    );
}

/// Tab until the field has focus (it must be shown).
pub(super) fn go_to(app: &mut App, id: impl FieldId) {
    for _ in 0..40 {
        if form(app).focused_is(id) {
            return;
        }
        press(app, KeyCode::Tab);
    }
    panic!("{id:?} never got focus");
}

pub(super) fn first_person(app: &App) -> Person {
    app.store
        .snapshot()
        .people
        .values()
        .min_by_key(|p| p.code.clone())
        .expect("a person")
        .clone()
}

pub(super) fn a_planned_milestone(app: &App, livestock: bool) -> Milestone {
    let snap = app.store.snapshot();
    snap.milestones
        .values()
        .filter(|m| m.status == MilestoneStatus::Planned && m.plan_id.is_some())
        .find(|m| {
            m.grant_id
                .and_then(|g| snap.grants.get(&g))
                .is_some_and(|g| g.is_livestock() == livestock)
        })
        .expect("a planned visit")
        .clone()
}

fn all_on<F: FieldId>(form: &Form, ids: &[F]) {
    for id in ids {
        assert!(form.has(*id), "{id:?} is not on \"{}\"", form.title);
    }
}

#[test]
fn every_field_id_of_every_form_is_on_its_form() {
    let (_dir, mut app) = demo_app(20, Lang::Vi);
    let person = first_person(&app);
    let m = a_planned_milestone(&app, true);
    let numbered = app
        .store
        .snapshot()
        .grants
        .values()
        .find(|g| !g.handover_record_no.is_empty())
        .expect("a grant with a record number")
        .id;
    let purposes = [
        FormPurpose::Person(None),
        FormPurpose::Plan {
            person: person.id,
            plan: None,
        },
        FormPurpose::Grant {
            person: person.id,
            grant: None,
        },
        FormPurpose::Visit {
            milestone: m.id,
            missed: false,
        },
        FormPurpose::Milestone {
            person: person.id,
            grant: None,
        },
        FormPurpose::Referral {
            person: person.id,
            referral: None,
            milestone: None,
        },
        FormPurpose::Ward(None),
        FormPurpose::Ward(Some("CT".into())),
        FormPurpose::Schedule(GrantKind::Livestock),
        FormPurpose::Folder(FolderUse::Backup { then_quit: false }),
        FormPurpose::Export {
            kind: ExportKind::Wards,
            filter: crate::report::Filter::default(),
        },
        FormPurpose::PrintHandover { grant: numbered },
        FormPurpose::HubAddress { then_sync: false },
    ];
    for purpose in purposes {
        open(&mut app, purpose.clone());
        let f = form(&app);
        match purpose {
            FormPurpose::Person(_) => all_on(f, PersonField::ALL),
            FormPurpose::Plan { .. } => all_on(f, PlanField::ALL),
            FormPurpose::Grant { .. } => all_on(f, GrantField::ALL),
            FormPurpose::Visit { .. } => all_on(f, VisitField::ALL),
            FormPurpose::Milestone { .. } => all_on(f, NewVisitField::ALL),
            FormPurpose::Referral { .. } => all_on(f, ReferralField::ALL),
            FormPurpose::Ward(_) => all_on(f, settings::WardField::ALL),
            FormPurpose::Schedule(_) => all_on(f, settings::ScheduleField::ALL),
            FormPurpose::Folder(_) => all_on(f, settings::FolderField::ALL),
            FormPurpose::Export { .. } => all_on(f, export::ExportField::ALL),
            FormPurpose::PrintHandover { .. } => all_on(f, print::PrintField::ALL),
            FormPurpose::HubAddress { .. } => all_on(f, settings::HubField::ALL),
        }
        // Reading a form back touches every field it reads: none may be missing.
        let ctx = app.ctx();
        let _ = save(form(&app), &purpose, &ctx);
        app.modals.clear();
    }
}

#[test]
fn a_referral_before_the_consent_marks_its_date_and_no_old_status_lingers() {
    let (_dir, mut app) = demo_app(20, Lang::En);
    let person = app
        .store
        .snapshot()
        .people
        .values()
        .find(|p| {
            p.consent
                .as_ref()
                .is_some_and(|c| c.referrals && c.given_on.year() > 2001)
        })
        .expect("a person with consent")
        .clone();
    app.status = Some(("Saved.".into(), crate::tui::app::StatusKind::Info));
    open(
        &mut app,
        FormPurpose::Referral {
            person: person.id,
            referral: None,
            milestone: None,
        },
    );
    assert!(
        app.status.is_none(),
        "a status line does not survive into another form"
    );
    let given = person
        .consent
        .as_ref()
        .map(|c| c.given_on)
        .expect("consent");
    go_to(&mut app, ReferralField::ToWhom);
    type_text(&mut app, "Trạm y tế phường");
    go_to(&mut app, ReferralField::MadeOn);
    type_text(
        &mut app,
        &crate::domain::dates::format_date(given.pred_opt().expect("day")),
    );
    ctrl(&mut app, 's');
    assert_eq!(
        form(&app).error_for(ReferralField::MadeOn.key()),
        Some("err.before_consent")
    );
    assert!(screen(&app, 80, 24).contains("Before this person consented"));
}

#[test]
fn consent_is_taken_as_given_at_an_intake_set_back_years() {
    let (_dir, mut app) = demo_app(5, Lang::Vi);
    open(&mut app, FormPurpose::Person(None));
    go_to(&mut app, PersonField::EnrolledOn);
    type_text(&mut app, "15/03/2021");
    go_to(&mut app, PersonField::Consent);
    press(&mut app, KeyCode::Char(' '));
    assert_eq!(form(&app).text(PersonField::ConsentGivenOn), "15/03/2021");
}

#[test]
fn a_health_insurance_card_has_its_own_fields_and_schedule() {
    let (_dir, mut app) = demo_app(5, Lang::Vi);
    let person = first_person(&app);
    open(
        &mut app,
        FormPurpose::Grant {
            person: person.id,
            grant: None,
        },
    );
    assert!(
        !form(&app).is_shown(GrantField::CardNumber),
        "a livelihood grant has no card"
    );
    go_to(&mut app, GrantField::Kind);
    type_text(&mut app, "bảo");
    assert!(form(&app).is_shown(GrantField::CardNumber));
    assert_eq!(
        form(&app).choice::<Id>(GrantField::Plan),
        None,
        "a card has no plan"
    );
    assert!(
        screen(&app, 80, 24).contains("sau 11 tháng"),
        "{}",
        screen(&app, 80, 24)
    );
    go_to(&mut app, GrantField::Item);
    type_text(&mut app, "Thẻ BHYT 1 năm");
    go_to(&mut app, GrantField::UnitValue);
    type_text(&mut app, "1,2 triệu");
    go_to(&mut app, GrantField::CardNumber);
    type_text(&mut app, "DN4220123456789");
    ctrl(&mut app, 's');
    let snap = app.store.snapshot();
    let grant = snap
        .grants_of(person.id)
        .find(|g| g.kind == GrantKind::HealthInsurance && g.item == "Thẻ BHYT 1 năm")
        .unwrap_or_else(|| panic!("not saved:\n{}", screen(&app, 80, 24)));
    let card = grant.card.as_ref().expect("card");
    assert_eq!(card.number, "DN4220123456789");
    assert_eq!(card.valid_from, Some(grant.handed_over_on));
    let visits: Vec<_> = snap.milestones_of(grant.id).collect();
    assert_eq!(visits.len(), 1);
    assert_eq!(
        visits[0].kind,
        MilestoneKind::Review,
        "not the livelihood home visits"
    );
}

#[test]
fn a_grant_for_a_person_without_consent_is_warned_about() {
    let (_dir, mut app) = demo_app(20, Lang::En);
    let person = app
        .store
        .snapshot()
        .people
        .values()
        .find(|p| p.consent.is_none())
        .expect("someone without consent")
        .clone();
    open(
        &mut app,
        FormPurpose::Grant {
            person: person.id,
            grant: None,
        },
    );
    assert!(
        screen(&app, 80, 24).contains("no valid consent"),
        "{}",
        screen(&app, 80, 24)
    );
}

/// Every form and question, at the smallest size, in both languages.
#[test]
fn every_form_and_question_at_80x24_in_both_languages() {
    for lang in [Lang::Vi, Lang::En] {
        let (_dir, mut app) = demo_app(20, lang);
        let person = first_person(&app);
        let m = a_planned_milestone(&app, true);
        let grant = m.grant_id.expect("grant");
        let shots = [
            ("person_new", FormPurpose::Person(None)),
            ("person_edit", FormPurpose::Person(Some(person.id))),
            (
                "plan_new",
                FormPurpose::Plan {
                    person: person.id,
                    plan: None,
                },
            ),
            (
                "grant_new",
                FormPurpose::Grant {
                    person: m.person_id,
                    grant: None,
                },
            ),
            (
                "grant_edit",
                FormPurpose::Grant {
                    person: m.person_id,
                    grant: Some(grant),
                },
            ),
            (
                "visit",
                FormPurpose::Visit {
                    milestone: m.id,
                    missed: false,
                },
            ),
            (
                "visit_missed",
                FormPurpose::Visit {
                    milestone: m.id,
                    missed: true,
                },
            ),
            (
                "followup_new",
                FormPurpose::Milestone {
                    person: person.id,
                    grant: None,
                },
            ),
            (
                "referral_new",
                FormPurpose::Referral {
                    person: person.id,
                    referral: None,
                    milestone: None,
                },
            ),
            ("ward_new", FormPurpose::Ward(None)),
            ("ward_edit", FormPurpose::Ward(Some("CT".into()))),
            (
                "schedule",
                FormPurpose::Schedule(GrantKind::HealthInsurance),
            ),
            (
                "backup_folder",
                FormPurpose::Folder(FolderUse::Backup { then_quit: false }),
            ),
            (
                "export_summary",
                FormPurpose::Export {
                    kind: ExportKind::Wards,
                    filter: crate::report::Filter::default(),
                },
            ),
        ];
        for (name, purpose) in shots {
            open(&mut app, purpose);
            insta::assert_snapshot!(
                format!("form_{name}_{}_80x24", lang.code()),
                screen(&app, 80, 24)
            );
            app.modals.clear();
        }
        // Problems beside their fields; the discard question over the form.
        open(&mut app, FormPurpose::Person(None));
        go_to(&mut app, PersonField::BirthYear);
        type_text(&mut app, "19x");
        insta::assert_snapshot!(
            format!("form_person_refused_{}_80x24", lang.code()),
            screen(&app, 80, 24)
        );
        ctrl(&mut app, 's');
        insta::assert_snapshot!(
            format!("form_person_problems_{}_80x24", lang.code()),
            screen(&app, 80, 24)
        );
        press(&mut app, KeyCode::Esc);
        insta::assert_snapshot!(
            format!("confirm_discard_{}_80x24", lang.code()),
            screen(&app, 80, 24)
        );
        app.modals.clear();
        // A message, and the keys of a screen.
        app.modals.push(Modal::Message(
            crate::i18n::t(lang, "err.no_consent").to_string(),
        ));
        insta::assert_snapshot!(
            format!("message_{}_80x24", lang.code()),
            screen(&app, 80, 24)
        );
        app.modals.clear();
        press(&mut app, KeyCode::Char('2'));
        press(&mut app, KeyCode::Char('?'));
        insta::assert_snapshot!(
            format!("help_people_{}_80x24", lang.code()),
            screen(&app, 80, 24)
        );
        app.modals.clear();
        // A date field shows its own keys in the footer.
        open(
            &mut app,
            FormPurpose::Plan {
                person: person.id,
                plan: None,
            },
        );
        go_to(&mut app, PlanField::CreatedOn);
        insta::assert_snapshot!(
            format!("form_plan_date_keys_{}_80x24", lang.code()),
            screen(&app, 80, 24)
        );
        app.modals.clear();
    }
}

#[test]
fn an_export_starts_with_the_screens_period_and_refuses_an_end_before_its_start() {
    let (_dir, mut app) = demo_app(5, Lang::En);
    let q3 = crate::report::Period::Quarter {
        year: 2021,
        quarter: 3,
    };
    let purpose = FormPurpose::Export {
        kind: ExportKind::Wards,
        filter: q3.filter(None),
    };
    open(&mut app, purpose.clone());
    match save(form(&app), &purpose, &app.ctx()) {
        Ok(Save::Export(job)) => assert_eq!(job.options.filter, q3.filter(None)),
        _ => panic!("the period comes back as the screen gave it"),
    }
    go_to(&mut app, export::ExportField::To);
    type_text(&mut app, "30/06/2021");
    let ctx = app.ctx();
    match save(form(&app), &purpose, &ctx) {
        Err(refusal) => assert!(
            refusal
                .fields
                .iter()
                .any(|(_, key)| *key == "err.period_to_before_from"),
            "{:?}",
            refusal.fields
        ),
        Ok(_) => panic!("an end before the start is refused"),
    }
}

#[test]
fn a_long_problem_beside_a_field_is_wrapped_and_read_whole_at_80x24() {
    let (_dir, mut app) = demo_app(5, Lang::Vi);
    open(&mut app, FormPurpose::Ward(None));
    type_text(&mut app, "CT");
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "Cao Thắng mới");
    ctrl(&mut app, 's');
    let text = screen(&app, 80, 24);
    for part in [
        "⚠ Đã có phường/xã mang mã này",
        "sửa phường/xã đó",
        "wards edit).",
    ] {
        assert!(text.contains(part), "{part:?} is on screen:\n{text}");
    }
}
