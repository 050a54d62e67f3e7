//! `export` and `import`: CSV files in and out, through the report layer.

use super::{Cli, Failure};
use crate::i18n::Lang;
use crate::i18n::{t, tf};
use crate::output::OutputFile;
use crate::report::Filter;
use crate::report::export::{ExportKind, ExportOptions, FileFormat, export_to_file};
use crate::report::import::{DuplicateOf, Encoding, ImportError, ImportPlan, read_people};
use crate::report::sheet::read_capped;
use crate::report::workbook::{Contents, Cover, workbook_to_file};
use crate::store::{OpenMode, Store, StoreError};
use chrono::NaiveDate;
use std::path::Path;

pub struct ExportRequest<'a> {
    pub report: &'a str,
    pub out: &'a Path,
    pub format: FileFormat,
    pub details: bool,
    pub include_names: bool,
    pub ward: Option<&'a str>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub suppress_below: Option<u64>,
    pub delimiter: crate::report::export::Delimiter,
}

/// `sinhke export`: one report as CSV or as a one-sheet workbook, or (`workbook`) every
/// summary in one workbook.
pub fn export(cli: &Cli, r: &ExportRequest) -> Result<(), Failure> {
    let lang = cli.lang;
    // None: the donor workbook, every summary in it.
    let kind = match r.report {
        "workbook" => None,
        name => Some(
            ExportKind::parse(name)
                .ok_or_else(|| Failure::text(lang, "cli.unknown_report", &[("report", &name)]))?,
        ),
    };
    if kind.is_none() && r.format == FileFormat::Csv {
        return Err(Failure::text(lang, "cli.workbook_is_xlsx", &[]));
    }
    if r.include_names && kind.is_some_and(|k| !k.can_carry_names()) {
        return Err(Failure::text(lang, "cli.names_only_people", &[]));
    }
    if let (Some(from), Some(to)) = (r.from, r.to)
        && from > to
    {
        return Err(Failure::text(lang, "cli.from_after_to", &[]));
    }
    let mut store = cli.open_store(OpenMode::MustExist)?;
    let ward = export_ward(&store, r.ward, lang)?;
    // Refused before anything is recorded: a target inside the database would
    // overwrite sled's own files.
    let target = OutputFile::outside(r.out, store.path()).map_err(|e| Failure {
        message: e.message(lang),
        code: 1,
    })?;
    // Who exported what is recorded first; exports with names are refused to officers.
    store
        .record_export(kind.map_or("workbook", ExportKind::name), r.include_names)
        .map_err(|e| Failure::store(&e, lang))?;
    let options = ExportOptions {
        lang,
        include_names: r.include_names,
        filter: Filter {
            ward,
            from: r.from,
            to: r.to,
        },
        suppress_below: r.suppress_below,
        delimiter: r.delimiter,
    };
    let (snap, today) = (store.snapshot(), store.today());
    let cover = Cover::now(snap, &options.filter);
    let rows = match (kind, r.format) {
        (Some(kind), FileFormat::Csv) => {
            export_to_file(kind, snap, today, &options, &target, &mut |_, _| {})
        }
        (kind, _) => {
            let contents = kind.map_or(Contents::Donor { details: r.details }, Contents::One);
            workbook_to_file(
                contents,
                snap,
                today,
                &options,
                &cover,
                &target,
                &mut |_, _| {},
            )
        }
    }
    .map_err(|e| Failure::text(lang, "cli.export_failed", &[("detail", &e)]))?;
    say!(
        "{}",
        tf(
            lang,
            "cli.exported",
            &[("rows", &rows), ("path", &r.out.display())]
        )
    );
    Ok(())
}

/// The ward an export covers: the one asked for (by code or name), or all. An officer
/// of one ward exports that ward: no other ward's records are loaded for them, so an
/// export of another would be an empty file that looks true, and zeros for every other ward.
pub(super) fn export_ward(
    store: &Store,
    asked: Option<&str>,
    lang: Lang,
) -> Result<Option<String>, Failure> {
    let wards = &store.snapshot().wards;
    let asked = match asked {
        None => None,
        Some(w) => Some(
            wards
                .values()
                .find(|x| {
                    x.code.eq_ignore_ascii_case(w)
                        || crate::text::fold(&x.name) == crate::text::fold(w)
                })
                .map(|x| x.code.clone())
                .ok_or_else(|| Failure::text(lang, "err.unknown_ward", &[]))?,
        ),
    };
    let Some(own) = store.user().ward.clone() else {
        return Ok(asked);
    };
    match asked {
        Some(other) if !store.user().covers_ward(&other) => {
            let name = |code: &str| wards.get(code).map_or(code.to_string(), |w| w.name.clone());
            Err(Failure::text(
                lang,
                "cli.export_other_ward",
                &[("own", &name(&own)), ("ward", &name(&other))],
            ))
        }
        _ => Ok(Some(own)),
    }
}

