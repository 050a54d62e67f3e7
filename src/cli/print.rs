//! `print handover`: the handover records of grants as a PDF to print and sign.

use super::{Cli, Failure};
use crate::i18n::tf;
use crate::output::OutputFile;
use crate::report::handover::{self, HandoverError};
use crate::report::pdf::handover_pdf;
use crate::store::OpenMode;
use chrono::NaiveDate;
use std::io::Write;
use std::path::Path;

pub fn handover(
    cli: &Cli,
    record: Option<&str>,
    out: &Path,
    ward: Option<&str>,
    date: Option<NaiveDate>,
) -> Result<(), Failure> {
    let lang = cli.lang;
    let mut store = cli.open_store(OpenMode::MustExist)?;
    let target = OutputFile::outside(out, store.path()).map_err(|e| Failure {
        message: e.message(lang),
        code: 1,
    })?;
    let refused = |e: HandoverError| {
        let number = match &e {
            HandoverError::UnknownNumber(n) | HandoverError::SharedNumber(n) => n.clone(),
            HandoverError::NothingThatDay => String::new(),
        };
        Failure::text(lang, e.message_key(), &[("number", &number)])
    };
    // An officer of one ward has only that ward's records loaded: another ward's record
    // numbers are unknown to them, and another ward's day is refused as for exports.
    let records = match (record, ward, date) {
        (Some(number), None, None) => {
            vec![handover::record(store.snapshot(), number).map_err(refused)?]
        }
        (None, Some(_), Some(day)) => {
            let ward = super::files::export_ward(&store, ward, lang)?.unwrap_or_default();
            handover::records_on(store.snapshot(), &ward, day).map_err(refused)?
        }
        _ => return Err(Failure::text(lang, "handover.which", &[])),
    };
    let pdf = handover_pdf(&records, lang)
        .map_err(|e| Failure::text(lang, "cli.export_failed", &[("detail", &e)]))?;
    // The record names the recipient: who printed whose record is in the audit trail.
    let numbers: Vec<&str> = records.iter().map(|r| r.number.as_str()).collect();
    store
        .record_printing("handover", &numbers.join(", "))
        .map_err(|e| Failure::store(&e, lang))?;
    target
        .write(|file| Ok::<(), crate::output::OutputError>(file.write_all(&pdf)?))
        .map_err(|e| Failure {
            message: e.message(lang),
            code: 1,
        })?;
    say!(
        "{}",
        tf(
            lang,
            "cli.printed",
            &[("count", &records.len()), ("path", &out.display())]
        )
    );
    Ok(())
}
