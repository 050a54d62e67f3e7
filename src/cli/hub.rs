//! `hub init` and `hub add-role`: the province hub's schema and login roles.

use super::{Cli, Failure, HubAction, HubArgs};
use crate::hub::{self, HubError};
use crate::i18n::{Lang, tf};

pub fn run(cli: &Cli, action: &HubAction) -> Result<(), Failure> {
    let lang = cli.lang;
    match action {
        HubAction::Init { hub: where_ } => {
            let mut client = hub::connect(&url(where_, lang)?).map_err(|e| failure(lang, &e))?;
            let applied = hub::init(&mut client).map_err(|e| failure(lang, &e))?;
            let key = if applied.is_empty() {
                "hub.up_to_date"
            } else {
                "hub.initialised"
            };
            say!("{}", tf(lang, key, &[("version", &hub::SCHEMA_VERSION)]));
            Ok(())
        }
        HubAction::AddRole {
            hub: where_,
            ward,
            supervisor: _,
            reader,
            login,
            password_file,
        } => {
            let password = match password_file {
                Some(file) => std::fs::read_to_string(file)
                    .ok()
                    .and_then(|t| t.lines().next().map(str::to_string)),
                None => std::env::var("SINHKE_HUB_PASSWORD").ok(),
            }
            .filter(|p| p.chars().count() >= 12)
            .ok_or_else(|| Failure::text(lang, "hub.password_needed", &[]))?;
            let mut client = hub::connect(&url(where_, lang)?).map_err(|e| failure(lang, &e))?;
            let made = if *reader {
                hub::add_reader(&mut client, login, &password)
            } else {
                hub::add_role(&mut client, login, ward.as_deref(), &password)
            };
            made.map_err(|e| failure(lang, &e))?;
            let key = match (reader, ward) {
                (true, _) => "hub.role_reader",
                (false, Some(_)) => "hub.role_ward",
                (false, None) => "hub.role_supervisor",
            };
            let ward = ward.clone().unwrap_or_default();
            say!("{}", tf(lang, key, &[("login", login), ("ward", &ward)]));
            Ok(())
        }
        HubAction::Publish {
            hub: where_,
            suppress_below,
        } => {
            let mut store = cli.open_store(super::OpenMode::MustExist)?;
            let mut client =
                hub::connect_for_sync(&url(where_, lang)?).map_err(|e| failure(lang, &e))?;
            let published = crate::sync::publish::publish(&mut store, &mut client, *suppress_below)
                .map_err(|e| Failure {
                    message: crate::messages::hub_sync_message(&e, lang),
                    code: 1,
                })?;
            say!(
                "{}",
                crate::messages::published_line(&published, *suppress_below, lang)
            );
            Ok(())
        }
    }
}

/// The hub URL from --url, SINHKE_HUB or --url-file.
fn url(args: &HubArgs, lang: Lang) -> Result<String, Failure> {
    if let Some(url) = &args.url {
        return Ok(url.clone());
    }
    args.url_file
        .as_ref()
        .and_then(|f| std::fs::read_to_string(f).ok())
        .and_then(|t| t.lines().next().map(|l| l.trim().to_string()))
        .filter(|l| !l.is_empty())
        .ok_or_else(|| Failure::text(lang, "hub.url_needed", &[]))
}

pub(super) fn failure(lang: Lang, err: &HubError) -> Failure {
    Failure {
        message: crate::messages::hub_message(err, lang),
        code: 1,
    }
}
