//! Workbooks in and out through the real binary. In: a ward's existing records as an
//! office keeps them (a title merged across the top, Vietnamese headers, dates as Excel
//! dates or as text, amounts as numbers or as "6,5 triệu"), written by rust_xlsxwriter
//! here and by LibreOffice in the committed fixtures (.ods, and an old .xls). Out: the
//! donor workbook, read back by LibreOffice itself (which `.ci/run` installs), cell by
//! cell against the CSV summaries.

mod common;
use common::*;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The fixtures' three sheets: people, the grants they received, the visits since.
fn ward_records() -> Workbook {
    let mut book = Workbook::new();
    let title = Format::new().set_bold();
    let date = Format::new().set_num_format("dd/mm/yyyy");

    let people = book.add_worksheet();
    people.set_name("Danh sách").expect("name");
    people
        .merge_range(0, 0, 0, 5, "DANH SÁCH ĐỐI TƯỢNG NĂM 2024", &title)
        .expect("title");
    let header = [
        "STT",
        "Họ và tên",
        "Giới tính",
        "Năm sinh",
        "Phường/xã",
        "Nhóm đối tượng",
    ];
    let rows: [(&str, &str, f64, &str, &str); 3] = [
        (
            "Nguyễn Thị Hoa",
            "Nữ",
            1990.0,
            "Phường Cao Thắng",
            "Nạn nhân",
        ),
        (
            "Trần Văn Bình",
            "Nam",
            1985.0,
            "Cao Thắng",
            "Người có nguy cơ",
        ),
        ("Lê Thị Mai", "Nữ", 2001.0, "Hồng Gai", "Nạn nhân"),
    ];
    for (c, h) in header.iter().enumerate() {
        people.write_string(2, c as u16, *h).expect("header");
    }
    for (i, (name, sex, born, ward, group)) in rows.iter().enumerate() {
        let r = 3 + i as u32;
        people.write_number(r, 0, (i + 1) as f64).expect("cell");
        people.write_string(r, 1, *name).expect("cell");
        people.write_string(r, 2, *sex).expect("cell");
        people.write_number(r, 3, *born).expect("cell");
        people.write_string(r, 4, *ward).expect("cell");
        people.write_string(r, 5, *group).expect("cell");
    }

    let grants = book.add_worksheet();
    grants.set_name("Hỗ trợ").expect("name");
    grants
        .merge_range(0, 0, 0, 9, "SỔ THEO DÕI HỖ TRỢ SINH KẾ", &title)
        .expect("title");
    let header = [
        "Họ và tên",
        "Năm sinh",
        "Phường/xã",
        "Vật phẩm",
        "Loại hỗ trợ",
        "Số lượng",
        "ĐVT",
        "Thành tiền",
        "Ngày bàn giao",
        "Số biên bản",
    ];
    for (c, h) in header.iter().enumerate() {
        grants.write_string(1, c as u16, *h).expect("header");
    }
    for (r, person) in [(2u32, 0usize), (3, 1), (4, 2)] {
        let (name, _, born, ward, _) = rows[person];
        grants.write_string(r, 0, name).expect("cell");
        grants.write_number(r, 1, born).expect("cell");
        grants.write_string(r, 2, ward).expect("cell");
    }
    grants
        .write_string(2, 3, "Máy may công nghiệp")
        .expect("cell");
    grants.write_string(2, 4, "Thiết bị").expect("cell");
    grants.write_number(2, 5, 1.0).expect("cell");
    grants.write_string(2, 6, "chiếc").expect("cell");
    grants.write_number(2, 7, 6_500_000.0).expect("cell");
    let day = ExcelDateTime::from_ymd(2024, 3, 15).expect("day");
    grants
        .write_datetime_with_format(2, 8, &day, &date)
        .expect("cell");
    grants.write_string(2, 9, "BB-2024-015").expect("cell");

    grants.write_string(3, 3, "Lợn giống").expect("cell");
    grants.write_string(3, 4, "Vật nuôi").expect("cell");
    grants.write_number(3, 5, 5.0).expect("cell");
    grants.write_string(3, 6, "con").expect("cell");
    grants.write_string(3, 7, "6,5 triệu").expect("cell");
    grants.write_string(3, 8, "20/04/2024").expect("cell");
    grants.write_string(3, 9, "BB-2024-021").expect("cell");

    grants.write_string(4, 3, "Vốn bán hàng").expect("cell");
    grants.write_string(4, 4, "Vốn ban đầu").expect("cell");
    grants.write_number(4, 5, 1.0).expect("cell");
    grants.write_string(4, 6, "lần").expect("cell");
    grants.write_string(4, 7, "3.000.000").expect("cell");
    grants.write_string(4, 8, "2024-05-02").expect("cell");
    grants.write_string(4, 9, "BB-2024-030").expect("cell");

    let visits = book.add_worksheet();
    visits.set_name("Thăm").expect("name");
    let header = [
        "Mã",
        "Số biên bản",
        "Ngày thăm",
        "Người thăm",
        "Mô hình còn hoạt động",
    ];
    for (c, h) in header.iter().enumerate() {
        visits.write_string(0, c as u16, *h).expect("header");
    }
    visits.write_string(1, 0, "CT-0001").expect("cell");
    visits.write_string(1, 1, "BB-2024-015").expect("cell");
    let visited = ExcelDateTime::from_ymd(2024, 6, 14).expect("day");
    visits
        .write_datetime_with_format(1, 2, &visited, &date)
        .expect("cell");
    visits.write_string(1, 3, "Cán bộ Lan").expect("cell");
    visits.write_string(1, 4, "Có").expect("cell");
    book
}

