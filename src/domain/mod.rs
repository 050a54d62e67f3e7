//! The records and their rules: pure Rust, no terminal, no disk.
//! Validation returns every problem of a record at once as (field, message key);
//! the screens turn keys into words.

pub mod dates;
mod enums;
mod grant;
pub mod ids;
mod links;
mod milestone;
pub mod money;
mod person;
mod plan;
pub mod quantity;
mod referral;
pub mod schedule;
pub mod snapshot;
mod table;
pub mod tidy;
mod user;
mod validation;
mod ward;
pub mod words;

pub use enums::*;
pub use grant::{Grant, InsuranceCard};
pub use ids::{Id, IdMap, IdSet};
pub use milestone::{Milestone, ON_TIME_GRACE_DAYS, UPCOMING_DAYS, Visit};
pub use money::Dong;
pub use person::{Consent, Person};
pub use plan::LivelihoodPlan;
pub use quantity::Quantity;
pub use referral::Referral;
pub use schedule::Schedule;
pub use snapshot::Snapshot;
pub use table::Table;
pub use tidy::Tidy;
pub use user::{Permission, User};
pub use validation::{Lookup, Problem};
pub use ward::Ward;

use serde::{Deserialize, Serialize};

/// Who last touched a record, and when (Unix milliseconds, UTC).
#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Stamp {
    pub created_at: i64,
    pub updated_at: i64,
    pub updated_by: String,
}

impl Stamp {
    pub fn new(at_millis: i64, by: &str) -> Stamp {
        Stamp {
            created_at: at_millis,
            updated_at: at_millis,
            updated_by: by.to_string(),
        }
    }

    pub fn touched(&self, at_millis: i64, by: &str) -> Stamp {
        Stamp {
            created_at: self.created_at,
            updated_at: at_millis,
            updated_by: by.to_string(),
        }
    }
}
