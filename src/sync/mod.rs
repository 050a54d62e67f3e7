//! Moving versions between databases (see `store::versions`): ward kits that join a
//! laptop to its supervisor, and bundles, signed and encrypted files that carry one
//! ward's versions each way by USB stick or messaging app.

pub mod bundle;
mod exchange;
pub mod folder;
pub mod hub;
pub mod kit;
pub mod publish;

pub use exchange::{Received, Sent, Target, accept, find_device, join, make_kit, receive, send};

#[cfg(test)]
mod tests;
