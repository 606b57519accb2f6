//! The signatures of the language: the parameters of every constructor and the settings of every block, each in
//! its canonical order. The resolver checks calls and blocks against them; the formatter (`kdrepro fmt`) puts
//! named arguments and settings in the same order through [`Signatures`].

use crate::syntax::Order;

/// A spec type whose variants the language names with one keyword each: the one typed home of those words. The
/// resolver reads a keyword with [`Keyword::ALL`] and writes one back with [`Keyword::keyword`].
pub(crate) trait Keyword: Copy + Sized + 'static {
    /// Every variant, in the order the language reference lists them.
    const ALL: &'static [Self];
    /// Their keywords, in the same order.
    const WORDS: &'static [&'static str];
    /// Its keyword in the language.
    fn keyword(self) -> &'static str;
}

/// Implements [`Keyword`] for `$type` from `Variant => "keyword"` pairs. `keyword` is an exhaustive match, so a
/// variant added to the type without a keyword here does not compile.
macro_rules! keywords {
    ($type:ty { $($variant:ident => $word:literal),+ $(,)? }) => {
        impl Keyword for $type {
            const ALL: &'static [Self] = &[$(<$type>::$variant),+];
            const WORDS: &'static [&'static str] = &[$($word),+];
            fn keyword(self) -> &'static str {
                match self {
                    $(<$type>::$variant => $word),+
                }
            }
        }
    };
}

/// A constructor: its name and its parameters in positional order.
type Table = &'static [(&'static str, &'static [&'static str])];

/// A constructor keyword of the language: a [`Keyword`] whose call takes these parameters, in positional order.
/// The resolver matches the variant exhaustively; the formatter and the fuzzer read [`Constructor::TABLE`].
pub(crate) trait Constructor: Keyword {
    /// Every variant's keyword and parameters, in [`Keyword::ALL`] order.
    const TABLE: Table;

    /// Its parameters in positional order.
    fn parameters(self) -> &'static [&'static str];
}

/// Declares a constructor enum with its keywords and parameters: `Variant => "word"("param", ...)`. The
/// [`Keyword`] and [`Constructor`] impls are exhaustive matches generated from the same list.
macro_rules! constructors {
    ($(#[$meta:meta])* $type:ident { $($(#[$vmeta:meta])* $variant:ident => $word:literal ($($param:literal),*)),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub(crate) enum $type {
            $($(#[$vmeta])* $variant),+
        }
        keywords!($type { $($variant => $word),+ });
        impl Constructor for $type {
            const TABLE: Table = &[$(($word, &[$($param),*])),+];
            fn parameters(self) -> &'static [&'static str] {
                match self {
                    $(Self::$variant => &[$($param),*]),+
                }
            }
        }
    };
}

constructors!(
    /// `spectrum NAME = ...`
    SpectrumConstructor {
        /// λ_i = i^{−α}, i = 1..p.
        PowerLaw => "powerlaw"("p", "alpha"),
        /// λ_i = value.
        Isotropic => "isotropic"("p", "value"),
        /// Given eigenvalues.
        List => "list"("eigenvalues"),
    }
);

constructors!(
    /// `signal NAME = ...`
    SignalConstructor {
        /// λ_i β_i² = i^{−β}.
        PowerLawEnergy => "powerlaw_energy"("spectrum", "beta", "power"),
        /// β_i = value.
        Constant => "constant"("spectrum", "value", "power"),
        /// Given coefficients.
        List => "list"("spectrum", "coefficients", "power"),
    }
);

constructors!(
    /// `task NAME = ...`
    TaskConstructor {
        /// Gaussian features x ~ N(0, Σ), labels y = xᵀβ⋆ + z.
        Gaussian => "gaussian"("spectrum", "signal", "noise", "rotation", "noise_decay"),
        /// Features x = Σ^{1/2} w with i.i.d. ±1 entries w.
        Rademacher => "rademacher"("spectrum", "signal", "noise", "rotation", "noise_decay"),
        /// Features x = Σ^{1/2} w with w i.i.d. uniform on [−√3, √3].
        Uniform => "uniform"("spectrum", "signal", "noise", "rotation", "noise_decay"),
        /// Features x = Σ^{1/2} w with w i.i.d. Student-t_ν scaled to unit variance.
        StudentT => "student_t"("spectrum", "signal", "nu", "noise", "rotation", "noise_decay"),
        /// The rows of a data set read from files: its empirical distribution is the population (issue 18), or with
        /// `test` its rows are classified.
        Data => "data"("features", "labels", "test"),
        /// CIFAR-10's training (or test) images from a local directory: labelled 1 for one `class` and 0 for the
        /// others, or with `test` classified into the ten classes.
        Cifar10 => "cifar10"("directory", "class", "images", "test"),
        /// The rows of the UCI optical digits, `test` of them held out in every trial.
        Digits => "digits"("test"),
    }
);

constructors!(
    /// `surrogate NAME = ...`: every kind takes an optional `label`, last.
    SurrogateConstructor {
        /// β^s = β⋆.
        GroundTruth => "ground_truth"("label"),
        /// The optimal surrogate of Proposition 1 (a step along it from β⋆).
        Optimal => "optimal"("step", "label"),
        /// The optimal mask of Proposition 3.
        OptimalMask => "optimal_mask"("label"),
        /// The first k features of β⋆.
        TopK => "top_k"("k", "label"),
        /// k features of β⋆ drawn at random.
        RandomMask => "random_mask"("keep", "seed", "label"),
        /// c·β⋆.
        Scaled => "scaled"("factor", "label"),
        /// Aβ⋆ for another spectrum (Observation 1).
        CovarianceShift => "covariance_shift"("source", "label"),
        /// A surrogate trained by ERM (Section 5).
        Erm => "erm"("spectrum", "m", "features", "noise", "ridge", "labels", "gain", "label"),
        /// The risk of an ERM surrogate itself.
        Teacher => "teacher"("of", "label"),
        /// The ridge target refitted to a mix of its predictions and its labels.
        SelfDistilled => "self_distilled"("xi", "label"),
        /// A weak random-feature teacher network trained on true labels.
        Network => "network"("width", "m", "activation", "features", "ridge", "output", "label"),
    }
);

impl SurrogateConstructor {
    /// The parameters of a kind that takes only a label: how an unknown kind's arguments are checked before the
    /// kind is reported.
    pub(super) const LABEL_ONLY: &'static [&'static str] = &["label"];
}

