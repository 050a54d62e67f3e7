//! CSV export and import as an officer or a supervisor uses them from the command line.

mod common;
use common::*;
use std::path::{Path, PathBuf};
use std::process::Stdio;

const KINDS: [&str; 8] = [
    "people",
    "plans",
    "grants",
    "milestones",
    "wards",
    "grant-types",
    "target-groups",
    "overdue",
];

/// A small database fixed by its seed and by SINHKE_TODAY.
fn fixed_db() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("db");
    ok(&db, &["demo", "--people", "12", "--seed", "5"]);
    (dir, db)
}

fn export(db: &Path, out: &Path, args: &[&str]) {
    let mut all = vec!["export"];
    all.extend_from_slice(args);
    all.extend(["--out", out.to_str().expect("path")]);
    ok(db, &all);
}

/// Every report, in both languages (and people with names), byte for byte against the
/// files under tests/golden. `UPDATE_GOLDEN=1` rewrites them after a reviewed change.
/// `sinhke import people FILE --lang en`, whatever its outcome.
fn import_en(db: &Path, file: &Path) -> std::process::Output {
    run(
        db,
        &[
            "import",
            "people",
            file.to_str().expect("path"),
            "--lang",
            "en",
        ],
    )
}

#[test]
fn exports_match_the_golden_files_byte_for_byte() {
    let (dir, db) = fixed_db();
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let mut cases: Vec<(String, Vec<&str>)> = Vec::new();
    for kind in KINDS {
        for lang in ["vi", "en"] {
            cases.push((format!("{kind}-{lang}.csv"), vec![kind, "--lang", lang]));
        }
    }
    cases.push((
        "people-names-vi.csv".into(),
        vec!["people", "--lang", "vi", "--include-names"],
    ));
    cases.push((
        "wards-suppressed-en.csv".into(),
        vec!["wards", "--lang", "en", "--suppress-below", "3"],
    ));
    for (name, args) in cases {
        let out = dir.path().join(&name);
        export(&db, &out, &args);
        let written = std::fs::read(&out).expect("exported");
        let expected_path = golden.join(&name);
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            std::fs::write(&expected_path, &written).expect("update golden");
            continue;
        }
        let expected =
            std::fs::read(&expected_path).unwrap_or_else(|_| panic!("no golden file {name}"));
        assert!(
            written == expected,
            "{name} differs from tests/golden/{name}:\n{}",
            String::from_utf8_lossy(&written)
        );
    }
}

#[test]
fn people_exported_with_names_import_into_an_empty_database_and_export_the_same() {
    let (dir, db) = fixed_db();
    let first = dir.path().join("first.csv");
    export(&db, &first, &["people", "--include-names", "--lang", "en"]);
    let target = dir.path().join("target");
    for line in ok(&db, &["wards", "list"]).lines() {
        let mut parts = line.split('\t');
        let (code, name) = (parts.next().expect("code"), parts.next().expect("name"));
        ok(&target, &["wards", "add", "--code", code, "--name", name]);
    }
    ok(
        &target,
        &["import", "people", first.to_str().expect("path")],
    );
    let second = dir.path().join("second.csv");
    export(
        &target,
        &second,
        &["people", "--include-names", "--lang", "en"],
    );
    assert_eq!(
        std::fs::read(&first).expect("first"),
        std::fs::read(&second).expect("second"),
        "same rows, same codes"
    );
}

#[test]
fn another_databases_people_come_in_with_fresh_codes_where_theirs_are_taken() {
    let (dir, db) = fixed_db();
    let sheet = dir.path().join("theirs.csv");
    export(&db, &sheet, &["people", "--include-names", "--lang", "en"]);
    let text = std::fs::read_to_string(&sheet).expect("sheet");
    // Another database of the same wards: the same codes, other people; and one code
    // typed by hand that has no ward's form.
    let mut theirs: Vec<String> = text.lines().map(str::to_string).collect();
    for line in theirs.iter_mut().skip(1) {
        *line = line.replacen(',', ",Other ", 1); // "CT-0001,Other Nguyễn ..." (names follow the code)
    }
    theirs.push(
        theirs[1]
            .replacen("CT-", "ZZ", 1)
            .replacen("Other ", "Hand ", 1),
    );
    std::fs::write(&sheet, theirs.join("\n")).expect("write");
    let people_before = open_store(&db).snapshot().people.len();
    let out = import_en(&db, &sheet);
    assert!(out.status.success(), "{}", stderr(&out));
    let added = theirs.len() - 1;
    assert_eq!(
        open_store(&db).snapshot().people.len(),
        people_before + added
    );
    assert_eq!(
        stderr(&out).matches("a new code is given").count(),
        added,
        "{}",
        stderr(&out)
    );
    assert_eq!(ok(&db, &["check"]).trim(), "ok");
    let store = open_store(&db);
    assert!(store.snapshot().people.values().all(|p| p.code_fits_ward()));
}

