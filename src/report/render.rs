//! Results + verdicts + prose → Typst source → PDF, results YAML and figures.

use std::collections::BTreeMap;
use std::fmt;

use minijinja::value::Serde;
use minijinja::{Environment, UndefinedBehavior, Value};

use super::claim_words;
use super::context::{ClaimRow, Date, PartContext, ReportContext};
use super::escape::{typst_markup, typst_string, typst_text};
use super::figures::figure_source;
use super::fonts::Fonts;
use super::mathematics;
use super::pdf::compile;
use super::prose::{self, paragraphs, prose_environment, prose_values};
use super::provenance::{COMMIT, design_words};
use super::results_file::results_file;
use super::table;
use super::world::{MAIN_PATH, ReportDate};
use crate::claims::{Status, Verdict, Verdicts};
use crate::engine::{ExperimentResults, Results, Stop};
use crate::numbers::{self, typeset};
use crate::plan::Plan;
use crate::spec::{Claim, Experiment, Keyword, Measure, Part, Section, Text, Trials};

/// The templates, compiled in; file names as in `templates/`.
const TEMPLATES: [(&str, &str); 7] = [
    ("report.typ.j2", include_str!("../../templates/report.typ.j2")),
    ("section.typ.j2", include_str!("../../templates/section.typ.j2")),
    ("text.typ.j2", include_str!("../../templates/text.typ.j2")),
    ("experiment.typ.j2", include_str!("../../templates/experiment.typ.j2")),
    ("figure.typ.j2", include_str!("../../templates/figure.typ.j2")),
    ("claim.typ.j2", include_str!("../../templates/claim.typ.j2")),
    ("table.typ.j2", include_str!("../../templates/table.typ.j2")),
];

/// The document date: fixed, so that identical inputs give identical PDFs.
const DATE: Date = Date { year: 2025, month: 4, day: 24 };

/// What to render.
pub struct RenderInput<'a> {
    /// The plan that ran: the resolved spec, the seed and the trials.
    pub plan: &'a Plan<'a>,
    /// The spec's file name, shown in the report.
    pub spec_file: &'a str,
    /// The spec's text, for the places (line numbers) of claims.
    pub source: &'a str,
    /// The output stem: `<stem>.pdf`, `<stem>.typ`, `<stem>.results.yaml`.
    pub stem: &'a str,
    /// The run's results.
    pub results: &'a Results,
    /// The claims' verdicts.
    pub verdicts: &'a Verdicts,
    /// The spec's content hash ([`spec_hash`](crate::spec_hash) of its text).
    pub spec_hash: &'a str,
    /// The worker thread count, recorded only when asked (`--record-threads`): outputs then depend on it.
    pub threads: Option<usize>,
    /// The fonts the report is set in.
    pub fonts: &'a Fonts,
}

/// The rendered report: every output file's contents.
pub struct Report {
    /// `<stem>.pdf`.
    pub pdf: Vec<u8>,
    /// `<stem>.typ`.
    pub typst: String,
    /// The results file (`<stem>.results.yaml`).
    pub results: super::ResultsFile,
    /// Figure sources by relative path (`figures/<name>.typ`), included by the main source, and the spec
    /// excerpts' syntax definition (`kd.sublime-syntax`).
    pub figures: BTreeMap<String, String>,
    /// Located warnings about what the report could not show (points a figure leaves out), in spec order.
    pub warnings: Vec<crate::Diagnostic>,
}

/// A failure to render.
#[derive(Debug)]
pub enum RenderError {
    /// A `{{ ... }}` expression in a text block failed (e.g. an unknown name).
    Prose {
        /// The text block's span.
        span: crate::Span,
        /// What went wrong.
        message: String,
    },
    /// A template or the Typst compiler failed: a bug in kdrepro.
    Internal(String),
}

impl fmt::Display for RenderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RenderError::Prose { message, .. } => write!(f, "{message}"),
            RenderError::Internal(m) => write!(f, "internal error while rendering the report: {m}"),
        }
    }
}

impl std::error::Error for RenderError {}

