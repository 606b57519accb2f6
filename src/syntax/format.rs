//! The canonical layout of a `.kd` file (`kdrepro fmt`).
//!
//! The formatter changes whitespace and the order of what the language leaves unordered: it writes the tokens
//! of the parsed file in their order, after moving named arguments and settings into the canonical order of
//! the [`Order`] it is given (`format/order.rs`). The formatted text therefore parses to the same [`Ast`], spans
//! and that order aside. The rules:
//!
//! - One item per line; a block's settings one per line, indented two spaces, `{` at the end of the
//!   header line and `}` alone on the last line (`{}` for an empty block).
//! - Between items (and between a block's settings, and around comment lines) one blank line where the
//!   author left at least one, none otherwise; none at the start and end of the file or of a block.
//! - Alignment within a *run*, a sequence of declarations, or of settings, not interrupted by a blank line
//!   or another kind of item (comment lines do not interrupt it): declarations align their names and `=`,
//!   settings align their values.
//! - One space after `,` and `:` and around `=` and comparisons; none inside brackets, around `..`, or
//!   before `(`; the trailing comma of a call or list is dropped.
//! - Numbers, names and one-line strings are printed as written. A triple-quoted string is printed with
//!   its (dedented) content lines between `"""` lines: flush left at the top level, four spaces deep in
//!   a block.
//! - A call's named arguments after its last positional one follow the order of the constructor's parameters;
//!   a block's settings follow the order of its kind's settings. Positional arguments, values, top-level items
//!   and unknown constructors and blocks keep the order they were written in.
//! - Every comment is kept, trimmed of trailing spaces. A comment that follows code on its line stays at
//!   the end of that line; a comment on a line of its own keeps a line of its own. A comment inside an
//!   item breaks the item's line after it and continues four spaces deeper than the item; a comment
//!   after the item's last name or value (before a closing bracket) moves to the end of the item.

mod order;
#[cfg(test)]
pub(crate) mod testing;

pub use order::Order;

use super::ast::{Ast, Block, Declaration, Expr, ExprKind, Item, Path, Setting, Str, Value};
use crate::diagnostics::{Diagnostic, Span};

/// Parses `source` and returns it in canonical order and layout, the order being `order`'s.
///
/// # Errors
/// The syntax error, if the text does not parse.
pub fn format(source: &str, order: &dyn Order) -> Result<String, Vec<Diagnostic>> {
    let ast = super::parse(source)?;
    let (source, ast) = order::reorder(source, ast, order);
    Ok(layout(&source, &ast))
}

/// Lays out the parsed `ast` of `source` canonically.
fn layout(source: &str, ast: &Ast) -> String {
    let mut writer = Writer { source, comments: comments(source, ast), next: 0, out: String::new(), closed: false };
    writer.body(&ast.items, 0, source.len());
    let mut out = writer.out;
    out.truncate(out.trim_end().len());
    if !out.is_empty() {
        out.push('\n');
    }
    out
}

/// A `//` comment of the source.
#[derive(Clone, Copy, Debug)]
struct Comment {
    /// Its first byte (the first `/`).
    start: usize,
    /// The end of its line.
    end: usize,
    /// Whether code precedes it on its line.
    trailing: bool,
}

/// Every comment of a parsed `source`, in order.
///
/// Comments can only stand between tokens. Between two leaves of the tree (names, numbers, strings,
/// paths) there is nothing but whitespace, punctuation and comments, so every `//` found there starts one.
fn comments(source: &str, ast: &Ast) -> Vec<Comment> {
    let mut leaves = Vec::new();
    for item in &ast.items {
        item_leaves(item, &mut leaves);
    }
    leaves.push(Span::new(source.len(), source.len()));
    let mut found = Vec::new();
    let mut from = 0;
    for leaf in leaves {
        let to = leaf.start as usize;
        while let Some(k) = source[from..to].find("//") {
            let start = from + k;
            let end = source[start..].find('\n').map_or(source.len(), |e| start + e);
            let line_start = source[..start].rfind('\n').map_or(0, |i| i + 1);
            found.push(Comment { start, end, trailing: !source[line_start..start].trim().is_empty() });
            from = end.min(to);
        }
        from = leaf.end as usize;
    }
    found
}

