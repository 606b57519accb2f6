//! Stage 7, two results files → what changed between two builds ([`ResultsDiff`]), for `kdrepro diff` and the
//! pull-request comment of `scripts/pr-report.sh`.
//!
//! Exact things are compared exactly: the claims and their verdicts, the structure (experiments, figures, series,
//! points), the settings (design, seed, trials) and every theory value, bit for bit. Simulated means are noisy:
//! two builds that differ only by their seed give different means at every point. A mean is reported only when
//! its change is significant given both standard errors: Welch's two-sided test per point
//! ([`Welch::p_value`](crate::stats::Welch::p_value)), with Holm's step-down over every compared point
//! ([`Holm`]), so the chance of reporting any change when none happened is at most the family-wise level `α`
//! (5% by default), however many points are compared.
//!
//! - `words`: the text for the terminal and the Markdown for a pull-request comment;
//! - the JSON is the [`ResultsDiff`] itself (`docs/schema/diff.schema.json`).

mod words;

use std::collections::{BTreeMap, BTreeSet};

use serde::{Serialize, Serializer};

use crate::engine::{Point, Stop};
use crate::plan::MIN_TRIALS;
use crate::report::{ExperimentEntry, FigureEntry, ResultsFile, SeriesEntry};
use crate::stats::{Holm, MeanEstimate, StatsError, Welch};

/// The family-wise level of `kdrepro diff` unless `--level` says otherwise.
pub const DEFAULT_LEVEL: f64 = 0.05;

/// The version of the JSON document's format.
const FORMAT_VERSION: u32 = 1;

/// Everything that changed from an old build's results file to a new one's.
///
/// Serialised, it is the JSON of `kdrepro diff --format json`; non-finite numbers are the strings `"inf"`, `"-inf"`
/// and `"nan"` (JSON has no such numbers).
#[derive(Clone, Debug, Serialize)]
pub struct ResultsDiff {
    /// Always `kdrepro-diff`.
    pub(crate) format: &'static str,
    /// [`FORMAT_VERSION`].
    pub(crate) format_version: u32,
    /// Whether anything changed beyond noise, settings and provenance: the exit code is 1 then. (A changed setting
    /// that changes what is computed shows in the theory, the means or the structure.)
    pub meaningful: bool,
    /// The two builds.
    pub(crate) old: Build,
    pub(crate) new: Build,
    /// Each experiment's x variable (`n`, `i` or `k`), for naming points: the new build's, else the old one's.
    pub(crate) axes: BTreeMap<String, String>,
    /// Claims only in the new build, in its order.
    pub(crate) claims_added: Vec<String>,
    /// Claims only in the old build, in its order.
    pub(crate) claims_removed: Vec<String>,
    /// Claims in both whose verdict changed, in the new build's order.
    pub(crate) verdicts: Vec<VerdictChange>,
    /// Experiments, figures, series and points only in the new build.
    pub(crate) added: Structure,
    /// … only in the old build.
    pub(crate) removed: Structure,
    /// The seed, the draft trial override, what each figure shows, and per experiment its trials, design,
    /// stopping reason and x axis.
    pub(crate) settings: Vec<SettingChange>,
    /// kdrepro's version, commit, the spec's name and hash, the data files' hashes.
    pub(crate) provenance: Vec<SettingChange>,
    /// Series whose theory values changed (exact comparison), in experiment and series order.
    pub(crate) theory: Vec<TheoryChange>,
    /// The simulated means compared.
    pub(crate) means: Means,
}

/// One build, as the diff names it.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct Build {
    /// The results file read.
    pub(crate) path: String,
    pub(crate) spec_file: String,
    pub(crate) seed: u64,
    pub(crate) commit: String,
}

/// A claim whose verdict changed.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct VerdictChange {
    pub(crate) claim: String,
    pub(crate) old: String,
    pub(crate) new: String,
}

/// Parts of a build present in only one of the two.
#[derive(Clone, Debug, Default, Serialize)]
pub(crate) struct Structure {
    pub(crate) experiments: Vec<String>,
    pub(crate) figures: Vec<String>,
    pub(crate) series: Vec<SeriesName>,
    pub(crate) points: Vec<PointName>,
}

impl Structure {
    /// Whether nothing is listed.
    fn is_empty(&self) -> bool {
        self.experiments.is_empty() && self.figures.is_empty() && self.series.is_empty() && self.points.is_empty()
    }
}

/// A series of an experiment.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub(crate) struct SeriesName {
    pub(crate) experiment: String,
    pub(crate) series: String,
}

