use std::collections::BTreeMap;

use super::{compile, compile_pdf};
use crate::report::error::{ReportDiagnostic, Severity};
use crate::report::fonts::Fonts;
use crate::report::{ReportDate, ReportError};

const DATE: ReportDate = ReportDate { year: 2025, month: 1, day: 2 };

/// Text, a table, an equation and an included figure file that itself includes a sibling by relative path.
const DOCUMENT: &str = r#"
#set document(title: "Test report")
= Knowledge distillation

The optimal surrogate beats the teacher. #include "figures/fig1b.typ"

#table(columns: 3, [$n$], [truth], [optimal], [100], [0.31], [0.27])

$ R(hat(beta)) approx (sigma^2 Omega + B) / (1 - Omega) $

#let rows = csv("data/points.csv")
#assert.eq(rows.len(), 2)
#assert.eq(datetime.today(), datetime(year: 2025, month: 1, day: 2))
"#;

fn files() -> BTreeMap<String, Vec<u8>> {
    BTreeMap::from([
        ("figures/fig1b.typ".to_owned(), b"Figure: #include \"caption.typ\"".to_vec()),
        ("figures/caption.typ".to_owned(), b"risk against $n$.".to_vec()),
        ("data/points.csv".to_owned(), b"n,risk\n100,0.31\n".to_vec()),
    ])
}

/// The diagnostics of a failed compilation (panics on success or on a non-Typst error).
fn diagnostics(main: &str, files: &BTreeMap<String, Vec<u8>>) -> Vec<ReportDiagnostic> {
    match compile_pdf(main, files, DATE) {
        Err(ReportError::Compile(diagnostics)) => diagnostics,
        other => panic!("expected a compile error, got {other:?}"),
    }
}

#[test]
fn document_with_text_table_math_and_includes_compiles_to_pdf() {
    let pdf = compile_pdf(DOCUMENT, &files(), DATE).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    assert!(pdf.ends_with(b"%%EOF") || pdf.ends_with(b"%%EOF\n"));
}

#[test]
fn pdf_creation_date_is_the_fixed_date() {
    let pdf = compile_pdf("Hello", &BTreeMap::new(), DATE).unwrap();
    let needle = b"D:20250102";
    assert!(pdf.windows(needle.len()).any(|w| w == needle));
}

#[test]
fn compiling_twice_and_in_threads_gives_identical_bytes() {
    let first = compile_pdf(DOCUMENT, &files(), DATE).unwrap();
    let again = compile_pdf(DOCUMENT, &files(), DATE).unwrap();
    assert!(first == again, "second compilation differs");
    let threaded: Vec<Vec<u8>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..2).map(|_| scope.spawn(|| compile_pdf(DOCUMENT, &files(), DATE).unwrap())).collect();
        handles.into_iter().map(|handle| handle.join().unwrap()).collect()
    });
    assert!(threaded.iter().all(|pdf| *pdf == first), "threaded compilation differs");
}

#[test]
fn syntax_error_names_line_and_column() {
    let errors = diagnostics("first line\nb #[unclosed\n", &BTreeMap::new());
    let location = errors[0].location.as_ref().unwrap();
    assert_eq!((location.path.as_str(), location.line, location.column), ("/main.typ", 2, 4));
    assert_eq!(errors[0].severity, Severity::Error);
    let text = ReportError::Compile(errors).to_string();
    assert!(text.contains("/main.typ:2:4: "), "{text}");
}

#[test]
fn error_in_included_file_points_into_that_file() {
    let files = BTreeMap::from([("figures/bad.typ".to_owned(), b"ok\n  #undefined-name".to_vec())]);
    let errors = diagnostics("#include \"figures/bad.typ\"", &files);
    let location = errors[0].location.as_ref().unwrap();
    assert_eq!((location.path.as_str(), location.line, location.column), ("/figures/bad.typ", 2, 4));
    assert!(errors[0].message.contains("undefined-name"), "{}", errors[0].message);
}

#[test]
fn absolute_paths_outside_the_map_are_not_found() {
    for main in ["#read(\"/etc/passwd\")", "#image(\"/etc/passwd\")", "#read(\"/proc/self/environ\")"] {
        let errors = diagnostics(main, &BTreeMap::new());
        assert!(errors[0].message.contains("not found"), "{main}: {}", errors[0].message);
    }
}

#[test]
fn parent_directory_escapes_are_refused() {
    let errors = diagnostics("#read(\"../../../../etc/passwd\")", &BTreeMap::new());
    assert_eq!(errors[0].location.as_ref().unwrap().line, 1);
}

#[test]
fn package_imports_fail_without_network() {
    let errors = diagnostics("#import \"@preview/cetz:0.3.0\": canvas", &BTreeMap::new());
    assert!(errors[0].message.contains("package not found"), "{}", errors[0].message);
}

#[test]
fn file_keys_that_escape_the_root_are_rejected() {
    let files = BTreeMap::from([("../outside.typ".to_owned(), Vec::new())]);
    assert!(matches!(compile_pdf("", &files, DATE), Err(ReportError::InvalidFilePath { .. })));
    let files = BTreeMap::from([("./main.typ".to_owned(), Vec::new())]);
    assert!(matches!(compile_pdf("", &files, DATE), Err(ReportError::InvalidFilePath { .. })));
}

#[test]
fn invalid_dates_are_rejected() {
    let date = ReportDate { year: 2025, month: 2, day: 30 };
    assert_eq!(compile_pdf("", &BTreeMap::new(), date), Err(ReportError::InvalidDate(date)));
}

#[test]
fn warnings_are_returned_not_printed() {
    // An unknown font family is a warning in Typst, not an error.
    let compiled =
        compile("#set text(font: \"No Such Font\")\nHello", &BTreeMap::new(), DATE, &Fonts::embedded()).unwrap();
    assert!(compiled.warnings.iter().any(|w| w.severity == Severity::Warning && w.message.contains("font")));
}
