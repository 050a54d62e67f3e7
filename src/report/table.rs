//! A summary as a table of typed cells, with no terminal and no file in it: the reports
//! screen draws it and the CSV writer writes it, so both show the same figures.

use crate::domain::Dong;
use chrono::NaiveDate;

#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    /// Text that is data (a ward's name, a code).
    Text(String),
    /// A label in the user's language, by i18n key (a grant kind, "Total").
    Label(&'static str),
    Count(u64),
    Money(Dong),
    Date(NaiveDate),
    /// A share in percent; None when there is nothing to divide by.
    Percent(Option<f64>),
    /// A small count (or a value that would reveal one) withheld: shown as "<K".
    Suppressed(u64),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    /// i18n key of the table's title.
    pub title: &'static str,
    /// i18n keys of the column headers.
    pub columns: Vec<&'static str>,
    pub rows: Vec<Vec<Cell>>,
    /// The total row, when the table has one.
    pub total: Option<Vec<Cell>>,
}

impl Table {
    /// Replaces every count below `k` with `<k`, and in the same row every money value
    /// (a value shared by two people reveals what each got). Totals are suppressed too
    /// when small, so a ward of three cannot be read off the margins.
    pub fn suppress_below(&mut self, k: u64) {
        if k <= 1 {
            return;
        }
        let rows = self.rows.iter_mut().chain(self.total.iter_mut());
        for row in rows {
            let small = row
                .iter()
                .any(|c| matches!(c, Cell::Count(n) if *n > 0 && *n < k));
            for cell in row.iter_mut() {
                match cell {
                    Cell::Count(n) if *n > 0 && *n < k => *cell = Cell::Suppressed(k),
                    Cell::Money(_) if small => *cell = Cell::Suppressed(k),
                    _ => {}
                }
            }
        }
    }

    /// The sum of a money column over the rows (not the total row).
    pub fn money_sum(&self, column: usize) -> Dong {
        self.rows
            .iter()
            .filter_map(|r| match r.get(column) {
                Some(Cell::Money(d)) => Some(*d),
                _ => None,
            })
            .sum()
    }
}

/// `part / whole` in percent, or None when `whole` is zero.
pub fn percent(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 * 100.0 / whole as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_counts_and_the_values_beside_them_are_withheld() {
        let mut table = Table {
            title: "t",
            columns: vec!["a", "b", "c"],
            rows: vec![
                vec![
                    Cell::Text("Cao Thắng".into()),
                    Cell::Count(3),
                    Cell::Money(Dong(900)),
                ],
                vec![
                    Cell::Text("Hồng Gai".into()),
                    Cell::Count(25),
                    Cell::Money(Dong(5_000)),
                ],
                vec![
                    Cell::Text("Tuần Châu".into()),
                    Cell::Count(0),
                    Cell::Money(Dong(0)),
                ],
            ],
            total: Some(vec![
                Cell::Label("report.total"),
                Cell::Count(28),
                Cell::Money(Dong(5_900)),
            ]),
        };
        table.suppress_below(11);
        assert_eq!(table.rows[0][1], Cell::Suppressed(11));
        assert_eq!(
            table.rows[0][2],
            Cell::Suppressed(11),
            "the value would reveal what three people got"
        );
        assert_eq!(table.rows[1][1], Cell::Count(25));
        assert_eq!(table.rows[2][1], Cell::Count(0), "zero reveals no one");
        assert_eq!(
            table.total.as_ref().map(|t| t[1].clone()),
            Some(Cell::Count(28))
        );
    }

    #[test]
    fn percent_of_nothing_is_none() {
        assert_eq!(percent(1, 0), None);
        assert_eq!(percent(7, 10), Some(70.0));
    }
}
