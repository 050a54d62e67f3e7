//! A record's fields as a person reads them, found by the field's name in the record
//! (the names the conflict view gets from the store): dates as dd/mm/yyyy, money in
//! đồng, list values in words. A field holding a struct (a consent, a visit, an
//! insurance card) gives one row per part, so a person sees which part differs.

use crate::domain::dates::format_date;
use crate::domain::*;
use crate::i18n::{Lang, t};
use crate::store::Change;
use chrono::NaiveDate;

/// One line of a record as shown: what it is, and its value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub label: &'static str,
    pub value: String,
}

/// The rows of `field` in `record`; empty for a field with nothing to show a person
/// (the save stamp).
pub fn rows(record: &Change, field: &str, lang: Lang) -> Vec<Row> {
    let mut out = Rows { lang, rows: vec![] };
    match record {
        Change::Ward(w) => ward(&mut out, w, field),
        Change::Person(p) => person(&mut out, p, field),
        Change::Plan(p) => plan(&mut out, p, field),
        Change::Grant(g) => grant(&mut out, g, field),
        Change::Milestone(m) => milestone(&mut out, m, field),
        Change::Referral(r) => referral(&mut out, r, field),
    }
    out.rows
}

/// One line of a comparison of versions: a field (or part of one) and its value before
/// the versions parted, in each version, and in the merged proposal if there is one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Compared {
    pub label: &'static str,
    pub field: &'static str,
    pub before: String,
    pub heads: Vec<String>,
    pub merged: Option<String>,
}

/// Every line where the versions differ from each other or from `before`: the fields
/// they changed and no others, part by part.
pub fn compare(
    before: Option<&Change>,
    heads: &[&Change],
    merged: Option<&Change>,
    lang: Lang,
) -> Vec<Compared> {
    let Some(first) = heads.first() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for field in crate::store::field_names(first) {
        let of_heads: Vec<Vec<Row>> = heads.iter().map(|h| rows(h, field, lang)).collect();
        let of_before = before.map(|b| rows(b, field, lang));
        let of_merged = merged.map(|m| rows(m, field, lang));
        for (i, row) in of_heads[0].iter().enumerate() {
            let value = |rows: &Vec<Row>| rows.get(i).map(|r| r.value.clone()).unwrap_or_default();
            let now: Vec<String> = of_heads.iter().map(value).collect();
            let was = of_before.as_ref().map(value).unwrap_or_default();
            if now.iter().all(|v| *v == was) {
                continue; // a part of the field no version changed
            }
            out.push(Compared {
                label: row.label,
                field,
                before: was,
                heads: now,
                merged: of_merged.as_ref().map(value),
            });
        }
    }
    out
}

struct Rows {
    lang: Lang,
    rows: Vec<Row>,
}

impl Rows {
    fn text(&mut self, label: &'static str, value: &str) {
        self.rows.push(Row {
            label,
            value: value.to_string(),
        });
    }

    fn word(&mut self, label: &'static str, key: &str) {
        let value = t(self.lang, key);
        self.text(label, value);
    }

    fn shown(&mut self, label: &'static str, value: impl std::fmt::Display) {
        self.text(label, &value.to_string());
    }

    fn date(&mut self, label: &'static str, value: NaiveDate) {
        self.text(label, &format_date(value));
    }

    fn opt_date(&mut self, label: &'static str, value: Option<NaiveDate>) {
        self.text(label, &value.map(format_date).unwrap_or_default());
    }

    fn yes_no(&mut self, label: &'static str, value: bool) {
        self.word(label, if value { "form.yes" } else { "form.no" });
    }

    fn opt<T>(&mut self, label: &'static str, value: Option<T>, show: impl Fn(T) -> String) {
        self.text(label, &value.map(show).unwrap_or_default());
    }

    /// A link to another record, by its id (two heads rarely differ here).
    fn link(&mut self, label: &'static str, id: Option<Id>) {
        self.opt(label, id, |id| id.to_string());
    }
}

