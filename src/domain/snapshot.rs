//! Every record in memory, with the links between them, so reads, search and
//! dashboards never wait for the disk. The store keeps it in step with what it writes.

use super::links::{Links, Rel};
use super::{Grant, Id, IdMap, LivelihoodPlan, Lookup, Milestone, Person, Referral, Table, Ward};
use crate::text;
use chrono::NaiveDate;
use std::collections::{BTreeMap, HashMap};

#[derive(Clone, Debug, Default)]
pub struct Snapshot {
    pub wards: BTreeMap<String, Ward>,
    pub people: Table<Person>,
    pub plans: Table<LivelihoodPlan>,
    pub grants: Table<Grant>,
    pub milestones: Table<Milestone>,
    pub referrals: Table<Referral>,
    links: IdMap<Links>,
    search_keys: IdMap<String>,
    codes: HashMap<String, Id>,
    /// The highest sequence used after each code prefix: "CT" -> 41 for CT-0041.
    sequences: HashMap<String, u32>,
}

impl Snapshot {
    pub fn is_empty(&self) -> bool {
        self.people.is_empty()
            && self.plans.is_empty()
            && self.grants.is_empty()
            && self.milestones.is_empty()
    }

    pub fn record_count(&self) -> usize {
        self.people.len()
            + self.plans.len()
            + self.grants.len()
            + self.milestones.len()
            + self.referrals.len()
    }

    /// Builds a snapshot from whole tables, computing the links and search keys once.
    pub fn from_tables(
        wards: Vec<Ward>,
        people: Table<Person>,
        plans: Table<LivelihoodPlan>,
        grants: Table<Grant>,
        milestones: Table<Milestone>,
        referrals: Table<Referral>,
    ) -> Snapshot {
        let mut snap = Snapshot {
            wards: wards.into_iter().map(|w| (w.code.clone(), w)).collect(),
            ..Snapshot::default()
        };
        snap.search_keys.reserve(people.len());
        snap.codes.reserve(people.len());
        for p in people.values() {
            snap.search_keys.insert(p.id, search_key(p));
            snap.codes.insert(p.code.clone(), p.id);
            snap.note_code(&p.code);
        }
        for r in plans.values() {
            snap.link(r.person_id, Rel::Plans, r.id);
        }
        for r in grants.values() {
            snap.link(r.person_id, Rel::Grants, r.id);
        }
        for r in milestones.values() {
            snap.link(r.person_id, Rel::Milestones, r.id);
            if let Some(g) = r.grant_id {
                snap.link(g, Rel::Milestones, r.id);
            }
        }
        for r in referrals.values() {
            snap.link(r.person_id, Rel::Referrals, r.id);
        }
        // Vectors grown one push at a time keep spare room: at 18,000 owners it adds up.
        for links in snap.links.values_mut() {
            links.shrink_to_fit();
        }
        Snapshot {
            people,
            plans,
            grants,
            milestones,
            referrals,
            ..snap
        }
    }

    pub fn put_ward(&mut self, ward: Ward) {
        self.wards.insert(ward.code.clone(), ward);
    }

    pub fn put_person(&mut self, person: Person) {
        if let Some(old) = self
            .people
            .get(&person.id)
            .filter(|old| old.code != person.code)
            && self.codes.get(&old.code) == Some(&person.id)
        {
            // Anyone else who has that code keeps it (see below).
            let heir = self
                .people
                .values()
                .find(|p| p.code == old.code && p.id != person.id)
                .map(|p| p.id);
            match heir {
                Some(id) => self.codes.insert(old.code.clone(), id),
                None => self.codes.remove(&old.code),
            };
        }
        // A code two people share after a merge stays with the one who had it first
        // (the supervisor then gives the other a new one).
        self.codes.entry(person.code.clone()).or_insert(person.id);
        self.note_code(&person.code);
        self.search_keys.insert(person.id, search_key(&person));
        self.people.insert(person.id, person);
    }

