//! Numbers read from files beside a spec, `file("eigenvalues.npy")`: the spec's one door to data on disk.
//!
//! Three formats, told apart by the file name's extension:
//! - `.npy`: a NumPy array (`numpy.save`) of one dimension, or two with one of them 1; float64, float32 or
//!   integer values (read by [`npyz`]).
//! - `.csv`: comma-separated values (read by [`csv`]) in one column or one row. A first row with a cell that is
//!   not a number is a header; with several columns, `column` picks one by header name or by position from 1.
//! - anything else: plain text, numbers separated by whitespace or commas, `#` starting a comment to the end of
//!   the line (what `numpy.savetxt` writes and `numpy.loadtxt` reads).
//!
//! Data tasks read whole data sets through the same door: a features matrix (`.npy` or CSV, [`matrix`]) and the
//! CIFAR-10 binary batches of a directory ([`cifar`]).
//!
//! Every failure is a [`FileError`] that says where in the file it is (line and column, or the array index), so
//! the resolver can locate it at the `file(...)` call of the spec.

mod cifar;
mod matrix;

pub(super) use cifar::{Images, TEST as CIFAR10_TEST, TRAIN as CIFAR10_TRAIN, read_cifar10};
pub(super) use matrix::read_matrix;

use std::fmt;
use std::path::Path;

use crate::syntax::{Ast, Expr, ExprKind, Item, Value};

/// The paths of the `file("...")` calls in `e`, at any depth, as the spec writes them.
pub(super) fn paths_in(e: &Expr, out: &mut Vec<String>) {
    match &e.kind {
        ExprKind::Call(name, arguments) => {
            if name.name == "file" {
                let path = arguments.iter().find(|a| a.name.as_ref().is_none_or(|n| n.name == "path"));
                if let Some(ExprKind::Str(s)) = path.map(|a| &a.value.kind) {
                    out.push(s.value.clone());
                }
            }
            for a in arguments {
                paths_in(&a.value, out);
            }
        }
        ExprKind::List(items) => items.iter().for_each(|x| paths_in(x, out)),
        _ => {}
    }
}

/// Every data file a parsed spec names (`file("...")` anywhere), relative to the spec's directory, whether it
/// exists or not: what `kdrepro watch` watches while a spec does not resolve (a file it names may be created next).
pub fn named_files(ast: &Ast) -> Vec<String> {
    let mut paths = Vec::new();
    for item in &ast.items {
        match item {
            Item::Declaration(d) => paths_in(&d.value, &mut paths),
            Item::Block(b) => b.settings.iter().flat_map(|s| &s.values).for_each(|v| match v {
                Value::Expr(e) => paths_in(e, &mut paths),
                Value::Comparison(_) => {}
            }),
            Item::Setting(_) => {}
        }
    }
    paths.sort();
    paths.dedup();
    paths
}

/// Which column of a multi-column CSV file to read: `column: "name"` or `column: 2` (from 1).
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Column {
    /// By its header.
    Named(String),
    /// By position, from 1.
    Position(usize),
}

/// A vector read from a file.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Vector {
    /// The values, in file order.
    pub(super) values: Vec<f64>,
    /// blake3 of the file's bytes, hex: what the report records as the data's provenance.
    pub(super) hash: String,
}

/// Why a file could not be read as a vector; its `Display` is the message of the spec's diagnostic.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum FileError {
    /// The file could not be opened or read.
    Io(String),
    /// The file's structure is not a vector of numbers (a bad `.npy` header, a ragged CSV, …).
    Format(String),
    /// A cell is not a number.
    NotANumber { at: Place, text: String },
    /// A value the caller refused (NaN, infinite, negative, out of range).
    Value { at: Place, value: f64, reason: String },
    /// The file holds no value.
    Empty,
}

/// Where a value stands in its file, as its error names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Place {
    /// The index in a `.npy` array, from 0.
    Index(usize),
    /// The line of a text file and the number's position on it, both from 1.
    Word { line: usize, number: usize },
    /// The line and column of a CSV cell, both from 1.
    Cell { line: u64, column: usize },
    /// The row and column of a `.npy` matrix's entry, both from 0.
    Entry { row: usize, column: usize },
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Index(i) => write!(f, "index {i}"),
            Self::Word { line, number } => write!(f, "line {line}, number {number}"),
            Self::Cell { line, column } => write!(f, "line {line}, column {column}"),
            Self::Entry { row, column } => write!(f, "row {row}, column {column} (from 0)"),
        }
    }
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Io(reason) => f.write_str(reason),
            Self::Format(why) => f.write_str(why),
            Self::NotANumber { at, text } => write!(f, "{at}: `{text}` is not a number"),
            Self::Value { at, value, reason } => write!(f, "{at}: {} {reason}", shown(*value)),
            Self::Empty => f.write_str("the file holds no number"),
        }
    }
}

