//! The syntax tree of a `.kd` file: owned, spanned, and free of pest types.

use crate::diagnostics::Span;

/// A parsed file: its items in reading order.
#[derive(Clone, Debug, PartialEq)]
pub struct Ast {
    /// Top-level items, in the order they appear.
    pub(crate) items: Vec<Item>,
}

/// A name as written, with its place.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Ident {
    /// The identifier text.
    pub(crate) name: String,
    /// Where it stands.
    pub(crate) span: Span,
}

/// One top-level item.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Item {
    /// `kind name = expr`
    Declaration(Declaration),
    /// `kind name "label"? { settings }`
    Block(Block),
    /// `key value, value`
    Setting(Setting),
}

/// `spectrum fig1_cov = powerlaw(p: 500, alpha: 2.0)`
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Declaration {
    /// The keyword: `spectrum`, `signal`, `task`, `surrogate`.
    pub(crate) kind: Ident,
    /// The declared name.
    pub(crate) name: Ident,
    /// The definition.
    pub(crate) value: Expr,
    /// The whole item.
    pub(crate) span: Span,
}

/// `experiment fig1b { ... }`
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Block {
    /// The keyword: `experiment`, `figure`, `claim`, `section`.
    pub(crate) kind: Ident,
    /// The block's name.
    pub(crate) name: Ident,
    /// An optional display label after the name.
    pub(crate) label: Option<Str>,
    /// The settings inside the braces.
    pub(crate) settings: Vec<Setting>,
    /// The whole item.
    pub(crate) span: Span,
}

/// `n 50..450 step 25`: a key and one or more comma-separated values.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Setting {
    /// The key.
    pub(crate) key: Ident,
    /// The values, at least one.
    pub(crate) values: Vec<Value>,
    /// The whole setting.
    pub(crate) span: Span,
}

/// A value of a setting.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Value {
    /// An expression.
    Expr(Expr),
    /// `left < right`
    Comparison(Comparison),
}

impl Value {
    /// Where the value stands.
    pub(crate) fn span(&self) -> Span {
        match self {
            Value::Expr(e) => e.span,
            Value::Comparison(c) => c.span,
        }
    }
}

/// `fig1b.optimal < fig1b.truth`
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Comparison {
    /// Left side.
    pub(crate) left: Path,
    /// The operator text: `<`, `<=`, `>`, `>=`.
    pub(crate) op: String,
    /// Right side.
    pub(crate) right: Path,
    /// The whole comparison.
    pub(crate) span: Span,
}

/// A string literal, unescaped.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Str {
    /// The string's value.
    pub(crate) value: String,
    /// Where it stands, quotes included.
    pub(crate) span: Span,
}

/// A dotted name: `fig1b.optimal`, `fig1b.*`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Path {
    /// The segments; `*` is kept as the segment name `*`.
    pub(crate) segments: Vec<Ident>,
    /// The whole path.
    pub(crate) span: Span,
}

/// An expression with its place.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Expr {
    /// What it is.
    pub(crate) kind: ExprKind,
    /// Where it stands.
    pub(crate) span: Span,
}

/// The kinds of expression.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum ExprKind {
    /// `name(args)`
    Call(Ident, Vec<Argument>),
    /// `start..end step s`, both ends included.
    Range(Number, Number, Option<Number>),
    /// `[a, b, c]`
    List(Vec<Expr>),
    /// A number literal.
    Number(Number),
    /// A string literal.
    Str(Str),
    /// A dotted name.
    Path(Path),
}

/// A positional or named argument of a call.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Argument {
    /// `Some` for `name: value`.
    pub(crate) name: Option<Ident>,
    /// The value.
    pub(crate) value: Expr,
}

/// A number literal, with its text (to tell integers from reals and to keep the writer's form).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Number {
    /// The literal as written.
    pub(crate) text: String,
    /// Its value (infinite when the literal overflows).
    pub(crate) value: f64,
    /// Where it stands.
    pub(crate) span: Span,
}