    pub fn put_plan(&mut self, plan: LivelihoodPlan) {
        if let Some(old) = self
            .plans
            .get(&plan.id)
            .map(|p| p.person_id)
            .filter(|&o| o != plan.person_id)
        {
            self.unlink(old, Rel::Plans, plan.id);
        }
        self.link(plan.person_id, Rel::Plans, plan.id);
        self.plans.insert(plan.id, plan);
    }

    pub fn put_grant(&mut self, grant: Grant) {
        if let Some(old) = self
            .grants
            .get(&grant.id)
            .map(|g| g.person_id)
            .filter(|&o| o != grant.person_id)
        {
            self.unlink(old, Rel::Grants, grant.id);
        }
        self.link(grant.person_id, Rel::Grants, grant.id);
        self.grants.insert(grant.id, grant);
    }

    pub fn put_milestone(&mut self, milestone: Milestone) {
        if let Some(old) = self.milestones.get(&milestone.id) {
            let (person, grant) = (old.person_id, old.grant_id);
            self.unlink(person, Rel::Milestones, milestone.id);
            if let Some(g) = grant {
                self.unlink(g, Rel::Milestones, milestone.id);
            }
        }
        self.link(milestone.person_id, Rel::Milestones, milestone.id);
        if let Some(g) = milestone.grant_id {
            self.link(g, Rel::Milestones, milestone.id);
        }
        self.milestones.insert(milestone.id, milestone);
    }

    pub fn put_referral(&mut self, referral: Referral) {
        if let Some(old) = self
            .referrals
            .get(&referral.id)
            .map(|r| r.person_id)
            .filter(|&o| o != referral.person_id)
        {
            self.unlink(old, Rel::Referrals, referral.id);
        }
        self.link(referral.person_id, Rel::Referrals, referral.id);
        self.referrals.insert(referral.id, referral);
    }

    fn link(&mut self, owner: Id, rel: Rel, id: Id) {
        self.links.entry(owner).or_default().link(rel, id);
    }

    fn unlink(&mut self, owner: Id, rel: Rel, id: Id) {
        if let Some(links) = self.links.get_mut(&owner) {
            links.unlink(rel, id);
        }
    }

    /// The ids of `owner`'s records of one kind, in id order.
    fn linked(&self, owner: Id, rel: Rel) -> &[Id] {
        self.links.get(&owner).map_or(&[], |l| l.part(rel))
    }

    pub fn plans_of(&self, person: Id) -> impl Iterator<Item = &LivelihoodPlan> {
        self.linked(person, Rel::Plans)
            .iter()
            .filter_map(|id| self.plans.get(id))
    }

    pub fn grants_of(&self, person: Id) -> impl Iterator<Item = &Grant> {
        self.linked(person, Rel::Grants)
            .iter()
            .filter_map(|id| self.grants.get(id))
    }

    /// A person's milestones, or a grant's when given a grant id.
    pub fn milestones_of(&self, owner: Id) -> impl Iterator<Item = &Milestone> {
        self.linked(owner, Rel::Milestones)
            .iter()
            .filter_map(|id| self.milestones.get(id))
    }

    pub fn referrals_of(&self, person: Id) -> impl Iterator<Item = &Referral> {
        self.linked(person, Rel::Referrals)
            .iter()
            .filter_map(|id| self.referrals.get(id))
    }

    /// The earliest open milestone of a person: what the people table shows as "next follow-up".
    pub fn next_follow_up(&self, person: Id) -> Option<&Milestone> {
        self.milestones_of(person)
            .filter(|m| m.status.is_open())
            .min_by_key(|m| m.due_on)
    }

    /// The person a record (the person, or their plan, grant, follow-up or referral)
    /// belongs to.
    pub fn person_of_record(&self, id: Id) -> Option<&Person> {
        let owner = self
            .plans
            .get(&id)
            .map(|r| r.person_id)
            .or_else(|| self.grants.get(&id).map(|r| r.person_id))
            .or_else(|| self.milestones.get(&id).map(|r| r.person_id))
            .or_else(|| self.referrals.get(&id).map(|r| r.person_id))
            .unwrap_or(id);
        self.people.get(&owner)
    }

    pub fn person_by_code(&self, code: &str) -> Option<&Person> {
        self.codes.get(code).and_then(|id| self.people.get(id))
    }