/// `value` as short as it reads: `0.5`, `-1`, `NaN`, `1e300`, `1.5e-20`.
fn shown(value: f64) -> String {
    let magnitude = value.abs();
    if magnitude != 0.0 && magnitude.is_finite() && !(1e-5..1e16).contains(&magnitude) {
        format!("{value:e}")
    } else {
        value.to_string()
    }
}

/// Reads the vector in `path`, passing every value to `check` (which returns why a value is refused).
///
/// # Errors
/// [`FileError`] for an unreadable file, a structure that is not one vector, a cell that is not a number, a
/// value `check` refuses (with its place in the file), or an empty file.
pub(super) fn read(
    path: &Path,
    column: Option<&Column>,
    check: &dyn Fn(f64) -> Result<(), String>,
) -> Result<Vector, FileError> {
    let bytes = std::fs::read(path).map_err(|e| FileError::Io(e.to_string()))?;
    let extension = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    if column.is_some() && extension.as_deref() != Some("csv") {
        return Err(FileError::Format("`column` picks a column of a `.csv` file only".into()));
    }
    let cells = match extension.as_deref() {
        Some("npy") => npy(&bytes)?,
        Some("csv") => csv_column(&bytes, column)?,
        _ => text(&bytes)?,
    };
    if cells.is_empty() {
        return Err(FileError::Empty);
    }
    let values = cells
        .into_iter()
        .map(|(value, at)| check(value).map(|()| value).map_err(|reason| FileError::Value { at, value, reason }))
        .collect::<Result<_, _>>()?;
    Ok(Vector { values, hash: blake3::hash(&bytes).to_hex().to_string() })
}

/// blake3 of the bytes of the file at `path`, hex, read in 64 KiB pieces (a data set may be larger than the
/// memory left; a memory map would count the whole file in the process's resident memory).
///
/// # Errors
/// [`FileError::Io`] when the file cannot be read.
pub(super) fn hash(path: &Path) -> Result<String, FileError> {
    let mut hasher = blake3::Hasher::new();
    let file = std::fs::File::open(path).map_err(|e| FileError::Io(e.to_string()))?;
    hasher.update_reader(file).map_err(|e| FileError::Io(e.to_string()))?;
    Ok(hasher.finalize().to_hex().to_string())
}

/// A value and its place in the file.
type Cell = (f64, Place);

/// The values of a `.npy` array of one dimension (or two, one of them 1), converted to f64.
fn npy(bytes: &[u8]) -> Result<Vec<Cell>, FileError> {
    use npyz::{DType, TypeChar};
    let bad = |e: std::io::Error| FileError::Format(format!("not a NumPy `.npy` file: {e}"));
    let file = npyz::NpyFile::new(bytes).map_err(bad)?;
    let shape = file.shape().to_vec();
    if !matches!(shape.as_slice(), [_] | [1, _] | [_, 1]) {
        return Err(FileError::Format(format!("the array has shape {shape:?}; a vector is one-dimensional")));
    }
    let DType::Plain(type_str) = file.dtype() else {
        return Err(FileError::Format("the array is structured; a vector holds plain numbers".into()));
    };
    let values: Vec<f64> = match (type_str.type_char(), type_str.size_field()) {
        (TypeChar::Float, 8) => file.into_vec::<f64>().map_err(bad)?,
        (TypeChar::Float, 4) => file.into_vec::<f32>().map_err(bad)?.into_iter().map(f64::from).collect(),
        (TypeChar::Int, 4) => file.into_vec::<i32>().map_err(bad)?.into_iter().map(f64::from).collect(),
        // Integers beyond 2⁵³ round to the nearest f64, as numpy's float64 conversion does.
        (TypeChar::Int, 8) => file.into_vec::<i64>().map_err(bad)?.into_iter().map(|i| i as f64).collect(),
        _ => {
            return Err(FileError::Format(format!(
                "the array's type is `{type_str}`; allowed are float64, float32, int64 and int32"
            )));
        }
    };
    Ok(values.into_iter().enumerate().map(|(i, x)| (x, Place::Index(i))).collect())
}

/// The numbers of a plain text file: separated by whitespace or commas, `#` comments.
fn text(bytes: &[u8]) -> Result<Vec<Cell>, FileError> {
    let text = utf8(bytes)?;
    let mut cells = Vec::new();
    for (line_index, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or_default();
        let words = line.split(|c: char| c.is_whitespace() || c == ',').filter(|w| !w.is_empty());
        for (column, word) in words.enumerate() {
            let at = Place::Word { line: line_index + 1, number: column + 1 };
            cells.push((parse(word, at)?, at));
        }
    }
    Ok(cells)
}

