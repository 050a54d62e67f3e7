//! Reading a list of people from a spreadsheet: what `export people --include-names`
//! writes (either language) and reasonable hand-made sheets, UTF-8 with or without a
//! byte-order mark or Windows-1258 from old Excel. Every row is checked before anything
//! is written; the caller writes all of them in one atomic action, or none.

use super::rows::{HeaderRules, read_rows};
use crate::domain::*;
use crate::i18n::both;
use crate::text;
use chrono::NaiveDate;
use std::collections::{HashMap, HashSet};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Windows1258,
}

impl Encoding {
    pub fn parse(name: &str) -> Option<Encoding> {
        match text::fold(name).replace(['-', '_'], "").as_str() {
            "utf8" => Some(Encoding::Utf8),
            "windows1258" | "cp1258" | "1258" => Some(Encoding::Windows1258),
            _ => None,
        }
    }
}

/// One problem in one row: the line of the file (the header is line 1), the column's
/// field name, and the message key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowProblem {
    pub line: usize,
    pub field: &'static str,
    pub key: &'static str,
}

/// A row that looks like someone already in the database or earlier in the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Duplicate {
    pub line: usize,
    pub of: DuplicateOf,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DuplicateOf {
    /// Someone in the database, by code.
    Person(String),
    /// An earlier line of the same file.
    Line(usize),
}

/// A row whose code could not be kept: the person gets a fresh one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recoded {
    pub line: usize,
    /// The code the file gave.
    pub code: String,
}

#[derive(Debug, Default)]
pub struct ImportPlan {
    /// The people to add, in file order, with the line each came from.
    pub people: Vec<(usize, Person)>,
    pub duplicates: Vec<Duplicate>,
    pub recoded: Vec<Recoded>,
    pub problems: Vec<RowProblem>,
    /// The encoding the file was read in; None for a workbook.
    pub encoding: Option<Encoding>,
    /// The workbook's sheet the rows came from.
    pub sheet: Option<String>,
}

/// Why a whole file is refused before any row is checked. Each names the line to look at.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ImportError {
    #[error("the file is not a table")]
    NotATable,
    #[error("the file has no header row")]
    Empty,
    #[error("the file cannot be read: {0}")]
    Unreadable(String),
    #[error("the file is larger than {limit_mb} MB")]
    TooLarge { limit_mb: u64 },
    #[error("the file is UTF-16 (Excel's Unicode text)")]
    Utf16,
    #[error("the workbook cannot be opened: {0}")]
    DamagedWorkbook(String),
    #[error("the workbook has no sheet named {0}")]
    NoSuchSheet(String),
    #[error("no row near the top of sheet {0} names the columns")]
    NoHeaderInSheet(String),
    #[error("no sheet of the workbook has a row naming the columns")]
    NoHeaderInWorkbook,
    #[error("the file is UTF-8 text, not Windows-1258")]
    IsUtf8,
    #[error("line {line} is neither UTF-8 nor Windows-1258 text")]
    BadEncoding { line: usize },
    #[error("the quote that opens a cell on line {line} is never closed")]
    UnclosedQuote { line: usize },
    #[error("a cell on line {line} holds more than {limit} characters")]
    CellTooLong { line: usize, limit: usize },
    /// A quoted cell of a one-line column runs over several lines. `column` is the
    /// column's header as the file writes it: what the officer sees in the sheet.
    #[error("the quoted cell of {column} on line {line} runs on to line {until}")]
    CellSpansLines {
        line: usize,
        until: usize,
        column: String,
    },
    /// A quoted note holds lines shaped like rows of the sheet: a quote left open.
    #[error("the quoted cell of {column} on line {line} takes in rows up to line {until}")]
    CellSwallowsRows {
        line: usize,
        until: usize,
        column: String,
    },
}