/// A point of a series.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub(crate) struct PointName {
    pub(crate) experiment: String,
    pub(crate) series: String,
    /// The x variable in the build that has the point (`n`, `i` or `k`).
    pub(crate) axis: String,
    pub(crate) x: Real,
}

/// A setting or provenance field that differs; `None` where one build has no value.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct SettingChange {
    /// The experiment, or `None` for the whole build.
    pub(crate) experiment: Option<String>,
    /// `seed`, `draft_trials`, `figure:<name>`, `trials`, `design`, `stop`, `x`, `kdrepro`, `commit`,
    /// `spec_file`, `spec_hash` or `data_file:<path>`.
    pub(crate) setting: String,
    pub(crate) old: Option<String>,
    pub(crate) new: Option<String>,
}

/// The theory of one series, where it changed.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct TheoryChange {
    pub(crate) experiment: String,
    pub(crate) series: String,
    /// Points in both builds whose theory value differs.
    pub(crate) changed: usize,
    /// Points in both builds.
    pub(crate) compared: usize,
    /// The point whose value changed most, relative to the old value.
    pub(crate) largest: RelativeChange,
}

/// The largest relative change of a series' theory.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct RelativeChange {
    pub(crate) x: Real,
    pub(crate) old: Real,
    pub(crate) new: Real,
    /// |new − old| / |old|; infinite when the old value is 0 or either is infinite, NaN when one is NaN.
    pub(crate) relative: Real,
}

/// The comparison of the simulated means.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct Means {
    /// The family-wise level α of Holm's procedure.
    pub(crate) level: f64,
    /// Points tested: simulated in both builds, with finite means and standard errors from ≥ 30 trials each
    /// ([`MIN_TRIALS`]).
    pub(crate) compared: usize,
    /// Points whose change is significant at the family-wise level, in experiment, series and x order.
    pub(crate) significant: Vec<MeanChange>,
    /// Points simulated in either build that could not be tested, with the reason.
    pub(crate) not_compared: Vec<NotCompared>,
}

/// A significant change of a simulated mean.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct MeanChange {
    pub(crate) experiment: String,
    pub(crate) series: String,
    pub(crate) x: Real,
    pub(crate) old: Estimate,
    pub(crate) new: Estimate,
    /// new − old.
    pub(crate) difference: Real,
    /// Welch's two-sided p-value of this point.
    pub(crate) p: Real,
    /// Its Holm-adjusted p-value (≤ the level).
    pub(crate) adjusted_p: Real,
}

/// A simulated mean as the results file keeps it.
#[derive(Clone, Copy, Debug, Serialize)]
pub(crate) struct Estimate {
    pub(crate) mean: Real,
    pub(crate) se: Real,
    pub(crate) trials: usize,
}

/// A simulated point that was not tested.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct NotCompared {
    pub(crate) experiment: String,
    pub(crate) series: String,
    pub(crate) x: Real,
    pub(crate) reason: String,
}

/// A number that serialises to JSON even when it is infinite or NaN (as `"inf"`, `"-inf"`, `"nan"`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Real(pub(crate) f64);

impl Serialize for Real {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            x if x.is_finite() => serializer.serialize_f64(x),
            x if x.is_nan() => serializer.serialize_str("nan"),
            x if x > 0.0 => serializer.serialize_str("inf"),
            _ => serializer.serialize_str("-inf"),
        }
    }
}

/// Why two results files could not be compared.
#[derive(Debug, PartialEq)]
pub enum DiffError {
    /// The family-wise level is not strictly between 0 and 1.
    Level(f64),
}

impl std::fmt::Display for DiffError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Level(level) => write!(f, "the family-wise level {level} must lie strictly between 0 and 1"),
        }
    }
}

impl std::error::Error for DiffError {}

