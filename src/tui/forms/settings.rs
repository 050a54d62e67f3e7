//! Forms for the settings screen: a new ward, and a grant kind's follow-up schedule.

use super::{Refusal, field_ids};
use crate::domain::*;
use crate::tui::screens::Ctx;
use crate::tui::widgets::form::{Field, Form, Notice};

field_ids!(WardField {
    Code = "code",
    Name = "name",
    District = "district",
    Province = "province",
});

field_ids!(ScheduleField { Months = "months" });

field_ids!(BackupField { Folder = "folder" });

pub fn build_ward(ctx: &Ctx) -> Form {
    let (district, province) = ctx
        .snap
        .wards
        .values()
        .next()
        .map(|w| (w.district.clone(), w.province.clone()))
        .unwrap_or_default();
    let fields = vec![
        Field::text(WardField::Code, "field.ward_code", ""),
        Field::text(WardField::Name, "field.ward_name", ""),
        Field::text(WardField::District, "field.district", &district),
        Field::text(WardField::Province, "field.province", &province),
    ];
    let mut form = Form::new(
        ctx.t("form.new_ward").to_string(),
        fields,
        ctx.today,
        ctx.lang,
    );
    form.notices.push(Notice::new("form.ward_code_notice"));
    form
}

pub fn read_ward(form: &Form) -> Result<Ward, Refusal> {
    let mut ward = Ward {
        code: form.text(WardField::Code),
        name: form.text(WardField::Name),
        district: form.text(WardField::District),
        province: form.text(WardField::Province),
    };
    ward.tidy();
    let mut errors = Refusal::default();
    if !Ward::is_valid_code(&ward.code) {
        errors.add(WardField::Code, "err.ward_code_format");
    }
    if ward.name.is_empty() {
        errors.add(WardField::Name, "err.required");
    }
    errors.or(ward)
}

pub fn build_schedule(kind: GrantKind, ctx: &Ctx) -> Form {
    let months: Vec<String> = ctx
        .schedule
        .months_for(kind)
        .iter()
        .map(|m| m.to_string())
        .collect();
    let fields = vec![Field::text(
        ScheduleField::Months,
        "field.schedule_months",
        &months.join(", "),
    )];
    let mut form = Form::new(
        format!("{} · {}", ctx.t("form.schedule"), ctx.t(kind.key())),
        fields,
        ctx.today,
        ctx.lang,
    );
    form.notices.push(Notice::new("form.schedule_notice"));
    form
}

pub fn read_schedule(form: &Form, kind: GrantKind, ctx: &Ctx) -> Result<Schedule, Refusal> {
    let Some(months) = Schedule::parse_months(&form.text(ScheduleField::Months)) else {
        let mut errors = Refusal::default();
        errors.add(ScheduleField::Months, "err.schedule_format");
        return Err(errors);
    };
    let mut schedule = ctx.schedule.clone();
    schedule.months_by_kind.insert(kind, months);
    Ok(schedule)
}

pub fn build_backup_folder(ctx: &Ctx) -> Form {
    let fields = vec![Field::text(BackupField::Folder, "field.backup_folder", "")];
    let mut form = Form::new(
        ctx.t("form.backup_folder").to_string(),
        fields,
        ctx.today,
        ctx.lang,
    );
    form.notices.push(Notice::new("form.backup_folder_notice"));
    form
}

/// A folder that exists now (the stick is plugged in).
pub fn read_backup_folder(form: &Form) -> Result<std::path::PathBuf, Refusal> {
    let text = form.text(BackupField::Folder);
    let folder = std::path::PathBuf::from(text.trim());
    let mut errors = Refusal::default();
    if text.trim().is_empty() {
        errors.add(BackupField::Folder, "err.required");
    } else if !folder.is_dir() {
        errors.add(BackupField::Folder, "err.folder_missing");
    }
    errors.or(folder)
}
