//! The export form: where the file goes, its language, and, for a list of people, whether
//! names go with it (supervisors only, confirmed, audited); for a summary leaving the
//! province, the smallest count it may show.

use super::{ExportFile, ExportJob, Refusal, field_ids, optional_date, optional_number};
use crate::domain::Permission;
use crate::i18n::Lang;
use crate::report::Filter;
use crate::report::export::{ExportKind, ExportOptions};
use crate::tui::screens::Ctx;
use crate::tui::widgets::form::{Field, Form, Label, Notice};

field_ids!(ExportField {
    Path = "path",
    Format = "format",
    Lang = "lang",
    Names = "names",
    Public = "public",
    Minimum = "minimum",
    From = "from",
    To = "to",
});
use ExportField as F;

/// The global dataset on trafficking publishes only counts of 11 or more.
const PUBLIC_MINIMUM_COUNT: i64 = 11;

/// Where files for the officer go unless they say otherwise: Documents, else home.
pub(super) fn documents_folder() -> std::path::PathBuf {
    directories::UserDirs::new()
        .and_then(|d| {
            d.document_dir()
                .map(|p| p.to_path_buf())
                .or_else(|| Some(d.home_dir().to_path_buf()))
        })
        .unwrap_or_default()
}

/// The file named in `field`, refused beside it when empty or in a folder that is not there.
pub(super) fn read_path<Id: crate::tui::widgets::form::FieldId + Copy>(
    form: &Form,
    field: Id,
    errors: &mut Refusal,
) -> std::path::PathBuf {
    let text = form.text(field);
    let path = std::path::PathBuf::from(text.trim());
    if text.trim().is_empty() {
        errors.add(field, "err.required");
    } else if !path
        .parent()
        .is_some_and(|p| p.as_os_str().is_empty() || p.is_dir())
    {
        errors.add(field, "err.folder_missing");
    }
    path
}

fn default_path(kind: ExportKind, ctx: &Ctx) -> String {
    documents_folder()
        .join(format!(
            "sinhke-{}-{}.csv",
            kind.name(),
            ctx.today.format("%Y-%m-%d")
        ))
        .display()
        .to_string()
}

/// The file kinds offered for this export: CSV first (as before), then Excel; from a
/// summary, Excel is the donor workbook with every summary and its charts.
fn formats(kind: ExportKind) -> Vec<(Label, ExportFile)> {
    let excel = if kind.summary().is_some() {
        ("export_format.workbook", ExportFile::Workbook)
    } else {
        ("export_format.sheet", ExportFile::Sheet)
    };
    [("export_format.csv", ExportFile::Csv), excel]
        .into_iter()
        .map(|(key, file)| (Label::Key(key), file))
        .collect()
}

pub fn build(kind: ExportKind, filter: &Filter, ctx: &Ctx) -> Form {
    let languages = vec![
        (Label::Text("Tiếng Việt".into()), Lang::Vi),
        (Label::Text("English".into()), Lang::En),
    ];
    // Every field is on the form; those that do not apply to this export stay hidden.
    let fields = vec![
        Field::text(F::Path, "field.export_path", &default_path(kind, ctx)),
        Field::choice(
            F::Format,
            "field.export_format",
            formats(kind),
            Some(&ExportFile::Csv),
        ),
        Field::choice(F::Lang, "field.export_lang", languages, Some(&ctx.lang)),
        Field::toggle(F::Names, "field.export_names", false),
        Field::toggle(F::Public, "field.export_public", false),
        Field::number(
            F::Minimum,
            "field.export_minimum",
            Some(PUBLIC_MINIMUM_COUNT),
        ),
        // The period the screen shows; empty is all time, as without --from/--to.
        Field::date(F::From, "field.export_from", filter.from),
        Field::date(F::To, "field.export_to", filter.to),
    ];
    let mut form = Form::new(
        format!("{} · {}", ctx.t("form.export"), ctx.t(kind.title_key())),
        fields,
        ctx.today,
        ctx.lang,
    );
    form.set_hidden(
        F::Names,
        !(kind.can_carry_names() && ctx.user.may(Permission::ExportWithNames)),
    );
    form.set_hidden(F::Public, kind.summary().is_none());
    form.notices.push(Notice::new(if kind.summary().is_some() {
        "form.export_summary_notice"
    } else {
        "form.export_notice"
    }));
    form
}

/// The smallest count is asked only when the summary leaves the province. A file name
/// ending in the other format's extension follows the format chosen (the officer's own
/// name and folder stay as typed).
pub fn on_change(form: &mut Form) {
    let public = form.is_shown(F::Public) && form.toggle(F::Public);
    form.set_hidden(F::Minimum, !public);
    let file = form
        .choice::<ExportFile>(F::Format)
        .unwrap_or(ExportFile::Csv);
    let path = form.text(F::Path);
    let (from, to) = match file {
        ExportFile::Csv => (".xlsx", ".csv"),
        ExportFile::Sheet | ExportFile::Workbook => (".csv", ".xlsx"),
    };
    if let Some(stem) = path.strip_suffix(from) {
        form.set_text(F::Path, &format!("{stem}{to}"));
    }
}

pub fn read(
    form: &Form,
    kind: ExportKind,
    ward: Option<String>,
    ctx: &Ctx,
) -> Result<ExportJob, Refusal> {
    let mut errors = Refusal::default();
    let from = optional_date(form, F::From, &mut errors);
    let to = optional_date(form, F::To, &mut errors);
    if let (Some(f), Some(t)) = (from, to)
        && t < f
    {
        errors.add(F::To, "err.period_to_before_from");
    }
    let path = read_path(form, F::Path, &mut errors);
    let suppress_below = if form.is_shown(F::Public) && form.toggle(F::Public) {
        match optional_number(form, F::Minimum, &mut errors) {
            Some(k) if (2..=1000).contains(&k) => Some(k as u64),
            _ => {
                errors.add(F::Minimum, "err.number_format");
                None
            }
        }
    } else {
        None
    };
    let lang = form.choice::<Lang>(F::Lang).unwrap_or(ctx.lang);
    let include_names = form.is_shown(F::Names)
        && form.toggle(F::Names)
        && ctx.user.may(Permission::ExportWithNames);
    // An officer of one ward exports that ward, as `sinhke export` does: a summary of
    // all wards would list every other ward as zeros that look true.
    let ward = ward.or_else(|| ctx.user.ward.clone());
    errors.or(ExportJob {
        kind,
        file: form
            .choice::<ExportFile>(F::Format)
            .unwrap_or(ExportFile::Csv),
        options: ExportOptions {
            lang,
            include_names,
            filter: Filter { ward, from, to },
            suppress_below,
            delimiter: Default::default(),
        },
        path,
    })
}
