//! Environment faults: a full disk, a read-only disk, a missing file. Each gets a clear
//! message naming what to do, a non-zero exit, never a panic, and no saved record lost.
//! The disk faults use small tmpfs mounts, which need root (as CI has here); elsewhere
//! those tests say so and check nothing.

mod common;
use common::*;
#[cfg(target_os = "linux")]
use std::path::PathBuf;
#[cfg(target_os = "linux")]
use std::process::Command;

/// A tmpfs of `size` mounted for the test, unmounted when dropped.
#[cfg(target_os = "linux")]
struct SmallDisk {
    dir: tempfile::TempDir,
}

#[cfg(target_os = "linux")]
impl SmallDisk {
    fn mount(size: &str) -> Option<SmallDisk> {
        let dir = tempfile::tempdir().ok()?;
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            eprintln!("skipped: mounting a tmpfs needs root");
            return None;
        }
        Some(SmallDisk { dir })
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn remount_read_only(&self) {
        let ok = Command::new("mount")
            .args(["-o", "remount,ro"])
            .arg(self.dir.path())
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "remount read-only");
    }
}

#[cfg(target_os = "linux")]
impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.dir.path()).status();
    }
}

fn assert_clean_failure(out: &std::process::Output, expected: &str) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains(expected), "expected {expected:?} in: {err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
#[cfg(target_os = "linux")]
fn a_full_disk_is_named_and_loses_nothing_saved() {
    let Some(disk) = SmallDisk::mount("3m") else {
        return;
    };
    let kept = disk.path("ward");
    ok(
        &kept,
        &["wards", "add", "--code", "CT", "--name", "Cao Thắng"],
    );
    // Another database eats the rest of the disk.
    let hog = disk.path("hog");
    let out = run(&hog, &["demo", "--people", "3000"]);
    assert_clean_failure(&out, "disk is full");
    assert!(stderr(&out).contains("Free some space"));
    // Once space is freed, what was saved before is all there.
    std::fs::remove_dir_all(&hog).expect("free space");
    assert!(ok(&kept, &["stats"]).contains("wards: 1"));
    assert_eq!(ok(&kept, &["check"]).trim(), "ok");
}

#[test]
#[cfg(target_os = "linux")]
fn an_interrupted_fill_on_a_full_disk_is_undone_once_there_is_room() {
    let Some(disk) = SmallDisk::mount("3m") else {
        return;
    };
    let db = disk.path("db");
    let out = run(&db, &["demo", "--people", "3000"]);
    assert_clean_failure(&out, "disk is full");
    // Copy the half-written database somewhere with room, and open it there.
    let roomy = tempfile::tempdir().expect("tempdir");
    copy_dir(&db, &roomy.path().join("db"));
    drop(disk);
    let db = roomy.path().join("db");
    let stats = ok(&db, &["stats"]);
    assert!(
        stats.contains("people: 0") && stats.contains("wards: 0"),
        "all or nothing: {stats}"
    );
    assert_eq!(ok(&db, &["check"]).trim(), "ok");
}

#[test]
#[cfg(target_os = "linux")]
fn a_read_only_disk_can_be_read_checked_exported_and_backed_up_but_not_changed() {
    let Some(disk) = SmallDisk::mount("8m") else {
        return;
    };
    let db = disk.path("db");
    ok(&db, &["demo", "--people", "20"]);
    let before = ok(&db, &["stats"]);
    disk.remount_read_only();
    // A CD or a locked stick: read, checked, exported and backed up from a copy.
    assert_eq!(ok(&db, &["stats"]), before);
    assert_eq!(ok(&db, &["check"]).trim(), "ok");
    let elsewhere = tempfile::tempdir().expect("tempdir");
    let csv = elsewhere.path().join("people.csv");
    ok(
        &db,
        &["export", "people", "--out", csv.to_str().expect("path")],
    );
    assert!(std::fs::read_to_string(&csv).expect("csv").contains("CT-"));
    let backup = elsewhere.path().join("b.backup");
    backup_to(&db, &backup);
    let restored = elsewhere.path().join("restored");
    ok(&restored, &["restore", backup.to_str().expect("path")]);
    assert_eq!(ok(&restored, &["stats"]), before);
    // What would change it, or would have to be recorded, is refused and says why.
    let names = run(&db, &export_names_args(&csv));
    assert_clean_failure(&names, "cannot be written");
    let add = run(&db, &["wards", "add", "--code", "ZZ", "--name", "Mới"]);
    assert_clean_failure(&add, "cannot be written");
}

