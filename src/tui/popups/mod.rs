//! Modals drawn over a screen that take every key until they close.

pub mod help;