/// The spans of an item's leaves, in source order.
fn item_leaves(item: &Item, leaves: &mut Vec<Span>) {
    match item {
        Item::Declaration(d) => {
            leaves.extend([d.kind.span, d.name.span]);
            expr_leaves(&d.value, leaves);
        }
        Item::Block(b) => {
            leaves.extend([b.kind.span, b.name.span]);
            leaves.extend(b.label.as_ref().map(|l| l.span));
            b.settings.iter().for_each(|s| setting_leaves(s, leaves));
        }
        Item::Setting(s) => setting_leaves(s, leaves),
    }
}

/// The spans of a setting's leaves.
fn setting_leaves(setting: &Setting, leaves: &mut Vec<Span>) {
    leaves.push(setting.key.span);
    for value in &setting.values {
        match value {
            Value::Expr(e) => expr_leaves(e, leaves),
            Value::Comparison(c) => leaves.extend([c.left.span, c.right.span]),
        }
    }
}

/// The spans of an expression's leaves.
fn expr_leaves(expr: &Expr, leaves: &mut Vec<Span>) {
    match &expr.kind {
        ExprKind::Call(callee, args) => {
            leaves.push(callee.span);
            for a in args {
                leaves.extend(a.name.as_ref().map(|n| n.span));
                expr_leaves(&a.value, leaves);
            }
        }
        ExprKind::Range(start, end, step) => {
            leaves.extend([start.span, end.span]);
            leaves.extend(step.as_ref().map(|s| s.span));
        }
        ExprKind::List(items) => items.iter().for_each(|e| expr_leaves(e, leaves)),
        ExprKind::Number(_) | ExprKind::Str(_) | ExprKind::Path(_) => leaves.push(expr.span),
    }
}

/// Where an expression's last token ends: a range's span runs on over the whitespace after it.
fn expr_end(e: &Expr) -> usize {
    match &e.kind {
        ExprKind::Range(_, end, step) => step.as_ref().unwrap_or(end).span.end as usize,
        _ => e.span.end as usize,
    }
}

/// Whether the source between `from` and `to` (whitespace and comments only) contains a blank line.
fn blank_line_between(source: &str, from: usize, to: usize) -> bool {
    let pieces: Vec<&str> = source[from..to].split('\n').collect();
    pieces.len() > 2 && pieces[1..pieces.len() - 1].iter().any(|line| line.trim().is_empty())
}

/// What an entry of a body is, for alignment.
#[derive(Clone, Copy, PartialEq)]
enum Shape {
    /// A declaration, with the widths of its keyword and name.
    Declaration(usize, usize),
    /// A setting, with the width of its key.
    Setting(usize),
    /// A block: never aligned.
    Block,
}

impl Shape {
    /// The two column widths of the shape.
    fn widths(self) -> (usize, usize) {
        match self {
            Shape::Declaration(kind, name) => (kind, name),
            Shape::Setting(key) => (key, 0),
            Shape::Block => (0, 0),
        }
    }

    /// Whether two shapes align with each other.
    fn aligns_with(self, other: Shape) -> bool {
        std::mem::discriminant(&self) == std::mem::discriminant(&other) && self != Shape::Block
    }
}

/// A line-level entry: a top-level item or a block's setting.
trait Entry {
    /// Where the entry starts in the source.
    fn start(&self) -> usize;
    /// Where its last token ends (a parsed span may run on over the whitespace after it).
    fn end(&self) -> usize;
    /// The entry's shape.
    fn shape(&self) -> Shape;
    /// Writes the entry, starting on a fresh line at `indent`, padded to the run's column `widths`.
    fn write(&self, writer: &mut Writer<'_>, widths: (usize, usize), indent: usize);
}

impl Entry for Item {
    fn start(&self) -> usize {
        match self {
            Item::Declaration(d) => d.span.start as usize,
            Item::Block(b) => b.span.start as usize,
            Item::Setting(s) => s.span.start as usize,
        }
    }

