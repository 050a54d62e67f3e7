//! Handover records (biên bản bàn giao): what one person received on one day under one
//! record number, gathered from the grants that carry it, ready to be printed and
//! signed. Pure: the page itself is drawn by `report::pdf`.

use crate::domain::*;
use chrono::NaiveDate;

/// One line of the record: an item handed over.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HandoverItem {
    pub item: String,
    pub unit: String,
    pub quantity: Quantity,
    pub unit_value: Dong,
    pub total: Dong,
}

/// One record, one page: who received what, from whom, where and when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HandoverRecord {
    /// The record number the grants carry ("BB-2025-640"); empty when they carry none.
    pub number: String,
    pub date: NaiveDate,
    pub ward: Ward,
    pub recipient: String,
    pub code: String,
    pub birth_year: i32,
    /// The officer who recorded the handover.
    pub officer: String,
    pub items: Vec<HandoverItem>,
    pub suppliers: Vec<String>,
    pub total: Dong,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum HandoverError {
    /// No grant (that the user can see) carries this number.
    #[error("no grant has the handover record number {0}")]
    UnknownNumber(String),
    /// One number on the grants of several people: a typing mistake to mend first.
    #[error("the handover record number {0} is on the grants of several people")]
    SharedNumber(String),
    #[error("no grant was handed over in that ward on that day")]
    NothingThatDay,
}

impl HandoverError {
    pub fn message_key(&self) -> &'static str {
        match self {
            HandoverError::UnknownNumber(_) => "handover.unknown_number",
            HandoverError::SharedNumber(_) => "handover.shared_number",
            HandoverError::NothingThatDay => "handover.nothing_that_day",
        }
    }
}

/// The record with this number (compared without case or surrounding spaces).
pub fn record(snap: &Snapshot, number: &str) -> Result<HandoverRecord, HandoverError> {
    let wanted = number.trim().to_lowercase();
    let grants: Vec<&Grant> = snap
        .grants
        .values()
        .filter(|g| !wanted.is_empty() && g.handover_record_no.trim().to_lowercase() == wanted)
        .collect();
    let Some(first) = grants.first() else {
        return Err(HandoverError::UnknownNumber(number.trim().to_string()));
    };
    if grants.iter().any(|g| g.person_id != first.person_id) {
        return Err(HandoverError::SharedNumber(number.trim().to_string()));
    }
    gather(snap, &grants).ok_or_else(|| HandoverError::UnknownNumber(number.to_string()))
}

/// Every record of a ward's handovers on one day, one per person and record number,
/// in the order of their numbers.
pub fn records_on(
    snap: &Snapshot,
    ward: &str,
    date: NaiveDate,
) -> Result<Vec<HandoverRecord>, HandoverError> {
    let mut groups: Vec<((String, Id), Vec<&Grant>)> = Vec::new();
    for g in snap.grants.values().filter(|g| g.handed_over_on == date) {
        let Some(person) = snap.people.get(&g.person_id) else {
            continue;
        };
        if person.ward != ward {
            continue;
        }
        let key = (g.handover_record_no.trim().to_string(), g.person_id);
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, grants)) => grants.push(g),
            None => groups.push((key, vec![g])),
        }
    }
    groups.sort_by(|a, b| a.0.cmp(&b.0));
    let records: Vec<HandoverRecord> = groups
        .iter()
        .filter_map(|(_, grants)| gather(snap, grants))
        .collect();
    if records.is_empty() {
        return Err(HandoverError::NothingThatDay);
    }
    Ok(records)
}

/// The record of one person's grants (all of one number); none for a person entered
/// in error, whose grants count nowhere.
fn gather(snap: &Snapshot, grants: &[&Grant]) -> Option<HandoverRecord> {
    let first = grants.first()?;
    let person = snap.people.get(&first.person_id).filter(|p| p.counts())?;
    let ward = snap
        .wards
        .get(&person.ward)
        .cloned()
        .unwrap_or_else(|| Ward {
            code: person.ward.clone(),
            name: person.ward.clone(),
            district: String::new(),
            province: String::new(),
        });
    let items: Vec<HandoverItem> = grants
        .iter()
        .map(|g| HandoverItem {
            item: g.item.clone(),
            unit: g.unit.clone(),
            quantity: g.quantity,
            unit_value: g.unit_value,
            total: g.total_value,
        })
        .collect();
    let mut suppliers: Vec<String> = grants
        .iter()
        .map(|g| g.supplier.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    suppliers.dedup();
    Some(HandoverRecord {
        number: first.handover_record_no.trim().to_string(),
        date: grants.iter().map(|g| g.handed_over_on).min()?,
        ward,
        recipient: person.full_name.clone(),
        code: person.code.clone(),
        birth_year: person.birth_year,
        officer: first.stamp.updated_by.clone(),
        total: Dong(items.iter().map(|i| i.total.0).sum()),
        items,
        suppliers,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::snapshot::tests::*;

    /// Cao Thắng; CT-0001 received two items under BB-01 and, the same day, one more
    /// under BB-02; CT-0002 received one under BB-03 on another day.
    fn handovers() -> Snapshot {
        let mut snap = Snapshot::default();
        snap.put_ward(sample_ward());
        let first = sample_person();
        let mut second = sample_person();
        second.id = Id(2);
        second.code = "CT-0002".into();
        second.full_name = "Lê Thị Mai".into();
        snap.put_person(first.clone());
        snap.put_person(second.clone());
        let grant = |id: u128, person: &Person, number: &str, total: i64| {
            let mut g = sample_grant();
            g.id = Id(id);
            g.person_id = person.id;
            g.handover_record_no = number.into();
            g.total_value = Dong(total);
            g
        };
        snap.put_grant(grant(10, &first, "BB-01", 3_000_000));
        snap.put_grant(grant(11, &first, "BB-01", 3_500_000));
        snap.put_grant(grant(12, &first, "BB-02", 800_000));
        let mut other_day = grant(13, &second, "BB-03", 1_000_000);
        other_day.handed_over_on = other_day.handed_over_on.succ_opt().expect("day");
        snap.put_grant(other_day);
        snap
    }

    #[test]
    fn a_record_gathers_the_grants_of_its_number_and_adds_them_up() {
        let snap = handovers();
        let r = record(&snap, " bb-01 ").expect("record");
        assert_eq!(r.number, "BB-01");
        assert_eq!(r.code, "CT-0001");
        assert_eq!(r.items.len(), 2);
        assert_eq!(r.total, Dong(6_500_000));
        assert_eq!(r.ward.name, sample_ward().name);
    }

    #[test]
    fn an_unknown_or_shared_number_is_said_as_such() {
        let mut snap = handovers();
        assert_eq!(
            record(&snap, "BB-99"),
            Err(HandoverError::UnknownNumber("BB-99".into()))
        );
        let mut typo = sample_grant();
        typo.id = Id(14);
        typo.person_id = Id(2);
        typo.handover_record_no = "BB-01".into();
        snap.put_grant(typo);
        assert_eq!(
            record(&snap, "BB-01"),
            Err(HandoverError::SharedNumber("BB-01".into()))
        );
    }

    #[test]
    fn a_day_of_handovers_in_a_ward_gives_one_record_per_person_and_number() {
        let snap = handovers();
        let day = sample_grant().handed_over_on;
        let records = records_on(&snap, "CT", day).expect("records");
        let numbers: Vec<&str> = records.iter().map(|r| r.number.as_str()).collect();
        assert_eq!(numbers, ["BB-01", "BB-02"]);
        assert_eq!(
            records_on(&snap, "TC", day),
            Err(HandoverError::NothingThatDay)
        );
    }
}
