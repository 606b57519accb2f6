//! Name resolution and validation: [`Ast`] → [`Spec`].

use std::collections::HashMap;

use super::args::{Args, Bound, MAX_COUNT, count, kind_name, number, real};
use super::{
    Axes, Claim, Experiment, Figure, Measure, Part, PointFilter, Rule, Section, Spec, Spectrum, Surrogate,
    SurrogateKind, Task, Text,
};
use crate::diagnostics::{Diagnostic, Span, did_you_mean};
use crate::syntax::{Ast, Block, Comparison, Declaration, Expr, ExprKind, Ident, Item, Path, Setting, Value};

/// The declaration keywords.
const DECLARATIONS: [&str; 4] = ["spectrum", "signal", "task", "surrogate"];
/// The block keywords.
const BLOCKS: [&str; 4] = ["section", "experiment", "figure", "claim"];
/// The top-level settings.
const TOP_SETTINGS: [&str; 4] = ["title", "source", "seed", "text"];

/// Resolves every name and checks every value of a parsed spec.
///
/// # Errors
/// All located errors found; nothing is returned unless the whole spec is valid.
pub fn resolve(ast: &Ast, source: &str) -> Result<Spec, Vec<Diagnostic>> {
    if ast.items.is_empty() {
        let d = Diagnostic::error(Span::new(0, 0), "this spec is empty")
            .with_hint("a spec declares at least a title, e.g. `title \"My reproduction\"`");
        return Err(vec![d]);
    }
    let mut resolver = Resolver::new(ast, source);
    let spec = resolver.spec(ast);
    if resolver.errors.is_empty() { Ok(spec) } else { Err(resolver.errors) }
}

/// What a name refers to.
#[derive(Clone, Copy)]
enum Named<'a> {
    /// `spectrum x = ...` and the other declarations.
    Declaration(&'a Declaration),
    /// `experiment x { ... }` and the other blocks.
    Block(&'a Block),
}

/// The resolver's state: the name table and the errors so far.
struct Resolver<'a> {
    /// The spec text, for excerpts.
    source: &'a str,
    /// Every declared name.
    names: HashMap<&'a str, Named<'a>>,
    /// Experiment names → index in [`Spec::experiments`], filled in file order.
    experiments: HashMap<&'a str, usize>,
    /// Errors so far.
    errors: Vec<Diagnostic>,
}

impl<'a> Resolver<'a> {
    /// Indexes every name, reporting duplicates and unknown item keywords.
    fn new(ast: &'a Ast, source: &'a str) -> Self {
        let mut resolver = Self { source, names: HashMap::new(), experiments: HashMap::new(), errors: Vec::new() };
        for item in &ast.items {
            let (name, named) = match item {
                Item::Declaration(d) => {
                    resolver.check_keyword(&d.kind, &DECLARATIONS, "declaration");
                    (&d.name, Named::Declaration(d))
                }
                Item::Block(b) => {
                    resolver.check_keyword(&b.kind, &BLOCKS, "block");
                    (&b.name, Named::Block(b))
                }
                Item::Setting(s) => {
                    resolver.check_keyword(&s.key, &TOP_SETTINGS, "setting");
                    continue;
                }
            };
            // The first declaration stays in force, so that later errors refer to it.
            if resolver.names.contains_key(name.name.as_str()) {
                resolver.errors.push(Diagnostic::error(name.span, format!("`{}` is declared twice", name.name)));
            } else {
                resolver.names.insert(&name.name, named);
            }
        }
        resolver
    }

    /// Reports `word` unless it is one of `allowed`.
    fn check_keyword(&mut self, word: &Ident, allowed: &[&str], what: &str) {
        if !allowed.contains(&word.name.as_str()) {
            self.errors.push(unknown(word, what, allowed));
        }
    }

    /// Records the error of a failed step.
    fn keep<T>(&mut self, result: Result<T, Diagnostic>) -> Option<T> {
        result.map_err(|d| self.errors.push(d)).ok()
    }

