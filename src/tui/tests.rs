//! Screen tests: the app driven by keys into a `TestBackend`, at the smallest supported
//! size and a comfortable one, in both languages.

use super::*;
use crate::domain::dates::parse_date;
use crate::i18n::Lang;
use crate::store::Store;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tempfile::TempDir;

const TODAY: &str = "2025-06-01";

/// A new database with "Cán bộ Lan" as its first user (a supervisor), cheap to open.
pub(crate) fn open_as_lan(dir: &std::path::Path) -> Store {
    crate::store::tests::open_named(dir, "Cán bộ Lan")
}

/// An app over a small demo database, with a fixed day and officer.
pub(crate) fn demo_app(people: usize, lang: Lang) -> (TempDir, App) {
    let dir = TempDir::new().expect("tempdir");
    let mut store = open_as_lan(dir.path());
    let today = parse_date(TODAY).expect("date");
    store.set_today(today);
    store
        .fill_empty(crate::demo::generate(people, 3, today))
        .expect("demo");
    (dir, App::new(store, lang, Theme { color: false }))
}

pub(crate) fn empty_app(lang: Lang) -> (TempDir, App) {
    let dir = TempDir::new().expect("tempdir");
    let mut store = open_as_lan(dir.path());
    store.set_today(parse_date(TODAY).expect("date"));
    (dir, App::new(store, lang, Theme { color: false }))
}

pub(crate) fn press(app: &mut App, code: KeyCode) {
    handle_event(app, Event::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

pub(crate) fn ctrl(app: &mut App, c: char) {
    handle_event(
        app,
        Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)),
    );
}

pub(crate) fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        press(app, KeyCode::Char(c));
    }
}

