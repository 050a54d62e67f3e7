//! Records <-> forms: which fields each record's form has, how typed text becomes a
//! record, and how the store's problems find their way back beside the right field.

mod export;
mod grant;
mod person;
mod plan;
mod referral;
mod settings;
mod visit;

use super::screens::Ctx;
use super::widgets::form::Form;
use crate::domain::*;
use crate::report::export::{ExportKind, ExportOptions};
use crate::store::{Change, Rejected, Store, StoreError};

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
    /// Where backups go (a USB stick), asked the first time one is made.
    BackupFolder {
        then_quit: bool,
    },
    /// Where an export goes, in which language, with or without names.
    Export {
        kind: ExportKind,
        ward: Option<String>,
    },
}

/// An export the officer asked for, ready to write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportJob {
    pub kind: ExportKind,
    pub options: ExportOptions,
    pub path: std::path::PathBuf,
}

/// What a filled-in form asks the store to do.
pub enum Save {
    Changes(Vec<Change>),
    NewWard(Ward),
    EditedWard(Ward),
    Person(Person),
    NewGrant(Grant),
    EditedGrant(Grant),
    Schedule(Schedule),
    BackupFolder(std::path::PathBuf),
    Export(ExportJob),
}

/// Problems found before the store is asked: (field, message key).
pub type FieldErrors = Vec<(&'static str, &'static str)>;

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
        FormPurpose::BackupFolder { .. } => settings::build_backup_folder(ctx),
        FormPurpose::Export { kind, .. } => export::build(*kind, ctx),
    };
    on_change(&mut form, purpose, ctx.snap);
    Ok(form)
}

/// After each change of a value: show or hide the fields that depend on it.
pub fn on_change(form: &mut Form, purpose: &FormPurpose, snap: &Snapshot) {
    match purpose {
        FormPurpose::Person(_) => person::on_change(form),
        FormPurpose::Visit { milestone, .. } => {
            visit::on_change(form, snap.milestones.get(milestone), snap)
        }
        FormPurpose::Referral { .. } => referral::on_change(form),
        FormPurpose::Export { .. } => export::on_change(form),
        FormPurpose::Grant { .. } => grant::on_change(form),
        _ => {}
    }
}

/// Reads the form into what to save. Parse problems (a date that is not a date) and the
/// domain's own rules are reported together, so the officer sees every problem at once.
pub fn save(form: &Form, purpose: &FormPurpose, ctx: &Ctx) -> Result<Save, FieldErrors> {
    match purpose {
        FormPurpose::Person(id) => person::read(form, *id, ctx).map(Save::Person),
        FormPurpose::Plan { person, plan } => {
            plan::read(form, *person, *plan, ctx).map(|p| Save::Changes(vec![Change::Plan(p)]))
        }
        FormPurpose::Grant { person, grant } => grant::read(form, *person, *grant, ctx).map(|g| {
            if g.id.is_new() {
                Save::NewGrant(g)
            } else {
                Save::EditedGrant(g)
            }
        }),
        FormPurpose::Visit { milestone, .. } => {
            visit::read(form, *milestone, ctx).map(Save::Changes)
        }
        FormPurpose::Milestone { person, .. } => {
            visit::read_new(form, *person, ctx).map(|m| Save::Changes(vec![Change::Milestone(m)]))
        }
        FormPurpose::Referral {
            person,
            referral,
            milestone,
        } => referral::read(form, *person, *referral, *milestone, ctx).map(Save::Changes),
        FormPurpose::Ward(None) => settings::read_ward(form, None).map(Save::NewWard),
        FormPurpose::Ward(Some(code)) => {
            settings::read_ward(form, Some(code)).map(Save::EditedWard)
        }
        FormPurpose::Schedule(kind) => {
            settings::read_schedule(form, *kind, ctx).map(Save::Schedule)
        }
        FormPurpose::BackupFolder { .. } => {
            settings::read_backup_folder(form).map(Save::BackupFolder)
        }
        FormPurpose::Export { kind, ward } => {
            export::read(form, *kind, ward.clone(), ctx).map(Save::Export)
        }
    }
}

/// Writes what a form asked for. Returns the person saved, when it was a person.
pub fn commit(store: &mut Store, save: Save) -> Result<Option<Id>, StoreError> {
    match save {
        Save::Changes(changes) => store.apply(changes).map(|_| None),
        Save::NewWard(w) => store.add_ward(w).map(|_| None),
        Save::EditedWard(w) => store.edit_ward(w).map(|_| None),
        Save::Person(p) => store.save_person(p).map(|p| Some(p.id)),
        Save::NewGrant(g) => store.hand_over_grant(g).map(|_| None),
        Save::EditedGrant(g) => store.save_grant(g).map(|_| None),
        Save::Schedule(s) => store.set_schedule(s).map(|_| None),
        Save::BackupFolder(folder) => store.set_backup_folder(&folder).map(|_| None),
        // Exports write no records: the app starts them once any question is answered.
        Save::Export(_) => Ok(None),
    }
}

/// Where the store's problems belong on the form.
pub fn problems_to_fields(purpose: &FormPurpose, rejected: &[Rejected]) -> FieldErrors {
    let mut out = Vec::new();
    for r in rejected {
        for p in &r.problems {
            let field = match (purpose, r.index, p.field) {
                (FormPurpose::Person(_), _, "target_groups") => "target_primary",
                (FormPurpose::Visit { .. }, 0, f) => f,
                (FormPurpose::Visit { .. }, _, "consent" | "to_whom") => "refer_to",
                (FormPurpose::Visit { .. }, _, _) => "next_visit_on",
                (FormPurpose::Referral { .. }, _, "consent") => "consent_now",
                (FormPurpose::Schedule(_), _, _) => "months",
                (_, _, f) => f,
            };
            out.push((field, p.key));
        }
    }
    out
}

/// Merges problems found while reading a form with those the domain finds in the
/// record built from it, leaving out the domain's view of fields that did not parse.
fn merge(
    mut parse: FieldErrors,
    domain: Vec<Problem>,
    rename: impl Fn(&'static str) -> &'static str,
) -> FieldErrors {
    for p in domain {
        let field = rename(p.field);
        if !parse.iter().any(|(f, _)| *f == field) {
            parse.push((field, p.key));
        }
    }
    parse
}

/// A required date field: the date, or the problem with it.
fn required_date(
    form: &Form,
    name: &'static str,
    errors: &mut FieldErrors,
) -> Option<chrono::NaiveDate> {
    match form.date(name) {
        Ok(Some(d)) => Some(d),
        Ok(None) => {
            errors.push((name, "err.required"));
            None
        }
        Err(()) => {
            errors.push((name, "err.date_format"));
            None
        }
    }
}

fn optional_date(
    form: &Form,
    name: &'static str,
    errors: &mut FieldErrors,
) -> Option<chrono::NaiveDate> {
    form.date(name).unwrap_or_else(|()| {
        errors.push((name, "err.date_format"));
        None
    })
}

fn optional_number(form: &Form, name: &'static str, errors: &mut FieldErrors) -> Option<i64> {
    form.number(name).unwrap_or_else(|()| {
        errors.push((name, "err.number_format"));
        None
    })
}

/// The labels of a domain list, for a choice field.
fn labels<T: Copy>(all: &[T], key: impl Fn(T) -> &'static str) -> Vec<super::widgets::form::Label> {
    all.iter()
        .map(|v| super::widgets::form::Label::Key(key(*v)))
        .collect()
}

fn position<T: PartialEq>(all: &[T], value: &T) -> usize {
    all.iter().position(|v| v == value).unwrap_or(0)
}
