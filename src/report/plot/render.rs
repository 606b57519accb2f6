//! Translation of a [`Plot`] into Typst code.

use std::fmt::Write as _;

use super::axis::{FittedAxis, Tick};
use super::clip::{Frac, clip_polyline, clip_segment, inside};
use super::{Color, Dash, Mark, Plot, Point, Series, Style, text_content};
use crate::syntax::MathError;

/// The Typst skeleton of every plot. `@NAME@` slots are filled by [`render`]; everything the slots hold is
/// generated from numbers or escaped text. Margins come from measuring the labels, so they never overlap.
pub(in crate::report) const TEMPLATE: &str = r#"#context {
  let width = @WIDTH@
  let height = @HEIGHT@
  let ink = luma(15%)
  let grid-ink = luma(91%)
  let tick-len = 3.5pt
  let tick-text(body) = text(size: 8pt, top-edge: "cap-height", bottom-edge: "baseline", body)
  let x-ticks = @XTICKS@
  let y-ticks = @YTICKS@
  let x-label = text(size: 9pt, @XLABEL@)
  let y-label = text(size: 9pt, @YLABEL@)
  let title = @TITLE@
  let labelled(ticks) = ticks.filter(t => t.at(1) != none)
  let label-size(ticks, side) = calc.max(0pt, ..labelled(ticks).map(t => measure(tick-text(t.at(1))).at(side)))
  let x-overhang = label-size(x-ticks.filter(t => t.at(0) > 0.9), "width") / 2
  let m-left = measure(y-label).height + 5pt + label-size(y-ticks, "width") + 3pt + tick-len
  let m-right = calc.max(6pt, x-overhang + 2pt)
  let m-top = if title == none { 6pt } else { measure(title).height + 7pt }
  let m-bottom = tick-len + 3pt + label-size(x-ticks, "height") + 5pt + measure(x-label).height
  let pw = width - m-left - m-right
  let ph = height - m-top - m-bottom
  let P(u, v) = (u * pw, (1 - v) * ph)
  let shape(kind, color, r: 2.2pt) = {
    let outline = 0.4pt + white
    if kind == "circle" { place(dx: -r, dy: -r, circle(radius: r, fill: color, stroke: outline)) }
    else if kind == "square" { place(dx: -0.9 * r, dy: -0.9 * r, rect(width: 1.8 * r, height: 1.8 * r, fill: color, stroke: outline)) }
    else if kind == "triangle" { polygon(fill: color, stroke: outline, (0pt, -1.3 * r), (1.15 * r, 0.75 * r), (-1.15 * r, 0.75 * r)) }
    else if kind == "diamond" { polygon(fill: color, stroke: outline, (0pt, -1.3 * r), (1.1 * r, 0pt), (0pt, 1.3 * r), (-1.1 * r, 0pt)) }
    else { polygon(fill: color, stroke: outline, (0pt, 1.3 * r), (1.15 * r, -0.75 * r), (-1.15 * r, -0.75 * r)) }
  }
  let marker-at(u, v, kind, color) = { let (x, y) = P(u, v); place(dx: x, dy: y, shape(kind, color)) }
  let polyline(points, stroke) = place(curve(stroke: stroke, curve.move(P(..points.first())), ..points.slice(1).map(p => curve.line(P(..p)))))
  let error-bar(u, v0, v1, cap0, cap1, color) = {
    let stroke = 0.7pt + color
    let (x, y0) = P(u, v0)
    let (_, y1) = P(u, v1)
    place(line(start: (x, y0), end: (x, y1), stroke: stroke))
    if cap0 { place(line(start: (x - 2pt, y0), end: (x + 2pt, y0), stroke: stroke)) }
    if cap1 { place(line(start: (x - 2pt, y1), end: (x + 2pt, y1), stroke: stroke)) }
  }
  let dashed = (paint: luma(35%), thickness: 0.7pt, dash: "dashed")
  let mark-text(body) = box(fill: white.transparentize(20%), inset: 1pt, text(size: 7.5pt, fill: luma(20%), body))
  let vmark(u, body) = {
    place(dx: u * pw, line(length: ph, angle: 90deg, stroke: dashed))
    place(dx: u * pw + 1.5pt, dy: 2pt, rotate(-90deg, reflow: true, mark-text(body)))
  }
  let swatch(stroke, kind, color) = box(width: 16pt, height: 6pt, {
    if stroke != none { place(dy: 3pt, std.line(length: 16pt, stroke: stroke)) }
    if kind != none { place(dx: 8pt, dy: 3pt, shape(kind, color)) }
  })
  let axes = box(width: width, height: height, {
    for (u, label) in labelled(x-ticks) { place(dx: m-left + u * pw, dy: m-top, line(length: ph, angle: 90deg, stroke: 0.4pt + grid-ink)) }
    for (v, label) in labelled(y-ticks) { place(dx: m-left, dy: m-top + (1 - v) * ph, line(length: pw, stroke: 0.4pt + grid-ink)) }
    place(dx: m-left, dy: m-top, box(width: pw, height: ph, clip: true, {
@DATA@
    }))
    place(dx: m-left, dy: m-top, box(width: pw, height: ph, {
@MARKS@
    }))
    place(dx: m-left, dy: m-top, rect(width: pw, height: ph, stroke: 0.6pt + ink))
    for (u, label) in x-ticks {
      let len = if label == none { 0.55 * tick-len } else { tick-len }
      place(dx: m-left + u * pw, dy: m-top + ph, line(length: len, angle: 90deg, stroke: 0.5pt + ink))
      if label != none { place(dx: m-left + u * pw - 2cm, dy: m-top + ph + tick-len + 3pt, box(width: 4cm, align(center + top, tick-text(label)))) }
    }
    for (v, label) in y-ticks {
      let len = if label == none { 0.55 * tick-len } else { tick-len }
      place(dx: m-left - len, dy: m-top + (1 - v) * ph, line(length: len, stroke: 0.5pt + ink))
      if label != none { place(dy: m-top + (1 - v) * ph - 1cm, box(width: m-left - tick-len - 3pt, height: 2cm, align(right + horizon, tick-text(label)))) }
    }
    place(dx: m-left, dy: height - measure(x-label).height, box(width: pw, align(center, x-label)))
    place(dy: m-top, box(width: measure(y-label).height, height: ph, align(center + horizon, rotate(-90deg, reflow: true, y-label))))
    if title != none { place(dx: m-left, box(width: pw, align(center, title))) }
  })
  let legend = (@LEGEND@)
  if legend.len() == 0 { axes } else {
    stack(dir: ttb, spacing: 6pt, axes, block(width: width, align(center, text(size: 8.5pt, legend.join([ #h(0.9em) ])))))
  }
}
"#;

/// Typst code drawing `plot` (see [`TEMPLATE`]).
pub(super) fn render(plot: &Plot) -> Result<String, MathError> {
    let width_cm = clamp_cm(plot.width_cm, 4.0);
    let height_cm = clamp_cm(plot.height_cm, 3.0);
    let x = FittedAxis::fit(&plot.x, x_values(plot), target_ticks(width_cm));
    let y = FittedAxis::fit(&plot.y, y_values(plot), target_ticks(height_cm));
    let title = match &plot.title {
        Some(title) => format!("text(size: 9.5pt, weight: \"bold\", {})", title.to_typst()?),
        None => "none".to_owned(),
    };
    let marks = plot.marks.iter().map(|mark| mark_code(mark, &x)).collect::<Result<String, _>>()?;
    Ok(TEMPLATE
        .replace("@WIDTH@", &format!("{width_cm:.2}cm"))
        .replace("@HEIGHT@", &format!("{height_cm:.2}cm"))
        .replace("@XTICKS@", &tick_array(&x.ticks))
        .replace("@YTICKS@", &tick_array(&y.ticks))
        .replace("@XLABEL@", &plot.x.label.to_typst()?)
        .replace("@YLABEL@", &plot.y.label.to_typst()?)
        .replace("@TITLE@", &title)
        .replace("@DATA@", &plot.series.iter().map(|series| series_code(series, &x, &y)).collect::<String>())
        .replace("@MARKS@", &marks)
        .replace("@LEGEND@", &legend_code(&plot.series)?))
}

/// A size in centimetres, kept within `[min, 50]` (non-finite sizes become `min`).
fn clamp_cm(cm: f64, min: f64) -> f64 {
    if cm.is_finite() { cm.clamp(min, 50.0) } else { min }
}

/// About one labelled tick per 2.2 cm, between 3 and 8.
fn target_ticks(length_cm: f64) -> usize {
    match length_cm {
        l if l < 6.6 => 3,
        l if l < 8.8 => 4,
        l if l < 11.0 => 5,
        l if l < 13.2 => 6,
        l if l < 15.4 => 7,
        _ => 8,
    }
}

/// Every x value the automatic x range must show: points and vertical marks.
fn x_values(plot: &Plot) -> Vec<f64> {
    let points = plot.series.iter().flat_map(|series| series.points.iter().map(|point| point.x));
    points.chain(plot.marks.iter().map(|mark| mark.x)).collect()
}

/// Every y value the automatic y range must show: points and error bar ends.
fn y_values(plot: &Plot) -> Vec<f64> {
    plot.series
        .iter()
        .flat_map(|series| series.points.iter())
        .flat_map(|point| [Some(point.y), point.low, point.high].into_iter().flatten())
        .collect()
}

/// Ticks as a Typst array of `(position, label-or-none)` pairs.
fn tick_array(ticks: &[Tick]) -> String {
    let mut out = String::from("(");
    for tick in ticks {
        let label = tick.label.as_deref().unwrap_or("none");
        write!(out, "({:.4}, {label}), ", tick.at).expect("writing to a String cannot fail");
    }
    out.push(')');
    out
}

/// A Typst `(u, v)` pair in plot fractions.
fn frac(point: Frac) -> String {
    format!("({:.4}, {:.4})", point.0, point.1)
}

/// Typst colour expression of a palette colour.
fn color_code(color: Color) -> &'static str {
    match color {
        Color::Blue => "rgb(\"#0072B2\")",
        Color::Orange => "rgb(\"#E69F00\")",
        Color::Green => "rgb(\"#009E73\")",
        Color::Vermillion => "rgb(\"#D55E00\")",
        Color::Purple => "rgb(\"#CC79A7\")",
        Color::SkyBlue => "rgb(\"#56B4E9\")",
        Color::Black => "rgb(\"#000000\")",
    }
}

/// Marker shape of a palette colour, so series stay distinguishable without colour.
fn marker_shape(color: Color) -> &'static str {
    match color {
        Color::Blue | Color::SkyBlue => "circle",
        Color::Orange | Color::Black => "square",
        Color::Green => "triangle",
        Color::Vermillion => "diamond",
        Color::Purple => "down-triangle",
    }
}

impl Style {
    /// The Typst stroke of its line in `color` (a Typst colour expression); `none` without a line.
    fn stroke(self, color: &str) -> String {
        match self.line {
            Some(Dash::Solid) => format!("1.1pt + {color}"),
            Some(Dash::Dashed) => format!("(paint: {color}, thickness: 1.1pt, dash: \"dashed\")"),
            Some(Dash::Dotted) => format!("(paint: {color}, thickness: 1.4pt, dash: \"dotted\")"),
            Some(Dash::DotDashed) => format!("(paint: {color}, thickness: 1.1pt, dash: \"dash-dotted\")"),
            None => "none".to_owned(),
        }
    }
}

/// The point's position in plot fractions, if both coordinates can be drawn.
fn position(point: &Point, x: &FittedAxis, y: &FittedAxis) -> Option<Frac> {
    Some((x.fraction(point.x)?, y.fraction(point.y)?))
}

/// Typst code for one series: error bars, then lines, then markers (all in the clipped plot box).
fn series_code(series: &Series, x: &FittedAxis, y: &FittedAxis) -> String {
    let color = color_code(series.color);
    let mut out = String::new();
    for point in &series.points {
        if let Some(code) = error_bar_code(point, x, y, color) {
            out.push_str(&code);
        }
    }
    let positions: Vec<Option<Frac>> = series.points.iter().map(|point| position(point, x, y)).collect();
    if series.style.line.is_some() {
        for run in clip_polyline(&positions) {
            let points: Vec<String> = run.into_iter().map(frac).collect();
            writeln!(out, "      polyline(({}), {})", points.join(", "), series.style.stroke(color))
                .expect("writing to a String cannot fail");
        }
    }
    if series.style.markers {
        let shape = marker_shape(series.color);
        for (u, v) in positions.into_iter().flatten().filter(|&p| inside(p)) {
            writeln!(out, "      marker-at({u:.4}, {v:.4}, \"{shape}\", {color})")
                .expect("writing to a String cannot fail");
        }
    }
    out
}

/// Typst code for a point's error bar, clipped to the plot area; a cap is drawn only at an unclipped end. A
/// non-positive end on a log axis extends the bar to the bottom.
fn error_bar_code(point: &Point, x: &FittedAxis, y: &FittedAxis, color: &str) -> Option<String> {
    let (low, high) = match (point.low, point.high) {
        (None, None) => return None,
        (low, high) => (low.unwrap_or(point.y), high.unwrap_or(point.y)),
    };
    let u = x.fraction(point.x)?;
    let v_low = y.fraction(low).or_else(|| (low <= 0.0).then_some(-1.0))?;
    let v_high = y.fraction(high)?;
    let ((_, v0), (_, v1)) = clip_segment((u, v_low), (u, v_high))?;
    let cap = |v: f64, clipped: f64| (v - clipped).abs() < 1e-9;
    Some(format!(
        "      error-bar({u:.4}, {v0:.4}, {v1:.4}, {}, {}, {color})\n",
        cap(v_low, v0) && point.low.is_some(),
        cap(v_high, v1) && point.high.is_some(),
    ))
}

/// Typst code for a mark; nothing if it lies outside the plot area.
fn mark_code(mark: &Mark, x: &FittedAxis) -> Result<String, MathError> {
    match x.fraction(mark.x).filter(|u| (0.0..=1.0).contains(u)) {
        Some(u) => Ok(format!("      vmark({u:.4}, {})\n", mark.label.to_typst()?)),
        None => Ok(String::new()),
    }
}

/// Typst array items (each followed by a comma) of legend entries, for series with a non-empty label. An entry
/// shows its series' line and marker; a line whose simulation is drawn as unlabelled markers of its colour shows
/// that marker too, so the legend says which markers belong to which curve.
fn legend_code(series: &[Series]) -> Result<String, MathError> {
    let simulated = |color: Color| series.iter().any(|s| s.label.is_empty() && s.color == color && s.style.markers);
    let mut out = String::new();
    for series in series.iter().filter(|series| !series.label.is_empty()) {
        let markers = series.style.markers || simulated(series.color);
        let kind = if markers { format!("\"{}\"", marker_shape(series.color)) } else { "none".to_owned() };
        let color = color_code(series.color);
        let line = series.style.stroke(color);
        let label = text_content(&series.label)?;
        write!(out, "box(swatch({line}, {kind}, {color}) + h(3pt) + {label}), ")
            .expect("writing to a String cannot fail");
    }
    Ok(out)
}
