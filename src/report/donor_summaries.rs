//! The summaries a donor's workbook adds to those of the reports screen: people by
//! target group, sex and age band; follow-ups on time by ward; the programme's
//! indicators against their targets; visits done per month. Tables like the others, so
//! the same small-count rule withholds their figures.

use super::Filter;
use super::dashboard::{AGE_GROUPS, BySex, Indicator, age_group, compute};
use super::table::{Cell, Table, percent};
use crate::domain::*;
use chrono::{Datelike, NaiveDate};

/// People by primary target group and age band (age on `today`), by sex: one row per
/// group and band, every one listed, so sheets of two periods line up.
pub fn by_target_group_sex_and_age(snap: &Snapshot, today: NaiveDate, filter: &Filter) -> Table {
    let mut counts = vec![[BySex::default(); AGE_GROUPS.len()]; TargetGroup::ALL.len()];
    for p in snap.people.values().filter(|p| filter.person(p)) {
        if let Some(g) = p
            .primary_group()
            .and_then(|g| TargetGroup::ALL.iter().position(|x| *x == g))
        {
            counts[g][age_group(p.age_on(today))].add(p.sex);
        }
    }
    let mut total = BySex::default();
    let mut rows = Vec::new();
    for (group, bands) in TargetGroup::ALL.iter().zip(&counts) {
        for ((age, _, _), c) in AGE_GROUPS.iter().zip(bands) {
            total.female += c.female;
            total.male += c.male;
            total.other += c.other;
            rows.push(vec![
                Cell::Label(group.key()),
                Cell::Label(age),
                Cell::Count(c.female),
                Cell::Count(c.male),
                Cell::Count(c.other),
                Cell::Count(c.total()),
            ]);
        }
    }
    Table {
        title: "workbook.by_group_sex_age",
        columns: vec![
            "col.target",
            "workbook.age_band",
            "summary.female",
            "summary.male",
            "summary.other",
            "summary.people",
        ],
        rows,
        total: Some(vec![
            Cell::Label("summary.total"),
            Cell::Text(String::new()),
            Cell::Count(total.female),
            Cell::Count(total.male),
            Cell::Count(total.other),
            Cell::Count(total.total()),
        ]),
        parts: vec![(5, vec![2, 3, 4])],
        value_of: Vec::new(),
        shares: Vec::new(),
    }
}

/// Per ward, the follow-ups due in the period that have fallen due by `today`: done on
/// time, done late, still open (overdue), and the share done on time.
pub fn follow_ups_by_ward(snap: &Snapshot, today: NaiveDate, filter: &Filter) -> Table {
    let wards = snap.wards_in_order();
    // (on time, late, overdue) per ward, in the order of `wards`.
    let mut figures = vec![(0u64, 0u64, 0u64); wards.len()];
    for m in snap
        .milestones
        .values()
        .filter(|m| filter.milestone(snap, m))
    {
        let Some(w) = snap
            .people
            .get(&m.person_id)
            .and_then(|p| wards.iter().position(|w| w.code == p.ward))
        else {
            continue;
        };
        match m.was_done_on_time() {
            Some(true) => figures[w].0 += 1,
            Some(false) => figures[w].1 += 1,
            None if m.is_overdue(today) => figures[w].2 += 1,
            None => {}
        }
    }
    let row = |name: Cell, (on_time, late, overdue): (u64, u64, u64)| {
        let due = on_time + late + overdue;
        vec![
            name,
            Cell::Count(due),
            Cell::Count(on_time),
            Cell::Count(late),
            Cell::Count(overdue),
            Cell::Percent(percent(on_time, due)),
        ]
    };
    let mut sum = (0, 0, 0);
    let rows = wards
        .iter()
        .zip(&figures)
        .filter(|(w, _)| filter.ward.as_deref().is_none_or(|code| w.code == code))
        .map(|(w, f)| {
            sum = (sum.0 + f.0, sum.1 + f.1, sum.2 + f.2);
            row(Cell::Text(w.name.clone()), *f)
        })
        .collect();
    Table {
        title: "workbook.follow_ups",
        columns: vec![
            "col.ward",
            "workbook.fallen_due",
            "workbook.on_time",
            "workbook.late",
            "summary.overdue_count",
            "workbook.on_time_share",
        ],
        rows,
        total: Some(row(Cell::Label("summary.total"), sum)),
        parts: vec![(1, vec![2, 3, 4])],
        value_of: Vec::new(),
        shares: vec![(5, 2, 1)],
    }
}

