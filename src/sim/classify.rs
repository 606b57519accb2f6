//! Classification by random-feature networks on the rows of a dataset (issue 18 items 2 and 3): test accuracy of
//! a linear head a on features φ(Wx), trained by the estimator Est (min-norm, least squares or ridge,
//! [`Fitter`]) on one-hot targets, one column per class; a prediction is the argmax of the outputs.
//!
//! One trial draws a random order of the rows from its stream: the first `test` rows are held out, each teacher
//! trains on the next m of them (the same rows for every teacher), and the student's n rows follow the largest m,
//! so that no teacher has seen the rows it labels. Every first layer W (width × k, i.i.d. N(0, 1/k) entries on
//! the k inputs the network sees) has its own stream: the student's is shared by every series of the trial, so
//! comparisons between series are paired.

use std::ops::Range;

use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, MatRef, Par};
use rayon::prelude::*;

use super::SimError;
use super::estimator::{Fitter, Method};
use super::runner::Progress;
use super::stream::{Draw, Source, StreamKey, TrialKey};
use crate::spec::{Dataset, Network, Output, RandomFeatures};

/// What a series measures in one trial.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Learner {
    /// The student trained on the true labels of its n rows: the strong target.
    Truth,
    /// The student trained on the labels teacher `j` gives its n rows.
    Student(usize),
    /// Teacher `j` itself.
    Teacher(usize),
}

/// The trials of one point: a student of `n` rows and its teachers on `data`.
pub(crate) struct ClassifyJob<'a> {
    /// The rows, features standardised.
    pub(crate) data: &'a Dataset,
    /// Rows held out for testing in every trial.
    pub(crate) test: usize,
    /// The student's training rows.
    pub(crate) n: usize,
    /// The student's first layer.
    pub(crate) student: RandomFeatures,
    /// The ridge penalty λ of the student's second layer.
    pub(crate) ridge: f64,
    /// The teacher networks, with their names.
    pub(crate) teachers: Vec<(&'a str, &'a Network)>,
    /// What each series measures.
    pub(crate) series: Vec<Learner>,
    /// Record the 0-1 risk 1 − accuracy instead of the accuracy.
    pub(crate) zero_one_risk: bool,
}

/// Per series, the value of every trial of `trials`, and how many trials needed the QR fallback.
pub(crate) struct ClassifySamples {
    /// `values[j][t]`: series j, trial `trials.start + t`.
    pub(crate) values: Vec<Vec<f64>>,
    /// Trials with a fit solved by column-pivoted QR.
    pub(crate) fallbacks: usize,
}

/// Runs `trials` of `job` from the streams of `key`, concurrently; bit-identical for any thread count (each trial
/// runs with `Par::Seq` from its own streams, and trials are collected in order).
///
/// Errors: [`SimError::Inaccurate`] for the first trial (by index) whose fit misses the estimator's tolerance.
pub(crate) fn simulate_classifier(
    job: &ClassifyJob<'_>,
    trials: Range<usize>,
    key: &StreamKey,
    progress: Option<Progress<'_>>,
) -> Result<ClassifySamples, SimError> {
    let rows: Vec<(Vec<f64>, bool)> = trials
        .clone()
        .into_par_iter()
        .map(|t| {
            let row = trial(job, &key.trial(t), t);
            progress.inspect(|report| report(1));
            row
        })
        .collect::<Vec<Result<_, _>>>()
        .into_iter()
        .collect::<Result<_, _>>()?;
    let values = (0..job.series.len()).map(|j| rows.iter().map(|(row, _)| row[j]).collect()).collect();
    Ok(ClassifySamples { values, fallbacks: rows.iter().filter(|(_, qr)| *qr).count() })
}

