//! The headless commands of users, the audit trail, backup and restore.

use super::commands::problems_text;
use super::{Cli, Failure, UserAction};
use crate::domain::dates;
use crate::i18n::{t, tf};
use crate::store::{AuditEntry, OpenMode, RecordChange, StoreError};
use chrono::NaiveDate;
use std::path::Path;

fn fail(cli: &Cli) -> impl Fn(StoreError) -> Failure + '_ {
    move |e| match e {
        StoreError::Invalid(rejected) => Failure {
            message: problems_text(cli, &rejected),
            code: 1,
        },
        other => Failure::store(&other, cli.lang),
    }
}

pub fn users(cli: &Cli, action: Option<&UserAction>) -> Result<(), Failure> {
    let mut store = cli.open_store(OpenMode::MustExist)?;
    match action.unwrap_or(&UserAction::List) {
        UserAction::List => {
            for u in store.users() {
                let ward = u
                    .ward
                    .clone()
                    .unwrap_or_else(|| t(cli.lang, "users.all_wards").into());
                say!("{}\t{}\t{}", u.name, u.role.code(), ward);
            }
        }
        UserAction::Add {
            name,
            role,
            ward,
            new_passphrase_file,
        } => {
            let passphrase = cli.new_passphrase(new_passphrase_file.as_deref())?;
            let user = store
                .add_user(name, *role, ward.as_deref(), &passphrase)
                .map_err(fail(cli))?;
            say!(
                "{}",
                tf(
                    cli.lang,
                    "cli.user_added",
                    &[
                        ("name", &user.name),
                        ("role", &t(cli.lang, user.role.key()))
                    ]
                )
            );
        }
        UserAction::Remove { name } => {
            store.remove_user(name).map_err(fail(cli))?;
            say!("{}", tf(cli.lang, "cli.user_removed", &[("name", name)]));
        }
        UserAction::Passwd {
            name,
            new_passphrase_file,
        } => {
            let passphrase = cli.new_passphrase(new_passphrase_file.as_deref())?;
            let whose = name.clone().unwrap_or_else(|| store.user().name.clone());
            store
                .change_passphrase(&whose, &passphrase)
                .map_err(fail(cli))?;
            say!(
                "{}",
                tf(cli.lang, "cli.passphrase_changed", &[("name", &whose)])
            );
        }
    }
    Ok(())
}

fn local_time(millis: i64) -> String {
    chrono::DateTime::from_timestamp_millis(millis)
        .map(|t| {
            t.with_timezone(&chrono::Local)
                .format("%Y-%m-%d %H:%M:%S")
                .to_string()
        })
        .unwrap_or_else(|| "?".into())
}

/// One line per entry, then one indented line per record it touched.
pub(super) fn print_entry(entry: &AuditEntry) {
    say!(
        "{}\t{}\t{}\t{}\t{}",
        entry.seq,
        local_time(entry.at),
        entry.user,
        entry.action,
        entry.detail
    );
    for r in &entry.records {
        let change = match &r.change {
            RecordChange::Created => "created".to_string(),
            RecordChange::Removed => "removed".to_string(),
            RecordChange::Changed(fields) if fields.is_empty() => "saved unchanged".to_string(),
            RecordChange::Changed(fields) => format!("changed: {}", fields.join(", ")),
        };
        say!("\t{} {}\t{}", r.tree, r.id, change);
    }
}

pub fn audit(cli: &Cli, since: Option<NaiveDate>) -> Result<(), Failure> {
    let store = cli.open_store(OpenMode::MustExist)?;
    let since = since.map(|d| {
        d.and_hms_opt(0, 0, 0)
            .and_then(|t| t.and_local_timezone(chrono::Local).earliest())
            .map(|t| t.timestamp_millis())
            .unwrap_or_else(|| dates::day_number(d) as i64 * 86_400_000)
    });
    for entry in store.audit_trail(since).map_err(fail(cli))? {
        print_entry(&entry);
    }
    Ok(())
}

pub fn backup(cli: &Cli, out: &Path) -> Result<(), Failure> {
    let mut store = match cli.try_open_store(OpenMode::MustExist)? {
        Ok(store) => store,
        // The TUI holds sled's lock: it offers backups itself (Store::backup_to).
        Err(StoreError::AlreadyOpen(_)) => {
            return Err(Failure::text(cli.lang, "cli.backup_open_elsewhere", &[]));
        }
        Err(e) => return Err(Failure::store(&e, cli.lang)),
    };
    let values = store.backup_to(out).map_err(fail(cli))?;
    say!(
        "{}",
        tf(
            cli.lang,
            "cli.backup_done",
            &[("path", &out.display()), ("count", &values)]
        )
    );
    Ok(())
}

pub fn restore(cli: &Cli, file: &Path, force: bool) -> Result<(), Failure> {
    let credentials = cli.credentials()?;
    let dir = cli.db_dir();
    let report = crate::store::restore(file, &dir, &credentials, force).map_err(fail(cli))?;
    say!(
        "{}",
        tf(
            cli.lang,
            "cli.restore_done",
            &[
                ("path", &dir.display()),
                ("people", &report.people),
                ("users", &report.users)
            ]
        )
    );
    Ok(())
}