#[test]
fn bad_rows_are_named_by_line_and_nothing_is_imported() {
    let (dir, db) = fixed_db();
    let sheet = dir.path().join("sheet.csv");
    std::fs::write(
        &sheet,
        "Họ và tên,Giới tính,Năm sinh,Phường/xã,Nhóm đối tượng,Ngày tiếp nhận\n\
         Lò Thị Mỷ,Nữ,1988,Cao Thắng,Nạn nhân,01/02/2025\n\
         Vi Thị Lả,Nữ,1850,Cao Thắng,Nạn nhân,\n\
         Sầm Văn Pá,Nam,1990,Hà Nội,Nạn nhân,\n\
         ,Nữ,1990,Cao Thắng,Nạn nhân,\n\
         Lường Thị Na,Nữ,1990,CT,Nạn nhân,31/02/2025\n",
    )
    .expect("write sheet");
    let before = ok(&db, &["stats"]);
    let out = import_en(&db, &sheet);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    for expected in [
        "line 3: Birth year: Birth year must be between 1900",
        "line 4: Ward: No such ward",
        "line 5: Full name: Required",
        "line 6: Enrolled on: Date as dd/mm/yyyy",
        "Lines with problems: 4. Nobody was imported",
    ] {
        assert!(err.contains(expected), "missing {expected:?} in:\n{err}");
    }
    assert!(!err.contains("line 2"), "the good row is not blamed");
    assert_eq!(ok(&db, &["stats"]), before, "all or nothing");
}

#[test]
fn a_dry_run_writes_nothing_and_duplicates_are_skipped_unless_allowed() {
    let (dir, db) = fixed_db();
    let names = dir.path().join("names.csv");
    export(&db, &names, &["people", "--include-names"]);
    // The same people again: every row is a likely duplicate.
    let out = import_en(&db, &names);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("likely the same person as"),
        "{}",
        stderr(&out)
    );
    let fresh = dir.path().join("fresh.csv");
    std::fs::write(
        &fresh,
        "Full name,Sex,Birth year,Ward,Target group\nMới Một,Female,1990,CT,Victim\n",
    )
    .expect("write");
    let before = ok(&db, &["stats"]);
    assert!(
        ok(
            &db,
            &[
                "import",
                "people",
                fresh.to_str().expect("path"),
                "--dry-run",
                "--lang",
                "en"
            ]
        )
        .contains("Nothing written")
    );
    assert_eq!(ok(&db, &["stats"]), before);
}

#[test]
fn a_file_without_names_holds_no_name_phone_or_address() {
    let (dir, db) = fixed_db();
    let store = open_store(&db);
    let people: Vec<_> = store.snapshot().people.values().cloned().collect();
    drop(store);
    for kind in KINDS {
        let out = dir.path().join(format!("{kind}.csv"));
        export(&db, &out, &[kind]);
        let text = std::fs::read_to_string(&out).expect("read");
        for p in &people {
            assert!(!text.contains(&p.full_name), "{kind} names {}", p.full_name);
            assert!(
                p.phone.is_empty() || !text.contains(&p.phone),
                "{kind} has a phone"
            );
            assert!(!text.contains(&p.address), "{kind} has an address");
        }
    }
}

