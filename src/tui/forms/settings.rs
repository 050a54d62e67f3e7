//! Forms for the settings screen: a new or changed ward, and a grant kind's follow-up
//! schedule.

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

field_ids!(FolderField { Folder = "folder" });

field_ids!(HubField { Url = "url" });

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
    let mut code_field = Field::text(WardField::Code, "field.ward_code", code.unwrap_or(""));
    code_field.hidden = code.is_some();
    let fields = vec![
        code_field,
        Field::text(WardField::Name, "field.ward_name", name),
        Field::text(WardField::District, "field.district", district),
        Field::text(WardField::Province, "field.province", province),
    ];
    let title = match code {
        Some(c) => format!("{} · {c}", ctx.t("form.edit_ward")),
        None => ctx.t("form.new_ward").to_string(),
    };
    let mut form = Form::new(title, fields, ctx.today, ctx.lang);
    form.notices.push(Notice::new(if code.is_some() {
        "form.ward_edit_notice"
    } else {
        "form.ward_code_notice"
    }));
    Ok(form)
}

/// The ward the form describes, checked by the domain's rules; an edit keeps the code
/// it was opened with.
pub fn read_ward(form: &Form, code: Option<&str>) -> Result<Ward, Refusal> {
    let mut ward = Ward {
        code: code.map_or_else(|| form.text(WardField::Code), str::to_string),
        name: form.text(WardField::Name),
        district: form.text(WardField::District),
        province: form.text(WardField::Province),
    };
    ward.tidy();
    let mut errors = Refusal::default();
    errors.domain(ward.validate(), WardField::from_domain);
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

pub fn build_folder(purpose: &super::FolderUse, ctx: &Ctx) -> Form {
    let (label, title, notice, current) = match purpose {
        super::FolderUse::Backup { .. } => (
            "field.backup_folder",
            "form.backup_folder",
            "form.backup_folder_notice",
            ctx.backup_folder,
        ),
        super::FolderUse::Exchange { .. } => (
            "field.exchange_folder",
            "form.exchange_folder",
            "form.exchange_folder_notice",
            ctx.exchange_folder,
        ),
    };
    let current = current.map(|f| f.display().to_string()).unwrap_or_default();
    let fields = vec![Field::text(FolderField::Folder, label, &current)];
    let mut form = Form::new(ctx.t(title).to_string(), fields, ctx.today, ctx.lang);
    form.notices.push(Notice::new(notice));
    form
}

/// A folder that exists now (the stick is plugged in).
pub fn read_folder(form: &Form) -> Result<std::path::PathBuf, Refusal> {
    let text = form.text(FolderField::Folder);
    let folder = std::path::PathBuf::from(text.trim());
    let mut errors = Refusal::default();
    if text.trim().is_empty() {
        errors.add(FolderField::Folder, "err.required");
    } else if !folder.is_dir() {
        errors.add(FolderField::Folder, "err.folder_missing");
    }
    errors.or(folder)
}

/// The hub's address, typed hidden: it holds a password. The one kept is never shown
/// back, only whom and where it points at.
pub fn build_hub_address(ctx: &Ctx) -> Form {
    let fields = vec![Field::secret(HubField::Url, "field.hub_url")];
    let mut form = Form::new(
        ctx.t("form.hub_address").to_string(),
        fields,
        ctx.today,
        ctx.lang,
    );
    if let Some(shown) = &ctx.hub_address {
        form.notices
            .push(Notice::new("form.hub_address_kept").with("address", shown));
    }
    form.notices.push(Notice::new("form.hub_address_notice"));
    form.notices.push(Notice::new("form.hub_address_sealed"));
    form
}

/// An address the hub client can read (`postgresql://LOGIN:PASSWORD@HOST/DB`, or
/// libpq's key=value form), exactly as typed.
pub fn read_hub_address(form: &Form) -> Result<String, Refusal> {
    let url = form.text(HubField::Url);
    let mut errors = Refusal::default();
    if url.trim().is_empty() {
        errors.add(HubField::Url, "err.required");
    } else if crate::messages::hub_address_shown(&url).is_none() {
        errors.add(HubField::Url, "err.hub_address");
    }
    errors.or(url)
}