constructors!(
    /// Where a list of numbers is expected (`eigenvalues`, `coefficients`): read it from a file beside the spec.
    FileConstructor {
        /// `file(path, column)`.
        File => "file"("path", "column"),
    }
);

constructors!(
    /// `tolerance ...` in a claim.
    ToleranceConstructor {
        /// A fraction of the reference value.
        Relative => "relative"("amount"),
        /// An absolute amount.
        Absolute => "absolute"("amount"),
    }
);

constructors!(
    /// `features: random(keep: K, seed: S)` of an ERM surrogate: K features drawn at random (issue 17 item 6).
    FeaturesConstructor {
        /// K of the p features drawn without replacement from the seed (as `random_mask` draws them).
        Random => "random"("keep", "seed"),
    }
);

constructors!(
    /// `trials auto(max: N)` in an experiment.
    TrialsConstructor {
        /// Adaptive trials up to a cap.
        Auto => "auto"("max"),
    }
);

/// A setting of `experiment NAME { ... }`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum ExperimentSetting {
    /// The task.
    Task,
    /// The sample sizes.
    N,
    /// The dimensions p of `measure scale` (x = p at one n).
    P,
    /// The surrogates, one series each.
    Surrogates,
    /// Monte Carlo trials per point.
    Trials,
    /// What is computed.
    Measure,
    /// The training spectrum, when it differs from the test one.
    Design,
    /// Independent or nested designs across sample sizes.
    Designs,
    /// The target's ridge penalty λ.
    Ridge,
    /// The student network's hidden units (classification measures).
    Width,
    /// The student network's activation.
    Activation,
    /// The legend label.
    Label,
}

/// A setting of `figure NAME { ... }`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum FigureSetting {
    /// The experiments plotted.
    Show,
    /// The series shown.
    Series,
    /// The caption.
    Caption,
    /// The axis scaling.
    Axes,
}

/// A setting of `section NAME "Label" { ... }`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum SectionSetting {
    /// The result's number in the paper's first version.
    V1,
    /// Its title.
    Title,
    /// The statement.
    Statement,
}

/// An option of a claim, after its rule ([`super::RuleKind::options`] lists which rule takes which).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ClaimOption {
    /// The band or tolerance.
    Tolerance,
    /// The family-wise confidence.
    Confidence,
    /// Which points an ordering tests.
    Points,
    /// The sample sizes tested.
    At,
    /// The expected slope.
    Expect,
    /// Why the paper's statement is expected to fail.
    Contradicted,
}

/// The settings of `claim NAME "Label" { ... }`: the rules ([`super::RuleKind`]), then their options
/// ([`ClaimOption`]); a test checks the table against both.
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