pub fn import_people(
    cli: &Cli,
    file: &Path,
    dry_run: bool,
    allow_duplicates: bool,
    encoding: Option<&str>,
) -> Result<(), Failure> {
    let lang = cli.lang;
    let encoding = match encoding {
        None => None,
        Some(name) => Some(
            Encoding::parse(name)
                .ok_or_else(|| Failure::text(lang, "cli.unknown_encoding", &[("name", &name)]))?,
        ),
    };
    let bytes = read_capped(file).map_err(|e| import_failure(lang, file, &e))?;
    let mut store = cli.open_store(OpenMode::MustExist)?;
    let plan = read_people(
        &bytes,
        encoding,
        store.snapshot(),
        store.user(),
        store.today(),
    )
    .map_err(|e| import_failure(lang, file, &e))?;
    if let Some(missing) = missing_columns(&plan) {
        let names: Vec<String> = missing.iter().map(|f| field_label(lang, f)).collect();
        return Err(Failure::text(
            lang,
            "import.header_refused",
            &[("columns", &names.join(", "))],
        ));
    }
    if !plan.problems.is_empty() {
        for p in &plan.problems {
            let field = field_label(lang, p.field);
            eprintln!(
                "{}",
                tf(
                    lang,
                    "cli.row_problem",
                    &[
                        ("line", &p.line),
                        ("field", &field),
                        ("reason", &t(lang, p.key))
                    ]
                )
            );
        }
        let lines: std::collections::BTreeSet<usize> =
            plan.problems.iter().map(|p| p.line).collect();
        return Err(Failure::text(
            lang,
            "import.refused",
            &[("count", &lines.len())],
        ));
    }
    // With --allow-duplicates a likely duplicate is imported, and is said to be.
    let duplicate_key = if allow_duplicates {
        "import.row_duplicate_kept"
    } else {
        "cli.row_duplicate"
    };
    for d in &plan.duplicates {
        let of = match &d.of {
            DuplicateOf::Person(code) => code.clone(),
            DuplicateOf::Line(line) => tf(lang, "cli.line_ref", &[("line", line)]),
        };
        eprintln!(
            "{}",
            tf(lang, duplicate_key, &[("line", &d.line), ("of", &of)])
        );
    }
    let duplicate_lines: Vec<usize> = plan.duplicates.iter().map(|d| d.line).collect();
    let skipped_line = |line: &usize| !allow_duplicates && duplicate_lines.contains(line);
    for r in plan.recoded.iter().filter(|r| !skipped_line(&r.line)) {
        eprintln!(
            "{}",
            tf(
                lang,
                "cli.row_recoded",
                &[("line", &r.line), ("code", &r.code)]
            )
        );
    }
    let (lines, people): (Vec<usize>, Vec<_>) = plan
        .people
        .into_iter()
        .filter(|(line, _)| allow_duplicates || !duplicate_lines.contains(line))
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
    if dry_run {
        say!("{}", summary(checked_key));
        return Ok(());
    }
    match store.import_people(people) {
        Ok(_) => {
            say!("{}", summary(imported_key));
            Ok(())
        }
        // The store checks again, against what it holds at the moment of writing.
        Err(StoreError::Invalid(rejected)) => {
            for r in &rejected {
                let line = lines.get(r.index).copied().unwrap_or(0);
                for p in &r.problems {
                    let field = field_label(lang, p.field);
                    eprintln!(
                        "{}",
                        tf(
                            lang,
                            "cli.row_problem",
                            &[
                                ("line", &line),
                                ("field", &field),
                                ("reason", &t(lang, p.key))
                            ]
                        )
                    );
                }
            }
            Err(Failure::text(
                lang,
                "import.refused",
                &[("count", &rejected.len())],
            ))
        }
        Err(e) => Err(Failure::store(&e, lang)),
    }
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

/// The columns a file's header lacks, when that is all that is wrong: then it is the
/// header, not "1 row", that has a problem.
fn missing_columns(plan: &ImportPlan) -> Option<Vec<&'static str>> {
    let header_only = !plan.problems.is_empty()
        && plan
            .problems
            .iter()
            .all(|p| p.line == 1 && p.key == "import.missing_column");
    header_only.then(|| plan.problems.iter().map(|p| p.field).collect())
}

/// A column's name in the user's words.
fn field_label(lang: crate::i18n::Lang, field: &str) -> String {
    let key = match field {
        "target" | "target_groups" => "field.target".to_string(),
        other => format!("field.{other}"),
    };
    if crate::i18n::has(&key) {
        t(lang, &key).to_string()
    } else {
        field.to_string()
    }
}
