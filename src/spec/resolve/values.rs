//! Values: the settings of a block, and the literals, names and calls of the language, each checked for its kind.

use crate::spec::signature::{Constructor, TrialsConstructor};

use super::{
    Args, Block, Diagnostic, Expr, ExprKind, HashMap, Ident, Keyword, MAX_COUNT, Named, Path, Setting, Trials, Value,
    count, count_in, did_you_mean, kind_name, number, signature,
};

/// The settings of a block, checked against the keys the block accepts.
pub(super) struct Settings<'a> {
    /// The block, for "missing setting" errors.
    block: &'a Block,
    /// The keys the block accepts, in canonical order.
    keys: &'static [&'static str],
    /// The settings by key.
    by_key: HashMap<&'a str, &'a Setting>,
}

impl<'a> Settings<'a> {
    /// Indexes `b`'s settings, refusing unknown and repeated keys.
    pub(super) fn new(b: &'a Block) -> Result<Self, Diagnostic> {
        let keys = signature::settings(&b.kind.name).expect("only known blocks are resolved");
        let mut by_key = HashMap::new();
        for s in &b.settings {
            if !keys.contains(&s.key.name.as_str()) {
                return Err(unknown(&s.key, &format!("{} setting", b.kind.name), keys));
            }
            if by_key.insert(s.key.name.as_str(), s).is_some() {
                return Err(Diagnostic::error(s.key.span, format!("`{}` is set twice", s.key.name)));
            }
        }
        Ok(Self { block: b, keys, by_key })
    }

    /// The settings given, in the canonical order of their keys rather than the spec's (which `kdrepro fmt`
    /// changes), so that the first one a check reports does not depend on it.
    pub(super) fn in_order(&self) -> impl Iterator<Item = &'a Setting> + '_ {
        self.keys.iter().filter_map(|k| self.by_key.get(k).copied())
    }

    /// The setting `key`, if present.
    pub(super) fn get(&self, key: impl Keyword) -> Option<&'a Setting> {
        self.by_key.get(key.keyword()).copied()
    }

    /// The setting `key`, which must be present.
    pub(super) fn require(&self, key: impl Keyword) -> Result<&'a Setting, Diagnostic> {
        self.get(key).ok_or_else(|| self.missing(key.keyword()))
    }

    /// "missing `key`", pointed at the block's name.
    pub(super) fn missing(&self, key: &str) -> Diagnostic {
        let b = self.block;
        Diagnostic::error(b.name.span, format!("{} `{}` is missing `{key}`", b.kind.name, b.name.name))
    }
}

/// "unknown X `word`", with a suggestion and the list of what is allowed.
pub(super) fn unknown(word: &Ident, what: &str, allowed: &[&str]) -> Diagnostic {
    let mut d = Diagnostic::error(word.span, format!("unknown {what} `{}`", word.name));
    if let Some(s) = did_you_mean(&word.name, allowed.iter().copied()) {
        d = d.with_hint(format!("did you mean `{s}`?"));
    }
    d.with_hint(format!("expected one of: {}", allowed.join(", ")))
}

/// "`x` is a signal, but a spectrum is needed here", labelling where `x` is declared.
pub(super) fn wrong_kind(name: &Ident, declared: Named<'_>, wanted: &str) -> Diagnostic {
    let (is, wanted) = (article(kind_of(declared)), article(wanted));
    Diagnostic::error(name.span, format!("`{}` is {is}, but {wanted} is needed here", name.name))
        .with_label(name_of(declared).span, format!("declared here as {is}"))
}

/// "a task", "an experiment": a kind with its indefinite article (every kind's article follows its first letter).
fn article(kind: &str) -> String {
    let an = kind.starts_with(['a', 'e', 'i', 'o', 'u']);
    format!("{} {kind}", if an { "an" } else { "a" })
}

/// The name a named thing was declared with.
pub(super) fn name_of(n: Named<'_>) -> &Ident {
    match n {
        Named::Declaration(d) => &d.name,
        Named::Block(b) => &b.name,
    }
}

/// "expected X, found Y".
pub(super) fn expected(e: &Expr, what: &str, found: &ExprKind) -> Diagnostic {
    Diagnostic::error(e.span, format!("expected {what}, found {}", kind_name(found)))
}

/// The keyword a named thing was declared with.
pub(super) fn kind_of(n: Named<'_>) -> &str {
    match n {
        Named::Declaration(d) => &d.kind.name,
        Named::Block(b) => &b.kind.name,
    }
}

