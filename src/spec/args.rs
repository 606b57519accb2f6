//! Checked access to the arguments of a constructor call such as `powerlaw(p: 500, alpha: 2.0)`.

use crate::diagnostics::{Diagnostic, Span, did_you_mean};
use crate::syntax::{Argument, Expr, ExprKind, Ident, Number};

/// The arguments of one call, matched to the parameter names the constructor accepts.
pub(super) struct Args<'a> {
    /// The callee, for messages.
    callee: &'a Ident,
    /// The whole call, for "missing argument" errors.
    span: Span,
    /// Parameter names in positional order.
    params: &'static [&'static str],
    /// The argument given for each parameter, if any.
    given: Vec<Option<&'a Expr>>,
}

impl<'a> Args<'a> {
    /// Matches `args` to `params`: positional ones first, in order, then named ones.
    pub(super) fn new(
        callee: &'a Ident,
        span: Span,
        args: &'a [Argument],
        params: &'static [&'static str],
    ) -> Result<Self, Diagnostic> {
        let mut given = vec![None; params.len()];
        for (position, arg) in args.iter().enumerate() {
            let slot = match &arg.name {
                None if position < params.len() => position,
                None => return Err(Self::too_many(callee, arg, params)),
                Some(name) => params.iter().position(|p| *p == name.name).ok_or_else(|| {
                    let mut d =
                        Diagnostic::error(name.span, format!("`{}` has no argument `{}`", callee.name, name.name));
                    if let Some(s) = did_you_mean(&name.name, params.iter().copied()) {
                        d = d.with_hint(format!("did you mean `{s}`?"));
                    }
                    d.with_hint(format!("`{}` takes: {}", callee.name, params.join(", ")))
                })?,
            };
            if given[slot].is_some() {
                let at = arg.name.as_ref().map_or(arg.value.span, |n| n.span);
                return Err(Diagnostic::error(at, format!("argument `{}` is given twice", params[slot])));
            }
            given[slot] = Some(&arg.value);
        }
        Ok(Self { callee, span, params, given })
    }

    /// The error for a positional argument past the last parameter.
    fn too_many(callee: &Ident, arg: &Argument, params: &[&str]) -> Diagnostic {
        Diagnostic::error(arg.value.span, format!("too many arguments to `{}`", callee.name)).with_hint(format!(
            "`{}` takes: {}",
            callee.name,
            params.join(", ")
        ))
    }

    /// The expression given for `param`, if any.
    pub(super) fn get(&self, param: &str) -> Option<&'a Expr> {
        let slot = self.params.iter().position(|p| *p == param).expect("asked for a declared parameter");
        self.given[slot]
    }

    /// The expression given for `param`, which must be present.
    pub(super) fn require(&self, param: &str) -> Result<&'a Expr, Diagnostic> {
        self.get(param).ok_or_else(|| {
            Diagnostic::error(self.span, format!("`{}` needs the argument `{param}`", self.callee.name))
                .with_hint(format!("`{}` takes: {}", self.callee.name, self.params.join(", ")))
        })
    }

    /// A real-valued parameter checked by `range`, or `default` when absent.
    pub(super) fn real(&self, param: &str, range: Bound, default: Option<f64>) -> Result<f64, Diagnostic> {
        match (self.get(param), default) {
            (Some(e), _) => real(e, param, range),
            (None, Some(d)) => Ok(d),
            (None, None) => real(self.require(param)?, param, range),
        }
    }
}

/// The allowed range of a number.
#[derive(Clone, Copy, Debug)]
pub(super) enum Bound {
    /// x > 0
    Positive,
    /// x ≥ 0
    NonNegative,
    /// 0 < x < 1
    Fraction,
    /// any finite x
    Any,
    /// a class: a whole number 0 ≤ x ≤ 999 (a classification task's labels)
    Class,
}

