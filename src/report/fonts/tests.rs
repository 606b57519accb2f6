use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::{FontError, Fonts, check_fonts};
use crate::diagnostics::{Diagnostic, Severity, Span};
use crate::report::pdf::compile;
use crate::report::world::ReportDate;

/// A theory-only spec whose title, surrogate label, a comment in its experiment, caption and claim label hold
/// 漢, 字 and 😀; a comment outside every excerpt and an unused declaration's label hold some too, but are not
/// printed. Its warnings as `check` prints them are the golden file beside it.
const SPEC: &str = include_str!("../../../tests/fixtures/warning_uncovered_characters.kd");

/// The fonts in `tests/fixtures/fonts`: subsets with 漢, 字 and 😀 (see the README there).
fn fixture_fonts() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fonts")
}

/// The warnings of `source` with `fonts`.
fn warnings(source: &str, fonts: &Fonts) -> Vec<Diagnostic> {
    let spec = crate::resolve(&crate::parse(source).unwrap(), source, std::path::Path::new(".")).unwrap();
    check_fonts(&spec, source, fonts)
}

/// The span of `inner` inside the one occurrence of `context` in `SPEC`.
fn span(context: &str, inner: &str) -> Span {
    let [(at, _)] = SPEC.match_indices(context).collect::<Vec<_>>()[..] else { panic!("{context} is not unique") };
    let start = at + context.find(inner).unwrap();
    Span::new(start, start + inner.len())
}

#[test]
fn issue_11_printed_characters_no_font_has_are_warned_at_their_place() {
    let found: Vec<(Severity, Span, String)> =
        warnings(SPEC, &Fonts::embedded()).into_iter().map(|d| (d.severity, d.span, d.message)).collect();
    let boxes = |chars: &str| format!("no font can show {chars}: they will print as empty boxes");
    let one_box = |chars: &str| format!("no font can show {chars}: it will print as an empty box");
    let expected = [
        (span("\"漢字 report 😀\"", "漢字 report 😀"), boxes("'漢' (U+6F22), '字' (U+5B57), '😀' (U+1F600)")),
        (span("\"Optimal 字\"", "字"), one_box("'字' (U+5B57)")),
        (span("// 字", "字"), one_box("'字' (U+5B57)")),
        (span("Risk 漢", "漢"), one_box("'漢' (U+6F22)")),
        (span("Optimal 漢 wins 😀", "漢 wins 😀"), boxes("'漢' (U+6F22), '😀' (U+1F600)")),
    ];
    assert_eq!(found, expected.map(|(span, message)| (Severity::Warning, span, message)));
}

#[test]
fn issue_11_fonts_from_a_font_path_silence_the_warning() {
    let fonts = Fonts::load(&[fixture_fonts()]).unwrap();
    assert_eq!(warnings(SPEC, &fonts), []);
}

#[test]
fn issue_11_many_characters_are_counted_past_the_eighth() {
    let source = "title \"一二三四五六七八九十\"\n";
    let found = warnings(source, &Fonts::embedded());
    assert_eq!(found.len(), 1);
    assert!(found[0].message.ends_with("'八' (U+516B), and 2 more: they will print as empty boxes"), "{found:?}");
}

#[test]
fn issue_11_spaces_joiners_and_variation_selectors_need_no_glyph() {
    let source = "title \"a\u{00A0}b\u{200D}c\u{FE0F}d\u{2009}e\u{00AD}f\u{3000}g\"\n";
    assert_eq!(warnings(source, &Fonts::embedded()), []);
}

#[test]
fn issue_11_the_repository_specs_need_no_other_font() {
    let specs = Path::new(env!("CARGO_MANIFEST_DIR")).join("specs");
    let fonts = Fonts::embedded();
    for name in ["paper.kd", "bench/fig1b.kd", "bench/fig1b_nested.kd", "bench/memory.kd"] {
        let path = specs.join(name);
        let source = std::fs::read_to_string(&path).unwrap();
        let found = warnings(&source, &fonts);
        assert!(found.is_empty(), "{}: {found:?}", path.display());
    }
}

#[test]
fn issue_11_added_fonts_come_after_the_embedded_ones_in_path_order() {
    let embedded = Fonts::embedded();
    let fonts = Fonts::load(&[fixture_fonts()]).unwrap();
    let count = embedded.fonts.len();
    assert_eq!(fonts.fonts.len(), count + 2);
    let names: Vec<Option<String>> = fonts.fonts[count..].iter().map(typst::text::Font::post_script_name).collect();
    // `cjk/` sorts before `emoji/`.
    assert_eq!(names, [Some("DroidSansFallback".to_owned()), Some("NotoColorEmoji".to_owned())]);
    assert_eq!(fonts.book().info(count).map(|i| i.family.as_str()), Some("Droid Sans Fallback"));
}

#[test]
fn issue_11_unusable_font_paths_are_errors() {
    let scratch = std::env::temp_dir().join(format!("kdrepro-fonts-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(scratch.join("empty")).unwrap();
    std::fs::create_dir_all(scratch.join("broken")).unwrap();
    std::fs::write(scratch.join("broken/fake.TTF"), "not a font").unwrap();
    let missing = Fonts::load(&[scratch.join("missing")]).err().unwrap();
    assert!(matches!(missing, FontError::Read(..)), "{missing}");
    assert!(missing.to_string().starts_with(&format!("cannot read {}", scratch.join("missing").display())));
    let empty = Fonts::load(&[scratch.join("empty")]).err().unwrap();
    assert_eq!(
        empty.to_string(),
        format!("no font file (.ttf, .otf, .ttc, .otc) under {}", scratch.join("empty").display())
    );
    let broken = Fonts::load(&[scratch.join("broken")]).err().unwrap();
    assert_eq!(
        broken.to_string(),
        format!("{} is not a font kdrepro can read", scratch.join("broken/fake.TTF").display())
    );
    std::fs::remove_dir_all(&scratch).unwrap();
}

#[test]
fn issue_11_added_fonts_are_embedded_in_the_pdf_deterministically() {
    let fonts = Fonts::load(&[fixture_fonts()]).unwrap();
    let date = ReportDate { year: 2025, month: 1, day: 2 };
    let pdf = |fonts: &Fonts| compile("= 漢字 😀\n漢字 😀", &BTreeMap::new(), date, fonts).unwrap();
    let (first, again) = (pdf(&fonts), pdf(&Fonts::load(&[fixture_fonts()]).unwrap()));
    assert!(first.warnings.is_empty(), "{:?}", first.warnings);
    assert!(first.bytes == again.bytes, "the same fonts gave different PDFs");
    let contains = |needle: &str| first.bytes.windows(needle.len()).any(|w| w == needle.as_bytes());
    assert!(contains("DroidSansFallback"), "the CJK font is not embedded");
    assert!(pdf(&Fonts::embedded()).bytes != first.bytes);
}