/// Trial `t` (its streams `key`): each series' accuracy (or 0-1 risk), and whether a fit fell back to QR.
fn trial(job: &ClassifyJob<'_>, key: &TrialKey, t: usize) -> Result<(Vec<f64>, bool), SimError> {
    // The error of a last layer (on features Φ) that could not be fitted.
    let failed = |network: String, Phi: &Mat<f64>| {
        let (rows, width) = Phi.shape();
        move |e: super::estimator::Inaccurate| SimError::NetworkHead {
            trial: t,
            network,
            width,
            rows,
            residual: e.residual,
        }
    };
    let d = job.data.features.ncols();
    let classes = job.data.classes();
    let order = key.stream(Source::Target, Draw::Noise).permutation(job.data.features.nrows());
    let (test, rest) = order.split_at(job.test);
    let used = job.teachers.iter().map(|(_, t)| t.m).max().unwrap_or(0);
    let students = &rest[used..used + job.n];
    let mut fallback = false;
    // Teacher j: its fit on its m rows, its outputs on the student's rows and on the test rows.
    let mut labels = Vec::with_capacity(job.teachers.len());
    let mut teacher_test = Vec::with_capacity(job.teachers.len());
    for (j, &(name, teacher)) in job.teachers.iter().enumerate() {
        let inputs = teacher.inputs.as_ref().map_or_else(|| (0..d).collect(), |i| i.columns(d));
        let W = first_layer(key, Source::Erm(j), teacher.hidden.width, inputs.len());
        let net = Net { data: job.data, inputs: &inputs, W: W.as_ref(), hidden: teacher.hidden };
        let Phi = net.features(&rest[..teacher.m]);
        let (a, method) = fit_head(&Phi, one_hot(job.data, &rest[..teacher.m]), teacher.ridge)
            .map_err(failed(format!("teacher network `{name}`"), &Phi))?;
        fallback |= method == Method::Qr;
        let outputs = product(&net.features(students), &a);
        labels.push(match teacher.output {
            Output::Hard => Mat::from_fn(job.n, classes, |i, c| f64::from(argmax(outputs.row(i).iter()) == c)),
            Output::Soft => outputs,
        });
        teacher_test.push(accuracy(job.data, test, product(&net.features(test), &a).as_ref()));
    }
    // The student: every series' labels as column blocks of one right-hand side, fitted with one factorisation.
    let all: Vec<usize> = (0..d).collect();
    let W = first_layer(key, Source::Target, job.student.width, all.len());
    let student = Net { data: job.data, inputs: &all, W: W.as_ref(), hidden: job.student };
    let fitted: Vec<&Learner> = job.series.iter().filter(|s| !matches!(s, Learner::Teacher(_))).collect();
    let truth = one_hot(job.data, students);
    let Y = Mat::from_fn(job.n, classes * fitted.len(), |i, col| match fitted[col / classes] {
        Learner::Student(j) => labels[*j][(i, col % classes)],
        _ => truth[(i, col % classes)],
    });
    let Phi = student.features(students);
    let (a, method) = fit_head(&Phi, Y, job.ridge).map_err(failed("the student".to_owned(), &Phi))?;
    fallback |= method == Method::Qr;
    let outputs = product(&student.features(test), &a);
    let mut block = 0..;
    let values = job.series.iter().map(|s| {
        let value = if let Learner::Teacher(j) = s {
            teacher_test[*j]
        } else {
            let b = block.next().expect("an unbounded range");
            accuracy(job.data, test, outputs.as_ref().subcols(b * classes, classes))
        };
        if job.zero_one_risk { 1.0 - value } else { value }
    });
    Ok((values.collect(), fallback))
}

/// A random-feature network's first layer on a dataset.
struct Net<'a> {
    data: &'a Dataset,
    /// The k input features it sees (0-based).
    inputs: &'a [usize],
    /// W (width × k): the k inputs feed the hidden units.
    W: MatRef<'a, f64>,
    hidden: RandomFeatures,
}

impl Net<'_> {
    /// Φ = φ(X_rows W ᵀ) (rows.len() × width), X_rows the listed rows of the k inputs.
    fn features(&self, rows: &[usize]) -> Mat<f64> {
        let X = Mat::from_fn(rows.len(), self.inputs.len(), |i, j| self.data.features[(rows[i], self.inputs[j])]);
        let mut Phi = Mat::zeros(rows.len(), self.W.nrows());
        matmul(Phi.as_mut(), Accum::Replace, X.as_ref(), self.W.transpose(), 1.0, Par::Seq);
        Phi.as_mut().col_iter_mut().for_each(|c| c.iter_mut().for_each(|x| *x = self.hidden.activation.apply(*x)));
        Phi
    }
}

/// W (width × k) with i.i.d. N(0, 1/k) entries from the first design block of `source`.
fn first_layer(key: &TrialKey, source: Source, width: usize, k: usize) -> Mat<f64> {
    let mut entries = vec![0.0; width * k];
    key.stream(source, Draw::DesignBlock(0)).fill_scaled_normals(&mut entries, (k as f64).recip().sqrt());
    Mat::from_fn(width, k, |i, j| entries[i * k + j])
}

/// The second layer a = Est(Φ, Y) (width × columns): min-norm, least squares or ridge with penalty λ.
fn fit_head(Phi: &Mat<f64>, mut Y: Mat<f64>, ridge: f64) -> Result<(Mat<f64>, Method), super::estimator::Inaccurate> {
    let (rows, width) = Phi.shape();
    let mut a = Mat::zeros(width, Y.ncols());
    let method =
        Fitter::with_ridge(rows, width, Y.ncols(), ridge).fit(Phi.as_ref(), None, Y.as_mut(), a.as_mut(), false)?;
    Ok((a, method))
}

/// A B, sequentially (the same bits on any thread).
fn product(A: &Mat<f64>, B: &Mat<f64>) -> Mat<f64> {
    let mut C = Mat::zeros(A.nrows(), B.ncols());
    matmul(C.as_mut(), Accum::Replace, A.as_ref(), B.as_ref(), 1.0, Par::Seq);
    C
}

/// The one-hot targets of `rows` (rows.len() × classes).
fn one_hot(data: &Dataset, rows: &[usize]) -> Mat<f64> {
    Mat::from_fn(rows.len(), data.classes(), |i, c| f64::from(data.class(rows[i]) == c))
}

/// The index of the largest value (the first of equal ones).
fn argmax<'a>(values: impl Iterator<Item = &'a f64>) -> usize {
    let mut best = (0, f64::NEG_INFINITY);
    for (i, &v) in values.enumerate() {
        if v > best.1 {
            best = (i, v);
        }
    }
    best.0
}

/// The fraction of `rows` whose argmax output (a row of `outputs`, one column per class) is their class.
fn accuracy(data: &Dataset, rows: &[usize], outputs: MatRef<'_, f64>) -> f64 {
    let correct = rows.iter().enumerate().filter(|&(i, &r)| argmax(outputs.row(i).iter()) == data.class(r)).count();
    correct as f64 / rows.len() as f64
}

#[cfg(test)]
mod tests;
