//! Stage 1, text → [`Ast`]: the grammar (`kd.pest`), the syntax tree and the parser.

mod ast;
mod parse;

pub use ast::Ast;
pub(crate) use ast::{Argument, Block, Declaration, Expr, ExprKind, Ident, Item, Number, Path, Setting, Value};
pub use parse::parse;
