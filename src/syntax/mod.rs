//! Stage 1, text → [`Ast`]: the grammar (`kd.pest`), the syntax tree and the parser; and back, the canonical
//! layout of a spec (`kdrepro fmt`) with the diff that `--check` prints.

mod ast;
mod diff;
mod format;
mod math;
mod parse;

pub use ast::Ast;
pub(crate) use ast::{Argument, Block, Declaration, Expr, ExprKind, Ident, Item, Number, Path, Setting, Value};
pub use diff::unified_diff;
#[cfg(test)]
pub(crate) use format::testing;
pub use format::{Order, format};
pub(crate) use math::{MathError, Piece, blank_expressions, pieces};
pub use parse::parse;
