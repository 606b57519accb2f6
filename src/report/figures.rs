//! The figures of a spec as [`Plot`]s, drawn in Typst.

use super::plot::{Axis, Color, Dash, Mark, Plot, PlotText, Point, Scale, Series, Style};
use crate::diagnostics::Diagnostic;
use crate::engine::{self, ExperimentResults};
use crate::spec::{Axes, Experiment, Figure, Measure, SurrogateKind};
use crate::syntax::MathError;

/// The Typst source of a figure: a risk sweep, a coefficient profile or a set of theory quantities, of one or
/// more experiments of the same measure; with a warning at the figure's name for every series whose points
/// cannot all be drawn (they are left out of the plot, and the reader should know).
///
/// # Errors
/// The mathematics of a legend label is refused (the spec stage refuses it first).
pub(super) fn figure_source(
    figure: &Figure,
    shown: &[(&Experiment, &ExperimentResults)],
) -> Result<(String, Vec<Diagnostic>), MathError> {
    let (x, y) = match figure.axes {
        Axes::Linear => (Scale::Linear, Scale::Linear),
        Axes::LogLog => (Scale::Log10, Scale::Log10),
        Axes::LogX => (Scale::Log10, Scale::Linear),
        Axes::LogY => (Scale::Linear, Scale::Log10),
    };
    let (e, r) = shown[0];
    let mut plot = match e.measure {
        Measure::ExcessRisk => risk_plot(e, r, x, y),
        Measure::Accuracy | Measure::Error => accuracy_plot(e, r, x, y),
        Measure::Coefficients => coefficient_plot(e, r),
        m => quantity_plot(m, r, &figure.series, x, y),
    };
    if shown.len() > 1 || !figure.series.is_empty() {
        plot.series = combined_series(figure, shown);
    }
    let log = if figure.axes == Axes::Linear { "" } else { ", or not positive on a log axis" };
    let warnings = plot
        .undrawable()
        .into_iter()
        .map(|(label, count)| {
            let series = if label.is_empty() { "a simulated series".to_owned() } else { format!("`{label}`") };
            Diagnostic::warning(
                figure.span,
                format!(
                    "figure `{}` leaves out {count} point{} of {series}: not finite{log}",
                    figure.name,
                    if count == 1 { "" } else { "s" }
                ),
            )
            .with_hint("the experiment's table gives every value")
        })
        .collect();
    Ok((plot.to_typst()?, warnings))
}

/// The most points a theory line may have and still carry a marker at each.
const MARKED_POINTS: usize = 40;

/// The series of several experiments in one plot: one colour per experiment, one line style per series, the
/// experiment's label appended to each legend entry.
fn combined_series(figure: &Figure, shown: &[(&Experiment, &ExperimentResults)]) -> Vec<Series> {
    let palette = [Color::Blue, Color::Vermillion, Color::Green, Color::Orange, Color::Purple, Color::SkyBlue];
    let mut out = Vec::new();
    for (k, (e, r)) in shown.iter().enumerate() {
        let color = palette[k % palette.len()];
        let selected = r.series.iter().filter(|s| figure.series.is_empty() || figure.series.contains(&s.name));
        for (j, s) in selected.enumerate() {
            // Within one experiment's colour, each series has a dash pattern of its own; a theory line of a few
            // points that no simulation marks carries its colour's marker, so experiments differ in greyscale too.
            let simulated = simulated_markers(s, color);
            let markers = simulated.is_none() && s.points.len() <= MARKED_POINTS;
            let style = Style { line: Some(Dash::nth(j)), markers };
            let mut line = theory_line(s, color, style);
            if let Some(label) = &e.label {
                line.label = format!("{}, {label}", line.label);
            }
            out.push(line);
            out.extend(simulated);
        }
    }
    out
}

/// Simulation means with their intervals, when a series was simulated.
fn simulated_markers(s: &engine::Series, color: Color) -> Option<Series> {
    let points: Vec<Point> =
        s.points.iter().filter_map(|p| Some(Point { x: p.x, y: p.mean?, low: p.ci_low, high: p.ci_high })).collect();
    (!points.is_empty()).then(|| Series { label: String::new(), points, style: Style::MARKERS, color })
}

/// The paper's colours for its three surrogates (blue strong labels, orange mask, green optimal), then the rest
/// of the palette in order.
fn colors(e: &Experiment) -> Vec<Color> {
    let mut spare = [Color::Vermillion, Color::Purple, Color::SkyBlue, Color::Black].into_iter().cycle();
    e.surrogates
        .iter()
        .map(|s| match s.kind {
            SurrogateKind::GroundTruth => Color::Blue,
            SurrogateKind::OptimalMask => Color::Orange,
            SurrogateKind::Optimal { step: 1.0 } => Color::Green,
            _ => spare.next().expect("the palette cycles"),
        })
        .collect()
}

/// A theory-only line through every defined point of a series.
fn theory_line(s: &engine::Series, color: Color, style: Style) -> Series {
    let points = s.points.iter().map(|p| Point { x: p.x, y: p.theory, low: None, high: None }).collect();
    Series { label: s.label.clone(), points, style, color }
}

