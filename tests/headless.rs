//! The headless commands as a script would use them: demo, stats, check, wards, and
//! the errors for missing, locked and damaged databases.

mod common;
use common::*;

fn stat(text: &str, name: &str) -> usize {
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{name}: ")))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no {name} in {text}"))
}

#[test]
fn demo_then_stats_then_check() {
    let (_dir, db) = demo_db(500);
    let stats = ok(&db, &["stats"]);
    assert_eq!(stat(&stats, "people"), 500);
    assert!(stat(&stats, "plans") > 150);
    assert!(stat(&stats, "grants") > 150);
    // Every grant is followed up: livelihoods four times, a card or a desk less often.
    assert!(stat(&stats, "milestones") >= 2 * stat(&stats, "grants"));
    assert_eq!(ok(&db, &["check"]).trim(), "ok");
}

#[test]
fn demo_is_deterministic_for_a_seed() {
    let (_a, db_a) = demo_db(80);
    let (_b, db_b) = demo_db(80);
    let a = open_store(&db_a);
    let b = open_store(&db_b);
    assert_eq!(a.snapshot().people, b.snapshot().people);
    assert_eq!(a.snapshot().grants, b.snapshot().grants);
    assert_eq!(a.snapshot().milestones, b.snapshot().milestones);
}

