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
