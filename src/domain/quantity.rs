//! How many of an item a grant gives: whole numbers for things counted (con, chiếc, bộ),
//! up to three decimals for goods weighed or measured (1,5 tạ, 2,5 kg). Kept as
//! thousandths in an integer so that sums and totals stay exact.

use super::Dong;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Thousandths of the grant's unit: `Quantity(1500)` is 1,5.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
pub struct Quantity(pub u64);

const MILLI: u64 = 1000;

/// Units sold by weight, volume or length, folded: these may take decimals.
const MEASURED_UNITS: [&str; 14] = [
    "kg", "g", "gam", "ta", "tan", "yen", "lang", "lit", "l", "ml", "m", "met", "m2", "m3",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuantityError {
    Empty,
    NotANumber,
    /// Decimals for a unit that is counted ("1,5 con").
    CountedUnit,
    /// More than three decimals.
    TooPrecise,
    TooLarge,
}

impl QuantityError {
    pub fn key(self) -> &'static str {
        match self {
            QuantityError::Empty => "err.required",
            QuantityError::NotANumber => "err.quantity_format",
            QuantityError::CountedUnit => "err.quantity_counted",
            QuantityError::TooPrecise => "err.quantity_precision",
            QuantityError::TooLarge => "err.money_too_large",
        }
    }
}

impl Quantity {
    pub const fn whole(n: u64) -> Quantity {
        Quantity(n.saturating_mul(MILLI))
    }

    /// True for kg, tạ, tấn, lít, m...: goods that are weighed or measured.
    pub fn unit_is_measured(unit: &str) -> bool {
        let folded = crate::text::fold(unit);
        MEASURED_UNITS.contains(&folded.trim_end_matches('.'))
    }

    /// Reads "2", "1,5", "2.5", "1.250" (one thousand two hundred and fifty: a dot with
    /// three digits after it groups thousands, the Vietnamese way). Decimals only where
    /// `unit` is measured.
    pub fn parse(text: &str, unit: &str) -> Result<Quantity, QuantityError> {
        let body = text.trim();
        if body.is_empty() {
            return Err(QuantityError::Empty);
        }
        if body
            .chars()
            .any(|c| !(c.is_ascii_digit() || super::money::SEPARATORS.contains(&c)))
        {
            return Err(QuantityError::NotANumber);
        }
        // A comma is always a decimal mark; a dot is one unless it groups thousands.
        let groups_thousands = !body.contains(',')
            && body.contains('.')
            && body.split('.').skip(1).all(|g| g.len() == 3);
        let (whole, fraction) = match body.rfind(',').or(body.rfind('.')) {
            Some(at) if !groups_thousands => (&body[..at], &body[at + 1..]),
            _ => (body, ""),
        };
        let whole_digits: String = whole.chars().filter(char::is_ascii_digit).collect();
        if whole_digits.is_empty()
            || fraction.chars().any(|c| !c.is_ascii_digit())
            || (whole != body && fraction.is_empty())
            || (!groups_thousands && whole.contains(['.', ',']))
        {
            return Err(QuantityError::NotANumber);
        }
        let fraction = fraction.trim_end_matches('0');
        if !fraction.is_empty() && !Quantity::unit_is_measured(unit) {
            return Err(QuantityError::CountedUnit);
        }
        if fraction.len() > 3 {
            return Err(QuantityError::TooPrecise);
        }
        let whole: u64 = whole_digits.parse().map_err(|_| QuantityError::TooLarge)?;
        let milli: u64 = format!("{fraction:0<3}")
            .parse()
            .map_err(|_| QuantityError::NotANumber)?;
        whole
            .checked_mul(MILLI)
            .and_then(|w| w.checked_add(milli))
            .filter(|q| *q <= u64::from(u32::MAX) * MILLI)
            .map(Quantity)
            .ok_or(QuantityError::TooLarge)
    }

    pub fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// Whole units, rounded down: animals given, for a visit that counts survivors.
    pub fn whole_units(self) -> u64 {
        self.0 / MILLI
    }

    /// "1.5": a plain number with a decimal point, as CSV files carry amounts.
    pub fn plain(self) -> String {
        self.to_string().replace(',', ".")
    }

    /// Quantity x unit value, rounded to the nearest đồng; None when that overflows.
    pub fn times(self, unit_value: Dong) -> Option<Dong> {
        let product = i128::from(unit_value.0).checked_mul(i128::from(self.0))?;
        let rounded = (product + i128::from(MILLI / 2) * product.signum()) / i128::from(MILLI);
        i64::try_from(rounded).ok().map(Dong)
    }
}

/// "3", "1,5", "2,25": a decimal comma, as officers write it.
impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let whole = self.0 / MILLI;
        let milli = self.0 % MILLI;
        if milli == 0 {
            write!(f, "{whole}")
        } else {
            let digits = format!("{milli:03}");
            write!(f, "{whole},{}", digits.trim_end_matches('0'))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn goods_by_weight_take_decimals_the_way_officers_write_them() {
        assert_eq!(Quantity::parse("1,5", "tạ"), Ok(Quantity(1500)));
        assert_eq!(Quantity::parse("2.5", "kg"), Ok(Quantity(2500)));
        assert_eq!(Quantity::parse("0,125", "tấn"), Ok(Quantity(125)));
        assert_eq!(Quantity::parse("3", "lít"), Ok(Quantity::whole(3)));
        assert_eq!(Quantity::parse("1.250", "kg"), Ok(Quantity::whole(1250)));
    }

    #[test]
    fn things_counted_are_whole_and_nothing_is_guessed() {
        assert_eq!(Quantity::parse("50", "con"), Ok(Quantity::whole(50)));
        assert_eq!(
            Quantity::parse("1,5", "con"),
            Err(QuantityError::CountedUnit)
        );
        assert_eq!(Quantity::parse("1,0", "chiếc"), Ok(Quantity::whole(1)));
        assert_eq!(
            Quantity::parse("1,2345", "kg"),
            Err(QuantityError::TooPrecise)
        );
        assert_eq!(Quantity::parse("1x", "kg"), Err(QuantityError::NotANumber));
        assert_eq!(Quantity::parse("1,", "kg"), Err(QuantityError::NotANumber));
        assert_eq!(Quantity::parse("", "kg"), Err(QuantityError::Empty));
    }

    #[test]
    fn a_quantity_shows_with_a_decimal_comma_and_totals_stay_exact() {
        assert_eq!(Quantity(1500).to_string(), "1,5");
        assert_eq!(Quantity(1500).plain(), "1.5");
        assert_eq!(Quantity::whole(50).to_string(), "50");
        assert_eq!(Quantity(1500).times(Dong(650_000)), Some(Dong(975_000)));
        assert_eq!(Quantity::whole(u32::MAX as u64).times(Dong(i64::MAX)), None);
    }
}
