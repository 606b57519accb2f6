//! The resolved experiment and what it is made of: spectra, tasks, surrogates, measures, trials and designs.

use crate::diagnostics::Span;
use crate::theory::Features;

/// A covariance spectrum: the eigenvalues λ_i of Σ, in the given order.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub(crate) struct Spectrum {
    /// The eigenvalues.
    pub(crate) lambda: Vec<f64>,
    /// The exponent α when λ_i = i^−α (the power-law results need it).
    pub(crate) alpha: Option<f64>,
}

/// A regression task: x = U Λ^{1/2} w with w i.i.d. standardised entries (Gaussian: x ~ N(0, Σ)), y = xᵀβ⋆ + z,
/// z ~ N(0, σ²(n)) with σ²(n) = σ² n^−γ ([`Task::noise_at`]).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub(crate) struct Task {
    /// The declared name.
    pub(crate) name: String,
    /// The covariance spectrum.
    pub(crate) spectrum: Spectrum,
    /// The true coefficients β⋆, in the eigenbasis.
    pub(crate) beta: Vec<f64>,
    /// The exponent β when λ_i β⋆_i² = i^−β (the scaling laws need it).
    pub(crate) energy_exponent: Option<f64>,
    /// The label noise variance σ² (at n = 1 when it decays).
    pub(crate) noise: f64,
    /// The exponent γ of a label noise that shrinks with n: σ²(n) = σ² n^−γ (0: constant noise).
    pub(crate) noise_decay: f64,
    /// The seed of a Haar rotation U when Σ = U diag(λ) Uᵀ is not diagonal (Observation 2).
    pub(crate) rotation: Option<u64>,
    /// The law of the entries w of x = U Λ^{1/2} w (the target's design; ERM surrogates' data stay Gaussian).
    pub(crate) entries: crate::sim::Entries,
    /// The data set whose rows the design draws instead, for a `data(...)` or `cifar10(...)` task: then
    /// `spectrum`, `beta` and `noise` are its population's Σ̂ eigenvalues, β̄ and σ̄² (spec/dataset.rs).
    pub(crate) data: Option<DataTask>,
    /// The rows of a dataset, for a task of real data (`digits()`); its spectrum is then the empirical
    /// covariance's and its signal 0 (classes are not a linear signal).
    pub(crate) rows: Option<super::Rows>,
}

/// The rows of a data task, and what determines them.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub(crate) struct DataTask {
    /// What determines the rows, for the cache key: the blake3 hashes of the files read and how they were read.
    pub(crate) content: String,
    /// Not in the cache key (`content` determines them): the rows N × r in Σ̂'s eigenbasis and their residuals.
    #[serde(skip)]
    pub(crate) rows: std::sync::Arc<crate::sim::Rows>,
}

impl Task {
    /// The label-noise variance at sample size n: σ²(n) = σ² n^−γ (exactly σ² when γ = 0). What the simulation
    /// draws, what the moment guards and the round-off bands use, and (through [`crate::theory::theory_noise_at`])
    /// what the theory's formulas are given. See theory/noise.rs for the scaling law it implies.
    pub(crate) fn noise_at(&self, n: usize) -> f64 {
        crate::theory::noise_at(self.noise, self.noise_decay, n)
    }

    /// The label-noise variance the theory is given at n: [`Task::noise_at`], unless a test mutation ignores the
    /// decay.
    pub(crate) fn theory_noise_at(&self, n: usize) -> f64 {
        crate::theory::theory_noise_at(self.noise, self.noise_decay, n)
    }
}

/// Which surrogate β^s labels the target's data.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub(crate) enum SurrogateKind {
    /// β^s = β⋆: the standard target trained on strong labels.
    GroundTruth,
    /// β⋆ + step·(β^{s*} − β⋆): the optimal surrogate of Proposition 1 / Corollary 1 at step 1.
    Optimal {
        /// How far along the segment from β⋆ to β^{s*}.
        step: f64,
    },
    /// β⋆ restricted by the optimal mask of Proposition 3.
    OptimalMask,
    /// β⋆ restricted to its first k features.
    TopK(usize),
    /// β⋆ restricted to `keep` features drawn at random (without replacement) from a seeded stream.
    RandomMask {
        /// Features kept.
        keep: usize,
        /// The mask's seed.
        seed: u64,
    },
    /// c·β⋆.
    Scaled(f64),
    /// β^s = Aβ⋆ with A_ii = (λ^s_i/λ_i)^{1/2}: the model shift equivalent to a covariance shift (Observation 1).
    CovarianceShift(Spectrum),
    /// A surrogate trained by ERM in every trial (Section 5): m samples from N(0, diag(λ_s)) with labels from β⋆
    /// and noise σ_s², fitted on the features it sees only (the first p_s, or any subset).
    Erm(Erm),
    /// The risk of an ERM surrogate itself (the "teacher"), named by the surrogate.
    Teacher(String),
    /// The target's ridge fit on strong labels refitted, on the same data, to ξ·(its predictions) + (1 − ξ)·(the
    /// labels): self-distillation (issue 17 item 2).
    SelfDistilled(Weight),
    /// A weak teacher network trained on true labels in every trial, whose hard or soft labels the student
    /// learns from (issue 18 item 3).
    Network(super::Network),
}

