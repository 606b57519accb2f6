//! Name resolution and validation: [`Ast`] → [`Spec`]. This file holds the name table and the walk over the
//! items; each kind of item is resolved in its own file.

mod claim;
mod classify;
mod data;
mod declarations;
mod experiment;
#[cfg(test)]
mod tests;
mod values;

pub(super) use experiment::size_span;
use experiment::{section, sizes};
use values::{
    Settings, choice, construct, expected, keyword, kind_of, path, seed, single, single_segment, string, trials,
    unknown, value_expr, wrong_kind,
};

use std::collections::{BTreeMap, HashMap};

use crate::diagnostics::{Diagnostic, Span, did_you_mean};
use crate::spec::args::{Args, Bound, MAX_COUNT, count, count_in, kind_name, number, real};
use crate::spec::files::{self, Column};
use crate::spec::signature::{self, BlockKind, DeclarationKind, Keyword, TopSetting};
use crate::spec::{
    Axes, Band, Claim, DataFile, Designs, Erm, Expectation, Experiment, Figure, Measure, Part, Penalty, PointFilter,
    Ridge, Rule, RuleKind, SampleSize, Section, Spec, Spectrum, Surrogate, SurrogateKind, Task, Text, Tolerance,
    Trials, Weight,
};
use crate::syntax::{Argument, Ast, Block, Declaration, Expr, ExprKind, Ident, Item, Path, Setting, Value};
use crate::theory::{RiskMoments, Stage};

/// The most sample sizes one sweep may have.
const MAX_POINTS: usize = 10_000;

/// The most features a spectrum may have: its eigenvalues, signal and working copies must fit in memory.
const MAX_FEATURES: usize = 20_000_000;

/// Resolves every name and checks every value of a parsed spec; `file("...")` paths are relative to `dir`, the
/// directory of the spec file.
///
/// # Errors
/// All located errors found; nothing is returned unless the whole spec is valid.
pub fn resolve(ast: &Ast, source: &str, dir: &std::path::Path) -> Result<Spec, Vec<Diagnostic>> {
    if ast.items.is_empty() {
        let d = Diagnostic::error(Span::new(0, 0), "this spec is empty")
            .with_hint("a spec declares at least a title, e.g. `title \"My reproduction\"`");
        return Err(vec![d]);
    }
    let mut resolver = Resolver::new(ast, source, dir);
    let spec = resolver.spec(ast);
    let mut errors = resolver.errors;
    errors.extend(super::texts::check(ast, source));
    if errors.is_empty() { Ok(spec) } else { Err(errors) }
}

/// A signal: β⋆, its energy exponent β when it is a power law, and the declarations it uses.
type ResolvedSignal<'a> = (Vec<f64>, Option<f64>, Vec<&'a Declaration>);

/// One comparison of a claim: (lower series, higher series, strict).
type Ordering = (usize, usize, bool);

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
    /// The spec file's directory, which `file("...")` paths are relative to.
    dir: &'a std::path::Path,
    /// Every declared name.
    names: HashMap<&'a str, Named<'a>>,
    /// Experiment names → index in [`Spec::experiments`], filled in file order.
    experiments: HashMap<&'a str, usize>,
    /// Errors so far.
    errors: Vec<Diagnostic>,
    /// Spectra already computed, by the address of their declaration: a power law of 10⁷ eigenvalues is computed
    /// once, however many signals, tasks and experiments name it.
    spectra: std::cell::RefCell<HashMap<*const Declaration, Spectrum>>,
    /// Declarations some item has resolved already (validating them again would only repeat the work).
    resolved: std::cell::RefCell<std::collections::HashSet<*const Declaration>>,
    /// The ERM surrogates whose `labels` are being resolved, outermost first: a chain that comes back to one of
    /// them is circular.
    chain: std::cell::RefCell<Vec<*const Declaration>>,
    /// Vectors read by `file(...)` calls, by the address of the call: each file is read once.
    vectors: std::cell::RefCell<HashMap<*const Expr, Vec<f64>>>,
    /// The files read, by the path the spec gives, with their blake3 hashes.
    inputs: std::cell::RefCell<BTreeMap<String, String>>,
    /// Data tasks already read and decomposed, by the address of their declaration.
    data_tasks: std::cell::RefCell<HashMap<*const Declaration, Task>>,
}

