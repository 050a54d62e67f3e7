//! Money is whole đồng: VND has no decimals, so an `i64` holds any amount exactly.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::ops::{Add, AddAssign};

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
pub struct Dong(pub i64);

impl Dong {
    /// Dot thousands separators, the Vietnamese way: 1.500.000
    pub fn grouped(self) -> String {
        let digits = self.0.unsigned_abs().to_string();
        let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
        if self.0 < 0 {
            out.push('-');
        }
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push('.');
            }
            out.push(c);
        }
        out
    }

    /// Reads what an officer types, the one money parser for forms and imports alike:
    /// "6500000", "6.500.000", "1 500 000", "1,500,000 ₫", "6,5 triệu", "6.5tr",
    /// "500 nghìn", "500k", "1,2 tỷ". Refused, never guessed: a fraction of a đồng
    /// (`1.5`, `6,5555555 triệu`), a separator that could be either (`1.500 triệu`),
    /// and any character it cannot read.
    pub fn parse(text: &str) -> Result<Dong, MoneyError> {
        let folded = crate::text::fold(text);
        let mut rest = folded.trim();
        if rest.is_empty() {
            return Err(MoneyError::Empty);
        }
        // The currency may follow the number or its scale ("3 triệu đồng").
        for currency in ["₫", "vnd", "dong", "d"] {
            if let Some(r) = rest.strip_suffix(currency) {
                rest = r.trim_end();
                break;
            }
        }
        let (scale, body) = match SCALES.iter().find(|(word, _)| rest.ends_with(word)) {
            Some((word, scale)) => (*scale, rest[..rest.len() - word.len()].trim_end()),
            None => (1, rest),
        };
        let (negative, body) = match body.strip_prefix('-') {
            Some(b) => (true, b.trim_start()),
            None => (false, body),
        };
        if body.is_empty()
            || body
                .chars()
                .any(|c| !(c.is_ascii_digit() || SEPARATORS.contains(&c)))
        {
            return Err(MoneyError::NotANumber);
        }
        let (whole, fraction) = split_number(body, scale > 1)?;
        let value = scaled(&whole, &fraction, scale)?;
        Ok(Dong(if negative { -value } else { value }))
    }
}

/// Scale words after a number, as `text::fold` writes them (longest first, so "tr"
/// does not take the end of "trieu").
const SCALES: [(&str, i64); 7] = [
    ("trieu", 1_000_000),
    ("nghin", 1_000),
    ("ngan", 1_000),
    ("tr", 1_000_000),
    ("ty", 1_000_000_000),
    ("ti", 1_000_000_000),
    ("k", 1_000),
];

pub(crate) const SEPARATORS: [char; 4] = ['.', ',', ' ', '\u{a0}'];

/// Splits "6.500.000" or "6,5" into its whole digits and its decimal digits. A decimal
/// part is allowed only with `decimals` ("6,5 triệu"); a lone separator with exactly
/// three digits after it ("1.500 triệu") could be either, and is refused then.
fn split_number(body: &str, decimals: bool) -> Result<(String, String), MoneyError> {
    let dots = body.matches('.').count();
    let commas = body.matches(',').count();
    let decimal_mark = if dots > 0 && commas > 0 {
        // "1.234,5": the mark written last is the decimal one, and only once.
        let last = if body.rfind('.') > body.rfind(',') {
            '.'
        } else {
            ','
        };
        if (if last == '.' { dots } else { commas }) != 1 {
            return Err(MoneyError::NotANumber);
        }
        Some(last)
    } else if dots + commas == 1 {
        let mark = if dots == 1 { '.' } else { ',' };
        let after = body.rsplit(mark).next().unwrap_or("");
        if after.len() == 3 && after.chars().all(|c| c.is_ascii_digit()) {
            if decimals {
                return Err(MoneyError::Ambiguous);
            }
            None
        } else {
            Some(mark)
        }
    } else {
        None
    };
    let (whole, fraction) = match decimal_mark {
        Some(mark) => {
            let at = body.rfind(mark).unwrap_or(body.len());
            (&body[..at], &body[at + 1..])
        }
        None => (body, ""),
    };
    if decimal_mark.is_some() && !decimals {
        return Err(MoneyError::NotWhole);
    }
    if fraction.chars().any(|c| !c.is_ascii_digit())
        || (decimal_mark.is_some() && fraction.is_empty())
        || !separators_are_thousands(whole)
    {
        return Err(MoneyError::NotANumber);
    }
    let digits: String = whole.chars().filter(char::is_ascii_digit).collect();
    if digits.is_empty() {
        return Err(MoneyError::NotANumber);
    }
    Ok((digits, fraction.to_string()))
}

