//! `wards edit`: changing a ward that exists, and a ward's problems in the user's
//! words. Adding and listing live with the other commands; an edit names the ward by
//! its code, which itself never changes.

use super::{Cli, Failure};
use crate::i18n::tf;
use crate::store::{OpenMode, StoreError};

/// Changes only what is given; the rest of the ward stays as it is.
pub fn edit(
    cli: &Cli,
    code: &str,
    name: &Option<String>,
    district: &Option<String>,
    province: &Option<String>,
) -> Result<(), Failure> {
    let mut store = cli.open_store(OpenMode::MustExist)?;
    let wanted = crate::text::clean(code).to_uppercase();
    let Some(mut ward) = store.snapshot().wards.get(&wanted).cloned() else {
        return Err(Failure::text(cli.lang, "err.unknown_ward", &[]));
    };
    for (value, field) in [
        (name, &mut ward.name),
        (district, &mut ward.district),
        (province, &mut ward.province),
    ] {
        if let Some(v) = value {
            *field = v.clone();
        }
    }
    match store.edit_ward(ward) {
        Ok(w) => {
            say!(
                "{}",
                tf(
                    cli.lang,
                    "cli.ward_edited",
                    &[("code", &w.code), ("name", &w.name)]
                )
            );
            Ok(())
        }
        Err(StoreError::Invalid(rejected)) => Err(Failure {
            message: problems_text(cli, &rejected),
            code: 1,
        }),
        Err(e) => Err(Failure::store(&e, cli.lang)),
    }
}

/// "Code: A ward with this code exists already", each field by its label on the form.
pub(super) fn problems_text(cli: &Cli, rejected: &[crate::store::Rejected]) -> String {
    rejected
        .iter()
        .flat_map(|r| &r.problems)
        .map(|p| {
            let label = match p.field {
                "code" => "field.ward_code",
                "name" => "field.ward_name",
                "district" => "field.district",
                "province" => "field.province",
                _ => "",
            };
            let reason = crate::i18n::t(cli.lang, p.key);
            match label {
                "" => format!("{}: {reason}", p.field),
                key => format!("{}: {reason}", crate::i18n::t(cli.lang, key)),
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}