    /// Resolves the whole file in reading order.
    fn spec(&mut self, ast: &'a Ast) -> Spec {
        let mut spec = Spec {
            title: String::from("kdrepro report"),
            source: None,
            seed: 0,
            experiments: Vec::new(),
            figures: Vec::new(),
            claims: Vec::new(),
            document: Vec::new(),
        };
        for item in &ast.items {
            match item {
                Item::Setting(s) => self.top_setting(&mut spec, s),
                Item::Block(b) => self.block(&mut spec, b),
                Item::Declaration(_) => {}
            }
        }
        spec
    }

    /// `title`, `source`, `seed`, `text`.
    fn top_setting(&mut self, spec: &mut Spec, s: &'a Setting) {
        let result = (|| {
            match s.key.name.as_str() {
                "title" => spec.title = string(single(s)?)?,
                "source" => spec.source = Some(string(single(s)?)?),
                "seed" => spec.seed = seed(single(s)?)?,
                "text" => {
                    let e = single(s)?;
                    let template = string(e)?;
                    check_template(&template, e.span)?;
                    spec.document.push(Part::Text(Text { template, span: e.span }));
                }
                _ => {}
            }
            Ok(())
        })();
        self.keep(result);
    }

    /// A block, resolved according to its keyword.
    fn block(&mut self, spec: &mut Spec, b: &'a Block) {
        let part = match b.kind.name.as_str() {
            "section" => self.keep(section(b)).map(Part::Section),
            "experiment" => self.keep(self.experiment(b)).map(|e| {
                self.experiments.insert(&b.name.name, spec.experiments.len());
                spec.experiments.push(e);
                Part::Experiment(spec.experiments.len() - 1)
            }),
            "figure" => self.keep(self.figure(b, spec)).map(|f| {
                spec.figures.push(f);
                Part::Figure(spec.figures.len() - 1)
            }),
            "claim" => self.keep(self.claim(b, spec)).map(|c| {
                spec.claims.push(c);
                Part::Claim(spec.claims.len() - 1)
            }),
            _ => None,
        };
        spec.document.extend(part);
    }

