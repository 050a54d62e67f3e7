//! The users of a database: listing, adding, removing, and changing passphrases. Each
//! user has a key slot (the data key wrapped under their passphrase) and a sealed user
//! record (name, role, ward); both change together, with an audit entry.

use super::audit::{AuditDraft, RecordChange};
use super::codec::{self, Sealing};
use super::crypto::{KdfParams, KeySlot};
use super::open::{Locked, check_new_passphrase};
use super::{Store, StoreError, keys};
use crate::domain::*;
use crate::text;

impl Store {
    /// Every user, by name.
    pub fn users(&self) -> Vec<&User> {
        let mut users: Vec<&User> = self.users.values().collect();
        users.sort_by(|a, b| text::collate(&a.name, &b.name));
        users
    }

    fn user_named(&self, name: &str) -> Option<&User> {
        let wanted = text::fold(name);
        self.users.values().find(|u| text::fold(&u.name) == wanted)
    }

    /// The KDF cost new slots get: the signed-in user's, so a database keeps the cost
    /// chosen when it was made (and test databases stay cheap).
    fn kdf_for_new_slots(&self) -> KdfParams {
        self.disk
            .get(keys::SLOTS, &self.user.id.to_bytes())
            .ok()
            .flatten()
            .and_then(|v| codec::decode::<KeySlot>(&v).ok())
            .map(|slot| slot.kdf)
            .unwrap_or(KdfParams::DEFAULT)
    }

    fn wrap_for(&self, user: &User, passphrase: &str) -> Result<KeySlot, StoreError> {
        let Sealing::Sealed(key) = &self.sealing else {
            return Err(StoreError::Io("this database has no data key".into()));
        };
        KeySlot::wrap(
            key,
            &user.id.to_bytes(),
            &user.name,
            passphrase,
            self.kdf_for_new_slots(),
        )
        .map_err(|_| StoreError::NoRandomness)
    }

    /// Adds a user with their first passphrase (supervisors only). `ward` None: all wards.
    pub fn add_user(
        &mut self,
        name: &str,
        role: Role,
        ward: Option<&str>,
        passphrase: &str,
    ) -> Result<User, StoreError> {
        self.require(Permission::ManageUsers)?;
        let name = text::clean(name);
        if name.is_empty() {
            return Err(StoreError::NoUserName);
        }
        // A name is shown on every screen and in the audit trail: no terminal codes.
        if text::has_control(&name) {
            return Err(StoreError::Invalid(vec![super::Rejected {
                index: 0,
                problems: vec![Problem::new("name", "err.control_char")],
            }]));
        }
        if self.user_named(&name).is_some() || Locked::find_slot(&self.disk, &name)?.is_some() {
            return Err(StoreError::UserExists(name));
        }
        if let Some(w) = ward
            && !self.snapshot.wards.contains_key(w)
        {
            return Err(StoreError::Invalid(vec![super::Rejected {
                index: 0,
                problems: vec![Problem::new("ward", "err.unknown_ward")],
            }]));
        }
        check_new_passphrase(passphrase)?;
        let now = crate::domain::dates::now_millis();
        let user = User {
            id: self.new_id(),
            name,
            role,
            ward: ward.map(str::to_string),
            stamp: Stamp::new(now, &self.user.name),
        };
        let slot = self.wrap_for(&user, passphrase)?;
        let key = user.id.to_bytes().to_vec();
        let ops = vec![
            (
                keys::tree_index(keys::SLOTS),
                key.clone(),
                Some(codec::encode(&slot)),
            ),
            (
                keys::tree_index(keys::USERS),
                key.clone(),
                Some(self.encode_value(keys::USERS, &key, &user)?),
            ),
        ];
        let draft = AuditDraft::new("add_user").created(keys::USERS, user.id, None);
        self.commit(ops, &[], draft)?;
        self.users.insert(user.id, user.clone());
        Ok(user)
    }

    /// Removes a user and their key slot (supervisors only). The last supervisor and the
    /// signed-in user stay. sled may keep the old slot in its log for a while: see README.
    pub fn remove_user(&mut self, name: &str) -> Result<(), StoreError> {
        self.require(Permission::ManageUsers)?;
        let user = self
            .user_named(name)
            .cloned()
            .ok_or_else(|| StoreError::UnknownUser(name.to_string()))?;
        if user.id == self.user.id {
            return Err(StoreError::RemoveSelf);
        }
        self.keep_a_supervisor(&user)?;
        let key = user.id.to_bytes().to_vec();
        let ops = vec![
            (keys::tree_index(keys::SLOTS), key.clone(), None),
            (keys::tree_index(keys::USERS), key, None),
        ];
        let mut draft = AuditDraft::new("remove_user");
        draft.record(
            keys::USERS,
            user.id.to_string(),
            None,
            RecordChange::Removed,
        );
        self.commit(ops, &[], draft)?;
        self.users.remove(&user.id);
        Ok(())
    }

    fn keep_a_supervisor(&self, leaving: &User) -> Result<(), StoreError> {
        let others = self
            .users
            .values()
            .filter(|u| u.id != leaving.id && u.role == Role::Supervisor)
            .count();
        if leaving.role == Role::Supervisor && others == 0 {
            return Err(StoreError::LastSupervisor);
        }
        Ok(())
    }

    /// Sets a new passphrase for `name`: anyone for themselves, a supervisor for anyone
    /// (how a forgotten passphrase is reset). The data key is only re-wrapped: nothing
    /// else is rewritten.
    pub fn change_passphrase(
        &mut self,
        name: &str,
        new_passphrase: &str,
    ) -> Result<(), StoreError> {
        let user = self
            .user_named(name)
            .cloned()
            .ok_or_else(|| StoreError::UnknownUser(name.to_string()))?;
        if user.id != self.user.id {
            self.require(Permission::ManageUsers)?;
        }
        check_new_passphrase(new_passphrase)?;
        let slot = self.wrap_for(&user, new_passphrase)?;
        let ops = vec![(
            keys::tree_index(keys::SLOTS),
            user.id.to_bytes().to_vec(),
            Some(codec::encode(&slot)),
        )];
        let mut draft = AuditDraft::new("change_passphrase");
        draft.record(
            keys::USERS,
            user.id.to_string(),
            None,
            RecordChange::Changed(vec!["passphrase".into()]),
        );
        self.commit(ops, &[], draft)
    }
}