/// The mixing weight ξ of self-distillation.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub(crate) enum Weight {
    /// A given ξ.
    Fixed(f64),
    /// At each n, the ξ* minimising the student's theory risk (theory::SelfDistillation).
    Optimal,
}

/// The first stage of the two-stage model.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub(crate) struct Erm {
    /// The spectrum of the surrogate's data.
    pub(crate) spectrum: Spectrum,
    /// The surrogate's label noise variance σ_s².
    pub(crate) noise: f64,
    /// Its sample size.
    pub(crate) m: SampleSize,
    /// The features S it sees: the first p_s, or a subset (listed, or drawn at random from a seed, issue 17 item 6).
    pub(crate) features: Features,
    /// Its ridge penalty λ_s ≥ 0 (0: min-norm interpolation or least squares).
    pub(crate) ridge: f64,
    /// The ERM surrogate whose fit labels its data instead of β⋆ (a distillation chain, issue 17 item 3).
    pub(crate) labels: Option<Box<Erm>>,
    /// `gain: optimal`: its data are labelled by the optimal surrogate (Corollary 1's gain for this fit) of β⋆ or
    /// of the `labels` generation's fit, instead of by those coefficients themselves (issue 17 item 3). Left out
    /// of the serialised form (the cache key) when false, so the keys of earlier specs do not change.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub(crate) optimal_labels: bool,
}

impl Erm {
    /// The generations its labels come from, nearest first (empty when they come from β⋆).
    pub(crate) fn ancestors(&self) -> impl Iterator<Item = &Erm> {
        std::iter::successors(self.labels.as_deref(), |g| g.labels.as_deref())
    }
}

/// The surrogate's sample size m.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub(crate) enum SampleSize {
    /// A fixed m.
    Fixed(usize),
    /// m = n, the target's sample size at each point (Figure 2b).
    SameAsTarget,
}

impl SampleSize {
    /// m at target sample size n.
    pub(crate) fn at(self, n: usize) -> usize {
        match self {
            SampleSize::Fixed(m) => m,
            SampleSize::SameAsTarget => n,
        }
    }
}

/// A named surrogate as declared.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub(crate) struct Surrogate {
    /// The declared name.
    pub(crate) name: String,
    /// What it is.
    pub(crate) kind: SurrogateKind,
    /// Its legend label.
    #[serde(skip)] // Presentation only: not in the cache key.
    pub(crate) label: String,
}

/// What an experiment measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub(crate) enum Measure {
    /// The excess risk ‖Σ^{1/2}(β̂ − β⋆)‖², by theory and (with trials) by simulation, against n.
    ExcessRisk,
    /// The surrogate's coefficients against the index i, at one n (theory only).
    Coefficients,
    /// τ, Ω and their power-law limits against n (Proposition 4, v2).
    Equivalent,
    /// How many features the optimal surrogate amplifies and the optimal mask keeps, against n, with the
    /// asymptotic cut-offs n·C1 and n·C2 (Proposition 5, v2; Figure 3).
    Cutoffs,
    /// The risk of the mask keeping the first k features, against k, with the optimal mask's risk (Proposition 3).
    Masks,
    /// The finite-p bounds on 1/τ and Ω of arXiv v1 Propositions 7 and 8 against n, where their conditions hold,
    /// and the risks of strong labels and the optimal mask inside the region of v1 Proposition 9.
    Bounds,
    /// The optimal surrogate's gain at scale, R*/R(β^t), against p at one n (`p` given) or against n at the
    /// task's p, with its limit K(α, β) as n → ∞ (issue 17 item 7; theory/scale.rs).
    Scale,
    /// The test accuracy of a random-feature student on a data task, against n (simulated only; issue 18 item 2).
    Accuracy,
    /// The test 0-1 risk (1 − accuracy) of the same student (simulated only).
    Error,
}

