//! Amounts in words, as Vietnamese financial documents write them under the figures
//! ("Sáu triệu năm trăm nghìn đồng"): whole đồng from 0 to 10^15 (một triệu tỷ). The
//! rules: mười for ten and mươi for the other tens; mốt for a one after mươi; lăm for a
//! five after mười or mươi; linh for an empty tens place before a unit; and a group of
//! three after a larger one says its hundreds even when they are none (không trăm).

use super::Dong;

/// The largest amount read: 10^15 đồng.
pub const MAX_IN_WORDS: u64 = 1_000_000_000_000_000;

const DIGITS: [&str; 10] = [
    "không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín",
];

/// An amount in words with a capital first letter and "đồng" at the end; None for a
/// negative amount or one above 10^15.
pub fn dong_in_words(amount: Dong) -> Option<String> {
    let n = u64::try_from(amount.0).ok()?;
    let words = number_in_words(n)?;
    let mut chars = words.chars();
    let first = chars.next()?;
    Some(format!("{}{} đồng", first.to_uppercase(), chars.as_str()))
}

/// A whole number from 0 to 10^15 in Vietnamese words, lower case.
pub fn number_in_words(n: u64) -> Option<String> {
    if n > MAX_IN_WORDS {
        return None;
    }
    if n == 0 {
        return Some(DIGITS[0].to_string());
    }
    let mut words = Vec::new();
    say(n, false, &mut words);
    Some(words.join(" "))
}

/// Reads `n` (at least 1). Above a tỷ, the part before it is read the same way and
/// followed by "tỷ" (so 10^12 is "một nghìn tỷ", 10^15 "một triệu tỷ"). `after` says
/// a larger part was read before this one, so its leading zeros are spoken.
fn say(n: u64, after: bool, words: &mut Vec<&'static str>) {
    const TY: u64 = 1_000_000_000;
    let (above, below) = (n / TY, n % TY);
    if above > 0 {
        say(above, after, words);
        words.push("tỷ");
    }
    let groups = [
        (below / 1_000_000, Some("triệu")),
        (below / 1_000 % 1_000, Some("nghìn")),
        (below % 1_000, None),
    ];
    let mut spoken = after || above > 0;
    for (group, scale) in groups {
        if group == 0 {
            continue;
        }
        say_group(group, spoken, words);
        if let Some(scale) = scale {
            words.push(scale);
        }
        spoken = true;
    }
}

