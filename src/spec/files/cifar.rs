//! The CIFAR-10 binary format (Krizhevsky 2009, "CIFAR-10 binary version"), read from a local directory: kdrepro
//! never downloads it.
//!
//! The directory holds `data_batch_1.bin` … `data_batch_5.bin` (the 50 000 training images) and `test_batch.bin`
//! (10 000 test images). Each file is a sequence of 3073-byte records: one label byte, a class 0–9, then the
//! 3072 pixel bytes of a 32 × 32 colour image, the 1024 red values, then the green, then the blue, each row-major.

use std::path::Path;

use faer::Mat;

use super::FileError;
use crate::spec::dataset::{Dataset, Labels};

/// The training batches, in the order they are concatenated.
pub(crate) const TRAIN: [&str; 5] =
    ["data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"];
/// The test batch.
pub(crate) const TEST: &str = "test_batch.bin";
/// Records in each of CIFAR-10's batches.
const RECORDS: usize = 10_000;
/// Pixel values per image: 3 channels × 32 × 32.
pub(crate) const PIXELS: usize = 3 * 32 * 32;
/// The classes: airplane, automobile, bird, cat, deer, dog, frog, horse, ship, truck.
pub(crate) const CLASSES: usize = 10;

/// Which of CIFAR-10's images to read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Images {
    /// The five training batches, in order: 50 000 images.
    Train,
    /// The test batch: 10 000 images.
    Test,
}

/// Reads the CIFAR-10 binary batches of `images` in `directory`, which must hold all six: features are the 3072
/// pixel bytes of each record divided by 255 (in [0, 1], in the file's order: red, green, blue planes, each
/// row-major), labels the classes 0..9 (N × 3072 f64: 1.2 GB for the training images).
///
/// # Errors
/// [`FileError::Format`] when the directory or a batch is missing (saying what to download and where to put
/// it), a file is not a whole number of records (truncated), or a label byte is not a class 0–9 (its record).
pub(crate) fn read_cifar10(directory: &Path, images: Images) -> Result<Dataset, FileError> {
    if directory.exists() && !directory.is_dir() {
        return Err(FileError::Format(format!("is a file, not a directory: {}", download(directory))));
    }
    let missing: Vec<&str> = TRAIN.iter().chain([&TEST]).copied().filter(|f| !directory.join(f).is_file()).collect();
    if !missing.is_empty() {
        let what = if directory.is_dir() {
            format!("the directory lacks {} (or has a directory of that name)", missing.join(", "))
        } else {
            "the directory does not exist".to_owned()
        };
        return Err(FileError::Format(format!("{what}: {}", download(directory))));
    }
    match images {
        Images::Train => read_batches(directory, &TRAIN),
        Images::Test => read_batches(directory, &[TEST]),
    }
}

/// What to download and where to put it (`directory` without its `.` and `dir/..` steps: `specs/../data` is
/// `data`).
fn download(directory: &Path) -> String {
    let directory = lexically_normal(directory);
    format!(
        "download the \"CIFAR-10 binary version\" from https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz \
         (162 MB), unpack it with `tar xzf cifar-10-binary.tar.gz` (it makes `cifar-10-batches-bin/`), and put \
         its `data_batch_1.bin` … `data_batch_5.bin` and `test_batch.bin` in `{}`",
        directory.display()
    )
}

/// `path` with `.` components dropped and each `name/..` pair removed, without reading the file system (a `..`
/// that follows a symbolic link may then name another place; the message only says where to put the files).
fn lexically_normal(path: &Path) -> std::path::PathBuf {
    use std::path::Component;
    let mut out = std::path::PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir if matches!(out.components().next_back(), Some(Component::Normal(_))) => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    if out.as_os_str().is_empty() { std::path::PathBuf::from(".") } else { out }
}