    /// The declaration `path` names, which must be of `kind`.
    fn declaration(&self, path: &Path, kind: &str) -> Result<&'a Declaration, Diagnostic> {
        let name = single_segment(path)?;
        match self.names.get(name.name.as_str()) {
            Some(Named::Declaration(d)) if d.kind.name == kind => Ok(d),
            Some(Named::Declaration(d)) => Err(wrong_kind(name, &d.kind.name, kind)),
            Some(Named::Block(b)) => Err(wrong_kind(name, &b.kind.name, kind)),
            None => Err(self.unknown_name(name, kind)),
        }
    }

    /// "unknown spectrum `x`", with the nearest declared name of that kind.
    fn unknown_name(&self, name: &Ident, kind: &str) -> Diagnostic {
        let candidates = self.names.iter().filter(|(_, n)| kind_of(**n) == kind).map(|(k, _)| *k);
        let mut d = Diagnostic::error(name.span, format!("unknown {kind} `{}`", name.name));
        if let Some(s) = did_you_mean(&name.name, candidates) {
            d = d.with_hint(format!("did you mean `{s}`?"));
        }
        d
    }

    /// The spectrum declaration named by `expr`.
    fn spectrum(&self, expr: &Expr) -> Result<(Spectrum, &'a Declaration), Diagnostic> {
        let d = self.declaration(path(expr, "a spectrum name")?, "spectrum")?;
        let (callee, args) = call(&d.value, &["powerlaw", "isotropic", "list"])?;
        let lambda = match callee.name.as_str() {
            "powerlaw" => {
                let a = Args::new(callee, d.value.span, args, &["p", "alpha"])?;
                let p = count(number(a.require("p")?, "p")?, "p", 1)?;
                let alpha = a.real("alpha", Bound::Positive, None)?;
                (1..=p).map(|i| (i as f64).powf(-alpha)).collect()
            }
            "isotropic" => {
                let a = Args::new(callee, d.value.span, args, &["p", "value"])?;
                let p = count(number(a.require("p")?, "p")?, "p", 1)?;
                vec![a.real("value", Bound::Positive, Some(1.0))?; p]
            }
            _ => {
                let a = Args::new(callee, d.value.span, args, &["eigenvalues"])?;
                let values = reals(a.require("eigenvalues")?, "eigenvalues", Bound::NonNegative)?;
                if !values.iter().any(|&l| l > 0.0) {
                    return Err(Diagnostic::error(d.value.span, "a spectrum needs at least one positive eigenvalue"));
                }
                values
            }
        };
        Ok((Spectrum { lambda }, d))
    }

    /// The signal declaration named by `expr`: β⋆ in the eigenbasis of its spectrum.
    fn signal(&self, expr: &Expr) -> Result<(Vec<f64>, Vec<&'a Declaration>), Diagnostic> {
        let d = self.declaration(path(expr, "a signal name")?, "signal")?;
        let (callee, args) = call(&d.value, &["powerlaw_energy", "constant", "list"])?;
        let params: &'static [&'static str] = match callee.name.as_str() {
            "powerlaw_energy" => &["spectrum", "beta", "power"],
            "constant" => &["spectrum", "value", "power"],
            _ => &["spectrum", "coefficients", "power"],
        };
        let a = Args::new(callee, d.value.span, args, params)?;
        let (spectrum, spectrum_decl) = self.spectrum(a.require("spectrum")?)?;
        let lambda = &spectrum.lambda;
        let mut beta: Vec<f64> = match callee.name.as_str() {
            // λ_i β_i² = i^{-β}
            "powerlaw_energy" => {
                let b = a.real("beta", Bound::Any, None)?;
                lambda.iter().enumerate().map(|(i, &l)| ((i as f64 + 1.0).powf(-b) / l).sqrt()).collect()
            }
            "constant" => vec![a.real("value", Bound::Any, Some(1.0))?; lambda.len()],
            _ => {
                let e = a.require("coefficients")?;
                let values = reals(e, "coefficients", Bound::Any)?;
                if values.len() != lambda.len() {
                    return Err(Diagnostic::error(
                        e.span,
                        format!("the signal has {} coefficients but its spectrum has {}", values.len(), lambda.len()),
                    ));
                }
                values
            }
        };
        if beta.iter().any(|b| !b.is_finite()) {
            return Err(Diagnostic::error(d.value.span, "the signal is not finite: a zero eigenvalue carries energy")
                .with_hint("use a spectrum with positive eigenvalues, or an explicit list"));
        }
        if let Some(e) = a.get("power") {
            normalise(&mut beta, lambda, real(e, "power", Bound::Positive)?, e.span)?;
        }
        Ok((beta, vec![spectrum_decl, d]))
    }

    /// The task declaration named by `expr`, with the declarations it uses.
    fn task(&self, expr: &Expr) -> Result<(Task, Vec<&'a Declaration>), Diagnostic> {
        let d = self.declaration(path(expr, "a task name")?, "task")?;
        let (callee, args) = call(&d.value, &["gaussian"])?;
        let a = Args::new(callee, d.value.span, args, &["spectrum", "signal", "noise"])?;
        let (spectrum, spectrum_decl) = self.spectrum(a.require("spectrum")?)?;
        let signal_expr = a.require("signal")?;
        let (beta, mut used) = self.signal(signal_expr)?;
        if beta.len() != spectrum.lambda.len() {
            return Err(Diagnostic::error(
                signal_expr.span,
                format!("the signal has {} features but the spectrum has {}", beta.len(), spectrum.lambda.len()),
            ));
        }
        let noise = a.real("noise", Bound::NonNegative, Some(0.0))?;
        used.extend([spectrum_decl, d]);
        Ok((Task { name: d.name.name.clone(), spectrum, beta, noise }, used))
    }

    /// The surrogate declaration named by `expr`.
    fn surrogate(&self, expr: &Expr) -> Result<(Surrogate, &'a Declaration), Diagnostic> {
        let d = self.declaration(path(expr, "a surrogate name")?, "surrogate")?;
        const KINDS: [&str; 3] = ["ground_truth", "optimal", "optimal_mask"];
        let (kind, label) = match &d.value.kind {
            ExprKind::Path(p) => (single_segment(p)?, None),
            ExprKind::Call(callee, args) => {
                let a = Args::new(callee, d.value.span, args, &["label"])?;
                (callee, a.get("label").map(string).transpose()?)
            }
            other => return Err(expected(&d.value, "a surrogate such as `optimal`", other)),
        };
        let (kind, default_label) = match kind.name.as_str() {
            "ground_truth" => (SurrogateKind::GroundTruth, "Strong labels (β⋆)"),
            "optimal" => (SurrogateKind::Optimal, "Optimal surrogate"),
            "optimal_mask" => (SurrogateKind::OptimalMask, "Optimal masked surrogate"),
            _ => return Err(unknown(kind, "surrogate kind", &KINDS)),
        };
        let label = label.unwrap_or_else(|| default_label.to_owned());
        Ok((Surrogate { name: d.name.name.clone(), kind, label }, d))
    }

    /// `experiment name { task ..., n ..., surrogates ..., trials ..., measure ... }`
    fn experiment(&self, b: &'a Block) -> Result<Experiment, Diagnostic> {
        let s = Settings::new(b, &["task", "n", "surrogates", "trials", "measure"])?;
        let (task, mut used) = self.task(single(s.require("task")?)?)?;
        let n_setting = s.require("n")?;
        let sizes = sizes(single(n_setting)?)?;
        let mut surrogates: Vec<Surrogate> = Vec::new();
        for v in &s.require("surrogates")?.values {
            let (surrogate, decl) = self.surrogate(value_expr(v)?)?;
            if surrogates.iter().any(|x| x.name == surrogate.name) {
                return Err(Diagnostic::error(v.span(), format!("surrogate `{}` is listed twice", surrogate.name)));
            }
            surrogates.push(surrogate);
            used.push(decl);
        }
        let trials = s.get("trials").map(|t| count(number(single(t)?, "trials")?, "trials", 1)).transpose()?;
        let measure = match s.get("measure") {
            None => Measure::ExcessRisk,
            Some(m) => match choice(single(m)?, "measure", &["excess_risk", "coefficients"])? {
                "excess_risk" => Measure::ExcessRisk,
                _ => Measure::Coefficients,
            },
        };
        if measure == Measure::Coefficients && sizes.len() != 1 {
            return Err(Diagnostic::error(n_setting.span, "`measure coefficients` needs a single sample size n"));
        }
        check_sizes(&sizes, &task.spectrum, n_setting.values[0].span())?;
        let excerpt = self.excerpt(&used, b.span);
        Ok(Experiment { name: b.name.name.clone(), task, sizes, surrogates, trials, measure, excerpt })
    }

    /// The declarations an item uses, deduplicated in file order, followed by the item itself.
    fn excerpt(&self, used: &[&Declaration], item: Span) -> String {
        let mut spans: Vec<Span> = used.iter().map(|d| d.span).collect();
        spans.sort_by_key(|s| s.start);
        spans.dedup();
        spans.push(item);
        spans.iter().map(|s| s.text(self.source)).collect::<Vec<_>>().join("\n")
    }

    /// The experiment `expr` names, which must already be declared above.
    fn experiment_ref(&self, expr: &Expr) -> Result<usize, Diagnostic> {
        let p = path(expr, "an experiment name")?;
        self.experiment_index(single_segment(p)?)
    }

    /// The index of the experiment called `name`.
    fn experiment_index(&self, name: &Ident) -> Result<usize, Diagnostic> {
        if let Some(&i) = self.experiments.get(name.name.as_str()) {
            return Ok(i);
        }
        match self.names.get(name.name.as_str()) {
            Some(Named::Block(b)) if b.kind.name == "experiment" => Err(Diagnostic::error(
                name.span,
                format!("experiment `{}` is used before it is defined, or its definition has errors", name.name),
            )),
            Some(n) => Err(wrong_kind(name, kind_of(*n), "experiment")),
            None => Err(self.unknown_name(name, "experiment")),
        }
    }

    /// `figure name { show experiment, caption "...", axes linear|loglog }`
    fn figure(&self, b: &'a Block, spec: &Spec) -> Result<Figure, Diagnostic> {
        let s = Settings::new(b, &["show", "caption", "axes"])?;
        let experiment = self.experiment_ref(single(s.require("show")?)?)?;
        let caption = s.get("caption").map(|c| string(single(c)?)).transpose()?.unwrap_or_default();
        let axes = match s.get("axes") {
            None => Axes::Linear,
            Some(a) => match choice(single(a)?, "axes", &["linear", "loglog"])? {
                "linear" => Axes::Linear,
                _ => Axes::LogLog,
            },
        };
        if axes == Axes::LogLog && spec.experiments[experiment].measure == Measure::Coefficients {
            let at = s.require("axes")?.span;
            return Err(Diagnostic::error(at, "coefficient plots can have signed values: use `axes linear`"));
        }
        Ok(Figure { name: b.name.name.clone(), experiment, caption, axes })
    }

    /// `claim name "label" { agree e | holds e.a < e.b, tolerance relative(x), confidence c, points all|differing }`
    fn claim(&self, b: &'a Block, spec: &Spec) -> Result<Claim, Diagnostic> {
        let s = Settings::new(b, &["agree", "holds", "tolerance", "confidence", "points", "at"])?;
        let label = b.label.as_ref().map(|l| l.value.clone()).ok_or_else(|| {
            Diagnostic::error(b.name.span, format!("claim `{}` needs a label", b.name.name))
                .with_hint(format!("write `claim {} \"Proposition 1: ...\" {{ ... }}`", b.name.name))
        })?;
        let confidence = s.get("confidence").map(|c| real(single(c)?, "confidence", Bound::Fraction)).transpose()?;
        let rule = match (s.get("agree"), s.get("holds")) {
            (Some(a), None) => {
                let experiment = self.experiment_ref(single(a)?)?;
                let relative = match s.get("tolerance") {
                    None => 0.0,
                    Some(t) => tolerance(single(t)?)?,
                };
                self.forbid(&s, "points", "`points` applies to `holds` claims")?;
                Rule::Agree { experiment, relative }
            }
            (None, Some(h)) => {
                self.forbid(&s, "tolerance", "`tolerance` applies to `agree` claims")?;
                let points = match s.get("points") {
                    None => PointFilter::All,
                    Some(p) => match choice(single(p)?, "points", &["all", "differing"])? {
                        "all" => PointFilter::All,
                        _ => PointFilter::Differing,
                    },
                };
                let Value::Comparison(c) = single_value(h)? else {
                    return Err(Diagnostic::error(h.span, "`holds` needs a comparison such as `e.a < e.b`"));
                };
                self.ordering(c, spec, points)?
            }
            (Some(a), Some(_)) => {
                return Err(Diagnostic::error(a.span, "a claim is either `agree` or `holds`, not both"));
            }
            (None, None) => {
                return Err(Diagnostic::error(b.name.span, format!("claim `{}` tests nothing", b.name.name))
                    .with_hint("add `agree EXPERIMENT` or `holds EXPERIMENT.a < EXPERIMENT.b`"));
            }
        };
        let experiment = match rule {
            Rule::Agree { experiment, .. } | Rule::Below { experiment, .. } => &spec.experiments[experiment],
        };
        if experiment.trials.is_none() || experiment.measure != Measure::ExcessRisk {
            return Err(Diagnostic::error(
                b.name.span,
                format!(
                    "claim `{}` needs simulated excess risks, but experiment `{}` has none",
                    b.name.name, experiment.name
                ),
            )
            .with_hint("give the experiment `trials` and `measure excess_risk`"));
        }
        let at = s.get("at").map(|a| claim_sizes(single(a)?, experiment)).transpose()?;
        Ok(Claim {
            name: b.name.name.clone(),
            label,
            rule,
            confidence: confidence.unwrap_or(0.99),
            at,
            line: self.source[..b.span.start as usize].matches('\n').count() + 1,
            excerpt: b.span.text(self.source).to_owned(),
        })
    }

    /// Refuses a setting that does not apply to this kind of claim.
    fn forbid(&self, s: &Settings<'_>, key: &str, why: &str) -> Result<(), Diagnostic> {
        match s.get(key) {
            Some(setting) => Err(Diagnostic::error(setting.key.span, why.to_owned())),
            None => Ok(()),
        }
    }

    /// `e.a < e.b` (or `e.b > e.a`): a paired ordering of two series of one experiment.
    fn ordering(&self, c: &Comparison, spec: &Spec, points: PointFilter) -> Result<Rule, Diagnostic> {
        let (lower, higher) = match c.op.as_str() {
            "<" => (&c.left, &c.right),
            ">" => (&c.right, &c.left),
            op => {
                return Err(Diagnostic::error(c.span, format!("`{op}` cannot be decided by a test"))
                    .with_hint("claims are strict: use `<` or `>`"));
            }
        };
        let (experiment, lower) = self.series(lower, spec)?;
        let (other, higher) = self.series(higher, spec)?;
        if experiment != other {
            return Err(Diagnostic::error(c.span, "both sides of a comparison must come from the same experiment")
                .with_hint("the comparison is paired: both series must share their simulated designs"));
        }
        if lower == higher {
            return Err(Diagnostic::error(c.span, "a series cannot be compared with itself"));
        }
        Ok(Rule::Below { experiment, lower, higher, points })
    }

    /// `experiment.surrogate` → (experiment index, series index).
    fn series(&self, p: &Path, spec: &Spec) -> Result<(usize, usize), Diagnostic> {
        let [e, s] = p.segments.as_slice() else {
            return Err(Diagnostic::error(p.span, "expected `EXPERIMENT.SURROGATE`, e.g. `fig1b.optimal`"));
        };
        let experiment = self.experiment_index(e)?;
        let surrogates = &spec.experiments[experiment].surrogates;
        let series = surrogates.iter().position(|x| x.name == s.name).ok_or_else(|| {
            let mut d = Diagnostic::error(s.span, format!("experiment `{}` has no surrogate `{}`", e.name, s.name));
            if let Some(near) = did_you_mean(&s.name, surrogates.iter().map(|x| x.name.as_str())) {
                d = d.with_hint(format!("did you mean `{near}`?"));
            }
            d.with_hint(format!(
                "its surrogates are: {}",
                surrogates.iter().map(|x| x.name.as_str()).collect::<Vec<_>>().join(", ")
            ))
        })?;
        Ok((experiment, series))
    }
}

