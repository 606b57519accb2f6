//! A [`ResultsDiff`] in words: plain text for the terminal, Markdown for a pull-request comment (a short summary
//! first, then tables, the long lists collapsed in `<details>`).

use super::{
    MeanChange, NotCompared, PointName, Real, RelativeChange, ResultsDiff, SeriesName, SettingChange, TheoryChange,
};
use crate::numbers::{p_value, sig};

impl ResultsDiff {
    /// The diff as plain text for a terminal.
    pub fn to_text(&self) -> String {
        let mut out = format!("kdrepro diff: {} → {}\n", self.old.path, self.new.path);
        out += &format!("{}\n", self.headline());
        out += &format!("{}\n", self.means_sentence());
        let mut section = |title: &str, lines: Vec<String>| {
            if !lines.is_empty() {
                out += &format!("\n{title}\n");
                for line in &lines {
                    out += &format!("  {line}\n");
                }
            }
        };
        section("verdicts", self.verdicts.iter().map(|v| format!("{}: {} → {}", v.claim, v.old, v.new)).collect());
        section("claims added", self.claims_added.clone());
        section("claims removed", self.claims_removed.clone());
        for (title, structure) in [("added", &self.added), ("removed", &self.removed)] {
            section(&format!("experiments {title}"), structure.experiments.clone());
            section(&format!("figures {title}"), structure.figures.clone());
            section(&format!("series {title}"), structure.series.iter().map(series_name).collect());
            section(&format!("points {title}"), structure.points.iter().map(point_name).collect());
        }
        section(
            "theory",
            self.theory
                .iter()
                .map(|t| format!("{}: {}", series(&t.experiment, &t.series), self.theory_words(t)))
                .collect(),
        );
        section(
            "simulated means, significant changes",
            self.means
                .significant
                .iter()
                .map(|m| format!("{}: {}", self.at(&m.experiment, &m.series, m.x), mean_words(m)))
                .collect(),
        );
        section("not compared", self.means.not_compared.iter().map(|n| self.not_compared(n)).collect());
        section("settings", self.settings.iter().map(setting_words).collect());
        section("provenance", self.provenance.iter().map(setting_words).collect());
        out
    }

    /// The diff as GitHub-flavoured Markdown for a pull-request comment: the headline and the means' test, then a
    /// table per kind of change, the long ones (means, settings) collapsed.
    pub fn to_markdown(&self) -> String {
        let build = |b: &super::Build| {
            let commit: String = b.commit.chars().take(12).collect();
            format!("{} (seed {}, commit {})", escape(&b.path), b.seed, escape(&commit))
        };
        let mut out = format!("### kdrepro diff: {}\n\n", self.headline());
        out += &format!("{} → {}\n\n", build(&self.old), build(&self.new));
        out += &format!("- {}\n", self.means_sentence());
        let settings = self.settings.len() + self.provenance.len();
        if settings > 0 {
            out += &format!("- settings and provenance: {settings} changed (below)\n");
        }
        let verdicts = self.verdicts.iter().map(|v| vec![quoted(&v.claim), v.old.clone(), format!("**{}**", v.new)]);
        table(&mut out, "Verdict changes", &["claim", "old", "new"], verdicts.collect(), false);
        let added = self.claims_added.iter().map(|c| vec![quoted(c), "added".to_owned()]);
        let claims = added.chain(self.claims_removed.iter().map(|c| vec![quoted(c), "removed".to_owned()]));
        table(&mut out, "Claims added or removed", &["claim", "change"], claims.collect(), false);
        let header = ["experiment", "series", "points changed", "largest relative change"];
        table(&mut out, "Theory changes", &header, self.theory_rows(), false);
        table(&mut out, "Structure", &["kind", "name", "change"], self.structure_rows(), false);
        let title = format!(
            "Simulated means: {} significant of {} compared",
            self.means.significant.len(),
            self.means.compared
        );
        let header = ["series", "at", "old (mean ± se)", "new (mean ± se)", "p (Holm-adjusted)"];
        table(&mut out, &title, &header, self.mean_rows(), true);
        let skipped = self.means.not_compared.iter().map(|n| {
            vec![quoted(&series(&n.experiment, &n.series)), self.x_words(&n.experiment, n.x), escape(&n.reason)]
        });
        let n = self.means.not_compared.len();
        let title = format!("Not compared: {n} simulated point{}", if n == 1 { "" } else { "s" });
        table(&mut out, &title, &["series", "at", "why"], skipped.collect(), true);
        let settings_rows = self.settings.iter().chain(&self.provenance).map(|s| {
            let or_none = |v: &Option<String>| v.as_deref().map_or("(none)".to_owned(), escape);
            let place = s.experiment.as_deref().map_or("build".to_owned(), quoted);
            vec![place, escape(&s.setting), or_none(&s.old), or_none(&s.new)]
        });
        let title = format!("Settings and provenance: {settings} changed");
        table(&mut out, &title, &["where", "setting", "old", "new"], settings_rows.collect(), true);
        out
    }