fn ward(out: &mut Rows, w: &Ward, field: &str) {
    match field {
        "code" => out.text("field.ward_code", &w.code),
        "name" => out.text("field.ward_name", &w.name),
        "district" => out.text("field.district", &w.district),
        "province" => out.text("field.province", &w.province),
        _ => {}
    }
}

fn person(out: &mut Rows, p: &Person, field: &str) {
    let lang = out.lang;
    match field {
        "id" => out.link("field.record_id", Some(p.id)),
        "code" => out.text("col.code", &p.code),
        "full_name" => out.text("field.full_name", &p.full_name),
        "sex" => out.word("field.sex", p.sex.key()),
        "birth_year" => out.shown("field.birth_year", p.birth_year),
        "ward" => out.text("field.ward", &p.ward),
        "address" => out.text("field.address", &p.address),
        "phone" => out.text("field.phone", &p.phone),
        "target_groups" => {
            let words: Vec<&str> = p.target_groups.iter().map(|g| t(lang, g.key())).collect();
            out.text("field.target", &words.join(", "));
        }
        "household_note" => out.text("field.household_note", &p.household_note),
        "consent" => {
            let c = p.consent.as_ref();
            out.yes_no("field.consent", c.is_some());
            out.opt_date("field.consent_given_on", c.map(|c| c.given_on));
            out.opt_date("field.consent_valid_until", c.and_then(|c| c.valid_until));
            let answer = |f: fn(&Consent) -> bool| {
                c.map(|c| t(lang, if f(c) { "form.yes" } else { "form.no" }))
                    .unwrap_or_default()
            };
            out.text("field.consent_services", answer(|c| c.services));
            out.text("field.consent_referrals", answer(|c| c.referrals));
            out.text("field.consent_sharing", answer(|c| c.sharing));
        }
        "enrolled_on" => out.date("field.enrolled_on", p.enrolled_on),
        "status" => out.word("field.status", p.status.key()),
        "collaborator" => out.text("field.collaborator", &p.collaborator),
        "entered_in_error" => out.yes_no("field.entered_in_error", p.entered_in_error),
        _ => {}
    }
}

fn plan(out: &mut Rows, p: &LivelihoodPlan, field: &str) {
    match field {
        "id" => out.link("field.record_id", Some(p.id)),
        "person_id" => out.link("field.person_id", Some(p.person_id)),
        "business_line" => out.word("field.business_line", p.business_line.key()),
        "business_detail" => out.text("field.business_detail", &p.business_detail),
        "goal" => out.text("field.goal", &p.goal),
        "budget" => out.shown("field.budget", p.budget),
        "counselling_sessions" => out.shown("field.counselling_sessions", p.counselling_sessions),
        "status" => out.word("field.status", p.status.key()),
        "approved_by" => out.text("field.approved_by", &p.approved_by),
        "approved_on" => out.opt_date("field.approved_on", p.approved_on),
        "created_on" => out.date("field.created_on", p.created_on),
        _ => {}
    }
}

fn grant(out: &mut Rows, g: &Grant, field: &str) {
    match field {
        "id" => out.link("field.record_id", Some(g.id)),
        "person_id" => out.link("field.person_id", Some(g.person_id)),
        "plan_id" => out.link("field.plan", g.plan_id),
        "kind" => out.word("field.kind", g.kind.key()),
        "item" => out.text("field.item", &g.item),
        "quantity" => out.shown("field.quantity", g.quantity),
        "unit" => out.text("field.unit", &g.unit),
        "unit_value" => out.shown("field.unit_value", g.unit_value),
        "total_value" => out.shown("field.total", g.total_value),
        "handed_over_on" => out.date("field.handed_over_on", g.handed_over_on),
        "handover_record_no" => out.text("field.handover_record_no", &g.handover_record_no),
        "supplier" => out.text("field.supplier", &g.supplier),
        "card" => {
            let c = g.card.as_ref();
            out.text("field.card_number", c.map_or("", |c| &c.number));
            out.opt_date("field.card_valid_from", c.and_then(|c| c.valid_from));
            out.opt_date("field.card_valid_until", c.and_then(|c| c.valid_until));
        }
        _ => {}
    }
}

