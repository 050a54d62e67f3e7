//! The terminal program (being built).

use crate::cli::{Cli, Failure};

pub fn run(_cli: &Cli) -> Result<(), Failure> {
    Err(Failure {
        message: "the terminal program is not built yet".into(),
        code: 2,
    })
}
