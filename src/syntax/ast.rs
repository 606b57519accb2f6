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

/// Trees compared by meaning: two texts mean the same when their trees agree, spans aside and with the order
/// the language ignores taken out.
#[cfg(test)]
mod meaning {
    use super::{Ast, Block, Expr, ExprKind, Ident, Item, Number, Path, Setting, Span, Str, Value};

    impl Ast {
        /// A copy with every span zeroed, each block's settings sorted by key, and each call's named arguments
        /// after its last positional one sorted by name. The sorts are by name, not by the formatter's canonical
        /// order, so that a wrong canonical order cannot hide a change of meaning; they are stable, so repeated
        /// keys and names keep their order.
        pub(crate) fn meaning(&self) -> Ast {
            let mut ast = self.clone();
            ast.items.iter_mut().for_each(item);
            ast
        }
    }

    /// Zeroes the spans of an item.
    fn item(item: &mut Item) {
        match item {
            Item::Declaration(d) => {
                d.span = Span::default();
                ident(&mut d.kind);
                ident(&mut d.name);
                expr(&mut d.value);
            }
            Item::Block(b) => block(b),
            Item::Setting(s) => setting(s),
        }
    }

    /// Zeroes the spans of a block and sorts its settings.
    fn block(b: &mut Block) {
        b.span = Span::default();
        ident(&mut b.kind);
        ident(&mut b.name);
        b.label.iter_mut().for_each(string);
        b.settings.iter_mut().for_each(setting);
        b.settings.sort_by(|x, y| x.key.name.cmp(&y.key.name));
    }

    /// Zeroes the spans of a setting.
    fn setting(s: &mut Setting) {
        s.span = Span::default();
        ident(&mut s.key);
        for v in &mut s.values {
            match v {
                Value::Expr(e) => expr(e),
                Value::Comparison(c) => {
                    c.span = Span::default();
                    path(&mut c.left);
                    path(&mut c.right);
                }
            }
        }
    }

    /// Zeroes the spans of an expression and sorts the trailing named arguments of its calls.
    fn expr(e: &mut Expr) {
        e.span = Span::default();
        match &mut e.kind {
            ExprKind::Call(callee, args) => {
                ident(callee);
                for a in args.iter_mut() {
                    a.name.iter_mut().for_each(ident);
                    expr(&mut a.value);
                }
                let named = args.iter().rposition(|a| a.name.is_none()).map_or(0, |last| last + 1);
                args[named..].sort_by(|x, y| x.name.as_ref().map(|n| &n.name).cmp(&y.name.as_ref().map(|n| &n.name)));
            }
            ExprKind::Range(start, end, step) => {
                number(start);
                number(end);
                step.iter_mut().for_each(number);
            }
            ExprKind::List(items) => items.iter_mut().for_each(expr),
            ExprKind::Number(n) => number(n),
            ExprKind::Str(s) => string(s),
            ExprKind::Path(p) => path(p),
        }
    }

    /// Zeroes the spans of a path.
    fn path(p: &mut Path) {
        p.span = Span::default();
        p.segments.iter_mut().for_each(ident);
    }

    /// Zeroes the span of an identifier.
    fn ident(i: &mut Ident) {
        i.span = Span::default();
    }

    /// Zeroes the span of a string.
    fn string(s: &mut Str) {
        s.span = Span::default();
    }

    /// Zeroes the span of a number.
    fn number(n: &mut Number) {
        n.span = Span::default();
    }
}
