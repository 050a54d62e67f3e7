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
    pub fn is_valid_code(code: &str) -> bool {
        (1..=6).contains(&code.len())
            && code
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    }
}
