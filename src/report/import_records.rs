//! Reading a ward's existing plans, grants and visits from a sheet (CSV or workbook):
//! each row names its person by code, or by name, birth year and ward; amounts as
//! numbers or as text ("6.500.000", "6,5 triệu"), dates as text or Excel dates. As with
//! people, every row is checked before anything is written, and a row that looks like
//! a record already here is skipped and listed.

use super::import::{
    Duplicate, DuplicateOf, Encoding, ImportError, Row, RowProblem, choose, filled_rows,
    map_fields, without_ward_prefix, yes_no,
};
use super::rows::{HeaderRules, SheetRows, read_rows};
use crate::domain::*;
use crate::text;
use chrono::NaiveDate;
use std::collections::HashSet;

/// What can be imported besides people.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordKind {
    Plans,
    Grants,
    Visits,
}

/// The records a sheet would add, each with its row; nothing is written here.
#[derive(Debug)]
pub struct RecordsPlan<T> {
    pub records: Vec<(usize, T)>,
    pub duplicates: Vec<Duplicate>,
    pub problems: Vec<RowProblem>,
    /// Rows left out because they are not what is imported: a visit still planned,
    /// missed or cancelled (a follow-ups sheet lists those too).
    pub left_out: usize,
    pub sheet: Option<String>,
    pub encoding: Option<Encoding>,
}

impl<T> Default for RecordsPlan<T> {
    fn default() -> Self {
        RecordsPlan {
            records: Vec::new(),
            duplicates: Vec::new(),
            problems: Vec::new(),
            left_out: 0,
            sheet: None,
            encoding: None,
        }
    }
}

