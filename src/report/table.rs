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
    /// A small count withheld: shown as "<K".
    Suppressed(u64),
    /// A figure withheld because a small count could be worked out from it: a total
    /// minus the other parts, or a value given to a few people. Shown as "x".
    Withheld,
}

impl Cell {
    fn hidden(&self) -> bool {
        matches!(self, Cell::Suppressed(_) | Cell::Withheld)
    }

    /// A count or an amount that may still be shown, with its size; zero never is a
    /// candidate for withholding (it reveals no one, and hiding it protects nothing).
    fn shown_figure(&self) -> Option<i128> {
        match self {
            Cell::Count(n) if *n > 0 => Some(i128::from(*n)),
            Cell::Money(d) if d.0 != 0 => Some(i128::from(d.0)),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    /// i18n key of the table's title.
    pub title: &'static str,
    /// i18n keys of the column headers.
    pub columns: Vec<&'static str>,
    pub rows: Vec<Vec<Cell>>,
    /// The total row, when the table has one: each of its figures is the sum of the
    /// column above it.
    pub total: Option<Vec<Cell>>,
    /// In every row, column `.0` is the sum of the columns `.1` (a count by sex).
    pub parts: Vec<(usize, Vec<usize>)>,
    /// Money column `.0` is what the people counted in column `.1` received.
    pub value_of: Vec<(usize, usize)>,
    /// Percent column `.0` is column `.1` out of column `.2` (an indicator, a rate).
    pub shares: Vec<(usize, usize, usize)>,
}

impl Table {
    /// Replaces every count below `k` with `<k`, then withholds (`x`) whatever would let
    /// a reader work one out: the value given to those few people, and, wherever a sum
    /// (a row's total by sex, a column's total) has exactly one figure hidden, a second
    /// figure of that sum (the smallest), until no hidden count can be recomputed.
    /// A share whose count is hidden is withheld too, or the share and the other count
    /// would give it back. A list of records (the overdue list, by code) has neither a
    /// total nor shares: it counts no people, and is left as is.
    pub fn suppress_below(&mut self, k: u64) {
        if k <= 1 || (self.total.is_none() && self.shares.is_empty()) {
            return;
        }
        for row in self.all_rows() {
            for cell in row.iter_mut() {
                if matches!(cell, Cell::Count(n) if *n > 0 && *n < k) {
                    *cell = Cell::Suppressed(k);
                }
            }
        }
        // Each pass only hides more, so this ends; a table has a few dozen cells.
        while self.withhold_values() | self.protect_sums() {}
        self.withhold_shares();
    }

    fn withhold_shares(&mut self) {
        let shares = self.shares.clone();
        for row in self.all_rows() {
            for &(share, part, whole) in &shares {
                let revealing = [part, whole]
                    .iter()
                    .any(|&c| row.get(c).is_some_and(Cell::hidden));
                if let Some(cell) = row.get_mut(share).filter(|_| revealing) {
                    *cell = Cell::Withheld;
                }
            }
        }
    }

    fn all_rows(&mut self) -> impl Iterator<Item = &mut Vec<Cell>> {
        self.rows.iter_mut().chain(self.total.iter_mut())
    }

    /// Money given to people whose count is hidden. Whether anything changed.
    fn withhold_values(&mut self) -> bool {
        let links = self.value_of.clone();
        let mut changed = false;
        for row in self.all_rows() {
            for &(money, count) in &links {
                let count_hidden = row.get(count).is_some_and(Cell::hidden);
                if let Some(cell) = row.get_mut(money).filter(|c| count_hidden && !c.hidden()) {
                    *cell = Cell::Withheld;
                    changed = true;
                }
            }
        }
        changed
    }

    /// Every sum with exactly one hidden figure gets a second. Whether anything changed.
    fn protect_sums(&mut self) -> bool {
        let mut sums: Vec<Vec<(usize, usize)>> = Vec::new();
        let row_count = self.rows.len() + usize::from(self.total.is_some());
        for r in 0..row_count {
            for (total, parts) in &self.parts {
                sums.push(
                    std::iter::once(*total)
                        .chain(parts.iter().copied())
                        .map(|c| (r, c))
                        .collect(),
                );
            }
        }
        if let Some(total) = &self.total {
            for (c, cell) in total.iter().enumerate() {
                if matches!(cell, Cell::Count(_) | Cell::Money(_)) || cell.hidden() {
                    sums.push((0..row_count).map(|r| (r, c)).collect());
                }
            }
        }
        let mut changed = false;
        for sum in sums {
            let hidden = sum
                .iter()
                .filter(|&&(r, c)| self.cell(r, c).hidden())
                .count();
            if hidden != 1 {
                continue;
            }
            let smallest = sum
                .iter()
                .filter_map(|&(r, c)| self.cell(r, c).shown_figure().map(|v| (v, r, c)))
                .min();
            if let Some(cell) =
                smallest.and_then(|(_, r, c)| self.all_rows().nth(r).and_then(|row| row.get_mut(c)))
            {
                *cell = Cell::Withheld;
                changed = true;
            }
        }
        changed
    }

    /// Row `r` (the total row after the others), column `c`.
    fn cell(&self, r: usize, c: usize) -> &Cell {
        const NONE: &Cell = &Cell::Text(String::new());
        self.rows
            .iter()
            .chain(self.total.iter())
            .nth(r)
            .and_then(|row| row.get(c))
            .unwrap_or(NONE)
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

    fn count(n: u64) -> Cell {
        Cell::Count(n)
    }

    #[test]
    fn small_counts_and_what_they_received_are_withheld_and_the_sums_protected() {
        let mut table = Table {
            title: "t",
            columns: vec!["a", "b", "c"],
            rows: vec![
                vec![
                    Cell::Text("Cao Thắng".into()),
                    count(3),
                    Cell::Money(Dong(900)),
                ],
                vec![
                    Cell::Text("Hồng Gai".into()),
                    count(25),
                    Cell::Money(Dong(5_000)),
                ],
                vec![
                    Cell::Text("Tuần Châu".into()),
                    count(0),
                    Cell::Money(Dong(0)),
                ],
            ],
            total: Some(vec![
                Cell::Label("report.total"),
                count(28),
                Cell::Money(Dong(5_900)),
            ]),
            parts: Vec::new(),
            value_of: vec![(2, 1)],
            shares: Vec::new(),
        };
        table.suppress_below(11);
        assert_eq!(table.rows[0][1], Cell::Suppressed(11));
        assert_eq!(table.rows[0][2], Cell::Withheld, "what three people got");
        assert_eq!(table.rows[2][1], count(0), "zero reveals no one");
        // 28 - 25 would give the 3 back, and 5,900 - 5,000 their 900 đồng.
        assert_eq!(table.rows[1][1], Cell::Withheld);
        assert_eq!(table.rows[1][2], Cell::Withheld);
        let total = table.total.as_ref().expect("total");
        assert_eq!(total[1], count(28));
        assert_eq!(total[2], Cell::Money(Dong(5_900)));
    }

    #[test]
    fn a_small_count_cannot_be_recomputed_from_its_row_or_column_totals() {
        // women, men, other, all: 9 men among 82 victims, 10 women among 25 in families.
        let mut table = Table {
            title: "t",
            columns: vec!["group", "f", "m", "o", "all"],
            rows: vec![
                vec![
                    Cell::Label("victim"),
                    count(73),
                    count(9),
                    count(0),
                    count(82),
                ],
                vec![
                    Cell::Label("family"),
                    count(10),
                    count(15),
                    count(0),
                    count(25),
                ],
            ],
            total: Some(vec![
                Cell::Label("total"),
                count(83),
                count(24),
                count(0),
                count(107),
            ]),
            parts: vec![(4, vec![1, 2, 3])],
            value_of: Vec::new(),
            shares: Vec::new(),
        };
        table.suppress_below(11);
        let x = Cell::Withheld;
        let small = Cell::Suppressed(11);
        assert_eq!(
            table.rows[0][1..],
            [x.clone(), small.clone(), count(0), count(82)]
        );
        assert_eq!(table.rows[1][1..], [small, x, count(0), count(25)]);
        assert_eq!(
            table.total.as_ref().expect("total")[1..],
            [count(83), count(24), count(0), count(107)],
            "two unknowns in every row and column: no single one follows"
        );
    }

    #[test]
    fn a_list_of_records_is_left_as_it_is() {
        let mut table = Table {
            title: "t",
            columns: vec!["code", "days"],
            rows: vec![vec![Cell::Text("CT-0001".into()), count(3)]],
            total: None,
            parts: Vec::new(),
            value_of: Vec::new(),
            shares: Vec::new(),
        };
        table.suppress_below(11);
        assert_eq!(table.rows[0][1], count(3));
    }

    #[test]
    fn a_share_of_a_hidden_count_is_withheld() {
        let mut table = Table {
            title: "t",
            columns: vec!["indicator", "served", "of", "share"],
            rows: vec![
                vec![
                    Cell::Label("few"),
                    count(3),
                    count(40),
                    Cell::Percent(percent(3, 40)),
                ],
                vec![
                    Cell::Label("many"),
                    count(30),
                    count(40),
                    Cell::Percent(percent(30, 40)),
                ],
            ],
            total: None,
            parts: Vec::new(),
            value_of: Vec::new(),
            shares: vec![(3, 1, 2)],
        };
        table.suppress_below(11);
        assert_eq!(
            table.rows[0][1..],
            [Cell::Suppressed(11), count(40), Cell::Withheld]
        );
        assert_eq!(table.rows[1][3], Cell::Percent(Some(75.0)));
    }

    #[test]
    fn percent_of_nothing_is_none() {
        assert_eq!(percent(1, 0), None);
        assert_eq!(percent(7, 10), Some(70.0));
    }
}
