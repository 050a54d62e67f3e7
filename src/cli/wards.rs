//! `wards edit`: changing a ward that exists. Adding and listing live with the other
//! commands; an edit names the ward by its code, which itself never changes.

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
            println!(
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
            message: super::commands::problems_text(cli, &rejected),
            code: 1,
        }),
        Err(e) => Err(Failure::store(&e, cli.lang)),
    }
}
