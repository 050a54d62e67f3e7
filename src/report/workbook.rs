//! Excel workbooks (.xlsx) for donors and ministries: one sheet per summary with native
//! charts, and on request the lists of records. The figures are the report tables, the
//! lists the CSV columns, so a workbook, a CSV file and the screen always agree. Numbers
//! are written as numbers and dates as dates, formatted as Vietnamese documents write
//! them; Excel shows the thousands separator of the computer's regional settings
//! (6.500.000 ₫ in Vietnamese ones).

use super::Table;
use super::donor_summaries::{
    by_target_group_sex_and_age, follow_ups_by_ward, indicators, visits_by_month,
};
use super::export::{CellKind, ExportError, ExportKind, ExportOptions, Row, Sink};
use super::summaries::Summary;
use super::table::Cell;
use crate::domain::Snapshot;
use crate::domain::dates::format_date;
use crate::i18n::{Lang, t, tf};
use crate::output::OutputFile;
use chrono::NaiveDate;
use rust_xlsxwriter::{
    Chart, ChartType, DocProperties, Format, FormatAlign, FormatBorder, Workbook, Worksheet,
    XlsxError,
};
use std::io::Write;

/// What a workbook holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Contents {
    /// Every summary with its chart; with `details`, the lists of people, plans, grants
    /// and follow-ups after them.
    Donor { details: bool },
    /// One report on one sheet: what `sinhke export REPORT` writes as CSV.
    One(ExportKind),
}

/// Who the workbook covers and when it was made, for the title block of every sheet.
pub struct Cover {
    /// The wards covered, by name; empty for every ward.
    pub wards: Vec<String>,
    /// When it was made, as the user reads the time (dd/mm/yyyy hh:mm).
    pub made_at: String,
}

impl Cover {
    /// The filter's ward (or every ward), made now.
    pub fn now(snap: &Snapshot, filter: &super::Filter) -> Cover {
        Cover {
            wards: filter
                .ward
                .iter()
                .map(|code| snap.ward_name(code).to_string())
                .collect(),
            made_at: crate::domain::dates::format_local_time(crate::domain::dates::now_millis()),
        }
    }
}

impl From<XlsxError> for ExportError {
    fn from(e: XlsxError) -> Self {
        ExportError::Io(e.to_string())
    }
}

/// The first row of a sheet's table: above it the title block.
const HEADER_ROW: u32 = 5;
/// A4 in Excel's list of paper sizes.
const A4: u8 = 9;

