//! Records <-> forms: which fields each record's form has, how typed text becomes a
//! record, and how the store's problems find their way back beside the right field.
//! Each form names its fields with its own enum; what a save writes is a named store
//! action, so the rules live in the store, not here.

mod export;
mod grant;
mod person;
mod plan;
mod print;
mod referral;
mod settings;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod typing_tests;
mod visit;

use super::screens::Ctx;
use super::widgets::form::{FieldErrors, FieldId, Form, Label};
use crate::domain::*;
use crate::report::export::{ExportKind, ExportOptions};
use crate::store::{Rejected, Store, StoreError, VisitRecord};

/// Declares a form's field enum: each field with the name the domain's problems use
/// for it, so a problem finds its field without strings in the form code.
macro_rules! field_ids {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $domain:literal),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum $name { $($variant),* }

        impl $name {
            #[allow(dead_code)]
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            /// The field a domain problem names, if this form has it.
            #[allow(dead_code)]
            pub fn from_domain(field: &str) -> Option<$name> {
                match field {
                    $($domain => Some($name::$variant),)*
                    _ => None,
                }
            }
        }

        impl crate::tui::widgets::form::FieldId for $name {
            fn index(self) -> u16 {
                self as u16
            }
        }
    };
}
pub(crate) use field_ids;

/// What a form is for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FormPurpose {
    Person(Option<Id>),
    Plan {
        person: Id,
        plan: Option<Id>,
    },
    Grant {
        person: Id,
        grant: Option<Id>,
    },
    /// Record what a visit found, or that it was missed or cancelled.
    Visit {
        milestone: Id,
        missed: bool,
    },
    /// An extra (ad-hoc) follow-up.
    Milestone {
        person: Id,
        grant: Option<Id>,
    },
    Referral {
        person: Id,
        referral: Option<Id>,
        milestone: Option<Id>,
    },
    /// A new ward (None), or the ward with this code.
    Ward(Option<String>),
    Schedule(GrantKind),
    /// Where backups go (asked the first time one is made), or where bundles are sent
    /// and found.
    Folder(FolderUse),
    /// Where an export goes, in which language, with or without names; the screen's
    /// ward and period come in `filter`, and the period can be changed on the form.
    Export {
        kind: ExportKind,
        filter: crate::report::Filter,
    },
    /// A grant's handover record as a PDF to print and sign.
    PrintHandover {
        grant: Id,
    },
    /// The province hub's address, kept sealed in Settings; with `then_sync`, an
    /// exchange with the hub follows once it is kept.
    HubAddress {
        then_sync: bool,
    },
}

pub use print::PrintJob;

/// What a chosen folder is for, and what happens once it is chosen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FolderUse {
    Backup { then_quit: bool },
    Exchange { then: Option<crate::tui::app::Work> },
}

/// An export the officer asked for, ready to write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportJob {
    pub kind: ExportKind,
    pub file: ExportFile,
    pub options: ExportOptions,
    pub path: std::path::PathBuf,
}

/// What an export writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFile {
    Csv,
    /// The report on one sheet of an Excel workbook.
    Sheet,
    /// The donor workbook: every summary, with charts.
    Workbook,
}

/// What a filled-in form asks the store to do: one named action each.
pub enum Save {
    NewWard(Ward),
    /// A ward changed; its code stays.
    EditedWard(Ward),
    Person(Person),
    Plan(LivelihoodPlan),
    NewGrant(Grant),
    EditedGrant(Grant),
    Visit(VisitRecord),
    Milestone(Milestone),
    /// With the day consent was given, when the form records it too.
    Referral(Referral, Option<chrono::NaiveDate>),
    Schedule(Schedule),
    Folder(FolderUse, std::path::PathBuf),
    HubAddress(String),
    Export(ExportJob),
    Print(PrintJob),
}

/// Problems a form found: beside fields, and for the form as a whole.
#[derive(Debug, Default)]
pub struct Refusal {
    pub fields: FieldErrors,
    pub general: Vec<&'static str>,
}

impl Refusal {
    fn add(&mut self, id: impl FieldId, key: &'static str) {
        let k = id.key();
        if !self.fields.iter().any(|(f, _)| *f == k) {
            self.fields.push((k, key));
        }
    }

    fn has(&self, id: impl FieldId) -> bool {
        self.fields.iter().any(|(f, _)| *f == id.key())
    }

    /// The domain's problems, each beside the field `place` puts it, or for the form.
    fn domain<F: FieldId>(&mut self, problems: Vec<Problem>, place: impl Fn(&str) -> Option<F>) {
        for p in problems {
            match place(p.field) {
                Some(f) => self.add(f, p.key),
                None if !self.general.contains(&p.key) => self.general.push(p.key),
                None => {}
            }
        }
    }