/// The constructors a call may name where `keyword` introduces it: the keyword of a declaration, or the key of
/// the setting whose value it is.
fn constructors(keyword: &str) -> Table {
    match keyword {
        "spectrum" => SpectrumConstructor::TABLE,
        "signal" => SignalConstructor::TABLE,
        "task" => TaskConstructor::TABLE,
        "surrogate" => SurrogateConstructor::TABLE,
        "tolerance" => ToleranceConstructor::TABLE,
        "trials" => TrialsConstructor::TABLE,
        "features" => FeaturesConstructor::TABLE,
        "eigenvalues" | "coefficients" => FileConstructor::TABLE,
        _ => &[],
    }
}

/// The variant of `T` whose keyword is `word`.
pub(super) fn find<T: Keyword>(word: &str) -> Option<T> {
    T::ALL.iter().copied().find(|v| v.keyword() == word)
}

/// The keywords of `T`, in order.
pub(super) fn words<T: Keyword>() -> Vec<&'static str> {
    T::ALL.iter().map(|v| v.keyword()).collect()
}

/// The parameters of the constructor `callee` where `keyword` introduces it, in positional order.
pub(super) fn parameters(keyword: &str, callee: &str) -> Option<&'static [&'static str]> {
    constructors(keyword).iter().find(|c| c.0 == callee).map(|c| c.1)
}

/// The settings a block of `kind` accepts, in canonical order.
pub(super) fn settings(kind: &str) -> Option<&'static [&'static str]> {
    find::<BlockKind>(kind).map(BlockKind::settings)
}

/// The keyword of a declaration, `KIND NAME = ...`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum DeclarationKind {
    /// `spectrum`: the eigenvalues of Σ.
    Spectrum,
    /// `signal`: β⋆.
    Signal,
    /// `task`: a spectrum, a signal and the label noise.
    Task,
    /// `surrogate`: what the target learns from.
    Surrogate,
}

/// The keyword of a block, `KIND NAME ["Label"] { ... }`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum BlockKind {
    /// A numbered result of the paper.
    Section,
    /// A sweep of sample sizes.
    Experiment,
    /// A plot of experiments' series.
    Figure,
    /// A statement decided by a rule.
    Claim,
}

impl BlockKind {
    /// The settings the block accepts, in canonical order.
    pub(super) fn settings(self) -> &'static [&'static str] {
        match self {
            BlockKind::Section => SectionSetting::WORDS,
            BlockKind::Experiment => ExperimentSetting::WORDS,
            BlockKind::Figure => FigureSetting::WORDS,
            BlockKind::Claim => &CLAIM,
        }
    }
}

/// A setting outside any block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum TopSetting {
    /// The report's title.
    Title,
    /// Where the paper comes from.
    Source,
    /// The seed of every random stream.
    Seed,
    /// A paragraph of prose.
    Text,
}

keywords!(DeclarationKind { Spectrum => "spectrum", Signal => "signal", Task => "task", Surrogate => "surrogate" });
keywords!(BlockKind { Section => "section", Experiment => "experiment", Figure => "figure", Claim => "claim" });
keywords!(TopSetting { Title => "title", Source => "source", Seed => "seed", Text => "text" });
keywords!(ExperimentSetting {
    Task => "task",
    N => "n",
    P => "p",
    Surrogates => "surrogates",
    Trials => "trials",
    Measure => "measure",
    Design => "design",
    Designs => "designs",
    Ridge => "ridge",
    Width => "width",
    Activation => "activation",
    Label => "label",
});
keywords!(FigureSetting { Show => "show", Series => "series", Caption => "caption", Axes => "axes" });
keywords!(SectionSetting { V1 => "v1", Title => "title", Statement => "statement" });
keywords!(ClaimOption {
    Tolerance => "tolerance",
    Confidence => "confidence",
    Points => "points",
    At => "at",
    Expect => "expect",
    Contradicted => "contradicted",
});
keywords!(super::Measure {
    ExcessRisk => "excess_risk",
    Coefficients => "coefficients",
    Equivalent => "equivalent",
    Cutoffs => "cutoffs",
    Masks => "masks",
    Bounds => "bounds",
    Scale => "scale",
    Accuracy => "accuracy",
    Error => "zero_one_risk",
});
keywords!(super::Activation { Relu => "relu", Tanh => "tanh" });
keywords!(super::Output { Hard => "hard", Soft => "soft" });
keywords!(super::Designs { Independent => "independent", Nested => "nested" });
keywords!(super::Axes { Linear => "linear", LogLog => "loglog", LogX => "logx", LogY => "logy" });
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

