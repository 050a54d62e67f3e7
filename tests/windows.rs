//! The Windows build, run under Wine on Windows paths (C:\...): the headless commands a
//! ward office uses, and the default data folder under AppData\Local. `.ci/run`
//! cross-builds sinhke.exe, puts the test-only stand-in for bcryptprimitives.dll beside
//! it (Wine 8 lacks the ProcessPrng that Rust's standard library calls) and names it in
//! SINHKE_WINDOWS_EXE, with a Wine prefix of its own in WINEPREFIX. Elsewhere the test
//! says it was skipped; in CI it fails when the exe is missing.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const WINE: &str = "/usr/lib/wine/wine64";

struct Windows {
    exe: PathBuf,
    /// The Wine prefix's C: drive, as a Linux folder.
    drive_c: PathBuf,
}

impl Windows {
    fn find() -> Option<Windows> {
        let in_ci = std::env::var_os("CI").is_some();
        let Some(exe) = std::env::var_os("SINHKE_WINDOWS_EXE").map(PathBuf::from) else {
            assert!(!in_ci, "CI must set SINHKE_WINDOWS_EXE (see .ci/run)");
            eprintln!("skipped: SINHKE_WINDOWS_EXE is not set (.ci/run cross-builds it)");
            return None;
        };
        let prefix = std::env::var_os("WINEPREFIX").map(PathBuf::from)?;
        assert!(exe.is_file(), "{} is missing", exe.display());
        assert!(
            Path::new(WINE).is_file(),
            "Debian's wine64 is not installed"
        );
        Some(Windows {
            exe,
            drive_c: prefix.join("drive_c"),
        })
    }

    /// Runs sinhke.exe with these arguments, signed in as the test supervisor.
    fn run(&self, args: &[&str]) -> Output {
        Command::new(WINE)
            .arg(&self.exe)
            .args(args)
            .env("WINEDEBUG", "-all")
            .env("LANG", "C.UTF-8")
            .env("SINHKE_USER", "Cán bộ Lan")
            .env("SINHKE_PASSPHRASE", "test passphrase")
            .env("SINHKE_KDF", "test")
            .env("SINHKE_LANG", "en")
            .env("SINHKE_TODAY", "2025-06-01")
            .env_remove("SINHKE_DB")
            .output()
            .expect("run wine")
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.success(),
            "sinhke.exe {args:?} failed: {text}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        text
    }

    /// `C:\name` and the Linux folder it is.
    fn folder(&self, name: &str) -> (String, PathBuf) {
        (format!("C:\\{name}"), self.drive_c.join(name))
    }
}

#[test]
fn the_windows_build_runs_the_ward_offices_commands_on_windows_paths() {
    let Some(win) = Windows::find() else { return };
    let (work, work_linux) = win.folder(&format!("sinhke-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work_linux);
    std::fs::create_dir_all(&work_linux).expect("work folder");
    let db = format!("{work}\\Du lieu phuong");
    let at = |name: &str| format!("{work}\\{name}");

    win.ok(&["demo", "--db", &db, "--people", "40"]);
    let stats = win.ok(&["stats", "--db", &db]);
    assert!(stats.contains("people: 40"), "{stats}");
    assert_eq!(win.ok(&["check", "--db", &db]).trim(), "ok");

    // Backup, then restore over the existing folder: a rename over a folder that is
    // there works differently on Windows.
    win.ok(&["backup", "--db", &db, "--out", &at("sao-luu.sinhke-backup")]);
    win.ok(&["wards", "add", "--db", &db, "--code", "XX", "--name", "Thử"]);
    win.ok(&[
        "restore",
        "--db",
        &db,
        "--force",
        &at("sao-luu.sinhke-backup"),
    ]);
    let wards = win.ok(&["wards", "list", "--db", &db]);
    assert!(
        !wards.contains("XX"),
        "the restore put the backup back: {wards}"
    );
    assert_eq!(win.ok(&["check", "--db", &db]).trim(), "ok");

    // CSV and a workbook out; people back in from the workbook into a second database.
    win.ok(&["export", "grants", "--db", &db, "--out", &at("ho-tro.csv")]);
    let csv = std::fs::read_to_string(work_linux.join("ho-tro.csv")).expect("csv");
    assert!(csv.starts_with('\u{feff}') && csv.contains("Total value (VND)"));
    win.ok(&[
        "export",
        "workbook",
        "--db",
        &db,
        "--out",
        &at("tong-hop.xlsx"),
    ]);
    let book = std::fs::read(work_linux.join("tong-hop.xlsx")).expect("workbook");
    assert!(book.starts_with(b"PK"));
    win.ok(&[
        "export",
        "people",
        "--db",
        &db,
        "--include-names",
        "--out",
        &at("nguoi.xlsx"),
    ]);
    // Read back from the workbook: every person is already here, and is said to be.
    let out = win.run(&[
        "import",
        "people",
        "--db",
        &db,
        &at("nguoi.xlsx"),
        "--dry-run",
    ]);
    let said = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(said.contains("40"), "{said}");

    // Nothing is left beside the files: no temporary, no partial export.
    let leftovers: Vec<String> = std::fs::read_dir(&work_linux)
        .expect("folder")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".partial"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    std::fs::remove_dir_all(&work_linux).expect("clean up");
}

#[test]
fn without_a_folder_the_windows_build_keeps_its_data_under_appdata_local() {
    let Some(win) = Windows::find() else { return };
    let users = win.drive_c.join("users");
    for user in std::fs::read_dir(&users).expect("users").flatten() {
        // Left by an earlier run in this test prefix.
        let _ = std::fs::remove_dir_all(user.path().join("AppData/Local/sinhke"));
    }
    let stats = win.run(&["stats"]);
    let said = String::from_utf8_lossy(&stats.stderr).into_owned();
    // No database yet: it says so, naming where it looked.
    assert!(!stats.status.success());
    assert!(said.contains("AppData\\Local"), "{said}");
    win.ok(&["demo", "--people", "5"]);
    let found = std::fs::read_dir(&users)
        .expect("users")
        .flatten()
        .any(|u| u.path().join("AppData/Local/sinhke").is_dir());
    assert!(found, "no sinhke folder under {}", users.display());
    assert!(win.ok(&["stats"]).contains("people: 5"));
}
