//! CSV files that Excel opens cleanly: UTF-8 with a byte-order mark, RFC 4180 quoting,
//! one header row in the chosen language, dates yyyy-mm-dd, amounts as plain integers.
//! Without names, no full name, phone, address or household note leaves the program:
//! people appear by code. The summaries are the report tables, so they agree with the
//! dashboard to the đồng.

use super::Filter;
use super::summaries::Summary;
use super::table::Cell;
use crate::domain::dates::iso_date;
use crate::domain::*;
use crate::i18n::{Lang, t};
use crate::output::{OutputError, OutputFile};
use chrono::NaiveDate;
use std::io::Write;

mod columns;

/// What `sinhke export` can write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportKind {
    People,
    Plans,
    Grants,
    Milestones,
    Wards,
    GrantTypes,
    TargetGroups,
    Overdue,
}

impl ExportKind {
    pub const ALL: [ExportKind; 8] = [
        ExportKind::People,
        ExportKind::Plans,
        ExportKind::Grants,
        ExportKind::Milestones,
        ExportKind::Wards,
        ExportKind::GrantTypes,
        ExportKind::TargetGroups,
        ExportKind::Overdue,
    ];

    /// The name on the command line and in file names.
    pub fn name(self) -> &'static str {
        match self {
            ExportKind::People => "people",
            ExportKind::Plans => "plans",
            ExportKind::Grants => "grants",
            ExportKind::Milestones => "milestones",
            ExportKind::Wards => "wards",
            ExportKind::GrantTypes => "grant-types",
            ExportKind::TargetGroups => "target-groups",
            ExportKind::Overdue => "overdue",
        }
    }

    /// What the file is, in the user's words (the export form's title).
    pub fn title_key(self) -> &'static str {
        match self {
            ExportKind::People => "export_kind.people",
            ExportKind::Plans => "export_kind.plans",
            ExportKind::Grants => "export_kind.grants",
            ExportKind::Milestones => "export_kind.milestones",
            ExportKind::Wards => "export_kind.wards",
            ExportKind::GrantTypes => "export_kind.grant_types",
            ExportKind::TargetGroups => "export_kind.target_groups",
            ExportKind::Overdue => "export_kind.overdue",
        }
    }

    pub fn parse(name: &str) -> Option<ExportKind> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }

    /// Only the list of people can carry names; the other files never do.
    pub fn can_carry_names(self) -> bool {
        self == ExportKind::People
    }

    /// The export of a summary table.
    pub fn of_summary(summary: Summary) -> ExportKind {
        match summary {
            Summary::ByWard => ExportKind::Wards,
            Summary::ByGrantKind => ExportKind::GrantTypes,
            Summary::ByTargetGroupAndSex => ExportKind::TargetGroups,
            Summary::Overdue => ExportKind::Overdue,
        }
    }

    pub fn summary(self) -> Option<Summary> {
        match self {
            ExportKind::Wards => Some(Summary::ByWard),
            ExportKind::GrantTypes => Some(Summary::ByGrantKind),
            ExportKind::TargetGroups => Some(Summary::ByTargetGroupAndSex),
            ExportKind::Overdue => Some(Summary::Overdue),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportOptions {
    pub lang: Lang,
    pub include_names: bool,
    pub filter: Filter,
    /// Counts below this (and the values that would reveal them) are written as "<K".
    pub suppress_below: Option<u64>,
    pub delimiter: Delimiter,
}

/// What separates the cells of a CSV line. Excel splits a file by the list separator of
/// the computer's regional settings: a semicolon wherever the decimal mark is a comma,
/// as in Vietnamese settings, where a comma file lands in one column.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Delimiter {
    /// RFC 4180.
    #[default]
    Comma,
    Semicolon,
}

impl Delimiter {
    pub fn byte(self) -> u8 {
        match self {
            Delimiter::Comma => b',',
            Delimiter::Semicolon => b';',
        }
    }
}

/// What an export writes: a CSV file, or an Excel workbook (`report::workbook`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileFormat {
    Csv,
    Xlsx,
}