/// Renders the report.
///
/// # Errors
/// A prose expression that cannot be evaluated, or an internal template or Typst failure.
pub fn render(input: &RenderInput<'_>) -> Result<Report, RenderError> {
    let spec = input.plan.spec();
    let prose = prose_environment(spec);
    let values = prose_values(input.results);
    let mut figures = BTreeMap::new();
    let mut warnings = Vec::new();
    let mut parts = Vec::new();
    for part in &spec.document {
        parts.push(match part {
            Part::Section(s) => section(s)?,
            Part::Text(t) => text(&prose, &values, t, input.fonts)?,
            Part::Experiment(i) => {
                experiment(&spec.experiments[*i], &input.results.experiments[*i], input.plan.schedule(*i).trials)?
            }
            Part::Figure(i) => {
                let figure = &spec.figures[*i];
                let path = format!("figures/{}.typ", figure.name);
                let shown: Vec<_> =
                    figure.experiments.iter().map(|&e| (&spec.experiments[e], &input.results.experiments[e])).collect();
                let (source, figure_warnings) = figure_source(figure, &shown)?;
                warnings.extend(figure_warnings);
                figures.insert(path.clone(), source);
                let limits = shown.iter().all(|(e, _)| e.measure == Measure::Scale).then(|| scale_limits(&shown));
                let (header, rows) = limits.unwrap_or_default();
                PartContext::Figure {
                    name: figure.name.clone(),
                    path_str: typst_string(&path),
                    caption_markup: spec_text(&figure.caption)?,
                    table_caption_markup: spec_text(&format!(
                        "The limit of $R^* \\/ R(beta^t)$ per $(alpha, beta)$ of the experiments of {}: the ratio at \
                         each experiment's last point against $K(alpha, beta)$, its limit as $n -> infinity$ with \
                         $p = infinity$.",
                        figure.name
                    ))?,
                    tables: if rows.is_empty() { Vec::new() } else { table::tables(&header, &[], &rows)? },
                }
            }
            Part::Claim(i) => claim(input, &spec.claims[*i], &input.verdicts.claims[*i])?,
        });
    }
    let context = ReportContext {
        version: env!("CARGO_PKG_VERSION"),
        commit: COMMIT,
        spec_hash: input.spec_hash.to_owned(),
        data_files: spec.inputs.iter().map(|f| (typst_string(&f.path), f.blake3.clone())).collect(),
        threads: input.threads,
        spec_file_str: typst_string(input.spec_file),
        spec_file_line: input
            .spec_file
            .chars()
            .map(|c| if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') { '\u{fffd}' } else { c })
            .collect(),
        stem: input.stem.to_owned(),
        title_str: typst_string(&spec.title),
        title_markup: spec_text(&spec.title)?,
        source_markup: spec.source.as_deref().map(spec_text).transpose()?,
        seed: input.plan.seed(),
        trials_note_markup: typst_markup(&trials_note(input.plan, input.results)),
        draft: input.plan.draft(),
        date: DATE,
        summary_sentence: summary_sentence(input.verdicts),
        summary: input
            .verdicts
            .claims
            .iter()
            .map(|v| Ok(ClaimRow { name: v.name.clone(), label_markup: spec_text(&v.label)?, status: v.status.word() }))
            .collect::<Result<_, RenderError>>()?,
        parts,
    };
    let typst = templates()?.get_template("report.typ.j2").and_then(|t| t.render(Serde(&context))).map_err(internal)?;
    // The highlighting of the spec excerpts (`#set raw(syntaxes: ...)`), written next to the report.
    figures.insert(String::from("kd.sublime-syntax"), String::from(include_str!("../../editors/kd.sublime-syntax")));
    let files = figures.iter().map(|(k, v)| (k.clone(), v.clone().into_bytes())).collect();
    let date = ReportDate { year: DATE.year, month: DATE.month, day: DATE.day };
    let compiled = compile(&typst, &files, date, input.fonts).map_err(|e| RenderError::Internal(e.to_string()))?;
    // A warning from Typst means a template produced something unintended: fail rather than ship it.
    if let Some(w) = compiled.warnings.first() {
        return Err(RenderError::Internal(format!("Typst warned: {w}")));
    }
    let pdf = compiled.bytes;
    Ok(Report { pdf, typst, results: results_file(input), figures, warnings })
}

/// Compiles a report's Typst source (`kdrepro typst FILE.typ`), with the files it includes keyed by their path
/// relative to it (`figures/fig1b.typ`, `kd.sublime-syntax`), into the PDF `build` writes: the same date, the same
/// embedded fonts (and those of `fonts`), so that an unedited `<stem>.typ` gives `<stem>.pdf` byte for byte.
///
/// Returns the PDF and Typst's warnings, each at `path:line:column`, the source called `name`.
///
/// # Errors
/// Typst's errors, at `path:line:column`.
pub fn compile_typst(
    name: &str,
    main: &str,
    files: &BTreeMap<String, Vec<u8>>,
    fonts: &Fonts,
) -> Result<(Vec<u8>, Vec<String>), String> {
    let date = ReportDate { year: DATE.year, month: DATE.month, day: DATE.day };
    // The world calls the source by its virtual path and its directory `/`; messages use the paths the user gave.
    let dir = std::path::Path::new(name).parent().map(|d| d.display().to_string()).filter(|d| !d.is_empty());
    let searched = format!("(searched at {}/", dir.unwrap_or_else(|| ".".to_owned()));
    let named = |message: String| message.replace(MAIN_PATH, name).replace("(searched at /", &searched);
    let compiled = compile(main, files, date, fonts).map_err(|e| named(e.to_string()))?;
    Ok((compiled.bytes, compiled.warnings.iter().map(|w| named(w.to_string())).collect()))
}

/// A template failure is a kdrepro bug.
#[allow(clippy::needless_pass_by_value, reason = "a map_err adaptor: `.map_err(internal)`")]
fn internal(e: minijinja::Error) -> RenderError {
    RenderError::Internal(format!("{e:#}"))
}

/// The report templates, strict about undefined names.
fn templates() -> Result<Environment<'static>, RenderError> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    for (name, source) in TEMPLATES {
        env.add_template(name, source).map_err(internal)?;
    }
    Ok(env)
}

