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
            hub::add_role(&mut client, login, ward.as_deref(), &password)
                .map_err(|e| failure(lang, &e))?;
            let key = if ward.is_some() {
                "hub.role_ward"
            } else {
                "hub.role_supervisor"
            };
            let ward = ward.clone().unwrap_or_default();
            say!("{}", tf(lang, key, &[("login", login), ("ward", &ward)]));
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
    let values = err.values();
    let args: Vec<(&str, &dyn std::fmt::Display)> = values
        .iter()
        .map(|(n, v)| (*n, v as &dyn std::fmt::Display))
        .collect();
    Failure::text(lang, err.message_key(), &args)
}