    fn is_empty(&self) -> bool {
        self.fields.is_empty() && self.general.is_empty()
    }

    fn or<T>(self, value: T) -> Result<T, Refusal> {
        if self.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }
}

pub fn build(purpose: &FormPurpose, ctx: &Ctx) -> Result<Form, &'static str> {
    let mut form = match purpose {
        FormPurpose::Person(id) => person::build(*id, ctx)?,
        FormPurpose::Plan { person, plan } => plan::build(*person, *plan, ctx)?,
        FormPurpose::Grant { person, grant } => grant::build(*person, *grant, ctx)?,
        FormPurpose::Visit { milestone, missed } => visit::build(*milestone, *missed, ctx)?,
        FormPurpose::Milestone { person, grant } => visit::build_new(*person, *grant, ctx)?,
        FormPurpose::Referral {
            person,
            referral,
            milestone,
        } => referral::build(*person, *referral, *milestone, ctx)?,
        FormPurpose::Ward(code) => settings::build_ward(code.as_deref(), ctx)?,
        FormPurpose::Schedule(kind) => settings::build_schedule(*kind, ctx),
        FormPurpose::Folder(purpose) => settings::build_folder(purpose, ctx),
        FormPurpose::Export { kind, filter } => export::build(*kind, filter, ctx),
        FormPurpose::PrintHandover { grant } => print::build(*grant, ctx)?,
        FormPurpose::HubAddress { .. } => settings::build_hub_address(ctx),
    };
    on_change(&mut form, purpose, ctx);
    Ok(form)
}

/// After each change of a value: show or hide the fields that depend on it.
pub fn on_change(form: &mut Form, purpose: &FormPurpose, ctx: &Ctx) {
    let snap = ctx.snap;
    match purpose {
        FormPurpose::Person(_) => person::on_change(form),
        FormPurpose::Visit { milestone, .. } => {
            visit::on_change(form, snap.milestones.get(milestone), snap)
        }
        FormPurpose::Referral { .. } => referral::on_change(form),
        FormPurpose::Export { .. } => export::on_change(form),
        FormPurpose::Grant { person, grant } => {
            grant::on_change(form, snap.people.get(person), ctx, grant.is_none())
        }
        _ => {}
    }
}

/// Reads the form into what to save. Parse problems (a date that is not a date) and the
/// domain's own rules are reported together, so the officer sees every problem at once.
pub fn save(form: &Form, purpose: &FormPurpose, ctx: &Ctx) -> Result<Save, Refusal> {
    match purpose {
        FormPurpose::Person(id) => person::read(form, *id, ctx).map(Save::Person),
        FormPurpose::Plan { person, plan } => plan::read(form, *person, *plan, ctx).map(Save::Plan),
        FormPurpose::Grant { person, grant } => grant::read(form, *person, *grant, ctx).map(|g| {
            if g.id.is_new() {
                Save::NewGrant(g)
            } else {
                Save::EditedGrant(g)
            }
        }),
        FormPurpose::Visit { milestone, .. } => visit::read(form, *milestone).map(Save::Visit),
        FormPurpose::Milestone { person, .. } => {
            visit::read_new(form, *person, ctx).map(Save::Milestone)
        }
        FormPurpose::Referral {
            person,
            referral,
            milestone,
        } => referral::read(form, *person, *referral, *milestone, ctx)
            .map(|(r, consent)| Save::Referral(r, consent)),
        FormPurpose::Ward(None) => settings::read_ward(form, None).map(Save::NewWard),
        FormPurpose::Ward(Some(code)) => {
            settings::read_ward(form, Some(code)).map(Save::EditedWard)
        }
        FormPurpose::Schedule(kind) => {
            settings::read_schedule(form, *kind, ctx).map(Save::Schedule)
        }
        FormPurpose::Folder(purpose) => {
            settings::read_folder(form).map(|folder| Save::Folder(purpose.clone(), folder))
        }
        FormPurpose::Export { kind, filter } => {
            export::read(form, *kind, filter.ward.clone(), ctx).map(Save::Export)
        }
        FormPurpose::PrintHandover { grant } => print::read(form, *grant, ctx).map(Save::Print),
        FormPurpose::HubAddress { .. } => settings::read_hub_address(form).map(Save::HubAddress),
    }
}

/// The question to ask before a new person who looks like one already here is saved
/// (`Snapshot::likely_duplicate_of`, the importer's rule), naming that person.
pub fn duplicate_question(save: &Save, ctx: &Ctx) -> Option<String> {
    match save {
        Save::Person(p) if p.id.is_new() => person::duplicate_question(p, ctx),
        _ => None,
    }
}