impl Experiment {
    /// The x coordinates of its points when they are the sweep's: the dimensions p of `measure scale` with `p`,
    /// else the sample sizes n.
    pub(crate) fn sweep(&self) -> &[usize] {
        self.dimensions.as_deref().unwrap_or(&self.sizes)
    }

    /// The names of its series: its surrogates, or the fixed series of its measure.
    pub(crate) fn series_names(&self) -> Vec<&str> {
        match self.measure {
            m if m.compares() => self.surrogates.iter().map(|s| s.name.as_str()).collect(),
            m => m.series().to_vec(),
        }
    }
}

impl Measure {
    /// Whether its series are the experiment's surrogates (else the measure's fixed series).
    pub(crate) fn compares(self) -> bool {
        matches!(self, Measure::ExcessRisk | Measure::Coefficients | Measure::Accuracy | Measure::Error)
    }

    /// Whether it is simulated (with `trials`): the excess risk, and the classification measures.
    pub(crate) fn is_simulated(self) -> bool {
        matches!(self, Measure::ExcessRisk | Measure::Accuracy | Measure::Error)
    }

    /// Whether it classifies the rows of a data task with random-feature networks (no theory: issue 18).
    pub(crate) fn classifies(self) -> bool {
        matches!(self, Measure::Accuracy | Measure::Error)
    }

    /// The fixed series of a measure that does not compare surrogates.
    pub(crate) fn series(self) -> &'static [&'static str] {
        match self {
            Measure::ExcessRisk | Measure::Coefficients | Measure::Accuracy | Measure::Error => &[],
            Measure::Equivalent => &["tau_scaled", "tau_limit", "omega", "omega_limit"],
            Measure::Cutoffs => &["amplified", "n_c1", "kept", "n_c2"],
            Measure::Masks => &["top_k", "optimal_mask"],
            Measure::Bounds => &[
                "inverse_tau",
                "inverse_tau_lower",
                "inverse_tau_upper",
                "omega",
                "omega_lower",
                "region_truth",
                "region_masked",
            ],
            Measure::Scale => &["ratio", "constant"],
        }
    }
}

/// `experiment name { ... }`
#[derive(Clone, Debug, serde::Serialize)]
pub(crate) struct Experiment {
    /// The declared name.
    pub(crate) name: String,
    /// The task it runs.
    pub(crate) task: Task,
    /// The target's sample sizes n.
    pub(crate) sizes: Vec<usize>,
    /// `measure scale` with `p`: the dimensions p, at the one n of `sizes`, each with the spectrum λ_i = i^−α and
    /// the signal λ_i β⋆_i² = i^−β of the task's exponents, i ≤ p (the x axis is then p).
    pub(crate) dimensions: Option<Vec<usize>>,
    /// The surrogates compared, each a series.
    pub(crate) surrogates: Vec<Surrogate>,
    /// Monte Carlo trials per point; `None` for theory only.
    // Not in the cache key: each look is keyed by its own trial count, so a larger cap reuses every look.
    #[serde(skip)]
    pub(crate) trials: Option<Trials>,
    /// The training design's spectrum when it differs from the task's (covariance shift, Observation 1); the
    /// risk is always measured under the task's covariance.
    pub(crate) design: Option<Spectrum>,
    /// What is measured.
    pub(crate) measure: Measure,
    /// How its trials draw their designs across the sweep.
    pub(crate) designs: Designs,
    /// The target's ridge penalty in (1/n)‖y − Xβ‖² + λ‖β‖², per series.
    pub(crate) ridge: Ridge,
    /// The student's random features in a classification measure (`width`, `activation`).
    pub(crate) student: Option<super::RandomFeatures>,
    /// Its legend label when a figure shows several experiments, e.g. "α = 1.5".
    #[serde(skip)] // Presentation only: not in the cache key (engine/cache.rs).
    pub(crate) label: Option<String>,
    /// The spec text that defines it: its declarations, then the block.
    #[serde(skip)] // Presentation only: not in the cache key.
    pub(crate) excerpt: String,
    /// The data files its definition reads (`file(...)` in its block or the declarations it uses), by the path
    /// the spec gives → blake3 of the bytes, hex.
    #[serde(skip)] // Their values are in the key already; `build --explain` names a changed file by them.
    pub(crate) data_files: std::collections::BTreeMap<String, String>,
    /// Where its name stands in the spec, for diagnostics about the whole experiment.
    #[serde(skip)] // Presentation only: not in the cache key.
    pub(crate) span: Span,
}

