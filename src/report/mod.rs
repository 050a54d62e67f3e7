//! Pure functions from a `Snapshot` to figures and tables: the dashboard, the summaries
//! on the reports screen and the CSV exports all come from here, so they always agree.

pub mod analytics;
pub mod dashboard;
pub mod donor_summaries;
pub mod export;
pub mod handover;
pub mod import;
pub mod import_records;
pub mod pdf;
pub mod period;
pub mod record_fields;
pub mod review;
pub mod rows;
pub mod sheet;
pub mod summaries;
pub mod table;
pub mod workbook;

#[cfg(test)]
pub(crate) mod fixture;

pub use dashboard::Dashboard;
pub use period::Period;
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

    /// A person entered in error is in no filter: they count nowhere.
    pub fn person(&self, p: &Person) -> bool {
        p.counts()
            && self.ward.as_deref().is_none_or(|w| p.ward == w)
            && self.in_range(p.enrolled_on)
    }

    /// Whether a record of this person is in the filter's ward, and counts (its person
    /// was not entered in error).
    pub fn owner(&self, snap: &Snapshot, person: Id) -> bool {
        snap.people
            .get(&person)
            .is_some_and(|p| p.counts() && self.ward.as_deref().is_none_or(|w| p.ward == w))
    }

    pub fn grant(&self, snap: &Snapshot, g: &Grant) -> bool {
        self.owner(snap, g.person_id) && self.in_range(g.handed_over_on)
    }

    pub fn milestone(&self, snap: &Snapshot, m: &Milestone) -> bool {
        self.owner(snap, m.person_id) && self.in_range(m.due_on)
    }
}

#[cfg(test)]
mod tests {
    use super::export::{ExportKind, ExportOptions, export};
    use super::fixture::{programme, programme_with_one_entered_in_error, today};
    use super::summaries::Summary;
    use super::*;
    use crate::i18n::Lang;

    /// Every figure, list and export the programme gives, side by side.
    fn everything(snap: &Snapshot) -> (Dashboard, Vec<Table>, Vec<review::ReviewItem>, Vec<u8>) {
        let mut csv = Vec::new();
        for kind in ExportKind::ALL {
            let options = ExportOptions {
                lang: Lang::En,
                include_names: true,
                filter: Filter::default(),
                suppress_below: None,
                delimiter: Default::default(),
            };
            export(kind, snap, today(), &options, &mut csv, &mut |_, _| {}).expect("export");
        }
        (
            dashboard::compute(snap, today(), None),
            Summary::ALL
                .iter()
                .flat_map(|s| [None, Some("CT")].map(|w| s.table(snap, today(), &Filter::ward(w))))
                .collect(),
            review::review_items(snap),
            csv,
        )
    }

    #[test]
    fn a_person_entered_in_error_counts_in_no_figure_list_or_export() {
        let with = programme_with_one_entered_in_error();
        assert_eq!(everything(&with), everything(&programme()));
        assert_eq!(
            dashboard::compute(&with, today(), Some("CT")),
            dashboard::compute(&programme(), today(), Some("CT"))
        );
        // Restored, the person counts again.
        let mut restored = with.clone();
        let mut p = restored.people[&Id(6)].clone();
        p.entered_in_error = false;
        restored.put_person(p);
        assert_ne!(everything(&restored).0, everything(&programme()).0);
    }
}
