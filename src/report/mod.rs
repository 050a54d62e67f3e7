//! Pure functions from a `Snapshot` to figures and tables: the dashboard, the summaries
//! on the reports screen and the CSV exports all come from here, so they always agree.

pub mod dashboard;
pub mod export;
pub mod handover;
pub mod import;
pub mod pdf;
pub mod review;
pub mod sheet;
pub mod summaries;
pub mod table;

#[cfg(test)]
pub(crate) mod fixture;

pub use dashboard::Dashboard;
pub use table::{Cell, Table};

use crate::domain::{Grant, Id, Milestone, Person, Snapshot};
use chrono::NaiveDate;

/// Which records a figure covers: one ward or all, and a date range for dated records
/// (grants by handover date, follow-ups by due date, people by enrolment).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filter {
    pub ward: Option<String>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

impl Filter {
    pub fn ward(ward: Option<&str>) -> Filter {
        Filter {
            ward: ward.map(str::to_string),
            ..Filter::default()
        }
    }

    pub fn in_range(&self, day: NaiveDate) -> bool {
        self.from.is_none_or(|f| day >= f) && self.to.is_none_or(|t| day <= t)
    }

    pub fn person(&self, p: &Person) -> bool {
        self.ward.as_deref().is_none_or(|w| p.ward == w) && self.in_range(p.enrolled_on)
    }

    /// Whether a record of this person is in the filter's ward.
    pub fn owner(&self, snap: &Snapshot, person: Id) -> bool {
        self.ward
            .as_deref()
            .is_none_or(|w| snap.people.get(&person).is_some_and(|p| p.ward == w))
    }

    pub fn grant(&self, snap: &Snapshot, g: &Grant) -> bool {
        self.owner(snap, g.person_id) && self.in_range(g.handed_over_on)
    }

    pub fn milestone(&self, snap: &Snapshot, m: &Milestone) -> bool {
        self.owner(snap, m.person_id) && self.in_range(m.due_on)
    }
}
