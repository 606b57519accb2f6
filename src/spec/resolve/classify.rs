//! Classification experiments (issue 18 items 2 and 3): a data task, a random-feature student, and the networks,
//! teachers and strong labels it is compared on.

use super::declarations::{GROUND_TRUTH_LABEL, activation, teacher_label, width};
use super::{Block, Diagnostic, Measure, Settings, Surrogate, SurrogateKind, Task, Trials, single};
use crate::spec::RandomFeatures;
use crate::spec::signature::{ExperimentSetting, Keyword as _};

/// The student of a classification measure (`width`, `activation`), after checking that the experiment is one:
/// its task has rows, it is simulated, its series are strong labels, networks or their teachers, and every
/// trial has rows for its test split, the largest teacher's m and the largest n. Other measures take neither
/// setting, nor networks, nor a data task.
pub(super) fn student(
    s: &Settings<'_>,
    measure: Measure,
    task: &Task,
    surrogates: &[Surrogate],
    sizes: &[usize],
    trials: Option<Trials>,
    b: &Block,
) -> Result<Option<RandomFeatures>, Diagnostic> {
    // The setting's value (a setting's own span runs on to the next one).
    let at = |key: ExperimentSetting| {
        s.get(key).map_or(b.name.span, |x| x.values.first().map_or(x.span, super::Value::span))
    };
    if !measure.classifies() {
        return refuse_networks(s, measure, task, surrogates, b).map(|()| None);
    }
    let Some(rows) = &task.rows else {
        return Err(Diagnostic::error(
            at(ExperimentSetting::Task),
            format!(
                "`measure {}` classifies the rows of a dataset, and task `{}` has none",
                measure.keyword(),
                task.name
            ),
        )
        .with_hint("classify the rows of `digits()`, or of `data(...)` or `cifar10(...)` with `test`"));
    };
    if trials.is_none() {
        return Err(Diagnostic::error(b.name.span, "a classification measure has no theory: it needs `trials`"));
    }
    if let Some(s) = surrogates
        .iter()
        .find(|s| !matches!(s.kind, SurrogateKind::GroundTruth | SurrogateKind::Network(_) | SurrogateKind::Teacher(_)))
    {
        return Err(Diagnostic::error(
            at(ExperimentSetting::Surrogates),
            format!(
                "`{}` is not a network: a student learns from `ground_truth`, a `network` or its `teacher`",
                s.name
            ),
        ));
    }
    let width_setting = s.require(ExperimentSetting::Width)?;
    let hidden = RandomFeatures {
        width: width(single(width_setting)?)?,
        activation: activation(s.get(ExperimentSetting::Activation).map(single).transpose()?)?,
    };
    let most = |m: usize| m + rows.test + sizes.iter().max().copied().unwrap_or(0);
    let m = surrogates.iter().filter_map(|s| match &s.kind {
        SurrogateKind::Network(net) => Some(net.m),
        _ => None,
    });
    let needed = most(m.max().unwrap_or(0));
    let available = rows.data.features.nrows();
    if needed > available {
        return Err(Diagnostic::error(
            at(ExperimentSetting::N),
            format!(
                "a trial needs {needed} rows ({} held out, the largest teacher's m and the largest n), and {} has {available}",
                rows.test, rows.data.name
            ),
        )
        .with_hint("use a smaller n, m or `test`"));
    }
    Ok(Some(hidden))
}

/// Outside classification measures: no `width` or `activation`, no networks and no data task.
fn refuse_networks(
    s: &Settings<'_>,
    measure: Measure,
    task: &Task,
    surrogates: &[Surrogate],
    b: &Block,
) -> Result<(), Diagnostic> {
    let hint = "use `measure accuracy` or `measure zero_one_risk`";
    for key in [ExperimentSetting::Width, ExperimentSetting::Activation] {
        if let Some(setting) = s.get(key) {
            let message = format!("`{}` sets the student network of a classification measure", key.keyword());
            return Err(Diagnostic::error(setting.span, message).with_hint(hint));
        }
    }
    if let Some(net) = surrogates.iter().find(|s| matches!(s.kind, SurrogateKind::Network(_))) {
        let message =
            format!("network `{}` labels the rows of a dataset: `measure {}` has none", net.name, measure.keyword());
        return Err(Diagnostic::error(b.name.span, message).with_hint(hint));
    }
    if task.rows.is_some() {
        let message =
            format!("task `{}` has classes, not a linear signal: `measure {}` needs one", task.name, measure.keyword());
        return Err(Diagnostic::error(b.name.span, message).with_hint(hint));
    }
    Ok(())
}

/// The default labels of a classification experiment's series in its own words: strong labels are the strong
/// target trained on the true labels, and a `teacher` is the teacher network itself (labels the spec gives are
/// kept).
pub(super) fn classification_labels(surrogates: &mut [Surrogate]) {
    for s in surrogates {
        match &s.kind {
            SurrogateKind::GroundTruth if s.label == GROUND_TRUTH_LABEL => {
                "Strong target (true labels)".clone_into(&mut s.label);
            }
            SurrogateKind::Teacher(of) if s.label == teacher_label(of) => s.label = format!("teacher network {of}"),
            _ => {}
        }
    }
}
