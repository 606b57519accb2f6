//! Words shared by the rules' texts: the scope of a claim and percentages.

use crate::engine::ExperimentResults;
use crate::numbers;

/// " (restricted to n = …)" for the rule text, or nothing when every point is in scope.
pub(super) fn scope_words(e: &ExperimentResults, scope: &[usize]) -> String {
    let total = e.series.first().map_or(0, |s| s.points.len());
    if scope.len() == total {
        return String::new();
    }
    let xs: Vec<String> = scope.iter().map(|&i| numbers::sig(e.series[0].points[i].x, 6)).collect();
    format!(" (restricted to {} = {})", e.x, xs.join(", "))
}

/// A fraction as a percentage, e.g. `3%`.
pub(super) fn percent(x: f64) -> String {
    format!("{}%", numbers::sig(100.0 * x, 3))
}
