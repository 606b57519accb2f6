//! Warnings about a valid spec that probably does not mean what it says: declarations no experiment uses,
//! claims that test nothing, and simulated points whose risk has an infinite variance (no interval can decide a
//! claim there). Warnings about the trials a run will use are the plan's ([`crate::Plan::warnings`]).
//!
//! Warnings never stop a run; [`lint`] reads the resolved [`Spec`] and the [`Ast`] it came from (for places).

use super::signature::{BlockKind, Keyword};
use std::collections::{HashMap, HashSet};

use super::{Claim, Experiment, Measure, PointFilter, Rule, Spec, SurrogateKind};
use crate::diagnostics::Diagnostic;
use crate::syntax::{Ast, Block, Declaration, Expr, ExprKind, Item, Setting, Value};

/// The warnings of a resolved spec, in file order.
pub fn lint(ast: &Ast, spec: &Spec) -> Vec<Diagnostic> {
    let mut warnings = unused_declarations(ast);
    warnings.extend(infinite_variances(ast, spec));
    let claims: HashMap<&str, &Block> = ast
        .items
        .iter()
        .filter_map(|i| match i {
            Item::Block(b) if b.kind.name == BlockKind::Claim.keyword() => Some((b.name.name.as_str(), b)),
            _ => None,
        })
        .collect();
    for claim in &spec.claims {
        if let Some(block) = claims.get(claim.name.as_str()) {
            let experiment = &spec.experiments[claim.rule.experiment()];
            warnings.extend(tests_nothing(claim, experiment, block));
        }
    }
    warnings.sort_by_key(|d| d.span.start);
    warnings
}

/// Declarations that no experiment reaches, directly or through other declarations.
fn unused_declarations(ast: &Ast) -> Vec<Diagnostic> {
    declarations_in_use(ast)
        .into_iter()
        .filter(|&(_, used)| !used)
        .map(|(d, _)| {
            Diagnostic::warning(d.name.span, format!("{} `{}` is never used", d.kind.name, d.name.name))
                .with_hint("use it in an experiment, or remove it")
        })
        .collect()
}

/// Every declaration, in file order, with whether an experiment reaches it, directly or through other
/// declarations (and so shows it in its excerpt).
pub(super) fn declarations_in_use(ast: &Ast) -> Vec<(&Declaration, bool)> {
    let declarations: HashMap<&str, &Declaration> = ast
        .items
        .iter()
        .filter_map(|i| match i {
            Item::Declaration(d) => Some((d.name.name.as_str(), d)),
            _ => None,
        })
        .collect();
    let mut pending: Vec<&str> = Vec::new();
    for item in &ast.items {
        if let Item::Block(b) = item
            && b.kind.name == BlockKind::Experiment.keyword()
        {
            b.settings.iter().flat_map(|s| &s.values).for_each(|v| value_names(v, &mut pending));
        }
    }
    let mut used = HashSet::new();
    while let Some(name) = pending.pop() {
        if let Some(d) = declarations.get(name)
            && used.insert(name)
        {
            expr_names(&d.value, &mut pending);
        }
    }
    ast.items
        .iter()
        .filter_map(|i| match i {
            Item::Declaration(d) => Some((d, used.contains(d.name.name.as_str()))),
            _ => None,
        })
        .collect()
}

/// Simulated points whose risk has an infinite variance (theory::moments): one warning per point and reason,
/// located at the point's sample size in the experiment's `n`.
fn infinite_variances(ast: &Ast, spec: &Spec) -> Vec<Diagnostic> {
    let mut warnings = Vec::new();
    for e in spec.experiments.iter().filter(|e| e.trials.is_some() && e.measure == Measure::ExcessRisk) {
        let Some(n_setting) = ast.items.iter().find_map(|i| match i {
            Item::Block(b) if b.kind.name == BlockKind::Experiment.keyword() && b.name.name == e.name => {
                b.settings.iter().find(|s| s.key.name == "n")
            }
            _ => None,
        }) else {
            continue;
        };
        let at = |n| match n_setting.values.first() {
            Some(Value::Expr(e)) => super::resolve::size_span(e, n),
            _ => n_setting.span,
        };
        for &n in &e.sizes {
            let mut reasons: Vec<String> = Vec::new();
            for reason in (0..e.surrogates.len()).filter_map(|j| e.infinite_variance(j, n)) {
                if !reasons.contains(&reason) {
                    reasons.push(reason);
                }
            }
            for reason in reasons {
                warnings.push(
                    Diagnostic::warning(at(n), format!("{reason}; claims cannot be decided at this point"))
                        .with_hint("interval-based rules need a finite variance: choose sample sizes further from k"),
                );
            }
        }
    }
    warnings
}

/// Collects the plain names a setting value mentions.
fn value_names<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
    match v {
        Value::Expr(e) => expr_names(e, out),
        Value::Comparison(c) => out.extend([&c.left, &c.right].iter().filter_map(|p| first_segment(p))),
    }
}

/// The first segment of a path.
fn first_segment(p: &crate::syntax::Path) -> Option<&str> {
    p.segments.first().map(|s| s.name.as_str())
}

/// Collects the plain names an expression mentions, arguments included.
fn expr_names<'a>(e: &'a Expr, out: &mut Vec<&'a str>) {
    match &e.kind {
        ExprKind::Path(p) => out.extend(first_segment(p)),
        ExprKind::Call(_, args) => args.iter().for_each(|a| expr_names(&a.value, out)),
        ExprKind::List(items) => items.iter().for_each(|x| expr_names(x, out)),
        ExprKind::Range(..) | ExprKind::Number(_) | ExprKind::Str(_) => {}
    }
}

