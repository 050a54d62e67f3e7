//! Forms for the settings screen: a new ward, and a grant kind's follow-up schedule.

use super::FieldErrors;
use crate::domain::*;
use crate::tui::screens::Ctx;
use crate::tui::widgets::form::{Field, Form};

pub fn build_ward(ctx: &Ctx) -> Form {
    let (district, province) = ctx
        .snap
        .wards
        .values()
        .next()
        .map(|w| (w.district.clone(), w.province.clone()))
        .unwrap_or_default();
    let fields = vec![
        Field::text("code", "field.ward_code", ""),
        Field::text("name", "field.ward_name", ""),
        Field::text("district", "field.district", &district),
        Field::text("province", "field.province", &province),
    ];
    let mut form = Form::new(ctx.t("form.new_ward").to_string(), fields, ctx.today);
    form.notice = Some("form.ward_code_notice");
    form
}

pub fn read_ward(form: &Form) -> Result<Ward, FieldErrors> {
    let mut ward = Ward {
        code: form.text("code"),
        name: form.text("name"),
        district: form.text("district"),
        province: form.text("province"),
    };
    ward.tidy();
    let mut errors = FieldErrors::new();
    if !Ward::is_valid_code(&ward.code) {
        errors.push(("code", "err.ward_code_format"));
    }
    if ward.name.is_empty() {
        errors.push(("name", "err.required"));
    }
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
