//! Integration tests: the `kdrepro` binary run as a user runs it.

mod cli;
mod conventions;
mod determinism;
mod docs;
mod errors;
mod fmt;
mod plan;
mod support;
mod trust;
