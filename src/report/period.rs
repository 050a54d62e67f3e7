//! The reporting periods the reports screen offers: all time, a quarter or a year,
//! chosen from presets (this quarter, last quarter, this year, last year) and stepped
//! back or forth, so a quarterly report for 2021 is a few keys away. A period becomes
//! the same from/to as `sinhke export --from --to`.

use super::Filter;
use chrono::{Datelike, NaiveDate};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Period {
    #[default]
    All,
    /// Quarter 1 to 4 of a year.
    Quarter {
        year: i32,
        quarter: u32,
    },
    Year(i32),
}

/// What `p` steps through, in order, from `All`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Preset {
    All,
    ThisQuarter,
    LastQuarter,
    ThisYear,
    LastYear,
}

const PRESETS: [Preset; 5] = [
    Preset::All,
    Preset::ThisQuarter,
    Preset::LastQuarter,
    Preset::ThisYear,
    Preset::LastYear,
];

fn quarter_of(day: NaiveDate) -> u32 {
    day.month0() / 3 + 1
}

impl Period {
    pub fn this_quarter(today: NaiveDate) -> Period {
        Period::Quarter {
            year: today.year(),
            quarter: quarter_of(today),
        }
    }

    fn preset(preset: Preset, today: NaiveDate) -> Period {
        match preset {
            Preset::All => Period::All,
            Preset::ThisQuarter => Period::this_quarter(today),
            Preset::LastQuarter => Period::this_quarter(today).step(-1),
            Preset::ThisYear => Period::Year(today.year()),
            Preset::LastYear => Period::Year(today.year() - 1),
        }
    }

    /// The next preset after this period; a period stepped away from every preset
    /// starts again at the first after `All`.
    pub fn next_preset(self, today: NaiveDate) -> Period {
        let at = PRESETS
            .iter()
            .position(|p| Period::preset(*p, today) == self)
            .unwrap_or(0);
        Period::preset(PRESETS[(at + 1) % PRESETS.len()], today)
    }

    /// The quarter or year `by` steps later (earlier when negative); all time stays.
    pub fn step(self, by: i32) -> Period {
        match self {
            Period::All => Period::All,
            Period::Year(y) => Period::Year(y.saturating_add(by)),
            Period::Quarter { year, quarter } => {
                let index = i64::from(year) * 4 + i64::from(quarter) - 1 + i64::from(by);
                Period::Quarter {
                    year: i32::try_from(index.div_euclid(4)).unwrap_or(year),
                    quarter: index.rem_euclid(4) as u32 + 1,
                }
            }
        }
    }

    /// The first and last day, both included; None for all time.
    pub fn range(self) -> (Option<NaiveDate>, Option<NaiveDate>) {
        let (from, to) = match self {
            Period::All => return (None, None),
            Period::Year(y) => (
                NaiveDate::from_ymd_opt(y, 1, 1),
                NaiveDate::from_ymd_opt(y, 12, 31),
            ),
            Period::Quarter { year, quarter } => {
                let first = NaiveDate::from_ymd_opt(year, (quarter - 1) * 3 + 1, 1);
                let next = if quarter == 4 {
                    NaiveDate::from_ymd_opt(year.saturating_add(1), 1, 1)
                } else {
                    NaiveDate::from_ymd_opt(year, quarter * 3 + 1, 1)
                };
                (first, next.and_then(|d| d.pred_opt()))
            }
        };
        (from, to)
    }

    /// The figures of this period in `ward` (or all wards): what the screen shows and
    /// what its export writes.
    pub fn filter(self, ward: Option<&str>) -> Filter {
        let (from, to) = self.range();
        Filter {
            ward: ward.map(str::to_string),
            from,
            to,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("day")
    }

    #[test]
    fn a_quarter_runs_from_its_first_day_to_its_last() {
        let q3 = Period::Quarter {
            year: 2021,
            quarter: 3,
        };
        assert_eq!(q3.range(), (Some(day(2021, 7, 1)), Some(day(2021, 9, 30))));
        let q4 = Period::Quarter {
            year: 2021,
            quarter: 4,
        };
        assert_eq!(
            q4.range(),
            (Some(day(2021, 10, 1)), Some(day(2021, 12, 31)))
        );
        assert_eq!(
            Period::Year(2024).range(),
            (Some(day(2024, 1, 1)), Some(day(2024, 12, 31)))
        );
        assert_eq!(Period::All.range(), (None, None));
    }

    #[test]
    fn presets_go_this_quarter_last_quarter_this_year_last_year_and_back_to_all() {
        let today = day(2025, 2, 10);
        let mut seen = Vec::new();
        let mut p = Period::All;
        for _ in 0..5 {
            p = p.next_preset(today);
            seen.push(p);
        }
        assert_eq!(
            seen,
            vec![
                Period::Quarter {
                    year: 2025,
                    quarter: 1
                },
                Period::Quarter {
                    year: 2024,
                    quarter: 4
                },
                Period::Year(2025),
                Period::Year(2024),
                Period::All,
            ]
        );
    }

    #[test]
    fn stepping_back_from_this_quarter_reaches_a_quarter_of_2021() {
        let today = day(2025, 6, 1);
        let q = Period::this_quarter(today).step(-15);
        assert_eq!(
            q,
            Period::Quarter {
                year: 2021,
                quarter: 3
            }
        );
        assert_eq!(q.step(15), Period::this_quarter(today));
        assert_eq!(Period::Year(2025).step(-4), Period::Year(2021));
        let f = q.filter(Some("CT"));
        assert_eq!(
            (f.ward.as_deref(), f.from, f.to),
            (Some("CT"), Some(day(2021, 7, 1)), Some(day(2021, 9, 30)))
        );
    }
}
