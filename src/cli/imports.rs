//! `import`: people, plans, grants and visits from a CSV file or a workbook (.xlsx,
//! .xls, .ods), through the report layer. Every row is checked first; one bad row and
//! nothing is written, each problem named by its sheet and row.

use super::{Cli, Failure, SheetArgs};
use crate::i18n::{Lang, t, tf};
use crate::report::import::{
    Duplicate, DuplicateOf, Encoding, ImportError, RowProblem, read_people_in,
};
use crate::report::import_records::{
    RecordKind, RecordsPlan, read_grants, read_plans, read_visits,
};
use crate::report::sheet::read_capped;
use crate::store::{OpenMode, Store, StoreError};
use std::path::Path;

/// Where a row is, in the user's words: "line 4" of a CSV file, "sheet “Grants”, row 4".
fn place(lang: Lang, sheet: Option<&str>, line: usize) -> String {
    match sheet {
        None => tf(lang, "cli.line_ref", &[("line", &line)]),
        Some(sheet) => tf(
            lang,
            "import.sheet_row",
            &[("sheet", &sheet), ("line", &line)],
        ),
    }
}

/// Which sheet of a workbook was read, when the user did not name one: the others
/// were not, and a sheet of another year or ward may be among them.
fn say_sheet(lang: Lang, args: &SheetArgs, read: Option<&str>) {
    if let (None, Some(sheet)) = (&args.sheet, read) {
        eprintln!("{}", tf(lang, "import.read_sheet", &[("sheet", &sheet)]));
    }
}

/// The file's bytes, its encoding as asked, and the store to check the rows against.
fn open(cli: &Cli, args: &SheetArgs) -> Result<(Vec<u8>, Option<Encoding>, Store), Failure> {
    let lang = cli.lang;
    let encoding = match args.encoding.as_deref() {
        None => None,
        Some(name) => Some(
            Encoding::parse(name)
                .ok_or_else(|| Failure::text(lang, "cli.unknown_encoding", &[("name", &name)]))?,
        ),
    };
    let bytes = read_capped(&args.file).map_err(|e| import_failure(lang, &args.file, &e))?;
    let store = cli.open_store(OpenMode::MustExist)?;
    Ok((bytes, encoding, store))
}

/// Refuses a sheet with missing columns or bad rows, naming each.
/// `refused_key` says what was not imported: "nobody" for people, "nothing" else.
fn refuse_problems(
    lang: Lang,
    sheet: Option<&str>,
    problems: &[RowProblem],
    refused_key: &str,
) -> Result<(), Failure> {
    if problems.is_empty() {
        return Ok(());
    }
    if problems.iter().all(|p| p.key == "import.missing_column") {
        let names: Vec<String> = problems
            .iter()
            .map(|p| field_label(lang, p.field))
            .collect();
        return Err(Failure::text(
            lang,
            "import.header_refused",
            &[("columns", &names.join(", "))],
        ));
    }
    for p in problems {
        print_problem(lang, sheet, p.line, p.field, p.key);
    }
    let lines: std::collections::BTreeSet<usize> = problems.iter().map(|p| p.line).collect();
    Err(Failure::text(lang, refused_key, &[("count", &lines.len())]))
}

fn print_problem(lang: Lang, sheet: Option<&str>, line: usize, field: &str, key: &str) {
    eprintln!(
        "{}",
        tf(
            lang,
            "cli.row_problem",
            &[
                ("place", &place(lang, sheet, line)),
                ("field", &field_label(lang, field)),
                ("reason", &t(lang, key))
            ]
        )
    );
}

/// What the store refused at the moment of writing, by the rows the records came from.
fn refused_at_write(
    lang: Lang,
    sheet: Option<&str>,
    lines: &[usize],
    err: StoreError,
    refused_key: &str,
) -> Failure {
    let StoreError::Invalid(rejected) = err else {
        return Failure::store(&err, lang);
    };
    for r in &rejected {
        let line = lines.get(r.index).copied().unwrap_or(0);
        for p in &r.problems {
            print_problem(lang, sheet, line, p.field, p.key);
        }
    }
    Failure::text(lang, refused_key, &[("count", &rejected.len())])
}

fn duplicate_of(lang: Lang, sheet: Option<&str>, d: &Duplicate) -> String {
    match &d.of {
        DuplicateOf::Person(code) => code.clone(),
        DuplicateOf::Line(line) => place(lang, sheet, *line),
    }
}