/// The programme's indicators as the dashboard computes them today, for the filter's
/// ward, each against its target.
pub fn indicators(snap: &Snapshot, today: NaiveDate, filter: &Filter) -> Table {
    let dashboard = compute(snap, today, filter.ward.as_deref());
    let row = |i: &Indicator| {
        vec![
            Cell::Label(i.key),
            Cell::Count(i.numerator),
            Cell::Count(i.denominator),
            Cell::Percent(i.value()),
            Cell::Percent(Some(i.target)),
        ]
    };
    Table {
        title: "workbook.indicators",
        columns: vec![
            "workbook.indicator",
            "workbook.reached",
            "workbook.out_of",
            "workbook.value",
            "workbook.target",
        ],
        rows: vec![row(&dashboard.supported), row(&dashboard.visited_on_time)],
        total: None,
        parts: Vec::new(),
        value_of: Vec::new(),
        shares: vec![(3, 1, 2)],
    }
}

/// Visits done per month, every month of the period listed (without a start: from the
/// first visit done; without an end: to this month).
pub fn visits_by_month(snap: &Snapshot, today: NaiveDate, filter: &Filter) -> Table {
    let month = |d: NaiveDate| (d.year(), d.month());
    let done: Vec<NaiveDate> = snap
        .milestones
        .values()
        .filter(|m| m.status == MilestoneStatus::Done && filter.owner(snap, m.person_id))
        .filter_map(|m| m.done_on)
        .filter(|d| filter.in_range(*d))
        .collect();
    let first = filter
        .from
        .or_else(|| done.iter().min().copied())
        .map_or(month(today), month);
    let last = month(filter.to.unwrap_or(today)).max(first);
    let mut months = Vec::new();
    let mut m = first;
    while m <= last {
        months.push((m, 0u64));
        m = if m.1 == 12 {
            (m.0 + 1, 1)
        } else {
            (m.0, m.1 + 1)
        };
    }
    for d in done {
        if let Ok(i) = months.binary_search_by_key(&month(d), |(m, _)| *m) {
            months[i].1 += 1;
        }
    }
    let total = months.iter().map(|(_, n)| n).sum();
    Table {
        title: "workbook.visits_by_month",
        columns: vec!["workbook.month", "workbook.visits_done"],
        rows: months
            .iter()
            .map(|((y, m), n)| vec![Cell::Text(format!("{m:02}/{y}")), Cell::Count(*n)])
            .collect(),
        total: Some(vec![Cell::Label("summary.total"), Cell::Count(total)]),
        parts: Vec::new(),
        value_of: Vec::new(),
        shares: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixture::{programme, today};
    use crate::report::summaries::by_target_group_and_sex;

    #[test]
    fn the_age_bands_add_up_to_the_summary_by_group_and_sex() {
        let snap = programme();
        let bands = by_target_group_sex_and_age(&snap, today(), &Filter::default());
        let groups = by_target_group_and_sex(&snap, &Filter::default());
        let (Some(b), Some(g)) = (&bands.total, &groups.total) else {
            panic!("totals")
        };
        assert_eq!(b[2..], g[1..]);
        assert_eq!(bands.rows.len(), TargetGroup::ALL.len() * AGE_GROUPS.len());
    }

    #[test]
    fn follow_ups_split_into_on_time_late_and_overdue() {
        let table = follow_ups_by_ward(&programme(), today(), &Filter::default());
        let total = table.total.expect("total");
        let [
            Cell::Count(due),
            Cell::Count(on_time),
            Cell::Count(late),
            Cell::Count(overdue),
        ] = total[1..5]
        else {
            panic!("counts: {total:?}")
        };
        assert_eq!(due, on_time + late + overdue);
        assert_eq!(overdue, 1, "visit 33 of TC-0004");
        assert_eq!(total[5], Cell::Percent(percent(on_time, due)));
    }

    #[test]
    fn indicators_are_the_dashboards() {
        let snap = programme();
        let table = indicators(&snap, today(), &Filter::ward(Some("CT")));
        let dashboard = compute(&snap, today(), Some("CT"));
        assert_eq!(table.rows[0][1], Cell::Count(dashboard.supported.numerator));
        assert_eq!(
            table.rows[1][3],
            Cell::Percent(dashboard.visited_on_time.value())
        );
    }

    #[test]
    fn every_month_of_the_period_is_listed() {
        let filter = Filter {
            from: NaiveDate::from_ymd_opt(2025, 1, 1),
            to: NaiveDate::from_ymd_opt(2025, 6, 30),
            ..Filter::default()
        };
        let table = visits_by_month(&programme(), today(), &filter);
        assert_eq!(table.rows.len(), 6);
        assert_eq!(table.rows[0][0], Cell::Text("01/2025".into()));
        let sum: u64 = table
            .rows
            .iter()
            .map(|r| match r[1] {
                Cell::Count(n) => n,
                _ => 0,
            })
            .sum();
        assert_eq!(table.total.expect("total")[1], Cell::Count(sum));
    }
}
