//! A grant in kind: equipment, livestock, seed capital, a health-insurance card...
//! handed over on a date with a handover record (biên bản bàn giao).

use super::dates::{serde_day, serde_opt_day};
use super::validation::Problems;
use super::{Dong, GrantKind, Id, Lookup, Problem, Quantity, Stamp};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    pub id: Id,
    pub person_id: Id,
    /// Health insurance and study equipment usually come without a plan.
    pub plan_id: Option<Id>,
    pub kind: GrantKind,
    pub item: String,
    /// Thousandths, so that "1,5 tạ" of feed is exact.
    pub quantity: Quantity,
    /// "con" (head), "chiếc", "bộ", "thẻ"...
    pub unit: String,
    pub unit_value: Dong,
    /// Quantity x unit value unless the handover record gives another total.
    pub total_value: Dong,
    #[serde(with = "serde_day")]
    pub handed_over_on: NaiveDate,
    pub handover_record_no: String,
    pub supplier: String,
    /// A health-insurance card (thẻ bảo hiểm y tế): its number and the year it covers.
    pub card: Option<InsuranceCard>,
    pub stamp: Stamp,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InsuranceCard {
    pub number: String,
    #[serde(with = "serde_opt_day")]
    pub valid_from: Option<NaiveDate>,
    #[serde(with = "serde_opt_day")]
    pub valid_until: Option<NaiveDate>,
}

pub const EARLIEST_HANDOVER_YEAR: i32 = 2000;

impl Grant {
    /// Quantity x unit value (to the nearest đồng), or None when that overflows.
    pub fn computed_total(quantity: Quantity, unit_value: Dong) -> Option<Dong> {
        quantity.times(unit_value)
    }

    pub fn is_livestock(&self) -> bool {
        self.kind == GrantKind::Livestock
    }

    pub fn validate(&self, today: NaiveDate, lookup: &dyn Lookup) -> Vec<Problem> {
        let mut p = Problems::default();
        p.one_line(&[
            ("item", &self.item),
            ("unit", &self.unit),
            ("handover_record_no", &self.handover_record_no),
            ("supplier", &self.supplier),
        ]);
        p.check(
            lookup.person(self.person_id).is_some(),
            "person",
            "err.unknown_person",
        );
        if let Some(plan_id) = self.plan_id {
            match lookup.plan(plan_id) {
                None => p.check(false, "plan", "err.unknown_plan"),
                Some(plan) => p.check(
                    plan.person_id == self.person_id,
                    "plan",
                    "err.plan_other_person",
                ),
            }
        }
        p.check(!self.item.is_empty(), "item", "err.required");
        p.check(
            !self.quantity.is_zero(),
            "quantity",
            "err.quantity_positive",
        );
        if self.kind == GrantKind::HealthInsurance {
            let card = self.card.as_ref();
            p.check(
                card.is_some_and(|c| !c.number.is_empty()),
                "card_number",
                "err.required",
            );
            p.check(
                card.and_then(|c| c.valid_until).is_some(),
                "card_valid_until",
                "err.required",
            );
            if let Some(InsuranceCard {
                valid_from: Some(from),
                valid_until: Some(until),
                ..
            }) = card
            {
                p.check(from < until, "card_valid_until", "err.until_before_from");
            }
        }
        p.check(!self.unit.is_empty(), "unit", "err.required");
        p.check(self.unit_value.0 >= 0, "unit_value", "err.negative_amount");
        p.check(
            Grant::computed_total(self.quantity, self.unit_value).is_some(),
            "unit_value",
            "err.money_too_large",
        );
        p.check(
            self.total_value.0 >= 0,
            "total_value",
            "err.negative_amount",
        );
        p.check(
            self.handed_over_on <= today,
            "handed_over_on",
            "err.date_in_future",
        );
        p.check(
            self.handed_over_on
                >= NaiveDate::from_ymd_opt(EARLIEST_HANDOVER_YEAR, 1, 1).unwrap_or(NaiveDate::MIN),
            "handed_over_on",
            "err.date_too_early",
        );
        p.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::snapshot::tests::{day, sample_grant, sample_snapshot};

    #[test]
    fn a_health_insurance_card_needs_its_number_and_its_end_date() {
        let mut grant = sample_grant();
        grant.plan_id = None;
        grant.kind = GrantKind::HealthInsurance;
        let fields = |g: &Grant| -> Vec<&str> {
            g.validate(day(2025, 6, 1), &sample_snapshot())
                .iter()
                .map(|p| p.field)
                .collect()
        };
        assert_eq!(fields(&grant), vec!["card_number", "card_valid_until"]);
        grant.card = Some(InsuranceCard {
            number: "HN4010123456789".into(),
            valid_from: Some(day(2025, 6, 1)),
            valid_until: Some(day(2025, 5, 31)),
        });
        assert_eq!(fields(&grant), vec!["card_valid_until"]);
        if let Some(card) = grant.card.as_mut() {
            card.valid_until = Some(day(2026, 5, 31));
        }
        assert_eq!(fields(&grant), Vec::<&str>::new());
    }

    #[test]
    fn a_valid_grant_has_no_problems() {
        assert_eq!(
            sample_grant().validate(day(2025, 6, 1), &sample_snapshot()),
            vec![]
        );
    }

    #[test]
    fn a_handover_in_the_future_is_refused() {
        let mut grant = sample_grant();
        grant.handed_over_on = day(2025, 6, 2);
        assert_eq!(
            grant.validate(day(2025, 6, 1), &sample_snapshot()),
            vec![Problem::new("handed_over_on", "err.date_in_future")]
        );
    }

    #[test]
    fn a_grant_needs_a_quantity_an_item_a_unit_and_a_known_person() {
        let mut grant = sample_grant();
        grant.person_id = Id(12345);
        grant.item.clear();
        grant.quantity = Quantity(0);
        grant.unit.clear();
        let fields: Vec<_> = grant
            .validate(day(2025, 6, 1), &sample_snapshot())
            .iter()
            .map(|p| p.field)
            .collect();
        // The plan belongs to the real person, so it is flagged too.
        assert_eq!(fields, vec!["person", "plan", "item", "quantity", "unit"]);
    }

    #[test]
    fn the_total_is_quantity_times_unit_value_and_overflow_is_caught() {
        assert_eq!(
            Grant::computed_total(Quantity::whole(50), Dong(80_000)),
            Some(Dong(4_000_000))
        );
        assert_eq!(
            Grant::computed_total(Quantity::whole(u32::MAX as u64), Dong(i64::MAX / 2)),
            None
        );
        let mut grant = sample_grant();
        grant.quantity = Quantity::whole(u32::MAX as u64);
        grant.unit_value = Dong(i64::MAX / 2);
        assert_eq!(
            grant.validate(day(2025, 6, 1), &sample_snapshot()),
            vec![Problem::new("unit_value", "err.money_too_large")]
        );
    }
}
