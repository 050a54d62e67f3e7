//! The form that prints a grant's handover record (biên bản bàn giao): where the PDF
//! goes, and in which language. The record itself is `report::handover`'s, as for
//! `sinhke print handover`.

use super::export::{documents_folder, read_path};
use super::{Refusal, field_ids};
use crate::domain::Id;
use crate::i18n::Lang;
use crate::tui::screens::Ctx;
use crate::tui::widgets::form::{Field, Form, Label, Notice};

field_ids!(PrintField {
    Path = "path",
    Lang = "lang",
});

/// A handover record the officer asked for, ready to write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrintJob {
    pub number: String,
    pub lang: Lang,
    pub path: std::path::PathBuf,
}

/// The form for the grant `grant`, or why there is nothing to print.
pub fn build(grant: Id, ctx: &Ctx) -> Result<Form, &'static str> {
    let g = ctx.snap.grants.get(&grant).ok_or("err.unknown_grant")?;
    if g.handover_record_no.trim().is_empty() {
        return Err("status.no_record_number");
    }
    // A file name from the record number: "BB-2025-640.pdf" (a slash would be a folder).
    let name: String = g
        .handover_record_no
        .trim()
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let path = documents_folder().join(format!("{name}.pdf"));
    let languages = vec![
        (Label::Text("Tiếng Việt".into()), Lang::Vi),
        (Label::Text("English".into()), Lang::En),
    ];
    let fields = vec![
        Field::text(
            PrintField::Path,
            "field.pdf_path",
            &path.display().to_string(),
        ),
        Field::choice(
            PrintField::Lang,
            "field.export_lang",
            languages,
            Some(&Lang::Vi),
        ),
    ];
    let mut form = Form::new(
        format!(
            "{} · {}",
            ctx.t("form.print_handover"),
            g.handover_record_no
        ),
        fields,
        ctx.today,
        ctx.lang,
    );
    form.notices.push(Notice::new("form.print_handover_notice"));
    Ok(form)
}

pub fn read(form: &Form, grant: Id, ctx: &Ctx) -> Result<PrintJob, Refusal> {
    let mut errors = Refusal::default();
    let path = read_path(form, PrintField::Path, &mut errors);
    let number = ctx
        .snap
        .grants
        .get(&grant)
        .map(|g| g.handover_record_no.trim().to_string())
        .unwrap_or_default();
    let lang = form.choice::<Lang>(PrintField::Lang).unwrap_or(Lang::Vi);
    errors.or(PrintJob { number, lang, path })
}
