//! Issue 13's record rules seen from the screens: a likely duplicate is asked about
//! before it is saved, and a supervisor marks a record entered in error from its page.

use super::tests::{ctrl, demo_app, press, screen, type_text};
use crate::i18n::Lang;
use ratatui::crossterm::event::KeyCode;

#[test]
fn saving_a_likely_duplicate_names_the_person_already_here_and_no_keeps_the_form() {
    let (_dir, mut app) = demo_app(30, Lang::En);
    let snap = app.store.snapshot();
    let first_ward = snap.wards_in_order()[0].code.clone();
    let existing = snap
        .people
        .values()
        .find(|p| p.ward == first_ward)
        .expect("someone in the form's default ward")
        .clone();
    let before = snap.people.len();
    press(&mut app, KeyCode::Char('2'));
    press(&mut app, KeyCode::Char('n'));
    // Typed without marks and in lower case: the folded name is the same.
    type_text(&mut app, &crate::text::fold(&existing.full_name));
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, &existing.birth_year.to_string());
    ctrl(&mut app, 's');
    let text = screen(&app, 80, 24);
    let ward = app.store.snapshot().ward_name(&existing.ward).to_string();
    let named = format!(
        "{} {}, {}, {ward}",
        existing.code, existing.full_name, existing.birth_year
    );
    // The question may wrap inside its box: read it as one line.
    let flat = text
        .replace('│', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    // Code, name and birth year on one line; the ward may wrap past the box's edge.
    let named = named.trim_end_matches(&ward).to_string();
    assert!(flat.contains(&named), "{text}");
    assert_eq!(
        app.store.snapshot().people.len(),
        before,
        "asked, not saved"
    );
    // Enter gives the default: do not save; the form keeps what was typed.
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.store.snapshot().people.len(), before);
    let text = screen(&app, 80, 24);
    assert!(
        text.contains(&crate::text::fold(&existing.full_name)),
        "{text}"
    );
    // Asked again, a yes saves.
    ctrl(&mut app, 's');
    press(&mut app, KeyCode::Char('y'));
    assert_eq!(app.store.snapshot().people.len(), before + 1);
}

#[test]
fn del_on_a_person_page_marks_them_entered_in_error_and_again_restores_them() {
    let (_dir, mut app) = demo_app(5, Lang::En);
    let in_error = |app: &super::App| {
        app.store
            .snapshot()
            .people
            .values()
            .filter(|p| !p.counts())
            .count()
    };
    press(&mut app, KeyCode::Char('2'));
    assert!(screen(&app, 80, 24).contains("5/5 people"));
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Delete);
    let text = screen(&app, 80, 24);
    assert!(text.contains("entered in error"), "asked first: {text}");
    press(&mut app, KeyCode::Enter); // the default answer marks nothing
    assert_eq!(in_error(&app), 0);
    press(&mut app, KeyCode::Delete);
    press(&mut app, KeyCode::Char('y'));
    assert_eq!(in_error(&app), 1);
    let text = screen(&app, 80, 24);
    assert!(
        text.contains("ENTERED IN ERROR"),
        "the page says so: {text}"
    );
    // Del again takes the mark back.
    press(&mut app, KeyCode::Delete);
    assert!(screen(&app, 80, 24).contains("Restore this record?"));
    press(&mut app, KeyCode::Char('y'));
    assert_eq!(in_error(&app), 0);
    press(&mut app, KeyCode::Delete);
    press(&mut app, KeyCode::Char('y'));
    press(&mut app, KeyCode::Esc);
    let text = screen(&app, 80, 24);
    assert!(
        text.contains("4/4 people"),
        "the list leaves them out: {text}"
    );
}

/// A demo database, then the app as an officer of its last ward (by name order).
fn app_as_officer_of_one_ward() -> (tempfile::TempDir, super::App, String) {
    use crate::store::{Credentials, KdfParams, OpenMode, Store};
    let (dir, app) = demo_app(30, Lang::Vi);
    let mut store = app.store;
    let ward = store
        .snapshot()
        .wards_in_order()
        .last()
        .expect("ward")
        .code
        .clone();
    let name = store.snapshot().ward_name(&ward).to_string();
    store
        .add_user(
            "Cán bộ Hà",
            crate::domain::Role::Officer,
            Some(&ward),
            "officer passphrase",
        )
        .expect("officer");
    let today = store.today();
    drop(store);
    let credentials = Credentials::new("Cán bộ Hà", "officer passphrase");
    let mut store = Store::open_with_kdf(
        dir.path(),
        OpenMode::MustExist,
        &credentials,
        KdfParams::TEST,
    )
    .expect("open as officer");
    store.set_today(today);
    let app = super::App::new(store, Lang::Vi, super::Theme { color: false });
    (dir, app, name)
}

