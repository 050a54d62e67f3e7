//! A sheet read as rows of text, from a CSV file or from a workbook (.xlsx, .xls, .ods,
//! read by calamine), each row with the number the officer sees in Excel. Imports of
//! people, plans, grants and visits all read through here, so a workbook and a CSV file
//! are checked alike.

use super::import::{Encoding, ImportError};
use super::sheet;
use calamine::{Data, Range, Reader};
use csv::StringRecord;
use std::io::Cursor;

/// The rows of one sheet, below its header.
#[derive(Debug, Default)]
pub struct SheetRows {
    /// The workbook's sheet the rows come from; None for a CSV file.
    pub sheet: Option<String>,
    pub header: StringRecord,
    /// The header's row number.
    pub header_line: usize,
    /// Each row's number and its cells.
    pub rows: Vec<(usize, StringRecord)>,
    /// Rows that could not be read as cells (a CSV line with a stray quote).
    pub unreadable: Vec<usize>,
    /// The CSV file's encoding; None for a workbook.
    pub encoding: Option<Encoding>,
}

/// What an import knows of a header: which field each column holds (None: a column it
/// does not use), and which fields may hold text over several lines.
pub struct HeaderRules<'a> {
    pub map: &'a dyn Fn(&StringRecord) -> Vec<Option<&'static str>>,
    pub multi_line: &'a [&'static str],
}

impl HeaderRules<'_> {
    /// A row is the header when it names this many known fields: a title above the
    /// table ("DANH SÁCH HỘ NHẬN HỖ TRỢ NĂM 2024", merged across) names none.
    const KNOWN_IN_A_HEADER: usize = 2;

    fn recognises(&self, row: &StringRecord) -> bool {
        (self.map)(row).iter().flatten().count() >= Self::KNOWN_IN_A_HEADER
    }
}

/// Rows from a file's bytes: a workbook when the bytes are one (its sheet `sheet`, or
/// the first with a header these rules recognise), CSV otherwise.
pub fn read_rows(
    bytes: &[u8],
    encoding: Option<Encoding>,
    sheet: Option<&str>,
    rules: &HeaderRules,
) -> Result<SheetRows, ImportError> {
    if sheet::is_workbook(bytes) {
        read_workbook(bytes, sheet, rules)
    } else if let Some(name) = sheet {
        Err(ImportError::NoSuchSheet(name.to_string()))
    } else {
        read_csv(bytes, encoding, rules)
    }
}

fn read_csv(
    bytes: &[u8],
    encoding: Option<Encoding>,
    rules: &HeaderRules,
) -> Result<SheetRows, ImportError> {
    let (content, used) = sheet::decode(bytes, encoding)?;
    let delimiter = sheet::delimiter(&content);
    sheet::check_cells(&content, delimiter)?;
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(content.as_bytes());
    let mut records = reader.records();
    let header = match records.next() {
        Some(Ok(h)) => h,
        Some(Err(_)) => return Err(ImportError::NotATable),
        None => return Err(ImportError::Empty),
    };
    let multi_line: Vec<bool> = (rules.map)(&header)
        .iter()
        .map(|f| f.is_some_and(|f| rules.multi_line.contains(&f)))
        .collect();
    sheet::cell_shape(&header, &header, &multi_line, 1, delimiter)?;
    let mut rows = SheetRows {
        header: header.clone(),
        header_line: 1,
        encoding: Some(used),
        ..SheetRows::default()
    };
    let mut next_line = 2;
    for record in records {
        let Ok(record) = record else {
            rows.unreadable.push(next_line);
            continue;
        };
        // The line a record starts on, counting the line breaks inside quoted cells.
        let line = record
            .position()
            .and_then(|p| usize::try_from(p.line()).ok())
            .unwrap_or(next_line);
        next_line = line + 1;
        sheet::cell_shape(&record, &header, &multi_line, line, delimiter)?;
        rows.rows.push((line, record));
    }
    Ok(rows)
}

/// How far down a sheet its header is looked for.
const HEADER_SEARCH_ROWS: usize = 30;

fn read_workbook(
    bytes: &[u8],
    wanted: Option<&str>,
    rules: &HeaderRules,
) -> Result<SheetRows, ImportError> {
    let mut book = calamine::open_workbook_auto_from_rs(Cursor::new(bytes.to_vec()))
        .map_err(|e| ImportError::DamagedWorkbook(e.to_string()))?;
    let names = book.sheet_names();
    let chosen: Vec<String> = match wanted {
        Some(name) => vec![
            names
                .iter()
                .find(|n| crate::text::fold(n) == crate::text::fold(name))
                .cloned()
                .ok_or_else(|| ImportError::NoSuchSheet(name.to_string()))?,
        ],
        None => names,
    };
    for name in &chosen {
        let range = book
            .worksheet_range(name)
            .map_err(|e| ImportError::DamagedWorkbook(e.to_string()))?;
        let table = text_rows(&range);
        let header_at = table
            .iter()
            .take(HEADER_SEARCH_ROWS)
            .position(|(_, cells, _)| rules.recognises(cells));
        let Some(at) = header_at else { continue };
        let mut rows = table.into_iter().skip(at);
        let Some((header_line, header, _)) = rows.next() else {
            continue;
        };
        // A formula's error (#N/A of a failed lookup) is no value to save as text.
        let (broken, rows): (Vec<_>, Vec<_>) = rows.partition(|(_, _, error)| *error);
        let unreadable = broken.into_iter().map(|(line, _, _)| line).collect();
        let rows: Vec<(usize, StringRecord)> = rows
            .into_iter()
            .map(|(line, cells, _)| (line, cells))
            .collect();
        for (line, cells) in &rows {
            if cells
                .iter()
                .any(|c| c.chars().count() > sheet::MAX_CELL_CHARS)
            {
                return Err(ImportError::CellTooLong {
                    line: *line,
                    limit: sheet::MAX_CELL_CHARS,
                });
            }
        }
        return Ok(SheetRows {
            sheet: Some(name.clone()),
            header,
            header_line,
            rows,
            unreadable,
            encoding: None,
        });
    }
    Err(match wanted {
        Some(name) => ImportError::NoHeaderInSheet(name.to_string()),
        None => ImportError::NoHeaderInWorkbook,
    })
}

