//! Property tests standing in for fuzzing (cargo fuzz needs a nightly toolchain, which
//! this project's machines do not have): whatever bytes or text arrive, the codec and the
//! parsers answer with a value or an error, never a panic. Raise the case count with
//! PROPTEST_CASES=1000000 for a long run; failures are kept in tests/fuzz.proptest-regressions and replayed first.

use proptest::prelude::*;
use sinhke::domain::dates::parse_date;
use sinhke::domain::*;
use sinhke::store::codec;

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(20_000)
}

/// Bytes that look like our values: a plausible version byte, then anything.
fn value_bytes() -> impl Strategy<Value = Vec<u8>> {
    (
        prop_oneof![Just(1u8), any::<u8>()],
        proptest::collection::vec(any::<u8>(), 0..400),
    )
        .prop_map(|(v, mut rest)| {
            rest.insert(0, v);
            rest
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_decode_to_an_error_never_a_panic(bytes in value_bytes()) {
        let _ = codec::decode::<Person>(&bytes);
        let _ = codec::decode::<LivelihoodPlan>(&bytes);
        let _ = codec::decode::<Grant>(&bytes);
        let _ = codec::decode::<Milestone>(&bytes);
        let _ = codec::decode::<Referral>(&bytes);
        let _ = codec::decode::<Ward>(&bytes);
        let _ = codec::decode::<Schedule>(&bytes);
    }

    #[test]
    fn a_flipped_byte_in_a_real_value_never_panics(pos in 0usize..200, bit in 0u8..8) {
        let person = sinhke::demo::generate(1, 9, chrono::NaiveDate::from_ymd_opt(2025, 6, 1).expect("date"))
            .into_iter()
            .find_map(|c| if let sinhke::store::Change::Person(p) = c { Some(p) } else { None })
            .expect("a demo person");
        let mut bytes = codec::encode(&person);
        let at = pos % bytes.len();
        bytes[at] ^= 1 << bit;
        let _ = codec::decode::<Person>(&bytes);
    }

    #[test]
    fn any_text_parses_as_a_date_or_not_at_all(text in "\\PC{0,16}|[0-9/.-]{0,12}") {
        if let Some(date) = parse_date(&text) {
            // What parses, prints back as the same day.
            prop_assert_eq!(parse_date(&dates::format_date(date)), Some(date));
        }
    }

    #[test]
    fn any_text_parses_as_money_or_not_at_all(text in "\\PC{0,24}|[0-9., ₫đ-]{0,20}") {
        if let Ok(amount) = Dong::parse(&text) {
            prop_assert_eq!(Dong::parse(&amount.grouped()), Ok(amount));
        }
    }

    #[test]
    fn folding_and_collation_accept_any_text(text in "\\PC{0,40}") {
        let folded = sinhke::text::fold(&text);
        prop_assert_eq!(sinhke::text::fold(&folded), folded.clone());
        let _ = sinhke::text::collation_key(&text);
        let _ = sinhke::text::name_sort_key(&text);
        prop_assert_eq!(sinhke::text::clean(&sinhke::text::clean(&text)), sinhke::text::clean(&text));
    }
}

/// A database with ward CT, and its supervisor, for reading sheets.
fn import_setting() -> (Snapshot, User) {
    let mut snap = Snapshot::default();
    snap.put_ward(Ward {
        code: "CT".into(),
        name: "Cao Thắng".into(),
        district: String::new(),
        province: String::new(),
    });
    let user = User {
        id: Id(1),
        name: "Lan".into(),
        role: Role::Supervisor,
        ward: None,
        stamp: Stamp::default(),
    };
    (snap, user)
}

proptest! {
    // Each case reads a whole sheet: fewer cases than the byte-level properties above.
    #![proptest_config(ProptestConfig { cases: (cases() / 20).max(200), ..ProptestConfig::default() })]

    /// Whatever one optional cell holds (quotes, separators, line breaks, any text),
    /// the import refuses the file, names a problem, or reads every one of its rows:
    /// rows never vanish into another row's cell.
    #[test]
    fn an_import_never_loses_rows_without_a_word(
        rows in 1usize..40,
        at in 0usize..40,
        column in 0usize..3,
        cell in "[\"\n,;a-zĐđ ]{0,12}|\\PC{0,12}",
    ) {
        let (snap, user) = import_setting();
        // The cell goes into the address, the household note (which may hold line
        // breaks) or a column the import does not read.
        let mut text =
            String::from("Full name,Sex,Birth year,Ward,Target group,Address,Household note,Ghi chú\n");
        for n in 0..rows {
            let mut optional = ["Tổ 1", "", ""];
            if n == at % rows {
                optional[column] = cell.as_str();
            }
            text.push_str(&format!("Người {n},Female,1990,CT,Victim,{}\n", optional.join(",")));
        }
        let today = parse_date("2025-06-01").expect("date");
        if let Ok(plan) = sinhke::report::import::read_people(text.as_bytes(), None, &snap, &user, today) {
            prop_assert!(
                !plan.problems.is_empty() || plan.people.len() == rows,
                "{} of {rows} rows read, no problem named:\n{text}",
                plan.people.len()
            );
        }
    }

    #[test]
    fn any_bytes_as_a_sheet_give_a_plan_or_a_refusal_never_a_panic(
        bytes in proptest::collection::vec(any::<u8>(), 0..600),
    ) {
        let (snap, user) = import_setting();
        let today = parse_date("2025-06-01").expect("date");
        let _ = sinhke::report::import::read_people(&bytes, None, &snap, &user, today);
    }
}

// The bundle reader and the manifest parser (cargo fuzz targets `bundle` and `manifest`
// in fuzz/, run with the nightly toolchain; nothing they found so far needed a fix).
proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_inside_a_bundle_are_refused_never_a_panic(
        tail in proptest::collection::vec(any::<u8>(), 0..600),
        magic in any::<bool>(),
    ) {
        let mut bytes = if magic { sinhke::sync::bundle::MAGIC.to_vec() } else { Vec::new() };
        bytes.extend_from_slice(&tail);
        prop_assert!(sinhke::sync::bundle::parse(&bytes).is_err());
        let _ = sinhke::sync::bundle::parse_manifest(&tail);
        let mut kit = if magic { sinhke::sync::kit::MAGIC.to_vec() } else { Vec::new() };
        kit.extend_from_slice(&tail);
        prop_assert!(sinhke::sync::kit::read(&kit).is_err());
    }
}