/// A spec text as markup.
fn spec_text(s: &str) -> Result<String, RenderError> {
    Ok(typst_text(s)?)
}

/// The spec stage refused every text whose mathematics is not in the safe subset, so a refusal while rendering is
/// a kdrepro bug; but for a `text` block's printed expressions, which [`text`] words as the spec's error.
impl From<crate::syntax::MathError> for RenderError {
    fn from(e: crate::syntax::MathError) -> Self {
        RenderError::Internal(format!("a text that passed the spec check is refused: {}", e.message))
    }
}

/// A section heading with its labels.
fn section(s: &Section) -> Result<PartContext, RenderError> {
    let heading = match &s.title {
        Some(t) => format!("{} — {t}", s.label),
        None => s.label.clone(),
    };
    Ok(PartContext::Section {
        heading_markup: spec_text(&heading)?,
        v1_markup: s.v1.as_deref().map(spec_text).transpose()?,
        // Statements are reflowed like prose: the spec's line breaks are not the report's.
        statement_markup: s.statement.as_deref().map(|t| paragraphs(t).map(|p| p.join("\n\n"))).transpose()?,
    })
}

/// A `text` block as paragraphs of markup, its expressions printed ([`prose::expand`]) and the mathematics they
/// print typeset in `fonts`.
fn text(env: &Environment<'_>, values: &Value, t: &Text, fonts: &Fonts) -> Result<PartContext, RenderError> {
    let prose_error = |d: crate::Diagnostic| RenderError::Prose { span: d.span, message: d.message };
    let (rendered, paragraphs) = prose::expand(env, values, t).map_err(prose_error)?;
    mathematics::check_printed(t, &rendered, fonts).map_err(prose_error)?;
    Ok(PartContext::Text { paragraphs })
}

/// An experiment's summary, excerpt and table; `trials` is what the plan ran.
fn experiment(e: &Experiment, r: &ExperimentResults, trials: Option<Trials>) -> Result<PartContext, RenderError> {
    let p = match &e.dimensions {
        // `measure scale` with `p` builds its own spectra; the task gives α and β.
        Some(d) => format!("{}, dots, {}", d[0], d[d.len() - 1]),
        None => e.task.spectrum.lambda.len().to_string(),
    };
    let (summary, caption, header, rows) = match e.measure {
        Measure::ExcessRisk => risk_table(e, r, trials),
        Measure::Accuracy | Measure::Error => accuracy_table(e, r, trials),
        Measure::Coefficients => coefficient_table(e, r),
        Measure::Masks => mask_table(e, r),
        m => quantity_table(m, e, r),
    };
    let design = design_words(e, r.trials, true).map_or(String::new(), |d| format!(" {d}"));
    Ok(PartContext::Experiment {
        name: e.name.clone(),
        // The design names data sets by the paths a spec wrote: verbatim, never read as mathematics.
        summary_markup: format!(
            "{}{}",
            spec_text(&format!("{} {summary}", task_words(&e.task, &p)))?,
            typst_markup(&design)
        ),
        excerpt_str: typst_string(&e.excerpt),
        caption_markup: spec_text(&caption)?,
        tables: table::tables(&header, &column_groups(e, r), &rows)?,
    })
}