#[test]
fn demo_refuses_a_database_that_holds_records() {
    let (_dir, db) = demo_db(20);
    let before = ok(&db, &["stats"]);
    let out = run(&db, &["demo", "--people", "5"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("already holds records"),
        "{}",
        stderr(&out)
    );
    assert_eq!(ok(&db, &["stats"]), before, "left untouched");
}

#[test]
fn a_missing_database_is_a_one_line_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = run(&dir.path().join("nowhere"), &["stats"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("No sinhke database at"), "{err}");
}

#[test]
fn a_database_open_elsewhere_is_refused_clearly() {
    let (_dir, db) = demo_db(10);
    let _held = open_store(&db);
    let out = run(&db, &["stats"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("already open in another window"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn messages_come_in_vietnamese_by_default() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = sinhke(&dir.path().join("nowhere"))
        .env("SINHKE_LANG", "vi")
        .arg("stats")
        .output()
        .expect("run");
    assert!(
        stderr(&out).contains("Không có cơ sở dữ liệu sinhke"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_damaged_database_gets_a_message_never_a_panic() {
    let (_dir, db) = demo_db(30);
    let file = db.join("db");
    let mut bytes = std::fs::read(&file).expect("read");
    let len = bytes.len();
    for b in &mut bytes[len / 3..len / 3 + 4096.min(len / 3)] {
        *b ^= 0x5a;
    }
    std::fs::write(&file, &bytes).expect("write");
    for cmd in ["stats", "check"] {
        let out = run(&db, &[cmd]);
        assert_ne!(
            out.status.code(),
            Some(101),
            "{cmd} panicked: {}",
            stderr(&out)
        );
        assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
        if !out.status.success() {
            assert!(!stderr(&out).is_empty(), "{cmd} failed silently");
        }
    }
    let out = run(&db, &["check"]);
    assert!(!out.status.success() || stdout(&out).trim() == "ok");
}

#[test]
fn a_truncated_database_gets_a_message_never_a_panic() {
    let (_dir, db) = demo_db(30);
    let file = db.join("db");
    let len = std::fs::metadata(&file).expect("meta").len();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&file)
        .expect("open")
        .set_len(len / 2)
        .expect("truncate");
    let out = run(&db, &["check"]);
    assert_ne!(out.status.code(), Some(101), "{}", stderr(&out));
    assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
}

#[test]
fn wards_are_added_and_listed_and_bad_codes_refused() {
    let (_dir, db) = cao_thang_only();
    assert!(ok(&db, &["wards", "list"]).contains("CT\tCao Thắng"));
    let out = run(
        &db,
        &["wards", "add", "--code", "cao thang!", "--name", "x"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("capital letters"), "{}", stderr(&out));
}

#[test]
fn every_command_has_help_and_there_is_a_version() {
    let out = std::process::Command::new(bin())
        .arg("--version")
        .output()
        .expect("run");
    assert!(stdout(&out).starts_with("sinhke "));
    for cmd in ["demo", "stats", "check", "wards"] {
        let out = std::process::Command::new(bin())
            .args([cmd, "--help"])
            .output()
            .expect("run");
        assert!(
            out.status.success() && stdout(&out).contains("--db"),
            "{cmd} --help"
        );
    }
}

/// `sinhke audit | head -1`: the reader goes away early; the command must stop quietly,
/// not panic about a broken pipe.
#[cfg(unix)]
#[test]
fn output_piped_into_a_reader_that_stops_early_ends_quietly() {
    use std::io::Read;
    use std::process::Stdio;
    let (_dir, db) = demo_db(400); // a trail longer than a pipe holds (64 KiB)
    let mut child = sinhke(&db)
        .arg("audit")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut first = [0u8; 16];
    let mut out = child.stdout.take().expect("stdout");
    out.read_exact(&mut first).expect("some output");
    drop(out); // as `head` does once it has its lines
    let mut err = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut err)
        .expect("stderr");
    child.wait().expect("wait");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn index_damage_is_named_as_such_and_check_repair_mends_it() {
    let (_dir, db) = demo_db(15);
    let before = ok(&db, &["stats"]);
    {
        let sled = sled::open(&db).expect("open sled");
        let index = sled.open_tree("idx_ward").expect("tree");
        let (first, _) = index.iter().next().expect("entry").expect("read");
        index.remove(first).expect("remove");
        sled.flush().expect("flush");
    }
    let out = run(&db, &["check"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("check --repair"), "{}", stderr(&out));
    let fixed = ok(&db, &["check", "--repair"]);
    assert!(fixed.contains("1 added"), "{fixed}");
    assert!(fixed.trim_end().ends_with("ok"), "{fixed}");
    assert_eq!(ok(&db, &["stats"]), before);
    assert!(ok(&db, &["audit"]).contains("repair_indexes"));
}

#[cfg(target_os = "linux")]
#[test]
fn output_that_cannot_be_written_is_a_message_not_a_panic() {
    let (_dir, db) = demo_db(5);
    let full = std::fs::File::create("/dev/full").expect("/dev/full");
    let out = sinhke(&db).arg("audit").stdout(full).output().expect("run");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
    assert!(stderr(&out).contains("No space left"), "{}", stderr(&out));
}

#[test]
fn adding_a_ward_whose_code_exists_is_refused_and_an_edit_keeps_the_code() {
    let (_dir, db) = cao_thang_only();
    let out = run(
        &db,
        &["wards", "add", "--code", "ct", "--name", "Tuần Châu"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("A ward with this code exists already"),
        "{}",
        stderr(&out)
    );
    assert!(ok(&db, &["wards", "list"]).contains("CT\tCao Thắng\t\tQuảng Ninh"));
    let edited = ok(
        &db,
        &["wards", "edit", "--code", "CT", "--district", "Hạ Long"],
    );
    assert!(edited.contains("Ward CT (Cao Thắng) changed"), "{edited}");
    assert!(ok(&db, &["wards", "list"]).contains("CT\tCao Thắng\tHạ Long\tQuảng Ninh"));
    let out = run(&db, &["wards", "edit", "--code", "ZZ", "--name", "x"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("No such ward"), "{}", stderr(&out));
    let out = run(
        &db,
        &[
            "wards",
            "add",
            "--code",
            "TC",
            "--name",
            "Tuần\u{1b}[2JChâu",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "a control character is refused");
    assert!(!ok(&db, &["wards", "list"]).contains("TC"));
}

/// `people mark-error CODE` takes a person out of every export and summary; the audit
/// trail keeps it; `people restore CODE` puts them back.
#[test]
fn a_person_marked_entered_in_error_leaves_the_exports_and_restore_brings_them_back() {
    let (dir, db) = demo_db(20);
    let code = open_store(&db)
        .snapshot()
        .people
        .values()
        .next()
        .expect("someone")
        .code
        .clone();
    let export = |name: &str| {
        let out = dir.path().join(name);
        ok(
            &db,
            &["export", "people", "--out", out.to_str().expect("path")],
        );
        std::fs::read_to_string(out).expect("csv")
    };
    let before = export("before.csv");
    assert!(before.contains(&code));
    let said = ok(&db, &["people", "mark-error", &code]);
    assert!(said.contains(&code), "{said}");
    let after = export("after.csv");
    assert!(!after.contains(&code), "{after}");
    assert_eq!(after.lines().count() + 1, before.lines().count());
    assert!(ok(&db, &["audit"]).contains("mark_entered_in_error"));
    ok(&db, &["people", "restore", &code]);
    assert_eq!(export("restored.csv"), before);
    let out = run(&db, &["people", "mark-error", "ZZ-9999"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("ZZ-9999"), "{}", stderr(&out));
    assert_eq!(ok(&db, &["check"]).trim(), "ok");
}

/// A new database holding one ward, Cao Thắng (CT), in Quảng Ninh.
fn cao_thang_only() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("db");
    ok(
        &db,
        &[
            "wards",
            "add",
            "--code",
            "CT",
            "--name",
            "Cao Thắng",
            "--province",
            "Quảng Ninh",
        ],
    );
    (dir, db)
}
