//! Text normalisation of whole records: every string NFC, trimmed, single-spaced
//! (notes keep their line breaks). The store tidies each record before it validates.

use super::{Grant, LivelihoodPlan, Milestone, Person, Referral, Ward};
use crate::text::{clean, nfc};

pub trait Tidy {
    fn tidy(&mut self);
}

fn tidy_all(fields: &mut [&mut String]) {
    for f in fields {
        **f = clean(f);
    }
}

fn tidy_note(note: &mut String) {
    *note = nfc(note.trim());
}

impl Tidy for Ward {
    fn tidy(&mut self) {
        tidy_all(&mut [&mut self.name, &mut self.district, &mut self.province]);
        self.code = clean(&self.code).to_uppercase();
    }
}

impl Tidy for Person {
    fn tidy(&mut self) {
        tidy_all(&mut [
            &mut self.code,
            &mut self.full_name,
            &mut self.ward,
            &mut self.address,
            &mut self.phone,
            &mut self.collaborator,
        ]);
        tidy_note(&mut self.household_note);
        self.ward = self.ward.to_uppercase();
        self.code = self.code.to_uppercase();
        let mut seen = Vec::new();
        self.target_groups.retain(|g| {
            let first = !seen.contains(g);
            seen.push(*g);
            first
        });
    }
}

impl Tidy for LivelihoodPlan {
    fn tidy(&mut self) {
        tidy_all(&mut [&mut self.business_detail, &mut self.approved_by]);
        tidy_note(&mut self.goal);
    }
}

impl Tidy for Grant {
    fn tidy(&mut self) {
        tidy_all(&mut [
            &mut self.item,
            &mut self.unit,
            &mut self.handover_record_no,
            &mut self.supplier,
        ]);
        if let Some(card) = &mut self.card {
            tidy_all(&mut [&mut card.number]);
        }
    }
}

impl Tidy for Milestone {
    fn tidy(&mut self) {
        tidy_all(&mut [
            &mut self.assigned_to,
            &mut self.visit.done_by,
            &mut self.visit.reason,
        ]);
        tidy_note(&mut self.visit.notes);
    }
}

impl Tidy for Referral {
    fn tidy(&mut self) {
        tidy_all(&mut [&mut self.to_whom]);
        tidy_note(&mut self.outcome);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::snapshot::tests::sample_person;

    #[test]
    fn a_tidied_person_is_nfc_trimmed_and_has_no_repeated_groups() {
        let mut p = sample_person();
        p.full_name = "  Nguye\u{0302}\u{0303}n   Thị Hoa ".into();
        p.ward = " ct".into();
        p.target_groups = vec![
            crate::domain::TargetGroup::Victim,
            crate::domain::TargetGroup::Victim,
        ];
        p.tidy();
        assert_eq!(p.full_name, "Nguyễn Thị Hoa");
        assert_eq!(p.ward, "CT");
        assert_eq!(p.target_groups.len(), 1);
    }
}