/// Every row of the sheet as text, numbered as Excel numbers them (1 is the top row,
/// whatever the first used cell is), and whether it holds a formula's error (#N/A).
fn text_rows(range: &Range<Data>) -> Vec<(usize, StringRecord, bool)> {
    let (top, left) = range.start().unwrap_or((0, 0));
    range
        .rows()
        .enumerate()
        .map(|(i, row)| {
            let mut record = StringRecord::new();
            for _ in 0..left {
                record.push_field("");
            }
            for cell in row {
                record.push_field(&cell_text(cell));
            }
            let has_error = row.iter().any(|c| matches!(c, Data::Error(_)));
            (top as usize + i + 1, record, has_error)
        })
        .collect()
}

/// A cell as the text an import reads: a whole number without ".0", a date as
/// yyyy-mm-dd (an Excel date is a number formatted as one), text in NFC.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => crate::text::nfc(s),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => decimal_text(*f),
        Data::Int(n) => n.to_string(),
        Data::Bool(b) => if *b { "1" } else { "0" }.to_string(),
        // Through calamine's own conversion, which knows a Mac workbook's 1904 dates.
        Data::DateTime(d) if d.is_datetime() => {
            let (y, m, day, ..) = d.to_ymd_hms_milli();
            chrono::NaiveDate::from_ymd_opt(i32::from(y), u32::from(m), u32::from(day))
                .map(crate::domain::dates::iso_date)
                .unwrap_or_else(|| d.as_f64().to_string())
        }
        Data::DateTime(d) => d.as_f64().to_string(),
        Data::DateTimeIso(s) => s.chars().take(10).collect(),
        Data::DurationIso(s) => s.clone(),
        // Never read: a row holding one is refused as unreadable (see `text_rows`).
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// A number with a fraction, as text the parsers read back as that number: a decimal
/// comma (Vietnamese sheets write 1,5), and never exactly three digits after it, which
/// would read as a thousands group ("1,125" as 1125): 1.125 becomes "1,1250". An amount
/// of money with a fraction is then refused (a fraction of a đồng), never multiplied.
fn decimal_text(f: f64) -> String {
    let mut text = f.to_string().replace('.', ",");
    if text
        .split_once(',')
        .is_some_and(|(_, fraction)| fraction.len() == 3)
    {
        text.push('0');
    }
    text
}

/// The day of an Excel serial date (days since 30/12/1899, as every reader counts them).
pub fn serial_date(serial: f64) -> Option<chrono::NaiveDate> {
    if !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    chrono::NaiveDate::from_ymd_opt(1899, 12, 30)?
        .checked_add_days(chrono::Days::new(serial.floor() as u64))
}

/// A date cell: dd/mm/yyyy or yyyy-mm-dd as typed, or an Excel serial number (a date
/// column saved to CSV without its format, or a cell typed as a number).
pub fn sheet_date(text: &str) -> Option<chrono::NaiveDate> {
    let text = text.trim();
    crate::domain::dates::parse_date(text).or_else(|| {
        // Five digits between 01/01/1990 and 31/12/2099 only: "2024" is a year, and
        // "010224" a day typed without separators, not days since 1900.
        let serial: u32 = text.parse().ok().filter(|_| text.len() == 5)?;
        (32_874..=73_050)
            .contains(&serial)
            .then(|| serial_date(f64::from(serial)))?
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Dong, Quantity};

    #[test]
    fn a_number_with_a_fraction_is_never_read_back_a_thousand_times_larger() {
        assert_eq!(decimal_text(1.125), "1,1250");
        assert_eq!(decimal_text(1.5), "1,5");
        assert_eq!(
            Quantity::parse(&decimal_text(1.125), "kg"),
            Quantity::parse("1,125", "kg")
        );
        assert!(
            Dong::parse(&decimal_text(1.125)).is_err(),
            "a fraction of a đồng"
        );
    }

    #[test]
    fn only_five_digits_of_this_century_read_as_an_excel_date() {
        assert_eq!(
            sheet_date("45402"),
            chrono::NaiveDate::from_ymd_opt(2024, 4, 20)
        );
        assert_eq!(sheet_date("2024"), None, "a year");
        assert_eq!(sheet_date("010224"), None, "a day without separators");
        assert_eq!(sheet_date("99999"), None);
    }
}