/// Writes the workbook into `out`; returns the number of rows in its sheets.
pub fn write_workbook(
    contents: Contents,
    snap: &Snapshot,
    today: NaiveDate,
    options: &ExportOptions,
    cover: &Cover,
    out: &mut dyn Write,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<usize, ExportError> {
    let mut book = Book::new(options, cover);
    let rows = match contents {
        Contents::Donor { details } => {
            let mut rows = book.donor_sheets(snap, today)?;
            if details || options.include_names {
                for kind in [
                    ExportKind::People,
                    ExportKind::Plans,
                    ExportKind::Grants,
                    ExportKind::Milestones,
                ] {
                    rows += book.records_sheet(kind, snap, progress)?;
                }
            }
            rows
        }
        Contents::One(kind) => match kind.summary() {
            Some(which) => {
                let table = super::export::summary_table(which, snap, today, options);
                book.table_sheet(sheet_key(kind), &table)?.rows
            }
            None => book.records_sheet(kind, snap, progress)?,
        },
    };
    let title = tf(options.lang, "workbook.title", &[]);
    book.workbook
        .set_properties(&DocProperties::new().set_title(title));
    out.write_all(&book.workbook.save_to_buffer()?)?;
    Ok(rows)
}

/// `write_workbook` into a temporary beside the target, renamed over it when complete.
pub fn workbook_to_file(
    contents: Contents,
    snap: &Snapshot,
    today: NaiveDate,
    options: &ExportOptions,
    cover: &Cover,
    target: &OutputFile,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<usize, ExportError> {
    target.write(|out| write_workbook(contents, snap, today, options, cover, out, progress))
}

/// The i18n key of a report's sheet name (31 characters at most, none of `/\?*[]:`).
fn sheet_key(kind: ExportKind) -> &'static str {
    match kind {
        ExportKind::People => "workbook.sheet.people",
        ExportKind::Plans => "workbook.sheet.plans",
        ExportKind::Grants => "workbook.sheet.grants",
        ExportKind::Milestones => "workbook.sheet.milestones",
        ExportKind::Wards => "workbook.sheet.wards",
        ExportKind::GrantTypes => "workbook.sheet.grant_types",
        ExportKind::TargetGroups => "workbook.sheet.target_groups",
        ExportKind::Overdue => "workbook.sheet.overdue",
    }
}

/// Where a table landed on its sheet, for the charts drawn from it.
struct Placed {
    sheet: String,
    first: u32,
    /// The last row of the table body (the total row, if any, is below it).
    last: u32,
    rows: usize,
}

impl Placed {
    fn range(&self, column: u16) -> (&str, u32, u16, u32, u16) {
        (self.sheet.as_str(), self.first, column, self.last, column)
    }
}

struct Formats {
    title: Format,
    note: Format,
    header: Format,
    text: Format,
    number: Format,
    money: Format,
    date: Format,
    percent: Format,
    hidden: Format,
}

impl Formats {
    fn new() -> Formats {
        let header = Format::new()
            .set_bold()
            .set_text_wrap()
            .set_align(FormatAlign::Top)
            .set_background_color("D9E2F3")
            .set_border_bottom(FormatBorder::Thin);
        Formats {
            title: Format::new().set_bold().set_font_size(14),
            note: Format::new().set_italic(),
            header,
            text: Format::new(),
            number: Format::new().set_num_format("#,##0"),
            money: Format::new().set_num_format("#,##0 \"₫\""),
            date: Format::new().set_num_format("dd/mm/yyyy"),
            percent: Format::new().set_num_format("0.0%"),
            hidden: Format::new().set_align(FormatAlign::Right),
        }
    }
}

struct Book<'a> {
    workbook: Workbook,
    formats: Formats,
    options: &'a ExportOptions,
    cover: &'a Cover,
}

