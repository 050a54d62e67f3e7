//! The terminal program at 1,000, 10,000 and 50,000 demo people. Each measured step is
//! what the event loop does for one key: apply it to the app, then draw the next frame
//! into a 120x40 test terminal.

mod common;

use common::{SIZES, demo_db, scratch_copy, today};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use sinhke::i18n::Lang;
use sinhke::tui::{App, Theme, handle_event, render};

fn app_on(db: &std::path::Path) -> App {
    let mut store = common::open(db);
    store.set_today(today());
    App::new(store, Lang::Vi, Theme { color: true })
}

fn key(app: &mut App, code: KeyCode) {
    handle_event(app, Event::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

fn ctrl(app: &mut App, c: char) {
    handle_event(
        app,
        Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)),
    );
}

fn draw(terminal: &mut Terminal<TestBackend>, app: &App) {
    terminal.draw(|f| render(app, f)).expect("draw");
}

/// Typing three letters into the people search, a frame after each; then Esc.
fn search_and_render(c: &mut Criterion) {
    let mut group = c.benchmark_group("people_search_3_chars");
    group.sample_size(20);
    for people in SIZES {
        let db = demo_db(people);
        let mut app = app_on(&db);
        let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
        key(&mut app, KeyCode::Char('2'));
        group.bench_function(BenchmarkId::from_parameter(people), |b| {
            b.iter(|| {
                key(&mut app, KeyCode::Char('/'));
                for c in ['n', 'g', 'u'] {
                    key(&mut app, KeyCode::Char(c));
                    draw(&mut terminal, &app);
                }
                key(&mut app, KeyCode::Esc);
            })
        });
        drop(app);
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    group.finish();
}

/// Drawing the people table and the dashboard, as after any change of data.
fn render_screens(c: &mut Criterion) {
    let mut group = c.benchmark_group("render_120x40");
    for people in SIZES {
        let db = demo_db(people);
        let mut app = app_on(&db);
        let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
        for (name, screen) in [
            ("people_table", '2'),
            ("dashboard", '1'),
            ("work_list", '4'),
        ] {
            key(&mut app, KeyCode::Char(screen));
            group.bench_function(BenchmarkId::new(name, people), |b| {
                b.iter(|| draw(&mut terminal, &app))
            });
        }
        drop(app);
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    group.finish();
}

/// Keys at 10,000 people, including the frame after a save, when every screen
/// recomputes what it shows.
fn keypress_to_frame(c: &mut Criterion) {
    let (_dir, db) = scratch_copy(10_000);
    let mut app = app_on(&db);
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
    let mut group = c.benchmark_group("keypress_to_frame/10000");
    key(&mut app, KeyCode::Char('2'));
    group.bench_function("people_scroll_down", |b| {
        b.iter(|| {
            key(&mut app, KeyCode::Down);
            draw(&mut terminal, &app);
        })
    });
    for (name, screen) in [
        ("switch_to_dashboard", '1'),
        ("switch_to_grants", '3'),
        ("switch_to_work_list", '4'),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| {
                key(&mut app, KeyCode::Char('2'));
                key(&mut app, KeyCode::Char(screen));
                draw(&mut terminal, &app);
            })
        });
    }
    // After a change every screen recomputes what it shows. Two keys, each timed alone
    // from the key to its frame (the steps before it run untimed): Ctrl+S on a visit
    // form opened from the work list (save, flush, the work list recomputed and drawn),
    // then 1 (the dashboard recomputed after that change, and drawn).
    group.sample_size(20);
    group.bench_function("save_visit_to_work_list", |b| {
        b.iter_custom(|iterations| {
            let mut total = std::time::Duration::ZERO;
            for _ in 0..iterations {
                key(&mut app, KeyCode::Char('4'));
                key(&mut app, KeyCode::Enter);
                draw(&mut terminal, &app);
                let start = std::time::Instant::now();
                ctrl(&mut app, 's');
                draw(&mut terminal, &app);
                total += start.elapsed();
            }
            total
        })
    });
    group.bench_function("dashboard_after_a_change", |b| {
        b.iter_custom(|iterations| {
            let mut total = std::time::Duration::ZERO;
            for _ in 0..iterations {
                key(&mut app, KeyCode::Char('4'));
                key(&mut app, KeyCode::Enter);
                ctrl(&mut app, 's');
                draw(&mut terminal, &app);
                let start = std::time::Instant::now();
                key(&mut app, KeyCode::Char('1'));
                draw(&mut terminal, &app);
                total += start.elapsed();
            }
            total
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).measurement_time(std::time::Duration::from_secs(4));
    targets = search_and_render, render_screens, keypress_to_frame
}
criterion_main!(benches);