/// One column (or the one row) of a CSV file, without its header.
fn csv_column(bytes: &[u8], column: Option<&Column>) -> Result<Vec<Cell>, FileError> {
    let text = utf8(bytes)?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .trim(csv::Trim::All)
        .comment(Some(b'#'))
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| FileError::Format(format!("not a CSV file: {e}")))?;
        let line = record.position().map_or(0, csv::Position::line);
        rows.push((line, record.iter().map(str::to_owned).collect::<Vec<_>>()));
    }
    let header = match rows.first() {
        Some((_, first)) if first.iter().any(|c| c.parse::<f64>().is_err()) => Some(rows.remove(0).1),
        _ => None,
    };
    // One row of several numbers, no header: the row is the vector.
    if let ([(line, row)], None, None) = (rows.as_slice(), &header, column) {
        let line = *line;
        return row
            .iter()
            .enumerate()
            .map(|(i, cell)| {
                let at = Place::Cell { line, column: i + 1 };
                Ok((parse(cell, at)?, at))
            })
            .collect();
    }
    let width = rows.first().map_or(0, |(_, r)| r.len());
    let index = pick(column, header.as_deref(), width)?;
    rows.iter()
        .map(|(line, row)| {
            let line = *line;
            let at = Place::Cell { line, column: index + 1 };
            let cell = row.get(index).ok_or_else(|| FileError::Format(format!("{at} has no such column")))?;
            Ok((parse(cell, at)?, at))
        })
        .collect()
}

/// The index of the column to read among `width`.
fn pick(column: Option<&Column>, header: Option<&[String]>, width: usize) -> Result<usize, FileError> {
    match column {
        None if width <= 1 => Ok(0),
        None => Err(FileError::Format(format!(
            "the file has {width} columns: name one with `column: \"name\"` or `column: k` (from 1)"
        ))),
        Some(&Column::Position(k)) if (1..=width).contains(&k) => Ok(k - 1),
        Some(&Column::Position(k)) => Err(FileError::Format(format!("there is no column {k}: the file has {width}"))),
        Some(Column::Named(name)) => {
            let headers =
                header.ok_or_else(|| FileError::Format("the file has no header row to name columns".into()))?;
            headers.iter().position(|h| h == name).ok_or_else(|| {
                FileError::Format(format!("no column is named `{name}`; the header has: {}", headers.join(", ")))
            })
        }
    }
}

/// The file as UTF-8 text.
fn utf8(bytes: &[u8]) -> Result<&str, FileError> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        FileError::Format(format!(
            "the file is not UTF-8 text (byte {}); a `.npy` file needs that extension",
            e.valid_up_to()
        ))
    })?;
    Ok(text.strip_prefix('\u{feff}').unwrap_or(text))
}

