//! Bad specs: each gives its located diagnostic (golden file `tests/fixtures/NAME.stderr`) and exit code 2.
//! Regenerate the golden files with `SNAPSHOTS=overwrite cargo test --release --test integration`.

use std::path::Path;

use crate::support::kdrepro;

/// Checks `tests/fixtures/NAME.kd` against `tests/fixtures/NAME.stderr`.
fn check_fixture(name: &str) {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let out = kdrepro(&fixtures, &["check", &format!("{name}.kd")], &[]);
    let stderr = String::from_utf8(out.stderr).unwrap();
    let golden = fixtures.join(format!("{name}.stderr"));
    if std::env::var_os("SNAPSHOTS").is_some_and(|v| v == "overwrite") {
        std::fs::write(&golden, &stderr).unwrap();
    }
    let expected = std::fs::read_to_string(&golden).unwrap_or_default();
    assert_eq!(stderr, expected, "diagnostic of {name}.kd differs from its golden file");
    assert_eq!(out.status.code(), Some(2), "{name}.kd: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// One test per fixture.
macro_rules! fixtures {
    ($($name:ident),* $(,)?) => {
        $(#[test] fn $name() { check_fixture(stringify!($name)); })*
    };
}

fixtures! {
    syntax_error,
    unknown_name,
    wrong_kind,
    wrong_argument_kind,
    p_not_positive,
    alpha_not_positive,
    negative_noise,
    zero_trials,
    zero_n,
    empty_range,
    unknown_setting,
    unknown_surrogate_kind,
    duplicate_name,
    missing_setting,
    interpolation_threshold,
    binary_garbage,
    empty,
}
