//! Keypress to frame at a province's size: each measured step applies one key to the
//! app and draws the next frame into a 120x40 test terminal, as the event loop does.

use criterion::{Criterion, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use sinhke::i18n::Lang;
use sinhke::store::{Credentials, KdfParams, OpenMode, Store};
use sinhke::tui::{App, Theme, handle_event, render};
use std::hint::black_box;

fn demo_app(people: usize) -> (tempfile::TempDir, App) {
    let dir = tempfile::tempdir().expect("tempdir");
    let credentials = Credentials::new("bench", "bench passphrase");
    let mut store = Store::open_with_kdf(
        dir.path(),
        OpenMode::CreateIfMissing,
        &credentials,
        KdfParams::TEST,
    )
    .expect("open");
    let today = chrono::NaiveDate::from_ymd_opt(2025, 6, 1).expect("date");
    store.set_today(today);
    store
        .fill_empty(sinhke::demo::generate(people, 1, today))
        .expect("demo");
    (dir, App::new(store, Lang::Vi, Theme { color: true }))
}

fn key(app: &mut App, code: KeyCode) {
    handle_event(app, Event::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

fn keypress_to_frame(c: &mut Criterion) {
    let people = std::env::var("SINHKE_BENCH_PEOPLE")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(10_000);
    let (_dir, mut app) = demo_app(people);
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
    let mut group = c.benchmark_group(format!("keypress_to_frame/{people}"));

    key(&mut app, KeyCode::Char('2'));
    group.bench_function("people_scroll_down", |b| {
        b.iter(|| {
            key(&mut app, KeyCode::Down);
            terminal.draw(|f| render(black_box(&app), f)).expect("draw");
        })
    });
    key(&mut app, KeyCode::Char('/'));
    key(&mut app, KeyCode::Char('n'));
    key(&mut app, KeyCode::Char('g'));
    group.bench_function("people_search_type_and_erase", |b| {
        b.iter(|| {
            key(&mut app, KeyCode::Char('u'));
            terminal.draw(|f| render(&app, f)).expect("draw");
            key(&mut app, KeyCode::Backspace);
            terminal.draw(|f| render(&app, f)).expect("draw");
        })
    });
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Esc);
    for (name, screen) in [
        ("switch_to_dashboard", '1'),
        ("switch_to_grants", '3'),
        ("switch_to_followups", '4'),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| {
                key(&mut app, KeyCode::Char('2'));
                key(&mut app, KeyCode::Char(screen));
                terminal.draw(|f| render(&app, f)).expect("draw");
            })
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).measurement_time(std::time::Duration::from_secs(4));
    targets = keypress_to_frame
}
criterion_main!(benches);