pub(crate) fn screen(app: &App, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
    terminal.draw(|f| render(app, f)).expect("draw");
    let buffer = terminal.backend().buffer();
    let mut out = String::new();
    for y in 0..height {
        let mut line = String::new();
        for x in 0..width {
            line.push_str(buffer[(x, y)].symbol());
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    // Every database has its own keys: the snapshots show a fixed fingerprint.
    out.replace(
        &app.store.device_public().fingerprint(),
        "0000-0000-0000-0000",
    )
}

#[test]
fn every_screen_renders_at_both_sizes_in_both_languages() {
    for lang in [Lang::Vi, Lang::En] {
        let (_dir, mut app) = demo_app(40, lang);
        for n in 1..=6u8 {
            press(&mut app, KeyCode::Char(char::from(b'0' + n)));
            for (w, h) in [(80, 24), (120, 40)] {
                let text = screen(&app, w, h);
                let name = format!("screen_{n}_{}_{w}x{h}", lang.code());
                insta::assert_snapshot!(name, text);
            }
        }
    }
}

#[test]
fn the_dashboard_shows_the_people_count() {
    let (_dir, app) = demo_app(40, Lang::En);
    let text = screen(&app, 80, 24);
    assert!(text.contains("People: 40"), "{text}");
}

#[test]
fn the_header_names_who_is_signed_in_whole_dropping_the_date_first() {
    let (_dir, app) = demo_app(5, Lang::Vi);
    let first_line = |width| {
        screen(&app, width, 30)
            .lines()
            .next()
            .unwrap_or("")
            .to_string()
    };
    let wide = first_line(140);
    assert!(wide.contains("Cán bộ Lan (Giám sát) · "), "{wide}");
    let narrow = first_line(115);
    assert!(
        narrow.trim_end().ends_with("Cán bộ Lan (Giám sát)"),
        "{narrow}"
    );
    assert!(!narrow.contains('…'), "{narrow}");
}

#[test]
fn a_window_smaller_than_80x24_asks_to_be_enlarged() {
    let (_dir, app) = demo_app(5, Lang::Vi);
    let text = screen(&app, 60, 20);
    assert!(text.contains("phóng to"), "{text}");
    let text = screen(&app, 80, 24);
    assert!(!text.contains("phóng to"));
}

#[test]
fn a_search_without_diacritics_finds_names_with_them() {
    let (_dir, mut app) = demo_app(60, Lang::Vi);
    let target = app
        .store
        .snapshot()
        .people
        .values()
        .find(|p| !p.full_name.is_ascii())
        .expect("a name with marks")
        .clone();
    press(&mut app, KeyCode::Char('2'));
    press(&mut app, KeyCode::Char('/'));
    type_text(&mut app, &crate::text::fold(&target.full_name));
    let text = screen(&app, 100, 30);
    assert!(text.contains(&target.full_name), "{text}");
    assert!(text.contains(&target.code));
}

#[test]
fn d_in_a_search_matches_d_with_stroke() {
    let (_dir, mut app) = demo_app(200, Lang::Vi);
    let target = app
        .store
        .snapshot()
        .people
        .values()
        .find(|p| p.full_name.contains('Đ'))
        .expect("someone named Đ…")
        .clone();
    press(&mut app, KeyCode::Char('2'));
    press(&mut app, KeyCode::Char('/'));
    type_text(&mut app, &target.code.to_lowercase());
    type_text(&mut app, " d");
    assert!(screen(&app, 100, 30).contains(&target.full_name));
}

#[test]
fn the_help_lists_the_keys_of_the_current_screen() {
    let (_dir, mut app) = demo_app(5, Lang::En);
    press(&mut app, KeyCode::Char('4'));
    press(&mut app, KeyCode::Char('?'));
    let text = screen(&app, 100, 30);
    assert!(
        text.contains("Keys") && text.contains("officer filter") && text.contains("quit"),
        "{text}"
    );
    press(&mut app, KeyCode::Esc);
    assert!(
        !screen(&app, 100, 30).contains("officer filter"),
        "Esc closes the help"
    );
}

#[test]
fn q_quits_from_a_screen_but_types_into_a_form() {
    let (_dir, mut app) = demo_app(5, Lang::Vi);
    press(&mut app, KeyCode::Char('2'));
    press(&mut app, KeyCode::Char('n'));
    type_text(&mut app, "q1");
    assert!(!app.should_quit);
    assert!(screen(&app, 100, 30).contains("q1"));
    press(&mut app, KeyCode::Esc);
    assert!(
        screen(&app, 100, 30).contains("Bỏ những gì đã nhập"),
        "Esc asks before discarding"
    );
    press(&mut app, KeyCode::Char('y'));
    press(&mut app, KeyCode::Char('q'));
    // No backup yet: quitting offers one first; "no" quits.
    assert!(
        screen(&app, 100, 30).contains("Sao lưu trước"),
        "{}",
        screen(&app, 100, 30)
    );
    press(&mut app, KeyCode::Char('n'));
    assert!(app.should_quit);
}

#[test]
fn quitting_offers_a_backup_once_a_week_into_a_folder_chosen_once() {
    let (_dir, mut app) = demo_app(5, Lang::En);
    let usb = TempDir::new().expect("usb stick");
    press(&mut app, KeyCode::Char('q'));
    press(&mut app, KeyCode::Char('y'));
    assert!(screen(&app, 100, 30).contains("Where backups go"));
    type_text(&mut app, "/no/such/stick");
    ctrl(&mut app, 's');
    assert!(screen(&app, 100, 30).contains("Is the USB stick plugged in?"));
    press(&mut app, KeyCode::Char('u')); // not a command: typed
    ctrl(&mut app, 'u');
    type_text(&mut app, &usb.path().display().to_string());
    ctrl(&mut app, 's');
    assert!(
        app.should_quit,
        "the backup was written, then the program quits"
    );
    let files: Vec<_> = std::fs::read_dir(usb.path())
        .expect("read")
        .flatten()
        .collect();
    assert_eq!(files.len(), 1);
    assert_eq!(app.store.backup_folder(), Some(usb.path()));
    // A fresh backup: the next quit asks nothing.
    app.should_quit = false;
    press(&mut app, KeyCode::Char('q'));
    assert!(app.should_quit);
}

#[test]
fn esc_on_the_backup_question_stays_in_the_program_and_q_asks_again() {
    let (_dir, mut app) = demo_app(5, Lang::En);
    let asked = |app: &App| screen(app, 100, 30).contains("more than a week old");
    press(&mut app, KeyCode::Char('q'));
    assert!(asked(&app));
    press(&mut app, KeyCode::Esc);
    assert!(!app.should_quit, "Esc cancels quitting");
    assert!(!asked(&app), "the question is gone");
    press(&mut app, KeyCode::Char('q'));
    assert!(asked(&app), "asked again");
    press(&mut app, KeyCode::Char('n'));
    assert!(app.should_quit);
}

#[test]
fn a_person_form_with_problems_shows_them_and_keeps_what_was_typed() {
    let (_dir, mut app) = demo_app(5, Lang::En);
    press(&mut app, KeyCode::Char('2'));
    press(&mut app, KeyCode::Char('n'));
    type_text(&mut app, "Lò Thị Hương");
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "1850");
    ctrl(&mut app, 's');
    let text = screen(&app, 100, 30);
    assert!(text.contains("Birth year must be between 1900"), "{text}");
    assert!(text.contains("Lò Thị Hương"));
    assert_eq!(app.store.snapshot().people.len(), 5, "nothing saved");
    // The focus is on the birth year: fix it and save.
    press(&mut app, KeyCode::Backspace);
    press(&mut app, KeyCode::Backspace);
    press(&mut app, KeyCode::Backspace);
    press(&mut app, KeyCode::Backspace);
    type_text(&mut app, "1990");
    ctrl(&mut app, 's');
    assert_eq!(app.store.snapshot().people.len(), 6);
    assert!(screen(&app, 100, 30).contains("Saved."));
}

#[test]
fn handing_over_a_grant_in_the_form_creates_its_visits() {
    let (_dir, mut app) = demo_app(5, Lang::En);
    let person = app
        .store
        .snapshot()
        .people
        .values()
        .next()
        .expect("person")
        .clone();
    let before = app.store.snapshot().milestones_of(person.id).count();
    app.request(screens::Request::OpenPerson(
        person.id,
        screens::Section::Grants,
    ));
    press(&mut app, KeyCode::Char('n'));
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "l"); // kind: Livestock
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "Vịt giống");
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Backspace);
    type_text(&mut app, "40");
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "con");
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "45000");
    ctrl(&mut app, 's');
    let grant = app
        .store
        .snapshot()
        .grants_of(person.id)
        .find(|g| g.item == "Vịt giống")
        .expect("saved grant")
        .clone();
    assert_eq!(grant.total_value.0, 1_800_000);
    assert_eq!(
        app.store.snapshot().milestones_of(person.id).count(),
        before + 4
    );
    assert!(screen(&app, 100, 30).contains("1.800.000"));
}