/// `section name "Proposition 3" { v1 "...", title "...", statement "..." }`
fn section(b: &Block) -> Result<Section, Diagnostic> {
    let s = Settings::new(b, &["v1", "title", "statement"])?;
    let label = b.label.as_ref().map(|l| l.value.clone()).ok_or_else(|| {
        Diagnostic::error(b.name.span, format!("section `{}` needs a label", b.name.name))
            .with_hint(format!("write `section {} \"Theorem 1\" {{ ... }}`", b.name.name))
    })?;
    let text = |key| s.get(key).map(|v| string(single(v)?)).transpose();
    Ok(Section { label, v1: text("v1")?, title: text("title")?, statement: text("statement")? })
}

/// The settings of a block, checked against the keys the block accepts.
struct Settings<'a> {
    /// The block, for "missing setting" errors.
    block: &'a Block,
    /// The settings by key.
    by_key: HashMap<&'a str, &'a Setting>,
}

impl<'a> Settings<'a> {
    /// Indexes `b`'s settings, refusing unknown and repeated keys.
    fn new(b: &'a Block, keys: &[&str]) -> Result<Self, Diagnostic> {
        let mut by_key = HashMap::new();
        for s in &b.settings {
            if !keys.contains(&s.key.name.as_str()) {
                return Err(unknown(&s.key, &format!("{} setting", b.kind.name), keys));
            }
            if by_key.insert(s.key.name.as_str(), s).is_some() {
                return Err(Diagnostic::error(s.key.span, format!("`{}` is set twice", s.key.name)));
            }
        }
        Ok(Self { block: b, by_key })
    }

