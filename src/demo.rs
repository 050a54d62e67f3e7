//! Invented, deterministic demo data: people over the wards of the programme with
//! Vietnamese names, plans, grants in kind, and follow-up visits (some done, some
//! overdue), all relative to `today`. Same seed and day, same data, byte for byte.

use crate::domain::dates::add_months;
use crate::domain::*;
use crate::store::Change;
use crate::text::clean;
use chrono::{Days, NaiveDate, NaiveTime};

const WARDS: &str = include_str!("../assets/demo/wards.txt");
const NAMES: &str = include_str!("../assets/demo/names.txt");

/// SplitMix64: tiny, and its sequence never changes with a crate upgrade.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in lo..=hi.
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next() % ((hi - lo + 1) as u64)) as i64
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next() % items.len() as u64) as usize]
    }

    /// Picks by weight: [(value, weight)].
    fn weighted<T: Copy>(&mut self, items: &[(T, u64)]) -> T {
        let total: u64 = items.iter().map(|(_, w)| w).sum();
        let mut roll = self.next() % total;
        for (item, weight) in items {
            if roll < *weight {
                return *item;
            }
            roll -= weight;
        }
        items[0].0
    }
}

struct Names {
    family: Vec<String>,
    middle_female: Vec<String>,
    middle_male: Vec<String>,
    given_female: Vec<String>,
    given_male: Vec<String>,
    collaborators: Vec<String>,
    supervisors: Vec<String>,
    streets: Vec<String>,
}

impl Names {
    fn load() -> Names {
        let field = |name: &str, sep: char| -> Vec<String> {
            NAMES
                .lines()
                .find_map(|l| l.strip_prefix(name)?.trim_start().strip_prefix('='))
                .map(|v| v.split(sep).map(clean).filter(|s| !s.is_empty()).collect())
                .unwrap_or_default()
        };
        Names {
            family: field("family", ' '),
            middle_female: field("middle_female", ' '),
            middle_male: field("middle_male", ' '),
            given_female: field("given_female", ' '),
            given_male: field("given_male", ' '),
            collaborators: field("collaborators", '|'),
            supervisors: field("supervisors", '|'),
            streets: field("streets", '|'),
        }
    }
}

pub fn wards() -> Vec<Ward> {
    WARDS
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| {
            let mut parts = l.split('|').map(clean);
            Some(Ward {
                code: parts.next()?,
                name: parts.next()?,
                district: parts.next()?,
                province: parts.next()?,
            })
        })
        .collect()
}

struct Builder<'a> {
    rng: Rng,
    names: &'a Names,
    today: NaiveDate,
    out: Vec<Change>,
}

