use std::collections::BTreeMap;

use super::{Axis, Color, Dash, Mark, Plot, PlotText, Point, Scale, Series, Style};
use crate::report::{ReportDate, compile_pdf};

const DATE: ReportDate = ReportDate { year: 2025, month: 1, day: 2 };

fn point(x: f64, y: f64) -> Point {
    Point { x, y, low: None, high: None }
}

/// A point with a symmetric error bar of half-width `half`.
fn bar_point(x: f64, y: f64, half: f64) -> Point {
    Point { x, y, low: Some(y - half), high: Some(y + half) }
}

/// Risk-like curves in the spirit of the paper's Fig 1b: theory lines and simulated means with intervals.
fn linear_plot() -> Plot {
    let ns: Vec<f64> = (0..17).map(|i| 50.0 + 25.0 * f64::from(i)).collect();
    let truth = |n: f64| 0.9 * (n / 50.0).powf(-0.5);
    let masked = |n: f64| 0.82 * (n / 50.0).powf(-0.5);
    let optimal = |n: f64| 0.75 * (n / 50.0).powf(-0.5);
    let line = |label: &str, f: &dyn Fn(f64) -> f64, color| Series {
        label: label.to_owned(),
        points: ns.iter().map(|&n| point(n, f(n))).collect(),
        style: Style::line(Dash::Solid),
        color,
    };
    let sims = |f: &dyn Fn(f64) -> f64, color| Series {
        label: String::new(),
        points: ns.iter().step_by(2).map(|&n| bar_point(n, f(n) * 1.01, 0.03)).collect(),
        style: Style::MARKERS,
        color,
    };
    Plot {
        title: Some(PlotText::new("Excess risk against sample size")),
        x: Axis { label: PlotText::new("$n$"), scale: Scale::Linear, range: None },
        y: Axis { label: PlotText::new("Excess risk"), scale: Scale::Linear, range: None },
        series: vec![
            line("Truth", &truth, Color::Blue),
            line("Masked surrogate", &masked, Color::Orange),
            line("Optimal surrogate", &optimal, Color::Green),
            sims(&truth, Color::Blue),
            sims(&masked, Color::Orange),
            sims(&optimal, Color::Green),
        ],
        marks: vec![Mark { x: 225.0, label: PlotText::new("reference") }],
        width_cm: 14.0,
        height_cm: 8.0,
    }
}

/// Fig 1a-like: a per-feature gain on log-log axes with the two transition points marked.
fn log_plot() -> Plot {
    let features: Vec<f64> = (0..40).map(|i| 10f64.powf(f64::from(i) / 13.0)).collect();
    let gain = |i: f64| 1.0 / (1.0 + (i / 30.0).powi(2)) * (1.0 + i / 10.0);
    let masked = |i: f64| if i < 200.0 { 1.0 } else { 1e-9 };
    Plot {
        title: None,
        x: Axis { label: PlotText::new("Feature index i"), scale: Scale::Log10, range: None },
        y: Axis {
            label: PlotText::new("$beta^(s*)_i \"/\" beta^star_i$"),
            scale: Scale::Log10,
            range: Some((1e-2, 10.0)),
        },
        series: vec![
            Series {
                label: "Optimal surrogate".to_owned(),
                points: features.iter().map(|&i| bar_point(i, gain(i), 0.3 * gain(i))).collect(),
                style: Style { line: Some(Dash::Solid), markers: true },
                color: Color::Green,
            },
            Series {
                label: "Masked surrogate".to_owned(),
                points: features.iter().map(|&i| point(i, masked(i))).collect(),
                style: Style::line(Dash::Solid),
                color: Color::Orange,
            },
        ],
        marks: vec![
            Mark { x: 12.0, label: PlotText::new("$zeta_i = 1 - Omega$") },
            Mark { x: 200.0, label: PlotText::new("$zeta_i^2 = 1 - Omega$") },
        ],
        width_cm: 14.0,
        height_cm: 8.0,
    }
}

/// Compiles plots into one PDF, each inside a figure (as a report would); writes it to the directory in
/// `KDREPRO_PLOT_DIR` if set, for looking at.
fn compile_plots(name: &str, plots: &[Plot]) -> Vec<u8> {
    let mut doc = String::from("#set page(width: 16cm, height: auto, margin: 1cm)\n");
    for plot in plots {
        doc.push_str(&format!("#figure([\n{}\n], caption: [A plot.])\n", plot.to_typst().unwrap()));
    }
    let pdf = compile_pdf(&doc, &BTreeMap::new(), DATE).unwrap_or_else(|err| panic!("{err}\n{doc}"));
    if let Some(dir) = std::env::var_os("KDREPRO_PLOT_DIR") {
        std::fs::write(std::path::Path::new(&dir).join(format!("{name}.pdf")), &pdf).unwrap();
    }
    pdf
}

#[test]
fn linear_and_log_plots_compile_to_pdf() {
    let pdf = compile_plots("plots", &[linear_plot(), log_plot()]);
    assert!(pdf.starts_with(b"%PDF"));
}