    /// The setting `key`, if present.
    fn get(&self, key: &str) -> Option<&'a Setting> {
        self.by_key.get(key).copied()
    }

    /// The setting `key`, which must be present.
    fn require(&self, key: &str) -> Result<&'a Setting, Diagnostic> {
        self.get(key).ok_or_else(|| self.missing(key))
    }

    /// "missing `key`", pointed at the block's name.
    fn missing(&self, key: &str) -> Diagnostic {
        let b = self.block;
        Diagnostic::error(b.name.span, format!("{} `{}` is missing `{key}`", b.kind.name, b.name.name))
    }
}

/// "unknown X `word`", with a suggestion and the list of what is allowed.
fn unknown(word: &Ident, what: &str, allowed: &[&str]) -> Diagnostic {
    let mut d = Diagnostic::error(word.span, format!("unknown {what} `{}`", word.name));
    if let Some(s) = did_you_mean(&word.name, allowed.iter().copied()) {
        d = d.with_hint(format!("did you mean `{s}`?"));
    }
    d.with_hint(format!("expected one of: {}", allowed.join(", ")))
}

/// "`x` is a signal, not a spectrum".
fn wrong_kind(name: &Ident, is: &str, wanted: &str) -> Diagnostic {
    Diagnostic::error(name.span, format!("`{}` is a {is}, but a {wanted} is needed here", name.name))
}