/// The one value of a setting, as an expression.
pub(super) fn single(s: &Setting) -> Result<&Expr, Diagnostic> {
    value_expr(single_value(s)?)
}

/// The one value of a setting.
pub(super) fn single_value(s: &Setting) -> Result<&Value, Diagnostic> {
    match s.values.as_slice() {
        [v] => Ok(v),
        [_, extra, ..] => Err(Diagnostic::error(extra.span(), format!("`{}` takes one value", s.key.name))),
        [] => unreachable!("the grammar requires a value"),
    }
}

/// A value that must be an expression (not a comparison).
pub(super) fn value_expr(v: &Value) -> Result<&Expr, Diagnostic> {
    match v {
        Value::Expr(e) => Ok(e),
        Value::Comparison(c) => Err(Diagnostic::error(c.span, "a comparison is only allowed after `holds`")),
    }
}

/// A path expression.
pub(super) fn path<'e>(e: &'e Expr, what: &str) -> Result<&'e Path, Diagnostic> {
    match &e.kind {
        ExprKind::Path(p) => Ok(p),
        other => Err(expected(e, what, other)),
    }
}

/// A path of one plain segment.
pub(super) fn single_segment(p: &Path) -> Result<&Ident, Diagnostic> {
    match p.segments.as_slice() {
        [one] if one.name != "*" => Ok(one),
        _ => Err(Diagnostic::error(p.span, "expected a plain name here")),
    }
}

/// The variant of `T` that `e` names by its keyword ([`Keyword`]).
pub(super) fn keyword<T: Keyword>(e: &Expr, what: &str) -> Result<T, Diagnostic> {
    let words: Vec<&str> = T::ALL.iter().map(|v| v.keyword()).collect();
    let word = choice(e, what, &words)?;
    Ok(*T::ALL.iter().find(|v| v.keyword() == word).expect("choice returns one of the words"))
}

/// One of `allowed` bare words.
pub(super) fn choice<'w>(e: &Expr, what: &str, allowed: &[&'w str]) -> Result<&'w str, Diagnostic> {
    let word = single_segment(path(e, &format!("one of {}", allowed.join(", ")))?)?;
    allowed.iter().find(|a| **a == word.name).copied().ok_or_else(|| unknown(word, &format!("`{what}`"), allowed))
}

/// A call to one of the constructors `T`, with its arguments matched to the callee's parameters.
pub(super) fn construct<T: Constructor>(e: &Expr) -> Result<(T, Args<'_>), Diagnostic> {
    let callees = signature::words::<T>();
    match &e.kind {
        ExprKind::Call(callee, args) => {
            let kind = signature::find::<T>(&callee.name).ok_or_else(|| unknown(callee, "constructor", &callees))?;
            Ok((kind, Args::new(callee, e.span, args, kind.parameters())?))
        }
        other => Err(expected(e, &format!("a call to {}", callees.join(" or ")), other)),
    }
}

/// A string literal's value.
pub(super) fn string(e: &Expr) -> Result<String, Diagnostic> {
    match &e.kind {
        ExprKind::Str(s) => Ok(s.value.clone()),
        other => Err(expected(e, "a string", other)),
    }
}

/// `seed N`: a whole number that fits in 64 bits.
pub(super) fn seed(e: &Expr) -> Result<u64, Diagnostic> {
    let n = number(e, "seed")?;
    n.text.parse::<u64>().map_err(|_| {
        Diagnostic::error(n.span, format!("`seed` must be a whole number from 0 to {}, found {}", u64::MAX, n.text))
    })
}

/// `trials N`, `trials auto` or `trials auto(max: N)`.
pub(super) fn trials(e: &Expr) -> Result<Trials, Diagnostic> {
    match &e.kind {
        ExprKind::Number(n) => count(n, "trials", 1).map(Trials::Fixed),
        ExprKind::Path(_) => {
            let auto = signature::words::<TrialsConstructor>();
            choice(e, "trials", &auto).map(|_| Trials::Auto { max: Trials::DEFAULT_MAX })
        }
        _ => {
            let (TrialsConstructor::Auto, a) = construct(e)?;
            let max = match a.get("max") {
                None => Trials::DEFAULT_MAX,
                Some(m) => count_in(number(m, "max")?, "max", Trials::FIRST_LOOK as u64, MAX_COUNT)?,
            };
            Ok(Trials::Auto { max })
        }
    }
}