/// One group of three digits (1 to 999). `full` says a larger group came before, so
/// an empty hundreds place is read ("không trăm") and an empty tens place before a
/// unit is "linh".
fn say_group(n: u64, full: bool, words: &mut Vec<&'static str>) {
    let (hundreds, tens, units) = (
        (n / 100) as usize,
        (n / 10 % 10) as usize,
        (n % 10) as usize,
    );
    let hundreds_read = hundreds > 0 || full;
    if hundreds_read {
        words.extend([DIGITS[hundreds], "trăm"]);
    }
    match tens {
        0 if units > 0 && hundreds_read => words.push("linh"),
        0 => {}
        1 => words.push("mười"),
        t => words.extend([DIGITS[t], "mươi"]),
    }
    let unit = match (tens, units) {
        (_, 0) => return,
        (t, 1) if t >= 2 => "mốt",
        (t, 5) if t >= 1 => "lăm",
        (_, u) => DIGITS[u],
    };
    words.push(unit);
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn amounts_read_as_a_vietnamese_accountant_writes_them() {
        for (n, words) in [
            (0, "không"),
            (5, "năm"),
            (10, "mười"),
            (11, "mười một"),
            (15, "mười lăm"),
            (21, "hai mươi mốt"),
            (24, "hai mươi bốn"),
            (25, "hai mươi lăm"),
            (30, "ba mươi"),
            (105, "một trăm linh năm"),
            (110, "một trăm mười"),
            (115, "một trăm mười lăm"),
            (1_000, "một nghìn"),
            (1_005, "một nghìn không trăm linh năm"),
            (1_050, "một nghìn không trăm năm mươi"),
            (15_000, "mười lăm nghìn"),
            (1_000_001, "một triệu không trăm linh một"),
            (6_500_000, "sáu triệu năm trăm nghìn"),
            (1_200_000_000, "một tỷ hai trăm triệu"),
            (2_000_000_005, "hai tỷ không trăm linh năm"),
            (1_500_000_000_000, "một nghìn năm trăm tỷ"),
            (MAX_IN_WORDS, "một triệu tỷ"),
        ] {
            assert_eq!(number_in_words(n).as_deref(), Some(words), "{n}");
        }
    }

    #[test]
    fn the_handover_record_writes_the_total_with_a_capital_and_dong() {
        assert_eq!(
            dong_in_words(Dong(6_500_000)).as_deref(),
            Some("Sáu triệu năm trăm nghìn đồng")
        );
        assert_eq!(dong_in_words(Dong(0)).as_deref(), Some("Không đồng"));
        assert_eq!(dong_in_words(Dong(-1)), None);
        assert_eq!(number_in_words(MAX_IN_WORDS + 1), None);
    }

    /// A second, independent formulation: read the words back into a number, the way
    /// a person adds up what they hear (a scale word multiplies everything since the
    /// last larger one).
    fn read_back(text: &str) -> Option<u64> {
        let mut stack: Vec<(u64, u64)> = Vec::new();
        let (mut small, mut digit) = (0u64, None::<u64>);
        for word in text.split(' ') {
            let as_digit = match word {
                "mốt" => Some(1),
                "lăm" => Some(5),
                w => DIGITS.iter().position(|d| *d == w).map(|d| d as u64),
            };
            if let Some(d) = as_digit {
                if digit.replace(d).is_some() {
                    return None;
                }
                continue;
            }
            match word {
                "trăm" => small += digit.take()? * 100,
                "mươi" => small += digit.take()? * 10,
                "mười" => small += 10,
                "linh" => {}
                "nghìn" | "triệu" | "tỷ" => {
                    let scale = match word {
                        "nghìn" => 1_000,
                        "triệu" => 1_000_000,
                        _ => 1_000_000_000,
                    };
                    let mut value = small + digit.take().unwrap_or(0);
                    while let Some(&(amount, s)) = stack.last() {
                        if s >= scale {
                            break;
                        }
                        value += amount;
                        stack.pop();
                    }
                    stack.push((value * scale, scale));
                    small = 0;
                }
                _ => return None,
            }
        }
        Some(small + digit.unwrap_or(0) + stack.iter().map(|(a, _)| a).sum::<u64>())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]

        #[test]
        fn every_amount_reads_back_as_itself(n in 0..=MAX_IN_WORDS) {
            let words = number_in_words(n).expect("in range");
            prop_assert_eq!(read_back(&words), Some(n), "{}", words);
        }

        #[test]
        fn small_and_round_amounts_read_back_too(
            n in prop_oneof![0u64..=10_000, (0u64..=1_000_000).prop_map(|k| k * 1_000_000_000)]
        ) {
            let words = number_in_words(n).expect("in range");
            prop_assert_eq!(read_back(&words), Some(n), "{}", words);
        }

        #[test]
        fn the_spoken_forms_follow_their_rules(n in 0..=MAX_IN_WORDS) {
            let words = number_in_words(n).expect("in range");
            let padded = format!(" {words} ");
            // mốt only after mươi, lăm only after mười/mươi, never "mươi một" or "mươi năm".
            for wrong in [" mươi một ", " mươi năm ", " mười năm ", " linh lăm ", " linh mốt "] {
                prop_assert!(!padded.contains(wrong), "{} in {}", wrong, words);
            }
            prop_assert!(!padded.contains(" không mươi "), "{}", words);
            for w in words.split(' ') {
                if w == "mốt" || w == "lăm" {
                    let before = padded.find(&format!(" {w} ")).map(|i| &padded[..i]);
                    prop_assert!(
                        before.is_some_and(|b| b.ends_with("mươi") || (w == "lăm" && b.ends_with("mười"))),
                        "{} in {}", w, words
                    );
                }
            }
        }
    }
}
