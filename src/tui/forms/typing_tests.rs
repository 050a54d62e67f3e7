//! What is typed is what is saved: money and quantities the usual ways, typing over a
//! field reached by Tab, searching a choice, a refused key, a day that does not exist,
//! and the safe answer on Enter.

use super::grant::GrantField;
use super::person::PersonField;
use super::plan::PlanField;
use super::tests::{a_planned_milestone, first_person, form, go_to, open};
use super::visit::VisitField;
use super::*;
use crate::i18n::Lang;
use crate::tui::tests::{ctrl, demo_app, press, screen, type_text};
use crate::tui::widgets::form::FieldId;
use ratatui::crossterm::event::KeyCode;

#[test]
fn money_and_quantities_are_saved_as_typed_the_usual_ways() {
    let (_dir, mut app) = demo_app(5, Lang::Vi);
    let person = first_person(&app);
    open(
        &mut app,
        FormPurpose::Grant {
            person: person.id,
            grant: None,
        },
    );
    go_to(&mut app, GrantField::Kind);
    type_text(&mut app, "vật");
    go_to(&mut app, GrantField::Item);
    type_text(&mut app, "Cám");
    go_to(&mut app, GrantField::Quantity);
    type_text(&mut app, "1,5");
    go_to(&mut app, GrantField::Unit);
    type_text(&mut app, "tạ");
    go_to(&mut app, GrantField::UnitValue);
    type_text(&mut app, "6,5 triệu");
    assert!(
        screen(&app, 80, 24).contains("= 6.500.000 ₫"),
        "the amount read shows"
    );
    ctrl(&mut app, 's');
    let grant = app
        .store
        .snapshot()
        .grants_of(person.id)
        .find(|g| g.item == "Cám")
        .cloned()
        .unwrap_or_else(|| panic!("not saved:\n{}", screen(&app, 80, 24)));
    assert_eq!(grant.unit_value, Dong(6_500_000), "not 65 ₫");
    assert_eq!(grant.quantity, Quantity(1500), "1,5 tạ, not 15");
    assert_eq!(grant.total_value, Dong(9_750_000));

    let m = a_planned_milestone(&app, false);
    open(
        &mut app,
        FormPurpose::Visit {
            milestone: m.id,
            missed: false,
        },
    );
    go_to(&mut app, VisitField::MonthlyIncome);
    type_text(&mut app, "3 triệu");
    ctrl(&mut app, 's');
    assert_eq!(
        app.store.snapshot().milestones[&m.id].visit.monthly_income,
        Some(Dong(3_000_000)),
        "not 3 ₫"
    );
}

#[test]
fn an_amount_that_is_not_whole_dong_is_refused_beside_its_field() {
    let (_dir, mut app) = demo_app(5, Lang::En);
    let person = first_person(&app);
    open(
        &mut app,
        FormPurpose::Plan {
            person: person.id,
            plan: None,
        },
    );
    go_to(&mut app, PlanField::Budget);
    type_text(&mut app, "6,5555555 triệu");
    ctrl(&mut app, 's');
    assert_eq!(
        form(&app).error_for(PlanField::Budget.key()),
        Some("err.money_not_whole")
    );
    assert!(
        screen(&app, 80, 24).contains("6,5555555 triệu"),
        "what was typed stays"
    );
}

#[test]
fn tab_then_typing_replaces_a_pre_filled_field() {
    let (_dir, mut app) = demo_app(5, Lang::Vi);
    let person = first_person(&app);
    open(&mut app, FormPurpose::Person(Some(person.id)));
    go_to(&mut app, PersonField::Address);
    type_text(&mut app, "Hạ Long");
    go_to(&mut app, PersonField::EnrolledOn);
    type_text(&mut app, "01/02/2024");
    assert_eq!(form(&app).text(PersonField::Address), "Hạ Long");
    assert_eq!(form(&app).text(PersonField::EnrolledOn), "01/02/2024");
}

