//! Matrices read from files, `data(features: file("x.npy"))`: one row per sample, one column per feature.
//!
//! Two formats, told apart by the extension: a two-dimensional `.npy` array (float64, float32, int64 or int32,
//! C or Fortran order), or a `.csv` file whose rows all have the same number of cells, with an optional header
//! (a first row with a cell that is not a number). Both are streamed from the file into the matrix, so loading
//! needs the matrix's memory and a few rows more, whatever the file's size (bench/README.md, "Data files").

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use faer::Mat;

use super::{Column, FileError, Place, parse, pick};

/// Rows gathered before they are written, column by column, into the column-major matrix: writing row by row
/// would touch every column's memory for each value.
const CHUNK_ROWS: usize = 256;

/// Reads the matrix in `path`, leaving out the CSV column `skip` (the labels' column of the same file), and
/// refusing NaN and infinite values with their place; the file's blake3 hash is computed by [`super::hash`].
///
/// # Errors
/// [`FileError`] for an unreadable file, an array that is not two-dimensional or of another type, rows of
/// different lengths, a cell that is not a number or not finite (line and column), or a file without rows.
pub(crate) fn read_matrix(path: &Path, skip: Option<&Column>) -> Result<Mat<f64>, FileError> {
    let file = File::open(path).map_err(|e| FileError::Io(e.to_string()))?;
    let extension = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    let matrix = match extension.as_deref() {
        Some("npy") => npy(file)?,
        Some("csv") => csv(file, skip)?,
        _ => return Err(FileError::Format("a matrix is read from a `.npy` or a `.csv` file".into())),
    };
    if matrix.nrows() == 0 || matrix.ncols() == 0 {
        return Err(FileError::Empty);
    }
    Ok(matrix)
}

/// Whether `value` may stand in a data set: finite.
fn finite(value: f64, at: Place) -> Result<f64, FileError> {
    if value.is_finite() { Ok(value) } else { Err(FileError::Value { at, value, reason: "is not finite".into() }) }
}

/// A two-dimensional `.npy` array, converted to f64.
fn npy(file: File) -> Result<Mat<f64>, FileError> {
    use npyz::{DType, Order, TypeChar};
    let length = file.metadata().map_err(|e| FileError::Io(e.to_string()))?.len();
    let bad = |e: std::io::Error| FileError::Format(format!("not a NumPy `.npy` file: {e}"));
    let array = npyz::NpyFile::new(BufReader::with_capacity(1 << 20, file)).map_err(bad)?;
    let &[rows, columns] = array.shape() else {
        return Err(FileError::Format(format!(
            "the array has shape {:?}; a matrix has two dimensions (rows = samples, columns = features)",
            array.shape()
        )));
    };
    let DType::Plain(type_str) = array.dtype() else {
        return Err(FileError::Format("the array is structured; a matrix holds plain numbers".into()));
    };
    // A header may claim any shape: the data must fit in the file before anything is allocated for it.
    let size = type_str.size_field();
    if rows.checked_mul(columns).and_then(|c| c.checked_mul(size)).is_none_or(|bytes| bytes > length) {
        return Err(FileError::Format(format!(
            "the header declares {rows} × {columns} values of {size} bytes, more than the file's {length} bytes"
        )));
    }
    let (rows, columns) = (rows as usize, columns as usize);
    let fortran = array.order() == Order::Fortran;
    let mut sink = Sink::new(rows, columns, fortran);
    let place = |i: usize| {
        if fortran {
            Place::Entry { row: i % rows, column: i / rows }
        } else {
            Place::Entry { row: i / columns, column: i % columns }
        }
    };
    let end = |e: std::io::Error| FileError::Format(format!("the data ends early or cannot be read: {e}"));
    macro_rules! fill {
        ($t:ty, $to_f64:expr) => {
            for (i, value) in array.data::<$t>().map_err(|e| FileError::Format(e.to_string()))?.enumerate() {
                sink.push(finite($to_f64(value.map_err(end)?), place(i))?);
            }
        };
    }
    match (type_str.type_char(), size) {
        (TypeChar::Float, 8) => fill!(f64, std::convert::identity),
        (TypeChar::Float, 4) => fill!(f32, f64::from),
        (TypeChar::Int, 4) => fill!(i32, f64::from),
        // Integers beyond 2⁵³ round to the nearest f64, as numpy's float64 conversion does.
        (TypeChar::Int, 8) => fill!(i64, rounded),
        _ => {
            return Err(FileError::Format(format!(
                "the array's type is `{type_str}`; allowed are float64, float32, int64 and int32"
            )));
        }
    }
    Ok(sink.finish())
}

