//! The province hub against a real PostgreSQL: throwaway clusters on loopback in temp
//! folders, started by the tests and stopped after (`.ci/run` installs Debian's
//! postgresql). Without PostgreSQL installed the tests say they were skipped; in CI they
//! fail. Nothing talks to anything but 127.0.0.1. One test binary for all of them: each
//! file linking the whole library on its own cost CI minutes.

#[path = "../common/mod.rs"]
mod common;

mod cli;
mod faults;
mod publish;
mod schema;
mod sync;
mod tls;