/// Writes what a form asked for, through the store's named action for it. Returns the
/// person saved, when it was a person.
pub fn commit(store: &mut Store, save: Save) -> Result<Option<Id>, StoreError> {
    match save {
        Save::NewWard(w) => store.add_ward(w).map(|_| None),
        Save::EditedWard(w) => store.edit_ward(w).map(|_| None),
        Save::Person(p) => store.save_person(p).map(|p| Some(p.id)),
        Save::Plan(p) => store.save_plan(p).map(|_| None),
        Save::NewGrant(g) => store.hand_over_grant(g).map(|_| None),
        Save::EditedGrant(g) => store.save_grant(g).map(|_| None),
        Save::Visit(v) => store.record_visit(v).map(|_| None),
        Save::Milestone(m) => store.save_milestone(m).map(|_| None),
        Save::Referral(r, None) => store.save_referral(r).map(|_| None),
        Save::Referral(r, Some(on)) => store.save_referral_with_consent(r, on).map(|_| None),
        Save::Schedule(s) => store.set_schedule(s).map(|_| None),
        Save::Folder(FolderUse::Backup { .. }, folder) => {
            store.set_backup_folder(&folder).map(|_| None)
        }
        Save::Folder(FolderUse::Exchange { .. }, folder) => {
            store.set_exchange_folder(&folder).map(|_| None)
        }
        Save::HubAddress(url) => store.set_hub_url(&url).map(|_| None),
        // Exports and prints write no records: the app starts them.
        Save::Export(_) | Save::Print(_) => Ok(None),
    }
}

/// Where the store's problems belong on the form; one no field can fix is said for
/// the whole form (which record is missing what).
pub fn problems_to_fields(form: &Form, purpose: &FormPurpose, rejected: &[Rejected]) -> Refusal {
    let mut out = Refusal::default();
    for r in rejected {
        let problems = r.problems.clone();
        match purpose {
            FormPurpose::Person(_) => out.domain(problems, person::place),
            FormPurpose::Plan { .. } => out.domain(problems, plan::place),
            FormPurpose::Grant { .. } => out.domain(problems, grant::GrantField::from_domain),
            FormPurpose::Visit { .. } => out.domain(problems, visit::VisitField::from_domain),
            FormPurpose::Milestone { .. } => {
                out.domain(problems, visit::NewVisitField::from_domain)
            }
            FormPurpose::Referral { .. } => out.domain(problems, |f| referral::place(form, f)),
            FormPurpose::Ward(_) => out.domain(problems, settings::WardField::from_domain),
            FormPurpose::Schedule(_) => {
                out.domain(problems, |_| Some(settings::ScheduleField::Months))
            }
            FormPurpose::Folder(_) => out.domain(problems, |_| Some(settings::FolderField::Folder)),
            FormPurpose::Export { .. } => out.domain(problems, export::ExportField::from_domain),
            FormPurpose::PrintHandover { .. } => {
                out.domain(problems, print::PrintField::from_domain)
            }
            FormPurpose::HubAddress { .. } => {
                out.domain(problems, |_| Some(settings::HubField::Url))
            }
        }
    }
    out
}

/// A required date field: the date, or the problem with it.
fn required_date(form: &Form, id: impl FieldId, errors: &mut Refusal) -> Option<chrono::NaiveDate> {
    match form.date(id) {
        Ok(Some(d)) => Some(d),
        Ok(None) => {
            errors.add(id, "err.required");
            None
        }
        Err(key) => {
            errors.add(id, key);
            None
        }
    }
}

fn optional_date(form: &Form, id: impl FieldId, errors: &mut Refusal) -> Option<chrono::NaiveDate> {
    form.date(id).unwrap_or_else(|key| {
        errors.add(id, key);
        None
    })
}

fn optional_number(form: &Form, id: impl FieldId, errors: &mut Refusal) -> Option<i64> {
    form.number(id).unwrap_or_else(|key| {
        errors.add(id, key);
        None
    })
}

/// Money as typed: None when empty; what cannot be read exactly is refused beside it.
fn optional_money(form: &Form, id: impl FieldId, errors: &mut Refusal) -> Option<Dong> {
    form.money(id).unwrap_or_else(|key| {
        errors.add(id, key);
        None
    })
}

/// A required choice: the value, or "required" beside it.
fn required_choice<T: Clone + 'static>(
    form: &Form,
    id: impl FieldId,
    errors: &mut Refusal,
) -> Option<T> {
    let value = form.choice::<T>(id);
    if value.is_none() {
        errors.add(id, "err.required");
    }
    value
}

/// The options of a domain list, for a choice field.
fn options<T: Copy>(all: &[T], key: impl Fn(T) -> &'static str) -> Vec<(Label, T)> {
    all.iter().map(|v| (Label::Key(key(*v)), *v)).collect()
}
