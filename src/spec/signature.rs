//! The signatures of the language: the parameters of every constructor and the settings of every block, each in
//! its canonical order. The resolver checks calls and blocks against them; the formatter (`kdrepro fmt`) puts
//! named arguments and settings in the same order through [`Signatures`].

use crate::syntax::Order;

/// A constructor: its name and its parameters in positional order.
type Constructor = (&'static str, &'static [&'static str]);

/// `spectrum NAME = ...`
const SPECTRA: [Constructor; 3] =
    [("powerlaw", &["p", "alpha"]), ("isotropic", &["p", "value"]), ("list", &["eigenvalues"])];

/// `signal NAME = ...`
const SIGNALS: [Constructor; 3] = [
    ("powerlaw_energy", &["spectrum", "beta", "power"]),
    ("constant", &["spectrum", "value", "power"]),
    ("list", &["spectrum", "coefficients", "power"]),
];

/// `task NAME = ...`
const TASKS: [Constructor; 1] = [("gaussian", &["spectrum", "signal", "noise", "rotation"])];

/// `surrogate NAME = ...`: every kind takes an optional `label`, last.
const SURROGATES: [Constructor; 9] = [
    ("ground_truth", &["label"]),
    ("optimal", &["step", "label"]),
    ("optimal_mask", &["label"]),
    ("top_k", &["k", "label"]),
    ("random_mask", &["keep", "seed", "label"]),
    ("scaled", &["factor", "label"]),
    ("covariance_shift", &["source", "label"]),
    ("erm", &["spectrum", "m", "features", "noise", "label"]),
    ("teacher", &["of", "label"]),
];

/// Where a list of numbers is expected (`eigenvalues`, `coefficients`): read it from a file beside the spec.
const FILES: [Constructor; 1] = [("file", &["path", "column"])];

/// `tolerance ...` in a claim.
const TOLERANCES: [Constructor; 2] = [("relative", &["amount"]), ("absolute", &["amount"])];

/// `trials auto(max: N)` in an experiment.
const TRIALS: [Constructor; 1] = [("auto", &["max"])];

/// The settings of `experiment NAME { ... }`.
const EXPERIMENT: [&str; 8] = ["task", "n", "surrogates", "trials", "measure", "design", "designs", "label"];

/// The settings of `figure NAME { ... }`.
const FIGURE: [&str; 4] = ["show", "series", "caption", "axes"];

/// The settings of `section NAME "Label" { ... }`.
const SECTION: [&str; 3] = ["v1", "title", "statement"];

/// The settings of `claim NAME "Label" { ... }`: the rules, then their options.
const CLAIM: [&str; 14] = [
    "agree",
    "equal",
    "holds",
    "theory",
    "close",
    "slope",
    "flat",
    "amplifies",
    "tolerance",
    "confidence",
    "points",
    "at",
    "expect",
    "contradicted",
];

/// The rules of a claim (the first settings of its table): a claim has exactly one.
pub(super) const RULES: &[&str] = CLAIM.split_at(8).0;

/// The constructors a call may name where `keyword` introduces it: the keyword of a declaration, or the key of
/// the setting whose value it is.
fn constructors(keyword: &str) -> &'static [Constructor] {
    match keyword {
        "spectrum" => &SPECTRA,
        "signal" => &SIGNALS,
        "task" => &TASKS,
        "surrogate" => &SURROGATES,
        "tolerance" => &TOLERANCES,
        "trials" => &TRIALS,
        "eigenvalues" | "coefficients" => &FILES,
        _ => &[],
    }
}

/// The names of [`constructors`]`(keyword)`, in order.
pub(super) fn callees(keyword: &str) -> Vec<&'static str> {
    constructors(keyword).iter().map(|c| c.0).collect()
}

/// The parameters of the constructor `callee` where `keyword` introduces it, in positional order.
pub(super) fn parameters(keyword: &str, callee: &str) -> Option<&'static [&'static str]> {
    constructors(keyword).iter().find(|c| c.0 == callee).map(|c| c.1)
}