/// The task in one sentence: its dimension and noise, or the dataset its rows come from.
fn task_words(task: &crate::spec::Task, p: &str) -> String {
    match &task.rows {
        None => format!("Task {}: $p = {p}$, noise variance {}.", task.name, noise_math(task)),
        Some(rows) => {
            let (n, d) = rows.data.features.shape();
            format!(
                "Task {}: {} ({n} rows, $d = {d}$ features, {} classes), {} rows held out in every trial.",
                task.name,
                // A path may hold a `$`: it is a dollar sign here, not mathematics.
                rows.data.name.replace('$', "\\$"),
                rows.data.classes(),
                rows.test
            )
        }
    }
}

/// The task's noise variance as mathematics: `$sigma^2 = 0.5$`, or `$sigma^2(n) = 0.5 dot n^(-0.25)$` when it
/// decays with n.
fn noise_math(task: &crate::spec::Task) -> String {
    let noise = typeset(task.noise, 3);
    if task.noise_decay == 0.0 {
        format!("$sigma^2 = {noise}$")
    } else {
        format!("$sigma^2 (n) = {noise} dot n^({})$", typeset(-task.noise_decay, 3))
    }
}

/// Labels above groups of a table's columns, with how many columns each spans: each series' legend label over its
/// theory and simulation columns in an excess-risk table; none for the other tables.
fn column_groups(e: &Experiment, r: &ExperimentResults) -> Vec<(String, usize)> {
    if !matches!(e.measure, Measure::ExcessRisk | Measure::Accuracy | Measure::Error) {
        return Vec::new();
    }
    let span = if r.trials.is_some() && !e.measure.classifies() { 2 } else { 1 };
    let series = r.series.iter().map(|s| (s.label.clone(), span));
    std::iter::once((String::new(), 1)).chain(series).collect()
}

/// The table parts of an experiment: summary sentence, caption, header, rows.
type Table = (String, String, Vec<String>, Vec<Vec<String>>);

/// Excess risk per n: theory and simulation (mean ± 95% half-width) per series; `trials` is what the plan ran.
fn risk_table(e: &Experiment, r: &ExperimentResults, trials: Option<Trials>) -> Table {
    let mut header = vec!["$n$".to_owned()];
    // Each series' legend label heads its columns (`column_groups`).
    for _ in &r.series {
        header.push("theory".to_owned());
        if r.trials.is_some() {
            header.push("sim. ± 95%".to_owned());
        }
    }
    let rows = (0..e.sizes.len())
        .map(|i| {
            let mut row = vec![e.sizes[i].to_string()];
            for s in &r.series {
                let p = &s.points[i];
                row.push(typeset(p.theory, 4));
                if let (Some(mean), Some(high)) = (p.mean, p.ci_high) {
                    // Non-breaking spaces: a mean and its half-width stay on one line.
                    row.push(numbers::measured(mean, high - mean).replace(' ', "\u{a0}"));
                }
            }
            row
        })
        .collect();
    let summary = match r.trials {
        Some(t) => format!(
            "Excess risk at {}, {t} Monte Carlo trials per point on {} designs.{}",
            sample_sizes(e.sizes.len()),
            e.designs.keyword(),
            stop_words(r, trials)
        ),
        None => format!("Theoretical excess risk at {}.", sample_sizes(e.sizes.len())),
    };
    let caption = match r.trials {
        Some(_) => format!("Excess risk of experiment {}: deterministic equivalent and simulation.", e.name),
        None => format!("Excess risk of experiment {}: deterministic equivalent.", e.name),
    };
    (summary, caption, header, rows)
}