/// "expected X, found Y".
fn expected(e: &Expr, what: &str, found: &ExprKind) -> Diagnostic {
    Diagnostic::error(e.span, format!("expected {what}, found {}", kind_name(found)))
}

/// The keyword a named thing was declared with.
fn kind_of(n: Named<'_>) -> &str {
    match n {
        Named::Declaration(d) => &d.kind.name,
        Named::Block(b) => &b.kind.name,
    }
}

/// The one value of a setting, as an expression.
fn single(s: &Setting) -> Result<&Expr, Diagnostic> {
    value_expr(single_value(s)?)
}

/// The one value of a setting.
fn single_value(s: &Setting) -> Result<&Value, Diagnostic> {
    match s.values.as_slice() {
        [v] => Ok(v),
        [_, extra, ..] => Err(Diagnostic::error(extra.span(), format!("`{}` takes one value", s.key.name))),
        [] => unreachable!("the grammar requires a value"),
    }
}

/// A value that must be an expression (not a comparison).
fn value_expr(v: &Value) -> Result<&Expr, Diagnostic> {
    match v {
        Value::Expr(e) => Ok(e),
        Value::Comparison(c) => Err(Diagnostic::error(c.span, "a comparison is only allowed after `holds`")),
    }
}

/// A path expression.
fn path<'e>(e: &'e Expr, what: &str) -> Result<&'e Path, Diagnostic> {
    match &e.kind {
        ExprKind::Path(p) => Ok(p),
        other => Err(expected(e, what, other)),
    }
}

