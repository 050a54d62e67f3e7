//! What encryption costs at a province's size (10,000 people, about 55,000 records):
//! the passphrase's key derivation; open-and-load up to the first frame; a save; backup
//! and restore. Timed directly (medians), since each step takes long enough to see.
//! Run: cargo bench --bench encryption [--features plaintext-measure]
//! With the feature, the same steps also run on a database whose values are NOT sealed.

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use sinhke::i18n::Lang;
use sinhke::store::{Credentials, KdfParams, Locked, OpenMode, Store};
use sinhke::tui::{App, Theme, render};
use std::path::Path;
use std::time::{Duration, Instant};

const RUNS: usize = 5;

fn people() -> usize {
    std::env::var("SINHKE_BENCH_PEOPLE")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(10_000)
}

fn today() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2025, 6, 1).expect("date")
}

fn credentials() -> Credentials {
    Credentials::new("bench", "bench passphrase")
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// Opens the database, signs in (cheap test KDF: the real KDF is timed on its own and
/// comes before every budget), loads, builds the app and draws the first frame.
/// Returns (after-KDF to loaded, after-KDF to first frame).
fn open_to_first_frame(dir: &Path, plaintext: bool) -> (Duration, Duration) {
    let locked = Locked::open(dir, OpenMode::MustExist).expect("open");
    let unlocked = locked.sign_in(&credentials()).expect("sign in");
    let start = Instant::now();
    let store = if plaintext {
        plaintext_store(locked, unlocked)
    } else {
        locked.into_store(unlocked).expect("load")
    };
    let loaded = start.elapsed();
    let app = App::new(store, Lang::Vi, Theme { color: true });
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
    terminal.draw(|f| render(&app, f)).expect("draw");
    (loaded, start.elapsed())
}

#[cfg(feature = "plaintext-measure")]
fn plaintext_store(locked: Locked, unlocked: sinhke::store::Unlocked) -> Store {
    locked
        .into_plaintext_store_for_measurement(unlocked)
        .expect("plaintext")
}

#[cfg(not(feature = "plaintext-measure"))]
fn plaintext_store(_: Locked, _: sinhke::store::Unlocked) -> Store {
    unreachable!("plaintext runs only with the plaintext-measure feature")
}

fn create(dir: &Path, plaintext: bool) -> Duration {
    let start = Instant::now();
    let locked = Locked::open(dir, OpenMode::CreateIfMissing)
        .expect("open")
        .with_kdf_for_new(KdfParams::TEST);
    let unlocked = locked.sign_in(&credentials()).expect("sign in");
    let mut store = if plaintext {
        plaintext_store(locked, unlocked)
    } else {
        locked.into_store(unlocked).expect("create")
    };
    store.set_today(today());
    store
        .fill_empty(sinhke::demo::generate(people(), 1, today()))
        .expect("demo");
    start.elapsed()
}

fn saves(dir: &Path, plaintext: bool) -> Duration {
    let locked = Locked::open(dir, OpenMode::MustExist).expect("open");
    let unlocked = locked.sign_in(&credentials()).expect("sign in");
    let mut store = if plaintext {
        plaintext_store(locked, unlocked)
    } else {
        locked.into_store(unlocked).expect("load")
    };
    store.set_today(today());
    let ids: Vec<_> = store.snapshot().people.keys().take(40).copied().collect();
    let mut times = Vec::new();
    for (n, id) in ids.into_iter().enumerate() {
        let mut person = store.snapshot().people[&id].clone();
        person.phone = format!("0912 000 {n:03}");
        let start = Instant::now();
        store.save_person(person).expect("save");
        times.push(start.elapsed());
    }
    median(times)
}

fn measure(label: &str, plaintext: bool) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("db");
    println!(
        "{label}: create with {} people: {}",
        people(),
        ms(create(&dir, plaintext))
    );
    let runs: Vec<_> = (0..RUNS)
        .map(|_| open_to_first_frame(&dir, plaintext))
        .collect();
    println!(
        "{label}: passphrase accepted -> loaded: {} (median of {RUNS})",
        ms(median(runs.iter().map(|r| r.0).collect()))
    );
    println!(
        "{label}: passphrase accepted -> first frame: {} (median of {RUNS})",
        ms(median(runs.iter().map(|r| r.1).collect()))
    );
    println!(
        "{label}: save a person: {} (median of 40)",
        ms(saves(&dir, plaintext))
    );
    if !plaintext {
        let file = tmp.path().join("b.backup");
        let mut store = Store::open(&dir, OpenMode::MustExist, &credentials()).expect("open");
        let start = Instant::now();
        store.backup_to(&file).expect("backup");
        println!("{label}: backup: {}", ms(start.elapsed()));
        drop(store);
        let size = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
        println!("{label}: backup file: {:.1} MB", size as f64 / 1e6);
        let start = Instant::now();
        sinhke::store::restore(&file, &tmp.path().join("restored"), &credentials(), false)
            .expect("restore");
        println!(
            "{label}: restore (verify + check + swap): {}",
            ms(start.elapsed())
        );
    }
}

fn kdf() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("db");
    let start = Instant::now();
    let locked = Locked::open(&dir, OpenMode::CreateIfMissing).expect("open");
    let unlocked = locked.sign_in(&credentials()).expect("wrap");
    println!("KDF default (wrap the first slot): {}", ms(start.elapsed()));
    drop(locked.into_store(unlocked).expect("create"));
    let times = (0..3)
        .map(|_| {
            let locked = Locked::open(&dir, OpenMode::MustExist).expect("open");
            let start = Instant::now();
            locked.sign_in(&credentials()).expect("sign in");
            start.elapsed()
        })
        .collect();
    println!("KDF default (sign in): {} (median of 3)", ms(median(times)));
}

fn main() {
    // cargo bench passes --bench; anything else (a filter) is ignored.
    kdf();
    measure("encrypted", false);
    if cfg!(feature = "plaintext-measure") {
        measure("plaintext", true);
    }
}