/// Propositions 4 and 5, the mask sweep and the v1 bounds: every series as a line; computed quantities with
/// markers, limits and bounds without.
fn quantity_plot(measure: Measure, r: &ExperimentResults, shown: &[String], x: Scale, y: Scale) -> Plot {
    let palette = [Color::Blue, Color::Vermillion, Color::Green, Color::Orange, Color::Purple];
    let series = r
        .series
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let computed =
                matches!(s.name.as_str(), "tau_scaled" | "omega" | "amplified" | "kept" | "inverse_tau" | "ratio");
            theory_line(s, palette[i % palette.len()], Style { line: Some(Dash::nth(i)), markers: computed })
        })
        .collect();
    // The y axis names what the figure's series measure (all of the experiment's, if it names none).
    let drawn = r.series.iter().filter(|s| shown.is_empty() || shown.contains(&s.name));
    let x_label = match measure {
        Measure::Masks => "$k$ (features kept)",
        Measure::Scale if r.x == "p" => "$p$ (features)",
        _ => "$n$",
    };
    Plot {
        title: None,
        x: Axis { label: PlotText::new(x_label), scale: x, range: None },
        y: Axis { label: PlotText::new(quantity_axis(drawn)), scale: y, range: None },
        series,
        marks: Vec::new(),
        width_cm: 14.0,
        height_cm: 7.5,
    }
}

/// The y-axis label of theory quantities: what the series measure, each named once, in order; a series of no
/// known quantity is named by its legend label.
fn quantity_axis<'a>(series: impl Iterator<Item = &'a engine::Series>) -> String {
    let mut quantities: Vec<&str> = Vec::new();
    for s in series {
        let quantity = match s.name.as_str() {
            "tau_scaled" | "tau_limit" => "$tau n^alpha$",
            "omega" | "omega_limit" | "omega_lower" => "$Omega$",
            "inverse_tau" | "inverse_tau_lower" | "inverse_tau_upper" => "$1 \\/ tau$",
            "amplified" | "n_c1" | "kept" | "n_c2" => "Number of features",
            "top_k" | "optimal_mask" | "region_truth" | "region_masked" => "Excess test risk",
            "ratio" | "constant" => "$R^* \\/ R(beta^t)$",
            _ => s.label.as_str(),
        };
        if !quantities.contains(&quantity) {
            quantities.push(quantity);
        }
    }
    quantities.join(", ")
}

/// Figure 1b: theory as lines, simulation means as markers with their 95% intervals.
fn risk_plot(e: &Experiment, r: &ExperimentResults, x: Scale, y: Scale) -> Plot {
    let mut series = Vec::new();
    for (i, (s, color)) in r.series.iter().zip(colors(e)).enumerate() {
        series.push(theory_line(s, color, Style::line(Dash::nth(i))));
        series.extend(simulated_markers(s, color));
    }
    Plot {
        title: None,
        x: Axis { label: PlotText::new("$n$"), scale: x, range: None },
        y: Axis { label: PlotText::new("Excess test risk"), scale: y, range: None },
        series,
        marks: Vec::new(),
        width_cm: 14.0,
        height_cm: 8.0,
    }
}

/// Figure 2a's runnable counterpart (issue 18): no theory, so each series is a line through its simulated means
/// with their 95% intervals. A teacher network and its student share a colour (the student solid, the teacher
/// dashed); strong labels are blue and dotted.
fn accuracy_plot(e: &Experiment, r: &ExperimentResults, x: Scale, y: Scale) -> Plot {
    let palette = [Color::Vermillion, Color::Green, Color::Orange, Color::Purple, Color::SkyBlue, Color::Black];
    let networks: Vec<&str> =
        e.surrogates.iter().filter(|s| matches!(s.kind, SurrogateKind::Network(_))).map(|s| s.name.as_str()).collect();
    let color = |name: &str| palette[networks.iter().position(|&n| n == name).unwrap_or(0) % palette.len()];
    let series = r
        .series
        .iter()
        .zip(&e.surrogates)
        .map(|(s, surrogate)| {
            let (color, dash) = match &surrogate.kind {
                SurrogateKind::Network(_) => (color(&surrogate.name), Dash::nth(0)),
                SurrogateKind::Teacher(of) => (color(of), Dash::nth(1)),
                _ => (Color::Blue, Dash::nth(2)),
            };
            let points =
                s.points.iter().filter_map(|p| Some(Point { x: p.x, y: p.mean?, low: p.ci_low, high: p.ci_high }));
            Series {
                label: s.label.clone(),
                points: points.collect(),
                style: Style { line: Some(dash), markers: true },
                color,
            }
        })
        .collect();
    let what = if e.measure == Measure::Error { "Test 0-1 risk" } else { "Test accuracy" };
    Plot {
        title: None,
        x: Axis { label: PlotText::new("$n$ (rows the student learns from)"), scale: x, range: None },
        y: Axis { label: PlotText::new(what), scale: y, range: None },
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
        .zip(colors(e))
        .enumerate()
        .map(|(i, (s, color))| theory_line(s, color, Style::line(Dash::nth(i))))
        .collect();
    Plot {
        title: None,
        x: Axis { label: PlotText::new("Feature index $i$"), scale: Scale::Linear, range: None },
        y: Axis { label: PlotText::new("Coefficient value"), scale: Scale::Linear, range: None },
        series,
        marks: transitions(&r.equivalents[0]),
        width_cm: 14.0,
        height_cm: 8.0,
    }
}

/// Vertical marks at the amplification point ζ_i = 1 − Ω and the mask cut-off ζ_i² = 1 − Ω.
fn transitions(q: &engine::EquivalentSummary) -> Vec<Mark> {
    let mark =
        |index: Option<usize>, label: &str| index.map(|i| Mark { x: i as f64 + 0.5, label: PlotText::new(label) });
    mark(q.last_amplified, "$zeta_i = 1 - Omega$")
        .into_iter()
        .chain(mark(q.last_kept, "$zeta_i^2 = 1 - Omega$"))
        .collect()
}
