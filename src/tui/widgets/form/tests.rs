//! The form widget's rules, one test each, on a small form of every field kind.

use super::*;
use crate::domain::Sex;
use crate::tui::keymap::{Action, Cmd};

crate::tui::forms::field_ids!(T {
    Name = "name",
    Budget = "budget",
    On = "on",
    Sex = "sex",
    Ok = "ok",
    Year = "year",
});

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 6, 1).expect("date")
}

fn sexes() -> Vec<(Label, Sex)> {
    vec![
        (Label::Key("sex.female"), Sex::Female),
        (Label::Key("sex.male"), Sex::Male),
    ]
}

fn sample() -> Form {
    Form::new(
        "Test".into(),
        vec![
            Field::text(T::Name, "field.full_name", ""),
            Field::money(T::Budget, "field.budget", None),
            Field::date(T::On, "field.enrolled_on", None),
            Field::choice(T::Sex, "field.sex", sexes(), Some(&Sex::Female)),
            Field::toggle(T::Ok, "field.consent", false),
            Field::number(T::Year, "field.birth_year", None),
        ],
        today(),
        Lang::Vi,
    )
}

fn type_text(form: &mut Form, text: &str) {
    for c in text.chars() {
        form.handle(&Action::Input(c));
    }
}

fn tab(form: &mut Form) {
    form.handle(&Action::Cmd(Cmd::NextField));
}

fn focus(form: &mut Form, id: T) {
    while !form.focused_is(id) {
        tab(form);
    }
}

#[test]
fn typing_moves_through_fields_and_keeps_values() {
    let mut form = sample();
    type_text(&mut form, "Lê Thị Mai");
    tab(&mut form);
    type_text(&mut form, "1.500.000");
    tab(&mut form);
    form.handle(&Action::Cmd(Cmd::Today));
    tab(&mut form);
    form.handle(&Action::Cmd(Cmd::Right));
    tab(&mut form);
    form.handle(&Action::Cmd(Cmd::Toggle));
    assert_eq!(form.text(T::Name), "Lê Thị Mai");
    assert_eq!(form.money(T::Budget), Ok(Some(Dong(1_500_000))));
    assert_eq!(form.date(T::On), Ok(Some(today())));
    assert_eq!(form.choice::<Sex>(T::Sex), Some(Sex::Male));
    assert!(form.toggle(T::Ok));
    assert!(form.dirty);
}

#[test]
fn money_typed_with_a_scale_word_is_read_as_the_officer_means_it() {
    let mut form = sample();
    focus(&mut form, T::Budget);
    type_text(&mut form, "6,5 triệu");
    assert_eq!(
        form.text(T::Budget),
        "6,5 triệu",
        "nothing typed is dropped"
    );
    assert_eq!(form.money(T::Budget), Ok(Some(Dong(6_500_000))));
    form.set_text(T::Budget, "6,5555555 triệu");
    assert_eq!(form.money(T::Budget), Err("err.money_not_whole"));
}

#[test]
fn a_field_reached_by_tab_is_replaced_by_typing_and_kept_by_an_arrow() {
    let mut form = sample();
    form.set_text(T::Name, "Hạ Long");
    form.set_text(T::On, "01/01/2025");
    focus(&mut form, T::On);
    type_text(&mut form, "02/03/2024");
    assert_eq!(
        form.text(T::On),
        "02/03/2024",
        "a full date is replaced, not ignored"
    );
    focus(&mut form, T::Name);
    type_text(&mut form, "Hạ Long");
    assert_eq!(form.text(T::Name), "Hạ Long", "not Hạ LongHạ Long");
    tab(&mut form);
    focus(&mut form, T::Name);
    form.handle(&Action::Cmd(Cmd::Last));
    type_text(&mut form, " city");
    assert_eq!(
        form.text(T::Name),
        "Hạ Long city",
        "an arrow key enters edit mode"
    );
}

