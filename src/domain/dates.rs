//! Dates as officers write them (dd/mm/yyyy), month arithmetic for schedules, and the
//! compact on-disk form of dates and timestamps (whole days and milliseconds).

use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};

/// Parses dd/mm/yyyy (also d/m/yyyy, with '-' or '.' between) or yyyy-mm-dd.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let t = text.trim();
    // Four-digit years only: "-1-1-1" must not become the year -1.
    let four_digit_year = |d: NaiveDate| (1000..=9999).contains(&d.year());
    if t.len() == 10
        && let Ok(d) = NaiveDate::parse_from_str(t, "%Y-%m-%d")
    {
        return Some(d).filter(|d| four_digit_year(*d));
    }
    let parts: Vec<&str> = t.split(['/', '-', '.']).collect();
    if parts.len() != 3 || parts.iter().any(|p| p.is_empty() || p.len() > 4) {
        return None;
    }
    let day: u32 = parts[0].parse().ok()?;
    let month: u32 = parts[1].parse().ok()?;
    if parts[2].len() != 4 {
        return None;
    }
    let year: i32 = parts[2].parse().ok()?;
    NaiveDate::from_ymd_opt(year, month, day)
}

/// Why a typed date is not a date.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DateError {
    /// Not written dd/mm/yyyy.
    Format,
    /// Written right, but no such day: 31/02/2026, 29/02/2025, 12/13/2025.
    NoSuchDay,
}

impl DateError {
    pub fn key(self) -> &'static str {
        match self {
            DateError::Format => "err.date_format",
            DateError::NoSuchDay => "err.no_such_day",
        }
    }
}

/// Like `parse_date`, and says whether the text is not a date at all or names a day
/// that does not exist.
pub fn parse_date_strict(text: &str) -> Result<NaiveDate, DateError> {
    if let Some(d) = parse_date(text) {
        return Ok(d);
    }
    let parts: Vec<&str> = text.trim().split(['/', '-', '.']).collect();
    let numbers: Option<Vec<u32>> = parts.iter().map(|p| p.parse::<u32>().ok()).collect();
    match numbers.as_deref() {
        Some([_, _, _]) if parts[2].len() == 4 && parts[..2].iter().all(|p| p.len() <= 2) => {
            Err(DateError::NoSuchDay)
        }
        _ => Err(DateError::Format),
    }
}

/// dd/mm/yyyy, the form shown on every screen in both languages.
pub fn format_date(date: NaiveDate) -> String {
    format!("{:02}/{:02}/{:04}", date.day(), date.month(), date.year())
}

/// yyyy-mm-dd, the form written into CSV files so Excel sorts them.
pub fn iso_date(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

/// `date` plus whole months; the 31st becomes the month's last day.
pub fn add_months(date: NaiveDate, months: u32) -> NaiveDate {
    date.checked_add_months(Months::new(months))
        .unwrap_or(NaiveDate::MAX)
}

/// Days since 0001-01-01, the on-disk and index form of a date.
pub fn day_number(date: NaiveDate) -> i32 {
    date.num_days_from_ce()
}

pub fn from_day_number(days: i32) -> Option<NaiveDate> {
    NaiveDate::from_num_days_from_ce_opt(days)
}

pub fn now_millis() -> i64 {
    Utc::now().timestamp_millis()
}

pub fn millis_to_datetime(ms: i64) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp_millis(ms)
}

/// The day, on this computer's clock, of a moment in Unix milliseconds.
pub fn local_day_of_millis(ms: i64) -> Option<NaiveDate> {
    Some(
        millis_to_datetime(ms)?
            .with_timezone(&chrono::Local)
            .date_naive(),
    )
}

/// "02/12/2026 10:15" on this computer's clock, or "" for a moment out of range.
pub fn format_local_time(ms: i64) -> String {
    millis_to_datetime(ms)
        .map(|t| {
            t.with_timezone(&chrono::Local)
                .format("%d/%m/%Y %H:%M")
                .to_string()
        })
        .unwrap_or_default()
}

/// serde for `NaiveDate` as an i32 day number: 4 bytes or fewer instead of a 10-char string.
pub mod serde_day {
    use chrono::NaiveDate;
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub fn serialize<S: Serializer>(date: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i32(super::day_number(*date))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
        let n = i32::deserialize(d)?;
        super::from_day_number(n).ok_or_else(|| D::Error::custom("date out of range"))
    }
}

pub mod serde_opt_day {
    use chrono::NaiveDate;
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub fn serialize<S: Serializer>(date: &Option<NaiveDate>, s: S) -> Result<S::Ok, S::Error> {
        match date {
            Some(d) => s.serialize_some(&super::day_number(*d)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
        match Option::<i32>::deserialize(d)? {
            Some(n) => super::from_day_number(n)
                .map(Some)
                .ok_or_else(|| D::Error::custom("date out of range")),
            None => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_that_does_not_exist_is_told_apart_from_a_wrong_format() {
        assert_eq!(parse_date_strict("31/02/2026"), Err(DateError::NoSuchDay));
        assert_eq!(parse_date_strict("29/02/2025"), Err(DateError::NoSuchDay));
        assert_eq!(parse_date_strict("3/13/2025"), Err(DateError::NoSuchDay));
        assert_eq!(parse_date_strict("31/02/26"), Err(DateError::Format));
        assert_eq!(parse_date_strict("hôm qua"), Err(DateError::Format));
        assert!(parse_date_strict("29/02/2024").is_ok());
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn officers_type_day_month_year() {
        assert_eq!(parse_date("05/03/2025"), Some(d(2025, 3, 5)));
        assert_eq!(parse_date("5/3/2025"), Some(d(2025, 3, 5)));
        assert_eq!(parse_date("5.3.2025"), Some(d(2025, 3, 5)));
        assert_eq!(parse_date("2025-03-05"), Some(d(2025, 3, 5)));
        assert_eq!(format_date(d(2025, 3, 5)), "05/03/2025");
    }

    #[test]
    fn impossible_dates_are_refused() {
        for bad in [
            "31/02/2025",
            "00/01/2025",
            "1/13/2025",
            "12/12/25",
            "hôm qua",
            "",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_month_after_the_31st_is_the_last_day_of_the_next_month() {
        assert_eq!(add_months(d(2025, 1, 31), 1), d(2025, 2, 28));
        assert_eq!(add_months(d(2024, 1, 31), 1), d(2024, 2, 29));
        assert_eq!(add_months(d(2025, 3, 15), 12), d(2026, 3, 15));
    }
}
