//! Who may do what: the users of one database, their role and the wards they work in.
//! Pure rules; the store enforces them on every write.

use super::{Id, Role, Stamp};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: Id,
    /// The sign-in name, NFC; unique in a database once folded (see `text::fold`).
    pub name: String,
    pub role: Role,
    /// The one ward this user works in, or None for every ward.
    pub ward: Option<String>,
    pub stamp: Stamp,
}

/// What only some users may do. Entering and editing records is everyone's work,
/// limited by ward scope (`User::covers_ward`), so it is not listed here.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Permission {
    /// Move a plan to approved (or change who approved it).
    ApprovePlans,
    /// Add or remove users, reset another user's passphrase.
    ManageUsers,
    /// Add wards, change the follow-up schedule.
    ManageSettings,
    /// Export files that carry people's names.
    ExportWithNames,
    /// Replace the database with a backup.
    Restore,
    /// Mark a person entered in error, or take the mark back.
    MarkEnteredInError,
}

impl Permission {
    /// The i18n key of the refusal a user sees.
    pub fn refusal_key(self) -> &'static str {
        match self {
            Permission::ApprovePlans => "store.denied_approve",
            Permission::ManageUsers => "store.denied_users",
            Permission::ManageSettings => "store.denied_settings",
            Permission::ExportWithNames => "store.denied_export",
            Permission::Restore => "store.denied_restore",
            Permission::MarkEnteredInError => "store.denied_mark_error",
        }
    }
}

impl User {
    pub fn may(&self, permission: Permission) -> bool {
        match permission {
            Permission::ApprovePlans
            | Permission::ManageUsers
            | Permission::ManageSettings
            | Permission::ExportWithNames
            | Permission::Restore
            | Permission::MarkEnteredInError => self.role == Role::Supervisor,
        }
    }

    /// Whether this user may write records of people in `ward`.
    pub fn covers_ward(&self, ward: &str) -> bool {
        self.ward.as_deref().is_none_or(|own| own == ward)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(role: Role, ward: Option<&str>) -> User {
        User {
            id: Id(1),
            name: "Lan".into(),
            role,
            ward: ward.map(str::to_string),
            stamp: Stamp::default(),
        }
    }

    #[test]
    fn only_a_supervisor_approves_manages_exports_names_and_restores() {
        let officer = user(Role::Officer, None);
        let supervisor = user(Role::Supervisor, None);
        for p in [
            Permission::ApprovePlans,
            Permission::ManageUsers,
            Permission::ManageSettings,
            Permission::ExportWithNames,
            Permission::Restore,
            Permission::MarkEnteredInError,
        ] {
            assert!(!officer.may(p), "{p:?}");
            assert!(supervisor.may(p), "{p:?}");
        }
    }

    #[test]
    fn an_officer_of_one_ward_covers_that_ward_only() {
        let one = user(Role::Officer, Some("CT"));
        assert!(one.covers_ward("CT"));
        assert!(!one.covers_ward("TC"));
        assert!(user(Role::Officer, None).covers_ward("TC"));
    }
}
