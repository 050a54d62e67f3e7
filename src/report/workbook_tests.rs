//! Workbooks read back by a real reader (calamine), compared with the CSV files.

use super::*;
use crate::report::Filter;
use crate::report::export::{Delimiter, export};
use crate::report::fixture::{programme, today};
use calamine::{Data, Reader, Xlsx};
use std::io::Cursor;

fn options(lang: Lang, include_names: bool, suppress_below: Option<u64>) -> ExportOptions {
    ExportOptions {
        lang,
        include_names,
        filter: Filter::default(),
        suppress_below,
        delimiter: Delimiter::Comma,
    }
}

fn cover() -> Cover {
    Cover {
        wards: Vec::new(),
        made_at: "01/06/2025 10:00".into(),
    }
}

fn write(contents: Contents, snap: &Snapshot, options: &ExportOptions) -> Vec<u8> {
    let mut out = Vec::new();
    write_workbook(
        contents,
        snap,
        today(),
        options,
        &cover(),
        &mut out,
        &mut |_, _| {},
    )
    .expect("workbook");
    out
}

fn open(bytes: &[u8]) -> Xlsx<Cursor<Vec<u8>>> {
    Xlsx::new(Cursor::new(bytes.to_vec())).expect("a workbook calamine reads")
}

/// A sheet's rows from its header down, each cell as the CSV file writes it.
fn as_csv(book: &mut Xlsx<Cursor<Vec<u8>>>, sheet: &str) -> Vec<Vec<String>> {
    let range = book.worksheet_range(sheet).expect("sheet");
    range
        .rows()
        .skip(HEADER_ROW as usize)
        .map(|row| {
            row.iter()
                .map(|cell| match cell {
                    Data::Float(f) if f.fract() == 0.0 => format!("{f}"),
                    Data::Float(f) => format!("{:.1}", f * 100.0),
                    Data::Int(n) => n.to_string(),
                    Data::DateTime(d) => serial_day(d.as_f64()).to_string(),
                    Data::Empty => String::new(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect()
}

/// The day of an Excel serial date (days since 30/12/1899).
fn serial_day(serial: f64) -> NaiveDate {
    NaiveDate::from_ymd_opt(1899, 12, 30)
        .and_then(|d| d.checked_add_days(chrono::Days::new(serial as u64)))
        .expect("a day")
}

fn csv_of(kind: ExportKind, options: &ExportOptions) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    export(
        kind,
        &programme(),
        today(),
        options,
        &mut out,
        &mut |_, _| {},
    )
    .expect("csv");
    let text = String::from_utf8(out).expect("utf-8");
    csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes())
        .into_records()
        .map(|r| r.expect("row").iter().map(str::to_string).collect())
        .collect()
}

#[test]
fn every_summary_sheet_holds_the_figures_of_its_csv_file() {
    let o = options(Lang::Vi, false, None);
    let bytes = write(Contents::Donor { details: false }, &programme(), &o);
    let mut book = open(&bytes);
    for (kind, sheet) in [
        (ExportKind::Wards, "workbook.sheet.wards"),
        (ExportKind::GrantTypes, "workbook.sheet.grant_types"),
    ] {
        let rows = as_csv(&mut book, t(Lang::Vi, sheet));
        let csv = csv_of(kind, &o);
        // The sheet's header row, then the same rows as the CSV body.
        assert_eq!(rows[1..], csv[..], "{kind:?}");
    }
    let names = book.sheet_names();
    for key in [
        "workbook.sheet.groups",
        "workbook.sheet.follow_ups",
        "workbook.sheet.indicators",
        "workbook.sheet.visits",
    ] {
        assert!(
            names.iter().any(|n| n == t(Lang::Vi, key)),
            "{key}: {names:?}"
        );
    }
    let title = book.worksheet_range(&names[0]).expect("sheet");
    assert_eq!(
        title.get_value((0, 0)),
        Some(&Data::String(
            "Chương trình hỗ trợ sinh kế — Tổng hợp theo phường/xã".into()
        ))
    );
}

#[test]
fn a_record_list_keeps_numbers_as_numbers_and_dates_as_dates() {
    let o = options(Lang::En, false, None);
    let bytes = write(Contents::One(ExportKind::Grants), &programme(), &o);
    let mut book = open(&bytes);
    let range = book.worksheet_range("Grants").expect("sheet");
    let first = HEADER_ROW + 1;
    assert!(matches!(
        range.get_value((first, 2)),
        Some(Data::DateTime(_))
    ));
    assert!(matches!(range.get_value((first, 8)), Some(Data::Float(_))));
    let rows = as_csv(&mut book, "Grants");
    assert_eq!(rows[1..], csv_of(ExportKind::Grants, &o)[..]);
}

#[test]
fn the_charts_are_in_the_file() {
    let bytes = write(
        Contents::Donor { details: false },
        &programme(),
        &options(Lang::Vi, false, None),
    );
    let zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("zip");
    let charts: Vec<String> = zip
        .file_names()
        .filter_map(Result::ok)
        .filter(|n| n.starts_with("xl/charts/chart"))
        .map(|n| n.to_string())
        .collect();
    assert_eq!(charts.len(), 3, "{charts:?}");
}

#[test]
fn names_stay_out_unless_asked_for() {
    let snap = programme();
    let text = |include_names| {
        let bytes = write(
            Contents::Donor { details: true },
            &snap,
            &options(Lang::Vi, include_names, None),
        );
        let mut book = open(&bytes);
        let mut all = String::new();
        for sheet in book.sheet_names() {
            for row in book.worksheet_range(&sheet).expect("sheet").rows() {
                for cell in row {
                    all.push_str(&cell.to_string());
                    all.push('\n');
                }
            }
        }
        all
    };
    let without = text(false);
    for p in snap.people.values() {
        assert!(!without.contains(&p.full_name), "{}", p.full_name);
        assert!(without.contains(&p.code));
    }
    let with = text(true);
    assert!(snap.people.values().all(|p| with.contains(&p.full_name)));
}

#[test]
fn small_counts_are_withheld_on_every_summary_sheet() {
    let bytes = write(
        Contents::Donor { details: false },
        &programme(),
        &options(Lang::En, false, Some(11)),
    );
    let mut book = open(&bytes);
    let mut hidden = 0;
    for sheet in book.sheet_names() {
        let range = book.worksheet_range(&sheet).expect("sheet");
        for row in range.rows().skip(HEADER_ROW as usize + 1) {
            for cell in row {
                match cell {
                    // A count of 1 to 10 people; shares are fractions, targets 70%, 80%.
                    Data::Float(f) if f.fract() == 0.0 && (1.0..11.0).contains(f) => {
                        panic!("{sheet}: {f}")
                    }
                    Data::String(s) if s == "<11" || s == "x" => hidden += 1,
                    _ => {}
                }
            }
        }
    }
    assert!(hidden > 10, "{hidden}");
}
