//! Bad specs: each gives its located diagnostic (an `insta` snapshot, `tests/snapshots/NAME.snap`) and exit
//! code 2; specs with warnings (`warning_*`) give their warnings and exit code 0. After a deliberate change of a
//! diagnostic, review and accept the new snapshots with `INSTA_UPDATE=always cargo test --release --test integration
//! errors` and `git diff tests/snapshots` (or `cargo insta review`, with cargo-insta installed).

use std::path::Path;

use crate::support::kdrepro;

/// Checks `tests/fixtures/NAME.kd`'s diagnostics against its snapshot and the exit code `code`.
fn check_fixture(name: &str, code: i32) {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let out = kdrepro(&fixtures, &["check", &format!("{name}.kd")], &[]);
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(code), "{name}.kd: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    insta::with_settings!({ snapshot_path => "snapshots", prepend_module_to_snapshot => false, omit_expression => true }, {
        insta::assert_snapshot!(name, stderr);
    });
}

/// One test per fixture, each expecting exit code `$code`.
macro_rules! fixtures {
    ($code:literal: $($name:ident),* $(,)?) => {
        $(#[test] fn $name() { check_fixture(stringify!($name), $code); })*
    };
}

fixtures! {
    2:
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
    infinite_expected_risk,
    infinite_expected_risk_least_squares,
    infinite_expected_risk_zero_eigenvalues,
    infinite_expected_risk_weak_surrogate,
    binary_garbage,
    empty,
    unterminated_string,
    unclosed_brace,
    bad_number,
    duplicate_setting,
    unknown_block,
    unknown_declaration,
    list_for_number,
    data_file_missing,
    data_file_nan,
    data_file_negative,
    data_file_not_a_number,
    data_file_wrong_length,
    claim_without_label,
    claim_without_rule,
    holds_not_strict,
    series_of_two_experiments,
    unknown_series,
    at_outside_sweep,
    nested_needs_min_norm,
    figure_of_undefined_experiment,
    measure_needs_powerlaw,
    trials_on_theory_measure,
    teacher_of_non_erm,
    seed_too_large,
    huge_number,
    p_beyond_cap,
    too_many_sweep_points,
    crlf,
    unknown_argument,
    unknown_measure,
    two_rules,
    series_compared_with_itself,
    unknown_figure_series,
    confidence_out_of_range,
    relative_tolerance_too_large,
    experiment_used_before_defined,
    options_not_for_rule,
    agree_without_tolerance,
    precision_is_gone,
    equal_at_different_n,
    trials_auto_cap_too_small,
    contradicted_without_reason,
    erm_with_design,
    unused_declaration_is_checked,
    noise_too_large,
    data_task_ragged,
    data_task_not_a_number,
    data_task_rows_mismatch,
    data_task_one_dimensional,
    data_task_missing,
    data_task_more_rows_than_data,
    cifar10_missing,
    cifar10_class_and_test,
    cifar10_neither_class_nor_test,
    data_task_labels_not_classes,
    data_task_test_leaves_no_rows,
    data_task_one_class,
    accuracy_of_a_regression_task,
}

fixtures! {
    0:
    warning_unused_declaration,
    warning_claim_tests_nothing,
    warning_too_few_trials,
    warning_infinite_variance,
    warning_uncovered_characters,
}