/// The setting of a claim that carries its rule (the one setting that is not an option).
fn rule_setting(block: &Block) -> Option<&Setting> {
    block.settings.iter().find(|s| super::RuleKind::WORDS.contains(&s.key.name.as_str()))
}

/// Comparisons and closeness tests between two series that are provably the same surrogate.
fn tests_nothing(claim: &Claim, e: &Experiment, block: &Block) -> Vec<Diagnostic> {
    let Some(setting) = rule_setting(block) else { return Vec::new() };
    let pairs: Vec<(usize, usize)> = match &claim.rule {
        Rule::Below { pairs, .. } => pairs.clone(),
        Rule::TheoryBelow { pairs, .. } => pairs.iter().map(|&(a, b, _)| (a, b)).collect(),
        Rule::Close { series, .. } | Rule::Flat { series, .. } => vec![*series],
        _ => Vec::new(),
    };
    let differing = matches!(claim.rule, Rule::Below { points: PointFilter::Differing, .. });
    let comparison = matches!(claim.rule, Rule::Below { .. } | Rule::TheoryBelow { .. });
    pairs
        .iter()
        .enumerate()
        .filter(|(_, (a, b))| same_surrogate(e, *a, *b))
        .map(|(i, &(a, b))| {
            let (a, b) = (&e.surrogates[a].name, &e.surrogates[b].name);
            let at = if comparison { setting.values.get(i).map_or(setting.span, Value::span) } else { setting.span };
            let why = format!("`{a}` and `{b}` are the same surrogate for task `{}`", e.task.name);
            let (message, hint) = if differing {
                (
                    format!("this claim tests nothing: {why}, so `points differing` selects no point"),
                    "compare surrogates that differ",
                )
            } else if comparison {
                (format!("this claim can never hold: {why}"), "compare surrogates that differ")
            } else {
                (format!("this claim tests nothing: {why}, so they are always equal"), "compare surrogates that differ")
            };
            Diagnostic::warning(at, message).with_hint(hint)
        })
        .collect()
}

/// Whether series `a` and `b` of `e` are surrogates with the same coefficients for its task.
fn same_surrogate(e: &Experiment, a: usize, b: usize) -> bool {
    if !matches!(e.measure, Measure::ExcessRisk | Measure::Coefficients) || e.measure.classifies() {
        return false;
    }
    let p = e.task.spectrum.lambda.len();
    let (Some(a), Some(b)) = (e.surrogates.get(a), e.surrogates.get(b)) else { return false };
    let (a, b) = (canonical(&a.kind, p), canonical(&b.kind, p));
    // ERM surrogates are random: two of them with equal settings still draw different data.
    a == b && !matches!(a, SurrogateKind::Erm(_) | SurrogateKind::Teacher(_))
}

/// A surrogate kind with the spellings of β⋆ itself (keep all p features, scale by 1, step 0) made one.
fn canonical(kind: &SurrogateKind, p: usize) -> SurrogateKind {
    match kind {
        SurrogateKind::TopK(k) | SurrogateKind::RandomMask { keep: k, .. } if *k == p => SurrogateKind::GroundTruth,
        SurrogateKind::Scaled(c) if *c == 1.0 => SurrogateKind::GroundTruth,
        SurrogateKind::Optimal { step } if *step == 0.0 => SurrogateKind::GroundTruth,
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use crate::syntax::parse;

    const HEAD: &str = "title \"t\"\nspectrum s = powerlaw(p: 50, alpha: 2)\nsignal b = constant(spectrum: s)\n\
task t = gaussian(spectrum: s, signal: b, noise: 0.1)\nsurrogate truth = ground_truth\n\
surrogate all = top_k(k: 50)\nsurrogate opt = optimal\n";

    /// The warning messages of `source`.
    fn warnings(source: &str) -> Vec<String> {
        let ast = parse(source).unwrap();
        let spec = super::super::resolve(&ast, source, std::path::Path::new(".")).unwrap();
        super::lint(&ast, &spec).into_iter().map(|d| d.message).collect()
    }

    #[test]
    fn unused_declarations_are_reported_and_used_ones_are_not() {
        let w = warnings(&format!(
            "{HEAD}spectrum spare = isotropic(p: 3)\nexperiment e {{\n task t\n n 10\n surrogates truth, opt\n}}\n"
        ));
        assert_eq!(w, ["surrogate `all` is never used", "spectrum `spare` is never used"]);
    }

    #[test]
    fn a_mask_keeping_every_feature_is_the_ground_truth() {
        let w = warnings(&format!(
            "{HEAD}experiment e {{\n task t\n n 10\n surrogates truth, all, opt\n trials 40\n}}\n\
             claim c \"x\" {{\n holds e.all < e.truth\n points differing\n}}\n"
        ));
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(w[0].contains("`points differing` selects no point"), "{w:?}");
    }

    #[test]
    fn infinite_variances_warn_once_per_point_and_reason() {
        // p = 50, noise 0.1: n = 46, 47 (k − 4, k − 3) and 48 (k − 2); truth and opt share the target's reason.
        let w = warnings(&format!(
            "{HEAD}experiment e {{\n task t\n n [10, 46, 47, 48]\n surrogates truth, all, opt\n trials 40\n}}\n"
        ));
        assert_eq!(w.len(), 2, "{w:?}");
        assert!(w[0].starts_with("n = 47: the risk's variance is infinite: with label noise σ² = 0.1 and k = 50"));
        assert!(w[1].starts_with("n = 48: ") && w[1].ends_with("; claims cannot be decided at this point"), "{w:?}");
        // Theory only: nothing is simulated, nothing to decide by an interval.
        let w = warnings(&format!("{HEAD}experiment e {{\n task t\n n 48\n surrogates truth, all, opt\n}}\n"));
        assert_eq!(w, Vec::<String>::new());
    }
}
