//! Integration tests: the `kdrepro` binary run as a user runs it.

mod cli;
mod determinism;
mod errors;
mod fmt;
mod support;
mod trust;