type Fields = [(&'static str, &'static [&'static str])];

/// How a row names its person: any of these columns.
const PERSON_FIELDS: [(&str, &[&str]); 4] = [
    ("code", &["col.code", "csv.code_with_names"]),
    ("full_name", &["field.full_name", "col.name"]),
    ("birth_year", &["field.birth_year", "col.birth_year"]),
    ("ward", &["field.ward", "col.ward"]),
];

const GRANT_FIELDS: [(&str, &[&str]); 11] = [
    ("kind", &["field.kind"]),
    ("item", &["field.item"]),
    ("quantity", &["field.quantity"]),
    ("unit", &["field.unit"]),
    ("unit_value", &["field.unit_value", "csv.unit_value_vnd"]),
    ("total_value", &["field.total_value", "csv.total_value_vnd"]),
    (
        "handed_over_on",
        &["field.handed_over_on", "col.handed_over_on"],
    ),
    ("handover_record_no", &["field.handover_record_no"]),
    ("supplier", &["field.supplier"]),
    ("card_number", &["field.card_number"]),
    ("card_valid_until", &["field.card_valid_until"]),
];

const VISIT_FIELDS: [(&str, &[&str]); 9] = [
    ("status", &["field.status"]),
    ("grant", &["field.grant"]),
    ("handover_record_no", &["field.handover_record_no"]),
    ("done_on", &["field.done_on"]),
    ("done_by", &["field.done_by"]),
    ("business_operating", &["field.business_operating"]),
    ("animals_alive", &["field.animals_alive"]),
    (
        "monthly_income",
        &["field.monthly_income", "csv.monthly_income_vnd"],
    ),
    ("notes", &["field.notes"]),
];

const PLAN_FIELDS: [(&str, &[&str]); 7] = [
    ("business_line", &["field.business_line"]),
    ("business_detail", &["field.business_detail"]),
    ("goal", &["field.goal"]),
    ("budget", &["field.budget", "csv.budget_vnd"]),
    ("counselling_sessions", &["field.counselling_sessions"]),
    ("created_on", &["field.created_on"]),
    ("approved_on", &["col.approved_on"]),
];

/// Headers that hand-made sheets use besides our own labels.
fn other_names(field: &str) -> &'static [&'static str] {
    match field {
        "code" => &["Mã số", "Mã đối tượng"],
        "full_name" => &["Tên", "Người nhận", "Recipient"],
        "birth_year" => &["Year of birth", "Năm"],
        "ward" => &["Phường", "Xã", "Xã/phường", "Commune"],
        "item" => &["Tên vật phẩm", "Hàng hóa", "Nội dung hỗ trợ"],
        "kind" => &["Loại hỗ trợ", "Hình thức hỗ trợ"],
        "quantity" => &["SL", "Qty"],
        "unit" => &["ĐVT", "Đơn vị"],
        "unit_value" => &["Đơn giá"],
        "total_value" => &["Thành tiền", "Tổng tiền", "Số tiền", "Total", "Amount"],
        "handed_over_on" => &["Ngày giao", "Ngày nhận", "Ngày bàn giao"],
        "handover_record_no" => &["Số biên bản", "Số BB"],
        "done_on" => &["Ngày thăm", "Visit date", "Visited on"],
        "done_by" => &["Người thăm", "Visited by"],
        "notes" => &["Ghi chú", "Kết quả"],
        "budget" => &["Kinh phí", "Budget"],
        "business_line" => &["Ngành nghề", "Mô hình"],
        _ => &[],
    }
}

fn fields_of(kind: RecordKind) -> Vec<(&'static str, &'static [&'static str])> {
    let own: &Fields = match kind {
        RecordKind::Plans => &PLAN_FIELDS,
        RecordKind::Grants => &GRANT_FIELDS,
        RecordKind::Visits => &VISIT_FIELDS,
    };
    PERSON_FIELDS.iter().chain(own).copied().collect()
}

fn required(kind: RecordKind) -> &'static [&'static str] {
    match kind {
        RecordKind::Plans => &["business_line", "goal"],
        RecordKind::Grants => &["item", "handed_over_on"],
        RecordKind::Visits => &["done_on"],
    }
}

/// A sheet's rows, the field of each of its columns, and the plan begun: with the
/// columns that are missing, if any.
type Table<T> = (SheetRows, Vec<Option<&'static str>>, RecordsPlan<T>);

/// The rows of the sheet with their fields, or a plan that says which columns are missing.
fn read_table<T>(
    kind: RecordKind,
    bytes: &[u8],
    encoding: Option<Encoding>,
    sheet: Option<&str>,
) -> Result<Table<T>, ImportError> {
    let fields = fields_of(kind);
    let map = |header: &csv::StringRecord| map_fields(&fields, other_names, header);
    let multi_line: &[&str] = &["goal", "notes"];
    let table = read_rows(
        bytes,
        encoding,
        sheet,
        &HeaderRules {
            map: &map,
            multi_line,
        },
    )?;
    let columns = map(&table.header);
    let mut plan = RecordsPlan {
        sheet: table.sheet.clone(),
        encoding: table.encoding,
        ..RecordsPlan::default()
    };
    let names_person = columns.contains(&Some("code"))
        || ["full_name", "birth_year", "ward"]
            .iter()
            .all(|f| columns.contains(&Some(f)));
    let missing = required(kind)
        .iter()
        .copied()
        .filter(|f| !columns.contains(&Some(f)))
        .chain((!names_person).then_some("code"));
    plan.problems.extend(missing.map(|field| RowProblem {
        line: table.header_line,
        field,
        key: "import.missing_column",
    }));
    plan.problems
        .extend(table.unreadable.iter().map(|&line| RowProblem {
            line,
            field: "row",
            key: "import.bad_row",
        }));
    Ok((table, columns, plan))
}

/// The person a row names: by code, or by name (accents aside), birth year and ward.
/// Someone entered in error is no one to attach records to.
fn person_of<'s>(row: &mut Row, snap: &'s Snapshot, user: &User) -> Option<&'s Person> {
    let code = row.get("code");
    let person = if !code.is_empty() {
        let found = snap.person_by_code(code).filter(|p| p.counts());
        if found.is_none() {
            row.problem("code", "import.unknown_person");
        }
        found
    } else {
        let name = text::fold(row.get("full_name"));
        let born = row.get("birth_year").parse::<i32>().ok();
        let ward_text = row.get("ward");
        let ward = snap.wards.values().find(|w| {
            w.code.eq_ignore_ascii_case(ward_text)
                || text::fold(&w.name) == text::fold(without_ward_prefix(ward_text))
        });
        let matches: Vec<&Person> = snap
            .people
            .values()
            .filter(|p| p.counts())
            .filter(|p| {
                let (n, b, w) = p.duplicate_key();
                n == name && Some(b) == born && ward.is_some_and(|x| x.code == w)
            })
            .collect();
        the_one(
            row,
            "full_name",
            matches,
            "import.unknown_person",
            "import.ambiguous_person",
        )
    };
    let person = person?;
    if !user.covers_ward(&person.ward) {
        row.problem("ward", "import.outside_your_ward");
        return None;
    }
    Some(person)
}

fn money(row: &mut Row, field: &'static str) -> Option<Dong> {
    let text = row.get(field);
    if text.is_empty() {
        return None;
    }
    let value = Dong::parse(text).ok();
    if value.is_none() {
        row.problem(field, "err.money_format");
    }
    value
}

fn whole_number<N: std::str::FromStr>(row: &mut Row, field: &'static str) -> Option<N> {
    let text = row.get(field);
    if text.is_empty() {
        return None;
    }
    let value = text.parse::<N>().ok();
    if value.is_none() {
        row.problem(field, "err.number_format");
    }
    value
}

/// Keeps the problems the domain finds that the row did not already name.
fn validated(row: &mut Row, problems: Vec<Problem>) {
    for p in problems {
        if !row.problems.iter().any(|x| x.field == p.field) {
            row.problem(p.field, p.key);
        }
    }
}

/// Grants to hand over, each with its row. Each gets its follow-up schedule when saved
/// (`Store::import_grants`), as the grant form does; `import visits` then records the
/// visits already made.
pub fn read_grants(
    bytes: &[u8],
    encoding: Option<Encoding>,
    sheet: Option<&str>,
    snap: &Snapshot,
    user: &User,
    today: NaiveDate,
) -> Result<RecordsPlan<Grant>, ImportError> {
    let (table, columns, mut plan) = read_table(RecordKind::Grants, bytes, encoding, sheet)?;
    if !plan.problems.is_empty() {
        return Ok(plan);
    }
    // A grant already here, or earlier in the sheet: same person, day, item and total.
    let key = |g: &Grant| {
        (
            g.person_id,
            g.handed_over_on,
            text::fold(&g.item),
            g.total_value,
        )
    };
    let existing: HashSet<_> = snap.grants.values().map(key).collect();
    let mut seen = std::collections::HashMap::new();
    for mut row in filled_rows(&table, &columns) {
        let line = row.line;
        let person = person_of(&mut row, snap, user);
        // A column the sheet has must be filled (a cell merged down in Excel comes
        // through empty below its first row); a column it lacks takes the usual value.
        for field in ["kind", "quantity", "unit"] {
            if row.has_column(field) && row.get(field).is_empty() {
                row.problem(field, "err.required");
            }
        }
        let kind_text = row.get("kind");
        let kind = if kind_text.is_empty() {
            GrantKind::Equipment
        } else {
            choose(GrantKind::ALL, kind_text, GrantKind::key, GrantKind::code).unwrap_or_else(
                || {
                    row.problem("kind", "import.unknown_value");
                    GrantKind::Equipment
                },
            )
        };
        let unit = row.get("unit").to_string();
        let quantity_text = row.get("quantity");
        let quantity = if quantity_text.is_empty() {
            Quantity::parse("1", &unit).ok()
        } else {
            Quantity::parse(quantity_text, &unit).ok()
        };
        if quantity.is_none() {
            row.problem("quantity", "err.number_format");
        }
        let quantity = quantity.unwrap_or_default();
        let unit_value = money(&mut row, "unit_value");
        let total = money(&mut row, "total_value");
        // A sheet gives the unit value, the total, or both: the one missing follows.
        let (unit_value, total_value) = match (unit_value, total) {
            (Some(u), Some(t)) => (u, t),
            (Some(u), None) => (u, quantity.times(u).unwrap_or(u)),
            // The total is the handover record's; the unit value, what one unit came to,
            // when it comes to whole đồng (else the sheet must give it).
            (None, Some(t)) => match unit_value_of(t, quantity) {
                Some(u) => (u, t),
                None => {
                    row.problem("unit_value", "err.required");
                    (t, t)
                }
            },
            (None, None) if !row.problems.iter().any(|p| p.field == "total_value") => {
                row.problem("total_value", "err.required");
                (Dong(0), Dong(0))
            }
            (None, None) => (Dong(0), Dong(0)),
        };
        let handed_over_on = row.date("handed_over_on");
        if handed_over_on.is_none() && !row.problems.iter().any(|p| p.field == "handed_over_on") {
            row.problem("handed_over_on", "err.required");
        }
        let card_number = row.get("card_number").to_string();
        let card_until = row.date("card_valid_until");
        let grant = Grant {
            id: Id::NEW,
            person_id: person.map_or(Id::NEW, |p| p.id),
            plan_id: None,
            kind,
            item: row.get("item").to_string(),
            quantity,
            unit: if unit.is_empty() {
                "cái".to_string()
            } else {
                unit
            },
            unit_value,
            total_value,
            handed_over_on: handed_over_on.unwrap_or(today),
            handover_record_no: row.get("handover_record_no").to_string(),
            supplier: row.get("supplier").to_string(),
            card: (kind == GrantKind::HealthInsurance).then_some(InsuranceCard {
                number: card_number,
                valid_from: handed_over_on,
                valid_until: card_until,
            }),
            stamp: Stamp::default(),
        };
        if person.is_some() {
            validated(&mut row, grant.validate(today, snap));
        }
        if !row.problems.is_empty() {
            plan.problems.extend(row.problems);
            continue;
        }
        let k = key(&grant);
        if existing.contains(&k) {
            plan.duplicates.push(Duplicate {
                line,
                of: DuplicateOf::Person(person.map_or(String::new(), |p| p.code.clone())),
            });
            continue;
        }
        if let Some(first) = seen.get(&k) {
            plan.duplicates.push(Duplicate {
                line,
                of: DuplicateOf::Line(*first),
            });
            continue;
        }
        seen.insert(k, line);
        plan.records.push((line, grant));
    }
    Ok(plan)
}

/// `total` divided by `quantity` (thousandths of a unit), when that is whole đồng.
fn unit_value_of(total: Dong, quantity: Quantity) -> Option<Dong> {
    let thousandths = i128::from(quantity.0);
    let scaled = i128::from(total.0) * 1000;
    (thousandths > 0 && scaled % thousandths == 0)
        .then(|| i64::try_from(scaled / thousandths).ok().map(Dong))
        .flatten()
}

/// Visits already made: each fills the open follow-up of that person's grant (named by
/// its handover record number or its item; the only grant when the person has one)
/// due nearest the visit, or, when none is open, is added as a visit of its own.
pub fn read_visits(
    bytes: &[u8],
    encoding: Option<Encoding>,
    sheet: Option<&str>,
    snap: &Snapshot,
    user: &User,
    today: NaiveDate,
) -> Result<RecordsPlan<Milestone>, ImportError> {
    let (table, columns, mut plan) = read_table(RecordKind::Visits, bytes, encoding, sheet)?;
    if !plan.problems.is_empty() {
        return Ok(plan);
    }
    let mut used: HashSet<Id> = HashSet::new();
    let mut seen = std::collections::HashMap::new();
    for mut row in filled_rows(&table, &columns) {
        let line = row.line;
        let status = row.get("status");
        let done = choose(
            MilestoneStatus::ALL,
            status,
            MilestoneStatus::key,
            MilestoneStatus::code,
        );
        match done {
            Some(s) if s != MilestoneStatus::Done => {
                plan.left_out += 1;
                continue;
            }
            None if !status.is_empty() => row.problem("status", "import.unknown_value"),
            _ => {}
        }
        let person = person_of(&mut row, snap, user);
        let done_on = row.date("done_on");
        if done_on.is_none() && !row.problems.iter().any(|p| p.field == "done_on") {
            row.problem("done_on", "err.required");
        }
        let grant = person.and_then(|p| grant_of(&mut row, snap, p));
        let operating = row.get("business_operating");
        let business_operating = if operating.is_empty() {
            None
        } else {
            let answer = yes_no(operating);
            if answer.is_none() {
                row.problem("business_operating", "import.yes_no");
            }
            answer
        };
        let visit = Visit {
            done_by: row.get("done_by").to_string(),
            business_operating,
            animals_alive: whole_number(&mut row, "animals_alive"),
            monthly_income: money(&mut row, "monthly_income"),
            notes: row.get("notes").to_string(),
            referral_needed: None,
            reason: String::new(),
        };
        let (Some(person), Some(grant), Some(done_on)) = (person, grant, done_on) else {
            plan.problems.extend(row.problems);
            continue;
        };
        // Already recorded: a visit of this grant done that day, here or earlier in
        // the sheet.
        if let Some(first) = seen.get(&(grant.id, done_on)) {
            plan.duplicates.push(Duplicate {
                line,
                of: DuplicateOf::Line(*first),
            });
            continue;
        }
        seen.insert((grant.id, done_on), line);
        if snap
            .milestones_of(grant.id)
            .any(|m| m.status == MilestoneStatus::Done && m.done_on == Some(done_on))
        {
            plan.duplicates.push(Duplicate {
                line,
                of: DuplicateOf::Person(person.code.clone()),
            });
            continue;
        }
        let open = snap
            .milestones_of(grant.id)
            .filter(|m| m.status.is_open() && !used.contains(&m.id))
            .min_by_key(|m| ((m.due_on - done_on).num_days().abs(), m.id));
        let mut milestone = match open {
            Some(m) => m.clone(),
            None => Milestone {
                id: Id::NEW,
                person_id: person.id,
                grant_id: Some(grant.id),
                plan_id: None,
                due_on: done_on,
                kind: MilestoneKind::ALL[0],
                months_after: None,
                assigned_to: visit.done_by.clone(),
                status: MilestoneStatus::Planned,
                done_on: None,
                visit: Visit::default(),
                stamp: Stamp::default(),
            },
        };
        if !milestone.id.is_new() {
            used.insert(milestone.id);
        }
        milestone.status = MilestoneStatus::Done;
        milestone.done_on = Some(done_on);
        milestone.visit = visit;
        validated(&mut row, milestone.validate(today, snap));
        if !row.problems.is_empty() {
            plan.problems.extend(row.problems);
            continue;
        }
        plan.records.push((line, milestone));
    }
    Ok(plan)
}

/// The grant a visit row is about.
fn grant_of<'s>(row: &mut Row, snap: &'s Snapshot, person: &Person) -> Option<&'s Grant> {
    let number = row.get("handover_record_no");
    let item = text::fold(row.get("grant"));
    let grants: Vec<&Grant> = snap.grants_of(person.id).collect();
    let chosen: Vec<&Grant> = grants
        .iter()
        .copied()
        .filter(|g| {
            (number.is_empty() || g.handover_record_no == number)
                && (item.is_empty() || text::fold(&g.item) == item)
        })
        .collect();
    the_one(
        row,
        "grant",
        chosen,
        "import.unknown_grant",
        "import.ambiguous_grant",
    )
}