/// A path of one plain segment.
fn single_segment(p: &Path) -> Result<&Ident, Diagnostic> {
    match p.segments.as_slice() {
        [one] if one.name != "*" => Ok(one),
        _ => Err(Diagnostic::error(p.span, "expected a plain name here")),
    }
}

/// One of `allowed` bare words.
fn choice<'w>(e: &Expr, what: &str, allowed: &[&'w str]) -> Result<&'w str, Diagnostic> {
    let word = single_segment(path(e, &format!("one of {}", allowed.join(", ")))?)?;
    allowed.iter().find(|a| **a == word.name).copied().ok_or_else(|| unknown(word, &format!("`{what}`"), allowed))
}

/// A call to one of `callees`.
fn call<'e>(e: &'e Expr, callees: &[&str]) -> Result<(&'e Ident, &'e [crate::syntax::Argument]), Diagnostic> {
    match &e.kind {
        ExprKind::Call(callee, args) if callees.contains(&callee.name.as_str()) => Ok((callee, args)),
        ExprKind::Call(callee, _) => Err(unknown(callee, "constructor", callees)),
        other => Err(expected(e, &format!("a call to {}", callees.join(" or ")), other)),
    }
}

/// A string literal's value.
fn string(e: &Expr) -> Result<String, Diagnostic> {
    match &e.kind {
        ExprKind::Str(s) => Ok(s.value.clone()),
        other => Err(expected(e, "a string", other)),
    }
}

/// A list of reals in `range`.
fn reals(e: &Expr, what: &str, range: Bound) -> Result<Vec<f64>, Diagnostic> {
    match &e.kind {
        ExprKind::List(items) if !items.is_empty() => items.iter().map(|x| real(x, what, range)).collect(),
        ExprKind::List(_) => Err(Diagnostic::error(e.span, format!("`{what}` is empty"))),
        other => Err(expected(e, "a list like `[1, 0.5]`", other)),
    }
}

/// `seed N`: a whole number that fits in 64 bits.
fn seed(e: &Expr) -> Result<u64, Diagnostic> {
    let n = number(e, "seed")?;
    n.text.parse::<u64>().map_err(|_| {
        Diagnostic::error(n.span, format!("`seed` must be a whole number from 0 to {}, found {}", u64::MAX, n.text))
    })
}

