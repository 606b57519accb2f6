//! Plots drawn natively in Typst: a small data model ([`Plot`]) and its translation to Typst code.
//!
//! The Typst code is computed from the model alone (no measurement happens in Rust): Rust maps every data
//! value to a fraction of the plot area, clips lines to it and chooses the ticks; the generated code measures
//! the tick and axis labels with Typst's own `measure` to size the margins, so labels never overlap the data.

mod axis;
mod clip;
mod render;

#[cfg(test)]
pub(super) use render::TEMPLATE;

use super::escape::typst_text;
use crate::syntax::MathError;

/// A 2-D plot: axes, data series and annotation marks.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Plot {
    /// Optional title drawn above the plot area.
    pub(crate) title: Option<PlotText>,
    /// Horizontal axis.
    pub(crate) x: Axis,
    /// Vertical axis.
    pub(crate) y: Axis,
    /// Data, drawn in order (later series on top).
    pub(crate) series: Vec<Series>,
    /// Reference lines with labels.
    pub(crate) marks: Vec<Mark>,
    /// Total width, in centimetres.
    pub(crate) width_cm: f64,
    /// Height of the axes box (plot area, ticks, axis labels and title), in centimetres; the legend is
    /// stacked below it and adds its own height.
    pub(crate) height_cm: f64,
}

/// One axis of a plot.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Axis {
    /// Axis label.
    pub(crate) label: PlotText,
    /// Linear or logarithmic.
    pub(crate) scale: Scale,
    /// Visible range `(low, high)`; `None` fits the data with "nice" bounds. An unusable range (not finite,
    /// empty, or not positive on a log axis) also falls back to fitting the data.
    pub(crate) range: Option<(f64, f64)>,
}

/// How an axis maps values to positions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scale {
    /// Position proportional to the value; ticks in 1-2-5 steps.
    Linear,
    /// Position proportional to `log10` of the value; ticks at decades labelled `10^k`. Non-positive values
    /// are not drawn.
    Log10,
}

/// Text drawn in a plot: a spec text, prose shown verbatim with `$…$` Typst mathematics
/// ([`crate::syntax::pieces`]), e.g. `Excess risk at $n = 200$`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PlotText(String);

/// A named data series.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Series {
    /// Legend entry; an empty label keeps the series out of the legend.
    pub(crate) label: String,
    /// Data points, in drawing order. Points with a non-finite coordinate (or a non-positive one on a log
    /// axis) are skipped and break the line.
    pub(crate) points: Vec<Point>,
    /// Lines, markers or both.
    pub(crate) style: Style,
    /// Colour (which also fixes the marker shape).
    pub(crate) color: Color,
}

/// A data point with an optional error bar `[low, high]` on the y axis.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Point {
    /// Horizontal value.
    pub(crate) x: f64,
    /// Vertical value.
    pub(crate) y: f64,
    /// Lower end of the error bar.
    pub(crate) low: Option<f64>,
    /// Upper end of the error bar.
    pub(crate) high: Option<f64>,
}

/// How a series is drawn: a line in one of four dash patterns, a marker at each point, or both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Style {
    /// The line through the points; `None` draws none.
    pub(crate) line: Option<Dash>,
    /// Whether each point gets a marker (its colour's shape).
    pub(crate) markers: bool,
}

impl Style {
    /// Markers only (simulations).
    pub(crate) const MARKERS: Self = Self { line: None, markers: true };

    /// A line only (theory curves).
    pub(crate) fn line(dash: Dash) -> Self {
        Self { line: Some(dash), markers: false }
    }
}

/// The dash pattern of a line: with colour and marker shape, what tells series apart in greyscale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dash {
    /// Unbroken.
    Solid,
    /// Long dashes.
    Dashed,
    /// Dots.
    Dotted,
    /// Dashes and dots.
    DotDashed,
}

impl Dash {
    /// The `k`-th pattern, cycling: the line of a plot's `k`-th series.
    pub(crate) fn nth(k: usize) -> Self {
        [Self::Solid, Self::Dashed, Self::Dotted, Self::DotDashed][k % 4]
    }
}

/// The Okabe–Ito colour-blind-safe palette (yellow left out: it is unreadable on white).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Color {
    /// `#0072B2`, circles; the paper's "truth".
    Blue,
    /// `#E69F00`, squares; the paper's "masked".
    Orange,
    /// `#009E73`, triangles; the paper's "optimal".
    Green,
    /// `#D55E00`, diamonds.
    Vermillion,
    /// `#CC79A7`, downward triangles.
    Purple,
    /// `#56B4E9`, circles.
    SkyBlue,
    /// `#000000`, squares.
    Black,
}

/// A labelled reference line: dashed and vertical at `x` (e.g. the transition point `ζ_i = 1 − Ω`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Mark {
    /// Position on the x axis.
    pub(crate) x: f64,
    /// Label drawn along the line.
    pub(crate) label: PlotText,
}

impl PlotText {
    /// The text `text`.
    pub(crate) fn new(text: impl Into<String>) -> Self {
        Self(text.into())
    }

    /// A Typst content expression rendering this text.
    fn to_typst(&self) -> Result<String, MathError> {
        text_content(&self.0)
    }
}

/// A Typst content expression rendering spec text `text`.
fn text_content(text: &str) -> Result<String, MathError> {
    typst_text(text).map(|markup| format!("[{markup}]"))
}

impl Plot {
    /// Self-contained Typst markup (a `#context` expression, no `#figure`) drawing this plot; wrap it in a
    /// figure or include it from a file.
    ///
    /// # Errors
    /// The mathematics of a label, the title or a legend entry is refused.
    pub(crate) fn to_typst(&self) -> Result<String, MathError> {
        render::render(self)
    }

    /// For each series with points that cannot be drawn (a coordinate that is not finite, or not positive on a
    /// log axis), its legend label and how many: [`Plot::to_typst`] leaves them out.
    pub(crate) fn undrawable(&self) -> Vec<(&str, usize)> {
        let drawable =
            |p: &Point| axis::to_scale(self.x.scale, p.x).is_some() && axis::to_scale(self.y.scale, p.y).is_some();
        self.series
            .iter()
            .map(|s| (s.label.as_str(), s.points.iter().filter(|p| !drawable(p)).count()))
            .filter(|&(_, count)| count > 0)
            .collect()
    }
}

#[cfg(test)]
mod tests;
