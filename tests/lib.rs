//! Integration tests: the `kdrepro` binary run as a user runs it.

mod ci;
mod cifar;
mod cli;
mod conventions;
mod determinism;
mod diff;
mod docs;
mod errors;
mod fmt;
mod plan;
mod rebuild;
mod shard;
mod support;
mod trust;
