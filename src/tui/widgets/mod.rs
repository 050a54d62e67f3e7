//! Reusable pieces that know nothing of people or grants.

pub mod chart;
pub mod form;
pub mod input;
pub mod list;
pub mod popup;
pub mod report_table;
pub mod search;
pub mod table;
