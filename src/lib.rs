//! kdrepro: reproduces *High-dimensional Analysis of Knowledge Distillation* as a checked report.

mod sim;
mod stats;
