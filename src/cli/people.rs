//! `people mark-error` and `people restore`: a supervisor takes a person entered by
//! mistake out of every count, list and export, or puts them back. The person is named
//! by code, never by name.

use super::{Cli, Failure, PeopleAction};
use crate::i18n::tf;
use crate::store::OpenMode;

pub fn run(cli: &Cli, action: &PeopleAction) -> Result<(), Failure> {
    let (code, in_error) = match action {
        PeopleAction::MarkError { code } => (code, true),
        PeopleAction::Restore { code } => (code, false),
    };
    let mut store = cli.open_store(OpenMode::MustExist)?;
    let wanted = crate::text::clean(code).to_uppercase();
    let Some(id) = store.snapshot().person_by_code(&wanted).map(|p| p.id) else {
        return Err(Failure::text(
            cli.lang,
            "cli.unknown_person",
            &[("code", &wanted)],
        ));
    };
    let person = store
        .mark_entered_in_error(id, in_error)
        .map_err(|e| Failure::store(&e, cli.lang))?;
    let key = if in_error {
        "cli.marked_error"
    } else {
        "cli.restored_error"
    };
    say!("{}", tf(cli.lang, key, &[("code", &person.code)]));
    Ok(())
}