#[test]
fn a_missing_file_is_damage_with_a_way_out_not_a_new_database() {
    let (_dir, db) = demo_db(20);
    std::fs::remove_file(db.join("db")).expect("remove");
    for args in [&["stats"][..], &["check"], &["demo"]] {
        let out = run(&db, args);
        assert_clean_failure(&out, "is damaged");
        assert!(stderr(&out).contains("Restore it from your latest backup"));
    }
    assert!(
        !db.join("db").exists(),
        "nothing was created over the damaged folder"
    );
}

#[test]
fn a_flipped_byte_anywhere_never_panics_and_check_names_the_damage() {
    let (_dir, db) = demo_db(40);
    let file = db.join("db");
    let original = std::fs::read(&file).expect("read");
    for at in [
        original.len() / 5,
        original.len() / 2,
        original.len() * 4 / 5,
    ] {
        let mut bytes = original.clone();
        bytes[at] ^= 0x20;
        std::fs::write(&file, &bytes).expect("write");
        let out = run(&db, &["check"]);
        assert_ne!(out.status.code(), Some(101), "{}", stderr(&out));
        assert!(!stderr(&out).contains("panicked"));
        if !out.status.success() {
            assert!(!stderr(&out).is_empty(), "a failed check says why");
        }
    }
}

/// What sinhke may never touch while it replaces or upgrades a database: a file
/// elsewhere that a link in the database folder points to, a folder a link points to,
/// and a hard-linked copy of a database file (as backup tools make).
#[cfg(unix)]
mod links_in_the_database_folder {
    use super::*;
    use std::path::Path;

    const PRECIOUS: &str = "a file of the officer's own, not sinhke's";

    fn precious(path: &Path) {
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, PRECIOUS).expect("write");
    }

    fn untouched(path: &Path) {
        assert_eq!(
            std::fs::read_to_string(path).expect("still there"),
            PRECIOUS,
            "{} was changed",
            path.display()
        );
    }

    fn backup_of(dir: &Path, db: &Path) -> String {
        let file = dir.join("b.backup");
        ok(db, &["backup", "--out", file.to_str().expect("path")]);
        file.to_string_lossy().into_owned()
    }

    #[test]
    fn a_restore_over_a_folder_holding_a_link_or_a_stranger_stops_and_changes_nothing() {
        let (dir, db) = demo_db(8);
        let file = backup_of(dir.path(), &db);
        let outside = dir.path().join("elsewhere").join("notes.txt");
        precious(&outside);
        let before = ok(&db, &["stats"]);
        for planted in ["link", "folder-link", "stranger"] {
            let at = db.join(planted);
            match planted {
                "link" => std::os::unix::fs::symlink(&outside, &at).expect("symlink"),
                "folder-link" => {
                    std::os::unix::fs::symlink(outside.parent().expect("p"), &at).expect("symlink")
                }
                _ => std::fs::write(&at, "someone's file").expect("write"),
            }
            let out = run(&db, &["restore", "--force", &file]);
            assert_clean_failure(&out, "was not made by sinhke");
            untouched(&outside);
            assert!(std::fs::symlink_metadata(&at).is_ok(), "{planted} kept");
            assert_eq!(ok(&db, &["stats"]), before);
            std::fs::remove_file(&at).expect("unplant");
        }
        // With the folder clean again, the restore goes through: the test can fail.
        ok(&db, &["restore", "--force", &file]);
        untouched(&outside);
    }

    #[test]
    fn a_hard_linked_copy_of_the_database_survives_a_restore_whole() {
        let (dir, db) = demo_db(8);
        let file = backup_of(dir.path(), &db);
        let copy = dir.path().join("backup-tool-copy-of-db");
        std::fs::hard_link(db.join("db"), &copy).expect("hard link");
        let before = std::fs::read(&copy).expect("read");
        assert!(before.iter().any(|&b| b != 0));
        ok(&db, &["restore", "--force", &file]);
        assert_eq!(std::fs::read(&copy).expect("read"), before, "not zeroed");
        assert_eq!(ok(&db, &["check"]).trim(), "ok");
    }

    #[test]
    fn the_upgrade_of_an_old_database_with_a_link_in_its_folder_stops_and_zeroes_nothing() {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = dir.path().join("old");
        copy_dir(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/db-v1"),
            &db,
        );
        let outside = dir.path().join("elsewhere.txt");
        precious(&outside);
        std::os::unix::fs::symlink(&outside, db.join("link-to-notes")).expect("symlink");
        let out = run(&db, &["stats"]);
        assert_clean_failure(&out, "was not made by sinhke");
        untouched(&outside);
        std::fs::remove_file(db.join("link-to-notes")).expect("unplant");
        assert!(ok(&db, &["stats"]).contains("people: 12"));
        untouched(&outside);
    }
}

