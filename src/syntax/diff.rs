//! A line diff in unified format, to show what `kdrepro fmt --check` would change (the `similar` crate's Myers
//! diff, which is linear in memory and has no size cap).

/// Lines of unchanged context around each change.
const CONTEXT: usize = 3;

/// The unified diff (`---`/`+++` header, `@@` hunks, three lines of context, `\ No newline at end of file`
/// where a text lacks its final newline) that turns `old` into `new`; empty when the texts are equal.
pub fn unified_diff(old_name: &str, new_name: &str, old: &str, new: &str) -> String {
    if old == new {
        return String::new();
    }
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(CONTEXT)
        .missing_newline_hint(true)
        .header(old_name, new_name)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_texts_have_no_diff() {
        assert_eq!(unified_diff("a", "b", "x\ny\n", "x\ny\n"), "");
    }

    #[test]
    fn one_changed_line_with_context() {
        let old = "1\n2\n3\n4\n5\n6\n7\n8\n9\n";
        let new = "1\n2\n3\n4\nfive\n6\n7\n8\n9\n";
        let expected = "--- a\n+++ b\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n";
        assert_eq!(unified_diff("a", "b", old, new), expected);
    }

    #[test]
    fn distant_changes_make_two_hunks_and_insertions_count_from_the_line_before() {
        let old: String = (1..=20).fold(String::new(), |text, i| text + &i.to_string() + "\n");
        let new = old.replace("2\n3\n", "2\nnew\n3\n").replace("19\n", "");
        let diff = unified_diff("a", "b", &old, &new);
        assert!(diff.contains("@@ -1,5 +1,6 @@\n 1\n 2\n+new\n 3\n 4\n 5\n"), "{diff}");
        assert!(diff.contains("@@ -16,5 +17,4 @@\n 16\n 17\n 18\n-19\n 20\n"), "{diff}");
        let pure_insert = unified_diff("a", "b", "", "x\n");
        // As GNU diff writes it: a count of one is left out.
        assert_eq!(pure_insert, "--- a\n+++ b\n@@ -0,0 +1 @@\n+x\n");
    }

    #[test]
    fn large_texts_are_diffed_line_by_line() {
        // 5000 lines each, one changed: the old table (25 million cells) replaced the whole text beyond its cap.
        let old = (0..5000).fold(String::new(), |text, i| text + &i.to_string() + "\n");
        let new = old.replace("\n2500\n", "\nchanged\n");
        let diff = unified_diff("a", "b", &old, &new);
        assert_eq!(
            diff,
            "--- a\n+++ b\n@@ -2498,7 +2498,7 @@\n 2497\n 2498\n 2499\n-2500\n+changed\n 2501\n 2502\n 2503\n"
        );
    }

    #[test]
    fn missing_final_newline_is_marked() {
        assert_eq!(
            unified_diff("a", "b", "x", "x\n"),
            "--- a\n+++ b\n@@ -1 +1 @@\n-x\n\\ No newline at end of file\n+x\n"
        );
    }
}