impl<'a> Book<'a> {
    fn new(options: &'a ExportOptions, cover: &'a Cover) -> Book<'a> {
        Book {
            workbook: Workbook::new(),
            formats: Formats::new(),
            options,
            cover,
        }
    }

    fn t(&self, key: &str) -> &'static str {
        t(self.options.lang, key)
    }

    /// Every summary on its sheet, each with its chart.
    fn donor_sheets(&mut self, snap: &Snapshot, today: NaiveDate) -> Result<usize, ExportError> {
        let filter = &self.options.filter;
        let mut rows = 0;
        let summary = |which| super::export::summary_table(which, snap, today, self.options);
        let wards = summary(Summary::ByWard);
        let kinds = summary(Summary::ByGrantKind);
        let mut donor = [
            by_target_group_sex_and_age(snap, today, filter),
            follow_ups_by_ward(snap, today, filter),
            indicators(snap, today, filter),
            visits_by_month(snap, today, filter),
        ];
        if let Some(k) = self.options.suppress_below {
            donor.iter_mut().for_each(|table| table.suppress_below(k));
        }
        let [groups, follow_ups, indicators, visits] = donor;

        rows += self.table_sheet("workbook.sheet.wards", &wards)?.rows;
        let placed = self.table_sheet("workbook.sheet.grant_types", &kinds)?;
        self.grants_chart(&placed)?;
        rows += placed.rows;
        rows += self.table_sheet("workbook.sheet.groups", &groups)?.rows;
        rows += self
            .table_sheet("workbook.sheet.follow_ups", &follow_ups)?
            .rows;
        let placed = self.table_sheet("workbook.sheet.indicators", &indicators)?;
        self.indicators_chart(&placed)?;
        rows += placed.rows;
        let placed = self.table_sheet("workbook.sheet.visits", &visits)?;
        self.visits_chart(&placed)?;
        Ok(rows + placed.rows)
    }

    /// A new sheet named by `name_key`, with the title block, A4 print setup and the
    /// header row of `headers`; returns it to be filled from row `HEADER_ROW + 1`.
    fn sheet(
        &mut self,
        name_key: &str,
        title_key: &str,
        headers: &[&str],
    ) -> Result<(&mut Worksheet, &Formats), ExportError> {
        let lang = self.options.lang;
        let name = self.t(name_key);
        let title = format!("{} — {}", t(lang, "workbook.title"), t(lang, title_key));
        let period = self.period();
        let wards = match self.cover.wards.as_slice() {
            [] => t(lang, "workbook.all_wards").to_string(),
            names => tf(lang, "workbook.wards", &[("wards", &names.join(", "))]),
        };
        let made = tf(lang, "workbook.made_at", &[("time", &self.cover.made_at)]);
        let suppressed = self
            .options
            .suppress_below
            .filter(|k| *k > 1)
            .map(|k| tf(lang, "workbook.suppressed", &[("k", &k)]));
        let page = t(lang, "workbook.page");
        let formats = &self.formats;
        let ws = self.workbook.add_worksheet();
        ws.set_name(name)?;
        ws.write_string_with_format(0, 0, &title, &formats.title)?;
        ws.write_string(1, 0, &period)?;
        ws.write_string(2, 0, &wards)?;
        ws.write_string(3, 0, &made)?;
        if let Some(note) = &suppressed {
            ws.write_string_with_format(4, 0, note, &formats.note)?;
        }
        for (c, key) in headers.iter().enumerate() {
            ws.write_string_with_format(HEADER_ROW, c as u16, t(lang, key), &formats.header)?;
        }
        ws.set_freeze_panes(HEADER_ROW + 1, 0)?;
        ws.set_paper_size(A4);
        if headers.len() > 6 {
            ws.set_landscape();
        }
        ws.set_print_fit_to_pages(1, 0);
        ws.set_repeat_rows(HEADER_ROW, HEADER_ROW)?;
        ws.set_header(format!("&C&\"-,Bold\"{}", escape_header(&title)));
        ws.set_footer(format!(
            "&L{}&R{}",
            escape_header(&format!("{period} · {made}")),
            escape_header(page)
                .replace("{page}", "&P")
                .replace("{pages}", "&N")
        ));
        Ok((ws, formats))
    }

    fn period(&self) -> String {
        let lang = self.options.lang;
        let filter = &self.options.filter;
        match (filter.from, filter.to) {
            (None, None) => t(lang, "workbook.period_all").to_string(),
            (from, to) => tf(
                lang,
                "workbook.period",
                &[
                    ("from", &from.map_or("…".to_string(), format_date)),
                    ("to", &to.map_or("…".to_string(), format_date)),
                ],
            ),
        }
    }

    /// A summary table on its own sheet: header, body, the total row in bold, column
    /// widths to fit, a filter on the header.
    fn table_sheet(&mut self, name_key: &str, table: &Table) -> Result<Placed, ExportError> {
        let lang = self.options.lang;
        let name = self.t(name_key).to_string();
        let (ws, formats) = self.sheet(name_key, table.title, &table.columns)?;
        let mut widths = Widths::of_headers(&table.columns, lang);
        let mut r = HEADER_ROW + 1;
        for row in &table.rows {
            write_cells(ws, formats, r, row, lang, &mut widths, false)?;
            r += 1;
        }
        let last = r.saturating_sub(1).max(HEADER_ROW + 1);
        if let Some(total) = &table.total {
            write_cells(ws, formats, r, total, lang, &mut widths, true)?;
        }
        let columns = table.columns.len() as u16;
        ws.autofilter(HEADER_ROW, 0, last, columns.saturating_sub(1))?;
        widths.apply(ws, &table.columns, lang)?;
        Ok(Placed {
            sheet: name,
            first: HEADER_ROW + 1,
            last,
            rows: table.rows.len(),
        })
    }

    /// A list of records (people, plans, grants, follow-ups) on its own sheet, with the
    /// CSV file's columns.
    fn records_sheet(
        &mut self,
        kind: ExportKind,
        snap: &Snapshot,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<usize, ExportError> {
        let options = self.options;
        let lang = options.lang;
        let headers = super::export::record_headers(kind, options.include_names);
        let (ws, formats) = self.sheet(sheet_key(kind), kind.title_key(), &headers)?;
        let mut sink = SheetSink {
            ws,
            formats,
            row: HEADER_ROW + 1,
            widths: Widths::of_headers(&headers, lang),
        };
        let rows = super::export::records(kind, snap, options, &mut sink, progress)?;
        let last = sink.row.saturating_sub(1).max(HEADER_ROW + 1);
        sink.ws.autofilter(
            HEADER_ROW,
            0,
            last,
            (headers.len() as u16).saturating_sub(1),
        )?;
        sink.widths.apply(sink.ws, &headers, lang)?;
        Ok(rows)
    }

    /// Below the table (two rows under its total), so a printed page holds both at
    /// the table's width.
    fn insert_chart(&mut self, placed: &Placed, chart: &mut Chart) -> Result<(), ExportError> {
        chart.set_width(640).set_height(320);
        let ws = self.workbook.worksheet_from_name(&placed.sheet)?;
        ws.insert_chart(placed.last + 3, 0, chart)?;
        Ok(())
    }

    /// Grants by kind: their value in columns, their number as a line on a second axis.
    fn grants_chart(&mut self, placed: &Placed) -> Result<(), ExportError> {
        let mut chart = Chart::new(ChartType::Column);
        chart.title().set_name(self.t("workbook.chart.grants"));
        chart
            .add_series()
            .set_name(self.t("summary.grant_value"))
            .set_categories(placed.range(0))
            .set_values(placed.range(5));
        let mut count = Chart::new(ChartType::Line);
        count
            .add_series()
            .set_name(self.t("summary.grants"))
            .set_categories(placed.range(0))
            .set_values(placed.range(1))
            .set_secondary_axis(true);
        chart.y_axis().set_num_format("#,##0");
        chart.combine(&count);
        self.insert_chart(placed, &mut chart)
    }

    /// Each indicator beside its target, in percent.
    fn indicators_chart(&mut self, placed: &Placed) -> Result<(), ExportError> {
        let mut chart = Chart::new(ChartType::Column);
        chart.title().set_name(self.t("workbook.chart.indicators"));
        for (column, key) in [(3, "workbook.value"), (4, "workbook.target")] {
            chart
                .add_series()
                .set_name(self.t(key))
                .set_categories(placed.range(0))
                .set_values(placed.range(column));
        }
        chart
            .y_axis()
            .set_num_format("0%")
            .set_max(1.0)
            .set_min(0.0);
        self.insert_chart(placed, &mut chart)
    }

    fn visits_chart(&mut self, placed: &Placed) -> Result<(), ExportError> {
        let mut chart = Chart::new(ChartType::Column);
        chart.title().set_name(self.t("workbook.chart.visits"));
        chart
            .add_series()
            .set_name(self.t("workbook.visits_done"))
            .set_categories(placed.range(0))
            .set_values(placed.range(1));
        chart.legend().set_hidden();
        self.insert_chart(placed, &mut chart)
    }
}