    /// Whether the records of this person count in figures, lists and exports: they
    /// exist and were not entered in error.
    pub fn counts(&self, person: Id) -> bool {
        self.people.get(&person).is_some_and(Person::counts)
    }

    /// Someone else already here who is likely the same person (`Person::duplicate_key`);
    /// a record entered in error is no one to be duplicated.
    pub fn likely_duplicate_of(&self, person: &Person) -> Option<&Person> {
        let key = person.duplicate_key();
        self.people
            .values()
            .find(|p| p.id != person.id && p.counts() && p.duplicate_key() == key)
    }

    /// Folded code, name, phone and ward name: what `/` search matches against.
    pub fn search_key(&self, person: Id) -> &str {
        self.search_keys
            .get(&person)
            .map(String::as_str)
            .unwrap_or("")
    }

    /// The wards as people read a list of them: by name in Vietnamese alphabetical
    /// order (Hồng Gai before Hưng Dũng), not by code.
    pub fn wards_in_order(&self) -> Vec<&Ward> {
        let mut wards: Vec<&Ward> = self.wards.values().collect();
        wards.sort_by(|a, b| text::collate(&a.name, &b.name).then_with(|| a.code.cmp(&b.code)));
        wards
    }

    pub fn ward_name<'a>(&'a self, code: &'a str) -> &'a str {
        self.wards
            .get(code)
            .map(|w| w.name.as_str())
            .unwrap_or(code)
    }

    /// The largest sequence number used in codes of this ward (CT-0041 -> 41), whatever
    /// ward their people live in now: codes never change, so they must never repeat.
    pub fn last_sequence_in_ward(&self, ward: &str) -> u32 {
        self.sequences.get(ward).copied().unwrap_or(0)
    }

    fn note_code(&mut self, code: &str) {
        if let Some((prefix, number)) = code.rsplit_once('-')
            && let Ok(n) = number.parse::<u32>()
        {
            let best = self.sequences.entry(prefix.to_string()).or_insert(0);
            *best = (*best).max(n);
        }
    }

    pub fn overdue_count(&self, today: NaiveDate) -> usize {
        self.milestones
            .values()
            .filter(|m| m.is_overdue(today))
            .count()
    }
}

fn search_key(person: &Person) -> String {
    text::fold(&format!(
        "{} {} {} {}",
        person.code, person.full_name, person.phone, person.ward
    ))
}

impl Lookup for Snapshot {
    fn person(&self, id: Id) -> Option<&Person> {
        self.people.get(&id)
    }
    fn plan(&self, id: Id) -> Option<&LivelihoodPlan> {
        self.plans.get(&id)
    }
    fn grant(&self, id: Id) -> Option<&Grant> {
        self.grants.get(&id)
    }
    fn ward_exists(&self, code: &str) -> bool {
        self.wards.contains_key(code)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::domain::*;

    pub fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
    }

    pub fn sample_ward() -> Ward {
        Ward {
            code: "CT".into(),
            name: "Cao Thắng".into(),
            district: "Hạ Long".into(),
            province: "Quảng Ninh".into(),
        }
    }

    pub fn sample_person() -> Person {
        Person {
            id: Id(1),
            code: "CT-0001".into(),
            full_name: "Nguyễn Thị Hoa".into(),
            sex: Sex::Female,
            birth_year: 1995,
            ward: "CT".into(),
            address: "Tổ 5, khu 3".into(),
            phone: "0912 345 678".into(),
            target_groups: vec![TargetGroup::Victim],
            household_note: String::new(),
            consent: Some(Consent {
                given_on: day(2024, 10, 1),
                valid_until: None,
                services: true,
                referrals: true,
                sharing: false,
            }),
            enrolled_on: day(2024, 10, 1),
            status: PersonStatus::Active,
            collaborator: "Trần Thị Lan".into(),
            stamp: Stamp::new(0, "test"),
            entered_in_error: false,
        }
    }