#[test]
fn an_officer_cannot_export_names() {
    let (dir, db) = fixed_db();
    let officer = sinhke(&db)
        .env("SINHKE_NEW_PASSPHRASE", "officer passphrase")
        .args(["users", "add", "Cán bộ Tâm", "--role", "officer"])
        .output()
        .expect("add officer");
    assert!(officer.status.success(), "{}", stderr(&officer));
    let out = sinhke(&db)
        .env("SINHKE_USER", "Cán bộ Tâm")
        .env("SINHKE_PASSPHRASE", "officer passphrase")
        .args(["export", "people", "--include-names", "--out"])
        .arg(dir.path().join("x.csv"))
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    assert!(!dir.path().join("x.csv").exists());
    assert!(
        stderr(&out).to_lowercase().contains("supervisor"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn an_import_killed_at_any_moment_adds_everyone_or_no_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("db");
    ok(
        &db,
        &["wards", "add", "--code", "CT", "--name", "Cao Thắng"],
    );
    let sheet = dir.path().join("big.csv");
    let mut text = String::from("Full name,Sex,Birth year,Ward,Target group\n");
    for n in 0..4000 {
        text.push_str(&format!(
            "Người Thử {n},Female,{},CT,At risk\n",
            1950 + n % 50
        ));
    }
    std::fs::write(&sheet, text).expect("write");
    let mut landed = 0;
    for delay_ms in [40u64, 90, 150, 220, 300, 420, 600] {
        let mut child = sinhke(&db)
            .args(["import", "people", sheet.to_str().expect("path")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn");
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill();
        let finished = child.wait().map(|s| s.success()).unwrap_or(false);
        let stats = ok(&db, &["stats"]);
        let people: usize = stats
            .lines()
            .find_map(|l| l.strip_prefix("people: "))
            .and_then(|n| n.parse().ok())
            .expect("count");
        assert_eq!(
            people % 4000,
            0,
            "after a kill at {delay_ms} ms: {people} people"
        );
        assert_eq!(ok(&db, &["check"]).trim(), "ok");
        landed = people;
        if finished || people > 0 {
            break;
        }
    }
    let _ = landed;
}

/// A database with a supervisor's demo data and "Cán bộ Tâm", an officer of ward CT only.
fn db_with_ward_officer() -> (tempfile::TempDir, PathBuf) {
    let (dir, db) = fixed_db();
    let added = sinhke(&db)
        .env("SINHKE_NEW_PASSPHRASE", "officer passphrase")
        .args([
            "users",
            "add",
            "Cán bộ Tâm",
            "--role",
            "officer",
            "--ward",
            "CT",
        ])
        .output()
        .expect("add officer");
    assert!(added.status.success(), "{}", stderr(&added));
    (dir, db)
}

fn as_ward_officer(db: &Path, args: &[&str]) -> std::process::Output {
    sinhke(db)
        .env("SINHKE_USER", "Cán bộ Tâm")
        .env("SINHKE_PASSPHRASE", "officer passphrase")
        .args(args)
        .output()
        .expect("run")
}

/// A sheet of `rows` new people, the header on line 1 and person n on line n + 2.
fn sheet_of(rows: usize) -> Vec<String> {
    let mut lines = vec!["Full name,Sex,Birth year,Ward,Target group,Address".to_string()];
    lines.extend((0..rows).map(|n| format!("Người Mới {n},Female,1990,CT,Victim,Tổ {n}")));
    lines
}

/// Imports `bytes` as a file and checks that it was refused and nothing changed.
fn refused_import(db: &Path, dir: &Path, bytes: &[u8], extra: &[&str]) -> String {
    let sheet = dir.join("refused.csv");
    std::fs::write(&sheet, bytes).expect("write");
    let before = ok(db, &["stats"]);
    let mut args = vec![
        "import",
        "people",
        sheet.to_str().expect("path"),
        "--lang",
        "en",
    ];
    args.extend_from_slice(extra);
    let out = run(db, &args);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    assert_eq!(ok(db, &["stats"]), before, "nothing imported");
    stderr(&out)
}

#[test]
fn a_quote_left_open_in_an_optional_column_refuses_the_file_at_its_line() {
    let (dir, db) = fixed_db();
    let mut lines = sheet_of(2000);
    lines[3] = "Người Mới 2,Female,1990,CT,Victim,\"Tổ 2".into();
    let err = refused_import(&db, dir.path(), lines.join("\n").as_bytes(), &[]);
    assert!(
        err.contains("Line 4: a quote (\") opens a cell and is never closed"),
        "{err}"
    );
    // Closed again 100 lines later by a stray quote: still that line, still nobody.
    lines[104] = "Người Mới 103,Female,1990,CT,Victim,Tổ \"103\"".into();
    let err = refused_import(&db, dir.path(), lines.join("\n").as_bytes(), &[]);
    assert!(
        err.contains("Line 4: a quote (\") opens a cell of the column \"Address\""),
        "{err}"
    );
}

#[test]
fn a_quote_left_open_in_a_note_or_a_column_not_imported_refuses_the_file_too() {
    // Neither column has a length limit: these were "3 people imported" of 2,000, exit 0.
    let (dir, db) = fixed_db();
    for column in ["Household note", "Ghi chú khác"] {
        let mut lines = vec![format!(
            "Full name,Sex,Birth year,Ward,Target group,{column}"
        )];
        lines.extend((0..2000).map(|n| format!("Người Mới {n},Female,1990,CT,Victim,")));
        lines[3] = "Người Mới 2,Female,1990,CT,Victim,\"mẹ đơn thân".into();
        let err = refused_import(&db, dir.path(), lines.join("\n").as_bytes(), &["--dry-run"]);
        assert!(
            err.contains("Line 4: a quote (\") opens a cell and is never closed"),
            "{column}: {err}"
        );
        // Closed again by a stray quote further down: the rows in between are still named.
        lines[500] = "Người Mới 498,Female,1990,CT,Victim,\"x\"".into();
        let err = refused_import(&db, dir.path(), lines.join("\n").as_bytes(), &[]);
        assert!(err.starts_with("sinhke: Line 4: "), "{column}: {err}");
        assert!(err.contains("quote (\")"), "{column}: {err}");
    }
}

#[test]
fn one_bad_byte_in_a_utf8_file_refuses_it_at_its_line_instead_of_garbling_every_name() {
    let (dir, db) = fixed_db();
    let mut bytes = sheet_of(5).join("\n").into_bytes();
    let at = bytes
        .iter()
        .rposition(|b| *b == b'T')
        .expect("a T on the last line");
    bytes.insert(at, 0xFF);
    let err = refused_import(&db, dir.path(), &bytes, &[]);
    assert!(err.contains("Line 6 of"), "{err}");
    assert!(err.contains("--encoding windows-1258"), "{err}");
    // Asking for UTF-8 is no way round it.
    let err = refused_import(&db, dir.path(), &bytes, &["--encoding", "utf-8"]);
    assert!(err.contains("Line 6 of"), "{err}");
}

#[test]
fn a_utf16_file_is_named_as_such_and_a_tab_separated_one_is_read() {
    let (dir, db) = fixed_db();
    let text = sheet_of(3).join("\r\n").replace(',', "\t");
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let err = refused_import(&db, dir.path(), &utf16, &[]);
    assert!(err.contains("UTF-16") && err.contains("CSV UTF-8"), "{err}");
    assert!(!err.contains("column is missing"), "{err}");
    let err = refused_import(&db, dir.path(), b"PK\x03\x04\x14\x00\x06\x00", &[]);
    assert!(
        err.contains("looks like a workbook (Excel or LibreOffice) but cannot be opened"),
        "{err}"
    );
    let tabs = dir.path().join("tabs.txt");
    std::fs::write(&tabs, &text).expect("write");
    let before = open_store(&db).snapshot().people.len();
    let out = import_en(&db, &tabs);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(open_store(&db).snapshot().people.len(), before + 3);
}

#[test]
fn an_endless_file_or_an_overlong_cell_is_refused_with_the_cap_named() {
    let (dir, db) = fixed_db();
    #[cfg(unix)]
    {
        let out = import_en(&db, Path::new("/dev/zero"));
        assert_eq!(out.status.code(), Some(1));
        assert!(
            stderr(&out).contains("larger than 20 MB"),
            "{}",
            stderr(&out)
        );
    }
    let mut lines = sheet_of(3);
    lines[2] = format!("Người Mới 1,Female,1990,CT,Victim,{}", "x".repeat(6000));
    let err = refused_import(&db, dir.path(), lines.join("\n").as_bytes(), &[]);
    assert!(
        err.contains("Line 3: a cell holds more than 5000 characters"),
        "{err}"
    );
}

#[test]
fn a_header_without_the_needed_columns_is_called_the_header_not_one_row() {
    let (dir, db) = fixed_db();
    let err = refused_import(&db, dir.path(), b"Surname,Sex\nLan,Female\n", &[]);
    assert!(
        err.contains("The first line of the file names no column for: Full name"),
        "{err}"
    );
    assert!(!err.contains("rows have problems"), "{err}");
}

#[test]
fn allowed_duplicates_are_said_to_be_imported_not_skipped() {
    let (dir, db) = fixed_db();
    let names = dir.path().join("names.csv");
    export(&db, &names, &["people", "--include-names"]);
    let out = run(
        &db,
        &[
            "import",
            "people",
            names.to_str().expect("path"),
            "--allow-duplicates",
            "--dry-run",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let all = stdout(&out) + &stderr(&out);
    assert!(all.contains("imported anyway"), "{all}");
    assert!(!all.contains("skipped"), "{all}");
}

#[test]
fn an_officer_of_one_ward_is_refused_another_wards_export_and_import() {
    let (dir, db) = db_with_ward_officer();
    let out_file = dir.path().join("tc.csv");
    let out = as_ward_officer(
        &db,
        &[
            "export",
            "people",
            "--ward",
            "TC",
            "--out",
            out_file.to_str().expect("path"),
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("You work in ward Cao Thắng only"),
        "{}",
        stderr(&out)
    );
    assert!(!out_file.exists());
    // The summary by ward is theirs alone, not their ward beside zeros for the others.
    let wards = dir.path().join("wards.csv");
    let out = as_ward_officer(
        &db,
        &["export", "wards", "--out", wards.to_str().expect("path")],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = std::fs::read_to_string(&wards).expect("wards");
    assert!(
        text.contains("Cao Thắng") && !text.contains("Tuần Châu"),
        "{text}"
    );
    let sheet = dir.path().join("tc-people.csv");
    std::fs::write(
        &sheet,
        "Full name,Sex,Birth year,Ward,Target group\nNgười A,Female,1990,CT,Victim\nNgười B,Female,1990,TC,Victim\n",
    )
    .expect("write");
    let out = as_ward_officer(
        &db,
        &[
            "import",
            "people",
            sheet.to_str().expect("path"),
            "--dry-run",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("line 3: Ward: you work in another ward"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn control_characters_in_a_sheet_are_refused_beside_their_field() {
    let (dir, db) = fixed_db();
    let mut lines = sheet_of(3);
    lines[2] = "Người\u{1b}[2J Mới,Female,1990,CT,Victim,Tổ 1".into();
    lines[3] = "Người Mới 2,Female,1990,CT,Victim,Tổ\u{0}2".into();
    let err = refused_import(&db, dir.path(), lines.join("\n").as_bytes(), &[]);
    assert!(
        err.contains("line 3: Full name: Holds a line break, tab or invisible control"),
        "{err}"
    );
    assert!(err.contains("line 4: Address: Holds"), "{err}");
}

/// Excel with Vietnamese regional settings splits lines at semicolons: the same file
/// with `--delimiter semicolon` has the same cells, separated by semicolons.
#[test]
fn a_semicolon_export_has_the_same_cells_separated_by_semicolons() {
    let (dir, db) = fixed_db();
    let comma = dir.path().join("people.csv");
    let semicolon = dir.path().join("people-semicolon.csv");
    export(&db, &comma, &["people"]);
    export(&db, &semicolon, &["people", "--delimiter", "semicolon"]);
    let cells = |path: &Path, delimiter: u8| -> Vec<Vec<String>> {
        let bytes = std::fs::read(path).expect("read");
        assert!(bytes.starts_with("\u{feff}".as_bytes()), "BOM for Excel");
        csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .from_reader(&bytes[3..])
            .records()
            .map(|r| r.expect("row").iter().map(str::to_string).collect())
            .collect()
    };
    let by_comma = cells(&comma, b',');
    assert!(by_comma[0].len() > 5, "{:?}", by_comma[0]);
    assert_eq!(cells(&semicolon, b';'), by_comma);
    let bad = run(
        &db,
        &["export", "people", "--delimiter", "tab", "--out", "x.csv"],
    );
    assert!(!bad.status.success());
    assert!(
        stderr(&bad).contains("use comma or semicolon"),
        "{}",
        stderr(&bad)
    );
}