/// In a page header or footer `&` starts a code: a literal one is doubled.
fn escape_header(text: &str) -> String {
    text.replace('&', "&&")
}

/// One summary row: figures as numbers, shares as percentages, withheld figures as
/// the text the CSV writes ("<11", "x"), right-aligned like the figures around them.
fn write_cells(
    ws: &mut Worksheet,
    formats: &Formats,
    r: u32,
    cells: &[Cell],
    lang: Lang,
    widths: &mut Widths,
    total: bool,
) -> Result<(), ExportError> {
    for (c, cell) in cells.iter().enumerate() {
        let col = c as u16;
        let bold = |f: &Format| {
            if total {
                f.clone().set_bold().set_border_top(FormatBorder::Thin)
            } else {
                f.clone()
            }
        };
        let shown = match cell {
            Cell::Text(s) => {
                ws.write_string_with_format(r, col, s, &bold(&formats.text))?;
                s.clone()
            }
            Cell::Label(key) => {
                let s = t(lang, key);
                ws.write_string_with_format(r, col, s, &bold(&formats.text))?;
                s.to_string()
            }
            Cell::Count(n) => {
                ws.write_number_with_format(r, col, *n as f64, &bold(&formats.number))?;
                n.to_string()
            }
            Cell::Money(d) => {
                ws.write_number_with_format(r, col, d.0 as f64, &bold(&formats.money))?;
                d.to_string()
            }
            Cell::Date(d) => {
                ws.write_date_with_format(r, col, d, &bold(&formats.date))?;
                "00/00/0000".into()
            }
            Cell::Percent(Some(p)) => {
                ws.write_number_with_format(r, col, p / 100.0, &bold(&formats.percent))?;
                "100.0%".into()
            }
            Cell::Percent(None) => {
                ws.write_blank(r, col, &bold(&formats.text))?;
                String::new()
            }
            Cell::Suppressed(k) => {
                let s = format!("<{k}");
                ws.write_string_with_format(r, col, &s, &bold(&formats.hidden))?;
                s
            }
            Cell::Withheld => {
                ws.write_string_with_format(r, col, "x", &bold(&formats.hidden))?;
                "x".into()
            }
        };
        widths.fit(col, &shown);
    }
    Ok(())
}

