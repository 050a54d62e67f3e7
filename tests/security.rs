//! Issue 6 end to end, through the real binary: passphrases, users and roles, the audit
//! trail, backup and restore.

mod common;
use common::*;
use std::path::Path;

fn with_env(db: &Path, args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let mut cmd = sinhke(db);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.args(args).output().expect("run sinhke")
}

#[test]
fn a_wrong_passphrase_is_one_clear_line_in_the_users_language_and_changes_nothing() {
    let (_dir, db) = demo_db(20);
    let before = ok(&db, &["stats"]);
    for (lang, text) in [("en", "Wrong passphrase"), ("vi", "Sai mật khẩu")] {
        let out = with_env(
            &db,
            &["stats"],
            &[
                ("SINHKE_PASSPHRASE", "not it at all"),
                ("SINHKE_LANG", lang),
            ],
        );
        assert_eq!(out.status.code(), Some(1));
        let err = stderr(&out);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains(text), "{err}");
    }
    assert_eq!(ok(&db, &["stats"]), before);
}

#[test]
fn a_passphrase_file_works_and_a_missing_passphrase_is_explained() {
    let (dir, db) = demo_db(5);
    let file = dir.path().join("pass.txt");
    std::fs::write(&file, format!("{PASSPHRASE}\n")).expect("write");
    let out = sinhke(&db)
        .env_remove("SINHKE_PASSPHRASE")
        .args(["--passphrase-file", file.to_str().expect("path"), "stats"])
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", stderr(&out));
    let out = sinhke(&db)
        .env_remove("SINHKE_PASSPHRASE")
        .arg("stats")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("SINHKE_PASSPHRASE"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn the_first_user_is_a_supervisor_who_adds_an_officer_who_may_not_manage_users() {
    let (_dir, db) = demo_db(5);
    assert_eq!(
        ok(&db, &["users", "list"]).trim(),
        format!("{USER}\tsupervisor\tall wards")
    );
    let new = [("SINHKE_NEW_PASSPHRASE", "officer passphrase")];
    let out = with_env(&db, &["users", "add", "Trần Văn Nam", "--ward", "CT"], &new);
    assert!(out.status.success(), "{}", stderr(&out));
    let list = ok(&db, &["users", "list"]);
    assert!(list.contains("Trần Văn Nam\tofficer\tCT"), "{list}");

    let as_officer = [
        ("SINHKE_USER", "Trần Văn Nam"),
        ("SINHKE_PASSPHRASE", "officer passphrase"),
        ("SINHKE_NEW_PASSPHRASE", "another passphrase"),
    ];
    let out = with_env(&db, &["users", "add", "Someone"], &as_officer);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("Only a supervisor"),
        "{}",
        stderr(&out)
    );
    // Their own passphrase, yes.
    let out = with_env(&db, &["users", "passwd"], &as_officer);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = with_env(&db, &["stats"], &as_officer);
    assert!(
        stderr(&out).contains("Wrong passphrase"),
        "the old one is gone"
    );

    let out = with_env(&db, &["users", "remove", "Trần Văn Nam"], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!ok(&db, &["users", "list"]).contains("Nam"));
}

#[test]
fn the_audit_trail_names_who_did_what_and_filters_by_day() {
    let (_dir, db) = demo_db(5);
    ok(
        &db,
        &["wards", "add", "--code", "NX", "--name", "Nghi Xuân"],
    );
    let trail = ok(&db, &["audit"]);
    assert!(
        trail.contains(&format!("{USER}\tcreate_database")),
        "{trail}"
    );
    assert!(trail.contains(&format!("{USER}\tdemo")), "{trail}");
    assert!(
        trail.contains("add_ward") && trail.contains("wards NX\tcreated"),
        "{trail}"
    );
    assert!(
        ok(&db, &["audit", "--since", "2999-01-01"])
            .trim()
            .is_empty()
    );
    assert_eq!(ok(&db, &["check"]).trim(), "ok");
}

#[test]
fn backup_then_restore_into_an_empty_folder_gives_the_same_stats_and_passes_check() {
    let (dir, db) = demo_db(120);
    let file = dir.path().join("usb").join("sinhke.backup");
    std::fs::create_dir_all(file.parent().expect("parent")).expect("mkdir");
    let out = backup_to(&db, &file);
    assert!(out.contains("Backup written"), "{out}");
    let restored = dir.path().join("restored");
    let out = ok(&restored, &["restore", file.to_str().expect("path")]);
    assert!(out.contains("120 people"), "{out}");
    assert_eq!(ok(&restored, &["stats"]), ok(&db, &["stats"]));
    assert_eq!(ok(&restored, &["check"]).trim(), "ok");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .expect("read")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".sinhke-") || n.ends_with(".partial"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn a_truncated_backup_is_refused_and_nothing_is_replaced() {
    let (dir, db) = demo_db(30);
    let file = dir.path().join("b.backup");
    backup_to(&db, &file);
    let bytes = std::fs::read(&file).expect("read");
    let cut = dir.path().join("cut.backup");
    std::fs::write(&cut, &bytes[..bytes.len() - 40]).expect("write");
    let empty = dir.path().join("empty");
    let out = run(&empty, &["restore", cut.to_str().expect("path")]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("cannot be used"), "{}", stderr(&out));
    assert!(!empty.exists() || std::fs::read_dir(&empty).expect("dir").next().is_none());

    let mut flipped = bytes.clone();
    let middle = flipped.len() / 2;
    flipped[middle] ^= 1;
    std::fs::write(&cut, &flipped).expect("write");
    let before = ok(&db, &["stats"]);
    let out = run(&db, &["restore", "--force", cut.to_str().expect("path")]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert_eq!(ok(&db, &["stats"]), before, "the database is untouched");
}

#[test]
fn restore_replaces_a_database_only_with_force() {
    let (dir, db) = demo_db(10);
    let file = dir.path().join("b.backup");
    backup_to(&db, &file);
    let (_other_dir, other) = demo_db(25);
    let out = run(&other, &["restore", file.to_str().expect("path")]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("--force"), "{}", stderr(&out));
    assert!(ok(&other, &["stats"]).contains("people: 25"));
    ok(
        &other,
        &["restore", "--force", file.to_str().expect("path")],
    );
    assert!(ok(&other, &["stats"]).contains("people: 10"));
    assert_eq!(ok(&other, &["check"]).trim(), "ok");
}

#[test]
fn backup_of_a_database_open_in_the_program_says_where_to_make_it() {
    let (dir, db) = demo_db(5);
    let _held = open_store(&db);
    let file = dir.path().join("b.backup");
    let out = run(&db, &["backup", "--out", file.to_str().expect("path")]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("from inside the program"),
        "{}",
        stderr(&out)
    );
}

/// A backup file taken apart and put back together as someone without the key could:
/// its frames, and a writer that recomputes the plain checksum (not the sealed one).
mod backup_file {
    use sha2::{Digest, Sha256};

    pub struct Parts {
        pub head: Vec<u8>,
        pub frames: Vec<(String, Vec<u8>, Vec<u8>)>,
        pub seal: Vec<u8>,
    }

    fn take<'a>(bytes: &mut &'a [u8], n: usize) -> &'a [u8] {
        let (a, b) = bytes.split_at(n);
        *bytes = b;
        a
    }

    fn len32(bytes: &mut &[u8]) -> usize {
        u32::from_le_bytes(take(bytes, 4).try_into().expect("4 bytes")) as usize
    }

    pub fn parse(file: &[u8]) -> Parts {
        let mut rest = file;
        let head = take(&mut rest, 16).to_vec();
        let mut frames = Vec::new();
        loop {
            let n = take(&mut rest, 1)[0];
            if n == 0xFF {
                break;
            }
            let tree = String::from_utf8(take(&mut rest, n as usize).to_vec()).expect("name");
            let k = len32(&mut rest);
            let key = take(&mut rest, k).to_vec();
            let v = len32(&mut rest);
            let value = take(&mut rest, v).to_vec();
            frames.push((tree, key, value));
        }
        take(&mut rest, 8 + 32);
        let n = take(&mut rest, 1)[0] as usize;
        let seal = take(&mut rest, n).to_vec();
        Parts { head, frames, seal }
    }

    /// The file again, with a correct plain checksum; `keyed` keeps format 2 and the
    /// old sealed digest, else it claims format 1 (no sealed digest at all).
    pub fn write(parts: &Parts, keyed: bool) -> Vec<u8> {
        let mut out = parts.head.clone();
        if !keyed {
            out[14] = 1;
        }
        for (tree, key, value) in &parts.frames {
            out.push(tree.len() as u8);
            out.extend_from_slice(tree.as_bytes());
            out.extend_from_slice(&(key.len() as u32).to_le_bytes());
            out.extend_from_slice(key);
            out.extend_from_slice(&(value.len() as u32).to_le_bytes());
            out.extend_from_slice(value);
        }
        out.push(0xFF);
        out.extend_from_slice(&(parts.frames.len() as u64).to_le_bytes());
        let digest = Sha256::digest(&out);
        out.extend_from_slice(&digest);
        if keyed {
            out.push(parts.seal.len() as u8);
            out.extend_from_slice(&parts.seal);
        }
        out
    }
}

#[test]
fn an_officer_cannot_wipe_the_real_database_by_restoring_a_backup_of_their_own() {
    let (dir, db) = demo_db(20);
    let new = [("SINHKE_NEW_PASSPHRASE", "officer passphrase")];
    let out = with_env(&db, &["users", "add", "Trần Văn Nam", "--ward", "CT"], &new);
    assert!(out.status.success(), "{}", stderr(&out));
    let officer = [
        ("SINHKE_USER", "Trần Văn Nam"),
        ("SINHKE_PASSPHRASE", "officer passphrase"),
    ];
    // Their own database, where they are the first user and so a supervisor.
    let own = dir.path().join("own");
    assert!(
        with_env(
            &own,
            &["wards", "add", "--code", "CT", "--name", "Cao Thắng"],
            &officer
        )
        .status
        .success()
    );
    let file = dir.path().join("own.backup");
    let out = with_env(
        &own,
        &["backup", "--out", file.to_str().expect("path")],
        &officer,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let before = ok(&db, &["stats"]);
    let out = with_env(
        &db,
        &["restore", "--force", file.to_str().expect("path")],
        &officer,
    );
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(stderr(&out).contains("supervisor"), "{}", stderr(&out));
    assert_eq!(
        ok(&db, &["stats"]),
        before,
        "the real database is untouched"
    );
    assert_eq!(ok(&db, &["check"]).trim(), "ok");
}

#[test]
fn a_backup_whose_trail_was_cut_without_the_key_is_refused() {
    let (dir, db) = demo_db(10);
    let older = dir.path().join("older.backup");
    backup_to(&db, &older);
    let csv = dir.path().join("names.csv");
    export_names_to(&db, &csv);
    let newer = dir.path().join("newer.backup");
    backup_to(&db, &newer);

    // Remove the entries after the older backup and put its audit head back.
    let old_parts = backup_file::parse(&std::fs::read(&older).expect("read"));
    let mut parts = backup_file::parse(&std::fs::read(&newer).expect("read"));
    let old_audit: std::collections::BTreeSet<Vec<u8>> = old_parts
        .frames
        .iter()
        .filter(|f| f.0 == "audit")
        .map(|f| f.1.clone())
        .collect();
    parts
        .frames
        .retain(|f| f.0 != "audit" || old_audit.contains(&f.1));
    let old_head = old_parts
        .frames
        .iter()
        .find(|f| f.0 == "meta" && f.1 == b"audit_head")
        .expect("head")
        .clone();
    for f in parts.frames.iter_mut() {
        if f.0 == "meta" && f.1 == b"audit_head" {
            *f = old_head.clone();
        }
    }
    let before = ok(&db, &["stats"]);
    for keyed in [true, false] {
        let cut = dir.path().join("cut.backup");
        std::fs::write(&cut, backup_file::write(&parts, keyed)).expect("write");
        let out = run(&db, &["restore", "--force", cut.to_str().expect("path")]);
        assert_eq!(
            out.status.code(),
            Some(1),
            "keyed {keyed}: {}",
            stdout(&out)
        );
        assert!(stderr(&out).contains("cannot be used"), "{}", stderr(&out));
        assert_eq!(ok(&db, &["stats"]), before);
    }
    // The same file untouched is accepted: the test can fail.
    let whole = dir.path().join("whole.backup");
    std::fs::write(&whole, backup_file::write(&parts_of(&newer), true)).expect("write");
    ok(&db, &["restore", "--force", whole.to_str().expect("path")]);
}

fn parts_of(path: &Path) -> backup_file::Parts {
    backup_file::parse(&std::fs::read(path).expect("read"))
}

#[test]
fn restoring_an_older_backup_keeps_the_audit_entries_made_after_it() {
    let (dir, db) = demo_db(10);
    let file = dir.path().join("b.backup");
    backup_to(&db, &file);
    let csv = dir.path().join("names.csv");
    export_names_to(&db, &csv);
    ok(&db, &["restore", "--force", file.to_str().expect("path")]);
    let trail = ok(&db, &["audit"]);
    let exports: Vec<&str> = trail.lines().filter(|l| l.contains("export")).collect();
    assert_eq!(exports.len(), 1, "{trail}");
    assert!(exports[0].contains("carried over"), "{trail}");
    assert!(
        trail.lines().last().expect("line").contains("restore"),
        "{trail}"
    );
    assert_eq!(ok(&db, &["check"]).trim(), "ok");
}

#[test]
fn a_missing_backup_file_is_named_as_missing() {
    let (dir, db) = demo_db(3);
    let out = run(
        &db,
        &[
            "restore",
            "--force",
            dir.path().join("nope.backup").to_str().expect("path"),
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("no backup file"), "{}", stderr(&out));
}
