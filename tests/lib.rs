//! Integration tests: the `kdrepro` binary run as a user runs it.

#[cfg(not(feature = "report"))]
mod check_only;
#[cfg(feature = "report")]
mod cli;
#[cfg(feature = "report")]
mod conventions;
#[cfg(feature = "report")]
mod determinism;
#[cfg(feature = "report")]
mod docs;
#[cfg(feature = "report")]
mod errors;
#[cfg(feature = "report")]
mod fmt;
#[cfg(feature = "report")]
mod plan;
mod support;
#[cfg(feature = "report")]
mod trust;