#[test]
fn k_in_a_business_line_finds_kinh_doanh_and_more_letters_narrow_it() {
    let (_dir, mut app) = demo_app(5, Lang::Vi);
    let person = first_person(&app);
    open(
        &mut app,
        FormPurpose::Plan {
            person: person.id,
            plan: None,
        },
    );
    type_text(&mut app, "k");
    assert_eq!(
        form(&app).choice::<BusinessLine>(PlanField::BusinessLine),
        Some(BusinessLine::FoodTrade)
    );
    type_text(&mut app, "h");
    assert_eq!(
        form(&app).choice::<BusinessLine>(PlanField::BusinessLine),
        Some(BusinessLine::Other)
    );
    assert!(
        screen(&app, 80, 24).contains("tìm: kh"),
        "{}",
        screen(&app, 80, 24)
    );
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "Bán rau");
    assert_eq!(
        form(&app).text(PlanField::BusinessDetail),
        "Bán rau",
        "the next field gets its text"
    );
}

#[test]
fn enter_on_discard_keeps_editing_and_the_default_is_shown() {
    let (_dir, mut app) = demo_app(5, Lang::Vi);
    open(&mut app, FormPurpose::Person(None));
    type_text(&mut app, "Lò Thị Hương");
    press(&mut app, KeyCode::Esc);
    let text = screen(&app, 80, 24);
    assert!(text.contains("Enter = không"), "{text}");
    press(&mut app, KeyCode::Enter);
    assert_eq!(
        form(&app).text(PersonField::FullName),
        "Lò Thị Hương",
        "still editing"
    );
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Char('y'));
    assert!(app.modals.is_empty(), "y discards");
}

#[test]
fn a_day_that_does_not_exist_and_a_letter_in_a_year_are_said_plainly() {
    let (_dir, mut app) = demo_app(5, Lang::En);
    open(&mut app, FormPurpose::Person(None));
    go_to(&mut app, PersonField::BirthYear);
    type_text(&mut app, "19x8");
    assert!(
        screen(&app, 80, 24).contains("Digits only."),
        "{}",
        screen(&app, 80, 24)
    );
    assert_eq!(form(&app).text(PersonField::BirthYear), "198");
    go_to(&mut app, PersonField::EnrolledOn);
    type_text(&mut app, "31/02/2026");
    ctrl(&mut app, 's');
    assert_eq!(
        form(&app).error_for(PersonField::EnrolledOn.key()),
        Some("err.no_such_day")
    );
    assert!(screen(&app, 80, 24).contains("That month has no such day."));
    go_to(&mut app, PersonField::EnrolledOn);
    type_text(&mut app, "28/02/202");
    assert_eq!(
        form(&app).error_for(PersonField::EnrolledOn.key()),
        Some("err.date_format")
    );
    type_text(&mut app, "5");
    assert_eq!(
        form(&app).error_for(PersonField::EnrolledOn.key()),
        None,
        "fixed: gone at once"
    );
}

#[test]
fn a_referral_asked_for_by_a_visit_needs_to_whom_beside_its_field() {
    let (_dir, mut app) = demo_app(20, Lang::En);
    let snap = app.store.snapshot();
    let m = snap
        .milestones
        .values()
        .filter(|m| m.status == MilestoneStatus::Planned)
        .find(|m| snap.people[&m.person_id].consents_to_referral(app.store.today()))
        .expect("a visit to someone who consents to referrals")
        .clone();
    open(
        &mut app,
        FormPurpose::Visit {
            milestone: m.id,
            missed: false,
        },
    );
    go_to(&mut app, VisitField::ReferralNeeded);
    type_text(&mut app, "leg");
    ctrl(&mut app, 's');
    assert_eq!(
        form(&app).error_for(VisitField::ReferTo.key()),
        Some("err.required")
    );
    assert!(form(&app).focused_is(VisitField::ReferTo));
    type_text(&mut app, "Trợ giúp pháp lý tỉnh");
    ctrl(&mut app, 's');
    assert!(app.modals.is_empty(), "{}", screen(&app, 80, 24));
    let snap = app.store.snapshot();
    assert_eq!(
        snap.milestones[&m.id].visit.referral_needed,
        Some(Service::Legal)
    );
    assert!(
        snap.referrals
            .values()
            .any(|r| r.milestone_id == Some(m.id))
    );
}