/// The settings a block of `kind` accepts, in canonical order.
pub(super) fn settings(kind: &str) -> Option<&'static [&'static str]> {
    match kind {
        "experiment" => Some(&EXPERIMENT),
        "figure" => Some(&FIGURE),
        "section" => Some(&SECTION),
        "claim" => Some(&CLAIM),
        _ => None,
    }
}

/// A spec type whose variants the language names with one keyword each: the one typed home of those words. The
/// resolver reads a keyword with [`Keyword::ALL`] and writes one back with [`Keyword::keyword`].
pub(crate) trait Keyword: Copy + Sized + 'static {
    /// Every variant, in the order the language reference lists them.
    const ALL: &'static [Self];
    /// Its keyword in the language.
    fn keyword(self) -> &'static str;
}

/// Implements [`Keyword`] for `$type` from `Variant => "keyword"` pairs. `keyword` is an exhaustive match, so a
/// variant added to the type without a keyword here does not compile.
macro_rules! keywords {
    ($type:ty { $($variant:ident => $word:literal),+ $(,)? }) => {
        impl Keyword for $type {
            const ALL: &'static [Self] = &[$(<$type>::$variant),+];
            fn keyword(self) -> &'static str {
                match self {
                    $(<$type>::$variant => $word),+
                }
            }
        }
    };
}

keywords!(super::Measure {
    ExcessRisk => "excess_risk",
    Coefficients => "coefficients",
    Equivalent => "equivalent",
    Cutoffs => "cutoffs",
    Masks => "masks",
    Bounds => "bounds",
});
keywords!(super::Designs { Independent => "independent", Nested => "nested" });
keywords!(super::Axes { Linear => "linear", LogLog => "loglog", LogX => "logx" });
keywords!(super::PointFilter { All => "all", Differing => "differing" });
keywords!(super::RuleKind {
    Agree => "agree",
    Equal => "equal",
    Holds => "holds",
    Theory => "theory",
    Close => "close",
    Slope => "slope",
    Flat => "flat",
    Amplifies => "amplifies",
});

/// The signatures as the formatter's canonical order (`kdrepro fmt`).
#[derive(Clone, Copy, Debug)]
pub struct Signatures;

impl Order for Signatures {
    fn parameters(&self, keyword: &str, callee: &str) -> Option<&[&str]> {
        parameters(keyword, callee)
    }

    fn settings(&self, kind: &str) -> Option<&[&str]> {
        settings(kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_are_the_claim_settings_before_the_first_option() {
        assert_eq!(RULES, ["agree", "equal", "holds", "theory", "close", "slope", "flat", "amplifies"]);
        // The claim table's rules are the rule kinds, in order.
        let kinds: Vec<_> = super::super::RuleKind::ALL.iter().map(|k| k.keyword()).collect();
        assert_eq!(RULES, kinds.as_slice());
        assert_eq!(CLAIM[RULES.len()], "tolerance");
    }

    #[test]
    fn every_keyword_names_one_variant() {
        fn distinct<T: Keyword>() {
            let words: Vec<_> = T::ALL.iter().map(|v| v.keyword()).collect();
            let mut sorted = words.clone();
            sorted.sort_unstable();
            sorted.dedup();
            assert_eq!(sorted.len(), words.len(), "{words:?}");
        }
        distinct::<super::super::Measure>();
        distinct::<super::super::Designs>();
        distinct::<super::super::Axes>();
        distinct::<super::super::PointFilter>();
        assert_eq!(
            super::super::Axes::ALL.iter().map(|a| a.keyword()).collect::<Vec<_>>(),
            ["linear", "loglog", "logx"]
        );
    }

    #[test]
    fn parameters_depend_on_the_introducing_keyword() {
        assert_eq!(parameters("spectrum", "list"), Some(&["eigenvalues"][..]));
        assert_eq!(parameters("signal", "list"), Some(&["spectrum", "coefficients", "power"][..]));
        assert_eq!(parameters("experiment", "powerlaw"), None);
        assert_eq!(parameters("spectrum", "gaussian"), None);
        assert_eq!(settings("spectrum"), None);
    }
}