impl FileFormat {
    /// By the file's extension: `.xlsx` is a workbook, anything else CSV.
    pub fn of_path(path: &std::path::Path) -> FileFormat {
        match path.extension().and_then(|e| e.to_str()) {
            Some(e) if e.eq_ignore_ascii_case("xlsx") => FileFormat::Xlsx,
            _ => FileFormat::Csv,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("cannot write the file: {0}")]
    Io(String),
}

impl From<std::io::Error> for ExportError {
    fn from(e: std::io::Error) -> Self {
        ExportError::Io(e.to_string())
    }
}

impl From<OutputError> for ExportError {
    fn from(e: OutputError) -> Self {
        match e {
            OutputError::Io(e) => ExportError::Io(e.to_string()),
            other => ExportError::Io(other.to_string()),
        }
    }
}

impl From<csv::Error> for ExportError {
    fn from(e: csv::Error) -> Self {
        ExportError::Io(e.to_string())
    }
}

/// Excel on Windows reads UTF-8 only when the file starts with this mark.
const BOM: &[u8] = "\u{feff}".as_bytes();

fn yes_no(lang: Lang, value: bool) -> &'static str {
    t(lang, if value { "form.yes" } else { "form.no" })
}

/// Writes `kind` as CSV to `out`, calling `progress(done, total)` every few hundred rows.
/// Returns the number of data rows written.
pub fn export(
    kind: ExportKind,
    snap: &Snapshot,
    today: NaiveDate,
    options: &ExportOptions,
    out: &mut dyn Write,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<usize, ExportError> {
    out.write_all(BOM)?;
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .delimiter(options.delimiter.byte())
        .from_writer(out);
    let rows = match kind.summary() {
        Some(which) => summary(which, snap, today, options, &mut w, progress)?,
        None => records(kind, snap, options, &mut w, progress)?,
    };
    w.flush()?;
    Ok(rows)
}

/// Writes the header and the rows of a record file (people, plans, grants, visits) into
/// `sink`; a summary writes nothing. Returns the number of rows.
pub(crate) fn records(
    kind: ExportKind,
    snap: &Snapshot,
    options: &ExportOptions,
    sink: &mut dyn Sink,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<usize, ExportError> {
    match kind {
        ExportKind::People => columns::people(snap, options, sink, progress),
        ExportKind::Plans => columns::plans(snap, options, sink, progress),
        ExportKind::Grants => columns::grants(snap, options, sink, progress),
        ExportKind::Milestones => columns::milestones(snap, options, sink, progress),
        _ => Ok(0),
    }
}

/// Writes into a temporary beside the target and renames it when complete, so a
/// half-written export never looks finished (a kill, a full disk, a pulled USB stick);
/// the target was checked to be outside the database (`OutputFile::outside`).
pub fn export_to_file(
    kind: ExportKind,
    snap: &Snapshot,
    today: NaiveDate,
    options: &ExportOptions,
    target: &OutputFile,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<usize, ExportError> {
    target.write(|out| export(kind, snap, today, options, out, progress))
}

type Csv<'a> = csv::Writer<&'a mut dyn Write>;

fn header(w: &mut Csv, lang: Lang, keys: &[&str]) -> Result<(), ExportError> {
    w.write_record(keys.iter().map(|k| t(lang, k)))?;
    Ok(())
}

/// Where the rows of a record file go: a CSV file, or a sheet of a workbook.
pub(crate) trait Sink {
    /// The header row, as i18n keys.
    fn header(&mut self, keys: &[&'static str], lang: Lang) -> Result<(), ExportError>;
    fn row(&mut self, row: &Row) -> Result<(), ExportError>;
}

impl Sink for Csv<'_> {
    fn header(&mut self, keys: &[&'static str], lang: Lang) -> Result<(), ExportError> {
        header(self, lang, keys)
    }

    fn row(&mut self, row: &Row) -> Result<(), ExportError> {
        self.write_record(&row.record)?;
        Ok(())
    }
}

/// Emits progress every 500 rows and at the end.
fn tick(progress: &mut dyn FnMut(usize, usize), done: usize, total: usize) {
    if done.is_multiple_of(500) || done == total {
        progress(done, total);
    }
}

/// The headers of the people file; with names, the first header says so.
pub fn people_columns(include_names: bool) -> Vec<&'static str> {
    headers(columns::PEOPLE, include_names)
}

/// The headers of a record file, as i18n keys; a summary has none here.
pub(crate) fn record_headers(kind: ExportKind, include_names: bool) -> Vec<&'static str> {
    match kind {
        ExportKind::People => headers(columns::PEOPLE, include_names),
        ExportKind::Plans => headers(columns::PLANS, include_names),
        ExportKind::Grants => headers(columns::GRANTS, include_names),
        ExportKind::Milestones => headers(columns::MILESTONES, include_names),
        _ => Vec::new(),
    }
}

/// What a column's cell is made from: the record, the snapshot its links lead into,
/// and the file's language.
struct Of<'a, R> {
    record: &'a R,
    snap: &'a Snapshot,
    lang: Lang,
}

impl<R> Of<'_, R> {
    fn t(&self, key: &str) -> &'static str {
        t(self.lang, key)
    }

    fn yes_no(&self, value: bool) -> &'static str {
        yes_no(self.lang, value)
    }
}

