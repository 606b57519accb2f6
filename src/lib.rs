//! kdrepro: reproduces *High-dimensional Analysis of Knowledge Distillation* as a checked report.
mod theory;