/// The records of `files` in `directory`, concatenated.
fn read_batches(directory: &Path, files: &[&str]) -> Result<Dataset, FileError> {
    let record = PIXELS + 1;
    let mut batches = Vec::with_capacity(files.len());
    for name in files {
        let bytes = std::fs::read(directory.join(name)).map_err(|e| FileError::Io(format!("`{name}`: {e}")))?;
        if bytes.is_empty() || !bytes.len().is_multiple_of(record) {
            return Err(FileError::Format(format!(
                "`{name}` has {} bytes, not a whole number of {record}-byte records (1 label byte, {PIXELS} pixel \
                 bytes): the file is truncated or not CIFAR-10's binary version",
                bytes.len()
            )));
        }
        if let Some((r, label)) = bytes.chunks_exact(record).map(|r| r[0]).enumerate().find(|&(_, l)| l >= 10) {
            return Err(FileError::Format(format!(
                "`{name}`, record {r} (from 0): label byte {label} is not a class 0–9"
            )));
        }
        batches.push(bytes);
    }
    let records: Vec<&[u8]> = batches.iter().flat_map(|b| b.chunks_exact(record)).collect();
    let features = Mat::from_fn(records.len(), PIXELS, |i, j| f64::from(records[i][1 + j]) / 255.0);
    let classes = records.iter().map(|r| u32::from(r[0])).collect();
    // A copy with fewer records than CIFAR-10's 10 000 per batch says so wherever the report names it.
    let (rows, expected) = (records.len(), RECORDS * files.len());
    let name = if rows == expected {
        "CIFAR-10".to_owned()
    } else {
        format!("CIFAR-10, a partial copy with {rows} of its {expected} images")
    };
    Ok(Dataset { name, features, labels: Labels::Classes { classes, count: CLASSES } })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A batch of records in CIFAR-10's binary format: record r has label `labels[r]` and pixel j = (r + j) mod 256.
    fn batch(labels: &[u8]) -> Vec<u8> {
        labels
            .iter()
            .enumerate()
            .flat_map(|(r, &l)| std::iter::once(l).chain((0..PIXELS).map(move |j| ((r + j) % 256) as u8)))
            .collect()
    }

    /// A directory with every batch, batch b (1–5; 6 the test batch) holding two records labelled b − 1 and b.
    fn directory() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (b, name) in TRAIN.iter().chain([&TEST]).enumerate() {
            std::fs::write(dir.path().join(name), batch(&[b as u8, b as u8 + 1])).unwrap();
        }
        dir
    }

    #[test]
    fn reads_every_batch_with_pixels_in_the_unit_interval() {
        let dir = directory();
        let train = read_cifar10(dir.path(), Images::Train).unwrap();
        let test = read_cifar10(dir.path(), Images::Test).unwrap();
        assert_eq!((train.features.nrows(), train.features.ncols()), (10, PIXELS));
        assert_eq!(train.labels, Labels::Classes { classes: vec![0, 1, 1, 2, 2, 3, 3, 4, 4, 5], count: 10 });
        assert_eq!(test.labels, Labels::Classes { classes: vec![5, 6], count: 10 });
        assert_eq!(train.name, "CIFAR-10, a partial copy with 10 of its 50000 images");
        // Record 1 of a batch, pixel 1024 (the first green value): (1 + 1024) mod 256 = 1, scaled by 1/255.
        assert_eq!(train.features[(1, 1024)], 1.0 / 255.0);
        assert_eq!(train.features[(0, 255)], 1.0);
        assert!(test.features.col_iter().flat_map(|c| c.iter().copied()).all(|x| (0.0..=1.0).contains(&x)));
    }

    #[test]
    fn a_missing_directory_or_batch_says_what_to_download_and_where() {
        let absent =
            read_cifar10(Path::new("/nonexistent/cifar-10-batches-bin"), Images::Train).err().unwrap().to_string();
        assert!(absent.starts_with("the directory does not exist: download"), "{absent}");
        assert!(absent.contains("https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz"), "{absent}");
        assert!(absent.contains("`/nonexistent/cifar-10-batches-bin`"), "{absent}");
        assert_eq!(lexically_normal(Path::new("specs/../data/./cifar")), Path::new("data/cifar"));
        assert_eq!(lexically_normal(Path::new("../a/b/../../c")), Path::new("../c"));
        assert_eq!(lexically_normal(Path::new("a/..")), Path::new("."));
        let dir = directory();
        std::fs::remove_file(dir.path().join("data_batch_4.bin")).unwrap();
        let missing = read_cifar10(dir.path(), Images::Train).err().unwrap().to_string();
        assert!(
            missing.starts_with("the directory lacks data_batch_4.bin (or has a directory of that name): download"),
            "{missing}"
        );
        std::fs::create_dir(dir.path().join("data_batch_4.bin")).unwrap();
        let directory = read_cifar10(dir.path(), Images::Train).err().unwrap().to_string();
        assert!(directory.starts_with("the directory lacks data_batch_4.bin (or has"), "{directory}");
        let file = read_cifar10(&dir.path().join("test_batch.bin"), Images::Train).err().unwrap().to_string();
        assert!(file.starts_with("is a file, not a directory: download"), "{file}");
    }

    #[test]
    fn truncated_records_and_labels_beyond_nine_are_refused() {
        let dir = directory();
        let mut truncated = batch(&[1, 2]);
        truncated.pop();
        std::fs::write(dir.path().join("data_batch_2.bin"), truncated).unwrap();
        let error = read_cifar10(dir.path(), Images::Train).err().unwrap().to_string();
        assert!(error.starts_with("`data_batch_2.bin` has 6145 bytes, not a whole number of 3073-byte"), "{error}");
        std::fs::write(dir.path().join("data_batch_2.bin"), batch(&[1, 12])).unwrap();
        let error = read_cifar10(dir.path(), Images::Train).err().unwrap().to_string();
        assert_eq!(error, "`data_batch_2.bin`, record 1 (from 0): label byte 12 is not a class 0–9");
        std::fs::write(dir.path().join("test_batch.bin"), []).unwrap();
        let error = read_cifar10(dir.path(), Images::Test).err().unwrap().to_string();
        assert!(error.starts_with("`test_batch.bin` has 0 bytes"), "{error}");
    }
}