fn write(book: &mut Workbook, path: &Path) {
    book.save(path).expect("save workbook");
}

/// A database with the two wards the fixtures name.
fn wards_db() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("db");
    ok(
        &db,
        &["wards", "add", "--code", "CT", "--name", "Cao Thắng"],
    );
    ok(&db, &["wards", "add", "--code", "HG", "--name", "Hồng Gai"]);
    (dir, db)
}

fn import(db: &Path, what: &str, file: &Path, sheet: &str) -> String {
    ok(
        db,
        &[
            "import",
            what,
            file.to_str().expect("path"),
            "--sheet",
            sheet,
        ],
    )
}

/// A workbook's people, grants (with their schedules) and visits, imported in turn.
fn imports_ward_records(file: &Path) {
    let (_dir, db) = wards_db();
    let out = ok(
        db.as_path(),
        &["import", "people", file.to_str().expect("path")],
    );
    assert!(out.contains("3"), "the first sheet with a header: {out}");
    let store = open_store(&db);
    let hoa = store
        .snapshot()
        .people
        .values()
        .find(|p| p.full_name == "Nguyễn Thị Hoa")
        .expect("imported with her accents")
        .clone();
    assert_eq!((hoa.birth_year, hoa.ward.as_str()), (1990, "CT"));
    drop(store);

    import(&db, "grants", file, "Hỗ trợ");
    let store = open_store(&db);
    let snap = store.snapshot();
    let mut totals: Vec<i64> = snap.grants.values().map(|g| g.total_value.0).collect();
    totals.sort();
    assert_eq!(totals, [3_000_000, 6_500_000, 6_500_000]);
    let pigs = snap
        .grants
        .values()
        .find(|g| g.item == "Lợn giống")
        .expect("pigs");
    assert_eq!(
        (pigs.handed_over_on.to_string(), pigs.unit_value.0),
        ("2024-04-20".to_string(), 1_300_000)
    );
    let machine = snap
        .grants
        .values()
        .find(|g| g.handover_record_no == "BB-2024-015")
        .expect("machine")
        .clone();
    assert_eq!(machine.handed_over_on.to_string(), "2024-03-15");
    let scheduled = snap.milestones_of(machine.id).count();
    assert!(scheduled > 0, "a grant without visits gets its schedule");
    drop(store);

    import(&db, "visits", file, "Thăm");
    let store = open_store(&db);
    let done: Vec<_> = store
        .snapshot()
        .milestones_of(machine.id)
        .filter(|m| m.done_on.is_some())
        .cloned()
        .collect();
    assert_eq!(done.len(), 1);
    assert_eq!(done[0].visit.business_operating, Some(true));
    assert_eq!(
        store.snapshot().milestones_of(machine.id).count(),
        scheduled,
        "the visit filled a scheduled follow-up"
    );
    drop(store);
    // Importing the same sheets again adds nothing: every row is already here.
    let again = import(&db, "grants", file, "Hỗ trợ");
    assert!(
        again.contains("0 records added, 3 already recorded"),
        "{again}"
    );
    assert_eq!(ok(&db, &["check"]).trim(), "ok");
}

#[test]
fn a_workbook_written_by_rust_xlsxwriter_brings_people_grants_and_visits_in() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("so-theo-doi.xlsx");
    write(&mut ward_records(), &file);
    imports_ward_records(&file);
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/workbooks")
        .join(name)
}

#[test]
fn a_libreoffice_workbook_and_an_old_xls_bring_the_same_records_in() {
    imports_ward_records(&fixture("so-theo-doi.ods"));
    imports_ward_records(&fixture("so-theo-doi.xls"));
}

#[test]
fn one_bad_row_refuses_the_whole_sheet_naming_the_sheet_and_row() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("bad.xlsx");
    let mut book = ward_records();
    book.worksheet_from_name("Hỗ trợ")
        .expect("sheet")
        .write_string(4, 7, "ba triệu rưỡi")
        .expect("cell");
    write(&mut book, &file);
    let (_dir, db) = wards_db();
    ok(&db, &["import", "people", file.to_str().expect("path")]);
    let out = run(
        &db,
        &[
            "import",
            "grants",
            file.to_str().expect("path"),
            "--sheet",
            "Hỗ trợ",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("sheet “Hỗ trợ”, row 5"), "{err}");
    assert!(err.contains("Nothing"), "{err}");
    assert!(
        open_store(&db).snapshot().grants.is_empty(),
        "all or nothing"
    );
    let missing = run(
        &db,
        &[
            "import",
            "grants",
            file.to_str().expect("path"),
            "--sheet",
            "Khác",
        ],
    );
    assert!(
        stderr(&missing).contains("no sheet named “Khác”"),
        "{}",
        stderr(&missing)
    );
}