/// A number as written; `nan` and `inf` parse (and are refused later with their place), words do not.
fn parse(word: &str, at: Place) -> Result<f64, FileError> {
    word.parse().map_err(|_| FileError::NotANumber { at, text: word.to_owned() })
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// Writes `bytes` as `name` in a fresh directory and reads it.
    fn read_bytes(name: &str, bytes: &[u8], column: Option<&Column>) -> Result<Vec<f64>, FileError> {
        let dir = std::env::temp_dir().join(format!("kdrepro-files-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        let finite = |x: f64| if x.is_finite() { Ok(()) } else { Err("is not finite".to_owned()) };
        let result = read(&path, column, &finite).map(|v| v.values);
        std::fs::remove_dir_all(&dir).unwrap();
        result
    }

    #[test]
    fn plain_text_is_numbers_between_whitespace_commas_and_comments() {
        let text = "\u{feff}# eigenvalues\n1.0\n 5e-1 0.25,\r\n0.125 # last\n\n";
        assert_eq!(read_bytes("l.txt", text.as_bytes(), None), Ok(vec![1.0, 0.5, 0.25, 0.125]));
        assert_eq!(
            read_bytes("l.txt", b"1\n2\nx\n", None),
            Err(FileError::NotANumber { at: Place::Word { line: 3, number: 1 }, text: "x".into() })
        );
        let nan = read_bytes("l.dat", b"1 2\n3 nan\n", None).unwrap_err();
        assert_eq!(nan.to_string(), "line 2, number 2: NaN is not finite");
        assert_eq!(read_bytes("l.txt", b"# nothing\n", None), Err(FileError::Empty));
    }

    #[test]
    fn csv_reads_one_column_or_row_with_an_optional_header() {
        assert_eq!(read_bytes("c.csv", b"lambda\n1\n0.5\n", None), Ok(vec![1.0, 0.5]));
        assert_eq!(read_bytes("c.csv", b"1, 0.5, 0.25\n", None), Ok(vec![1.0, 0.5, 0.25]));
        // pandas' to_csv: an unnamed index column, then the data.
        let frame = b",lambda,beta\n0,1.0,2.0\n1,0.5,3.0\n";
        assert_eq!(read_bytes("c.csv", frame, Some(&Column::Named("beta".into()))), Ok(vec![2.0, 3.0]));
        assert_eq!(read_bytes("c.csv", frame, Some(&Column::Position(2))), Ok(vec![1.0, 0.5]));
        let unnamed = read_bytes("c.csv", frame, None).unwrap_err().to_string();
        assert!(unnamed.contains("has 3 columns"), "{unnamed}");
        let missing = read_bytes("c.csv", frame, Some(&Column::Named("gamma".into()))).unwrap_err().to_string();
        assert!(missing.contains("the header has: , lambda, beta"), "{missing}");
        assert_eq!(
            read_bytes("c.csv", b"1\n2\nthree\n", None),
            Err(FileError::NotANumber { at: Place::Cell { line: 3, column: 1 }, text: "three".into() })
        );
        let ragged = read_bytes("c.csv", b"1,2\n3\n", None).unwrap_err().to_string();
        assert!(ragged.starts_with("not a CSV file"), "{ragged}");
        let only_txt = read_bytes("c.txt", b"1\n", Some(&Column::Position(1))).unwrap_err().to_string();
        assert!(only_txt.contains("`.csv` file only"), "{only_txt}");
    }

    /// A `.npy` file as numpy 1.x writes it (format version 1.0): magic, header length, the header dict padded
    /// with spaces to a multiple of 64 bytes with a final newline, then the data.
    pub(in crate::spec::files) fn npy_bytes(descr: &str, shape: &str, data: &[u8]) -> Vec<u8> {
        let mut header = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}");
        while (10 + header.len() + 1) % 64 != 0 {
            header.push(' ');
        }
        header.push('\n');
        let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
        bytes.extend_from_slice(&u16::try_from(header.len()).unwrap().to_le_bytes());
        bytes.extend_from_slice(header.as_bytes());
        bytes.extend_from_slice(data);
        bytes
    }

    #[test]
    fn npy_reads_float_and_integer_vectors() {
        let f8: Vec<u8> = [1.0f64, 0.5, 1e-300].iter().flat_map(|x| x.to_le_bytes()).collect();
        assert_eq!(read_bytes("v.npy", &npy_bytes("<f8", "(3,)", &f8), None), Ok(vec![1.0, 0.5, 1e-300]));
        let big: Vec<u8> = [2.0f64, 4.0].iter().flat_map(|x| x.to_be_bytes()).collect();
        assert_eq!(read_bytes("v.npy", &npy_bytes(">f8", "(2, 1)", &big), None), Ok(vec![2.0, 4.0]));
        let f4: Vec<u8> = [0.5f32, 0.25].iter().flat_map(|x| x.to_le_bytes()).collect();
        assert_eq!(read_bytes("v.npy", &npy_bytes("<f4", "(1, 2)", &f4), None), Ok(vec![0.5, 0.25]));
        let i8: Vec<u8> = [3i64, -2].iter().flat_map(|x| x.to_le_bytes()).collect();
        assert_eq!(read_bytes("v.npy", &npy_bytes("<i8", "(2,)", &i8), None), Ok(vec![3.0, -2.0]));
        let nan: Vec<u8> = [1.0, f64::NAN].iter().flat_map(|x| x.to_le_bytes()).collect();
        assert_eq!(
            read_bytes("v.npy", &npy_bytes("<f8", "(2,)", &nan), None).unwrap_err().to_string(),
            "index 1: NaN is not finite"
        );
        let matrix = read_bytes("v.npy", &npy_bytes("<f8", "(2, 2)", &[0; 32]), None).unwrap_err().to_string();
        assert!(matrix.contains("shape [2, 2]"), "{matrix}");
        let complex = read_bytes("v.npy", &npy_bytes("<c16", "(1,)", &[0; 16]), None).unwrap_err().to_string();
        assert!(complex.contains("allowed are float64"), "{complex}");
        let text = read_bytes("v.npy", b"1 2 3\n", None).unwrap_err().to_string();
        assert!(text.starts_with("not a NumPy `.npy` file"), "{text}");
        assert_eq!(read_bytes("v.npy", &npy_bytes("<f8", "(0,)", &[]), None), Err(FileError::Empty));
    }

    #[test]
    fn a_missing_file_says_why() {
        let missing = Path::new("/nonexistent/eigs.txt");
        let error = read(missing, None, &|_| Ok(())).unwrap_err().to_string();
        assert!(error.starts_with("No such file"), "{error}");
    }
}
