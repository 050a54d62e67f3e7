//! Plans, grants and visits read from CSV text against the hand-built programme
//! (CT-0001 is Người số 1; workbooks go through the same rows, see tests/workbooks.rs).

use super::*;
use crate::report::fixture::{programme, today, user};

fn grants(text: &str, ward: Option<&str>) -> RecordsPlan<Grant> {
    read_grants(
        text.as_bytes(),
        None,
        None,
        &programme(),
        &user(ward),
        today(),
    )
    .expect("read")
}

#[test]
fn amounts_and_dates_are_read_the_ways_a_ward_writes_them() {
    let plan = grants(
        "Mã,Vật phẩm,Số lượng,ĐVT,Thành tiền,Ngày bàn giao\n\
         CT-0001,Máy may,1,chiếc,6.500.000,15/03/2024\n\
         CT-0001,Lợn giống,5,con,\"6,5 triệu\",45402\n\
         CT-0001,Gà giống,20,con,3000000,2024-05-02\n",
        None,
    );
    assert!(plan.problems.is_empty(), "{:?}", plan.problems);
    let got: Vec<(i64, String)> = plan
        .records
        .iter()
        .map(|(_, g)| (g.total_value.0, g.handed_over_on.to_string()))
        .collect();
    assert_eq!(
        got,
        [
            (6_500_000, "2024-03-15".to_string()),
            (6_500_000, "2024-04-20".to_string()),
            (3_000_000, "2024-05-02".to_string())
        ],
        "45402 is Excel's serial number of 20/04/2024"
    );
    assert_eq!(plan.records[1].1.unit_value, Dong(1_300_000));
}

#[test]
fn a_person_is_found_by_name_birth_year_and_ward_and_only_in_ones_own_ward() {
    let snap = programme();
    let p = snap.person_by_code("CT-0001").expect("CT-0001");
    let text = format!(
        "Họ và tên,Năm sinh,Phường/xã,Vật phẩm,Thành tiền,Ngày bàn giao\n\
         {},{},Phường Cao Thắng,Máy may,6500000,15/03/2024\n\
         Không Có Ai,1990,Cao Thắng,Máy may,6500000,15/03/2024\n",
        p.full_name.to_uppercase(),
        p.birth_year
    );
    let plan = grants(&text, None);
    assert_eq!(plan.records.len(), 1);
    assert_eq!(plan.records[0].1.person_id, p.id);
    assert_eq!(
        plan.problems,
        [RowProblem {
            line: 3,
            field: "full_name",
            key: "import.unknown_person"
        }]
    );
    let officer = grants(&text, Some("TC"));
    assert!(
        officer
            .problems
            .iter()
            .any(|x| x.line == 2 && x.key == "import.outside_your_ward")
    );
}

#[test]
fn a_sheet_without_a_person_or_an_item_says_which_columns_are_missing() {
    let plan = grants("Ghi chú,Thành tiền\nx,1\n", None);
    let missing: Vec<&str> = plan.problems.iter().map(|p| p.field).collect();
    assert_eq!(missing, ["item", "handed_over_on", "code"]);
}

#[test]
fn a_grant_already_recorded_is_skipped_and_listed() {
    let snap = programme();
    let g = snap.grants.values().next().expect("a grant").clone();
    let code = snap.people[&g.person_id].code.clone();
    let text = format!(
        "Mã,Vật phẩm,Số lượng,ĐVT,Thành tiền,Ngày bàn giao\n{code},{},{},{},{},{}\n",
        g.item,
        g.quantity.plain(),
        g.unit,
        g.total_value.0,
        g.handed_over_on
    );
    let plan = grants(&text, None);
    assert!(
        plan.records.is_empty() && plan.problems.is_empty(),
        "{plan:?}"
    );
    assert_eq!(plan.duplicates[0].of, DuplicateOf::Person(code));
}

#[test]
fn an_approved_plan_comes_in_from_a_supervisor_only() {
    let text = "Mã,Ngành nghề,Mục tiêu,Kinh phí,Ngày lập,Ngày duyệt\n\
                CT-0001,Tạp hóa,Mở quầy tạp hóa,\"5 triệu\",01/02/2024,10/02/2024\n";
    let read = |ward| {
        read_plans(
            text.as_bytes(),
            None,
            None,
            &programme(),
            &user(ward),
            today(),
        )
        .expect("read")
    };
    let supervisor = read(None);
    assert!(supervisor.problems.is_empty(), "{:?}", supervisor.problems);
    assert_eq!(supervisor.records[0].1.status, PlanStatus::Approved);
    assert_eq!(supervisor.records[0].1.budget, Dong(5_000_000));
    let officer = read(Some("CT"));
    assert_eq!(officer.problems[0].key, "import.approval_not_yours");
}

#[test]
fn a_unit_value_is_worked_out_only_when_it_comes_to_whole_dong() {
    let plan = grants(
        "Mã,Vật phẩm,Số lượng,ĐVT,Thành tiền,Ngày bàn giao\n\
         CT-0001,Cám,\"2,5\",kg,1000,15/03/2024\n\
         CT-0001,Gà,3,con,1000,15/03/2024\n\
         CT-0001,Máy,,chiếc,1000,15/03/2024\n",
        None,
    );
    assert_eq!(plan.records.len(), 1);
    assert_eq!(plan.records[0].1.unit_value, Dong(400));
    let problems: Vec<(usize, &str)> = plan.problems.iter().map(|p| (p.line, p.field)).collect();
    assert_eq!(problems, [(3, "unit_value"), (4, "quantity")]);
}

#[test]
fn a_visit_status_not_understood_is_refused_and_a_repeated_row_skipped() {
    let snap = programme();
    let grant = snap
        .grants
        .values()
        .find(|g| snap.grants_of(g.person_id).count() == 1)
        .expect("someone with one grant");
    let code = snap.people[&grant.person_id].code.clone();
    let text = format!(
        "Mã,Số biên bản,Khoản hỗ trợ,Ngày thăm,Trạng thái\n\
         {code},{n},{i},20/05/2025,Chưa rõ\n",
        n = grant.handover_record_no,
        i = grant.item
    );
    let read = |text: &str| {
        read_visits(text.as_bytes(), None, None, &snap, &user(None), today()).expect("read")
    };
    let plan = read(&text);
    assert_eq!(plan.problems[0].field, "status");
    let twice = format!(
        "Mã,Số biên bản,Khoản hỗ trợ,Ngày thăm\n\
         {code},{n},{i},20/05/2025\n\
         {code},{n},{i},20/05/2025\n",
        n = grant.handover_record_no,
        i = grant.item
    );
    let plan = read(&twice);
    assert!(plan.problems.is_empty(), "{:?}", plan.problems);
    assert_eq!(plan.records.len(), 1);
    assert_eq!(plan.duplicates[0].of, DuplicateOf::Line(2));
}
