//! Whole-process figures of the terminal program at 10,000 demo people: from starting the
//! binary in a pseudo-terminal to its first frame (the dashboard) on screen, and the
//! peak resident memory (VmHWM, Linux) then and after visiting every screen. The database is made with the cheap
//! test key derivation, so the ~0.45 s of the real one (outside every budget) is not in
//! the figure. Run: cargo bench --bench first_frame

mod common;

use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const RUNS: usize = 7;

fn people() -> usize {
    std::env::var("SINHKE_BENCH_PEOPLE")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(10_000)
}

/// Peak resident memory of a process, in KiB.
fn peak_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

fn one_run(db: &std::path::Path) -> (Duration, Option<u64>, Option<u64>) {
    let pty = native_pty_system();
    let pair = pty
        .openpty(PtySize {
            rows: 40,
            cols: 120,
            pixel_width: 0,
            pixel_height: 0,
        })
        .expect("pty");
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_sinhke"));
    cmd.args(["--db", db.to_str().expect("path"), "--lang", "en"]);
    cmd.env("TERM", "xterm-256color");
    cmd.env("SINHKE_USER", "bench");
    cmd.env("SINHKE_PASSPHRASE", "bench passphrase");
    cmd.env("SINHKE_TODAY", "2025-06-01");
    let start = Instant::now();
    let mut child = pair.slave.spawn_command(cmd).expect("spawn");
    drop(pair.slave);
    let mut reader = pair.master.try_clone_reader().expect("reader");
    let mut writer = pair.master.take_writer().expect("writer");
    let screen = Arc::new(Mutex::new(vt100::Parser::new(40, 120, 0)));
    let feed = Arc::clone(&screen);
    std::thread::spawn(move || {
        let mut buf = [0u8; 16384];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            if let Ok(mut p) = feed.lock() {
                p.process(&buf[..n]);
            }
        }
    });
    let first_frame = loop {
        if screen
            .lock()
            .map(|p| p.screen().contents().contains("People: "))
            .unwrap_or(false)
        {
            break start.elapsed();
        }
        assert!(start.elapsed() < Duration::from_secs(30), "no first frame");
        std::thread::sleep(Duration::from_millis(1));
    };
    std::thread::sleep(Duration::from_millis(200));
    let pid = child.process_id();
    let at_first_frame = pid.and_then(peak_kib);
    // Then as an officer uses it: every screen once (the work list and the people list
    // build their rows on first view), and a search.
    for key in [
        b"2", b"3", b"4", b"5", b"6", b"1", b"2", b"/", b"n", b"g", b"u",
    ] {
        let _ = writer.write_all(key);
        std::thread::sleep(Duration::from_millis(150));
    }
    let after_tour = pid.and_then(peak_kib);
    let _ = writer.write_all(b"\x1b");
    std::thread::sleep(Duration::from_millis(100));
    let _ = writer.write_all(b"q");
    std::thread::sleep(Duration::from_millis(200));
    let _ = writer.write_all(b"n");
    let _ = child.wait();
    (first_frame, at_first_frame, after_tour)
}

fn main() {
    // SINHKE_BENCH_DB: a database made elsewhere (the consolidated one of `sync`).
    let db = std::env::var_os("SINHKE_BENCH_DB")
        .map(|p| std::fs::canonicalize(p).expect("SINHKE_BENCH_DB"))
        .unwrap_or_else(|| common::demo_db(people()));
    let mut frames = Vec::new();
    let mut at_first_frame = Vec::new();
    let mut after_tour = Vec::new();
    let _ = one_run(&db); // warm-up: the file cache, as on a laptop that opened it before
    for _ in 0..RUNS {
        let (frame, first, tour) = one_run(&db);
        frames.push(frame);
        at_first_frame.extend(first);
        after_tour.extend(tour);
        std::thread::sleep(Duration::from_millis(100));
    }
    frames.sort();
    let ms = |d: &Duration| d.as_secs_f64() * 1000.0;
    println!(
        "first_frame/{}: median {:.0} ms (min {:.0}, max {:.0}) over {RUNS} runs",
        people(),
        ms(&frames[RUNS / 2]),
        ms(&frames[0]),
        ms(&frames[RUNS - 1])
    );
    report_peak("peak_memory_at_first_frame", &mut at_first_frame);
    report_peak("peak_memory_after_every_screen", &mut after_tour);
}

fn report_peak(name: &str, peaks: &mut [u64]) {
    peaks.sort();
    if let (Some(min), Some(max)) = (peaks.first(), peaks.last()) {
        println!(
            "{name}/{}: median {:.1} MiB (min {:.1}, max {:.1})",
            people(),
            peaks[peaks.len() / 2] as f64 / 1024.0,
            *min as f64 / 1024.0,
            *max as f64 / 1024.0
        );
    }
}