impl ImportError {
    /// The i18n key of the message a user sees; its values come from `values`.
    pub fn message_key(&self) -> &'static str {
        match self {
            ImportError::NotATable => "cli.not_a_table",
            ImportError::Empty => "import.empty",
            ImportError::Unreadable(_) => "cli.cannot_read",
            ImportError::TooLarge { .. } => "import.too_large",
            ImportError::Utf16 => "import.utf16",
            ImportError::DamagedWorkbook(_) => "import.workbook",
            ImportError::NoSuchSheet(_) => "import.no_such_sheet",
            ImportError::NoHeaderInSheet(_) => "import.no_header_in_sheet",
            ImportError::NoHeaderInWorkbook => "import.no_header_in_workbook",
            ImportError::IsUtf8 => "import.is_utf8",
            ImportError::BadEncoding { .. } => "import.bad_encoding",
            ImportError::UnclosedQuote { .. } => "import.unclosed_quote",
            ImportError::CellTooLong { .. } => "import.cell_too_long",
            ImportError::CellSpansLines { .. } => "import.cell_spans_lines",
            ImportError::CellSwallowsRows { .. } => "import.cell_swallows_rows",
        }
    }

    /// The values the message names: `line`, `until`, `limit`, `column`, `detail`.
    pub fn values(&self) -> Vec<(&'static str, String)> {
        match self {
            ImportError::NotATable
            | ImportError::Empty
            | ImportError::Utf16
            | ImportError::IsUtf8
            | ImportError::NoHeaderInWorkbook => vec![],
            ImportError::NoSuchSheet(sheet) | ImportError::NoHeaderInSheet(sheet) => {
                vec![("sheet", sheet.clone())]
            }
            ImportError::Unreadable(detail) | ImportError::DamagedWorkbook(detail) => {
                vec![("detail", detail.clone())]
            }
            ImportError::TooLarge { limit_mb } => vec![("limit", limit_mb.to_string())],
            ImportError::BadEncoding { line } | ImportError::UnclosedQuote { line } => {
                vec![("line", line.to_string())]
            }
            ImportError::CellTooLong { line, limit } => {
                vec![("line", line.to_string()), ("limit", limit.to_string())]
            }
            ImportError::CellSpansLines {
                line,
                until,
                column,
            }
            | ImportError::CellSwallowsRows {
                line,
                until,
                column,
            } => vec![
                ("line", line.to_string()),
                ("until", until.to_string()),
                ("column", column.clone()),
            ],
        }
    }
}

/// The fields an import understands, by the header labels that name them.
const FIELDS: [(&str, &[&str]); 19] = [
    ("code", &["col.code", "csv.code_with_names"]),
    ("full_name", &["field.full_name", "col.name"]),
    ("phone", &["field.phone"]),
    ("address", &["field.address"]),
    ("sex", &["field.sex", "col.sex"]),
    ("birth_year", &["field.birth_year", "col.birth_year"]),
    ("ward", &["field.ward", "col.ward"]),
    ("target", &["field.target", "col.target"]),
    ("target_secondary", &["field.target_secondary"]),
    ("status", &["field.status", "col.status"]),
    ("enrolled_on", &["field.enrolled_on"]),
    ("collaborator", &["field.collaborator"]),
    ("consent", &["field.consent"]),
    ("consent_given_on", &["field.consent_given_on"]),
    ("consent_valid_until", &["field.consent_valid_until"]),
    ("consent_services", &["field.consent_services"]),
    ("consent_referrals", &["field.consent_referrals"]),
    ("consent_sharing", &["field.consent_sharing"]),
    ("household_note", &["field.household_note"]),
];

const REQUIRED: [&str; 5] = ["full_name", "sex", "birth_year", "ward", "target"];

/// Headers that hand-made sheets use besides our own labels.
fn other_names(field: &str) -> &'static [&'static str] {
    match field {
        "full_name" => &["Tên"],
        "sex" => &["Gender"],
        "birth_year" => &["Year of birth", "Năm"],
        "ward" => &["Phường", "Xã", "Xã/phường", "Commune"],
        "target" => &["Đối tượng", "Nhóm", "Group"],
        "phone" => &["Số điện thoại", "SĐT", "Phone number"],
        "address" => &["Nơi ở"],
        _ => &[],
    }
}