impl<'a> Resolver<'a> {
    /// Indexes every name, reporting duplicates and unknown item keywords.
    fn new(ast: &'a Ast, source: &'a str, dir: &'a std::path::Path) -> Self {
        let mut resolver = Self {
            source,
            dir,
            names: HashMap::new(),
            experiments: HashMap::new(),
            errors: Vec::new(),
            spectra: std::cell::RefCell::default(),
            resolved: std::cell::RefCell::default(),
            chain: std::cell::RefCell::default(),
            vectors: std::cell::RefCell::default(),
            inputs: std::cell::RefCell::default(),
            data_tasks: std::cell::RefCell::default(),
        };
        for item in &ast.items {
            let (name, named) = match item {
                Item::Declaration(d) => {
                    resolver.check_keyword(&d.kind, &signature::words::<DeclarationKind>(), "declaration");
                    (&d.name, Named::Declaration(d))
                }
                Item::Block(b) => {
                    resolver.check_keyword(&b.kind, &signature::words::<BlockKind>(), "block");
                    (&b.name, Named::Block(b))
                }
                Item::Setting(s) => {
                    resolver.check_keyword(&s.key, &signature::words::<TopSetting>(), "setting");
                    continue;
                }
            };
            // The first declaration stays in force, so that later errors refer to it.
            if let Some(first) = resolver.names.get(name.name.as_str()) {
                let first = values::name_of(*first).span;
                let d = Diagnostic::error(name.span, format!("`{}` is declared twice", name.name));
                resolver.errors.push(d.with_label(first, "first declared here"));
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

    /// Records the error of a failed step, unless it only follows from an error already reported.
    fn keep<T>(&mut self, result: Result<T, Diagnostic>) -> Option<T> {
        result
            .map_err(|d| {
                if !d.message.is_empty() {
                    self.errors.push(d);
                }
            })
            .ok()
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
            inputs: Vec::new(),
            printed: super::printed::printed_spans(ast),
        };
        for item in &ast.items {
            match item {
                Item::Setting(s) => self.top_setting(&mut spec, s),
                Item::Block(b) => self.block(&mut spec, b),
                Item::Declaration(_) => {}
            }
        }
        // A declaration nothing uses is still checked: `powerlaw(p: -5)` is an error wherever it stands.
        for item in &ast.items {
            if let Item::Declaration(d) = item
                && let Err(error) = self.validate(d)
                && !self.errors.iter().any(|e| e.span == error.span && e.message == error.message)
            {
                self.keep(Err::<(), _>(error));
            }
        }
        let inputs = self.inputs.take().into_iter();
        spec.inputs = inputs.map(|(path, blake3)| DataFile { path, blake3 }).collect();
        spec
    }

    /// Resolves declaration `d` on its own, as a use of its name would, unless a use already did (a duplicate
    /// name is reported already).
    fn validate(&self, d: &'a Declaration) -> Result<(), Diagnostic> {
        let first = matches!(self.names.get(d.name.name.as_str()), Some(Named::Declaration(x)) if std::ptr::eq(*x, d));
        if !first || self.resolved.borrow().contains(&std::ptr::from_ref(d)) {
            return Ok(());
        }
        let span = d.name.span;
        let name = Expr { kind: ExprKind::Path(Path { segments: vec![d.name.clone()], span }), span };
        // An unknown keyword was reported when the names were indexed.
        match signature::find(&d.kind.name) {
            Some(DeclarationKind::Spectrum) => self.spectrum(&name).map(|_| ()),
            Some(DeclarationKind::Signal) => self.signal(&name).map(|_| ()),
            Some(DeclarationKind::Task) => self.task(&name).map(|_| ()),
            Some(DeclarationKind::Surrogate) => self.surrogate(&name).map(|_| ()),
            None => Ok(()),
        }
    }

    /// `title`, `source`, `seed`, `text`.
    fn top_setting(&mut self, spec: &mut Spec, s: &'a Setting) {
        let result = (|| {
            // An unknown setting was reported when the names were indexed.
            match signature::find(&s.key.name) {
                Some(TopSetting::Title) => spec.title = string(single(s)?)?,
                Some(TopSetting::Source) => spec.source = Some(string(single(s)?)?),
                Some(TopSetting::Seed) => spec.seed = seed(single(s)?)?,
                Some(TopSetting::Text) => {
                    let e = single(s)?;
                    let template = string(e)?;
                    spec.document.push(Part::Text(Text { template, span: e.span }));
                }
                None => {}
            }
            Ok(())
        })();
        self.keep(result);
    }

    /// A block, resolved according to its keyword.
    fn block(&mut self, spec: &mut Spec, b: &'a Block) {
        // An unknown keyword was reported when the names were indexed.
        let part = match signature::find(&b.kind.name) {
            Some(BlockKind::Section) => self.keep(section(b)).map(Part::Section),
            Some(BlockKind::Experiment) => self.keep(self.experiment(b)).map(|e| {
                self.experiments.insert(&b.name.name, spec.experiments.len());
                spec.experiments.push(e);
                Part::Experiment(spec.experiments.len() - 1)
            }),
            Some(BlockKind::Figure) => self.keep(self.figure(b, spec)).map(|f| {
                spec.figures.push(f);
                Part::Figure(spec.figures.len() - 1)
            }),
            Some(BlockKind::Claim) => self.keep(self.claim(b, spec)).map(|c| {
                spec.claims.push(c);
                Part::Claim(spec.claims.len() - 1)
            }),
            None => None,
        };
        spec.document.extend(part);
    }

    /// The declaration `path` names, which must be of `kind`.
    fn declaration(&self, path: &Path, kind: DeclarationKind) -> Result<&'a Declaration, Diagnostic> {
        let name = single_segment(path)?;
        let kind = kind.keyword();
        match self.names.get(name.name.as_str()) {
            Some(Named::Declaration(d)) if d.kind.name == kind => {
                self.resolved.borrow_mut().insert(std::ptr::from_ref(*d));
                Ok(d)
            }
            Some(n) => Err(wrong_kind(name, *n, kind)),
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
}