impl Of<'_, Person> {
    /// One answer of the person's consent as yes/no; empty when no consent is recorded.
    fn consent_answer(&self, answer: fn(&Consent) -> bool) -> &'static str {
        self.record
            .consent
            .as_ref()
            .map_or("", |c| self.yes_no(answer(c)))
    }
}

/// One column of a record file: its header and how its cell is written, side by side,
/// so a header can never drift from its cells.
struct Column<R> {
    /// The header's i18n key.
    header: &'static str,
    /// Written only into files with names (supervisors only, audited).
    names: bool,
    cell: fn(&mut Row, &Of<'_, R>),
}

const fn col<R>(header: &'static str, cell: fn(&mut Row, &Of<'_, R>)) -> Column<R> {
    Column {
        header,
        names: false,
        cell,
    }
}

const fn with_names<R>(header: &'static str, cell: fn(&mut Row, &Of<'_, R>)) -> Column<R> {
    Column {
        header,
        names: true,
        cell,
    }
}

fn shown_columns<R>(
    columns: &'static [Column<R>],
    include_names: bool,
) -> impl Iterator<Item = &'static Column<R>> {
    columns.iter().filter(move |c| include_names || !c.names)
}

fn headers<R>(columns: &'static [Column<R>], include_names: bool) -> Vec<&'static str> {
    shown_columns(columns, include_names)
        .enumerate()
        .map(|(i, c)| match c.header {
            // A file with names says so in its first header, where a reader looks first.
            "col.code" if i == 0 && include_names => "csv.code_with_names",
            header => header,
        })
        .collect()
}

/// Writes the header and one row per record, each cell by its column.
fn write_records<'a, R: 'a>(
    columns: &'static [Column<R>],
    list: impl ExactSizeIterator<Item = &'a R>,
    snap: &Snapshot,
    o: &ExportOptions,
    w: &mut dyn Sink,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<usize, ExportError> {
    w.header(&headers(columns, o.include_names), o.lang)?;
    let total = list.len();
    let mut row = Row::default();
    for (n, record) in list.enumerate() {
        let of = Of {
            record,
            snap,
            lang: o.lang,
        };
        for column in shown_columns(columns, o.include_names) {
            (column.cell)(&mut row, &of);
        }
        row.write(w)?;
        tick(progress, n + 1, total);
    }
    Ok(total)
}

/// One row at a time in one reused buffer. Borrowed text is copied straight in, numbers
/// and dates are formatted through one scratch string: no String per cell, which at
/// 50,000 milestones was most of the export's time. Beside each cell, what it holds, so
/// a workbook writes numbers as numbers and dates as dates.
#[derive(Default)]
pub(crate) struct Row {
    record: csv::StringRecord,
    kinds: Vec<CellKind>,
    scratch: String,
}

/// What a cell of a record file holds, as written in `Row`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CellKind {
    Text,
    /// Text written after an apostrophe, because a spreadsheet would run it.
    Guarded,
    /// A plain number (a year, a count, a quantity with a decimal point).
    Number,
    /// Whole đồng.
    Money,
    /// yyyy-mm-dd.
    Date,
}

/// What a spreadsheet runs as a formula when a cell begins with it.
const FORMULA_START: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Whether Excel would run this text: a name typed as `=HYPERLINK(...)` must be shown,
/// not followed. Such cells are written after an apostrophe (OWASP's advice on CSV
/// injection), which Excel does not show; import takes it off again.
fn runs_as_formula(s: &str) -> bool {
    s.starts_with(FORMULA_START)
}

/// A cell as read back from a sheet this program wrote: without that apostrophe.
pub(crate) fn without_formula_guard(s: &str) -> &str {
    match s.strip_prefix('\'') {
        Some(rest) if runs_as_formula(rest) => rest,
        _ => s,
    }
}

impl Row {
    /// The cells with what each holds; a guarded text without its apostrophe.
    pub(crate) fn cells(&self) -> impl Iterator<Item = (&str, CellKind)> {
        self.record
            .iter()
            .zip(self.kinds.iter().copied())
            .map(|(cell, kind)| match kind {
                CellKind::Guarded => (without_formula_guard(cell), kind),
                _ => (cell, kind),
            })
    }

    fn text(&mut self, s: &str) -> &mut Row {
        if runs_as_formula(s) {
            self.scratch.clear();
            self.scratch.push('\'');
            self.scratch.push_str(s);
            self.record.push_field(&self.scratch);
            self.kinds.push(CellKind::Guarded);
        } else {
            self.record.push_field(s);
            self.kinds.push(CellKind::Text);
        }
        self
    }

    fn shown(&mut self, value: impl std::fmt::Display) -> &mut Row {
        self.formatted(value, CellKind::Number)
    }

    fn money(&mut self, value: Dong) -> &mut Row {
        self.formatted(value.0, CellKind::Money)
    }

    fn formatted(&mut self, value: impl std::fmt::Display, kind: CellKind) -> &mut Row {
        use std::fmt::Write as _;
        self.scratch.clear();
        let _ = write!(self.scratch, "{value}");
        self.record.push_field(&self.scratch);
        self.kinds.push(kind);
        self
    }

    /// yyyy-mm-dd, as `iso_date` writes it, without a strftime pass per cell.
    fn date(&mut self, day: NaiveDate) -> &mut Row {
        use chrono::Datelike;
        use std::fmt::Write as _;
        self.scratch.clear();
        let _ = write!(
            self.scratch,
            "{:04}-{:02}-{:02}",
            day.year(),
            day.month(),
            day.day()
        );
        self.record.push_field(&self.scratch);
        self.kinds.push(CellKind::Date);
        self
    }

    fn opt_date(&mut self, day: Option<NaiveDate>) -> &mut Row {
        match day {
            Some(day) => self.date(day),
            None => self.text(""),
        }
    }

    fn opt_shown(&mut self, value: Option<impl std::fmt::Display>) -> &mut Row {
        match value {
            Some(value) => self.shown(value),
            None => self.text(""),
        }
    }

    /// Writes the row and empties the buffer for the next.
    fn write(&mut self, w: &mut dyn Sink) -> Result<(), ExportError> {
        w.row(self)?;
        self.record.clear();
        self.kinds.clear();
        Ok(())
    }
}

/// A summary cell as it goes into a spreadsheet: plain integers, ISO dates, "<K".
fn csv_cell(cell: &Cell, lang: Lang) -> String {
    match cell {
        Cell::Text(s) if runs_as_formula(s) => format!("'{s}"),
        Cell::Text(s) => s.clone(),
        Cell::Label(key) => t(lang, key).to_string(),
        Cell::Count(n) => n.to_string(),
        Cell::Money(d) => d.0.to_string(),
        Cell::Date(d) => iso_date(*d),
        Cell::Percent(Some(p)) => format!("{p:.1}"),
        Cell::Percent(None) => String::new(),
        Cell::Suppressed(k) => format!("<{k}"),
        Cell::Withheld => "x".into(),
    }
}

/// The summary's table for the options' filter, small counts withheld on request.
pub(crate) fn summary_table(
    which: Summary,
    snap: &Snapshot,
    today: NaiveDate,
    o: &ExportOptions,
) -> super::Table {
    let mut table = which.table(snap, today, &o.filter);
    if let Some(k) = o.suppress_below {
        table.suppress_below(k);
    }
    table
}

fn summary(
    which: Summary,
    snap: &Snapshot,
    today: NaiveDate,
    o: &ExportOptions,
    w: &mut Csv,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<usize, ExportError> {
    let table = summary_table(which, snap, today, o);
    header(w, o.lang, &table.columns)?;
    let total = table.rows.len();
    for (n, row) in table.rows.iter().chain(table.total.iter()).enumerate() {
        w.write_record(row.iter().map(|c| csv_cell(c, o.lang)))?;
        tick(progress, (n + 1).min(total), total);
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixture::{programme, today};

    fn options(lang: Lang, names: bool, suppress_below: Option<u64>) -> ExportOptions {
        ExportOptions {
            lang,
            include_names: names,
            filter: Filter::default(),
            suppress_below,
            delimiter: Delimiter::Comma,
        }
    }

    fn write_from(kind: ExportKind, snap: &Snapshot, options: &ExportOptions) -> String {
        let mut out = Vec::new();
        export(kind, snap, today(), options, &mut out, &mut |_, _| {}).expect("export");
        String::from_utf8(out).expect("utf-8")
    }

    fn write(kind: ExportKind, lang: Lang, names: bool) -> String {
        write_from(kind, &programme(), &options(lang, names, None))
    }

    #[test]
    fn text_that_a_spreadsheet_would_run_is_written_to_be_shown() {
        let mut snap = programme();
        let mut p = snap.people.values().next().expect("someone").clone();
        p.full_name = "=HYPERLINK(\"http://x\",\"Bấm\")".into();
        p.address = "@SUM(A1)".into();
        p.phone = "+84 912 000 111".into();
        snap.put_person(p);
        let text = write_from(ExportKind::People, &snap, &options(Lang::En, true, None));
        assert!(
            text.contains("\"'=HYPERLINK(\"\"http://x\"\",\"\"Bấm\"\")\""),
            "{text}"
        );
        assert!(
            text.contains(",'@SUM(A1),") && text.contains(",'+84 912 000 111,"),
            "{text}"
        );
        assert!(!text.contains(",=") && !text.contains(",@"), "{text}");
        assert_eq!(without_formula_guard("'=2+5"), "=2+5");
        assert_eq!(
            without_formula_guard("'quoted'"),
            "'quoted'",
            "other apostrophes stay"
        );
    }

    #[test]
    fn files_start_with_a_byte_order_mark_and_a_translated_header() {
        let vi = write(ExportKind::Grants, Lang::Vi, false);
        assert!(vi.starts_with('\u{feff}'));
        let en = write(ExportKind::Grants, Lang::En, false);
        assert!(
            en.lines()
                .next()
                .is_some_and(|h| h.contains("Total value (VND)")),
            "{en}"
        );
    }

    #[test]
    fn without_names_no_name_phone_or_address_is_written() {
        let snap = programme();
        let text = write(ExportKind::People, Lang::Vi, false);
        for p in snap.people.values() {
            assert!(
                !text.contains(&p.full_name)
                    && !text.contains(&p.phone)
                    && !text.contains(&p.address)
            );
            assert!(text.contains(&p.code));
        }
        let with = write(ExportKind::People, Lang::En, true);
        assert!(with.contains("Người số 1"));
        assert!(
            with.trim_start_matches('\u{feff}')
                .starts_with("Code (contains names)")
        );
    }

    #[test]
    fn the_summaries_add_up_to_the_grants_file() {
        let grants = write(ExportKind::Grants, Lang::En, false);
        let sum: i64 = grants
            .lines()
            .skip(1)
            .filter_map(|l| l.split(',').nth(8)?.parse::<i64>().ok())
            .sum();
        for kind in [ExportKind::Wards, ExportKind::GrantTypes] {
            let text = write(kind, Lang::En, false);
            let header: Vec<&str> = text.lines().next().expect("header").split(',').collect();
            let column = header
                .iter()
                .position(|h| *h == "Grant value (VND)")
                .expect("value column");
            let rows: Vec<&str> = text.lines().skip(1).collect();
            let (total_row, body) = rows.split_last().expect("rows");
            let body_sum: i64 = body
                .iter()
                .filter_map(|l| l.split(',').nth(column)?.parse::<i64>().ok())
                .sum();
            assert_eq!(body_sum, sum, "{kind:?}");
            assert!(total_row.starts_with("Total,"));
            assert_eq!(
                total_row.split(',').nth(column),
                Some(sum.to_string().as_str())
            );
        }
    }

    #[test]
    fn small_counts_are_withheld_on_request() {
        let text = write_from(
            ExportKind::Wards,
            &programme(),
            &options(Lang::En, false, Some(11)),
        );
        assert!(text.contains("<11"));
        assert!(
            !text.contains(",6800000,"),
            "a value that reveals a small count is withheld: {text}"
        );
    }

    #[test]
    fn dates_are_iso_and_amounts_plain() {
        let text = write(ExportKind::Grants, Lang::Vi, false);
        assert!(
            text.contains("2025-01-01") && text.contains("4000000") && !text.contains("4.000.000")
        );
    }
}