/// Compares `old` with `new` (read from `paths`, which name them in the output), testing simulated means at
/// family-wise level `level`.
///
/// # Errors
/// [`DiffError::Level`] for a level outside (0, 1).
pub fn compare(old: &ResultsFile, new: &ResultsFile, paths: [&str; 2], level: f64) -> Result<ResultsDiff, DiffError> {
    let build = |r: &ResultsFile, path: &str| Build {
        path: path.to_owned(),
        spec_file: r.spec_file.clone(),
        seed: r.seed,
        commit: r.commit.clone(),
    };
    let (claims_added, claims_removed) = (only_in(&new.claims, &old.claims), only_in(&old.claims, &new.claims));
    let verdicts = new
        .claims
        .iter()
        .filter_map(|c| {
            let before = old.claims.iter().find(|o| o.name == c.name)?;
            (before.verdict != c.verdict).then(|| VerdictChange {
                claim: c.name.clone(),
                old: before.verdict.word().to_owned(),
                new: c.verdict.word().to_owned(),
            })
        })
        .collect();
    let theory = shared_series(old, new).filter_map(|(e, s, a, b)| theory_change(e, s, &a.points, &b.points)).collect();
    let means = means(old, new, level)?;
    let mut diff = ResultsDiff {
        format: "kdrepro-diff",
        format_version: FORMAT_VERSION,
        meaningful: false,
        old: build(old, paths[0]),
        new: build(new, paths[1]),
        axes: old.experiments.iter().chain(&new.experiments).map(|(name, e)| (name.clone(), e.x.clone())).collect(),
        claims_added,
        claims_removed,
        verdicts,
        added: structure(new, old),
        removed: structure(old, new),
        settings: settings(old, new),
        provenance: provenance(old, new),
        theory,
        means,
    };
    diff.meaningful = !(diff.claims_added.is_empty()
        && diff.claims_removed.is_empty()
        && diff.verdicts.is_empty()
        && diff.added.is_empty()
        && diff.removed.is_empty()
        && diff.theory.is_empty()
        && diff.means.significant.is_empty());
    Ok(diff)
}

impl ResultsDiff {
    /// The JSON document (`docs/schema/diff.schema.json`), pretty-printed.
    ///
    /// # Panics
    /// Never: the diff is plain data and its numbers serialise even when infinite.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("the diff is plain data") + "\n"
    }
}

/// Names of the claims of `a` that `b` does not have, in `a`'s order.
fn only_in(a: &[crate::report::ClaimEntry], b: &[crate::report::ClaimEntry]) -> Vec<String> {
    a.iter().filter(|c| !b.iter().any(|o| o.name == c.name)).map(|c| c.name.clone()).collect()
}

/// The experiments, figures, series and points of `a` that `b` lacks (series and points only within experiments
/// and series both have). Points on another x axis (`n` against `i`) are never the same point: an experiment
/// whose axis changed has all its points removed and added.
fn structure(a: &ResultsFile, b: &ResultsFile) -> Structure {
    let experiments = a.experiments.keys().filter(|e| !b.experiments.contains_key(*e)).cloned().collect();
    let figures = a.figures.keys().filter(|f| !b.figures.contains_key(*f)).cloned().collect();
    let mut series = Vec::new();
    let mut points = Vec::new();
    for (name, ea) in &a.experiments {
        let Some(eb) = b.experiments.get(name) else { continue };
        for (s, sa) in &ea.series {
            let Some(sb) = eb.series.get(s) else {
                series.push(SeriesName { experiment: name.clone(), series: s.clone() });
                continue;
            };
            let missing: Vec<&Point> = if ea.x == eb.x {
                aligned(&sa.points, &sb.points)
                    .into_iter()
                    .filter_map(|pair| pair.0.filter(|_| pair.1.is_none()))
                    .collect()
            } else {
                sa.points.iter().collect()
            };
            points.extend(missing.into_iter().map(|p| PointName {
                experiment: name.clone(),
                series: s.clone(),
                axis: ea.x.clone(),
                x: Real(p.x),
            }));
        }
    }
    Structure { experiments, figures, series, points }
}

/// Every series both builds have on the same x axis: (experiment, series, old, new), in experiment and series
/// order.
fn shared_series<'a>(
    old: &'a ResultsFile,
    new: &'a ResultsFile,
) -> impl Iterator<Item = (&'a str, &'a str, &'a SeriesEntry, &'a SeriesEntry)> {
    let shared = old.experiments.iter().filter_map(|(e, a)| Some((e, a, new.experiments.get(e)?)));
    shared.filter(|(_, a, b)| a.x == b.x).flat_map(|(e, a, b)| {
        a.series.iter().filter_map(move |(s, sa)| Some((e.as_str(), s.as_str(), sa, b.series.get(s)?)))
    })
}

/// The points both series have, paired by x (exact).
fn paired<'a>(a: &'a [Point], b: &'a [Point]) -> impl Iterator<Item = (&'a Point, &'a Point)> {
    aligned(a, b).into_iter().filter_map(|(p, q)| Some((p?, q?)))
}

