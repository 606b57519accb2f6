//! Real datasets a task draws its rows from (issue 18 item 4): rows of features with class labels, loaded without
//! any download. The one shipped here is the UCI optical digits, which the smartcore crate embeds in its library.

use faer::Mat;

/// The labels of a dataset's rows.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Labels {
    /// Class labels 0..classes, one per row, and the number of classes.
    Classes(Vec<u32>, usize),
}

/// A dataset: `features` (rows × d) and one label per row.
#[derive(Clone, Debug)]
pub(crate) struct Dataset {
    /// Its name, as the report cites it.
    pub(crate) name: &'static str,
    /// The features, one row per example.
    pub(crate) features: Mat<f64>,
    /// The labels, one per row.
    pub(crate) labels: Labels,
}

impl PartialEq for Dataset {
    fn eq(&self, other: &Self) -> bool {
        self.digest() == other.digest()
    }
}

impl Dataset {
    /// blake3 of its shape, features (row-major, little-endian f64) and labels: what the cache key holds.
    pub(crate) fn digest(&self) -> [u8; 32] {
        let mut hasher = blake3::Hasher::new();
        let (rows, d) = self.features.shape();
        hasher.update(&(rows as u64).to_le_bytes()).update(&(d as u64).to_le_bytes());
        for i in 0..rows {
            for j in 0..d {
                hasher.update(&self.features[(i, j)].to_le_bytes());
            }
        }
        let Labels::Classes(labels, classes) = &self.labels;
        hasher.update(&(*classes as u64).to_le_bytes());
        for y in labels {
            hasher.update(&y.to_le_bytes());
        }
        *hasher.finalize().as_bytes()
    }

    /// The number of classes.
    pub(crate) fn classes(&self) -> usize {
        let Labels::Classes(_, classes) = &self.labels;
        *classes
    }

    /// The class of row i.
    pub(crate) fn class(&self, i: usize) -> usize {
        let Labels::Classes(labels, _) = &self.labels;
        labels[i] as usize
    }

    /// Each feature centred and scaled to unit variance over the rows (population variance); a feature that is
    /// constant stays 0. A fixed, label-free preprocessing, so that a random first layer with N(0, 1/d) weights
    /// sees pre-activations of unit order.
    pub(crate) fn standardised(&self) -> Self {
        let (rows, d) = self.features.shape();
        let mut features = self.features.clone();
        for j in 0..d {
            let column = features.col(j);
            let mean = column.iter().sum::<f64>() / rows as f64;
            let var = column.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / rows as f64;
            let scale = if var > 0.0 { 1.0 / var.sqrt() } else { 0.0 };
            features.col_mut(j).iter_mut().for_each(|x| *x = (*x - mean) * scale);
        }
        Self { features, ..self.clone() }
    }

    /// The eigenvalues of the empirical covariance (1/rows) XᵀX of its features, largest first: the spectrum a
    /// theory of the task would use (issue 18 item 1). Eigenvalues below 0 by round-off are set to 0.
    pub(crate) fn covariance_eigenvalues(&self) -> Vec<f64> {
        let rows = self.features.nrows() as f64;
        let covariance = self.features.transpose() * &self.features * faer::Scale(1.0 / rows);
        let mut lambda = covariance
            .self_adjoint_eigenvalues(faer::Side::Lower)
            .expect("the eigenvalues of a small symmetric matrix converge");
        for l in &mut lambda {
            *l = l.max(0.0);
        }
        lambda.reverse();
        lambda
    }
}

/// The UCI "Optical Recognition of Handwritten Digits" test set as scikit-learn's `load_digits` ships it: 1797
/// images of 8 × 8 pixels (64 features, integers 0..16), 10 classes (the digits 0..9, 174 to 183 images each).
/// Alpaydin & Kaynak (1998), https://archive.ics.uci.edu/dataset/80, licence CC BY 4.0; embedded in the smartcore
/// crate (Apache-2.0) as `src/dataset/digits.xy` through `include_bytes!`, so no file is read and nothing is
/// downloaded.
pub(crate) fn digits() -> Dataset {
    let raw = smartcore::dataset::digits::load_dataset();
    let (rows, d) = (raw.num_samples, raw.num_features);
    let features = Mat::from_fn(rows, d, |i, j| f64::from(raw.data[i * d + j]));
    // The targets are the digits as f32 (exact small integers).
    let labels = raw.target.iter().map(|&y| y as u32).collect();
    Dataset { name: "UCI optical digits", features, labels: Labels::Classes(labels, 10) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_have_their_documented_shape_and_class_counts() {
        let data = digits();
        assert_eq!(data.features.shape(), (1797, 64));
        let mut counts = [0; 10];
        for i in 0..1797 {
            counts[data.class(i)] += 1;
        }
        // scikit-learn's `load_digits` documentation: about 180 images per class.
        assert_eq!(counts, [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]);
        let pixels = || (0..1797).flat_map(|i| (0..64).map(move |j| (i, j)));
        assert!(
            pixels()
                .all(|(i, j)| (0.0..=16.0).contains(&data.features[(i, j)]) && data.features[(i, j)].fract() == 0.0)
        );
        assert_eq!(data.features[(0, 2)], 5.0, "the first image as scikit-learn prints it: 0, 0, 5, 13, 9, 1, ...");
    }

    #[test]
    fn standardised_features_have_zero_mean_and_unit_variance() {
        let data = digits().standardised();
        for j in 0..64 {
            let column = data.features.col(j);
            let mean = column.iter().sum::<f64>() / 1797.0;
            let var = column.iter().map(|x| x * x).sum::<f64>() / 1797.0;
            assert!(mean.abs() < 1e-12, "mean of pixel {j}: {mean}");
            // Pixel 0 (a corner) is blank in every image.
            assert!((var - 1.0).abs() < 1e-12 || var == 0.0, "variance of pixel {j}: {var}");
        }
        let lambda = data.covariance_eigenvalues();
        let trace: f64 = lambda.iter().sum();
        let live = (0..64).filter(|&j| data.features.col(j).iter().any(|&x| x != 0.0)).count();
        assert!((trace - live as f64).abs() < 1e-9, "tr Σ is the number of non-constant pixels");
        assert!(lambda.windows(2).all(|w| w[0] >= w[1]));
    }
}