#[test]
fn recording_a_visit_from_the_work_list_takes_a_few_keys() {
    let (_dir, mut app) = demo_app(60, Lang::Vi);
    press(&mut app, KeyCode::Char('4'));
    let overdue_before = app.store.snapshot().overdue_count(app.store.today());
    assert!(overdue_before > 0);
    press(&mut app, KeyCode::Enter);
    ctrl(&mut app, 's');
    assert_eq!(
        app.store.snapshot().overdue_count(app.store.today()),
        overdue_before - 1
    );
}

#[test]
fn a_new_empty_database_says_what_to_do_first() {
    let (_dir, app) = empty_app(Lang::Vi);
    let text = screen(&app, 80, 24);
    assert!(text.contains("Thêm phường/xã của bạn"), "{text}");
    insta::assert_snapshot!("first_start_vi_80x24", text);
}

#[test]
fn l_switches_the_language() {
    let (_dir, mut app) = demo_app(5, Lang::Vi);
    assert!(screen(&app, 100, 30).contains("Tổng quan"));
    handle_event(
        &mut app,
        Event::Key(KeyEvent::new(KeyCode::Char('L'), KeyModifiers::SHIFT)),
    );
    assert!(screen(&app, 100, 30).contains("Dashboard"));
}

/// A small deterministic generator, so a failing sequence can be replayed.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
}

fn random_key(rng: &mut Lcg) -> Event {
    const CHARS: &[char] = &[
        'a', 'n', 'e', 'v', 'm', 'o', 'q', 'y', 'k', 't', 'd', 'w', 'f', 's', 'x', 'r', '/', '?',
        ' ', '+', '-', '0', '1', '2', '3', '4', '5', '6', '7', '9', 'ễ', 'Đ', 'ư', '\u{0303}', 'L',
    ];
    const CODES: &[KeyCode] = &[
        KeyCode::Enter,
        KeyCode::Esc,
        KeyCode::Tab,
        KeyCode::BackTab,
        KeyCode::Up,
        KeyCode::Down,
        KeyCode::Left,
        KeyCode::Right,
        KeyCode::PageUp,
        KeyCode::PageDown,
        KeyCode::Home,
        KeyCode::End,
        KeyCode::Backspace,
        KeyCode::Delete,
        KeyCode::F(2),
    ];
    match rng.next() % 10 {
        0..=5 => Event::Key(KeyEvent::new(
            KeyCode::Char(CHARS[(rng.next() % CHARS.len() as u64) as usize]),
            KeyModifiers::NONE,
        )),
        6..=8 => Event::Key(KeyEvent::new(
            CODES[(rng.next() % CODES.len() as u64) as usize],
            KeyModifiers::NONE,
        )),
        _ => {
            let c = ['s', 'u', 'c', 'a', 'e', 'h'][(rng.next() % 6) as usize];
            Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
        }
    }
}

