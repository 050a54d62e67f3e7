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
            if i > 0 && (digits.len() - i) % 3 == 0 {
                out.push('.');
            }
            out.push(c);
        }
        out
    }

    /// Reads what an officer types: "1.500.000", "1500000", "1 500 000", "1,500,000 ₫", "1.500.000đ".
    /// Decimals are refused: there are no fractions of a đồng.
    pub fn parse(text: &str) -> Result<Dong, MoneyError> {
        let trimmed = text
            .trim()
            .trim_end_matches(['₫', 'đ', 'Đ'])
            .trim_end_matches("VND")
            .trim_end_matches("vnd")
            .trim();
        if trimmed.is_empty() {
            return Err(MoneyError::Empty);
        }
        let (negative, body) = match trimmed.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, trimmed),
        };
        let mut value: i64 = 0;
        let mut seen_digit = false;
        for c in body.chars() {
            match c {
                '0'..='9' => {
                    seen_digit = true;
                    value = value
                        .checked_mul(10)
                        .and_then(|v| v.checked_add(c as i64 - '0' as i64))
                        .ok_or(MoneyError::TooLarge)?;
                }
                '.' | ',' | ' ' | '\u{a0}' => {}
                _ => return Err(MoneyError::NotANumber),
            }
        }
        if !seen_digit {
            return Err(MoneyError::NotANumber);
        }
        if !separators_are_thousands(body) {
            return Err(MoneyError::NotANumber);
        }
        Ok(Dong(if negative { -value } else { value }))
    }
}

/// "1.500" is one thousand five hundred; "1.5" is a decimal we refuse.
fn separators_are_thousands(body: &str) -> bool {
    let groups: Vec<&str> = body.split(['.', ',', ' ', '\u{a0}']).collect();
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
}

impl MoneyError {
    pub fn key(self) -> &'static str {
        match self {
            MoneyError::Empty => "err.required",
            MoneyError::NotANumber => "err.money_format",
            MoneyError::TooLarge => "err.money_too_large",
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
    fn decimals_and_words_are_refused() {
        assert_eq!(Dong::parse("1.5"), Err(MoneyError::NotANumber));
        assert_eq!(Dong::parse("abc"), Err(MoneyError::NotANumber));
        assert_eq!(Dong::parse(""), Err(MoneyError::Empty));
        assert_eq!(
            Dong::parse("99999999999999999999"),
            Err(MoneyError::TooLarge)
        );
    }
}