pub fn import_people(cli: &Cli, args: &SheetArgs, allow_duplicates: bool) -> Result<(), Failure> {
    let lang = cli.lang;
    let (bytes, encoding, mut store) = open(cli, args)?;
    let plan = read_people_in(
        &bytes,
        encoding,
        args.sheet.as_deref(),
        store.snapshot(),
        store.user(),
        store.today(),
    )
    .map_err(|e| import_failure(lang, &args.file, &e))?;
    let sheet = plan.sheet.as_deref();
    say_sheet(lang, args, sheet);
    refuse_problems(lang, sheet, &plan.problems, "import.refused")?;
    // With --allow-duplicates a likely duplicate is imported, and is said to be.
    let duplicate_key = if allow_duplicates {
        "import.row_duplicate_kept"
    } else {
        "cli.row_duplicate"
    };
    for d in &plan.duplicates {
        let (at, of) = (place(lang, sheet, d.line), duplicate_of(lang, sheet, d));
        eprintln!(
            "{}",
            tf(lang, duplicate_key, &[("place", &at), ("of", &of)])
        );
    }
    let duplicate_lines: Vec<usize> = plan.duplicates.iter().map(|d| d.line).collect();
    let skipped_line = |line: &usize| !allow_duplicates && duplicate_lines.contains(line);
    for r in plan.recoded.iter().filter(|r| !skipped_line(&r.line)) {
        let at = place(lang, sheet, r.line);
        eprintln!(
            "{}",
            tf(
                lang,
                "cli.row_recoded",
                &[("place", &at), ("code", &r.code)]
            )
        );
    }
    let (lines, people): (Vec<usize>, Vec<_>) = plan
        .people
        .into_iter()
        .filter(|(line, _)| !skipped_line(line))
        .unzip();
    let duplicates = duplicate_lines.len();
    let count = people.len();
    let (checked_key, imported_key) = if allow_duplicates {
        ("import.checked_keeping", "import.imported_keeping")
    } else {
        ("cli.import_checked", "cli.imported")
    };
    let summary = |key: &str| {
        tf(
            lang,
            key,
            &[
                ("count", &count),
                ("skipped", &duplicates),
                ("duplicates", &duplicates),
            ],
        )
    };
    if args.dry_run {
        say!("{}", summary(checked_key));
        return Ok(());
    }
    // The store checks again, against what it holds at the moment of writing.
    store
        .import_people(people)
        .map_err(|e| refused_at_write(lang, sheet, &lines, e, "import.refused"))?;
    say!("{}", summary(imported_key));
    Ok(())
}

/// `import plans`, `import grants`, `import visits`.
pub fn import_records(cli: &Cli, kind: RecordKind, args: &SheetArgs) -> Result<(), Failure> {
    let (bytes, encoding, mut store) = open(cli, args)?;
    let sheet = args.sheet.as_deref();
    let (snap, user, today) = (store.snapshot(), store.user(), store.today());
    match kind {
        RecordKind::Grants => {
            let plan = read_grants(&bytes, encoding, sheet, snap, user, today);
            finish(cli, args, plan, &mut store, Store::import_grants)
        }
        RecordKind::Visits => {
            let plan = read_visits(&bytes, encoding, sheet, snap, user, today);
            finish(cli, args, plan, &mut store, Store::import_visits)
        }
        RecordKind::Plans => {
            let plan = read_plans(&bytes, encoding, sheet, snap, user, today);
            finish(cli, args, plan, &mut store, Store::import_plans)
        }
    }
}

/// Reports what a sheet would add and skip, then (unless a dry run) writes it all.
fn finish<T>(
    cli: &Cli,
    args: &SheetArgs,
    plan: Result<RecordsPlan<T>, ImportError>,
    store: &mut Store,
    write: fn(&mut Store, Vec<T>) -> Result<usize, StoreError>,
) -> Result<(), Failure> {
    let lang = cli.lang;
    let plan = plan.map_err(|e| import_failure(lang, &args.file, &e))?;
    let sheet = plan.sheet.as_deref();
    say_sheet(lang, args, sheet);
    refuse_problems(lang, sheet, &plan.problems, "import.records_refused")?;
    for d in &plan.duplicates {
        let (at, of) = (place(lang, sheet, d.line), duplicate_of(lang, sheet, d));
        eprintln!(
            "{}",
            tf(
                lang,
                "import.record_duplicate",
                &[("place", &at), ("of", &of)]
            )
        );
    }
    let skipped = plan.duplicates.len();
    let (lines, records): (Vec<usize>, Vec<T>) = plan.records.into_iter().unzip();
    let count = records.len();
    let left_out = plan.left_out;
    let summary = |key: &str| {
        let mut text = tf(lang, key, &[("count", &count), ("skipped", &skipped)]);
        if left_out > 0 {
            text.push(' ');
            text.push_str(&tf(lang, "import.left_out", &[("count", &left_out)]));
        }
        text
    };
    if args.dry_run {
        say!("{}", summary("import.records_checked"));
        return Ok(());
    }
    write(store, records)
        .map_err(|e| refused_at_write(lang, sheet, &lines, e, "import.records_refused"))?;
    say!("{}", summary("import.records_imported"));
    Ok(())
}

/// A file refused as a whole, in the user's words.
fn import_failure(lang: Lang, file: &Path, err: &ImportError) -> Failure {
    let mut args: Vec<(&str, String)> = vec![("path", file.display().to_string())];
    args.extend(err.values());
    let args: Vec<(&str, &dyn std::fmt::Display)> = args
        .iter()
        .map(|(n, v)| (*n, v as &dyn std::fmt::Display))
        .collect();
    Failure::text(lang, err.message_key(), &args)
}

/// A column's name in the user's words.
fn field_label(lang: Lang, field: &str) -> String {
    let key = match field {
        "target" | "target_groups" => "field.target".to_string(),
        "code" => "col.code".to_string(),
        other => format!("field.{other}"),
    };
    if crate::i18n::has(&key) {
        t(lang, &key).to_string()
    } else {
        field.to_string()
    }
}