impl Builder<'_> {
    fn stamp(&mut self, on: NaiveDate, by: &str) -> Stamp {
        let millis = on.and_time(NaiveTime::MIN).and_utc().timestamp_millis()
            + self.rng.range(8, 17) * 3_600_000;
        Stamp::new(millis, by)
    }

    fn id(&mut self, stamp: &Stamp) -> Id {
        let random = ((self.rng.next() as u128) << 64) | self.rng.next() as u128;
        Id::from_parts(stamp.created_at.max(0) as u64, random)
    }

    fn days_before_today(&mut self, lo: i64, hi: i64) -> NaiveDate {
        let back = self.rng.range(lo, hi) as u64;
        self.today
            .checked_sub_days(Days::new(back))
            .unwrap_or(self.today)
    }

    fn between(&mut self, from: NaiveDate, to: NaiveDate) -> NaiveDate {
        let span = (to - from).num_days().max(0);
        from.checked_add_days(Days::new(self.rng.range(0, span) as u64))
            .unwrap_or(from)
    }

    fn person(&mut self, ward: &Ward, sequence: u32) -> Person {
        use TargetGroup::*;
        let group = self.rng.weighted(&[
            (Victim, 30),
            (SuspectedVictim, 15),
            (AtRisk, 35),
            (ChildOfVictim, 12),
            (FamilyMember, 8),
        ]);
        let sex = match group {
            Victim | SuspectedVictim => self.rng.weighted(&[(Sex::Female, 85), (Sex::Male, 15)]),
            _ => self.rng.weighted(&[(Sex::Female, 55), (Sex::Male, 45)]),
        };
        let year = self
            .today
            .format("%Y")
            .to_string()
            .parse::<i64>()
            .unwrap_or(2025);
        let birth_year = match group {
            ChildOfVictim => self.rng.range(year - 17, year - 4),
            AtRisk => self.rng.range(year - 40, year - 15),
            _ => self.rng.range(year - 60, year - 18),
        } as i32;
        let n = self.names;
        let (middle, given) = match sex {
            Sex::Male => (&n.middle_male, &n.given_male),
            _ => (&n.middle_female, &n.given_female),
        };
        let full_name = format!(
            "{} {} {}",
            self.rng.pick(&n.family),
            self.rng.pick(middle),
            self.rng.pick(given)
        );
        let enrolled_on = self.days_before_today(30, 1000);
        let collaborator = self.rng.pick(&n.collaborators).clone();
        let mut groups = vec![group];
        if group == Victim && self.rng.chance(10) {
            groups.push(FamilyMember);
        }
        let consent = (!self.rng.chance(12)).then(|| {
            let expired = self.rng.chance(8);
            Consent {
                given_on: enrolled_on,
                valid_until: Some(if expired {
                    self.today
                        .checked_sub_days(Days::new(self.rng.range(5, 60) as u64))
                        .unwrap_or(self.today)
                } else {
                    add_months(enrolled_on, 60)
                })
                .filter(|until| *until >= enrolled_on),
                services: true,
                referrals: !self.rng.chance(10),
                sharing: self.rng.chance(40),
            }
        });
        let stamp = self.stamp(enrolled_on, &collaborator);
        Person {
            id: self.id(&stamp),
            code: format!("{}-{:04}", ward.code, sequence),
            full_name,
            sex,
            birth_year,
            ward: ward.code.clone(),
            address: format!("{}, {}", self.rng.pick(&n.streets), ward.name),
            phone: if group == ChildOfVictim {
                String::new()
            } else {
                format!("09{:08}", self.rng.range(0, 99_999_999))
            },
            target_groups: groups,
            household_note: String::new(),
            consent,
            enrolled_on,
            status: self.rng.weighted(&[
                (PersonStatus::Active, 88),
                (PersonStatus::Exited, 7),
                (PersonStatus::LostContact, 5),
            ]),
            collaborator,
            stamp,
            entered_in_error: false,
        }
    }

    fn plan(&mut self, person: &Person) -> LivelihoodPlan {
        use BusinessLine::*;
        let line = self.rng.weighted(&[
            (Poultry, 22),
            (DrinksStall, 16),
            (FoodTrade, 14),
            (SeafoodProcessing, 12),
            (PigRaising, 10),
            (Tailoring, 8),
            (Grocery, 8),
            (Hairdressing, 5),
            (Farming, 5),
        ]);
        let goal = match line {
            Poultry => format!(
                "Nuôi {} con gà thả vườn, bán trứng và gà thịt",
                self.rng.range(3, 10) * 10
            ),
            DrinksStall => "Mở quán nước giải khát trước nhà".to_string(),
            FoodTrade => "Buôn bán thực phẩm ở chợ phường".to_string(),
            SeafoodProcessing => "Sơ chế, phơi khô hải sản bán cho thương lái".to_string(),
            PigRaising => format!("Nuôi {} con lợn thịt", self.rng.range(2, 6)),
            Tailoring => "Nhận may, sửa quần áo tại nhà".to_string(),
            Grocery => "Mở quầy tạp hóa nhỏ".to_string(),
            Hairdressing => "Mở tiệm cắt tóc, gội đầu".to_string(),
            _ => "Trồng rau sạch bán ở chợ".to_string(),
        };
        let created_on = self.between(person.enrolled_on, self.today);
        let status = self.rng.weighted(&[
            (PlanStatus::Draft, 15),
            (PlanStatus::Approved, 15),
            (PlanStatus::Active, 50),
            (PlanStatus::Completed, 15),
            (PlanStatus::Dropped, 5),
        ]);
        let approved = matches!(
            status,
            PlanStatus::Approved | PlanStatus::Active | PlanStatus::Completed
        ) || (status == PlanStatus::Dropped && self.rng.chance(50));
        let approved_on = approved.then(|| self.between(created_on, self.today));
        let supervisor = self.rng.pick(&self.names.supervisors).clone();
        let stamp = self.stamp(created_on, &person.collaborator);
        LivelihoodPlan {
            id: self.id(&stamp),
            person_id: person.id,
            business_line: line,
            business_detail: String::new(),
            goal,
            budget: Dong(self.rng.range(30, 150) * 100_000),
            counselling_sessions: self.rng.range(1, 4) as u16,
            status,
            approved_by: if approved { supervisor } else { String::new() },
            approved_on,
            created_on,
            stamp,
        }
    }

    /// What a business line is typically given: kind, item, unit, quantity range, unit value range.
    fn grant_items(
        line: BusinessLine,
    ) -> &'static [(GrantKind, &'static str, &'static str, i64, i64, i64, i64)] {
        use BusinessLine::*;
        use GrantKind::*;
        match line {
            Poultry => &[
                (Livestock, "Gà giống", "con", 30, 100, 50_000, 90_000),
                (
                    Equipment,
                    "Chuồng trại, máng ăn",
                    "bộ",
                    1,
                    1,
                    1_500_000,
                    3_000_000,
                ),
            ],
            PigRaising => &[
                (Livestock, "Lợn giống", "con", 2, 5, 2_000_000, 3_000_000),
                (
                    Equipment,
                    "Máng ăn, dụng cụ chuồng",
                    "bộ",
                    1,
                    1,
                    800_000,
                    1_500_000,
                ),
            ],
            DrinksStall => &[
                (Equipment, "Tủ lạnh", "chiếc", 1, 1, 5_000_000, 8_000_000),
                (Equipment, "Bàn ghế", "bộ", 1, 2, 1_200_000, 2_500_000),
                (
                    SeedCapital,
                    "Vốn nhập hàng",
                    "lần",
                    1,
                    1,
                    2_000_000,
                    4_000_000,
                ),
            ],
            SeafoodProcessing => &[
                (Equipment, "Tủ đông", "chiếc", 1, 1, 7_000_000, 10_000_000),
                (Equipment, "Giàn phơi", "bộ", 1, 2, 800_000, 1_500_000),
            ],
            FoodTrade => &[
                (
                    SeedCapital,
                    "Vốn kinh doanh",
                    "lần",
                    1,
                    1,
                    3_000_000,
                    6_000_000,
                ),
                (
                    Equipment,
                    "Xe đẩy hàng",
                    "chiếc",
                    1,
                    1,
                    2_500_000,
                    4_000_000,
                ),
            ],
            Tailoring => &[
                (
                    Equipment,
                    "Máy may công nghiệp",
                    "chiếc",
                    1,
                    1,
                    4_500_000,
                    7_000_000,
                ),
                (Training, "Khóa học may", "khóa", 1, 1, 1_500_000, 3_000_000),
            ],
            Grocery => &[
                (
                    SeedCapital,
                    "Vốn nhập hàng",
                    "lần",
                    1,
                    1,
                    3_000_000,
                    6_000_000,
                ),
                (Equipment, "Kệ hàng", "bộ", 1, 2, 900_000, 1_800_000),
            ],
            Hairdressing => &[
                (
                    Equipment,
                    "Ghế và dụng cụ cắt tóc",
                    "bộ",
                    1,
                    1,
                    3_000_000,
                    5_000_000,
                ),
                (
                    Training,
                    "Khóa học cắt tóc",
                    "khóa",
                    1,
                    1,
                    2_000_000,
                    3_500_000,
                ),
            ],
            _ => &[
                (
                    Equipment,
                    "Máy bơm, dụng cụ",
                    "bộ",
                    1,
                    1,
                    2_000_000,
                    3_500_000,
                ),
                (
                    SeedCapital,
                    "Giống cây, phân bón",
                    "lần",
                    1,
                    1,
                    1_000_000,
                    2_000_000,
                ),
            ],
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn grant(
        &mut self,
        person: &Person,
        plan: Option<&LivelihoodPlan>,
        kind: GrantKind,
        item: &str,
        unit: &str,
        qty: (i64, i64),
        value: (i64, i64),
        from: NaiveDate,
    ) -> Option<Grant> {
        if from > self.today {
            return None;
        }
        let quantity = Quantity::whole(self.rng.range(qty.0, qty.1).max(0) as u64);
        let unit_value = Dong(self.rng.range(value.0 / 10_000, value.1 / 10_000) * 10_000);
        let handed_over_on = self.between(from, self.today);
        let stamp = self.stamp(handed_over_on, &person.collaborator);
        Some(Grant {
            id: self.id(&stamp),
            person_id: person.id,
            plan_id: plan.map(|p| p.id),
            kind,
            item: item.to_string(),
            quantity,
            unit: unit.to_string(),
            unit_value,
            total_value: Grant::computed_total(quantity, unit_value).unwrap_or_default(),
            handed_over_on,
            handover_record_no: format!(
                "BB-{}-{:03}",
                handed_over_on.format("%Y"),
                self.rng.range(1, 999)
            ),
            supplier: String::new(),
            // A one-year card from the handover; its number is made up from the person's code.
            card: (kind == GrantKind::HealthInsurance).then(|| InsuranceCard {
                number: format!("DN4{:012}", person.id.0 % 1_000_000_000_000),
                valid_from: Some(handed_over_on),
                valid_until: add_months(handed_over_on, 12).pred_opt(),
            }),
            stamp,
        })
    }

    /// The grant's schedule, with visits that fell due mostly done, some missed, some overdue.
    fn follow_ups(&mut self, person: &Person, grant: &Grant) {
        let schedule = Schedule::default(); // the per-kind defaults
        let mut alive = u32::try_from(grant.quantity.whole_units()).unwrap_or(u32::MAX);
        let mut operating = true;
        let visits = schedule.milestones_for(grant, &person.collaborator, &grant.stamp, || Id::NEW);
        for mut m in visits {
            let mut referral = None;
            m.stamp = self.stamp(grant.handed_over_on, &person.collaborator);
            m.id = self.id(&m.stamp);
            if m.due_on < self.today {
                // Visits long past due were done (late) or given up on; recent ones may be open.
                let long_ago = (self.today - m.due_on).num_days() > 90;
                let roll = self.rng.next() % if long_ago { 82 } else { 100 };
                if roll < 74 {
                    let done_on = m
                        .due_on
                        .checked_add_days(Days::new(self.rng.range(0, 20) as u64))
                        .unwrap_or(m.due_on);
                    let done_on = done_on.min(self.today);
                    if self.rng.chance(8) {
                        operating = false;
                    }
                    if grant.is_livestock() {
                        alive = alive.saturating_sub((self.rng.range(0, 12) as u32 * alive) / 100);
                    }
                    m.status = MilestoneStatus::Done;
                    m.done_on = Some(done_on);
                    m.visit = Visit {
                        done_by: person.collaborator.clone(),
                        business_operating: (grant.plan_id.is_some()).then_some(operating),
                        animals_alive: grant.is_livestock().then_some(alive),
                        monthly_income: (grant.plan_id.is_some() && operating)
                            .then(|| Dong(self.rng.range(15, 60) * 100_000)),
                        notes: if operating {
                            "Hoạt động ổn định".into()
                        } else {
                            "Đã ngừng kinh doanh".into()
                        },
                        referral_needed: self.rng.chance(10).then(|| *self.rng.pick(Service::ALL)),
                        reason: String::new(),
                    };
                    m.stamp = self.stamp(done_on, &person.collaborator);
                    if let (Some(service), true) = (
                        m.visit.referral_needed,
                        person.consents_to_referral(done_on),
                    ) {
                        referral = Some((service, done_on));
                    }
                } else if roll < 82 {
                    m.status = MilestoneStatus::Missed;
                    m.visit.reason = self
                        .rng
                        .pick(&["Đi làm xa", "Không có nhà", "Gia đình chuyển chỗ ở tạm"])
                        .to_string();
                }
            }
            self.out.push(Change::Milestone(m.clone()));
            if let Some((service, on)) = referral {
                self.referral(person, &m, service, on);
            }
        }
    }

    fn referral(
        &mut self,
        person: &Person,
        visit: &Milestone,
        service: Service,
        made_on: NaiveDate,
    ) {
        let to_whom = match service {
            Service::Health => "Trạm y tế phường",
            Service::Psychological => "Trung tâm Công tác xã hội tỉnh",
            Service::Legal => "Trung tâm Trợ giúp pháp lý",
            Service::Education => "Trường THCS trên địa bàn",
            Service::Vocational => "Trung tâm Giáo dục nghề nghiệp",
            Service::Loan => "Ngân hàng Chính sách xã hội",
            Service::Other => "Hội Liên hiệp Phụ nữ phường",
        };
        let stamp = self.stamp(made_on, &person.collaborator);
        let status = self.rng.weighted(&[
            (ReferralStatus::Made, 30),
            (ReferralStatus::Accepted, 25),
            (ReferralStatus::Done, 40),
            (ReferralStatus::Refused, 5),
        ]);
        let id = self.id(&stamp);
        self.out.push(Change::Referral(Referral {
            id,
            person_id: person.id,
            milestone_id: Some(visit.id),
            service,
            to_whom: to_whom.into(),
            made_on,
            status,
            outcome: if status == ReferralStatus::Done {
                "Đã được hỗ trợ".into()
            } else {
                String::new()
            },
            stamp,
        }));
    }
}