/// A ward as written in a sheet, without "Phường " or "Xã " before its name.
pub(super) fn without_ward_prefix(text: &str) -> &str {
    ["Phường ", "Xã ", "Thị trấn ", "phường ", "xã ", "thị trấn "]
        .iter()
        .find_map(|p| text.strip_prefix(p))
        .unwrap_or(text)
}

/// Which field each column holds, by header label in either language.
fn map_header(header: &csv::StringRecord) -> Vec<Option<&'static str>> {
    map_fields(&FIELDS, other_names, header)
}

/// Which of `fields` each column holds: by the field's own name, its labels (i18n keys)
/// in either language, or the other names hand-made sheets use for it.
pub(super) fn map_fields(
    fields: &[(&'static str, &[&str])],
    other_names: fn(&str) -> &'static [&'static str],
    header: &csv::StringRecord,
) -> Vec<Option<&'static str>> {
    let mut labels: HashMap<String, &'static str> = HashMap::new();
    for &(field, keys) in fields {
        labels.insert(text::fold(field), field);
        for other in other_names(field) {
            labels.insert(text::fold(other), field);
        }
        for key in keys {
            for label in both(key) {
                labels.insert(text::fold(label), field);
            }
        }
    }
    header
        .iter()
        .map(|h| labels.get(&text::fold(h)).copied())
        .collect()
}

/// A domain value from its label in either language, or its code.
pub(super) fn choose<T: Copy>(
    all: &[T],
    value: &str,
    key: impl Fn(T) -> &'static str,
    code: impl Fn(T) -> &'static str,
) -> Option<T> {
    let want = text::fold(value);
    all.iter().copied().find(|v| {
        text::fold(code(*v)) == want || both(key(*v)).iter().any(|l| text::fold(l) == want)
    })
}

pub(super) fn yes_no(value: &str) -> Option<bool> {
    match text::fold(value).as_str() {
        "co" | "yes" | "y" | "x" | "1" | "true" | "dung" => Some(true),
        "khong" | "no" | "n" | "0" | "false" | "" => Some(false),
        _ => None,
    }
}

/// The sheet's rows that hold anything, each with its cells by field.
pub(super) fn filled_rows<'t>(
    table: &'t super::rows::SheetRows,
    columns: &'t [Option<&'static str>],
) -> impl Iterator<Item = Row<'t>> {
    table
        .rows
        .iter()
        .filter(|(_, record)| record.iter().any(|c| !c.trim().is_empty()))
        .map(|(line, record)| Row::new(columns, record, *line))
}

/// One row's cells by field, and the problems found in it.
pub(super) struct Row<'a> {
    cells: HashMap<&'static str, &'a str>,
    pub(super) line: usize,
    pub(super) problems: Vec<RowProblem>,
}

impl<'a> Row<'a> {
    pub(super) fn new(
        columns: &[Option<&'static str>],
        record: &'a csv::StringRecord,
        line: usize,
    ) -> Row<'a> {
        Row {
            cells: columns
                .iter()
                .zip(record.iter())
                .filter_map(|(f, v)| f.map(|f| (f, v)))
                .collect(),
            line,
            problems: Vec::new(),
        }
    }

    /// Whether the sheet has a column for `field` (its cell may still be empty).
    pub(super) fn has_column(&self, field: &str) -> bool {
        self.cells.contains_key(field)
    }

    pub(super) fn get(&self, field: &str) -> &'a str {
        self.cells
            .get(field)
            .map(|s| super::export::without_formula_guard(s.trim()))
            .unwrap_or("")
    }

    pub(super) fn problem(&mut self, field: &'static str, key: &'static str) {
        self.problems.push(RowProblem {
            line: self.line,
            field,
            key,
        });
    }

    pub(super) fn date(&mut self, field: &'static str) -> Option<NaiveDate> {
        let value = self.get(field);
        if value.is_empty() {
            return None;
        }
        let date = super::rows::sheet_date(value);
        if date.is_none() {
            self.problem(field, "err.date_format");
        }
        date
    }

    pub(super) fn flag(&mut self, field: &'static str, default: bool) -> bool {
        let value = self.get(field);
        if value.is_empty() {
            return default;
        }
        yes_no(value).unwrap_or_else(|| {
            self.problem(field, "import.yes_no");
            default
        })
    }
}