#[test]
fn long_random_key_sequences_never_panic() {
    let (_dir, mut app) = demo_app(50, Lang::Vi);
    let mut rng = Lcg(0x5eed);
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).expect("terminal");
    for step in 0..20_000 {
        let event = if step % 997 == 0 {
            Event::Paste("Nguye\u{0302}\u{0303}n 1.500.000\n\t".into())
        } else {
            random_key(&mut rng)
        };
        handle_event(&mut app, event);
        app.should_quit = false;
        if step % 500 == 0 {
            let (w, h) = [(80, 24), (120, 40), (40, 10), (200, 60)][(step / 500) % 4];
            terminal
                .resize(ratatui::layout::Rect::new(0, 0, w, h))
                .expect("resize");
        }
        terminal.draw(|f| render(&app, f)).expect("draw");
    }
    assert!(
        app.store.check().is_ok(),
        "{:?}",
        app.store.check().findings
    );
}

#[test]
fn the_reports_screen_shows_each_summary_with_its_total() {
    let (_dir, mut app) = demo_app(40, Lang::En);
    press(&mut app, KeyCode::Char('5'));
    press(&mut app, KeyCode::Tab);
    let text = screen(&app, 120, 40);
    let total: i64 = app
        .store
        .snapshot()
        .grants
        .values()
        .map(|g| g.total_value.0)
        .sum();
    assert!(
        text.contains("Total") && text.contains(&crate::domain::Dong(total).grouped()),
        "{text}"
    );
    insta::assert_snapshot!("reports_by_ward_en_120x40", text);
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    assert!(screen(&app, 120, 40).contains("Days overdue"));
}

#[test]
fn x_exports_what_the_screen_shows_and_names_need_a_yes() {
    let (_dir, mut app) = demo_app(30, Lang::En);
    press(&mut app, KeyCode::Char('5'));
    press(&mut app, KeyCode::Tab); // the summary by ward
    press(&mut app, KeyCode::Char('x'));
    // Beside the database, never inside its folder (that is refused).
    let usb = TempDir::new().expect("tempdir");
    let path = usb.path().join("wards.csv");
    ctrl(&mut app, 'u');
    type_text(&mut app, &path.display().to_string());
    ctrl(&mut app, 's');
    app.run_pending(&mut |_, _| {});
    let text = std::fs::read_to_string(&path).expect("exported");
    assert!(
        text.starts_with('\u{feff}')
            && text.contains("Grant value (VND)")
            && text.contains("Total")
    );

    press(&mut app, KeyCode::Char('2'));
    press(&mut app, KeyCode::Char('x'));
    let people = usb.path().join("list-of-people.csv");
    ctrl(&mut app, 'u');
    type_text(&mut app, &people.display().to_string());
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Char(' ')); // with names
    ctrl(&mut app, 's');
    assert!(
        screen(&app, 100, 30).contains("names, phones and addresses"),
        "a supervisor confirms names"
    );
    assert!(app.pending.is_none());
    press(&mut app, KeyCode::Char('y'));
    app.run_pending(&mut |_, _| {});
    let text = std::fs::read_to_string(&people).expect("exported");
    assert!(text.contains("Code (contains names)"));
    let history = app.store.audit_trail(None).expect("audit");
    assert!(
        history
            .iter()
            .any(|e| e.action == "export" && e.detail.contains("with names")),
        "the export is audited"
    );
}