fn milestone(out: &mut Rows, m: &Milestone, field: &str) {
    let lang = out.lang;
    match field {
        "id" => out.link("field.record_id", Some(m.id)),
        "person_id" => out.link("field.person_id", Some(m.person_id)),
        "grant_id" => out.link("field.grant", m.grant_id),
        "plan_id" => out.link("field.plan", m.plan_id),
        "due_on" => out.date("field.due_on", m.due_on),
        "kind" => out.word("field.kind", m.kind.key()),
        "months_after" => out.opt("field.months_after", m.months_after, |n| n.to_string()),
        "assigned_to" => out.text("field.assigned_to", &m.assigned_to),
        "status" => out.word("field.visit_status", m.status.key()),
        "done_on" => out.opt_date("field.done_on", m.done_on),
        "visit" => {
            let v = &m.visit;
            let yes_no = |b: bool| t(lang, if b { "form.yes" } else { "form.no" }).to_string();
            out.text("field.done_by", &v.done_by);
            out.opt("field.business_operating", v.business_operating, yes_no);
            out.opt("field.animals_alive", v.animals_alive, |n| n.to_string());
            out.opt("field.monthly_income", v.monthly_income, |d| d.to_string());
            out.text("field.notes", &v.notes);
            let service = |s: Service| t(lang, s.key()).to_string();
            out.opt("field.referral_needed", v.referral_needed, service);
            out.text("field.reason", &v.reason);
        }
        _ => {}
    }
}

fn referral(out: &mut Rows, r: &Referral, field: &str) {
    match field {
        "id" => out.link("field.record_id", Some(r.id)),
        "person_id" => out.link("field.person_id", Some(r.person_id)),
        "milestone_id" => out.link("field.milestone", r.milestone_id),
        "service" => out.word("field.service", r.service.key()),
        "to_whom" => out.text("field.to_whom", &r.to_whom),
        "made_on" => out.date("field.made_on", r.made_on),
        "status" => out.word("field.status", r.status.key()),
        "outcome" => out.text("field.outcome", &r.outcome),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::snapshot::tests::*;

    /// Every field a record has, but the stamp, shows as at least one row with a label
    /// in both languages: a field added later cannot vanish from the conflict view.
    #[test]
    fn every_field_of_every_record_kind_has_rows_with_words() {
        let records = [
            Change::Ward(sample_ward()),
            Change::Person(sample_person()),
            Change::Plan(sample_plan()),
            Change::Grant(sample_grant()),
            Change::Milestone(sample_milestone()),
            Change::Referral(sample_referral()),
        ];
        for record in &records {
            for field in crate::store::field_names(record) {
                if field == "stamp" {
                    continue;
                }
                let shown = rows(record, field, Lang::Vi);
                assert!(!shown.is_empty(), "{field} of {record:?} shows nothing");
                for row in shown {
                    assert!(crate::i18n::has(row.label), "no words for {}", row.label);
                }
            }
        }
    }

    #[test]
    fn values_read_as_a_person_writes_them() {
        let mut grant = sample_grant();
        grant.handed_over_on = day(2026, 3, 5);
        grant.total_value = Dong(6_500_000);
        let record = Change::Grant(grant);
        assert_eq!(
            rows(&record, "handed_over_on", Lang::Vi)[0].value,
            "05/03/2026"
        );
        assert_eq!(
            rows(&record, "total_value", Lang::Vi)[0].value,
            "6.500.000 ₫"
        );
        let mut person = sample_person();
        person.sex = Sex::Female;
        assert_eq!(
            rows(&Change::Person(person), "sex", Lang::Vi)[0].value,
            "Nữ"
        );
    }
}