/// Fields whose text may run over several lines; every other cell holds one line.
const MULTI_LINE: [&str; 1] = ["household_note"];

/// Reads and checks every row. Nothing is written here. `user` is who imports: a row
/// of a ward they do not work in is a problem of that row, found here, not at writing.
pub fn read_people(
    bytes: &[u8],
    encoding: Option<Encoding>,
    snap: &Snapshot,
    user: &User,
    today: NaiveDate,
) -> Result<ImportPlan, ImportError> {
    read_people_in(bytes, encoding, None, snap, user, today)
}

/// `read_people` from a CSV file or a workbook's sheet (by name, or the first with a
/// header naming people's fields); rows are numbered as the sheet numbers them.
pub fn read_people_in(
    bytes: &[u8],
    encoding: Option<Encoding>,
    sheet: Option<&str>,
    snap: &Snapshot,
    user: &User,
    today: NaiveDate,
) -> Result<ImportPlan, ImportError> {
    let rules = HeaderRules {
        map: &map_header,
        multi_line: &MULTI_LINE,
    };
    let table = read_rows(bytes, encoding, sheet, &rules)?;
    let columns = map_header(&table.header);
    let mut plan = ImportPlan {
        encoding: table.encoding,
        sheet: table.sheet.clone(),
        ..ImportPlan::default()
    };
    for field in REQUIRED {
        if !columns.contains(&Some(field)) {
            plan.problems.push(RowProblem {
                line: table.header_line,
                field,
                key: "import.missing_column",
            });
        }
    }
    if !plan.problems.is_empty() {
        return Ok(plan);
    }
    let wards: Vec<&Ward> = snap.wards.values().collect();
    // Likely duplicates, by the one rule the person form uses too (`Person::duplicate_key`);
    // someone entered in error is no one to be duplicated.
    let key_of = |p: &Person| {
        let (name, born, ward) = p.duplicate_key();
        (name, born, ward.to_string())
    };
    let existing: HashMap<(String, i32, String), String> = snap
        .people
        .values()
        .filter(|p| p.counts())
        .map(|p| (key_of(p), p.code.clone()))
        .collect();
    let mut seen: HashMap<(String, i32, String), usize> = HashMap::new();
    let mut codes: HashSet<String> = HashSet::new();
    let mut accepted = Snapshot::default();
    for w in snap.wards.values() {
        accepted.put_ward(w.clone());
    }
    plan.problems
        .extend(table.unreadable.iter().map(|&line| RowProblem {
            line,
            field: "row",
            key: "import.bad_row",
        }));
    for mut row in filled_rows(&table, &columns) {
        let line = row.line;
        let Some(person) = person_from(&mut row, &wards, today) else {
            plan.problems.extend(row.problems);
            continue;
        };
        if !person.ward.is_empty() && !user.covers_ward(&person.ward) {
            row.problem("ward", "import.outside_your_ward");
        }
        let mut problems = row.problems;
        let mut tidy = person.clone();
        tidy.tidy();
        for p in tidy.validate(today, &accepted) {
            if !problems.iter().any(|x| x.field == p.field) {
                problems.push(RowProblem {
                    line,
                    field: p.field,
                    key: p.key,
                });
            }
        }
        // A code from the file is kept when it has this ward's form (CT-0012 for a person
        // of CT) and is free. Another database's code, one already taken here or earlier
        // in the file, or a hand-typed one gets a fresh code when saved, and is reported.
        if !tidy.code.is_empty()
            && (!tidy.code_fits_ward()
                || snap.person_by_code(&tidy.code).is_some()
                || !codes.insert(tidy.code.clone()))
        {
            plan.recoded.push(Recoded {
                line,
                code: std::mem::take(&mut tidy.code),
            });
        }
        if !problems.is_empty() {
            plan.problems.extend(problems);
            continue;
        }
        let key = key_of(&tidy);
        if let Some(code) = existing.get(&key) {
            plan.duplicates.push(Duplicate {
                line,
                of: DuplicateOf::Person(code.clone()),
            });
        } else if let Some(first) = seen.get(&key) {
            plan.duplicates.push(Duplicate {
                line,
                of: DuplicateOf::Line(*first),
            });
        } else {
            seen.insert(key, line);
        }
        plan.people.push((line, tidy));
    }
    Ok(plan)
}

