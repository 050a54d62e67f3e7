//! One table of the Snapshot: records in id order, held in a single vector.
//!
//! Why not a `BTreeMap`: at a province's size the largest table (the follow-up visits)
//! is about 10 MiB, and a map can only be built from a list of rows that is as large
//! again, so loading briefly held it twice; grown one insert at a time, its nodes stay
//! half empty instead. Ids are handed out in ascending order, so a new record is
//! almost always the last: an insert is a push, a lookup a binary search.

use super::Id;

/// Records keyed by id, in ascending id order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Table<T> {
    rows: Vec<(Id, T)>,
}

impl<T> Default for Table<T> {
    fn default() -> Self {
        Table { rows: Vec::new() }
    }
}

impl<T> Table<T> {
    /// Takes rows as read from the store, which come in key order; rows out of order
    /// or repeated (a damaged store) are sorted, and the last of equal ids is kept.
    pub fn from_rows(mut rows: Vec<(Id, T)>) -> Table<T> {
        if !rows.windows(2).all(|w| w[0].0 < w[1].0) {
            rows.sort_by_key(|(id, _)| *id);
            // Keep the last of each run of equal ids, as inserting them in turn would.
            rows.reverse();
            rows.dedup_by_key(|(id, _)| *id);
            rows.reverse();
        }
        Table { rows }
    }

    fn position(&self, id: Id) -> Result<usize, usize> {
        // Fast path for the common case of the newest record.
        match self.rows.last() {
            Some((last, _)) if *last < id => Err(self.rows.len()),
            _ => self.rows.binary_search_by_key(&id, |(k, _)| *k),
        }
    }

    pub fn get(&self, id: &Id) -> Option<&T> {
        self.position(*id).ok().map(|i| &self.rows[i].1)
    }

    pub fn get_mut(&mut self, id: &Id) -> Option<&mut T> {
        self.position(*id).ok().map(|i| &mut self.rows[i].1)
    }

    pub fn contains_key(&self, id: &Id) -> bool {
        self.position(*id).is_ok()
    }

    /// Adds or replaces the record with this id; returns the one replaced.
    pub fn insert(&mut self, id: Id, record: T) -> Option<T> {
        match self.position(id) {
            Ok(i) => Some(std::mem::replace(&mut self.rows[i].1, record)),
            Err(i) => {
                self.rows.insert(i, (id, record));
                None
            }
        }
    }

    /// Keeps only the records for which `keep` holds.
    pub fn retain(&mut self, mut keep: impl FnMut(&T) -> bool) {
        self.rows.retain(|(_, record)| keep(record));
        self.rows.shrink_to_fit();
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &Id> + ExactSizeIterator {
        self.rows.iter().map(|(id, _)| id)
    }

    pub fn values(&self) -> impl DoubleEndedIterator<Item = &T> + ExactSizeIterator {
        self.rows.iter().map(|(_, record)| record)
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&Id, &T)> + ExactSizeIterator {
        self.rows.iter().map(|(id, record)| (id, record))
    }
}

/// `table[&id]`, as with a map: panics when the id is absent (tests and known ids only).
impl<T> std::ops::Index<&Id> for Table<T> {
    type Output = T;
    fn index(&self, id: &Id) -> &T {
        self.get(id).expect("no record with this id")
    }
}

impl<T> FromIterator<(Id, T)> for Table<T> {
    fn from_iter<I: IntoIterator<Item = (Id, T)>>(iter: I) -> Self {
        Table::from_rows(iter.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_finds_inserts_and_replaces_by_id_in_id_order() {
        let mut t: Table<&str> = Table::default();
        assert_eq!(t.insert(Id(5), "five"), None);
        assert_eq!(t.insert(Id(9), "nine"), None);
        assert_eq!(
            t.insert(Id(1), "one"),
            None,
            "an older id goes in its place"
        );
        assert_eq!(
            t.insert(Id(5), "FIVE"),
            Some("five"),
            "the same id replaces"
        );
        assert_eq!(t.len(), 3);
        assert_eq!(t.get(&Id(5)), Some(&"FIVE"));
        assert_eq!(t.get(&Id(4)), None);
        assert_eq!(t.get(&Id(10)), None);
        assert!(t.contains_key(&Id(1)));
        assert_eq!(t.keys().copied().collect::<Vec<_>>(), [Id(1), Id(5), Id(9)]);
        *t.get_mut(&Id(9)).expect("present") = "NINE";
        assert_eq!(
            t.values().copied().collect::<Vec<_>>(),
            ["one", "FIVE", "NINE"]
        );
    }

    #[test]
    fn rows_out_of_order_or_repeated_are_sorted_keeping_the_last() {
        let t = Table::from_rows(vec![(Id(3), "c"), (Id(1), "a"), (Id(3), "C"), (Id(2), "b")]);
        assert_eq!(
            t.iter().map(|(id, v)| (id.0, *v)).collect::<Vec<_>>(),
            [(1, "a"), (2, "b"), (3, "C")]
        );
    }
}