/// `people` invented people with their plans, grants, follow-ups and referrals.
pub fn generate(people: usize, seed: u64, today: NaiveDate) -> Vec<Change> {
    generate_in(&wards(), true, people, seed, today)
}

/// `people` invented people of one ward that exists already (a ward laptop joined
/// with a kit: its ward came from the supervisor).
/// The ward's code is mixed into the seed: ids are drawn from it, and two wards' demo
/// records must never share an id once their laptops send them to one supervisor.
pub fn generate_for_ward(ward: &Ward, people: usize, seed: u64, today: NaiveDate) -> Vec<Change> {
    let mixed = ward
        .code
        .bytes()
        .fold(seed, |h, b| (h ^ b as u64).wrapping_mul(0x100_0000_01b3));
    generate_in(std::slice::from_ref(ward), false, people, mixed, today)
}

fn generate_in(
    wards: &[Ward],
    with_wards: bool,
    people: usize,
    seed: u64,
    today: NaiveDate,
) -> Vec<Change> {
    let names = Names::load();
    let mut b = Builder {
        rng: Rng(seed),
        names: &names,
        today,
        out: Vec::with_capacity(people * 7),
    };
    if with_wards {
        b.out.extend(wards.iter().cloned().map(Change::Ward));
    }
    let mut sequences = vec![0u32; wards.len()];
    for _ in 0..people {
        // The Hạ Long wards hold most of the people, as in the project.
        let w = if b.rng.chance(75) {
            b.rng.range(0, 4.min(wards.len() as i64 - 1))
        } else {
            b.rng.range(0, wards.len() as i64 - 1)
        } as usize;
        sequences[w] += 1;
        let person = b.person(&wards[w], sequences[w]);
        // Records go in the order they refer to each other: person, plan, grants, visits.
        b.out.push(Change::Person(person.clone()));
        let is_child = person.primary_group() == Some(TargetGroup::ChildOfVictim);
        let mut grants = Vec::new();
        if is_child {
            if b.rng.chance(60) {
                let item = *b.rng.pick(&[
                    ("Xe đạp", "chiếc", 1_500_000, 2_200_000),
                    ("Bàn học", "chiếc", 700_000, 1_200_000),
                    ("Đèn học", "chiếc", 200_000, 400_000),
                ]);
                grants.extend(b.grant(
                    &person,
                    None,
                    GrantKind::StudyEquipment,
                    item.0,
                    item.1,
                    (1, 1),
                    (item.2, item.3),
                    person.enrolled_on,
                ));
            }
        } else if b.rng.chance(55) {
            let plan = b.plan(&person);
            if let Some(approved_on) = plan
                .approved_on
                .filter(|_| plan.status != PlanStatus::Dropped || b.rng.chance(50))
            {
                let items = Builder::grant_items(plan.business_line);
                let count = b.rng.range(1, items.len().min(3) as i64) as usize;
                for &(kind, item, unit, qlo, qhi, vlo, vhi) in &items[..count] {
                    grants.extend(b.grant(
                        &person,
                        Some(&plan),
                        kind,
                        item,
                        unit,
                        (qlo, qhi),
                        (vlo, vhi),
                        approved_on,
                    ));
                }
            }
            b.out.push(Change::Plan(plan));
        }
        if matches!(person.primary_group(), Some(TargetGroup::Victim)) && b.rng.chance(35) {
            grants.extend(b.grant(
                &person,
                None,
                GrantKind::HealthInsurance,
                "Thẻ bảo hiểm y tế 1 năm",
                "thẻ",
                (1, 1),
                (1_100_000, 1_300_000),
                person.enrolled_on,
            ));
        }
        b.out.extend(grants.iter().cloned().map(Change::Grant));
        for grant in &grants {
            b.follow_ups(&person, grant);
        }
    }
    b.out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 6, 1).expect("date")
    }

    #[test]
    fn the_same_seed_and_day_give_the_same_data() {
        assert_eq!(generate(50, 7, today()), generate(50, 7, today()));
        assert_ne!(generate(50, 7, today()), generate(50, 8, today()));
    }

    #[test]
    fn demo_data_is_valid_and_looks_like_a_programme() {
        let changes = generate(300, 1, today());
        let mut snap = Snapshot::default();
        for c in changes.clone() {
            c.put_into(&mut snap);
        }
        assert_eq!(snap.people.len(), 300);
        assert_eq!(snap.wards.len(), 9);
        let with_plan = snap
            .people
            .keys()
            .filter(|id| snap.plans_of(**id).next().is_some())
            .count();
        assert!(
            (90..=210).contains(&with_plan),
            "about half have a plan: {with_plan}"
        );
        assert!(snap.milestones.values().any(|m| m.is_overdue(today())));
        assert!(
            snap.milestones
                .values()
                .any(|m| m.status == MilestoneStatus::Done)
        );
        assert!(snap.people.values().any(|p| !p.full_name.is_ascii()));
        for c in &changes {
            let problems = match c {
                Change::Person(r) => r.validate(today(), &snap),
                Change::Plan(r) => r.validate(today(), &snap),
                Change::Grant(r) => r.validate(today(), &snap),
                Change::Milestone(r) => r.validate(today(), &snap),
                Change::Referral(r) => r.validate(today(), &snap),
                Change::Ward(_) => vec![],
            };
            assert!(problems.is_empty(), "{c:?}: {problems:?}");
        }
    }
}