fn person_from(row: &mut Row, wards: &[&Ward], today: NaiveDate) -> Option<Person> {
    let sex = choose(Sex::ALL, row.get("sex"), Sex::key, Sex::code);
    if sex.is_none() {
        row.problem("sex", "import.unknown_value");
    }
    let birth_year = row.get("birth_year").parse::<i32>().ok();
    if birth_year.is_none() {
        row.problem("birth_year", "err.number_format");
    }
    let ward_text = row.get("ward");
    let ward = wards
        .iter()
        .find(|w| {
            w.code.eq_ignore_ascii_case(ward_text)
                || text::fold(&w.name) == text::fold(ward_text)
                || text::fold(&w.name) == text::fold(without_ward_prefix(ward_text))
        })
        .map(|w| w.code.clone());
    if ward.is_none() {
        row.problem(
            "ward",
            if ward_text.is_empty() {
                "err.required"
            } else {
                "err.unknown_ward"
            },
        );
    }
    let target = choose(
        TargetGroup::ALL,
        row.get("target"),
        TargetGroup::key,
        TargetGroup::code,
    );
    if target.is_none() {
        row.problem("target", "import.unknown_value");
    }
    let mut groups: Vec<TargetGroup> = target.into_iter().collect();
    let second = row.get("target_secondary");
    if !second.is_empty() {
        match choose(
            TargetGroup::ALL,
            second,
            TargetGroup::key,
            TargetGroup::code,
        ) {
            Some(g) => groups.push(g),
            None => row.problem("target_secondary", "import.unknown_value"),
        }
    }
    let status_text = row.get("status");
    let status = if status_text.is_empty() {
        PersonStatus::Active
    } else {
        choose(
            PersonStatus::ALL,
            status_text,
            PersonStatus::key,
            PersonStatus::code,
        )
        .unwrap_or_else(|| {
            row.problem("status", "import.unknown_value");
            PersonStatus::Active
        })
    };
    let enrolled_on = row.date("enrolled_on").unwrap_or(today);
    let given_on = row.date("consent_given_on");
    let valid_until = row.date("consent_valid_until");
    let has_consent = row.flag("consent", given_on.is_some());
    let consent = has_consent.then(|| Consent {
        given_on: given_on.unwrap_or(enrolled_on),
        valid_until,
        services: row.flag("consent_services", true),
        referrals: row.flag("consent_referrals", true),
        sharing: row.flag("consent_sharing", false),
    });
    Some(Person {
        id: Id::NEW,
        code: row.get("code").to_string(),
        full_name: row.get("full_name").to_string(),
        sex: sex.unwrap_or(Sex::Other),
        birth_year: birth_year.unwrap_or(0),
        ward: ward.unwrap_or_default(),
        address: row.get("address").to_string(),
        phone: row.get("phone").to_string(),
        target_groups: groups,
        household_note: row.get("household_note").to_string(),
        consent,
        enrolled_on,
        status,
        collaborator: row.get("collaborator").to_string(),
        stamp: Stamp::default(),
        entered_in_error: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixture::{programme, today, user};

    fn try_read(text: &str) -> Result<ImportPlan, ImportError> {
        read_people(text.as_bytes(), None, &programme(), &user(None), today())
    }

    fn read(text: &str) -> ImportPlan {
        try_read(text).expect("a table")
    }

    const HEADER: &str = "Full name,Sex,Birth year,Ward,Target group,Address,Household note\n";

    /// A sheet of `rows` good rows, with `broken` put in place of row `at`.
    fn sheet_with(rows: usize, at: usize, broken: &str) -> String {
        let mut text = HEADER.to_string();
        for n in 0..rows {
            if n == at {
                text.push_str(broken);
            } else {
                text.push_str(&format!("Người {n},Female,1990,CT,Victim,,\n"));
            }
        }
        text
    }

    #[test]
    fn an_unterminated_quote_in_an_optional_column_refuses_the_file_at_its_line() {
        let text = sheet_with(2000, 0, "Người A,Female,1990,CT,Victim,\"Tổ 5,\n");
        assert_eq!(
            try_read(&text).err(),
            Some(ImportError::UnclosedQuote { line: 2 })
        );
    }

    #[test]
    fn a_quote_closed_rows_later_by_a_stray_one_refuses_the_file_at_the_first() {
        for stray in ["Tổ \"6\"", "\"x\""] {
            let text = sheet_with(50, 3, "Người A,Female,1990,CT,Victim,\"Tổ 5,\n")
                + &format!("Người B,Female,1990,CT,Victim,{stray},\n");
            assert_eq!(
                try_read(&text).err(),
                Some(ImportError::CellSpansLines {
                    line: 5,
                    until: 52,
                    column: "Address".into()
                }),
                "closed by {stray}"
            );
        }
    }

    #[test]
    fn a_note_that_takes_in_rows_refuses_the_file_but_a_note_of_two_lines_reads() {
        let swallowing = sheet_with(10, 2, "Người A,Female,1990,CT,Victim,,\"Mẹ đơn thân\n")
            + "Người B,Female,1990,CT,Victim,,\"\n";
        assert_eq!(
            try_read(&swallowing).err().map(|e| e.message_key()),
            Some("import.cell_swallows_rows")
        );
        let two_lines = sheet_with(
            3,
            1,
            "Người A,Female,1990,CT,Victim,,\"Mẹ đơn thân\nhai con\"\n",
        );
        let plan = read(&two_lines);
        assert_eq!(plan.problems, vec![]);
        assert_eq!(plan.people.len(), 3);
        assert_eq!(plan.people[1].1.household_note, "Mẹ đơn thân\nhai con");
        assert_eq!(
            plan.people[2].0, 5,
            "the row after a two-line note is on line 5"
        );
    }

    #[test]
    fn a_tab_separated_sheet_reads() {
        let plan = read(
            "Họ và tên\tGiới tính\tNăm sinh\tPhường/xã\tNhóm đối tượng\nLò Thị Mỷ\tNữ\t1988\tCT\tNạn nhân\n",
        );
        assert_eq!(plan.problems, vec![]);
        assert_eq!(plan.people[0].1.full_name, "Lò Thị Mỷ");
    }

    #[test]
    fn an_officer_of_one_ward_cannot_import_another_wards_people_even_in_a_dry_run() {
        let text = "Full name,Sex,Birth year,Ward,Target group\nA B,Female,1990,CT,Victim\nC D,Female,1990,TC,Victim\n";
        let plan = read_people(
            text.as_bytes(),
            None,
            &programme(),
            &user(Some("CT")),
            today(),
        )
        .expect("table");
        assert_eq!(
            plan.problems,
            vec![RowProblem {
                line: 3,
                field: "ward",
                key: "import.outside_your_ward"
            }]
        );
    }

    #[test]
    fn a_hand_made_sheet_in_vietnamese_reads() {
        let plan = read(
            "Họ và tên,Giới tính,Năm sinh,Phường/xã,Nhóm đối tượng,Điện thoại\n\
             Lò Thị Mỷ,Nữ,1988,Cao Thắng,Nạn nhân,0912 000 111\n\
             Vi Văn Pá,nam,1990,tc,nguoi co nguy co,\n",
        );
        assert_eq!(plan.problems, vec![]);
        assert_eq!(plan.people.len(), 2);
        assert_eq!(plan.people[1].1.ward, "TC");
        assert_eq!(plan.people[1].1.target_groups, vec![TargetGroup::AtRisk]);
    }

    #[test]
    fn the_apostrophe_that_kept_a_formula_from_running_is_taken_off() {
        let plan = read(
            "Họ và tên,Giới tính,Năm sinh,Phường/xã,Nhóm đối tượng,Điện thoại\n\
             '=2+5,Nữ,1988,Cao Thắng,Nạn nhân,'+84 912 000 111\n",
        );
        assert_eq!(plan.problems, vec![]);
        assert_eq!(plan.people[0].1.full_name, "=2+5");
        assert_eq!(plan.people[0].1.phone, "+84 912 000 111");
    }

    #[test]
    fn a_sheet_saved_with_semicolons_and_its_own_headers_reads() {
        let plan = read(
            "Tên;Gender;Year of birth;Xã/phường;Đối tượng\n\
             Lò Thị Mỷ;Nữ;1988;Phường Cao Thắng;Nạn nhân\n",
        );
        assert_eq!(plan.problems, vec![]);
        assert_eq!(plan.people.len(), 1);
        assert_eq!(plan.people[0].1.full_name, "Lò Thị Mỷ");
        assert_eq!(plan.people[0].1.ward, "CT");
    }

    #[test]
    fn every_bad_row_is_reported_by_its_line() {
        let plan = read(
            "Full name,Sex,Birth year,Ward,Target group,Enrolled on\n\
             Good Person,Female,1990,CT,Victim,01/02/2024\n\
             Too Old,Female,1850,CT,Victim,\n\
             Nowhere,Male,1990,ZZ,Victim,\n\
             ,Female,1990,CT,Victim,\n\
             Bad Date,Female,1990,CT,Victim,31/02/2024\n",
        );
        let found: Vec<(usize, &str, &str)> = plan
            .problems
            .iter()
            .map(|p| (p.line, p.field, p.key))
            .collect();
        assert_eq!(
            found,
            vec![
                (3, "birth_year", "err.birth_year_range"),
                (4, "ward", "err.unknown_ward"),
                (5, "full_name", "err.required"),
                (6, "enrolled_on", "err.date_format"),
            ]
        );
    }

    #[test]
    fn a_missing_column_is_named_on_line_one() {
        let plan = read("Họ và tên,Giới tính\nA,Nữ\n");
        assert!(plan.problems.iter().all(|p| p.line == 1));
        assert!(plan.problems.iter().any(|p| p.field == "birth_year"));
    }

    #[test]
    fn likely_duplicates_are_found_in_the_database_and_in_the_file() {
        let plan = read(
            "Họ và tên,Giới tính,Năm sinh,Phường/xã,Nhóm đối tượng\n\
             nguoi so 1,Nữ,1995,CT,Nạn nhân\n\
             Hoa Mới,Nữ,2000,CT,Nạn nhân\n\
             HOA MOI,Nữ,2000,CT,Nạn nhân\n",
        );
        assert_eq!(
            plan.duplicates,
            vec![
                Duplicate {
                    line: 2,
                    of: DuplicateOf::Person("CT-0001".into())
                },
                Duplicate {
                    line: 4,
                    of: DuplicateOf::Line(3)
                }
            ]
        );
    }

    #[test]
    fn windows_1258_from_old_excel_reads_as_nfc() {
        // "Nguyễn" in CP1258: e-circumflex (0xEA) then a combining tilde (0xDE).
        let mut bytes = b"Full name,Sex,Birth year,Ward,Target group\nNguy".to_vec();
        bytes.extend([0xEA, 0xDE]);
        bytes.extend(b"n Thi\xF2 Hoa,Female,1990,CT,Victim\n");
        let plan = read_people(&bytes, None, &programme(), &user(None), today()).expect("table");
        assert_eq!(plan.encoding, Some(Encoding::Windows1258));
        assert_eq!(plan.problems, vec![]);
        assert_eq!(plan.people[0].1.full_name, "Nguyễn Thị Hoa");
    }

    #[test]
    fn a_byte_order_mark_is_ignored() {
        let plan =
            read("\u{feff}Full name,Sex,Birth year,Ward,Target group\nA B,Female,1990,CT,Victim\n");
        assert_eq!(plan.people.len(), 1);
    }
}