/// whole.fraction x scale, exactly, or why not.
fn scaled(whole: &str, fraction: &str, scale: i64) -> Result<i64, MoneyError> {
    let whole: i128 = whole.parse().map_err(|_| MoneyError::TooLarge)?;
    let mut value = whole
        .checked_mul(i128::from(scale))
        .ok_or(MoneyError::TooLarge)?;
    if !fraction.is_empty() {
        let digits: i128 = fraction.parse().map_err(|_| MoneyError::NotWhole)?;
        let denominator = 10i128
            .checked_pow(fraction.len() as u32)
            .ok_or(MoneyError::NotWhole)?;
        let part = digits
            .checked_mul(i128::from(scale))
            .ok_or(MoneyError::TooLarge)?;
        if part % denominator != 0 {
            return Err(MoneyError::NotWhole);
        }
        value = value
            .checked_add(part / denominator)
            .ok_or(MoneyError::TooLarge)?;
    }
    i64::try_from(value).map_err(|_| MoneyError::TooLarge)
}

/// "1.500" is one thousand five hundred; "1.5" is a decimal we refuse.
fn separators_are_thousands(body: &str) -> bool {
    let groups: Vec<&str> = body.split(SEPARATORS).collect();
    if groups.len() == 1 {
        return true;
    }
    groups[1..].iter().all(|g| g.len() == 3) && !groups[0].is_empty() && groups[0].len() <= 3
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MoneyError {
    Empty,
    NotANumber,
    TooLarge,
    /// A fraction of a đồng ("1,5", "6,5555555 triệu").
    NotWhole,
    /// "1.500 triệu": one thousand five hundred million, or one and a half?
    Ambiguous,
}

impl MoneyError {
    pub fn key(self) -> &'static str {
        match self {
            MoneyError::Empty => "err.required",
            MoneyError::NotANumber => "err.money_format",
            MoneyError::TooLarge => "err.money_too_large",
            MoneyError::NotWhole => "err.money_not_whole",
            MoneyError::Ambiguous => "err.money_ambiguous",
        }
    }
}

impl fmt::Display for Dong {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ₫", self.grouped())
    }
}

impl Add for Dong {
    type Output = Dong;
    fn add(self, other: Dong) -> Dong {
        Dong(self.0.saturating_add(other.0))
    }
}

impl AddAssign for Dong {
    fn add_assign(&mut self, other: Dong) {
        *self = *self + other;
    }
}

impl std::iter::Sum for Dong {
    fn sum<I: Iterator<Item = Dong>>(iter: I) -> Dong {
        iter.fold(Dong(0), |a, b| a + b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_show_with_dot_thousands_and_the_dong_sign() {
        assert_eq!(Dong(1_500_000).to_string(), "1.500.000 ₫");
        assert_eq!(Dong(0).grouped(), "0");
        assert_eq!(Dong(999).grouped(), "999");
        assert_eq!(Dong(-12_000).grouped(), "-12.000");
    }

    #[test]
    fn officers_can_type_amounts_the_way_they_write_them() {
        for text in [
            "1500000",
            "1.500.000",
            "1 500 000",
            "1,500,000 ₫",
            "1.500.000đ",
            " 1500000 VND",
        ] {
            assert_eq!(Dong::parse(text), Ok(Dong(1_500_000)), "{text}");
        }
    }

    #[test]
    fn amounts_written_with_a_scale_word_are_read_exactly() {
        for (text, dong) in [
            ("6500000", 6_500_000),
            ("6.500.000", 6_500_000),
            ("6,5 triệu", 6_500_000),
            ("6,5tr", 6_500_000),
            ("6.5tr", 6_500_000),
            ("3 triệu", 3_000_000),
            ("3 triệu đồng", 3_000_000),
            ("500 nghìn", 500_000),
            ("500 ngàn", 500_000),
            ("500k", 500_000),
            ("1,2 tỷ", 1_200_000_000),
            ("1,2 tỉ", 1_200_000_000),
            ("1.234,5 triệu", 1_234_500_000),
            // Five decimals of a million are still whole đồng: 6.555.550.
            ("6,55555 triệu", 6_555_550),
        ] {
            assert_eq!(Dong::parse(text), Ok(Dong(dong)), "{text}");
        }
    }

    #[test]
    fn what_cannot_be_read_exactly_is_refused_with_the_reason() {
        assert_eq!(Dong::parse("6,5555555 triệu"), Err(MoneyError::NotWhole));
        assert_eq!(Dong::parse("1,5"), Err(MoneyError::NotWhole));
        assert_eq!(Dong::parse("1.500 triệu"), Err(MoneyError::Ambiguous));
        assert_eq!(Dong::parse("6,5 triệu x"), Err(MoneyError::NotANumber));
        assert_eq!(Dong::parse("triệu"), Err(MoneyError::NotANumber));
        assert_eq!(Dong::parse("19x8"), Err(MoneyError::NotANumber));
        assert_eq!(Dong::parse("9999999999 tỷ"), Err(MoneyError::TooLarge));
    }

    #[test]
    fn decimals_and_words_are_refused() {
        assert_eq!(Dong::parse("1.5"), Err(MoneyError::NotWhole));
        assert_eq!(Dong::parse("abc"), Err(MoneyError::NotANumber));
        assert_eq!(Dong::parse(""), Err(MoneyError::Empty));
        assert_eq!(
            Dong::parse("99999999999999999999"),
            Err(MoneyError::TooLarge)
        );
    }
}
