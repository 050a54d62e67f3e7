//! The de-identified view of the programme that a supervisor publishes to the province
//! hub for the province and the ministry: codes, wards, sex, an age band instead of the
//! birth year, target groups, grants, follow-ups and referrals as closed-list codes,
//! dates and figures, and the summaries. Never a name, a phone, an address, an item
//! described in words or a note: only what this module puts in a row leaves, and no
//! row has a place for free text.
//!
//! With the small-count rule (`suppress_below`) only the summaries are published, with
//! small counts withheld as in the exports: a list of people would let anyone count
//! them again.

use super::Filter;
use super::dashboard::{AGE_GROUPS, age_group};
use super::donor_summaries::{
    by_target_group_sex_and_age, follow_ups_by_ward, indicators, visits_by_month,
};
use super::summaries::Summary;
use super::table::{Cell, Table};
use crate::domain::*;
use chrono::NaiveDate;

#[derive(Clone, Debug, PartialEq)]
pub struct PersonRow {
    pub code: String,
    pub ward: String,
    pub sex: &'static str,
    /// The age on the day of publishing, as a band (`18_35`).
    pub age_band: &'static str,
    /// Target groups' codes, comma-separated, the primary first.
    pub target_groups: String,
    pub status: &'static str,
    pub enrolled_on: NaiveDate,
}

#[derive(Clone, Debug, PartialEq)]
pub struct GrantRow {
    /// The code of the person who received it.
    pub code: String,
    pub ward: String,
    pub kind: &'static str,
    /// Đồng.
    pub value: i64,
    pub handed_over_on: NaiveDate,
}

