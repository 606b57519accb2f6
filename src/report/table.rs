//! An experiment's table as Typst cells, with the numbers of each column aligned on their decimal point, split
//! into several tables when it is too wide for the page.
//!
//! Typst has no decimal alignment, so a column of numbers is set as two grid columns without padding between
//! them: the whole part right-aligned, the decimal point and the rest left-aligned (`0` | `.10700 ± 0.00088`,
//! `(8` | `.90 ± 0.12) × 10⁻⁵`). Headers and group labels span both.

use super::escape::typst_text;
use crate::syntax::MathError;

/// A table ready for the template: every header, group and body cell a Typst cell expression.
#[derive(Debug, PartialEq, Eq, serde::Serialize)]
pub(super) struct Cells {
    /// Grid columns (a number column counts two).
    pub(super) columns: usize,
    /// The labels above groups of columns (`table.cell(colspan: ..)[..]`); empty for none.
    pub(super) groups: Vec<String>,
    /// The column headers.
    pub(super) header: Vec<String>,
    /// The body, row by row.
    pub(super) rows: Vec<Vec<String>>,
}

/// The widest a table may be, in column units: a column is one unit, two if it holds means with their half-widths
/// (`0.10700 ± 0.00088`). Ten units, Figure 1b's three simulated series beside `n`, fit the page at 8 pt.
const MAX_UNITS: usize = 10;

/// The table with `header`, `groups` and `rows` (as [`cells`] takes them) as one or more tables of at most
/// [`MAX_UNITS`]: each repeats the first column (`n`) and holds whole groups (a series' theory and simulation
/// columns stay together), or single columns where there are no groups.
///
/// # Errors
/// The mathematics of a header, group label or cell is refused.
pub(super) fn tables(
    header: &[String],
    groups: &[(String, usize)],
    rows: &[Vec<String>],
) -> Result<Vec<Cells>, MathError> {
    let units = |j: usize| if rows.iter().any(|row| row.get(j).is_some_and(|c| c.contains('±'))) { 2 } else { 1 };
    // The groups after the first column, as column ranges with their labels.
    let mut spans: Vec<(String, std::ops::Range<usize>)> = Vec::new();
    let mut column = groups.first().map_or(1, |(_, span)| *span);
    for (label, span) in groups.iter().skip(1) {
        spans.push((label.clone(), column..column + span));
        column += span;
    }
    spans.extend((column..header.len()).map(|j| (String::new(), j..j + 1)));
    // Greedy: each table takes groups while they fit beside the first column.
    let mut parts: Vec<Vec<(String, std::ops::Range<usize>)>> = vec![Vec::new()];
    let mut used = units(0);
    for (label, range) in spans {
        let need: usize = range.clone().map(units).sum();
        if used + need > MAX_UNITS && parts.last().is_some_and(|p| !p.is_empty()) {
            parts.push(Vec::new());
            used = units(0);
        }
        used += need;
        if let Some(part) = parts.last_mut() {
            part.push((label, range));
        }
    }
    parts
        .iter()
        .map(|part| {
            let columns: Vec<usize> = std::iter::once(0).chain(part.iter().flat_map(|(_, r)| r.clone())).collect();
            let pick = |row: &[String]| columns.iter().filter_map(|&j| row.get(j).cloned()).collect::<Vec<_>>();
            let part_groups: Vec<(String, usize)> = if groups.is_empty() {
                Vec::new()
            } else {
                std::iter::once((String::new(), 1)).chain(part.iter().map(|(l, r)| (l.clone(), r.len()))).collect()
            };
            let part_rows: Vec<Vec<String>> = rows.iter().map(|row| pick(row)).collect();
            cells(&pick(header), &part_groups, &part_rows)
        })
        .collect()
}

/// The cells of a table with `header` and `rows` (spec texts: prose and `$…$` mathematics), and `groups`: labels
/// over runs of columns with the number of columns each spans. A column whose every body cell starts with a
/// number (or is `—`) is aligned on its decimal point.
///
/// # Errors
/// The mathematics of a header, group label or cell is refused.
fn cells(header: &[String], groups: &[(String, usize)], rows: &[Vec<String>]) -> Result<Cells, MathError> {
    let numeric: Vec<bool> =
        (0..header.len()).map(|j| rows.iter().all(|row| row.get(j).is_some_and(|c| is_number(c)))).collect();
    let width = |j: usize| if numeric[j] { 2 } else { 1 };
    let mut grouped = Vec::with_capacity(groups.len());
    let mut column = 0;
    for (label, span) in groups {
        let grid: usize = (column..(column + span).min(header.len())).map(width).sum();
        let label = if label.is_empty() { String::new() } else { format!("*{}*", typst_text(label)?) };
        grouped.push(format!("table.cell(colspan: {grid}, align: center + bottom)[{label}]"));
        column += span;
    }
    let header = header
        .iter()
        .enumerate()
        .map(|(j, h)| Ok(format!("table.cell(colspan: {})[*{}*]", width(j), typst_text(h)?)))
        .collect::<Result<_, MathError>>()?;
    let rows = rows
        .iter()
        .map(|row| {
            let mut out = Vec::with_capacity(row.len() + numeric.len());
            for (j, cell) in row.iter().enumerate() {
                if numeric.get(j).copied().unwrap_or(false) {
                    let (whole, rest) = split_at_point(cell);
                    out.push(format!("table.cell(inset: (right: 0pt))[{}]", typst_text(whole)?));
                    out.push(format!("table.cell(inset: (left: 0pt), align: left)[{}]", typst_text(rest)?));
                } else {
                    out.push(format!("[{}]", typst_text(cell)?));
                }
            }
            Ok(out)
        })
        .collect::<Result<_, MathError>>()?;
    Ok(Cells { columns: (0..numeric.len()).map(width).sum(), groups: grouped, header, rows })
}