#[test]
fn letters_in_a_choice_search_its_options_and_are_shown() {
    let mut form = sample();
    focus(&mut form, T::Sex);
    form.handle(&Action::Input('n'));
    assert_eq!(
        form.choice::<Sex>(T::Sex),
        Some(Sex::Female),
        "n: Nữ, the first"
    );
    form.handle(&Action::Input('a'));
    assert_eq!(form.choice::<Sex>(T::Sex), Some(Sex::Male), "na: Nam");
    form.handle(&Action::Cmd(Cmd::Backspace));
    form.handle(&Action::Input('u'));
    assert_eq!(
        form.choice::<Sex>(T::Sex),
        Some(Sex::Female),
        "nu finds Nữ, marks ignored"
    );
    form.handle(&Action::Input('x'));
    assert_eq!(
        form.choice::<Sex>(T::Sex),
        Some(Sex::Female),
        "no match changes nothing"
    );
    assert_eq!(form.refusal(), Some("form.no_match"));
    match &form.fields[form.focus].kind {
        FieldKind::Choice(c) => assert_eq!(c.typed, "nux", "what was typed stays visible"),
        _ => panic!("a choice"),
    }
    form.handle(&Action::Cmd(Cmd::Backspace));
    assert_eq!(form.refusal(), None, "erased: matches again");
    form.handle(&Action::Input('x'));
    tab(&mut form);
    assert_eq!(form.refusal(), None);
}

#[test]
fn a_choice_also_finds_a_word_inside_its_labels() {
    let mut form = Form::new(
        "Wards".into(),
        vec![Field::choice(
            T::Sex,
            "field.ward",
            vec![
                (Label::Text("Bạch Đằng (BD)".into()), "BD"),
                (Label::Text("Cao Thắng (CT)".into()), "CT"),
            ],
            Some(&"BD"),
        )],
        today(),
        Lang::Vi,
    );
    type_text(&mut form, "thang");
    assert_eq!(form.choice::<&str>(T::Sex), Some("CT"));
    form.handle(&Action::Cmd(Cmd::NextField));
    type_text(&mut form, "bd");
    assert_eq!(form.choice::<&str>(T::Sex), Some("BD"), "by its code");
}

#[test]
fn a_number_field_refuses_a_letter_visibly_and_keeps_the_rest() {
    let mut form = sample();
    focus(&mut form, T::Year);
    type_text(&mut form, "19x");
    assert_eq!(form.refusal(), Some("err.digits_only"));
    type_text(&mut form, "8");
    assert_eq!(form.text(T::Year), "198");
    assert_eq!(
        form.refusal(),
        Some("err.digits_only"),
        "still said after the next digit"
    );
    form.handle(&Action::Cmd(Cmd::Backspace));
    assert_eq!(form.refusal(), None, "erasing clears it");
}

#[test]
fn a_fixed_error_goes_as_soon_as_the_field_reads() {
    let mut form = sample();
    focus(&mut form, T::On);
    type_text(&mut form, "31/02/2026");
    assert_eq!(form.date(T::On), Err("err.no_such_day"));
    form.set_errors(vec![(T::On.key(), "err.no_such_day")], vec![]);
    form.handle(&Action::Cmd(Cmd::Backspace));
    form.handle(&Action::Cmd(Cmd::Backspace));
    assert_eq!(form.error_for(T::On.key()), Some("err.date_format"));
    type_text(&mut form, "25");
    form.handle(&Action::Cmd(Cmd::First));
    form.handle(&Action::Cmd(Cmd::Delete));
    form.handle(&Action::Cmd(Cmd::Delete));
    type_text(&mut form, "28");
    assert_eq!(form.text(T::On), "28/02/2025");
    assert_eq!(form.error_for(T::On.key()), None);
}

#[test]
fn errors_move_the_focus_to_the_first_problem_and_keep_what_was_typed() {
    let mut form = sample();
    type_text(&mut form, "Hoa");
    tab(&mut form);
    tab(&mut form);
    form.set_errors(
        vec![
            (T::Budget.key(), "err.required"),
            (T::Ok.key(), "err.required"),
        ],
        vec![],
    );
    assert!(form.focused_is(T::Budget));
    assert_eq!(form.text(T::Name), "Hoa");
}

#[test]
fn a_problem_on_a_hidden_field_shows_the_field() {
    let mut form = sample();
    form.set_hidden(T::Year, true);
    form.set_errors(vec![(T::Year.key(), "err.required")], vec![]);
    assert!(form.is_shown(T::Year));
    assert!(form.focused_is(T::Year));
}

#[test]
fn hidden_fields_are_skipped() {
    let mut form = sample();
    form.set_hidden(T::Budget, true);
    tab(&mut form);
    assert!(form.focused_is(T::On));
    form.handle(&Action::Cmd(Cmd::PrevField));
    assert!(form.focused_is(T::Name));
}

#[test]
fn fitting_text_cuts_by_columns() {
    assert_eq!(fit("Nguyễn Thị Hoa", 20), "Nguyễn Thị Hoa");
    assert_eq!(fit("Nguyễn Thị Hoa", 8), "Nguyễn …");
}
