//! The records that hang off a person or a grant, kept as one short list per owner.
//!
//! A province has some 18,000 owners (people and grants). Four vectors each cost 96
//! bytes and up to four allocations per owner; one vector cut into four parts costs
//! 40 bytes and one allocation, which is a megabyte or two at that size.

use super::Id;

/// Which records a part of the list holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Rel {
    Plans = 0,
    Grants = 1,
    Milestones = 2,
    Referrals = 3,
}

/// Plans, then grants, then milestones, then referrals, each part in id order.
#[derive(Clone, Debug, Default)]
pub(crate) struct Links {
    ids: Vec<Id>,
    /// Where each part ends in `ids`.
    ends: [u32; 4],
}

impl Links {
    fn bounds(&self, rel: Rel) -> (usize, usize) {
        let k = rel as usize;
        let start = if k == 0 { 0 } else { self.ends[k - 1] };
        (start as usize, self.ends[k] as usize)
    }

    pub fn part(&self, rel: Rel) -> &[Id] {
        let (start, end) = self.bounds(rel);
        &self.ids[start..end]
    }

    /// Adds `id` to its part, once.
    pub fn link(&mut self, rel: Rel, id: Id) {
        let (start, _) = self.bounds(rel);
        if let Err(pos) = self.part(rel).binary_search(&id) {
            self.ids.insert(start + pos, id);
            for end in &mut self.ends[rel as usize..] {
                *end += 1;
            }
        }
    }

    pub fn unlink(&mut self, rel: Rel, id: Id) {
        let (start, _) = self.bounds(rel);
        if let Ok(pos) = self.part(rel).binary_search(&id) {
            self.ids.remove(start + pos);
            for end in &mut self.ends[rel as usize..] {
                *end -= 1;
            }
        }
    }

    pub fn shrink_to_fit(&mut self) {
        self.ids.shrink_to_fit();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_part_keeps_its_own_ids_in_order_whatever_order_they_come_in() {
        let mut links = Links::default();
        links.link(Rel::Milestones, Id(30));
        links.link(Rel::Plans, Id(2));
        links.link(Rel::Milestones, Id(10));
        links.link(Rel::Referrals, Id(7));
        links.link(Rel::Grants, Id(5));
        links.link(Rel::Plans, Id(1));
        links.link(Rel::Milestones, Id(10)); // twice: still once
        assert_eq!(links.part(Rel::Plans), [Id(1), Id(2)]);
        assert_eq!(links.part(Rel::Grants), [Id(5)]);
        assert_eq!(links.part(Rel::Milestones), [Id(10), Id(30)]);
        assert_eq!(links.part(Rel::Referrals), [Id(7)]);

        links.unlink(Rel::Plans, Id(2));
        links.unlink(Rel::Grants, Id(99)); // absent: nothing changes
        links.unlink(Rel::Milestones, Id(10));
        assert_eq!(links.part(Rel::Plans), [Id(1)]);
        assert_eq!(links.part(Rel::Grants), [Id(5)]);
        assert_eq!(links.part(Rel::Milestones), [Id(30)]);
        assert_eq!(links.part(Rel::Referrals), [Id(7)]);
    }
}