/// Test accuracy (or 0-1 risk) per n: the simulated mean ± 95% half-width per series. There is no theory.
fn accuracy_table(e: &Experiment, r: &ExperimentResults, trials: Option<Trials>) -> Table {
    let mut header = vec!["$n$".to_owned()];
    header.extend(r.series.iter().map(|_| "sim. ± 95%".to_owned()));
    let rows = (0..e.sizes.len())
        .map(|i| {
            let cells = r.series.iter().map(|s| match (s.points[i].mean, s.points[i].ci_high) {
                (Some(mean), Some(high)) => numbers::measured(mean, high - mean).replace(' ', "\u{a0}"),
                _ => "—".to_owned(),
            });
            std::iter::once(e.sizes[i].to_string()).chain(cells).collect()
        })
        .collect();
    let what = if e.measure == Measure::Error { "0-1 risk" } else { "accuracy" };
    let summary = format!(
        "Test {what} at {}, {} Monte Carlo trials per point. Simulated only: no theory of these networks is \
         implemented, so no column compares with one.{}",
        sample_sizes(e.sizes.len()),
        r.trials.unwrap_or(0),
        stop_words(r, trials)
    );
    let caption = format!("Test {what} of experiment {}: simulation only (no theory).", e.name);
    (summary, caption, header, rows)
}

/// Coefficients at one n: the deterministic-equivalent quantities and each series' extremes.
fn coefficient_table(e: &Experiment, r: &ExperimentResults) -> Table {
    let q = &r.equivalents[0];
    let opt = |x: Option<f64>| x.map_or("—".to_owned(), |v| typeset(v, 4));
    let idx = |x: Option<usize>| x.map_or("—".to_owned(), |v| v.to_string());
    let mut rows = vec![
        vec!["sample size $n$".to_owned(), q.n.to_string()],
        vec!["$tau$ (eq. 7)".to_owned(), opt(q.tau)],
        vec!["$Omega = 1 / n sum_i (1 - zeta_i)^2$".to_owned(), opt(q.omega)],
        vec!["last amplified index ($zeta_i < 1 - Omega$)".to_owned(), idx(q.last_amplified)],
        vec!["last kept index ($zeta_i^2 < 1 - Omega$)".to_owned(), idx(q.last_kept)],
        vec!["features kept by the optimal mask".to_owned(), q.kept.to_string()],
    ];
    for s in &r.series {
        if let Some(peak) = s.points.iter().max_by(|a, b| a.theory.total_cmp(&b.theory)) {
            rows.push(vec![
                format!("{}: largest coefficient", s.name),
                format!("{} at i = {}", typeset(peak.theory, 4), peak.x),
            ]);
        }
        if let Some(last) = s.points.last() {
            rows.push(vec![format!("{}: coefficient at i = {}", s.name, last.x), typeset(last.theory, 4)]);
        }
    }
    let summary = format!("Coefficients of {} surrogates against the feature index at n = {}.", r.series.len(), q.n);
    let caption = format!("Deterministic-equivalent quantities of experiment {}.", e.name);
    (summary, caption, vec!["quantity".to_owned(), "value".to_owned()], rows)
}

/// Per experiment of a figure of `measure scale` experiments: its (α, β), its last point, the ratio there, the
/// limit K(α, β) and their relative difference (header and rows).
fn scale_limits(shown: &[(&Experiment, &ExperimentResults)]) -> (Vec<String>, Vec<Vec<String>>) {
    let header = ["$alpha$", "$beta$", "last point", "$R^* \\/ R(beta^t)$ there", "$K(alpha, beta)$", "relative gap"];
    let rows = shown
        .iter()
        .filter_map(|(e, r)| {
            let (ratio, constant) = (r.series[0].points.last()?, r.series[1].points.last()?);
            let exponent = |x: Option<f64>| x.map_or("—".to_owned(), |v| typeset(v, 3));
            let at = if r.x == "p" {
                format!("$p$ = {}, $n$ = {}", typeset(ratio.x, 3), e.sizes[0])
            } else {
                format!("$n$ = {}, $p$ = {}", typeset(ratio.x, 3), typeset(e.task.spectrum.lambda.len() as f64, 3))
            };
            Some(vec![
                exponent(e.task.spectrum.alpha),
                exponent(e.task.energy_exponent),
                at,
                defined_to(ratio.theory, 6),
                defined_to(constant.theory, 6),
                defined_to(ratio.theory / constant.theory - 1.0, 3),
            ])
        })
        .collect();
    (header.map(str::to_owned).to_vec(), rows)
}