    /// Per series whose theory changed: experiment, series, how many points, the largest change.
    fn theory_rows(&self) -> Vec<Vec<String>> {
        let row = |t: &TheoryChange| {
            let changed = format!("{} of {}", t.changed, t.compared);
            vec![quoted(&t.experiment), quoted(&t.series), changed, self.largest_words(&t.experiment, &t.largest)]
        };
        self.theory.iter().map(row).collect()
    }

    /// What was added or removed: kind, name, change.
    fn structure_rows(&self) -> Vec<Vec<String>> {
        let mut rows = Vec::new();
        for (change, s) in [("added", &self.added), ("removed", &self.removed)] {
            let mut row = |kind: &str, name: String| rows.push(vec![kind.to_owned(), quoted(&name), change.to_owned()]);
            s.experiments.iter().for_each(|e| row("experiment", e.clone()));
            s.figures.iter().for_each(|f| row("figure", f.clone()));
            s.series.iter().for_each(|x| row("series", series_name(x)));
            s.points.iter().for_each(|p| row("point", point_name(p)));
        }
        rows
    }

    /// Per significant change of a simulated mean: series, point, both estimates, p-values.
    fn mean_rows(&self) -> Vec<Vec<String>> {
        let row = |m: &MeanChange| {
            vec![
                quoted(&series(&m.experiment, &m.series)),
                self.x_words(&m.experiment, m.x),
                estimate_words(&m.old),
                estimate_words(&m.new),
                format!("{} ({})", p_value(m.p.0), p_value(m.adjusted_p.0)),
            ]
        };
        self.means.significant.iter().map(row).collect()
    }

    /// `no meaningful change`, or the meaningful changes in one line.
    fn headline(&self) -> String {
        let changes = self.changes();
        if changes.is_empty() { "no meaningful change".to_owned() } else { format!("changed: {}", changes.join(", ")) }
    }

    /// One phrase per kind of meaningful change: `1 verdict`, `theory of 2 series`, ….
    fn changes(&self) -> Vec<String> {
        let plural = |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        let structure = |s: &super::Structure| s.experiments.len() + s.figures.len() + s.series.len() + s.points.len();
        let kinds = [
            (self.verdicts.len(), plural(self.verdicts.len(), "verdict", "verdicts")),
            (self.claims_added.len(), plural(self.claims_added.len(), "claim added", "claims added")),
            (self.claims_removed.len(), plural(self.claims_removed.len(), "claim removed", "claims removed")),
            (self.theory.len(), format!("theory of {}", plural(self.theory.len(), "series", "series"))),
            (self.means.significant.len(), plural(self.means.significant.len(), "simulated mean", "simulated means")),
            (structure(&self.added), plural(structure(&self.added), "part added", "parts added")),
            (structure(&self.removed), plural(structure(&self.removed), "part removed", "parts removed")),
        ];
        kinds.into_iter().filter(|(n, _)| *n > 0).map(|(_, words)| words).collect()
    }

    /// How the means were compared, and with what result.
    fn means_sentence(&self) -> String {
        let m = &self.means;
        let mut text = format!(
            "simulated means: {} of {} points differ significantly (Welch's test per point, Holm's procedure at \
             family-wise level {})",
            m.significant.len(),
            m.compared,
            m.level
        );
        if !m.not_compared.is_empty() {
            text += &format!("; {} not compared", m.not_compared.len());
        }
        text
    }

    /// `n = 50` with the experiment's x variable.
    fn x_words(&self, experiment: &str, x: Real) -> String {
        format!("{} = {}", self.axes.get(experiment).map_or("x", String::as_str), sig(x.0, 10))
    }

    /// `experiment/series at n = 50`.
    fn at(&self, experiment: &str, s: &str, x: Real) -> String {
        format!("{} at {}", series(experiment, s), self.x_words(experiment, x))
    }