#[test]
fn an_export_or_backup_aimed_inside_the_database_folder_is_refused_and_changes_nothing() {
    let (_dir, db) = demo_db(10);
    let before = ok(&db, &["stats"]);
    for (args, target) in [
        (vec!["export", "people"], db.join("db")),
        (vec!["export", "wards"], db.join("conf")),
        (vec!["backup"], db.join("db")),
        (vec!["backup"], db.join("new.backup")),
    ] {
        let sled_file = std::fs::read(db.join("db")).expect("read");
        let mut full = args.clone();
        full.extend(["--out", target.to_str().expect("path")]);
        let out = run(&db, &full);
        assert_clean_failure(&out, "inside the database folder");
        assert_eq!(std::fs::read(db.join("db")).expect("read"), sled_file);
        assert!(!db.join("new.backup").exists());
    }
    assert_eq!(ok(&db, &["stats"]), before);
    assert_eq!(ok(&db, &["check"]).trim(), "ok");
}

#[cfg(unix)]
#[test]
fn a_link_planted_where_an_export_writes_is_never_followed() {
    let (dir, db) = demo_db(10);
    let victim = dir.path().join("victim.txt");
    std::fs::write(&victim, "not sinhke's").expect("write");
    let target = dir.path().join("people.csv");
    // Where the old code wrote its temporary, and the target itself.
    std::os::unix::fs::symlink(&victim, dir.path().join("people.csv.partial")).expect("link");
    std::os::unix::fs::symlink(&victim, &target).expect("link");
    ok(
        &db,
        &["export", "people", "--out", target.to_str().expect("path")],
    );
    assert_eq!(
        std::fs::read_to_string(&victim).expect("read"),
        "not sinhke's"
    );
    assert!(
        std::fs::read_to_string(&target)
            .expect("read")
            .contains("CT-")
    );
}

#[cfg(unix)]
#[test]
fn files_holding_names_are_readable_by_their_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let (dir, db) = demo_db(5);
    let mode = |p: &std::path::Path| std::fs::metadata(p).expect("meta").permissions().mode();
    assert_eq!(mode(&db) & 0o077, 0, "database folder {:o}", mode(&db));
    let csv = dir.path().join("names.csv");
    export_names_to(&db, &csv);
    assert_eq!(mode(&csv) & 0o077, 0, "export {:o}", mode(&csv));
    let backup = dir.path().join("b.backup");
    backup_to(&db, &backup);
    assert_eq!(mode(&backup) & 0o077, 0, "backup {:o}", mode(&backup));
    // A database folder made readable by others is closed again when opened.
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    ok(&db, &["stats"]);
    assert_eq!(mode(&db) & 0o077, 0);
}

#[test]
#[cfg(target_os = "linux")]
fn a_full_disk_while_opening_leaves_the_database_whole_once_there_is_room() {
    let Some(disk) = SmallDisk::mount("4m") else {
        return;
    };
    let db = disk.path("db");
    ok(&db, &["demo", "--people", "30"]);
    for n in 1..=5 {
        let code = format!("X{n}");
        ok(
            &db,
            &[
                "wards",
                "add",
                "--code",
                &code,
                "--name",
                &format!("Phường {n}"),
            ],
        );
    }
    let fill = disk.path("fill");
    let _ = Command::new("dd")
        .args(["if=/dev/zero", "bs=1k"])
        .arg(format!("of={}", fill.display()))
        .output();
    let out = run(&db, &["stats"]);
    assert_clean_failure(&out, "disk is full");
    let unfinished = std::fs::read_dir(&db)
        .expect("dir")
        .flatten()
        .any(|e| e.file_name().to_string_lossy().ends_with(".generating"));
    assert!(unfinished, "sled began a snapshot it could not finish");
    std::fs::remove_file(&fill).expect("free space");
    let stats = ok(&db, &["stats"]);
    assert!(
        stats.contains("people: 30") && stats.contains("wards: "),
        "{stats}"
    );
    assert_eq!(ok(&db, &["check"]).trim(), "ok");
}