/// One column per series, one row per point: the theory-only quantities of Propositions 4, 5, the v1 bounds and
/// the ratio R*/R(β^t) at scale.
fn quantity_table(measure: Measure, e: &Experiment, r: &ExperimentResults) -> Table {
    let mut header = vec![format!("${}$", r.x)];
    header.extend(r.series.iter().map(|s| s.label.clone()));
    let rows = (0..e.sweep().len())
        .map(|i| {
            let mut row = vec![e.sweep()[i].to_string()];
            // The ratios converge in their fourth digit: `scale` shows six.
            let digits = if measure == Measure::Scale { 6 } else { 4 };
            row.extend(r.series.iter().map(|s| defined_to(s.points[i].theory, digits)));
            row
        })
        .collect();
    let what = match measure {
        Measure::Equivalent => "$tau n^alpha$ and $Omega$ with their power-law limits".to_owned(),
        Measure::Cutoffs => {
            "the numbers of amplified and kept features with the cut-offs $n C_1$ and $n C_2$".to_owned()
        }
        Measure::Scale => {
            let beta = e.task.energy_exponent.map_or(String::new(), |b| typeset(b, 3));
            format!(
                "the optimal surrogate's risk over the standard target's, $R^* \\/ R(beta^t)$, noiseless, with \
                 $lambda_i (beta^star_i)^2 = i^(-{beta})$, and its limit $K(alpha, beta)$ as $n -> infinity$ at \
                 $p = infinity$ (— on $beta = 2 alpha + 1$)"
            )
        }
        _ => "$1 \\/ tau$ and $Omega$ with the finite-$p$ bounds of arXiv v1 Propositions 7 and 8 (— where a bound's \
              conditions fail)"
            .to_owned(),
    };
    let alpha = e.task.spectrum.alpha.map_or(String::new(), |a| format!(" ($alpha = {}$)", typeset(a, 3)));
    let points = match &e.dimensions {
        Some(d) => format!("{} dimension{} $p$ at $n = {}$", d.len(), if d.len() == 1 { "" } else { "s" }, e.sizes[0]),
        None => sample_sizes(e.sizes.len()),
    };
    let summary = format!("Theory at {points}{alpha}: {what}.");
    let caption = format!("Deterministic-equivalent quantities of experiment {}.", e.name);
    (summary, caption, header, rows)
}

/// The top-k mask sweep, thinned to about twenty rows plus the optimal mask's size.
fn mask_table(e: &Experiment, r: &ExperimentResults) -> Table {
    let q = &r.equivalents[0];
    let p = e.task.spectrum.lambda.len();
    let stride = (p / 20).max(1);
    let rows = r.series[0]
        .points
        .iter()
        .enumerate()
        .filter(|&(k, _)| k % stride == 0 || k == q.kept || k == p)
        .map(|(k, point)| vec![k.to_string(), typeset(point.theory, 4), typeset(r.series[1].points[k].theory, 4)])
        .collect();
    let summary = format!(
        "Theory at n = {}: the risk of the mask keeping the first k features for every k = 0..{p}, against the optimal \
         mask, which keeps {} features.",
        q.n, q.kept
    );
    let caption = format!("Top-k masks against the optimal mask (experiment {}), every {stride}th k shown.", e.name);
    (summary, caption, vec!["k".to_owned(), "top-k mask".to_owned(), "optimal mask".to_owned()], rows)
}

/// "1 sample size", "17 sample sizes".
fn sample_sizes(count: usize) -> String {
    format!("{count} sample size{}", if count == 1 { "" } else { "s" })
}

/// A number to `digits` significant digits, or a dash where it is not defined.
fn defined_to(x: f64, digits: usize) -> String {
    if x.is_finite() { typeset(x, digits) } else { "—".to_owned() }
}

/// A claim's verdict block.
fn claim(input: &RenderInput<'_>, c: &Claim, v: &Verdict) -> Result<PartContext, RenderError> {
    let line = input.source[..c.span.start as usize].matches('\n').count() + 1;
    Ok(PartContext::Claim {
        name: v.name.clone(),
        location_markup: typst_markup(&format!("{}, line {line}", input.spec_file)),
        label_markup: spec_text(&v.label)?,
        status: v.status.word(),
        rule_markup: spec_text(&claim_words::rule(v))?,
        outcome_markup: spec_text(&claim_words::outcome(v))?,
        notes_markup: v.notes.iter().map(|n| typst_markup(n)).collect(),
        contradicted_markup: v.contradicted.as_deref().map(spec_text).transpose()?,
        excerpt_str: typst_string(&c.excerpt),
    })
}