#[test]
fn an_officer_of_one_ward_sees_it_named_in_the_header_and_the_filters_not_all_wards() {
    let (_dir, mut app, ward) = app_as_officer_of_one_ward();
    for key in ['1', '2', '3', '4', '5'] {
        press(&mut app, KeyCode::Char(key));
        if key == '5' {
            press(&mut app, KeyCode::Tab); // the first summary, with its filter line
        }
        let text = screen(&app, 80, 24);
        assert!(!text.contains("Tất cả phường/xã"), "screen {key}: {text}");
        assert!(
            text.lines().next().is_some_and(|l| l.contains(&ward)),
            "screen {key}: {text}"
        );
        // w cannot lead to another ward's empty list.
        press(&mut app, KeyCode::Char('w'));
        assert!(!screen(&app, 80, 24).contains("Tất cả phường/xã"));
    }
    // A new person starts in the officer's ward, not the first of the list.
    press(&mut app, KeyCode::Char('2'));
    press(&mut app, KeyCode::Char('n'));
    let form = screen(&app, 80, 24);
    let ward_line = form
        .lines()
        .find(|l| l.contains("Phường/xã"))
        .unwrap_or_default();
    assert!(ward_line.contains(&ward), "{form}");
}

#[test]
fn the_reports_screen_shows_and_exports_a_quarter_of_2021_chosen_with_p_and_arrows() {
    use crate::report::{Period, summaries::Summary};
    let (_dir, mut app) = demo_app(40, Lang::Vi);
    let today = app.store.today();
    press(&mut app, KeyCode::Char('5'));
    press(&mut app, KeyCode::Tab); // the summary by ward
    assert!(screen(&app, 80, 24).contains("Toàn bộ thời gian"));
    press(&mut app, KeyCode::Char('p')); // this quarter
    let quarter = Period::this_quarter(today);
    let steps = match quarter {
        Period::Quarter { year, quarter } => (year - 2021) * 4 + quarter as i32 - 3,
        _ => unreachable!("a quarter"),
    };
    for _ in 0..steps {
        press(&mut app, KeyCode::Left);
    }
    let text = screen(&app, 80, 24);
    assert!(
        text.contains("Quý 3/2021 (01/07/2021–30/09/2021)"),
        "{text}"
    );
    let q3 = Period::Quarter {
        year: 2021,
        quarter: 3,
    };
    let table = Summary::ByWard.table(app.store.snapshot(), today, &q3.filter(None));
    let all = Summary::ByWard.table(app.store.snapshot(), today, &Period::All.filter(None));
    assert_ne!(
        table, all,
        "the demo has records outside 2021's third quarter"
    );
    // The export takes the period the screen shows.
    press(&mut app, KeyCode::Char('x'));
    let text = screen(&app, 80, 24);
    assert!(
        text.contains("01/07/2021") && text.contains("30/09/2021"),
        "{text}"
    );
    let usb = tempfile::TempDir::new().expect("tempdir");
    let path = usb.path().join("q3-2021.csv");
    ctrl(&mut app, 'u');
    type_text(&mut app, &path.display().to_string());
    ctrl(&mut app, 's');
    app.run_pending(&mut |_, _| {});
    let written = std::fs::read_to_string(&path).expect("exported");
    let mut expected = Vec::new();
    let options = crate::report::export::ExportOptions {
        lang: Lang::Vi,
        include_names: false,
        filter: q3.filter(None),
        suppress_below: None,
        delimiter: Default::default(),
    };
    crate::report::export::export(
        crate::report::export::ExportKind::Wards,
        app.store.snapshot(),
        today,
        &options,
        &mut expected,
        &mut |_, _| {},
    )
    .expect("export");
    assert_eq!(written.as_bytes(), expected.as_slice());
}

/// The header line of the list on screen `key` at 80x24.
fn list_header(app: &mut super::App, key: char) -> String {
    press(app, KeyCode::Char(key));
    screen(app, 80, 24)
        .lines()
        .nth(2)
        .unwrap_or_default()
        .to_string()
}

#[test]
fn at_80_columns_the_lists_headers_and_labels_are_whole_in_both_languages() {
    let (_dir, mut app) = demo_app(30, Lang::Vi);
    let people = list_header(&mut app, '2');
    assert!(
        people.contains(" Nhóm ") && !people.contains("Nhóm đối t"),
        "{people}"
    );
    let followups = list_header(&mut app, '4');
    assert!(followups.ends_with("Hỗ trợ"), "{followups}");
    press(&mut app, KeyCode::Char('L'));
    let people = list_header(&mut app, '2');
    assert!(
        people.contains(" Group ") && !people.contains("Target gro"),
        "{people}"
    );
    let text = screen(&app, 80, 24);
    assert!(
        !text.contains("Fema ") && !text.contains("Femal "),
        "{text}"
    );
    let grants = list_header(&mut app, '3');
    assert!(grants.starts_with("Handed on "), "{grants}");
}
