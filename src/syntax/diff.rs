//! A line diff in unified format, to show what `kdrepro fmt --check` would change.

/// One step of an edit script.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Edit {
    /// The line is in both texts.
    Keep,
    /// The line is only in the old text.
    Delete,
    /// The line is only in the new text.
    Insert,
}

/// Lines of unchanged context around each change.
const CONTEXT: usize = 3;

/// The largest table of differing lines diffed exactly; beyond it the differing middle is shown replaced whole.
const MAX_TABLE: usize = 4_000_000;

/// The unified diff (`---`/`+++` header, `@@` hunks, three lines of context) that turns `old` into `new`;
/// empty when the texts are equal.
pub fn unified_diff(old_name: &str, new_name: &str, old: &str, new: &str) -> String {
    let a: Vec<&str> = old.split_inclusive('\n').collect();
    let b: Vec<&str> = new.split_inclusive('\n').collect();
    // Each step with the old and new line index it stands at.
    let mut steps = Vec::new();
    let (mut i, mut j) = (0, 0);
    for edit in edits(&a, &b) {
        steps.push((edit, i, j));
        i += usize::from(edit != Edit::Insert);
        j += usize::from(edit != Edit::Delete);
    }
    let changed: Vec<usize> = (0..steps.len()).filter(|&k| steps[k].0 != Edit::Keep).collect();
    let Some(&first) = changed.first() else { return String::new() };
    let mut out = format!("--- {old_name}\n+++ {new_name}\n");
    let mut hunk = (first.saturating_sub(CONTEXT), (first + 1 + CONTEXT).min(steps.len()));
    for &k in &changed[1..] {
        if k > hunk.1 + CONTEXT {
            write_hunk(&mut out, &steps[hunk.0..hunk.1], &a, &b);
            hunk.0 = k - CONTEXT;
        }
        hunk.1 = (k + 1 + CONTEXT).min(steps.len());
    }
    write_hunk(&mut out, &steps[hunk.0..hunk.1], &a, &b);
    out
}

/// Writes one `@@ -l,s +l,s @@` hunk.
fn write_hunk(out: &mut String, steps: &[(Edit, usize, usize)], a: &[&str], b: &[&str]) {
    let old_count = steps.iter().filter(|s| s.0 != Edit::Insert).count();
    let new_count = steps.iter().filter(|s| s.0 != Edit::Delete).count();
    // Line numbers are 1-based; an empty side names the line before it.
    let start = |index: usize, count: usize| if count == 0 { index } else { index + 1 };
    let (_, i, j) = steps[0];
    out.push_str(&format!("@@ -{},{old_count} +{},{new_count} @@\n", start(i, old_count), start(j, new_count)));
    for &(edit, i, j) in steps {
        let (mark, line) = match edit {
            Edit::Keep => (' ', a[i]),
            Edit::Delete => ('-', a[i]),
            Edit::Insert => ('+', b[j]),
        };
        out.push(mark);
        out.push_str(line);
        if !line.ends_with('\n') {
            out.push_str("\n\\ No newline at end of file\n");
        }
    }
}

/// An edit script turning `old` into `new` that keeps a longest common subsequence of lines.
fn edits(old: &[&str], new: &[&str]) -> Vec<Edit> {
    let prefix = old.iter().zip(new).take_while(|(x, y)| x == y).count();
    let (old, new) = (&old[prefix..], &new[prefix..]);
    let suffix = old.iter().rev().zip(new.iter().rev()).take_while(|(x, y)| x == y).count();
    let mut script = vec![Edit::Keep; prefix];
    script.extend(middle(&old[..old.len() - suffix], &new[..new.len() - suffix]));
    script.extend(std::iter::repeat_n(Edit::Keep, suffix));
    script
}

/// The edit script of two texts without common first or last line, by the longest-common-subsequence table.
fn middle(a: &[&str], b: &[&str]) -> Vec<Edit> {
    if a.len().saturating_mul(b.len()) > MAX_TABLE {
        let mut script = vec![Edit::Delete; a.len()];
        script.extend(std::iter::repeat_n(Edit::Insert, b.len()));
        return script;
    }
    // lcs[i * w + j] = length of a longest common subsequence of a[i..] and b[j..].
    let w = b.len() + 1;
    let mut lcs = vec![0u32; (a.len() + 1) * w];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i * w + j] =
                if a[i] == b[j] { lcs[(i + 1) * w + j + 1] + 1 } else { lcs[(i + 1) * w + j].max(lcs[i * w + j + 1]) };
        }
    }
    let mut script = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        if a[i] == b[j] {
            script.push(Edit::Keep);
            (i, j) = (i + 1, j + 1);
        } else if lcs[(i + 1) * w + j] >= lcs[i * w + j + 1] {
            script.push(Edit::Delete);
            i += 1;
        } else {
            script.push(Edit::Insert);
            j += 1;
        }
    }
    script.extend(std::iter::repeat_n(Edit::Delete, a.len() - i));
    script.extend(std::iter::repeat_n(Edit::Insert, b.len() - j));
    script
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
        assert_eq!(pure_insert, "--- a\n+++ b\n@@ -0,0 +1,1 @@\n+x\n");
    }

    #[test]
    fn missing_final_newline_is_marked() {
        assert_eq!(
            unified_diff("a", "b", "x", "x\n"),
            "--- a\n+++ b\n@@ -1,1 +1,1 @@\n-x\n\\ No newline at end of file\n+x\n"
        );
    }
}