/// The width of each column in characters, from the widest cell written into it.
struct Widths(Vec<usize>);

impl Widths {
    /// Headers wrap, so they ask only for their longest word.
    fn of_headers(keys: &[&str], lang: Lang) -> Widths {
        Widths(
            keys.iter()
                .map(|k| {
                    t(lang, k)
                        .split_whitespace()
                        .map(crate::text::width)
                        .max()
                        .unwrap_or(0)
                        .max(8)
                })
                .collect(),
        )
    }

    fn fit(&mut self, col: u16, text: &str) {
        if let Some(w) = self.0.get_mut(usize::from(col)) {
            *w = (*w).max(crate::text::width(text));
        }
    }

    /// Columns as wide as their widest cell, within reason (a long note wraps in Excel),
    /// and the header row tall enough for its wrapped headers: Excel and LibreOffice do
    /// not grow a row for wrapped text written by a program.
    fn apply(&self, ws: &mut Worksheet, headers: &[&str], lang: Lang) -> Result<(), ExportError> {
        let mut lines = 1;
        for (c, (w, key)) in self.0.iter().zip(headers).enumerate() {
            let width = (*w).clamp(8, 50);
            ws.set_column_width(c as u16, width as f64 + 2.0)?;
            lines = lines.max(crate::text::wrap(t(lang, key), width).len());
        }
        ws.set_row_height(HEADER_ROW, 15.0 * lines as f64 + 3.0)?;
        Ok(())
    }
}

/// A day as `Row::date` writes it.
fn iso(cell: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(cell, "%Y-%m-%d").ok()
}

/// A sheet of records, filled row by row from the CSV columns.
struct SheetSink<'w> {
    ws: &'w mut Worksheet,
    formats: &'w Formats,
    row: u32,
    widths: Widths,
}

impl Sink for SheetSink<'_> {
    /// The header was written with the title block.
    fn header(&mut self, _keys: &[&'static str], _lang: Lang) -> Result<(), ExportError> {
        Ok(())
    }

    fn row(&mut self, row: &Row) -> Result<(), ExportError> {
        let (ws, f, r) = (&mut *self.ws, self.formats, self.row);
        for (c, (cell, kind)) in row.cells().enumerate() {
            let col = c as u16;
            // Only number cells are parsed; text is most of a list of people.
            match kind {
                _ if cell.is_empty() => {}
                CellKind::Number | CellKind::Money => match cell.parse::<f64>() {
                    Ok(n) if kind == CellKind::Money => {
                        ws.write_number_with_format(r, col, n, &f.money)?;
                    }
                    Ok(n) => {
                        ws.write_number(r, col, n)?;
                    }
                    Err(_) => {
                        ws.write_string(r, col, cell)?;
                    }
                },
                CellKind::Date => match iso(cell) {
                    Some(day) => {
                        ws.write_date_with_format(r, col, day, &f.date)?;
                    }
                    None => {
                        ws.write_string(r, col, cell)?;
                    }
                },
                CellKind::Text | CellKind::Guarded => {
                    ws.write_string(r, col, cell)?;
                }
            }
            self.widths.fit(
                col,
                if kind == CellKind::Date {
                    "00/00/0000"
                } else {
                    cell
                },
            );
        }
        self.row += 1;
        Ok(())
    }
}

#[cfg(test)]
#[path = "workbook_tests.rs"]
mod tests;