/// The one record a row names; none or several is a problem of the row, beside `field`.
fn the_one<T: Copy>(
    row: &mut Row,
    field: &'static str,
    found: Vec<T>,
    none_key: &'static str,
    several_key: &'static str,
) -> Option<T> {
    match found.as_slice() {
        [one] => Some(*one),
        [] => {
            row.problem(field, none_key);
            None
        }
        _ => {
            row.problem(field, several_key);
            None
        }
    }
}

/// Livelihood plans, as drafts; an approval date makes a plan approved, which only a
/// supervisor may import (it is recorded as their approval).
pub fn read_plans(
    bytes: &[u8],
    encoding: Option<Encoding>,
    sheet: Option<&str>,
    snap: &Snapshot,
    user: &User,
    today: NaiveDate,
) -> Result<RecordsPlan<LivelihoodPlan>, ImportError> {
    let (table, columns, mut plan) = read_table(RecordKind::Plans, bytes, encoding, sheet)?;
    if !plan.problems.is_empty() {
        return Ok(plan);
    }
    let mut seen = std::collections::HashMap::new();
    for mut row in filled_rows(&table, &columns) {
        let line = row.line;
        let person = person_of(&mut row, snap, user);
        let business_line = choose(
            BusinessLine::ALL,
            row.get("business_line"),
            BusinessLine::key,
            BusinessLine::code,
        )
        .unwrap_or_else(|| {
            row.problem("business_line", "import.unknown_value");
            BusinessLine::Other
        });
        let approved_on = row.date("approved_on");
        if approved_on.is_some() && !user.may(Permission::ApprovePlans) {
            row.problem("approved_on", "import.approval_not_yours");
        }
        let created_on = row.date("created_on").unwrap_or(today);
        let new = LivelihoodPlan {
            id: Id::NEW,
            person_id: person.map_or(Id::NEW, |p| p.id),
            business_line,
            business_detail: row.get("business_detail").to_string(),
            goal: row.get("goal").to_string(),
            budget: money(&mut row, "budget").unwrap_or(Dong(0)),
            counselling_sessions: whole_number(&mut row, "counselling_sessions").unwrap_or(0),
            status: if approved_on.is_some() {
                PlanStatus::Approved
            } else {
                PlanStatus::Draft
            },
            approved_by: if approved_on.is_some() {
                user.name.clone()
            } else {
                String::new()
            },
            approved_on,
            created_on,
            stamp: Stamp::default(),
        };
        if person.is_some() {
            validated(&mut row, new.validate(today, snap));
        }
        if !row.problems.is_empty() {
            plan.problems.extend(row.problems);
            continue;
        }
        let key = (new.person_id, new.business_line, new.created_on);
        if let Some(first) = seen.get(&key) {
            plan.duplicates.push(Duplicate {
                line,
                of: DuplicateOf::Line(*first),
            });
            continue;
        }
        seen.insert(key, line);
        let same = snap
            .plans
            .values()
            .any(|p| (p.person_id, p.business_line, p.created_on) == key);
        if same {
            plan.duplicates.push(Duplicate {
                line,
                of: DuplicateOf::Person(person.map_or(String::new(), |p| p.code.clone())),
            });
            continue;
        }
        plan.records.push((line, new));
    }
    Ok(plan)
}

#[cfg(test)]
#[path = "import_records_tests.rs"]
mod tests;
