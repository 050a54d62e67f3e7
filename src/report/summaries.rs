//! The summaries supervisors send on: by ward, by grant kind, by target group and sex,
//! and the overdue list. Each is a `Table` the reports screen draws and CSV writes.

use super::Filter;
use super::dashboard::{BySex, ward_figures};
use super::table::{Cell, Table};
use crate::domain::*;
use chrono::NaiveDate;

/// The summaries, in the order the reports screen offers them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Summary {
    ByWard,
    ByGrantKind,
    ByTargetGroupAndSex,
    Overdue,
}

impl Summary {
    pub const ALL: [Summary; 4] = [
        Summary::ByWard,
        Summary::ByGrantKind,
        Summary::ByTargetGroupAndSex,
        Summary::Overdue,
    ];

    pub fn title_key(self) -> &'static str {
        match self {
            Summary::ByWard => "summary.by_ward",
            Summary::ByGrantKind => "summary.by_grant_kind",
            Summary::ByTargetGroupAndSex => "summary.by_target_sex",
            Summary::Overdue => "summary.overdue",
        }
    }

    pub fn table(self, snap: &Snapshot, today: NaiveDate, filter: &Filter) -> Table {
        match self {
            Summary::ByWard => by_ward(snap, today, filter),
            Summary::ByGrantKind => by_grant_kind(snap, filter),
            Summary::ByTargetGroupAndSex => by_target_group_and_sex(snap, filter),
            Summary::Overdue => overdue(snap, today, filter),
        }
    }
}

fn sex_cells(counts: BySex) -> [Cell; 3] {
    [
        Cell::Count(counts.female),
        Cell::Count(counts.male),
        Cell::Count(counts.other),
    ]
}

/// People by sex, grants and their value, and overdue follow-ups, per ward. The value
/// column adds up to the value of every grant in the filter.
pub fn by_ward(snap: &Snapshot, today: NaiveDate, filter: &Filter) -> Table {
    let wards = ward_figures(snap, today, filter);
    let mut total = (BySex::default(), 0u64, Dong(0), 0u64);
    let rows = wards
        .iter()
        .map(|w| {
            total.0.female += w.people.female;
            total.0.male += w.people.male;
            total.0.other += w.people.other;
            total.1 += w.grants;
            total.2 += w.grant_value;
            total.3 += w.overdue;
            let [f, m, o] = sex_cells(w.people);
            vec![
                Cell::Text(w.name.clone()),
                Cell::Count(w.people.total()),
                f,
                m,
                o,
                Cell::Count(w.grants),
                Cell::Money(w.grant_value),
                Cell::Count(w.overdue),
            ]
        })
        .collect();
    let [f, m, o] = sex_cells(total.0);
    Table {
        title: Summary::ByWard.title_key(),
        columns: vec![
            "col.ward",
            "summary.people",
            "summary.female",
            "summary.male",
            "summary.other",
            "summary.grants",
            "summary.grant_value",
            "summary.overdue_count",
        ],
        rows,
        total: Some(vec![
            Cell::Label("summary.total"),
            Cell::Count(total.0.total()),
            f,
            m,
            o,
            Cell::Count(total.1),
            Cell::Money(total.2),
            Cell::Count(total.3),
        ]),
        parts: vec![(1, vec![2, 3, 4])],
        value_of: vec![(6, 5)],
        shares: Vec::new(),
    }
}

/// Grants per kind, by the sex of the person who received them, with their value.
pub fn by_grant_kind(snap: &Snapshot, filter: &Filter) -> Table {
    let mut per_kind: Vec<(GrantKind, BySex, Dong)> = GrantKind::ALL
        .iter()
        .map(|k| (*k, BySex::default(), Dong(0)))
        .collect();
    for g in snap.grants.values().filter(|g| filter.grant(snap, g)) {
        let Some(person) = snap.people.get(&g.person_id) else {
            continue;
        };
        if let Some((_, counts, value)) = per_kind.iter_mut().find(|(k, _, _)| *k == g.kind) {
            counts.add(person.sex);
            *value += g.total_value;
        }
    }
    let mut total = (BySex::default(), Dong(0));
    let rows = per_kind
        .iter()
        .map(|(kind, counts, value)| {
            total.0.female += counts.female;
            total.0.male += counts.male;
            total.0.other += counts.other;
            total.1 += *value;
            let [f, m, o] = sex_cells(*counts);
            vec![
                Cell::Label(kind.key()),
                Cell::Count(counts.total()),
                f,
                m,
                o,
                Cell::Money(*value),
            ]
        })
        .collect();
    let [f, m, o] = sex_cells(total.0);
    Table {
        title: Summary::ByGrantKind.title_key(),
        columns: vec![
            "col.kind",
            "summary.grants",
            "summary.to_women",
            "summary.to_men",
            "summary.to_other",
            "summary.grant_value",
        ],
        rows,
        total: Some(vec![
            Cell::Label("summary.total"),
            Cell::Count(total.0.total()),
            f,
            m,
            o,
            Cell::Money(total.1),
        ]),
        parts: vec![(1, vec![2, 3, 4])],
        value_of: vec![(5, 1)],
        shares: Vec::new(),
    }
}

