//! The screen mechanism's rules (issue 13): popups, hints that apply now, a cursor that
//! stays on its record, words for what changed.

use super::app::Modal;
use super::forms::FormPurpose;
use super::keymap::{self, Scope};
use super::tests::{demo_app, press, screen};
use super::*;
use crate::domain::{Id, MilestoneStatus, PlanStatus};
use crate::i18n::{Lang, t};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn footer(app: &App) -> String {
    screen(app, 80, 24)
        .lines()
        .nth(23)
        .unwrap_or("")
        .to_string()
}

#[test]
fn a_message_closes_on_any_key_as_it_says() {
    let (_dir, mut app) = demo_app(10, Lang::Vi);
    for code in [
        KeyCode::Char('z'),
        KeyCode::Enter,
        KeyCode::F(5),
        KeyCode::Tab,
    ] {
        app.modals.push(Modal::Message("Ổ đĩa đầy.".into()));
        press(&mut app, code);
        assert!(app.modals.is_empty(), "{code:?} left the message open");
    }
}

#[test]
fn the_help_at_80x24_shows_every_key_and_how_to_close_it() {
    for lang in [Lang::Vi, Lang::En] {
        // The work list has the most keys of any screen.
        let (_dir, mut app) = demo_app(20, lang);
        press(&mut app, KeyCode::Char('4'));
        press(&mut app, KeyCode::Char('?'));
        let text = screen(&app, 80, 24);
        assert!(text.contains(t(lang, "help.close")), "{text}");
        assert!(text.contains(t(lang, "key.export")), "{text}");
        insta::assert_snapshot!(format!("help_work_list_{}_80x24", lang.code()), text);
        press(&mut app, KeyCode::Char('q'));
        assert!(
            app.modals.is_empty() && !app.should_quit,
            "q closes the help"
        );
    }
}

#[test]
fn while_help_is_open_the_footer_offers_closing_it_not_quitting() {
    let (_dir, mut app) = demo_app(10, Lang::Vi);
    press(&mut app, KeyCode::Char('?'));
    let line = footer(&app);
    assert!(!line.contains(t(Lang::Vi, "key.quit")), "{line}");
    assert!(line.contains(t(Lang::Vi, "key.close")), "{line}");
}

#[test]
fn where_k_filters_by_kind_help_does_not_call_it_up() {
    for scope in [Scope::Grants, Scope::FollowUps] {
        let lines = keymap::help_lines(scope);
        let k: Vec<_> = lines.iter().filter(|l| l.keys.contains(&"k")).collect();
        assert_eq!(k.len(), 1, "{scope:?}: {k:?}");
        assert_ne!(k[0].help, "key.up", "{scope:?}");
    }
    let people = keymap::help_lines(Scope::People);
    assert!(
        people
            .iter()
            .any(|l| l.help == "key.up" && l.keys.contains(&"k"))
    );
}

/// The visit `m` would open now, read from the form it opens (then closed).
fn visit_under_cursor(app: &mut App) -> Id {
    press(app, KeyCode::Char('m'));
    let id = match app.modals.last() {
        Some(Modal::Form(fm)) => match fm.purpose {
            FormPurpose::Visit { milestone, .. } => milestone,
            ref other => panic!("m opened {other:?}"),
        },
        _ => panic!("m opened no form"),
    };
    app.modals.clear();
    id
}

#[test]
fn the_work_list_keeps_the_cursor_on_its_visit_when_a_line_above_it_goes() {
    let (_dir, mut app) = demo_app(60, Lang::Vi);
    press(&mut app, KeyCode::Char('4'));
    let first = visit_under_cursor(&mut app);
    for _ in 0..3 {
        press(&mut app, KeyCode::Down);
    }
    let chosen = visit_under_cursor(&mut app);
    // The first line is dealt with (here straight in the store, as a save would).
    let mut done = app.store.snapshot().milestones[&first].clone();
    done.status = MilestoneStatus::Cancelled;
    done.visit.reason = "Chuyển nhà".into();
    app.store.save_milestone(done).expect("save");
    app.version += 1;
    app.update(Action::Cmd(Cmd::Back));
    assert_eq!(visit_under_cursor(&mut app), chosen);
}

/// Opens the person page of someone with a plan in `status`, on their plans.
fn open_plan_of(app: &mut App, status: PlanStatus) -> Id {
    let plan = app
        .store
        .snapshot()
        .plans
        .values()
        .filter(|p| p.status == status)
        .min_by_key(|p| p.id)
        .cloned()
        .expect("a plan");
    let others = app
        .store
        .snapshot()
        .plans_of(plan.person_id)
        .filter(|p| (p.created_on, p.id) < (plan.created_on, plan.id))
        .count();
    app.request(screens::Request::OpenPerson(
        plan.person_id,
        screens::Section::Plans,
    ));
    for _ in 0..others {
        press(app, KeyCode::Down);
    }
    plan.id
}