    /// A point not compared, with the reason.
    fn not_compared(&self, n: &NotCompared) -> String {
        format!("{}: {}", self.at(&n.experiment, &n.series, n.x), n.reason)
    }

    /// `17 of 17 points; largest relative change …`.
    fn theory_words(&self, t: &TheoryChange) -> String {
        format!(
            "{} of {} points changed; largest relative change {}",
            t.changed,
            t.compared,
            self.largest_words(&t.experiment, &t.largest)
        )
    }

    /// `12% at n = 50 (0.123 → 0.138)`.
    fn largest_words(&self, experiment: &str, r: &RelativeChange) -> String {
        let relative =
            if r.relative.0.is_finite() { format!("{}%", sig(100.0 * r.relative.0, 3)) } else { sig(r.relative.0, 3) };
        format!("{relative} at {} ({} → {})", self.x_words(experiment, r.x), sig(r.old.0, 6), sig(r.new.0, 6))
    }
}

/// A point's name, on its own build's axis.
fn point_name(p: &PointName) -> String {
    format!("{} at {} = {}", series(&p.experiment, &p.series), p.axis, sig(p.x.0, 10))
}

/// `experiment/series`.
fn series(experiment: &str, series: &str) -> String {
    format!("{experiment}/{series}")
}

/// A series' name.
fn series_name(s: &SeriesName) -> String {
    series(&s.experiment, &s.series)
}

/// `0.1230 ± 0.0021 → 0.1380 ± 0.0020 (p = …, Holm-adjusted …)`.
fn mean_words(m: &MeanChange) -> String {
    format!(
        "{} → {} (p {}, Holm-adjusted {})",
        estimate_words(&m.old),
        estimate_words(&m.new),
        p_words(m.p.0),
        p_words(m.adjusted_p.0)
    )
}

/// A mean ± its standard error, with its trials.
fn estimate_words(e: &super::Estimate) -> String {
    format!("{} ± {} ({} trials)", sig(e.mean.0, 4), sig(e.se.0, 2), e.trials)
}

/// `= 0.003` or `< 10⁻¹⁰`.
fn p_words(p: f64) -> String {
    let text = p_value(p);
    if text.starts_with('<') { text } else { format!("= {text}") }
}

/// `experiment: setting old → new`; a long value (a design in words) on lines of its own.
fn setting_words(s: &SettingChange) -> String {
    let value = |v: &Option<String>| v.clone().unwrap_or_else(|| "(none)".to_owned());
    let place = s.experiment.as_ref().map_or(String::new(), |e| format!("{e}: "));
    let (old, new) = (value(&s.old), value(&s.new));
    if old.chars().count() + new.chars().count() > 80 {
        format!("{place}{} changed\n    old: {old}\n    new: {new}", s.setting)
    } else {
        format!("{place}{} {old} → {new}", s.setting)
    }
}

/// A Markdown table with its title (a heading, or the summary of a collapsed `<details>`); nothing without rows.
fn table(out: &mut String, title: &str, header: &[&str], rows: Vec<Vec<String>>, collapsed: bool) {
    if rows.is_empty() {
        return;
    }
    *out +=
        &if collapsed { format!("\n<details><summary>{title}</summary>\n\n") } else { format!("\n#### {title}\n\n") };
    *out += &format!("| {} |\n|{}\n", header.join(" | "), "---|".repeat(header.len()));
    for row in rows {
        *out += &format!("| {} |\n", row.join(" | "));
    }
    if collapsed {
        *out += "\n</details>\n";
    }
}

/// A name as inline code: `` `name` ``.
fn quoted(name: &str) -> String {
    format!("`{}`", code(name))
}

/// Text for inside a Markdown code span in a table cell: a backtick would end the span, so it becomes `'`, `|`
/// would end the cell, and a line break the row (it becomes a space).
fn code(text: &str) -> String {
    one_line(text).replace('`', "'").replace('|', "\\|")
}

/// Text for Markdown prose or a table cell: the characters that start markup are escaped, line breaks become spaces
/// (a cell is one line, and a line that starts with `<` could open an HTML block).
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in one_line(text).chars() {
        if "\\`*_[]<>|#~!".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// `text` with every line break (LF, CR, NEL, LS, PS) and other control character replaced by a space.
fn one_line(text: &str) -> String {
    text.chars().map(|c| if c.is_control() || c == '\u{2028}' || c == '\u{2029}' { ' ' } else { c }).collect()
}