/// An i64 as the nearest f64.
fn rounded(value: i64) -> f64 {
    value as f64
}

/// A CSV matrix: every row the same length, an optional header, column `skip` left out.
fn csv(file: File, skip: Option<&Column>) -> Result<Mat<f64>, FileError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .comment(Some(b'#'))
        .from_reader(BufReader::with_capacity(1 << 20, file));
    let mut header: Option<Vec<String>> = None;
    let mut sink: Option<Sink> = None;
    let mut width = 0;
    let mut skipped = None;
    let mut row = Vec::new();
    for record in reader.byte_records() {
        let record = record.map_err(|e| FileError::Format(format!("not a CSV file: {e}")))?;
        let line = record.position().map_or(0, csv::Position::line);
        let cells = record.iter().map(|c| std::str::from_utf8(c).unwrap_or("\u{fffd}"));
        let first = sink.is_none() && header.is_none();
        if first && cells.clone().any(|c| c.trim_start_matches('\u{feff}').parse::<f64>().is_err()) {
            header = Some(cells.map(|c| c.trim_start_matches('\u{feff}').to_owned()).collect());
            width = record.len();
            continue;
        }
        if sink.is_none() {
            if header.is_none() {
                width = record.len();
            }
            skipped = skip.map(|c| pick(Some(c), header.as_deref(), width)).transpose()?;
        }
        if record.len() != width {
            return Err(FileError::Format(format!(
                "line {line} has {} cells, and the rows above have {width}: every row needs one cell per column",
                record.len()
            )));
        }
        row.clear();
        for (c, cell) in cells.enumerate().filter(|(c, _)| Some(*c) != skipped) {
            let at = Place::Cell { line, column: c + 1 };
            row.push(finite(parse(cell, at)?, at)?);
        }
        sink.get_or_insert_with(|| Sink::growing(row.len())).push_row(&row);
    }
    Ok(sink.map_or_else(|| Mat::zeros(0, 0), Sink::finish))
}

/// Values arriving row after row (or column after column, for a Fortran-order array), written into a column-major
/// matrix through a chunk of rows.
struct Sink {
    values: Mat<f64>,
    columns: usize,
    /// Values arrived so far.
    arrived: usize,
    /// Rows written into `values` so far (row order only).
    written: usize,
    /// Values arrive column after column.
    fortran: bool,
    /// Row-major rows not yet written (row order only).
    chunk: Vec<f64>,
}

impl Sink {
    /// A sink for a `rows × columns` matrix.
    fn new(rows: usize, columns: usize, fortran: bool) -> Self {
        Self { values: Mat::zeros(rows, columns), columns, arrived: 0, written: 0, fortran, chunk: Vec::new() }
    }

    /// A sink for rows of `columns` values, as many as arrive.
    fn growing(columns: usize) -> Self {
        Self::new(0, columns, false)
    }

    /// One value, in arrival order.
    fn push(&mut self, value: f64) {
        if self.fortran {
            let rows = self.values.nrows();
            self.values[(self.arrived % rows, self.arrived / rows)] = value;
        } else {
            self.chunk.push(value);
            if self.chunk.len() == CHUNK_ROWS * self.columns {
                self.flush();
            }
        }
        self.arrived += 1;
    }