/// Writes the committed fixtures again: the .xlsx here, then LibreOffice makes the .ods
/// and the .xls from it (`cargo test --test workbooks -- --ignored`).
#[test]
#[ignore]
fn write_the_fixtures() {
    let folder = fixture("");
    std::fs::create_dir_all(&folder).expect("folder");
    let xlsx = folder.join("so-theo-doi.xlsx");
    write(&mut ward_records(), &xlsx);
    for format in ["ods", "xls"] {
        let status = Command::new("soffice")
            .args(["--headless", "--convert-to", format, "--outdir"])
            .arg(&folder)
            .arg(&xlsx)
            .status()
            .expect("soffice");
        assert!(status.success());
    }
    std::fs::remove_file(xlsx).expect("remove");
}

/// LibreOffice, headless, in its own profile folder; None (and a word) where it is not
/// installed, outside CI.
fn libreoffice(args: &[&str], profile: &Path) -> Option<()> {
    let profile_url = format!("-env:UserInstallation=file://{}", profile.display());
    match Command::new("soffice").arg(profile_url).args(args).output() {
        Ok(out) if out.status.success() => Some(()),
        Ok(out) => panic!("soffice failed: {}", String::from_utf8_lossy(&out.stderr)),
        Err(_) if std::env::var_os("CI").is_some() => {
            panic!("LibreOffice is not installed: .ci/run installs libreoffice-calc")
        }
        Err(_) => {
            eprintln!("skipped: LibreOffice is not installed (Debian's libreoffice-calc)");
            None
        }
    }
}

/// Digits and the signs "<" and "x": what a figure is, whatever the locale prints
/// around it (6,800,000 ₫ and 6800000 are the same figure).
fn figure(cell: &str) -> String {
    cell.chars()
        .filter(|c| c.is_ascii_digit() || *c == '<' || *c == 'x')
        .collect()
}

#[test]
fn a_workbook_that_lists_people_cannot_withhold_small_counts() {
    let (dir, db) = demo_db(20);
    let book = dir.path().join("donor.xlsx");
    let out = run(
        &db,
        &[
            "export",
            "workbook",
            "--details",
            "--suppress-below",
            "11",
            "--out",
            book.to_str().expect("path"),
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("counted back from the lists"),
        "{}",
        stderr(&out)
    );
    assert!(!book.exists());
}

#[test]
fn libreoffice_reads_the_donor_workbook_as_the_csv_summaries_say() {
    let (dir, db) = demo_db(120);
    let book = dir.path().join("donor.xlsx");
    ok(
        &db,
        &[
            "export",
            "workbook",
            "--out",
            book.to_str().expect("path"),
            "--suppress-below",
            "11",
        ],
    );
    let csv_dir = dir.path().join("csv");
    std::fs::create_dir_all(&csv_dir).expect("dir");
    // Every sheet to its own CSV file (the -1 of the filter's last option), in UTF-8.
    let filter = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1";
    let Some(()) = libreoffice(
        &[
            "--headless",
            "--convert-to",
            filter,
            "--outdir",
            csv_dir.to_str().expect("path"),
            book.to_str().expect("path"),
        ],
        &dir.path().join("profile"),
    ) else {
        return;
    };
    for (report, sheet) in [("wards", "By ward"), ("grant-types", "By grant kind")] {
        let ours = dir.path().join(format!("{report}.csv"));
        ok(
            &db,
            &[
                "export",
                report,
                "--out",
                ours.to_str().expect("path"),
                "--suppress-below",
                "11",
            ],
        );
        let ours = std::fs::read_to_string(&ours).expect("csv");
        let theirs = std::fs::read_to_string(csv_dir.join(format!("donor-{sheet}.csv")))
            .expect("LibreOffice wrote the sheet");
        let rows = |text: &str| -> Vec<Vec<String>> {
            csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .from_reader(text.trim_start_matches('\u{feff}').as_bytes())
                .records()
                .map(|r| r.expect("row").iter().map(str::to_string).collect())
                .collect()
        };
        let ours = rows(&ours);
        // Below the title block (five rows) LibreOffice has the header, then the rows.
        let theirs: Vec<Vec<String>> = rows(&theirs).into_iter().skip(5).collect();
        assert_eq!(theirs[0][..], ours[0][..], "{sheet}: the headers");
        for (a, b) in ours.iter().zip(&theirs).skip(1) {
            assert_eq!(a[0], b[0], "{sheet}: the row's label");
            for (x, y) in a.iter().zip(b).skip(1) {
                assert_eq!(figure(x), figure(y), "{sheet}: {a:?} against {b:?}");
            }
        }
        assert_eq!(
            ours.len(),
            theirs.iter().filter(|r| !r[0].is_empty()).count()
        );
    }
}
