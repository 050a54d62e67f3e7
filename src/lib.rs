//! sinhke: livelihood grants for trafficking survivors and people at risk, tracked
//! ward by ward. Layers: `domain` (records and rules) <- `store` (sled) <- `report`
//! (pure summaries) <- `tui` and `cli`.

pub mod cli;
pub mod demo;
pub mod domain;
pub mod hub;
pub mod i18n;
pub mod messages;
pub mod output;
pub mod report;
pub mod store;
pub mod sync;
pub mod text;
pub mod tui;