/// How many Monte Carlo trials an experiment runs per point.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub(crate) enum Trials {
    /// `trials N`: exactly N.
    Fixed(usize),
    /// `trials auto(max: N)`: batches at the [`Trials::looks`] until every claim on the experiment is decided.
    Auto {
        /// The cap N.
        max: usize,
    },
}

impl Trials {
    /// The cap of `trials auto` when none is given.
    pub(crate) const DEFAULT_MAX: usize = 20_000;
    /// The first look of `trials auto`; every further look doubles it, the last is the cap.
    pub(crate) const FIRST_LOOK: usize = 100;

    /// The most trials a point can run.
    pub(crate) fn max(self) -> usize {
        match self {
            Trials::Fixed(n) | Trials::Auto { max: n } => n,
        }
    }

    /// The trial counts at which the claims look at the data: `[N]` for fixed trials; 100, 200, 400, … below the
    /// cap, then the cap, for `auto`. Claims split their error rate over these looks (Bonferroni).
    pub(crate) fn looks(self) -> Vec<usize> {
        match self {
            Trials::Fixed(n) => vec![n],
            Trials::Auto { max } => {
                let doubling = std::iter::successors(Some(Self::FIRST_LOOK), |t| t.checked_mul(2));
                doubling.take_while(|&t| t < max).chain(std::iter::once(max)).collect()
            }
        }
    }
}

/// The target's ridge penalty λ of one series.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub(crate) enum Penalty {
    /// A given λ ≥ 0 (0: the paper's min-norm interpolator or least squares).
    Fixed(f64),
    /// At each n, the λ > 0 minimising the series' theory risk (an oracle tuning, engine/tuning.rs).
    Tuned,
}

impl Penalty {
    /// Whether the fit is penalised (λ > 0), which makes every moment of its risk finite.
    pub(crate) fn is_positive(self) -> bool {
        match self {
            Self::Fixed(ridge) => ridge > 0.0,
            Self::Tuned => true,
        }
    }
}

/// The target's ridge penalties of an experiment: one for every series, or one per surrogate in order.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub(crate) struct Ridge(pub(crate) Vec<Penalty>);

impl Ridge {
    /// No penalty: the paper's estimator for every series.
    pub(crate) fn none() -> Self {
        Self(vec![Penalty::Fixed(0.0)])
    }

    /// The penalty of series `series`.
    pub(crate) fn of(&self, series: usize) -> Penalty {
        if self.0.len() == 1 { self.0[0] } else { self.0[series] }
    }

    /// Whether every series is penalised (then no sample size has an infinite risk).
    pub(crate) fn all_positive(&self) -> bool {
        self.0.iter().all(|p| p.is_positive())
    }

    /// Whether no series is penalised: the paper's estimator throughout.
    pub(crate) fn is_none(&self) -> bool {
        self.0.iter().all(|p| *p == Penalty::Fixed(0.0))
    }
}

impl Experiment {
    /// The ridge penalty λ of a classification experiment's student (0: minimum norm or least squares).
    ///
    /// # Panics
    /// On `ridge tuned`, which the resolver refuses for a student: it has one fixed penalty.
    #[track_caller]
    pub(crate) fn student_ridge(&self) -> f64 {
        match self.ridge.of(0) {
            Penalty::Fixed(ridge) => ridge,
            Penalty::Tuned => unreachable!("the resolver gives a student one fixed penalty"),
        }
    }

    /// Whether the results record series `series`' penalty λ at each point: risks of an experiment with a `ridge`
    /// setting, but for a teacher, which has no target fit.
    pub(crate) fn records_ridge(&self, series: usize) -> bool {
        self.measure == Measure::ExcessRisk
            && !self.ridge.is_none()
            && !matches!(self.surrogates.get(series).map(|s| &s.kind), Some(SurrogateKind::Teacher(_)))
    }
}

/// How the trials of an experiment draw their designs across its sample sizes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub(crate) enum Designs {
    /// A fresh design for every point and trial.
    Independent,
    /// One design per trial at the largest n; every smaller n uses its leading rows (issue 4, item 6).
    Nested,
}