/// Whether a cell is a number to align: it starts with a digit, a minus sign or `(` then a digit, or is `—`.
fn is_number(cell: &str) -> bool {
    let body = cell.trim_start_matches(['(', '−', '-']);
    cell == "—" || body.starts_with(|c: char| c.is_ascii_digit())
}

/// A number cell split before the decimal point of its leading number (`"0.107 ± 0.001"` → `"0"`,
/// `".107 ± 0.001"`); a leading number without a point splits after its digits (`"200"` → `"200"`, `""`), and `—`
/// stands where whole parts do.
fn split_at_point(cell: &str) -> (&str, &str) {
    if cell == "—" {
        return (cell, "");
    }
    let start = cell.len() - cell.trim_start_matches(['(', '−', '-']).len();
    let digits = cell[start..].find(|c: char| !c.is_ascii_digit()).map_or(cell.len(), |k| start + k);
    cell.split_at(digits)
}

#[cfg(test)]
mod tests {
    use super::{cells, split_at_point, tables};

    #[test]
    fn numbers_split_before_their_decimal_point() {
        // (cell, whole part, rest): the forms numbers::measured and numbers::typeset write.
        for (cell, whole, rest) in [
            ("0.10700\u{a0}±\u{a0}0.00088", "0", ".10700\u{a0}±\u{a0}0.00088"),
            ("(8.90 ± 0.12) × 10⁻⁵", "(8", ".90 ± 0.12) × 10⁻⁵"),
            ("−12.5", "−12", ".5"),
            ("1600", "1600", ""),
            ("4.729 at i = 500", "4", ".729 at i = 500"),
            ("—", "—", ""),
        ] {
            assert_eq!(split_at_point(cell), (whole, rest), "{cell:?}");
        }
    }

    #[test]
    fn a_number_column_is_two_grid_columns_and_its_header_and_group_span_both() {
        let header = ["$n$".to_owned(), "theory".to_owned(), "note".to_owned()];
        let rows = [
            vec!["10".to_owned(), "0.4278".to_owned(), "a".to_owned()],
            vec!["200".to_owned(), "—".to_owned(), "b".to_owned()],
        ];
        let groups = [(String::new(), 1), ("Optimal".to_owned(), 2)];
        let t = cells(&header, &groups, &rows).unwrap();
        // n and theory are numbers (2 + 2 grid columns), note is text (1).
        assert_eq!(t.columns, 5);
        assert_eq!(
            t.groups,
            [
                "table.cell(colspan: 2, align: center + bottom)[]",
                "table.cell(colspan: 3, align: center + bottom)[*Optimal*]"
            ]
        );
        assert_eq!(t.header[0], "table.cell(colspan: 2)[*$n$*]");
        assert_eq!(t.header[2], "table.cell(colspan: 1)[*note*]");
        assert_eq!(
            t.rows[0][2..4],
            ["table.cell(inset: (right: 0pt))[0]", "table.cell(inset: (left: 0pt), align: left)[\\.4278]"]
        );
        assert_eq!(t.rows[0].len(), 5);
    }

    #[test]
    fn a_wide_table_is_split_into_parts_that_repeat_n_and_keep_each_series_whole() {
        // n and 5 simulated series: 1 + 5 × (1 + 2) = 16 units > 10. The first part takes n and 3 series
        // (1 + 9 = 10 units), the second n and the other 2.
        let mut header = vec!["$n$".to_owned()];
        let mut groups = vec![(String::new(), 1)];
        let mut row = vec!["10".to_owned()];
        for k in 1..=5 {
            header.extend(["theory".to_owned(), "sim.".to_owned()]);
            groups.push((format!("S{k}"), 2));
            row.extend([format!("0.{k}"), format!("0.{k} ± 0.01")]);
        }
        let parts = tables(&header, &groups, &[row]).unwrap();
        assert_eq!(parts.len(), 2);
        let labels = |t: &super::Cells| t.groups.iter().filter(|g| g.contains("*S")).count();
        assert_eq!((labels(&parts[0]), labels(&parts[1])), (3, 2));
        // Every part starts with n; its theory values are those of its own series.
        assert!(parts.iter().all(|t| t.rows[0][0] == "table.cell(inset: (right: 0pt))[10]"));
        assert_eq!(parts[1].rows[0][2], "table.cell(inset: (right: 0pt))[0]");
        assert_eq!(parts[1].rows[0][3], "table.cell(inset: (left: 0pt), align: left)[\\.4]");
    }

    #[test]
    fn a_wide_table_without_groups_is_split_by_columns() {
        // n and 11 plain number columns: 1 + 9 in the first part, 1 + 2 in the second.
        let header: Vec<String> = (0..12).map(|j| format!("c{j}")).collect();
        let row: Vec<String> = (0..12).map(|j| j.to_string()).collect();
        let parts = tables(&header, &[], &[row]).unwrap();
        assert_eq!(parts.iter().map(|t| t.header.len()).collect::<Vec<_>>(), [10, 3]);
        assert!(parts.iter().all(|t| t.groups.is_empty()));
        assert_eq!(parts[1].header[1], "table.cell(colspan: 2)[*c10*]");
    }
}