/// People by primary target group and sex.
pub fn by_target_group_and_sex(snap: &Snapshot, filter: &Filter) -> Table {
    let mut per_group: Vec<(TargetGroup, BySex)> = TargetGroup::ALL
        .iter()
        .map(|g| (*g, BySex::default()))
        .collect();
    for p in snap.people.values().filter(|p| filter.person(p)) {
        if let Some((_, counts)) = p
            .primary_group()
            .and_then(|g| per_group.iter_mut().find(|(x, _)| *x == g))
        {
            counts.add(p.sex);
        }
    }
    let mut total = BySex::default();
    let rows = per_group
        .iter()
        .map(|(group, counts)| {
            total.female += counts.female;
            total.male += counts.male;
            total.other += counts.other;
            let [f, m, o] = sex_cells(*counts);
            vec![
                Cell::Label(group.key()),
                f,
                m,
                o,
                Cell::Count(counts.total()),
            ]
        })
        .collect();
    let [f, m, o] = sex_cells(total);
    Table {
        title: Summary::ByTargetGroupAndSex.title_key(),
        columns: vec![
            "col.target",
            "summary.female",
            "summary.male",
            "summary.other",
            "summary.people",
        ],
        rows,
        total: Some(vec![
            Cell::Label("summary.total"),
            f,
            m,
            o,
            Cell::Count(total.total()),
        ]),
        parts: vec![(4, vec![1, 2, 3])],
        value_of: Vec::new(),
        shares: Vec::new(),
    }
}

/// Overdue follow-ups, most overdue first, by person code (never by name).
pub fn overdue(snap: &Snapshot, today: NaiveDate, filter: &Filter) -> Table {
    let mut late: Vec<&Milestone> = snap
        .milestones
        .values()
        .filter(|m| m.is_overdue(today) && filter.milestone(snap, m))
        .collect();
    late.sort_by_key(|m| (m.due_on, m.id));
    let rows = late
        .iter()
        .map(|m| {
            let person = snap.people.get(&m.person_id);
            vec![
                Cell::Text(person.map(|p| p.code.clone()).unwrap_or_default()),
                Cell::Text(
                    person
                        .map(|p| snap.ward_name(&p.ward).to_string())
                        .unwrap_or_default(),
                ),
                Cell::Date(m.due_on),
                Cell::Count(m.days_overdue(today).max(0) as u64),
                Cell::Label(m.kind.key()),
                Cell::Text(m.assigned_to.clone()),
            ]
        })
        .collect();
    Table {
        title: Summary::Overdue.title_key(),
        columns: vec![
            "col.code",
            "col.ward",
            "col.due_on",
            "summary.days_overdue",
            "col.kind",
            "col.assigned_to",
        ],
        rows,
        total: None,
        parts: Vec::new(),
        value_of: Vec::new(),
        shares: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::dashboard::compute;
    use crate::report::fixture::{programme, today};

    #[test]
    fn the_ward_summary_carries_the_dashboard_figures_and_adds_up() {
        let snap = programme();
        let table = by_ward(&snap, today(), &Filter::default());
        assert_eq!(table.rows.len(), 2);
        assert_eq!(table.rows[0][0], Cell::Text("Cao Thắng".into()));
        // CT: persons 1 (F), 2 (M), 5 (F); grants 21, 22, 24 = 6,800,000.
        assert_eq!(
            table.rows[0][1..7],
            [
                Cell::Count(3),
                Cell::Count(2),
                Cell::Count(1),
                Cell::Count(0),
                Cell::Count(3),
                Cell::Money(Dong(6_800_000))
            ]
        );
        let dashboard = compute(&snap, today(), None);
        assert_eq!(
            table.money_sum(6),
            dashboard.grant_value,
            "the value column adds up to every grant"
        );
        assert_eq!(
            table.total.as_ref().map(|t| t[6].clone()),
            Some(Cell::Money(Dong(8_000_000)))
        );
    }

    #[test]
    fn grants_by_kind_are_split_by_the_recipients_sex() {
        let table = by_grant_kind(&programme(), &Filter::default());
        let row = |kind: GrantKind| {
            table
                .rows
                .iter()
                .find(|r| r[0] == Cell::Label(kind.key()))
                .cloned()
                .expect("row")
        };
        // Health insurance went to person 4 (other), study equipment to person 2 (male).
        assert_eq!(
            row(GrantKind::HealthInsurance)[1..5],
            [
                Cell::Count(1),
                Cell::Count(0),
                Cell::Count(0),
                Cell::Count(1)
            ]
        );
        assert_eq!(row(GrantKind::StudyEquipment)[3], Cell::Count(1));
        assert_eq!(table.money_sum(5), Dong(8_000_000));
    }

    #[test]
    fn target_groups_by_sex_count_each_person_once() {
        let table = by_target_group_and_sex(&programme(), &Filter::default());
        assert_eq!(
            table.total,
            Some(vec![
                Cell::Label("summary.total"),
                Cell::Count(3),
                Cell::Count(1),
                Cell::Count(1),
                Cell::Count(5)
            ])
        );
    }

    #[test]
    fn the_overdue_list_names_codes_not_people() {
        let table = overdue(&programme(), today(), &Filter::default());
        assert_eq!(table.rows.len(), 1);
        // Visit 33 of person 4 (TC-0004), due 01/04/2025: 61 days by 01/06.
        assert_eq!(table.rows[0][0], Cell::Text("TC-0004".into()));
        assert_eq!(table.rows[0][3], Cell::Count(61));
        assert!(!format!("{:?}", table.rows).contains("Người số"));
    }

    #[test]
    fn a_ward_filter_keeps_one_ward() {
        let table = by_ward(&programme(), today(), &Filter::ward(Some("TC")));
        assert_eq!(table.rows.len(), 1);
        assert_eq!(
            table.total.as_ref().map(|t| t[6].clone()),
            Some(Cell::Money(Dong(1_200_000)))
        );
    }
}