#[derive(Clone, Debug, PartialEq)]
pub struct VisitRow {
    pub code: String,
    pub ward: String,
    pub kind: &'static str,
    pub due_on: NaiveDate,
    pub done_on: Option<NaiveDate>,
    pub status: &'static str,
    /// The visit's measured outcomes, when it recorded them.
    pub business_operating: Option<bool>,
    pub animals_alive: Option<i64>,
    pub monthly_income: Option<i64>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ReferralRow {
    pub code: String,
    pub ward: String,
    pub service: &'static str,
    pub status: &'static str,
    pub made_on: NaiveDate,
}

/// One figure of a summary: which table, which row (its labels), which column.
#[derive(Clone, Debug, PartialEq)]
pub struct SummaryRow {
    /// The summary's key (`workbook.by_group_sex_age`), and the row's place in it.
    pub summary: &'static str,
    pub row: i32,
    /// The row's labels in Vietnamese, joined by " · " (a ward, a group and a band).
    pub label: String,
    /// The column's key (`summary.female`).
    pub measure: &'static str,
    /// `count`, `dong` or `percent`.
    pub unit: &'static str,
    /// The figure; None when withheld by the small-count rule.
    pub value: Option<f64>,
    /// What an export shows instead: `<11` or `x`; empty when the figure is shown.
    pub withheld: String,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Analytics {
    pub people: Vec<PersonRow>,
    pub grants: Vec<GrantRow>,
    pub visits: Vec<VisitRow>,
    pub referrals: Vec<ReferralRow>,
    pub summary: Vec<SummaryRow>,
    pub suppress_below: Option<u64>,
}

/// The band's code: the i18n key without its prefix.
fn band(age: i32) -> &'static str {
    let key = AGE_GROUPS[age_group(age)].0;
    key.strip_prefix("age.").unwrap_or(key)
}

/// The view of every ward in `snap` on `today`; with `suppress_below`, the summaries
/// alone, small counts withheld.
pub fn build(snap: &Snapshot, today: NaiveDate, suppress_below: Option<u64>) -> Analytics {
    let filter = Filter::default();
    let mut out = Analytics {
        summary: summaries(snap, today, &filter, suppress_below),
        suppress_below,
        ..Analytics::default()
    };
    if suppress_below.is_some() {
        return out;
    }
    let owner = |id: &Id| snap.people.get(id).filter(|p| p.counts());
    for p in snap.people.values().filter(|p| filter.person(p)) {
        let mut groups: Vec<&str> = p.primary_group().map(|g| g.code()).into_iter().collect();
        for g in &p.target_groups {
            if !groups.contains(&g.code()) {
                groups.push(g.code());
            }
        }
        out.people.push(PersonRow {
            code: p.code.clone(),
            ward: p.ward.clone(),
            sex: p.sex.code(),
            age_band: band(p.age_on(today)),
            target_groups: groups.join(","),
            status: p.status.code(),
            enrolled_on: p.enrolled_on,
        });
    }
    for g in snap.grants.values() {
        let Some(p) = owner(&g.person_id) else {
            continue;
        };
        out.grants.push(GrantRow {
            code: p.code.clone(),
            ward: p.ward.clone(),
            kind: g.kind.code(),
            value: g.total_value.0,
            handed_over_on: g.handed_over_on,
        });
    }
    for m in snap.milestones.values() {
        let Some(p) = owner(&m.person_id) else {
            continue;
        };
        out.visits.push(VisitRow {
            code: p.code.clone(),
            ward: p.ward.clone(),
            kind: m.kind.code(),
            due_on: m.due_on,
            done_on: m.done_on,
            status: m.status.code(),
            business_operating: m.visit.business_operating,
            animals_alive: m.visit.animals_alive.map(i64::from),
            monthly_income: m.visit.monthly_income.map(|d| d.0),
        });
    }
    for r in snap.referrals.values() {
        let Some(p) = owner(&r.person_id) else {
            continue;
        };
        out.referrals.push(ReferralRow {
            code: p.code.clone(),
            ward: p.ward.clone(),
            service: r.service.code(),
            status: r.status.code(),
            made_on: r.made_on,
        });
    }
    // The order of the database, not of its hash maps: two publishes of the same data
    // write the same rows.
    out.people
        .sort_by(|a, b| (&a.ward, &a.code).cmp(&(&b.ward, &b.code)));
    out.grants.sort_by(|a, b| {
        (&a.code, a.handed_over_on, a.kind).cmp(&(&b.code, b.handed_over_on, b.kind))
    });
    out.visits
        .sort_by(|a, b| (&a.code, a.due_on, a.kind).cmp(&(&b.code, b.due_on, b.kind)));
    out.referrals
        .sort_by(|a, b| (&a.code, a.made_on, a.service).cmp(&(&b.code, b.made_on, b.service)));
    out
}

/// The summaries of the donor workbook, figure by figure; the overdue list is left out
/// (it lists people by code, and the visits already say it).
fn summaries(
    snap: &Snapshot,
    today: NaiveDate,
    filter: &Filter,
    suppress_below: Option<u64>,
) -> Vec<SummaryRow> {
    let mut tables = vec![
        Summary::ByWard.table(snap, today, filter),
        Summary::ByGrantKind.table(snap, today, filter),
        by_target_group_sex_and_age(snap, today, filter),
        follow_ups_by_ward(snap, today, filter),
        indicators(snap, today, filter),
        visits_by_month(snap, today, filter),
    ];
    let mut rows = Vec::new();
    for table in &mut tables {
        if let Some(k) = suppress_below {
            table.suppress_below(k);
        }
        flatten(table, &mut rows);
    }
    rows
}

fn flatten(table: &Table, out: &mut Vec<SummaryRow>) {
    let lang = crate::i18n::Lang::Vi;
    for (n, row) in table.rows.iter().chain(table.total.iter()).enumerate() {
        let mut labels = Vec::new();
        for (cell, measure) in row.iter().zip(&table.columns) {
            let (unit, value, withheld) = match cell {
                Cell::Text(text) => {
                    labels.push(text.clone());
                    continue;
                }
                Cell::Label(key) => {
                    labels.push(crate::i18n::t(lang, key).to_string());
                    continue;
                }
                Cell::Date(day) => {
                    labels.push(day.to_string());
                    continue;
                }
                Cell::Count(c) => ("count", Some(*c as f64), String::new()),
                Cell::Money(d) => ("dong", Some(d.0 as f64), String::new()),
                Cell::Percent(p) => ("percent", *p, String::new()),
                Cell::Suppressed(k) => ("count", None, format!("<{k}")),
                // A withheld figure's unit is its column's; "" says it is not known.
                Cell::Withheld => ("", None, "x".to_string()),
            };
            out.push(SummaryRow {
                summary: table.title,
                row: n as i32,
                label: String::new(),
                measure,
                unit,
                value,
                withheld,
            });
        }
        let label = labels.join(" · ");
        for figure in out
            .iter_mut()
            .rev()
            .take_while(|f| f.row == n as i32 && f.summary == table.title)
        {
            figure.label = label.clone();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixture::{programme, today};

    #[test]
    fn every_record_of_a_person_who_counts_is_published_by_code_and_nothing_else() {
        let snap = programme();
        let view = build(&snap, today(), None);
        let counted = snap.people.values().filter(|p| p.counts()).count();
        assert_eq!(view.people.len(), counted);
        assert!(!view.grants.is_empty() && !view.visits.is_empty());
        let names: Vec<&str> = snap.people.values().map(|p| p.full_name.as_str()).collect();
        let text = format!("{view:?}");
        for name in names {
            assert!(!text.contains(name), "{name} is published");
        }
        for p in snap.people.values() {
            for private in [&p.phone, &p.address, &p.household_note] {
                assert!(private.is_empty() || !text.contains(private.as_str()));
            }
        }
    }

    #[test]
    fn with_the_small_count_rule_only_withheld_summaries_are_published() {
        let snap = programme();
        let view = build(&snap, today(), Some(11));
        assert!(view.people.is_empty() && view.grants.is_empty() && view.visits.is_empty());
        assert!(view.referrals.is_empty());
        let small = view
            .summary
            .iter()
            .filter(|f| f.unit == "count")
            .find(|f| f.value.is_some_and(|v| v > 0.0 && v < 11.0));
        assert_eq!(small, None, "no small count is shown");
        assert!(view.summary.iter().any(|f| f.withheld.starts_with('<')));
    }
}
