//! The fonts a report is set in: the embedded ones, then those found under `--font-path` directories; and the
//! characters of a spec's printed text that none of them can show.
//!
//! Typst looks for a character in the fonts the document names, then in every font of the world's
//! [`FontBook`] whose coverage (its `cmap` table) contains it; when none does, it draws the first font's empty
//! `.notdef` box and says nothing. [`check_fonts`] makes the same coverage test on the spec text before anything
//! runs, so that the author hears of it.

use std::collections::BTreeMap;
use std::fmt::{self, Display, Formatter};
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use typst::foundations::Bytes;
use typst::text::{Font, FontBook, is_default_ignorable};
use typst::utils::LazyHash;

use crate::diagnostics::{Diagnostic, Span};
use crate::spec::Spec;

/// The fonts bundled into the binary (Libertinus Serif, New Computer Modern and its Math, DejaVu Sans Mono),
/// parsed once per process.
static EMBEDDED: LazyLock<Vec<Font>> =
    LazyLock::new(|| typst_kit::fonts::embedded().map(|(font, _info)| font).collect());

/// File name extensions of the font files read under a `--font-path` directory (compared without case).
const EXTENSIONS: [&str; 4] = ["ttf", "otf", "ttc", "otc"];

/// The most characters one warning names; the rest are counted.
const NAMED: usize = 8;

/// The fonts of a report: the embedded ones first, then the added ones, in a fixed order. System fonts are never
/// consulted, so the same fonts always give the same PDF.
pub struct Fonts {
    /// Metadata of `fonts`, in the same order (Typst's fallback searches it).
    book: LazyHash<FontBook>,
    /// The fonts, indexed as in `book`.
    fonts: Vec<Font>,
}

impl Fonts {
    /// The embedded fonts followed by every font file (`.ttf`, `.otf`, `.ttc`, `.otc`, each face of a collection)
    /// under each of `dirs`, searched recursively, in the order of `dirs` and within each by path. Symbolic links to
    /// files are followed, links to directories are not (they could form a loop).
    ///
    /// # Errors
    /// A directory that cannot be read or holds no font file, or a font file that cannot be read or parsed.
    pub fn load(dirs: &[PathBuf]) -> Result<Self, FontError> {
        let mut fonts = EMBEDDED.clone();
        for dir in dirs {
            let files = font_files(dir)?;
            if files.is_empty() {
                return Err(FontError::NoFonts(dir.clone()));
            }
            for file in files {
                let data = std::fs::read(&file).map_err(|e| FontError::Read(file.clone(), e))?;
                let before = fonts.len();
                fonts.extend(Font::iter(Bytes::new(data)));
                if fonts.len() == before {
                    return Err(FontError::NotAFont(file));
                }
            }
        }
        Ok(Self { book: LazyHash::new(FontBook::from_fonts(&fonts)), fonts })
    }

    /// The embedded fonts only.
    #[cfg(test)]
    pub(crate) fn embedded() -> Self {
        Self::load(&[]).expect("no directory to read")
    }

    /// The metadata Typst selects fonts from.
    pub(crate) fn book(&self) -> &LazyHash<FontBook> {
        &self.book
    }

    /// The font at `index` of the [`book`](Self::book).
    pub(crate) fn font(&self, index: usize) -> Option<Font> {
        self.fonts.get(index).cloned()
    }

    /// Whether some font has a glyph for `c`: the test of Typst's font fallback.
    fn covers(&self, c: char) -> bool {
        self.fonts.iter().any(|font| font.info().coverage.contains(u32::from(c)))
    }
}

/// Every font file under `dir`, recursively, sorted by path.
fn font_files(dir: &Path) -> Result<Vec<PathBuf>, FontError> {
    let read = |e| FontError::Read(dir.to_owned(), e);
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(read)? {
        let entry = entry.map_err(read)?;
        let path = entry.path();
        if entry.file_type().map_err(read)?.is_dir() {
            files.extend(font_files(&path)?);
        } else if path
            .extension()
            .and_then(|x| x.to_str())
            .is_some_and(|x| EXTENSIONS.iter().any(|known| x.eq_ignore_ascii_case(known)))
        {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// Why the fonts of a `--font-path` directory could not be loaded.
#[derive(Debug)]
pub enum FontError {
    /// A directory or file could not be read.
    Read(PathBuf, std::io::Error),
    /// A directory holds no font file.
    NoFonts(PathBuf),
    /// A font file holds no font Typst can parse.
    NotAFont(PathBuf),
}

impl Display for FontError {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Self::Read(path, e) => write!(f, "cannot read {}: {e}", path.display()),
            Self::NoFonts(dir) => {
                write!(f, "no font file (.ttf, .otf, .ttc, .otc) under {}", dir.display())
            }
            Self::NotAFont(path) => write!(f, "{} is not a font kdrepro can read", path.display()),
        }
    }
}

impl std::error::Error for FontError {}

/// Warnings about the characters of the spec text that the report prints (title, labels, captions, statements,
/// prose, the excerpts of experiments and claims) that no font of `fonts` has: Typst would draw them as empty
/// boxes. One warning per line of `source`, at the first to the last such character of the line, naming each
/// once. Spaces, control characters and default-ignorable characters (joiners, variation selectors), which Typst
/// does not draw with a glyph, are not checked.
pub fn check_fonts(spec: &Spec, source: &str, fonts: &Fonts) -> Vec<Diagnostic> {
    let mut covered: BTreeMap<char, bool> = BTreeMap::new();
    // (line start, byte offsets and characters no font has on that line), in file order.
    let mut lines: Vec<(usize, Vec<(usize, char)>)> = Vec::new();
    for span in &spec.printed {
        for (i, c) in span.text(source).char_indices() {
            let drawn = !(c.is_whitespace() || c.is_control() || is_default_ignorable(c));
            if !drawn || *covered.entry(c).or_insert_with(|| fonts.covers(c)) {
                continue;
            }
            let at = span.start as usize + i;
            let line = source[..at].rfind('\n').map_or(0, |newline| newline + 1);
            match lines.last_mut() {
                Some((start, missing)) if *start == line => missing.push((at, c)),
                _ => lines.push((line, vec![(at, c)])),
            }
        }
    }
    lines.into_iter().map(|(_, missing)| missing_glyphs(&missing)).collect()
}

/// The warning about one line's characters that no font has, given with their byte offsets in file order.
fn missing_glyphs(missing: &[(usize, char)]) -> Diagnostic {
    let (first, last) = (missing[0], missing[missing.len() - 1]);
    let mut distinct: Vec<char> = Vec::new();
    for &(_, c) in missing {
        if !distinct.contains(&c) {
            distinct.push(c);
        }
    }
    let mut named: Vec<String> =
        distinct.iter().take(NAMED).map(|&c| format!("'{c}' (U+{:04X})", u32::from(c))).collect();
    if distinct.len() > NAMED {
        named.push(format!("and {} more", distinct.len() - NAMED));
    }
    let (what, them) = if distinct.len() == 1 {
        ("it will print as an empty box", "it")
    } else {
        ("they will print as empty boxes", "them")
    };
    Diagnostic::warning(
        Span::new(first.0, last.0 + last.1.len_utf8()),
        format!("no font can show {}: {what}", named.join(", ")),
    )
    .with_hint(format!("add a font that has {them} with `--font-path DIR`"))
}

#[cfg(test)]
mod tests;