    fn end(&self) -> usize {
        match self {
            Item::Declaration(d) => expr_end(&d.value),
            Item::Block(b) => b.span.end as usize,
            Item::Setting(s) => s.end(),
        }
    }

    fn shape(&self) -> Shape {
        match self {
            Item::Declaration(d) => Shape::Declaration(d.kind.name.len(), d.name.name.len()),
            Item::Block(_) => Shape::Block,
            Item::Setting(s) => s.shape(),
        }
    }

    fn write(&self, writer: &mut Writer<'_>, widths: (usize, usize), indent: usize) {
        match self {
            Item::Declaration(d) => writer.declaration(d, widths),
            Item::Block(b) => writer.block(b, indent),
            Item::Setting(s) => s.write(writer, widths, indent),
        }
    }
}

impl Entry for Setting {
    fn start(&self) -> usize {
        self.span.start as usize
    }

    fn end(&self) -> usize {
        match self.values.last() {
            Some(Value::Expr(e)) => expr_end(e),
            Some(Value::Comparison(c)) => c.right.span.end as usize,
            None => self.key.span.end as usize,
        }
    }

    fn shape(&self) -> Shape {
        Shape::Setting(self.key.name.len())
    }

    fn write(&self, writer: &mut Writer<'_>, widths: (usize, usize), indent: usize) {
        writer.setting(self, widths.0, indent);
    }
}

/// The column widths of each entry: the widest of its run.
fn alignment<E: Entry>(source: &str, entries: &[E]) -> Vec<(usize, usize)> {
    let mut widths = Vec::with_capacity(entries.len());
    let mut run_start = 0;
    for i in 0..=entries.len() {
        let breaks = i == entries.len() || i == 0 || {
            let (prev, next) = (&entries[i - 1], &entries[i]);
            !prev.shape().aligns_with(next.shape()) || blank_line_between(source, prev.end(), next.start())
        };
        if breaks && i > run_start {
            let run = &entries[run_start..i];
            let widest = run.iter().map(|e| e.shape().widths()).fold((0, 0), |a, w| (a.0.max(w.0), a.1.max(w.1)));
            widths.extend(run.iter().map(|_| widest));
            run_start = i;
        }
    }
    widths
}

/// Where an expression stands: the indentation of its entry and of its continuation lines.
#[derive(Clone, Copy)]
struct Place {
    /// The entry's indentation.
    indent: usize,
    /// The indentation of a line broken by a comment.
    cont: usize,
}

impl Place {
    /// The place of an entry at `indent`.
    fn at(indent: usize) -> Self {
        Self { indent, cont: indent + 4 }
    }
}

/// The output being built, and the comments not yet written.
struct Writer<'s> {
    /// The source.
    source: &'s str,
    /// Every comment, in order.
    comments: Vec<Comment>,
    /// The first comment not yet written.
    next: usize,
    /// The canonical text so far.
    out: String,
    /// Whether the current output line ends in a comment.
    closed: bool,
}

