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
        .from_writer(out);
    let rows = match kind {
        ExportKind::People => people(snap, options, &mut w, progress)?,
        ExportKind::Plans => plans(snap, options, &mut w, progress)?,
        ExportKind::Grants => grants(snap, options, &mut w, progress)?,
        ExportKind::Milestones => milestones(snap, options, &mut w, progress)?,
        ExportKind::Wards
        | ExportKind::GrantTypes
        | ExportKind::TargetGroups
        | ExportKind::Overdue => summary(kind, snap, today, options, &mut w, progress)?,
    };
    w.flush()?;
    Ok(rows)
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

/// Emits progress every 500 rows and at the end.
fn tick(progress: &mut dyn FnMut(usize, usize), done: usize, total: usize) {
    if done % 500 == 0 || done == total {
        progress(done, total);
    }
}

/// The headers of the people file; with names, the first header says so.
pub fn people_columns(include_names: bool) -> Vec<&'static str> {
    headers(PEOPLE, include_names)
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
    w: &mut Csv,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<usize, ExportError> {
    header(w, o.lang, &headers(columns, o.include_names))?;
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
/// 50,000 milestones was most of the export's time.
#[derive(Default)]
struct Row {
    record: csv::StringRecord,
    scratch: String,
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
    fn text(&mut self, s: &str) -> &mut Row {
        if runs_as_formula(s) {
            self.scratch.clear();
            self.scratch.push('\'');
            self.scratch.push_str(s);
            self.record.push_field(&self.scratch);
        } else {
            self.record.push_field(s);
        }
        self
    }

    fn shown(&mut self, value: impl std::fmt::Display) -> &mut Row {
        use std::fmt::Write as _;
        self.scratch.clear();
        let _ = write!(self.scratch, "{value}");
        self.record.push_field(&self.scratch);
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
    fn write(&mut self, w: &mut Csv) -> Result<(), ExportError> {
        w.write_record(&self.record)?;
        self.record.clear();
        Ok(())
    }
}

const PEOPLE: &[Column<Person>] = &[
    col("col.code", |r, o| {
        r.text(&o.record.code);
    }),
    with_names("field.full_name", |r, o| {
        r.text(&o.record.full_name);
    }),
    with_names("field.phone", |r, o| {
        r.text(&o.record.phone);
    }),
    with_names("field.address", |r, o| {
        r.text(&o.record.address);
    }),
    col("field.sex", |r, o| {
        r.text(o.t(o.record.sex.key()));
    }),
    col("field.birth_year", |r, o| {
        r.shown(o.record.birth_year);
    }),
    col("field.ward", |r, o| {
        r.text(&o.record.ward);
    }),
    col("field.target", |r, o| {
        r.text(o.record.primary_group().map_or("", |g| o.t(g.key())));
    }),
    col("field.target_secondary", |r, o| {
        r.text(o.record.target_groups.get(1).map_or("", |g| o.t(g.key())));
    }),
    col("field.status", |r, o| {
        r.text(o.t(o.record.status.key()));
    }),
    col("field.enrolled_on", |r, o| {
        r.date(o.record.enrolled_on);
    }),
    col("field.collaborator", |r, o| {
        r.text(&o.record.collaborator);
    }),
    col("field.consent", |r, o| {
        r.text(o.yes_no(o.record.consent.is_some()));
    }),
    col("field.consent_given_on", |r, o| {
        r.opt_date(o.record.consent.as_ref().map(|c| c.given_on));
    }),
    col("field.consent_valid_until", |r, o| {
        r.opt_date(o.record.consent.as_ref().and_then(|c| c.valid_until));
    }),
    col("field.consent_services", |r, o| {
        r.text(
            o.record
                .consent
                .as_ref()
                .map_or("", |c| o.yes_no(c.services)),
        );
    }),
    col("field.consent_referrals", |r, o| {
        r.text(
            o.record
                .consent
                .as_ref()
                .map_or("", |c| o.yes_no(c.referrals)),
        );
    }),
    col("field.consent_sharing", |r, o| {
        r.text(
            o.record
                .consent
                .as_ref()
                .map_or("", |c| o.yes_no(c.sharing)),
        );
    }),
    with_names("field.household_note", |r, o| {
        r.text(&o.record.household_note);
    }),
];

fn people(
    snap: &Snapshot,
    o: &ExportOptions,
    w: &mut Csv,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<usize, ExportError> {
    let mut list: Vec<&Person> = snap
        .people
        .values()
        .filter(|p| o.filter.person(p))
        .collect();
    list.sort_by(|a, b| a.code.cmp(&b.code));
    write_records(PEOPLE, list.into_iter(), snap, o, w, progress)
}

fn code_of(snap: &Snapshot, person: Id) -> &str {
    snap.people
        .get(&person)
        .map(|p| p.code.as_str())
        .unwrap_or_default()
}

fn ward_of(snap: &Snapshot, person: Id) -> &str {
    snap.people
        .get(&person)
        .map(|p| p.ward.as_str())
        .unwrap_or_default()
}

const PLANS: &[Column<LivelihoodPlan>] = &[
    col("col.code", |r, o| {
        r.text(code_of(o.snap, o.record.person_id));
    }),
    col("field.ward", |r, o| {
        r.text(ward_of(o.snap, o.record.person_id));
    }),
    col("field.business_line", |r, o| {
        r.text(o.t(o.record.business_line.key()));
    }),
    col("field.business_detail", |r, o| {
        r.text(&o.record.business_detail);
    }),
    col("field.goal", |r, o| {
        r.text(&o.record.goal);
    }),
    col("csv.budget_vnd", |r, o| {
        r.shown(o.record.budget.0);
    }),
    col("field.counselling_sessions", |r, o| {
        r.shown(o.record.counselling_sessions);
    }),
    col("field.status", |r, o| {
        r.text(o.t(o.record.status.key()));
    }),
    col("csv.approved_by", |r, o| {
        r.text(&o.record.approved_by);
    }),
    col("col.approved_on", |r, o| {
        r.opt_date(o.record.approved_on);
    }),
    col("field.created_on", |r, o| {
        r.date(o.record.created_on);
    }),
];

fn plans(
    snap: &Snapshot,
    o: &ExportOptions,
    w: &mut Csv,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<usize, ExportError> {
    let mut list: Vec<&LivelihoodPlan> = snap
        .plans
        .values()
        .filter(|p| o.filter.owner(snap, p.person_id) && o.filter.in_range(p.created_on))
        .collect();
    list.sort_by_key(|p| (code_of(snap, p.person_id), p.created_on, p.id));
    write_records(PLANS, list.into_iter(), snap, o, w, progress)
}

const GRANTS: &[Column<Grant>] = &[
    col("col.code", |r, o| {
        r.text(code_of(o.snap, o.record.person_id));
    }),
    col("field.ward", |r, o| {
        r.text(ward_of(o.snap, o.record.person_id));
    }),
    col("col.handed_over_on", |r, o| {
        r.date(o.record.handed_over_on);
    }),
    col("field.kind", |r, o| {
        r.text(o.t(o.record.kind.key()));
    }),
    col("field.item", |r, o| {
        r.text(&o.record.item);
    }),
    col("field.quantity", |r, o| {
        r.shown(o.record.quantity.plain());
    }),
    col("field.unit", |r, o| {
        r.text(&o.record.unit);
    }),
    col("csv.unit_value_vnd", |r, o| {
        r.shown(o.record.unit_value.0);
    }),
    col("csv.total_value_vnd", |r, o| {
        r.shown(o.record.total_value.0);
    }),
    col("field.handover_record_no", |r, o| {
        r.text(&o.record.handover_record_no);
    }),
    col("field.supplier", |r, o| {
        r.text(&o.record.supplier);
    }),
    col("field.plan", |r, o| {
        let plan = o.record.plan_id.and_then(|p| o.snap.plans.get(&p));
        r.text(plan.map_or("", |p| o.t(p.business_line.key())));
    }),
];

fn grants(
    snap: &Snapshot,
    o: &ExportOptions,
    w: &mut Csv,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<usize, ExportError> {
    let mut list: Vec<&Grant> = snap
        .grants
        .values()
        .filter(|g| o.filter.grant(snap, g))
        .collect();
    list.sort_by_key(|g| (g.handed_over_on, code_of(snap, g.person_id), g.id));
    write_records(GRANTS, list.into_iter(), snap, o, w, progress)
}

const MILESTONES: &[Column<Milestone>] = &[
    col("col.code", |r, o| {
        r.text(code_of(o.snap, o.record.person_id));
    }),
    col("field.ward", |r, o| {
        r.text(ward_of(o.snap, o.record.person_id));
    }),
    col("col.due_on", |r, o| {
        r.date(o.record.due_on);
    }),
    col("field.kind", |r, o| {
        r.text(o.t(o.record.kind.key()));
    }),
    col("field.status", |r, o| {
        r.text(o.t(o.record.status.key()));
    }),
    col("field.done_on", |r, o| {
        r.opt_date(o.record.done_on);
    }),
    col("field.assigned_to", |r, o| {
        r.text(&o.record.assigned_to);
    }),
    col("field.done_by", |r, o| {
        r.text(&o.record.visit.done_by);
    }),
    col("field.business_operating", |r, o| {
        r.text(
            o.record
                .visit
                .business_operating
                .map_or("", |b| o.yes_no(b)),
        );
    }),
    col("field.animals_alive", |r, o| {
        r.opt_shown(o.record.visit.animals_alive);
    }),
    col("csv.monthly_income_vnd", |r, o| {
        r.opt_shown(o.record.visit.monthly_income.map(|d| d.0));
    }),
    col("field.referral_needed", |r, o| {
        r.text(o.record.visit.referral_needed.map_or("", |s| o.t(s.key())));
    }),
    col("field.reason", |r, o| {
        r.text(&o.record.visit.reason);
    }),
    col("field.grant", |r, o| {
        let grant = o.record.grant_id.and_then(|g| o.snap.grants.get(&g));
        r.text(grant.map_or("", |g| g.item.as_str()));
    }),
];

fn milestones(
    snap: &Snapshot,
    o: &ExportOptions,
    w: &mut Csv,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<usize, ExportError> {
    // Sorted on keys held in the list itself: comparing through the references would
    // chase two pointers into a 50 MB heap per comparison.
    let mut list: Vec<(NaiveDate, Id, &Milestone)> = snap
        .milestones
        .values()
        .filter(|m| o.filter.milestone(snap, m))
        .map(|m| (m.due_on, m.id, m))
        .collect();
    list.sort_unstable_by_key(|&(due, id, _)| (due, id));
    write_records(
        MILESTONES,
        list.iter().map(|&(_, _, m)| m),
        snap,
        o,
        w,
        progress,
    )
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

fn summary(
    kind: ExportKind,
    snap: &Snapshot,
    today: NaiveDate,
    o: &ExportOptions,
    w: &mut Csv,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<usize, ExportError> {
    let Some(which) = kind.summary() else {
        return Ok(0);
    };
    let mut table = which.table(snap, today, &o.filter);
    if let Some(k) = o.suppress_below {
        table.suppress_below(k);
    }
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