/// The points of two series matched by x (exactly), in x order: `None` on the side without that x. Builds write
/// points in strictly increasing x (`ResultsFile::read` checks it), so one merge walk matches them: a coefficient
/// profile has one point per feature, and matching each point by search would take p² steps.
fn aligned<'a>(a: &'a [Point], b: &'a [Point]) -> Vec<(Option<&'a Point>, Option<&'a Point>)> {
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::with_capacity(a.len().max(b.len()));
    loop {
        match (a.get(i), b.get(j)) {
            (Some(p), Some(q)) if p.x == q.x => {
                out.push((Some(p), Some(q)));
                (i, j) = (i + 1, j + 1);
            }
            (Some(p), Some(q)) if p.x < q.x => {
                out.push((Some(p), None));
                i += 1;
            }
            (Some(p), None) => {
                out.push((Some(p), None));
                i += 1;
            }
            (_, Some(q)) => {
                out.push((None, Some(q)));
                j += 1;
            }
            (None, None) => return out,
        }
    }
}

/// Whether two theory values are the same number (NaN equal to NaN: both undefined).
fn same(a: f64, b: f64) -> bool {
    a == b || (a.is_nan() && b.is_nan())
}

/// |new − old| / |old|: infinite for a change from 0, to or from an infinity, or beyond f64's range; NaN when
/// either value is NaN, and for ∞ → −∞.
fn relative(old: f64, new: f64) -> f64 {
    if old.is_nan() || new.is_nan() {
        return f64::NAN;
    }
    if old.is_infinite() && new.is_infinite() {
        // ∞ → −∞: no relative change is defined.
        return f64::NAN;
    }
    if old == 0.0 || !old.is_finite() || !new.is_finite() {
        return f64::INFINITY;
    }
    ((new - old) / old).abs()
}

/// The theory change of one series, if any value changed: how many, and the largest relative change.
fn theory_change(experiment: &str, series: &str, old: &[Point], new: &[Point]) -> Option<TheoryChange> {
    let pairs: Vec<_> = paired(old, new).collect();
    let changed: Vec<_> = pairs.iter().filter(|(a, b)| !same(a.theory, b.theory)).collect();
    // The largest relative change; a value that became undefined (NaN) only when no change is a number.
    let (a, b) = changed.iter().max_by(|(a, b), (c, d)| {
        let (r, s) = (relative(a.theory, b.theory), relative(c.theory, d.theory));
        s.is_nan().cmp(&r.is_nan()).then(r.total_cmp(&s))
    })?;
    Some(TheoryChange {
        experiment: experiment.to_owned(),
        series: series.to_owned(),
        changed: changed.len(),
        compared: pairs.len(),
        largest: RelativeChange {
            x: Real(a.x),
            old: Real(a.theory),
            new: Real(b.theory),
            relative: Real(relative(a.theory, b.theory)),
        },
    })
}

/// A point's simulated mean as an estimate a test can use, or why it cannot be tested.
fn estimate(point: &Point) -> Result<MeanEstimate, String> {
    if let Some(why) = &point.infinite_variance {
        return Err(format!("the risk's variance is infinite here, so its standard error means nothing ({why})"));
    }
    match (point.mean, point.se, point.trials) {
        (Some(_), Some(_), Some(count)) if count < MIN_TRIALS => Err(format!(
            "only {count} of the {MIN_TRIALS} trials needed: the t approximation of a mean of skewed risks is not \
             reliable below"
        )),
        (Some(mean), Some(se), Some(count)) if mean.is_finite() && se.is_finite() => {
            Ok(MeanEstimate { mean, se, count })
        }
        (Some(_), Some(_), Some(_)) => Err("the mean or its standard error is not finite".to_owned()),
        _ => Err("the results file records no standard error or trial count for this mean".to_owned()),
    }
}

