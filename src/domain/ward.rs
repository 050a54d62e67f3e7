//! A ward (phường) or commune (xã): the unit a programme works in.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ward {
    /// Short upper-case code that prefixes person codes: "CT" in CT-0012.
    pub code: String,
    pub name: String,
    pub district: String,
    pub province: String,
}

impl Ward {
    /// What is wrong with a ward's own fields (whether its code is free is the store's
    /// question).
    pub fn validate(&self) -> Vec<super::Problem> {
        let mut p = super::validation::Problems::default();
        p.check(
            Ward::is_valid_code(&self.code),
            "code",
            "err.ward_code_format",
        );
        p.check(!self.name.is_empty(), "name", "err.required");
        p.one_line(&[
            ("name", &self.name),
            ("district", &self.district),
            ("province", &self.province),
        ]);
        p.0
    }

    pub fn is_valid_code(code: &str) -> bool {
        (1..=6).contains(&code.len())
            && code
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    }
}