/// The largest magnitude a number in a spec may have. Risks square eigenvalues, coefficients and noise levels
/// and sum them over p ≤ 2·10⁷ features and n samples: beyond 1e50 they could overflow f64 (1.8e308) in the
/// simulation, so such values are refused at `check`, not found infinite after a run.
pub(super) const MAX_MAGNITUDE: f64 = 1e50;

impl Bound {
    /// Whether `x` is allowed.
    pub(super) fn admits(self, x: f64) -> bool {
        x.abs() <= MAX_MAGNITUDE
            && match self {
                Bound::Positive => x > 0.0,
                Bound::NonNegative => x >= 0.0,
                Bound::Fraction => x > 0.0 && x < 1.0,
                Bound::Any => true,
                Bound::Class => x.fract() == 0.0 && (0.0..=999.0).contains(&x),
            }
    }

    /// The range in words, for the help line.
    pub(super) fn describe(self, name: &str) -> String {
        match self {
            Bound::Positive => format!("allowed range: 0 < {name} ≤ 1e50"),
            Bound::NonNegative => format!("allowed range: 0 ≤ {name} ≤ 1e50"),
            Bound::Fraction => format!("allowed range: 0 < {name} < 1"),
            Bound::Any => format!("allowed range: −1e50 ≤ {name} ≤ 1e50"),
            Bound::Class => {
                format!("a data task with `test` classifies its rows: {name} are classes, whole numbers 0 to 999")
            }
        }
    }
}

/// The number literal of `expr`, or a "wrong kind" error naming what was expected.
pub(super) fn number<'a>(expr: &'a Expr, what: &str) -> Result<&'a Number, Diagnostic> {
    match &expr.kind {
        ExprKind::Number(n) => Ok(n),
        other => Err(Diagnostic::error(expr.span, format!("`{what}` must be a number, found {}", kind_name(other)))),
    }
}

/// A real number within `range`.
pub(super) fn real(expr: &Expr, what: &str, range: Bound) -> Result<f64, Diagnostic> {
    let n = number(expr, what)?;
    if !n.value.is_finite() {
        return Err(Diagnostic::error(n.span, format!("`{what}` is too large: {}", n.text))
            .with_hint("numbers must lie between -1.7e308 and 1.7e308")
            .with_hint(range.describe(what)));
    }
    if range.admits(n.value) {
        Ok(n.value)
    } else {
        Err(Diagnostic::error(n.span, format!("`{what}` is out of range: {}", n.text)).with_hint(range.describe(what)))
    }
}

/// The largest count a spec may ask for (features, samples, trials): beyond it nothing fits in memory.
pub(super) const MAX_COUNT: u64 = 100_000_000;

/// A whole number in `min..=MAX_COUNT`.
pub(super) fn count(n: &Number, what: &str, min: u64) -> Result<usize, Diagnostic> {
    count_in(n, what, min, MAX_COUNT)
}

/// A whole number in `min..=max`.
pub(super) fn count_in(n: &Number, what: &str, min: u64, max: u64) -> Result<usize, Diagnostic> {
    let whole = !n.text.contains(['.', 'e', 'E']) && n.value.fract() == 0.0;
    if !whole {
        return Err(Diagnostic::error(n.span, format!("`{what}` must be a whole number, found {}", n.text)));
    }
    if n.value < min as f64 || n.value > max as f64 {
        return Err(Diagnostic::error(n.span, format!("`{what}` is out of range: {}", n.text))
            .with_hint(format!("allowed range: {min} ≤ {what} ≤ {max}")));
    }
    Ok(n.value as usize)
}

/// How an expression kind is named in "expected X, found Y" messages.
pub(super) fn kind_name(kind: &ExprKind) -> &'static str {
    match kind {
        ExprKind::Call(..) => "a call",
        ExprKind::Range(..) => "a range",
        ExprKind::List(_) => "a list",
        ExprKind::Number(_) => "a number",
        ExprKind::Str(_) => "a string",
        ExprKind::Path(_) => "a name",
    }
}
