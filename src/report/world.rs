//! The sandboxed, in-memory Typst world: the report's only door to files, fonts and dates.

use std::collections::BTreeMap;
use std::fmt::{self, Display, Formatter};
use std::path::PathBuf;
use std::sync::{LazyLock, OnceLock};

use typst::diag::{FileError, FileResult, PackageError};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

use super::error::ReportError;
use super::fonts::Fonts;

/// Virtual path of the main source file.
pub(crate) const MAIN_PATH: &str = "/main.typ";

/// The fixed calendar date a report is stamped with (`datetime.today()` and the PDF creation date).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ReportDate {
    /// Year, e.g. 2025.
    pub(crate) year: i32,
    /// Month, 1..=12.
    pub(crate) month: u8,
    /// Day of the month, 1..=31.
    pub(crate) day: u8,
}

impl ReportDate {
    /// The Typst date, or [`ReportError::InvalidDate`] if this is not a calendar date.
    pub(crate) fn to_datetime(self) -> Result<Datetime, ReportError> {
        Datetime::from_ymd(self.year, self.month, self.day).ok_or(ReportError::InvalidDate(self))
    }

    /// Midnight UTC of this date, for the PDF creation timestamp.
    pub(crate) fn to_midnight(self) -> Result<Datetime, ReportError> {
        Datetime::from_ymd_hms(self.year, self.month, self.day, 0, 0, 0).ok_or(ReportError::InvalidDate(self))
    }
}

impl Display for ReportDate {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// The standard library, built once per process (it is immutable).
static LIBRARY: LazyLock<LazyHash<Library>> = LazyLock::new(|| LazyHash::new(Library::default()));

/// One file of the virtual project: its bytes and, once asked for, its parsed source.
struct VirtualFile {
    /// Raw content.
    bytes: Bytes,
    /// Parsed on first request; parsing is deterministic, so caching is invisible.
    source: OnceLock<FileResult<Source>>,
}

/// An in-memory [`World`]: the main source at [`MAIN_PATH`], extra files at their relative paths, the given
/// [`Fonts`] and a fixed date. Anything else (absolute paths outside the map, packages, system fonts) is refused.
pub(crate) struct ReportWorld<'a> {
    /// Id of [`MAIN_PATH`].
    main: FileId,
    /// Files keyed by their normalised path without the leading slash (`figures/fig1b.typ`).
    files: BTreeMap<String, VirtualFile>,
    /// The value of `datetime.today()`.
    today: Datetime,
    /// The fonts: the embedded ones, then those of `--font-path`.
    fonts: &'a Fonts,
}

impl<'a> ReportWorld<'a> {
    /// Builds the world from the main source, extra files keyed by relative path, the fixed date and the fonts.
    pub(crate) fn new(
        main: &str,
        files: &BTreeMap<String, Vec<u8>>,
        date: ReportDate,
        fonts: &'a Fonts,
    ) -> Result<Self, ReportError> {
        let main_key = normalise(MAIN_PATH)?;
        let mut virtual_files = BTreeMap::new();
        for (path, bytes) in files {
            let key = normalise(path)?;
            if key == main_key || virtual_files.contains_key(&key) {
                return Err(ReportError::InvalidFilePath {
                    path: path.clone(),
                    reason: "path is used twice (or is the main file)".to_owned(),
                });
            }
            virtual_files.insert(key, VirtualFile::new(Bytes::new(bytes.clone())));
        }
        virtual_files.insert(main_key, VirtualFile::new(Bytes::from_string(main.to_owned())));
        Ok(Self { main: project_file(MAIN_PATH), files: virtual_files, today: date.to_datetime()?, fonts })
    }

    /// Finds the file behind an id, refusing packages and unknown paths.
    fn lookup(&self, id: FileId) -> FileResult<&VirtualFile> {
        if let VirtualRoot::Package(spec) = id.root() {
            return Err(FileError::Package(PackageError::NotFound(spec.clone())));
        }
        self.files
            .get(id.vpath().get_without_slash())
            .ok_or_else(|| FileError::NotFound(PathBuf::from(id.vpath().get_with_slash())))
    }
}

impl VirtualFile {
    /// A file whose source has not been parsed yet.
    fn new(bytes: Bytes) -> Self {
        Self { bytes, source: OnceLock::new() }
    }

    /// The parsed source, if the bytes are UTF-8.
    fn source(&self, id: FileId) -> FileResult<Source> {
        self.source
            .get_or_init(|| {
                let text = std::str::from_utf8(&self.bytes).map_err(|_| FileError::InvalidUtf8)?;
                Ok(Source::new(id, text.to_owned()))
            })
            .clone()
    }
}

/// The id of a path in the (virtual) project root.
fn project_file(path: &str) -> FileId {
    let vpath = VirtualPath::new(path).expect("constant paths are valid");
    RootedPath::new(VirtualRoot::Project, vpath).intern()
}

/// Normalises a file key to a slash-free relative path, rejecting escapes and backslashes.
fn normalise(path: &str) -> Result<String, ReportError> {
    let invalid = |reason: String| ReportError::InvalidFilePath { path: path.to_owned(), reason };
    let vpath = VirtualPath::new(path).map_err(|err| invalid(err.to_string()))?;
    if vpath.is_root() {
        return Err(invalid("path names no file".to_owned()));
    }
    Ok(vpath.get_without_slash().to_owned())
}

impl World for ReportWorld<'_> {
    fn library(&self) -> &LazyHash<Library> {
        &LIBRARY
    }

    fn book(&self) -> &LazyHash<FontBook> {
        self.fonts.book()
    }

    fn main(&self) -> FileId {
        self.main
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        self.lookup(id)?.source(id)
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        Ok(self.lookup(id)?.bytes.clone())
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.font(index)
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        Some(self.today)
    }
}