    pub fn sample_plan() -> LivelihoodPlan {
        LivelihoodPlan {
            id: Id(2),
            person_id: Id(1),
            business_line: BusinessLine::Poultry,
            business_detail: String::new(),
            goal: "Nuôi 50 con gà thả vườn".into(),
            budget: Dong(6_000_000),
            counselling_sessions: 2,
            status: PlanStatus::Draft,
            approved_by: String::new(),
            approved_on: None,
            created_on: day(2024, 11, 1),
            stamp: Stamp::new(0, "test"),
        }
    }

    pub fn sample_grant() -> Grant {
        Grant {
            id: Id(3),
            person_id: Id(1),
            plan_id: Some(Id(2)),
            kind: GrantKind::Livestock,
            item: "Gà giống".into(),
            quantity: Quantity::whole(50),
            unit: "con".into(),
            unit_value: Dong(80_000),
            total_value: Dong(4_000_000),
            handed_over_on: day(2025, 1, 1),
            handover_record_no: "BB-01".into(),
            supplier: String::new(),
            card: None,
            stamp: Stamp::new(0, "test"),
        }
    }

    pub fn sample_milestone() -> Milestone {
        Milestone {
            id: Id(4),
            person_id: Id(1),
            grant_id: Some(Id(3)),
            plan_id: Some(Id(2)),
            due_on: day(2025, 2, 1),
            kind: MilestoneKind::HomeVisit,
            months_after: Some(1),
            assigned_to: "Trần Thị Lan".into(),
            status: MilestoneStatus::Planned,
            done_on: None,
            visit: Visit::default(),
            stamp: Stamp::new(0, "test"),
        }
    }

    pub fn sample_referral() -> Referral {
        Referral {
            id: Id(5),
            person_id: Id(1),
            milestone_id: None,
            service: Service::Health,
            to_whom: "Trạm y tế phường".into(),
            made_on: day(2025, 3, 1),
            status: ReferralStatus::Made,
            outcome: String::new(),
            stamp: Stamp::new(0, "test"),
        }
    }

    pub fn sample_snapshot() -> Snapshot {
        let mut snap = Snapshot::default();
        snap.put_ward(sample_ward());
        snap.put_person(sample_person());
        snap.put_plan(sample_plan());
        snap.put_grant(sample_grant());
        snap.put_milestone(sample_milestone());
        snap.put_referral(sample_referral());
        snap
    }

    #[test]
    fn a_person_page_finds_its_linked_records() {
        let snap = sample_snapshot();
        assert_eq!(snap.plans_of(Id(1)).count(), 1);
        assert_eq!(snap.grants_of(Id(1)).count(), 1);
        assert_eq!(snap.milestones_of(Id(1)).count(), 1);
        assert_eq!(snap.milestones_of(Id(3)).count(), 1, "a grant's milestones");
        assert_eq!(snap.referrals_of(Id(1)).count(), 1);
    }

    #[test]
    fn replacing_a_record_does_not_duplicate_its_links() {
        let mut snap = sample_snapshot();
        let mut m = sample_milestone();
        m.status = MilestoneStatus::Done;
        m.done_on = Some(day(2025, 2, 2));
        snap.put_milestone(m);
        assert_eq!(snap.milestones_of(Id(1)).count(), 1);
        assert!(snap.next_follow_up(Id(1)).is_none());
    }

    #[test]
    fn search_keys_are_folded() {
        let snap = sample_snapshot();
        assert!(snap.search_key(Id(1)).contains("nguyen thi hoa"));
        assert!(snap.search_key(Id(1)).contains("ct-0001"));
    }

    #[test]
    fn sequences_continue_from_the_highest_code_in_the_ward() {
        let mut snap = sample_snapshot();
        let mut p = sample_person();
        p.id = Id(9);
        p.code = "CT-0041".into();
        snap.put_person(p);
        assert_eq!(snap.last_sequence_in_ward("CT"), 41);
        assert_eq!(snap.last_sequence_in_ward("TC"), 0);
        // Moving that person to another ward keeps their code taken in CT.
        let mut moved = snap.people[&Id(9)].clone();
        moved.ward = "TC".into();
        snap.put_person(moved);
        assert_eq!(snap.last_sequence_in_ward("CT"), 41);
    }
}
