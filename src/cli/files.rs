//! `export`: CSV files and workbooks out, through the report layer.

use super::{Cli, Failure};
use crate::i18n::Lang;
use crate::i18n::tf;
use crate::output::OutputFile;
use crate::report::Filter;
use crate::report::export::{ExportKind, ExportOptions, FileFormat, export_to_file};
use crate::report::workbook::{Contents, Cover, workbook_to_file};
use crate::store::{OpenMode, Store};
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
    // The lists are person by person: every count withheld would be counted back from them.
    if kind.is_none() && (r.details || r.include_names) && r.suppress_below.is_some() {
        return Err(Failure::text(lang, "cli.details_not_suppressed", &[]));
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