impl Writer<'_> {
    /// Takes the next comment if it starts before `at`.
    fn comment_before(&mut self, at: usize) -> Option<Comment> {
        let c = *self.comments.get(self.next).filter(|c| c.start < at)?;
        self.next += 1;
        Some(c)
    }

    /// Appends a comment's text.
    fn push_comment(&mut self, c: Comment) {
        let text = self.source[c.start..c.end].trim_end();
        self.out.push_str(text);
        self.closed = true;
    }

    /// Whether the current output line holds nothing but indentation.
    fn line_is_blank(&self) -> bool {
        let line_start = self.out.rfind('\n').map_or(0, |i| i + 1);
        self.out[line_start..].trim().is_empty()
    }

    /// Whether a trailing comment may go at the end of the current line.
    fn can_trail(&self) -> bool {
        !self.closed && !self.line_is_blank()
    }

    /// Ends the current line (without trailing spaces), with a blank line if asked, and indents the next.
    fn newline(&mut self, blank: bool, indent: usize) {
        self.out.truncate(self.out.trim_end_matches(' ').len());
        self.out.push('\n');
        if blank {
            self.out.push('\n');
        }
        self.out.extend(std::iter::repeat_n(' ', indent));
        self.closed = false;
    }

    /// Starts the line of a unit beginning at `next`; `prev` is where the previous unit of the same body
    /// ended (`None` at the start of a body, where no blank line is kept).
    fn start_line(&mut self, prev: Option<usize>, next: usize, indent: usize) {
        if self.out.is_empty() {
            return;
        }
        let blank = prev.is_some_and(|p| blank_line_between(self.source, p, next));
        self.newline(blank, indent);
    }

    /// Writes the entries of a body (the file, or a block's inside) at `indent`, with the comments between
    /// them and those after the last one up to `end`.
    fn body<E: Entry>(&mut self, entries: &[E], indent: usize, end: usize) {
        let widths = alignment(self.source, entries);
        let mut prev = None;
        for (entry, widths) in entries.iter().zip(widths) {
            prev = self.loose_comments(prev, entry.start(), indent);
            self.start_line(prev, entry.start(), indent);
            entry.write(self, widths, indent);
            self.loose_comments(None, entry.end(), indent);
            prev = Some(entry.end());
        }
        self.loose_comments(prev, end, indent);
    }

    /// Writes the comments before `before` that stand between entries (or at an entry's end): a trailing
    /// comment stays on the current line, the others get lines of their own. Returns the end of the last.
    fn loose_comments(&mut self, mut prev: Option<usize>, before: usize, indent: usize) -> Option<usize> {
        while let Some(c) = self.comment_before(before) {
            if c.trailing && self.can_trail() {
                self.out.push(' ');
            } else {
                self.start_line(prev, c.start, indent);
            }
            self.push_comment(c);
            prev = Some(c.end);
        }
        prev
    }

    /// Writes a token that stands at `at` in the source, after the comments before it. `sep` separates it
    /// from the previous token, unless a comment ended the line: then the token continues at `cont`.
    fn token(&mut self, at: usize, sep: &str, text: &str, cont: usize) {
        let mut broken = false;
        while let Some(c) = self.comment_before(at) {
            if c.trailing && self.can_trail() {
                self.out.push(' ');
            } else if !self.line_is_blank() {
                self.newline(false, cont);
            }
            self.push_comment(c);
            self.newline(false, cont);
            broken = true;
        }
        if !broken {
            self.out.push_str(sep);
        }
        self.out.push_str(text);
    }

    /// `kind name = value`, with the name and `=` aligned to `widths`.
    fn declaration(&mut self, d: &Declaration, widths: (usize, usize)) {
        let place = Place::at(0);
        self.token(d.kind.span.start as usize, "", &d.kind.name, place.cont);
        let gap = " ".repeat(1 + widths.0.saturating_sub(d.kind.name.len()));
        self.token(d.name.span.start as usize, &gap, &d.name.name, place.cont);
        self.out.extend(std::iter::repeat_n(' ', widths.1.saturating_sub(d.name.name.len())));
        self.out.push_str(" =");
        self.expr(&d.value, " ", place);
    }

    /// `kind name "label" { settings }`.
    fn block(&mut self, b: &Block, indent: usize) {
        let place = Place::at(indent);
        self.token(b.kind.span.start as usize, "", &b.kind.name, place.cont);
        self.token(b.name.span.start as usize, " ", &b.name.name, place.cont);
        let mut header_end = b.name.span.end as usize;
        if let Some(label) = &b.label {
            self.string(label, " ", place);
            header_end = label.span.end as usize;
        }
        self.token(open_brace(self.source, header_end), " ", "{", place.cont);
        let close = (b.span.end as usize).saturating_sub(1);
        if b.settings.is_empty() && self.comments.get(self.next).is_none_or(|c| c.start >= close) {
            self.out.push('}');
            return;
        }
        self.body(&b.settings, indent + 2, close);
        self.newline(false, indent);
        self.out.push('}');
    }

    /// `key value, value`, with the values aligned to `key_width`.
    fn setting(&mut self, s: &Setting, key_width: usize, indent: usize) {
        let place = Place::at(indent);
        self.token(s.key.span.start as usize, "", &s.key.name, place.cont);
        let gap = " ".repeat(1 + key_width.saturating_sub(s.key.name.len()));
        for (i, value) in s.values.iter().enumerate() {
            if i > 0 {
                self.out.push(',');
            }
            let sep = if i == 0 { gap.as_str() } else { " " };
            match value {
                Value::Expr(e) => self.expr(e, sep, place),
                Value::Comparison(c) => {
                    self.path(&c.left, sep, place);
                    self.out.push(' ');
                    self.out.push_str(&c.op);
                    self.path(&c.right, " ", place);
                }
            }
        }
    }

    /// An expression, separated from what precedes it by `sep`.
    fn expr(&mut self, e: &Expr, sep: &str, place: Place) {
        match &e.kind {
            ExprKind::Call(callee, args) => {
                self.token(callee.span.start as usize, sep, &callee.name, place.cont);
                self.out.push('(');
                for (i, a) in args.iter().enumerate() {
                    if i > 0 {
                        self.out.push(',');
                    }
                    let sep = if i == 0 { "" } else { " " };
                    match &a.name {
                        Some(name) => {
                            self.token(name.span.start as usize, sep, &name.name, place.cont);
                            self.out.push(':');
                            self.expr(&a.value, " ", place);
                        }
                        None => self.expr(&a.value, sep, place),
                    }
                }
                self.out.push(')');
            }
            ExprKind::Range(start, end, step) => {
                self.token(start.span.start as usize, sep, &start.text, place.cont);
                self.out.push_str("..");
                self.token(end.span.start as usize, "", &end.text, place.cont);
                if let Some(step) = step {
                    self.out.push_str(" step");
                    self.token(step.span.start as usize, " ", &step.text, place.cont);
                }
            }
            ExprKind::List(items) => {
                self.token(e.span.start as usize, sep, "[", place.cont);
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        self.out.push(',');
                    }
                    self.expr(item, if i == 0 { "" } else { " " }, place);
                }
                self.out.push(']');
            }
            ExprKind::Number(n) => self.token(n.span.start as usize, sep, &n.text, place.cont),
            ExprKind::Str(s) => self.string(s, sep, place),
            ExprKind::Path(p) => self.path(p, sep, place),
        }
    }

    /// A dotted path, as written.
    fn path(&mut self, p: &Path, sep: &str, place: Place) {
        self.token(p.span.start as usize, sep, p.span.text(self.source), place.cont);
    }

    /// A string: a one-line string as written, a triple-quoted one with its content lines re-indented.
    fn string(&mut self, s: &Str, sep: &str, place: Place) {
        let raw = s.span.text(self.source);
        let text = if raw.starts_with("\"\"\"") { triple_quoted(&s.value, place.indent) } else { raw.to_owned() };
        self.token(s.span.start as usize, sep, &text, place.cont);
    }
}

/// A triple-quoted string holding `value` (already dedented by the parser): its lines between `"""` lines,
/// flush left at the top level and two spaces deeper than the setting inside a block.
fn triple_quoted(value: &str, indent: usize) -> String {
    let pad = " ".repeat(if indent == 0 { 0 } else { indent + 2 });
    let mut text = String::from("\"\"\"");
    for line in value.split('\n').filter(|_| !value.is_empty()) {
        text.push('\n');
        if !line.is_empty() {
            text.push_str(&pad);
            text.push_str(line);
        }
    }
    text.push('\n');
    text.push_str(&pad);
    text.push_str("\"\"\"");
    text
}

/// The position of a block's `{`, the first character after `from` that is neither whitespace nor comment.
fn open_brace(source: &str, from: usize) -> usize {
    let mut at = from;
    loop {
        let rest = &source[at..];
        let skipped = rest.trim_start();
        at += rest.len() - skipped.len();
        if skipped.starts_with("//") {
            at += skipped.find('\n').unwrap_or(skipped.len());
        } else {
            return at;
        }
    }
}

#[cfg(test)]
mod tests;