#[test]
fn a_approve_is_offered_on_a_draft_plan_only() {
    let (_dir, mut app) = demo_app(60, Lang::Vi);
    let approve = t(Lang::Vi, "key.approve_plan");
    open_plan_of(&mut app, PlanStatus::Draft);
    assert!(footer(&app).contains(approve), "{}", footer(&app));
    open_plan_of(&mut app, PlanStatus::Approved);
    assert!(!footer(&app).contains(approve), "{}", footer(&app));
    press(&mut app, KeyCode::Char('?'));
    assert!(!screen(&app, 80, 24).contains(approve));
}

#[test]
fn an_approved_plan_says_who_approved_it_and_history_says_so_in_words() {
    for lang in [Lang::Vi, Lang::En] {
        let (_dir, mut app) = demo_app(60, lang);
        open_plan_of(&mut app, PlanStatus::Draft);
        press(&mut app, KeyCode::Char('a'));
        press(&mut app, KeyCode::Char('y'));
        let plans = screen(&app, 80, 24);
        assert!(plans.contains(t(lang, "col.approved_by")), "{plans}");
        assert!(plans.contains("Cán bộ Lan"), "{plans}");
        for _ in 0..4 {
            press(&mut app, KeyCode::Tab);
        }
        let history = screen(&app, 80, 24);
        assert!(!history.contains("approved_by"), "{history}");
        assert!(history.contains(t(lang, "change.approved_by")), "{history}");
    }
}

/// Every field the audit trail can name (the records' serde names, one level into a
/// consent, a card or a visit) has words in both languages.
#[test]
fn every_field_a_change_can_name_has_words() {
    const FIELDS: &[&str] = &[
        "code",
        "name",
        "district",
        "province",
        "id",
        "full_name",
        "sex",
        "birth_year",
        "ward",
        "address",
        "phone",
        "target_groups",
        "household_note",
        "consent",
        "enrolled_on",
        "status",
        "collaborator",
        "person_id",
        "business_line",
        "business_detail",
        "goal",
        "budget",
        "counselling_sessions",
        "approved_by",
        "approved_on",
        "created_on",
        "plan_id",
        "kind",
        "item",
        "quantity",
        "unit",
        "unit_value",
        "total_value",
        "handed_over_on",
        "handover_record_no",
        "supplier",
        "card",
        "grant_id",
        "due_on",
        "months_after",
        "assigned_to",
        "done_on",
        "visit",
        "milestone_id",
        "service",
        "to_whom",
        "made_on",
        "outcome",
    ];
    // Written apart so the key check of i18n does not take them for message keys.
    const NESTED: &[(&str, &str)] = &[
        ("consent", "given_on"),
        ("consent", "valid_until"),
        ("consent", "services"),
        ("consent", "referrals"),
        ("consent", "sharing"),
        ("card", "number"),
        ("card", "valid_from"),
        ("card", "valid_until"),
        ("visit", "done_by"),
        ("visit", "business_operating"),
        ("visit", "animals_alive"),
        ("visit", "monthly_income"),
        ("visit", "notes"),
        ("visit", "referral_needed"),
        ("visit", "reason"),
    ];
    let nested = NESTED.iter().map(|(a, b)| format!("{a}.{b}"));
    for f in FIELDS.iter().map(|f| f.to_string()).chain(nested) {
        assert!(crate::i18n::has(&format!("change.{f}")), "no words for {f}");
    }
}

#[test]
fn a_key_that_changes_nothing_asks_for_no_redraw() {
    let (_dir, mut app) = demo_app(20, Lang::Vi);
    press(&mut app, KeyCode::Char('2'));
    let up = Event::Key(KeyEvent::new(KeyCode::Up, KeyModifiers::NONE));
    assert!(!handle_event(&mut app, up.clone()), "↑ on the first row");
    let down = Event::Key(KeyEvent::new(KeyCode::Down, KeyModifiers::NONE));
    assert!(handle_event(&mut app, down));
    assert!(handle_event(&mut app, up));
    // The same screen's number again changes nothing either.
    let two = Event::Key(KeyEvent::new(KeyCode::Char('2'), KeyModifiers::NONE));
    assert!(!handle_event(&mut app, two));
}
