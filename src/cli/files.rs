//! `export` and `import`: CSV files in and out, through the report layer.

use super::{Cli, Failure};
use crate::i18n::{t, tf};
use crate::output::OutputFile;
use crate::report::Filter;
use crate::report::export::{ExportKind, ExportOptions, export_to_file};
use crate::report::import::{DuplicateOf, Encoding, read_people};
use crate::store::{OpenMode, StoreError};
use chrono::NaiveDate;
use std::path::Path;

pub struct ExportRequest<'a> {
    pub report: &'a str,
    pub out: &'a Path,
    pub include_names: bool,
    pub ward: Option<&'a str>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub suppress_below: Option<u64>,
}

pub fn export(cli: &Cli, r: &ExportRequest) -> Result<(), Failure> {
    let lang = cli.lang;
    let kind = ExportKind::parse(r.report)
        .ok_or_else(|| Failure::text(lang, "cli.unknown_report", &[("report", &r.report)]))?;
    if r.include_names && !kind.can_carry_names() {
        return Err(Failure::text(lang, "cli.names_only_people", &[]));
    }
    if let (Some(from), Some(to)) = (r.from, r.to)
        && from > to
    {
        return Err(Failure::text(lang, "cli.from_after_to", &[]));
    }
    let mut store = cli.open_store(OpenMode::MustExist)?;
    let ward = match r.ward {
        None => None,
        Some(w) => Some(
            store
                .snapshot()
                .wards
                .values()
                .find(|x| {
                    x.code.eq_ignore_ascii_case(w)
                        || crate::text::fold(&x.name) == crate::text::fold(w)
                })
                .map(|x| x.code.clone())
                .ok_or_else(|| Failure::text(lang, "err.unknown_ward", &[]))?,
        ),
    };
    // Refused before anything is recorded: a target inside the database would
    // overwrite sled's own files.
    let target = OutputFile::outside(r.out, store.path()).map_err(|e| Failure {
        message: e.message(lang),
        code: 1,
    })?;
    // Who exported what is recorded first; exports with names are refused to officers.
    store
        .record_export(kind.name(), r.include_names)
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
    };
    let rows = export_to_file(
        kind,
        store.snapshot(),
        store.today(),
        &options,
        &target,
        &mut |_, _| {},
    )
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
    let bytes = std::fs::read(file).map_err(|e| {
        Failure::text(
            lang,
            "cli.cannot_read",
            &[("path", &file.display()), ("detail", &e)],
        )
    })?;
    let mut store = cli.open_store(OpenMode::MustExist)?;
    let plan = read_people(&bytes, encoding, store.snapshot(), store.today())
        .map_err(|_| Failure::text(lang, "cli.not_a_table", &[("path", &file.display())]))?;
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
            "cli.import_refused",
            &[("count", &lines.len())],
        ));
    }
    for d in &plan.duplicates {
        let of = match &d.of {
            DuplicateOf::Person(code) => code.clone(),
            DuplicateOf::Line(line) => tf(lang, "cli.line_ref", &[("line", line)]),
        };
        eprintln!(
            "{}",
            tf(lang, "cli.row_duplicate", &[("line", &d.line), ("of", &of)])
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
    let skipped = if allow_duplicates {
        0
    } else {
        duplicate_lines.len()
    };
    if dry_run {
        say!(
            "{}",
            tf(
                lang,
                "cli.import_checked",
                &[("count", &people.len()), ("skipped", &skipped)]
            )
        );
        return Ok(());
    }
    let count = people.len();
    match store.import_people(people) {
        Ok(_) => {
            say!(
                "{}",
                tf(
                    lang,
                    "cli.imported",
                    &[("count", &count), ("skipped", &skipped)]
                )
            );
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
                "cli.import_refused",
                &[("count", &rejected.len())],
            ))
        }
        Err(e) => Err(Failure::store(&e, lang)),
    }
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