/// Tests every point simulated in both builds, Welch per point and Holm over all of them at `level`.
fn means(old: &ResultsFile, new: &ResultsFile, level: f64) -> Result<Means, DiffError> {
    let mut tested = Vec::new();
    let mut not_compared = Vec::new();
    for (e, s, a, b) in shared_series(old, new) {
        for (p, q) in paired(&a.points, &b.points) {
            let why = match (p.mean.is_some(), q.mean.is_some()) {
                (false, false) => continue,
                (true, false) => Err("simulated only in the old build".to_owned()),
                (false, true) => Err("simulated only in the new build".to_owned()),
                (true, true) => estimate(p).and_then(|x| Ok((x, estimate(q)?))),
            };
            let why = why.and_then(|(x, y)| {
                let finite = (y.mean - x.mean).is_finite();
                if finite { Ok((x, y)) } else { Err("the difference of the means overflows f64".to_owned()) }
            });
            match why {
                Ok((x, y)) => tested.push((e, s, p.x, x, y, Welch::from_estimates(y, x, 0.95))),
                Err(reason) => not_compared.push(NotCompared {
                    experiment: e.to_owned(),
                    series: s.to_owned(),
                    x: Real(p.x),
                    reason,
                }),
            }
        }
    }
    let p_values: Vec<f64> = tested.iter().map(|t| t.5.p_value()).collect();
    let holm = Holm::new(&p_values, level).map_err(|e| match e {
        StatsError::InvalidLevel(level) => DiffError::Level(level),
        other => unreachable!("p-values of finite estimates are numbers: {other}"),
    })?;
    let recorded = |x: MeanEstimate| Estimate { mean: Real(x.mean), se: Real(x.se), trials: x.count };
    let significant = tested
        .iter()
        .enumerate()
        .filter(|&(i, _)| holm.rejected[i])
        .map(|(i, &(e, s, x, old, new, welch))| MeanChange {
            experiment: e.to_owned(),
            series: s.to_owned(),
            x: Real(x),
            old: recorded(old),
            new: recorded(new),
            difference: Real(welch.mean),
            p: Real(p_values[i]),
            adjusted_p: Real(holm.adjusted[i]),
        })
        .collect();
    Ok(Means { level, compared: tested.len(), significant, not_compared })
}

/// A build-wide or per-experiment field that differs.
fn change(experiment: Option<&str>, setting: &str, old: Option<String>, new: Option<String>) -> Option<SettingChange> {
    (old != new).then(|| SettingChange {
        experiment: experiment.map(str::to_owned),
        setting: setting.to_owned(),
        old,
        new,
    })
}

/// The seed, the draft override, what each shared figure shows, and each shared experiment's trials, design,
/// stopping reason and x axis.
fn settings(old: &ResultsFile, new: &ResultsFile) -> Vec<SettingChange> {
    let mut changes = vec![
        change(None, "seed", Some(old.seed.to_string()), Some(new.seed.to_string())),
        change(None, "draft_trials", old.draft_trials.map(|t| t.to_string()), new.draft_trials.map(|t| t.to_string())),
    ];
    for (name, a) in &old.figures {
        let Some(b) = new.figures.get(name) else { continue };
        let shows = |f: &FigureEntry| {
            let series = if f.series.is_empty() { String::new() } else { format!(" (series {})", f.series.join(", ")) };
            Some(format!("{}{series}", f.experiments.join(", ")))
        };
        changes.push(change(None, &format!("figure:{name}"), shows(a), shows(b)));
    }
    for (name, a) in &old.experiments {
        let Some(b) = new.experiments.get(name) else { continue };
        let field = |f: fn(&ExperimentEntry) -> Option<String>, setting| change(Some(name), setting, f(a), f(b));
        changes.push(field(|e| e.trials.map(|t| t.to_string()), "trials"));
        changes.push(field(|e| e.design.clone(), "design"));
        changes.push(field(|e| e.stop.map(stop_words), "stop"));
        changes.push(field(|e| Some(e.x.clone()), "x"));
    }
    changes.into_iter().flatten().collect()
}

/// kdrepro's version and commit, the spec's name and hash, and the data files' hashes.
fn provenance(old: &ResultsFile, new: &ResultsFile) -> Vec<SettingChange> {
    let field =
        |setting, f: fn(&ResultsFile) -> &String| change(None, setting, Some(f(old).clone()), Some(f(new).clone()));
    let mut changes = vec![
        field("title", |r| &r.title),
        field("kdrepro", |r| &r.kdrepro),
        field("commit", |r| &r.commit),
        field("spec_file", |r| &r.spec_file),
        field("spec_hash", |r| &r.spec_hash),
    ];
    let files: BTreeSet<&String> = old.data_files.keys().chain(new.data_files.keys()).collect();
    changes.extend(files.into_iter().map(|path| {
        let hash = |r: &ResultsFile| r.data_files.get(path).cloned();
        change(None, &format!("data_file:{path}"), hash(old), hash(new))
    }));
    changes.into_iter().flatten().collect()
}

/// Why an experiment stopped, in words.
fn stop_words(stop: Stop) -> String {
    match stop {
        Stop::Fixed => "fixed trials".to_owned(),
        Stop::Decided { look, looks } => format!("decided at look {look} of {looks}"),
        Stop::Cap { looks } => format!("cap reached undecided ({looks} looks)"),
    }
}
