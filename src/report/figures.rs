//! The figures of a spec as [`Plot`]s, drawn in Typst.

use super::plot::{Axis, Color, Mark, Plot, PlotText, Point, Scale, Series, Style};
use crate::engine::{self, ExperimentResults};
use crate::spec::{Axes, Experiment, Figure, Measure, SurrogateKind};

/// The Typst source of a figure: a risk sweep or a coefficient profile.
pub(super) fn figure_source(figure: &Figure, e: &Experiment, r: &ExperimentResults) -> String {
    let scale = match figure.axes {
        Axes::Linear => Scale::Linear,
        Axes::LogLog => Scale::Log10,
    };
    let plot = match e.measure {
        Measure::ExcessRisk => risk_plot(e, r, scale),
        Measure::Coefficients => coefficient_plot(e, r),
    };
    plot.to_typst()
}

/// The paper's colours: blue for strong labels, orange for the mask, green for the optimal surrogate.
fn color(kind: SurrogateKind) -> Color {
    match kind {
        SurrogateKind::GroundTruth => Color::Blue,
        SurrogateKind::OptimalMask => Color::Orange,
        SurrogateKind::Optimal => Color::Green,
    }
}

/// Figure 1b: theory as lines, simulation means as markers with their 95% intervals.
fn risk_plot(e: &Experiment, r: &ExperimentResults, scale: Scale) -> Plot {
    let mut series = Vec::new();
    for (s, surrogate) in r.series.iter().zip(&e.surrogates) {
        let color = color(surrogate.kind);
        let theory = s.points.iter().map(|p| Point { x: p.x, y: p.theory, low: None, high: None }).collect();
        series.push(Series { label: s.label.clone(), points: theory, style: Style::Line, color });
        let simulated: Vec<Point> = s
            .points
            .iter()
            .filter_map(|p| Some(Point { x: p.x, y: p.mean?, low: p.ci_low, high: p.ci_high }))
            .collect();
        if !simulated.is_empty() {
            series.push(Series { label: String::new(), points: simulated, style: Style::Markers, color });
        }
    }
    Plot {
        title: None,
        x: Axis { label: PlotText::Math("n".to_owned()), scale, range: None },
        y: Axis { label: PlotText::Plain("Excess test risk".to_owned()), scale, range: None },
        series,
        marks: Vec::new(),
        width_cm: 14.0,
        height_cm: 8.0,
    }
}

/// Figure 1a: coefficients against the index, with the two transitions marked.
fn coefficient_plot(e: &Experiment, r: &ExperimentResults) -> Plot {
    let series = r
        .series
        .iter()
        .zip(&e.surrogates)
        .map(|(s, surrogate)| Series {
            label: s.label.clone(),
            points: s.points.iter().map(|p| Point { x: p.x, y: p.theory, low: None, high: None }).collect(),
            style: Style::Line,
            color: color(surrogate.kind),
        })
        .collect();
    Plot {
        title: None,
        x: Axis { label: PlotText::Plain("Feature index i".to_owned()), scale: Scale::Linear, range: None },
        y: Axis { label: PlotText::Plain("Coefficient value".to_owned()), scale: Scale::Linear, range: None },
        series,
        marks: transitions(&r.equivalents[0]),
        width_cm: 14.0,
        height_cm: 8.0,
    }
}

/// Vertical marks at the amplification point ζ_i = 1 − Ω and the mask cut-off ζ_i² = 1 − Ω.
fn transitions(q: &engine::EquivalentSummary) -> Vec<Mark> {
    let mark = |index: Option<usize>, label: &str| {
        index.map(|i| Mark::Vertical { x: i as f64 + 0.5, label: PlotText::Math(label.to_owned()) })
    };
    mark(q.last_amplified, "zeta_i = 1 - Omega").into_iter().chain(mark(q.last_kept, "zeta_i^2 = 1 - Omega")).collect()
}
