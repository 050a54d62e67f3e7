//! Forms for the settings screen: a new or changed ward, and a grant kind's follow-up
//! schedule.

use super::FieldErrors;
use crate::domain::*;
use crate::tui::screens::Ctx;
use crate::tui::widgets::form::{Field, Form};

/// A new ward (its district and province as the first ward's), or the ward with `code`.
/// An edit shows the code in the title, not as a field: it never changes.
pub fn build_ward(code: Option<&str>, ctx: &Ctx) -> Result<Form, &'static str> {
    let existing = match code {
        Some(c) => Some(ctx.snap.wards.get(c).ok_or("err.unknown_ward")?),
        None => None,
    };
    let first = ctx.snap.wards.values().next();
    let (name, district, province) = match existing {
        Some(w) => (w.name.as_str(), w.district.as_str(), w.province.as_str()),
        None => (
            "",
            first.map_or("", |w| w.district.as_str()),
            first.map_or("", |w| w.province.as_str()),
        ),
    };
    let mut code_field = Field::text("code", "field.ward_code", code.unwrap_or(""));
    code_field.hidden = code.is_some();
    let fields = vec![
        code_field,
        Field::text("name", "field.ward_name", name),
        Field::text("district", "field.district", district),
        Field::text("province", "field.province", province),
    ];
    let title = match code {
        Some(c) => format!("{} · {c}", ctx.t("form.edit_ward")),
        None => ctx.t("form.new_ward").to_string(),
    };
    let mut form = Form::new(title, fields, ctx.today);
    form.notice = Some(if code.is_some() {
        "form.ward_edit_notice"
    } else {
        "form.ward_code_notice"
    });
    Ok(form)
}

/// The ward the form describes; an edit keeps the code it was opened with.
pub fn read_ward(form: &Form, code: Option<&str>) -> Result<Ward, FieldErrors> {
    let mut ward = Ward {
        code: code.map_or_else(|| form.text("code"), str::to_string),
        name: form.text("name"),
        district: form.text("district"),
        province: form.text("province"),
    };
    ward.tidy();
    let errors: FieldErrors = ward
        .validate()
        .into_iter()
        .map(|p| (p.field, p.key))
        .collect();
    if errors.is_empty() {
        Ok(ward)
    } else {
        Err(errors)
    }
}

pub fn build_schedule(kind: GrantKind, ctx: &Ctx) -> Form {
    let months: Vec<String> = ctx
        .schedule
        .months_for(kind)
        .iter()
        .map(|m| m.to_string())
        .collect();
    let fields = vec![Field::text(
        "months",
        "field.schedule_months",
        &months.join(", "),
    )];
    let mut form = Form::new(
        format!("{} · {}", ctx.t("form.schedule"), ctx.t(kind.key())),
        fields,
        ctx.today,
    );
    form.notice = Some("form.schedule_notice");
    form
}

pub fn read_schedule(form: &Form, kind: GrantKind, ctx: &Ctx) -> Result<Schedule, FieldErrors> {
    let months = Schedule::parse_months(&form.text("months"))
        .ok_or_else(|| vec![("months", "err.schedule_format")])?;
    let mut schedule = ctx.schedule.clone();
    schedule.months_by_kind.insert(kind, months);
    Ok(schedule)
}

pub fn build_backup_folder(ctx: &Ctx) -> Form {
    let fields = vec![Field::text("folder", "field.backup_folder", "")];
    let mut form = Form::new(ctx.t("form.backup_folder").to_string(), fields, ctx.today);
    form.notice = Some("form.backup_folder_notice");
    form
}

/// A folder that exists now (the stick is plugged in).
pub fn read_backup_folder(form: &Form) -> Result<std::path::PathBuf, FieldErrors> {
    let text = form.text("folder");
    let folder = std::path::PathBuf::from(text.trim());
    if text.trim().is_empty() {
        Err(vec![("folder", "err.required")])
    } else if !folder.is_dir() {
        Err(vec![("folder", "err.folder_missing")])
    } else {
        Ok(folder)
    }
}