/// Every word of the language by role, read from the tables above: what the fuzzer writes specs from.
#[cfg(test)]
#[derive(Clone)]
pub(crate) struct Vocabulary {
    /// The keywords that start an item: top-level settings, declarations, blocks.
    pub(crate) items: Vec<&'static str>,
    /// Every keyword: the items', every block's settings and every setting's word values.
    pub(crate) keywords: Vec<&'static str>,
    /// Every constructor's name.
    pub(crate) constructors: Vec<&'static str>,
    /// Every constructor's parameters.
    pub(crate) parameters: Vec<&'static str>,
}

#[cfg(test)]
impl Vocabulary {
    /// The language's words.
    pub(crate) fn new() -> Self {
        let items = [words::<TopSetting>(), words::<DeclarationKind>(), words::<BlockKind>()].concat();
        let settings = BlockKind::ALL.iter().flat_map(|b| b.settings().iter().copied());
        let values = [
            words::<super::Measure>(),
            words::<super::Designs>(),
            words::<super::Axes>(),
            words::<super::PointFilter>(),
        ];
        let keywords = items.iter().copied().chain(settings).chain(values.concat());
        let tables = [
            SpectrumConstructor::TABLE,
            SignalConstructor::TABLE,
            TaskConstructor::TABLE,
            SurrogateConstructor::TABLE,
            FileConstructor::TABLE,
            ToleranceConstructor::TABLE,
            TrialsConstructor::TABLE,
            FeaturesConstructor::TABLE,
        ];
        let entries = || tables.iter().flat_map(|t| t.iter());
        let distinct = |words: &mut dyn Iterator<Item = &'static str>| {
            let mut out: Vec<&'static str> = Vec::new();
            for w in words {
                if !out.contains(&w) {
                    out.push(w);
                }
            }
            out
        };
        Vocabulary {
            keywords: distinct(&mut keywords.into_iter()),
            items,
            constructors: distinct(&mut entries().map(|e| e.0)),
            parameters: distinct(&mut entries().flat_map(|e| e.1.iter().copied())),
        }
    }
}

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
        let rules = super::super::RuleKind::WORDS;
        assert_eq!(rules, ["agree", "equal", "holds", "theory", "close", "slope", "flat", "amplifies"]);
        // The claim table is the rule kinds, then the claim options, in order.
        assert_eq!(&CLAIM[..rules.len()], rules);
        assert_eq!(&CLAIM[rules.len()..], ClaimOption::WORDS);
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
        distinct::<SpectrumConstructor>();
        distinct::<SignalConstructor>();
        distinct::<SurrogateConstructor>();
        distinct::<ToleranceConstructor>();
        distinct::<DeclarationKind>();
        distinct::<BlockKind>();
        distinct::<TopSetting>();
        assert_eq!(
            super::super::Axes::ALL.iter().map(|a| a.keyword()).collect::<Vec<_>>(),
            ["linear", "loglog", "logx", "logy"]
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

    /// A constructor's table row is its variant's keyword and parameters, so the formatter (which reads the table)
    /// and the resolver (which matches the variant) cannot drift.
    #[test]
    fn every_constructor_table_matches_its_variants() {
        fn rows<T: Constructor>() {
            let from_variants: Vec<_> = T::ALL.iter().map(|v| (v.keyword(), v.parameters())).collect();
            assert_eq!(T::TABLE, from_variants.as_slice());
        }
        rows::<SpectrumConstructor>();
        rows::<SignalConstructor>();
        rows::<TaskConstructor>();
        rows::<SurrogateConstructor>();
        rows::<FileConstructor>();
        rows::<ToleranceConstructor>();
        rows::<TrialsConstructor>();
        rows::<FeaturesConstructor>();
        assert_eq!(parameters("surrogate", "erm"), Some(SurrogateConstructor::Erm.parameters()));
        assert_eq!(parameters("eigenvalues", "file"), Some(&["path", "column"][..]));
        assert_eq!(settings("claim"), Some(&CLAIM[..]));
    }

    /// The fuzzer's words are the language's: every item, constructor and parameter the resolver knows.
    #[test]
    fn the_vocabulary_has_every_word() {
        let v = Vocabulary::new();
        assert_eq!(v.items.len(), 12);
        for word in
            ["random_mask", "random", "erm", "teacher", "file", "auto", "absolute", "designs", "nested", "masks"]
        {
            assert!(v.constructors.contains(&word) || v.keywords.contains(&word), "{word}");
        }
        for word in ["column", "features", "rotation", "max", "of", "step"] {
            assert!(v.parameters.contains(&word), "{word}");
        }
    }
}