/// `relative(x)` with 0 ≤ x < 1.
fn tolerance(e: &Expr) -> Result<f64, Diagnostic> {
    let (callee, args) = call(e, &["relative"])?;
    let a = Args::new(callee, e.span, args, &["fraction"])?;
    let x = a.real("fraction", Bound::NonNegative, None)?;
    if x >= 1.0 {
        return Err(Diagnostic::error(a.require("fraction")?.span, "a relative tolerance must be below 1"));
    }
    Ok(x)
}

/// The sample sizes of `n`: one number, a range with a step, or a list.
fn sizes(e: &Expr) -> Result<Vec<usize>, Diagnostic> {
    match &e.kind {
        ExprKind::Number(n) => Ok(vec![count(n, "n", 1)?]),
        ExprKind::List(items) if !items.is_empty() => items.iter().map(|x| count(number(x, "n")?, "n", 1)).collect(),
        ExprKind::Range(start, end, step) => {
            let (a, b) = (count(start, "n", 1)?, count(end, "n", 1)?);
            let s = step.as_ref().map_or(Ok(1), |s| count(s, "step", 1))?;
            if b < a {
                return Err(Diagnostic::error(e.span, format!("the range {a}..{b} is empty"))
                    .with_hint("write the smaller end first"));
            }
            Ok((a..=b).step_by(s).collect())
        }
        ExprKind::List(_) => Err(Diagnostic::error(e.span, "`n` is an empty list")),
        other => Err(expected(e, "a sample size, a range like `50..450 step 25`, or a list", other)),
    }
}

/// `at`: sample sizes of the claim's experiment, a subset of its sweep.
fn claim_sizes(e: &Expr, experiment: &Experiment) -> Result<Vec<usize>, Diagnostic> {
    let at = sizes(e)?;
    if let Some(n) = at.iter().find(|n| !experiment.sizes.contains(n)) {
        return Err(Diagnostic::error(e.span, format!("experiment `{}` has no point n = {n}", experiment.name))
            .with_hint("`at` selects sample sizes of the experiment's `n`"));
    }
    Ok(at)
}

/// Every n must be in a regime the theory covers: interpolation below the number of positive
/// eigenvalues, or least squares above p + 1.
fn check_sizes(sizes: &[usize], spectrum: &Spectrum, at: Span) -> Result<(), Diagnostic> {
    let p = spectrum.lambda.len();
    let positive = spectrum.lambda.iter().filter(|&&l| l > 0.0).count();
    for &n in sizes {
        if n >= positive && n <= p + 1 {
            let why = if positive < p && n < p {
                format!("only {positive} of the {p} eigenvalues are positive, so τ does not exist")
            } else {
                format!("least squares on p = {p} features has infinite risk at n = p and n = p + 1")
            };
            return Err(Diagnostic::error(at, format!("n = {n} cannot be analysed: {why}"))
                .with_hint(format!("use n < {positive} (interpolation) or n > {} (least squares)", p + 1)));
        }
    }
    if sizes.len() as u64 > MAX_COUNT {
        return Err(Diagnostic::error(at, "too many sample sizes"));
    }
    Ok(())
}

/// Scales β so that Σ λ_i β_i² = power.
fn normalise(beta: &mut [f64], lambda: &[f64], power: f64, at: Span) -> Result<(), Diagnostic> {
    let current: f64 = lambda.iter().zip(beta.iter()).map(|(l, b)| l * b * b).sum();
    if current <= 0.0 || !current.is_finite() {
        return Err(Diagnostic::error(at, "a signal with zero power cannot be normalised"));
    }
    let scale = (power / current).sqrt();
    beta.iter_mut().for_each(|b| *b *= scale);
    Ok(())
}

/// Checks the syntax of a prose template, so that a typo fails before anything runs.
fn check_template(template: &str, at: Span) -> Result<(), Diagnostic> {
    let env = minijinja::Environment::new();
    env.template_from_str(template).map(|_| ()).map_err(|e| {
        let detail = e.detail().unwrap_or("syntax error");
        let d = Diagnostic::error(at, format!("malformed `{{{{ ... }}}}` expression in this text: {detail}"));
        match e.line() {
            Some(line) => d.with_hint(format!("on line {line} of the text")),
            None => d,
        }
    })
}