#[test]
fn hostile_labels_are_drawn_verbatim() {
    let mut plot = linear_plot();
    plot.title = Some(PlotText::new("#read(\"/etc/passwd\") ] $x$ <lab> \\"));
    plot.x.label = PlotText::new("x \\$ \\ y $x^2$");
    plot.series[0].label = "*b* _i_ @ref // ]".to_owned();
    plot.marks.push(Mark { x: 100.0, label: PlotText::new("]") });
    let code = plot.to_typst().unwrap();
    assert!(code.match_indices("#read").all(|(i, _)| code[..i].ends_with('\\')), "unescaped code in:\n{code}");
    compile_plots("hostile", &[plot]);
}

#[test]
fn undrawable_points_are_skipped() {
    let mut plot = log_plot();
    plot.series[0].points =
        vec![point(1.0, 1.0), point(f64::NAN, 1.0), point(2.0, -1.0), point(3.0, 0.0), point(4.0, 2.0)];
    plot.series[0].style = Style::MARKERS;
    let code = plot.to_typst().unwrap();
    assert_eq!(code.matches("marker-at(").count() - 1, 2, "only (1, 1) and (4, 2) can be drawn on log axes");
    compile_plots("skipped", &[plot]);
}

#[test]
fn lines_are_clipped_to_the_plot_area() {
    let mut plot = linear_plot();
    plot.y.range = Some((0.3, 0.6));
    let code = plot.to_typst().unwrap();
    let coordinates: Vec<f64> = code
        .lines()
        .filter(|line| line.trim_start().starts_with("polyline(("))
        .flat_map(|line| line.split(['(', ')', ',', ' ']).filter_map(|part| part.parse::<f64>().ok()))
        .filter(|value| *value != 1.1)
        .collect();
    assert!(!coordinates.is_empty());
    assert!(coordinates.iter().all(|c| (0.0..=1.0).contains(c)), "{coordinates:?}");
}

#[test]
fn marks_outside_the_range_are_left_out() {
    let mut plot = log_plot();
    plot.x.range = Some((1.0, 100.0));
    let code = plot.to_typst().unwrap();
    assert_eq!(code.matches("vmark(").count() - 1, 1, "x = 200 is outside [1, 100]");
}

#[test]
fn empty_plot_still_compiles() {
    let plot = Plot {
        title: None,
        x: Axis { label: PlotText::new(""), scale: Scale::Log10, range: None },
        y: Axis { label: PlotText::new(""), scale: Scale::Linear, range: None },
        series: Vec::new(),
        marks: Vec::new(),
        width_cm: f64::NAN,
        height_cm: 0.0,
    };
    compile_plots("empty", &[plot]);
}

#[test]
fn issue_13_a_line_with_simulated_markers_shows_both_in_the_legend() {
    // linear_plot's three theory lines, with unlabelled simulation markers for the first two colours only.
    let mut plot = linear_plot();
    plot.series.retain(|s| !(s.label.is_empty() && s.color == Color::Green));
    let code = plot.to_typst().unwrap();
    let legend = &code[code.find("let legend = (").expect("a legend")..];
    let legend = &legend[..legend.find('\n').unwrap()];
    let entries: Vec<&str> = legend.split("box(swatch(").skip(1).collect();
    assert_eq!(entries.len(), 3, "{legend}");
    // swatch(stroke, marker, colour): the simulated series' markers appear beside their lines, the third has none.
    assert!(entries[0].starts_with("1.1pt + rgb(\"#0072B2\"), \"circle\""), "{legend}");
    assert!(entries[1].starts_with("1.1pt + rgb(\"#E69F00\"), \"square\""), "{legend}");
    assert!(entries[2].starts_with("1.1pt + rgb(\"#009E73\"), none"), "{legend}");
}

#[test]
fn issue_13_curves_of_one_colour_are_told_apart_by_their_line_style() {
    // Three series of one experiment share its colour (report/figures.rs): solid, dashed and dotted lines, in the
    // plot and in the legend, so that "optimal masked" and "optimal" no longer look the same.
    let mut plot = linear_plot();
    plot.series.retain(|s| !s.label.is_empty());
    for (s, style) in plot.series.iter_mut().zip([
        Style { line: Some(Dash::Solid), markers: true },
        Style::line(Dash::Dashed),
        Style::line(Dash::Dotted),
    ]) {
        s.color = Color::Blue;
        s.style = style;
    }
    let code = plot.to_typst().unwrap();
    for stroke in [
        "(paint: rgb(\"#0072B2\"), thickness: 1.1pt, dash: \"dashed\")",
        "(paint: rgb(\"#0072B2\"), thickness: 1.4pt, dash: \"dotted\")",
    ] {
        assert_eq!(code.matches(stroke).count(), 2, "one polyline and one legend swatch with {stroke}");
    }
    compile_plots("line-styles", &[plot]);
}

#[test]
fn a_label_with_refused_mathematics_is_an_error() {
    let mut plot = linear_plot();
    plot.series[0].label = "risk $#read(\"/etc/passwd\")$".to_owned();
    assert!(plot.to_typst().is_err());
}