    /// One row of a CSV file.
    fn push_row(&mut self, row: &[f64]) {
        for &v in row {
            self.push(v);
        }
    }

    /// Writes the chunk's rows below those already written, growing the matrix when it has no room.
    fn flush(&mut self) {
        let rows = self.chunk.len() / self.columns.max(1);
        let end = self.written + rows;
        if end > self.values.nrows() {
            self.values.resize_with(end.max(2 * self.values.nrows()), self.columns, |_, _| 0.0);
        }
        for j in 0..self.columns {
            let column = &mut self.values.col_as_slice_mut(j)[self.written..end];
            for (r, out) in column.iter_mut().enumerate() {
                *out = self.chunk[r * self.columns + j];
            }
        }
        self.written = end;
        self.chunk.clear();
    }

    /// The matrix, cut to the rows that arrived.
    fn finish(mut self) -> Mat<f64> {
        if self.fortran {
            return self.values;
        }
        self.flush();
        self.values.truncate(self.written, self.columns);
        self.values
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::files::tests::npy_bytes;

    /// Writes `bytes` as `name` in a fresh directory and reads it as a matrix.
    fn read_bytes(name: &str, bytes: &[u8], skip: Option<&Column>) -> Result<Mat<f64>, FileError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        read_matrix(&path, skip)
    }

    fn matrix(rows: &[&[f64]]) -> Mat<f64> {
        Mat::from_fn(rows.len(), rows[0].len(), |i, j| rows[i][j])
    }

    fn le(values: &[f64]) -> Vec<u8> {
        values.iter().flat_map(|x| x.to_le_bytes()).collect()
    }

