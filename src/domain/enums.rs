//! The closed lists of the domain. Each value has a stable code (used in files and
//! message keys); its words live in i18n under `<list>.<code>`.
//! bincode stores a variant by its position: add new values at the end, never reorder.

use serde::{Deserialize, Serialize};

macro_rules! domain_enum {
    ($(#[$meta:meta])* $name:ident, $list:literal { $($variant:ident => $code:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// Stable, language-free code.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// The i18n key of this value's label.
            pub fn key(self) -> &'static str {
                match self { $($name::$variant => concat!($list, ".", $code)),+ }
            }

            pub fn from_code(code: &str) -> Option<$name> {
                Self::ALL.iter().copied().find(|v| v.code() == code)
            }
        }
    };
}

domain_enum!(Sex, "sex" {
    Female => "female",
    Male => "male",
    Other => "other",
});

domain_enum!(
    /// Đối tượng đích: who the programme serves.
    TargetGroup, "target" {
    Victim => "victim",
    SuspectedVictim => "suspected_victim",
    AtRisk => "at_risk",
    ChildOfVictim => "child_of_victim",
    FamilyMember => "family_member",
});

domain_enum!(PersonStatus, "person_status" {
    Active => "active",
    Exited => "exited",
    LostContact => "lost_contact",
});

domain_enum!(BusinessLine, "business" {
    DrinksStall => "drinks_stall",
    SeafoodProcessing => "seafood_processing",
    FoodTrade => "food_trade",
    Poultry => "poultry",
    PigRaising => "pig_raising",
    Tailoring => "tailoring",
    Grocery => "grocery",
    Hairdressing => "hairdressing",
    Farming => "farming",
    Other => "other",
});

domain_enum!(PlanStatus, "plan_status" {
    Draft => "draft",
    Approved => "approved",
    Active => "active",
    Completed => "completed",
    Dropped => "dropped",
});

domain_enum!(GrantKind, "grant_kind" {
    Equipment => "equipment",
    Livestock => "livestock",
    SeedCapital => "seed_capital",
    HealthInsurance => "health_insurance",
    StudyEquipment => "study_equipment",
    Training => "training",
    Other => "other",
});

domain_enum!(MilestoneKind, "milestone_kind" {
    HomeVisit => "home_visit",
    PhoneCheck => "phone_check",
    Review => "review",
});

domain_enum!(MilestoneStatus, "milestone_status" {
    Planned => "planned",
    Done => "done",
    Missed => "missed",
    Cancelled => "cancelled",
});

domain_enum!(
    /// Chuyển tuyến: the services a person can be referred to.
    Service, "service" {
    Health => "health",
    Psychological => "psychological",
    Legal => "legal",
    Education => "education",
    Vocational => "vocational",
    Loan => "loan",
    Other => "other",
});

domain_enum!(ReferralStatus, "referral_status" {
    Made => "made",
    Accepted => "accepted",
    Done => "done",
    Refused => "refused",
    NotNeeded => "not_needed",
});

domain_enum!(Role, "role" {
    Officer => "officer",
    Supervisor => "supervisor",
});

impl TargetGroup {
    /// The i18n key of the short label used in narrow table columns.
    pub fn short_key(self) -> &'static str {
        match self {
            TargetGroup::Victim => "target_short.victim",
            TargetGroup::SuspectedVictim => "target_short.suspected_victim",
            TargetGroup::AtRisk => "target_short.at_risk",
            TargetGroup::ChildOfVictim => "target_short.child_of_victim",
            TargetGroup::FamilyMember => "target_short.family_member",
        }
    }
}

impl PlanStatus {
    /// The supervisor's path: draft -> approved -> active -> completed, or dropped on the way.
    pub fn can_move_to(self, next: PlanStatus) -> bool {
        use PlanStatus::*;
        matches!(
            (self, next),
            (Draft, Approved)
                | (Approved, Active)
                | (Active, Completed)
                | (Draft | Approved | Active, Dropped)
        ) || self == next
    }
}

impl MilestoneStatus {
    pub fn is_open(self) -> bool {
        self == MilestoneStatus::Planned
    }
}

impl ReferralStatus {
    pub fn is_open(self) -> bool {
        matches!(self, ReferralStatus::Made | ReferralStatus::Accepted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_keys_name_their_list() {
        for kind in GrantKind::ALL {
            assert_eq!(GrantKind::from_code(kind.code()), Some(*kind));
        }
        assert_eq!(
            TargetGroup::SuspectedVictim.key(),
            "target.suspected_victim"
        );
    }

    #[test]
    fn a_plan_cannot_skip_approval() {
        assert!(PlanStatus::Draft.can_move_to(PlanStatus::Approved));
        assert!(!PlanStatus::Draft.can_move_to(PlanStatus::Active));
        assert!(!PlanStatus::Completed.can_move_to(PlanStatus::Draft));
        assert!(PlanStatus::Active.can_move_to(PlanStatus::Dropped));
    }
}
