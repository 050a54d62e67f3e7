//! Handover records printed from the real binary and read back by a real PDF reader
//! (poppler's pdftotext, pdfinfo and pdftoppm, which `.ci/run` installs): every
//! Vietnamese letter, the total in words, one page per record.

mod common;
use common::*;
use std::path::Path;
use std::process::Command;

/// A grant of the demo, as the grants export lists it: (record number, ward, day, total).
fn a_handover(db: &Path, dir: &Path) -> (String, String, String, String) {
    let csv = dir.join("grants.csv");
    ok(
        db,
        &["export", "grants", "--out", csv.to_str().expect("path")],
    );
    let text = std::fs::read_to_string(&csv).expect("csv");
    let row = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').map(str::to_string).collect::<Vec<_>>())
        .find(|cells| cells.get(9).is_some_and(|n| n.starts_with("BB-")))
        .expect("a numbered grant");
    (
        row[9].clone(),
        row[1].clone(),
        row[2].clone(),
        row[8].clone(),
    )
}

/// The page count pdfinfo reports.
fn pages_of(info: &str) -> Option<usize> {
    info.lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
}

fn poppler(tool: &str, args: &[&str]) -> Option<String> {
    match Command::new(tool).args(args).output() {
        Ok(out) if out.status.success() => Some(String::from_utf8_lossy(&out.stdout).into_owned()),
        Ok(out) => panic!("{tool} failed: {}", String::from_utf8_lossy(&out.stderr)),
        Err(_) => {
            eprintln!("skipped: {tool} is not installed (Debian's poppler-utils)");
            None
        }
    }
}

#[test]
fn a_handover_record_prints_on_one_page_with_the_total_in_words() {
    let (dir, db) = demo_db(40);
    let (number, _, _, total) = a_handover(&db, dir.path());
    let pdf = dir.path().join("record.pdf");
    let out = sinhke(&db)
        .env("SINHKE_LANG", "vi")
        .args([
            "print",
            "handover",
            &number,
            "--out",
            pdf.to_str().expect("path"),
        ])
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("1 trang"), "{}", stdout(&out));
    let bytes = std::fs::read(&pdf).expect("pdf");
    assert!(bytes.starts_with(b"%PDF-"));
    let Some(info) = poppler("pdfinfo", &[pdf.to_str().expect("path")]) else {
        return;
    };
    assert!(
        info.lines()
            .any(|l| l.starts_with("Pages:") && l.ends_with(" 1")),
        "{info}"
    );
    let text = poppler("pdftotext", &[pdf.to_str().expect("path"), "-"]).expect("text");
    let total: i64 = total.parse().expect("total");
    let words = sinhke::domain::words::dong_in_words(sinhke::domain::Dong(total)).expect("words");
    for expected in [
        "BIÊN BẢN BÀN GIAO HỖ TRỢ SINH KẾ",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        &format!("Số: {number}"),
        &sinhke::domain::Dong(total).grouped(),
        words.as_str(),
        "NGƯỜI NHẬN",
        "(Ký, ghi rõ họ tên)",
    ] {
        assert!(text.contains(expected), "{expected:?} not in:\n{text}");
    }
    // The page renders as an image a person can look at.
    let png = dir.path().join("record");
    poppler(
        "pdftoppm",
        &[
            "-r",
            "40",
            "-png",
            pdf.to_str().expect("path"),
            png.to_str().expect("p"),
        ],
    );
    assert!(dir.path().join("record-1.png").exists());
    assert!(
        ok(&db, &["audit"]).contains(&number),
        "who printed it is recorded"
    );
}

#[test]
fn a_day_of_handovers_prints_one_page_per_record_and_a_wrong_number_is_named() {
    let (dir, db) = demo_db(40);
    let (_, ward, day, _) = a_handover(&db, dir.path());
    let pdf = dir.path().join("day.pdf");
    let printed = ok(
        &db,
        &[
            "print",
            "handover",
            "--ward",
            &ward,
            "--date",
            &day,
            "--out",
            pdf.to_str().expect("path"),
        ],
    );
    let pages: usize = printed
        .split_whitespace()
        .find_map(|w| w.parse().ok())
        .expect("a count");
    assert!(pages >= 1, "{printed}");
    if let Some(info) = poppler("pdfinfo", &[pdf.to_str().expect("path")]) {
        assert_eq!(pages_of(&info), Some(pages), "{info}");
    }
    let out = run(
        &db,
        &[
            "print",
            "handover",
            "BB-0000-000",
            "--out",
            pdf.to_str().expect("path"),
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("BB-0000-000"), "{}", stderr(&out));
}