    #[test]
    fn npy_matrices_in_c_and_fortran_order_and_four_types() {
        let expected = matrix(&[&[1.0, 2.0, 3.0], &[4.0, 5.0, 6.0]]);
        let c = npy_bytes("<f8", "(2, 3)", &le(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]));
        assert_eq!(read_bytes("x.npy", &c, None).unwrap(), expected);
        let mut fortran = npy_bytes("<f8", "(2, 3)", &le(&[1.0, 4.0, 2.0, 5.0, 3.0, 6.0]));
        let at = fortran.windows(5).position(|w| w == b"False").unwrap();
        fortran[at..at + 5].copy_from_slice(b"True ");
        assert_eq!(read_bytes("x.npy", &fortran, None).unwrap(), expected);
        let f4: Vec<u8> = [1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0].iter().flat_map(|x| x.to_le_bytes()).collect();
        assert_eq!(read_bytes("x.npy", &npy_bytes("<f4", "(2, 3)", &f4), None).unwrap(), expected);
        let i4: Vec<u8> = [1i32, 2, 3, 4, 5, 6].iter().flat_map(|x| x.to_le_bytes()).collect();
        assert_eq!(read_bytes("x.npy", &npy_bytes("<i4", "(2, 3)", &i4), None).unwrap(), expected);
        let i8: Vec<u8> = [1i64, 2, 3, 4, 5, 6].iter().flat_map(|x| x.to_le_bytes()).collect();
        assert_eq!(read_bytes("x.npy", &npy_bytes("<i8", "(2, 3)", &i8), None).unwrap(), expected);
    }

    #[test]
    fn bad_npy_matrices_say_what_is_wrong() {
        let error = |bytes: &[u8]| read_bytes("x.npy", bytes, None).unwrap_err().to_string();
        let vector = error(&npy_bytes("<f8", "(3,)", &le(&[1.0, 2.0, 3.0])));
        assert!(vector.contains("shape [3]; a matrix has two dimensions"), "{vector}");
        let nan = error(&npy_bytes("<f8", "(2, 2)", &le(&[1.0, 2.0, f64::NAN, 4.0])));
        assert_eq!(nan, "row 1, column 0 (from 0): NaN is not finite");
        let short = error(&npy_bytes("<f8", "(2, 2)", &le(&[1.0, 2.0, 3.0])));
        assert!(short.starts_with("the data ends early"), "{short}");
        let huge = error(&npy_bytes("<f8", "(100000000000, 100000000000)", &[]));
        assert!(huge.contains("more than the file's"), "{huge}");
        let complex = error(&npy_bytes("<c16", "(1, 1)", &[0; 16]));
        assert!(complex.contains("allowed are float64"), "{complex}");
        assert_eq!(read_bytes("x.npy", &npy_bytes("<f8", "(0, 3)", &[]), None), Err(FileError::Empty));
        let text = read_bytes("x.txt", b"1 2\n", None).unwrap_err().to_string();
        assert!(text.contains("`.npy` or a `.csv` file"), "{text}");
    }

    #[test]
    fn csv_matrices_with_or_without_a_header_and_a_skipped_label_column() {
        let expected = matrix(&[&[1.0, 2.0], &[3.0, 4.0]]);
        assert_eq!(read_bytes("x.csv", b"1,2\n3,4\n", None).unwrap(), expected);
        assert_eq!(read_bytes("x.csv", b"a, b\n1, 2\n3, 4\n", None).unwrap(), expected);
        let labelled = b"a,y,b\n1,9,2\n3,9,4\n";
        assert_eq!(read_bytes("x.csv", labelled, Some(&Column::Named("y".into()))).unwrap(), expected);
        assert_eq!(read_bytes("x.csv", labelled, Some(&Column::Position(2))).unwrap(), expected);
        // More rows than one chunk, so that the matrix grows and chunks are written in order.
        let many: String = (0..1000).map(|i| [i.to_string(), (2 * i).to_string()].join(",") + "\n").collect();
        let read = read_bytes("x.csv", many.as_bytes(), None).unwrap();
        assert_eq!((read.nrows(), read[(999, 0)], read[(999, 1)], read[(256, 1)]), (1000, 999.0, 1998.0, 512.0));
    }

    #[test]
    fn bad_csv_matrices_give_line_and_column() {
        let error = |bytes: &[u8]| read_bytes("x.csv", bytes, None).unwrap_err().to_string();
        assert_eq!(error(b"a,b\n1,2\n3,x\n"), "line 3, column 2: `x` is not a number");
        assert_eq!(error(b"1,2\n3,inf\n"), "line 2, column 2: inf is not finite");
        let ragged = error(b"a,b\n1,2\n3\n");
        assert!(ragged.starts_with("line 3 has 1 cells, and the rows above have 2"), "{ragged}");
        assert_eq!(read_bytes("x.csv", b"a,b\n", None), Err(FileError::Empty));
        assert_eq!(read_bytes("x.csv", b"", None), Err(FileError::Empty));
        let unknown = read_bytes("x.csv", b"a,b\n1,2\n", Some(&Column::Named("y".into()))).unwrap_err().to_string();
        assert!(unknown.contains("no column is named `y`"), "{unknown}");
    }

    /// Times [`read_matrix`] on the file named by `KDREPRO_LOAD` (bench/data_load.sh measures its peak memory).
    #[test]
    #[ignore = "a benchmark: bench/data_load.sh runs it on a 100 000 × 1 000 matrix"]
    fn load_benchmark() {
        let path = std::env::var("KDREPRO_LOAD").expect("KDREPRO_LOAD names the file to load");
        let start = std::time::Instant::now();
        let matrix = read_matrix(Path::new(&path), None).unwrap();
        let hash = super::super::hash(Path::new(&path)).unwrap();
        let (rows, columns) = (matrix.nrows(), matrix.ncols());
        println!(
            "kdrepro {path}: {:.2} s, shape ({rows}, {columns}), blake3 {}",
            start.elapsed().as_secs_f64(),
            &hash[..12]
        );
    }
}