/// " Adaptive trials: …" on why an experiment stopped where it did; nothing for fixed trials.
fn stop_words(r: &ExperimentResults, planned: Option<Trials>) -> String {
    let (Some(trials), Some(Trials::Auto { max })) = (r.trials, planned) else { return String::new() };
    match r.stop {
        Some(Stop::Decided { look, looks }) => format!(
            " Adaptive trials (cap {max}): stopped after {trials} trials per point, at look {look} of {looks}, \
             because every claim on this experiment was decided."
        ),
        Some(Stop::Cap { .. }) => format!(
            " Adaptive trials: the cap of {max} trials per point was reached with a claim on this experiment still \
             undecided."
        ),
        Some(Stop::Fixed) | None => String::new(),
    }
}

/// "All 3 claims hold." / "48 claims: 46 hold, 1 contradicted as the spec expects (`obs1`), 1 failed (`x`),
/// 0 inconclusive." Held, contradicted, failed and inconclusive claims are always counted apart; unexpected holds
/// are counted when there are any.
fn summary_sentence(v: &Verdicts) -> String {
    let names = |s: Status| -> Vec<String> {
        v.claims.iter().filter(|c| c.status == s).map(|c| format!("`{}`", c.name)).collect()
    };
    let held = names(Status::Pass).len();
    match (held, v.claims.len()) {
        (_, 0) => {
            return "The spec states no claims: it reports theory and simulation without deciding anything.".into();
        }
        (1, 1) => return "The one claim holds.".into(),
        (held, total) if held == total => return format!("All {held} claims hold."),
        _ => {}
    }
    let counts = [
        (names(Status::Contradicted), "contradicted as the spec expects", true),
        (names(Status::Fail), "failed", true),
        (names(Status::Unexpected), "held although the spec expects a contradiction", false),
        (names(Status::Inconclusive), "inconclusive (too few trials to decide)", true),
    ];
    let total = v.claims.len();
    let mut parts = vec![format!("{total} claim{}: {held} hold", if total == 1 { "" } else { "s" })];
    for (names, what, always) in counts {
        match names.len() {
            0 if always => parts.push(format!("0 {what}")),
            0 => {}
            n => parts.push(format!("{n} {what} ({})", names.join(", "))),
        }
    }
    parts.join(", ") + "."
}

/// The law of a design's entries in one word or two, for the title page.
fn law_word(entries: crate::sim::Entries) -> String {
    match entries {
        crate::sim::Entries::Gaussian => "Gaussian".to_owned(),
        crate::sim::Entries::Rademacher => "Rademacher".to_owned(),
        crate::sim::Entries::Uniform => "uniform".to_owned(),
        crate::sim::Entries::StudentT { nu } => format!("Student-t ν = {}", typeset(nu, 3)),
    }
}

/// The Monte Carlo design in one line.
fn trials_note(plan: &Plan<'_>, results: &Results) -> String {
    let spec = plan.spec();
    let draft = plan.draft().map_or(String::new(), |t| format!("draft: {t} trials per point (--trials) · "));
    let pairs = || spec.experiments.iter().zip(&results.experiments).filter(|(_, r)| r.trials.is_some());
    // Gaussian designs only: the words of before other laws existed; otherwise each experiment names its law.
    let gaussian = pairs().all(|(e, _)| e.task.entries == crate::sim::Entries::Gaussian && e.task.rows.is_none());
    let simulated: Vec<String> = pairs()
        .filter_map(|(e, r)| {
            let law = match &e.task.rows {
                _ if gaussian => String::new(),
                Some(rows) => format!(", rows of {}", rows.data.name),
                None => format!(", {}", law_word(e.task.entries)),
            };
            r.trials.map(|t| format!("{} × {t} trials ({}, {}{law})", e.sizes.len(), e.name, e.designs.keyword()))
        })
        .collect();
    if simulated.is_empty() {
        "theory only".to_owned()
    } else if gaussian {
        format!("{draft}Gaussian designs: {}", simulated.join(", "))
    } else {
        format!("{draft}designs: {}", simulated.join(", "))
    }
}
