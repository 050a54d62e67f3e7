//! The headless commands: each opens the store, does one job, prints plain text.

use super::{Cli, Command, Failure, WardAction, security};
use crate::domain::Ward;
use crate::i18n::tf;
use crate::report::export::FileFormat;
use crate::store::{OpenMode, StoreError};

pub fn run(cli: &Cli, command: &Command) -> Result<(), Failure> {
    match command {
        Command::Demo { people, seed, ward } => demo(cli, *people, *seed, ward.as_deref()),
        Command::Stats => stats(cli),
        Command::Check { repair } => check(cli, *repair),
        Command::Wards { action } => wards(cli, action.as_ref().unwrap_or(&WardAction::List)),
        Command::People { action } => super::people::run(cli, action),
        Command::Users { action } => security::users(cli, action.as_ref()),
        Command::Audit { since } => security::audit(cli, *since),
        Command::Backup { out } => security::backup(cli, out),
        Command::Sync { action } => super::sync::run(cli, action),
        Command::Hub { action } => super::hub::run(cli, action),
        Command::Restore { file, force } => security::restore(cli, file, *force),
        Command::Export {
            report,
            out,
            format,
            details,
            include_names,
            ward,
            from,
            to,
            suppress_below,
            delimiter,
        } => {
            let request = super::files::ExportRequest {
                report,
                out,
                format: format.unwrap_or_else(|| FileFormat::of_path(out)),
                details: *details,
                include_names: *include_names,
                ward: ward.as_deref(),
                from: *from,
                to: *to,
                suppress_below: *suppress_below,
                delimiter: *delimiter,
            };
            super::files::export(cli, &request)
        }
        Command::Print {
            what:
                super::PrintWhat::Handover {
                    record,
                    out,
                    ward,
                    date,
                },
        } => super::print::handover(cli, record.as_deref(), out, ward.as_deref(), *date),
        Command::Import { what } => {
            use super::ImportWhat;
            use crate::report::import_records::RecordKind;
            match what {
                ImportWhat::People {
                    sheet,
                    allow_duplicates,
                } => super::imports::import_people(cli, sheet, *allow_duplicates),
                ImportWhat::Grants { sheet } => {
                    super::imports::import_records(cli, RecordKind::Grants, sheet)
                }
                ImportWhat::Visits { sheet } => {
                    super::imports::import_records(cli, RecordKind::Visits, sheet)
                }
                ImportWhat::Plans { sheet } => {
                    super::imports::import_records(cli, RecordKind::Plans, sheet)
                }
            }
        }
    }
}

fn demo(cli: &Cli, people: usize, seed: u64, ward: Option<&str>) -> Result<(), Failure> {
    let mut store = cli.open_store(OpenMode::CreateIfMissing)?;
    let filled = match ward {
        None => {
            let data = crate::demo::generate(people, seed, store.today());
            store.fill_empty(data)
        }
        Some(code) => {
            let code = crate::text::clean(code).to_uppercase();
            let Some(ward) = store.snapshot().wards.get(&code).cloned() else {
                return Err(Failure::text(cli.lang, "err.unknown_ward", &[]));
            };
            let data = crate::demo::generate_for_ward(&ward, people, seed, store.today());
            store.fill_ward(data)
        }
    };
    filled.map_err(|e| Failure::store(&e, cli.lang))?;
    say!(
        "{}",
        tf(
            cli.lang,
            "cli.demo_done",
            &[("people", &people), ("path", &store.path().display())]
        )
    );
    Ok(())
}

fn stats(cli: &Cli) -> Result<(), Failure> {
    let store = cli.open_store(OpenMode::MustExist)?;
    let s = store.snapshot();
    say!("people: {}", s.people.len());
    say!("plans: {}", s.plans.len());
    say!("grants: {}", s.grants.len());
    say!("milestones: {}", s.milestones.len());
    say!("referrals: {}", s.referrals.len());
    say!("wards: {}", s.wards.len());
    Ok(())
}

fn check(cli: &Cli, repair: bool) -> Result<(), Failure> {
    let mut store = cli.open_store(OpenMode::MustExist)?;
    if repair {
        let fixed = store
            .repair_indexes()
            .map_err(|e| Failure::store(&e, cli.lang))?;
        say!(
            "{}",
            tf(
                cli.lang,
                "cli.repaired",
                &[("removed", &fixed.removed), ("added", &fixed.added)]
            )
        );
    }
    let report = store.check();
    if report.is_ok() {
        say!("ok");
        return Ok(());
    }
    for finding in &report.findings {
        say!("{finding}");
    }
    let only_indexes = report.findings.iter().all(|f| f.problem.is_index_only());
    let key = if only_indexes && !repair {
        "cli.check_failed_indexes"
    } else {
        "cli.check_failed"
    };
    Err(Failure {
        message: tf(cli.lang, key, &[("count", &report.findings.len())]),
        code: 1,
    })
}

fn wards(cli: &Cli, action: &WardAction) -> Result<(), Failure> {
    match action {
        WardAction::List => {
            let store = cli.open_store(OpenMode::MustExist)?;
            for w in store.snapshot().wards.values() {
                say!("{}\t{}\t{}\t{}", w.code, w.name, w.district, w.province);
            }
            Ok(())
        }
        WardAction::Add {
            code,
            name,
            district,
            province,
        } => {
            let mut store = cli.open_store(OpenMode::CreateIfMissing)?;
            let ward = Ward {
                code: code.clone(),
                name: name.clone(),
                district: district.clone(),
                province: province.clone(),
            };
            match store.add_ward(ward) {
                Ok(w) => {
                    say!(
                        "{}",
                        tf(
                            cli.lang,
                            "cli.ward_added",
                            &[("code", &w.code), ("name", &w.name)]
                        )
                    );
                    Ok(())
                }
                Err(StoreError::Invalid(rejected)) => Err(Failure {
                    message: super::wards::problems_text(cli, &rejected),
                    code: 1,
                }),
                Err(e) => Err(Failure::store(&e, cli.lang)),
            }
        }
        WardAction::Edit {
            code,
            name,
            district,
            province,
        } => super::wards::edit(cli, code, name, district, province),
    }
}

/// "field: message" for each problem, in the user's language.
pub(super) fn problems_text(cli: &Cli, rejected: &[crate::store::Rejected]) -> String {
    rejected
        .iter()
        .flat_map(|r| &r.problems)
        .map(|p| format!("{}: {}", p.field, crate::i18n::t(cli.lang, p.key)))
        .collect::<Vec<_>>()
        .join("; ")
}