#[test]
fn x_on_a_summary_writes_the_donor_workbook_when_chosen() {
    use calamine::Reader;
    let (_dir, mut app) = demo_app(30, Lang::Vi);
    press(&mut app, KeyCode::Char('5'));
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Char('x'));
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Right); // Excel: every summary
    let shown = screen(&app, 80, 24);
    assert!(
        shown.contains("Sổ Excel") && shown.contains(".xlsx"),
        "{shown}"
    );
    let usb = TempDir::new().expect("tempdir");
    let path = usb.path().join("tong-hop.xlsx");
    press(&mut app, KeyCode::BackTab);
    ctrl(&mut app, 'u');
    type_text(&mut app, &path.display().to_string());
    ctrl(&mut app, 's');
    app.run_pending(&mut |_, _| {});
    let book: calamine::Xlsx<_> = calamine::open_workbook(&path).expect("a workbook");
    assert_eq!(book.sheet_names().len(), 6, "{:?}", book.sheet_names());
    let trail = app.store.audit_trail(None).expect("audit");
    assert!(
        trail
            .iter()
            .any(|e| e.action == "export" && e.detail.contains("workbook"))
    );
}

#[test]
fn a_new_ward_with_a_code_that_exists_is_refused_beside_the_code() {
    let (_dir, mut app) = demo_app(5, Lang::En);
    let first = app.store.snapshot().wards_in_order()[0].clone();
    press(&mut app, KeyCode::Char('6'));
    press(&mut app, KeyCode::Char('n'));
    type_text(&mut app, &first.code);
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "Tên khác");
    ctrl(&mut app, 's');
    let text = screen(&app, 100, 30);
    assert!(
        text.contains("A ward with this code exists already"),
        "{text}"
    );
    assert_eq!(app.store.snapshot().wards[&first.code], first, "unchanged");
}

#[test]
fn enter_or_e_on_a_ward_edits_it_and_its_code_stays() {
    let (_dir, mut app) = demo_app(5, Lang::En);
    let first = app.store.snapshot().wards_in_order()[0].clone();
    let people_before = app.store.snapshot().people.len();
    let wards_before = app.store.snapshot().wards.len();
    press(&mut app, KeyCode::Char('6'));
    for key in [KeyCode::Enter, KeyCode::Char('e')] {
        press(&mut app, key);
        let text = screen(&app, 100, 30);
        assert!(
            text.contains(&format!("Edit ward · {}", first.code)),
            "{text}"
        );
        press(&mut app, KeyCode::End);
        type_text(&mut app, " 2");
        ctrl(&mut app, 's');
    }
    let ward = &app.store.snapshot().wards[&first.code];
    assert_eq!(ward.name, format!("{} 2 2", first.name));
    assert_eq!(ward.district, first.district);
    assert_eq!(app.store.snapshot().wards.len(), wards_before);
    assert_eq!(app.store.snapshot().people.len(), people_before);
}

#[test]
fn p_on_a_grant_prints_its_handover_record_as_a_pdf() {
    let (_dir, mut app) = demo_app(20, Lang::En);
    let snap = app.store.snapshot();
    let grant = snap
        .grants
        .values()
        .find(|g| {
            snap.grants_of(g.person_id)
                .next()
                .is_some_and(|first| !first.handover_record_no.is_empty())
        })
        .expect("a person whose first grant has a record number")
        .clone();
    app.request(screens::Request::OpenPerson(
        grant.person_id,
        screens::Section::Grants,
    ));
    let numbers: Vec<String> = app
        .store
        .snapshot()
        .grants_of(grant.person_id)
        .map(|g| g.handover_record_no.clone())
        .collect();
    press(&mut app, KeyCode::Char('p'));
    let text = screen(&app, 100, 30);
    assert!(text.contains("Print the handover record"), "{text}");
    let out = TempDir::new().expect("tempdir");
    let path = out.path().join("record.pdf");
    ctrl(&mut app, 'u');
    type_text(&mut app, &path.display().to_string());
    ctrl(&mut app, 's');
    app.run_pending(&mut |_, _| {});
    let pdf = std::fs::read(&path).expect("written");
    assert!(pdf.starts_with(b"%PDF"), "a PDF");
    assert!(screen(&app, 100, 30).contains("Wrote the handover record"));
    let trail = app.store.audit_trail(None).expect("audit");
    let printed = trail
        .iter()
        .find(|e| e.action == "print")
        .expect("who printed is recorded");
    assert!(
        numbers
            .iter()
            .any(|n| !n.is_empty() && printed.detail.ends_with(n.as_str())),
        "{} names one of {numbers:?}",
        printed.detail
    );
}
