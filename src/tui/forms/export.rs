//! The export form: where the file goes, its language, and, for a list of people, whether
//! names go with it (supervisors only, confirmed, audited); for a summary leaving the
//! province, the smallest count it may show.

use super::{ExportJob, FieldErrors, optional_number};
use crate::domain::Permission;
use crate::i18n::Lang;
use crate::report::Filter;
use crate::report::export::{ExportKind, ExportOptions};
use crate::tui::screens::Ctx;
use crate::tui::widgets::form::{Field, Form, Label};

/// The global dataset on trafficking publishes only counts of 11 or more.
const PUBLIC_MINIMUM_COUNT: i64 = 11;

fn default_path(kind: ExportKind, ctx: &Ctx) -> String {
    let folder = directories::UserDirs::new()
        .and_then(|d| {
            d.document_dir()
                .map(|p| p.to_path_buf())
                .or_else(|| Some(d.home_dir().to_path_buf()))
        })
        .unwrap_or_default();
    folder
        .join(format!(
            "sinhke-{}-{}.csv",
            kind.name(),
            ctx.today.format("%Y-%m-%d")
        ))
        .display()
        .to_string()
}

pub fn build(kind: ExportKind, ctx: &Ctx) -> Form {
    let languages = vec![
        Label::Text("Tiếng Việt".into()),
        Label::Text("English".into()),
    ];
    let mut fields = vec![
        Field::text("path", "field.export_path", &default_path(kind, ctx)),
        Field::choice(
            "lang",
            "field.export_lang",
            languages,
            if ctx.lang == Lang::En { 1 } else { 0 },
        ),
    ];
    if kind.can_carry_names() && ctx.user.may(Permission::ExportWithNames) {
        fields.push(Field::toggle("names", "field.export_names", false));
    }
    if kind.summary().is_some() {
        fields.push(Field::toggle("public", "field.export_public", false));
        fields.push(Field::number(
            "minimum",
            "field.export_minimum",
            Some(PUBLIC_MINIMUM_COUNT),
        ));
    }
    let mut form = Form::new(
        format!("{} · {}", ctx.t("form.export"), kind.name()),
        fields,
        ctx.today,
    );
    form.notice = Some(if kind.summary().is_some() {
        "form.export_summary_notice"
    } else {
        "form.export_notice"
    });
    form
}

/// The smallest count is asked only when the summary leaves the province.
pub fn on_change(form: &mut Form) {
    let public = form.toggle("public");
    form.set_hidden("minimum", !public);
}

pub fn read(
    form: &Form,
    kind: ExportKind,
    ward: Option<String>,
    ctx: &Ctx,
) -> Result<ExportJob, FieldErrors> {
    let mut errors = FieldErrors::new();
    let path = std::path::PathBuf::from(form.text("path").trim());
    if form.text("path").trim().is_empty() {
        errors.push(("path", "err.required"));
    } else if !path
        .parent()
        .is_some_and(|p| p.as_os_str().is_empty() || p.is_dir())
    {
        errors.push(("path", "err.folder_missing"));
    }
    let suppress_below = if form.toggle("public") {
        match optional_number(form, "minimum", &mut errors) {
            Some(k) if (2..=1000).contains(&k) => Some(k as u64),
            _ => {
                if !errors.iter().any(|(f, _)| *f == "minimum") {
                    errors.push(("minimum", "err.number_format"));
                }
                None
            }
        }
    } else {
        None
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    let lang = if form.choice("lang") == 1 {
        Lang::En
    } else {
        Lang::Vi
    };
    let include_names = form.toggle("names") && ctx.user.may(Permission::ExportWithNames);
    // An officer of one ward exports that ward, as `sinhke export` does: a summary of
    // all wards would list every other ward as zeros that look true.
    let ward = ward.or_else(|| ctx.user.ward.clone());
    Ok(ExportJob {
        kind,
        options: ExportOptions {
            lang,
            include_names,
            filter: Filter {
                ward,
                from: None,
                to: None,
            },
            suppress_below,
        },
        path,
    })
}
