//! Clipping polylines and segments to the unit square (the plot area in fraction coordinates).

/// A point in plot-area fractions: `(0, 0)` bottom left, `(1, 1)` top right.
pub(super) type Frac = (f64, f64);

/// Tolerance for "inside the unit square", so points exactly on the frame count as inside.
const EDGE: f64 = 1e-9;

/// Whether a point lies in the unit square.
pub(super) fn inside((u, v): Frac) -> bool {
    (-EDGE..=1.0 + EDGE).contains(&u) && (-EDGE..=1.0 + EDGE).contains(&v)
}

/// The part of segment `a → b` inside the unit square, as parameters `(t0, t1)` with `0 ≤ t0 ≤ t1 ≤ 1`.
// Liang–Barsky: for each edge, p·t ≤ q bounds t from above (p > 0) or below (p < 0).
fn clip_params(a: Frac, b: Frac) -> Option<(f64, f64)> {
    let (du, dv) = (b.0 - a.0, b.1 - a.1);
    let edges = [(-du, a.0 + EDGE), (du, 1.0 + EDGE - a.0), (-dv, a.1 + EDGE), (dv, 1.0 + EDGE - a.1)];
    let (mut t0, mut t1) = (0.0_f64, 1.0_f64);
    for (p, q) in edges {
        if p == 0.0 {
            if q < 0.0 {
                return None;
            }
        } else if p < 0.0 {
            t0 = t0.max(q / p);
        } else {
            t1 = t1.min(q / p);
        }
    }
    (t0 <= t1).then_some((t0, t1))
}

/// The point at parameter `t` of segment `a → b`.
fn lerp(a: Frac, b: Frac, t: f64) -> Frac {
    (a.0 + t * (b.0 - a.0), a.1 + t * (b.1 - a.1))
}

/// The part of segment `a → b` inside the unit square.
pub(super) fn clip_segment(a: Frac, b: Frac) -> Option<(Frac, Frac)> {
    clip_params(a, b).map(|(t0, t1)| (lerp(a, b, t0), lerp(a, b, t1)))
}

/// Splits a polyline into the runs that lie inside the unit square. `None` entries (points that cannot be
/// drawn) break the line. Runs with fewer than two points are dropped.
pub(super) fn clip_polyline(points: &[Option<Frac>]) -> Vec<Vec<Frac>> {
    let mut runs = Vec::new();
    let mut run: Vec<Frac> = Vec::new();
    for pair in points.windows(2) {
        let (Some(a), Some(b)) = (pair[0], pair[1]) else {
            flush(&mut runs, &mut run);
            continue;
        };
        let Some((t0, t1)) = clip_params(a, b) else {
            flush(&mut runs, &mut run);
            continue;
        };
        // The run continues only if this segment starts where the previous one ended (t0 = 0).
        if t0 > 0.0 || run.is_empty() {
            flush(&mut runs, &mut run);
            run.push(lerp(a, b, t0));
        }
        run.push(lerp(a, b, t1));
        if t1 < 1.0 {
            flush(&mut runs, &mut run);
        }
    }
    flush(&mut runs, &mut run);
    runs
}

/// Moves a finished run into `runs` (if it has a segment) and clears it.
fn flush(runs: &mut Vec<Vec<Frac>>, run: &mut Vec<Frac>) {
    if run.len() >= 2 {
        runs.push(std::mem::take(run));
    } else {
        run.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segment_crossing_the_square_is_cut_at_its_edges() {
        // y = x from (-1, -1) to (2, 2) crosses the square on its diagonal.
        let (a, b) = clip_segment((-1.0, -1.0), (2.0, 2.0)).unwrap();
        assert!((a.0 - 0.0).abs() < 1e-6 && (a.1 - 0.0).abs() < 1e-6, "{a:?}");
        assert!((b.0 - 1.0).abs() < 1e-6 && (b.1 - 1.0).abs() < 1e-6, "{b:?}");
    }

    #[test]
    fn segment_outside_the_square_is_dropped() {
        assert_eq!(clip_segment((-1.0, 2.0), (2.0, 1.5)), None);
        assert_eq!(clip_segment((1.5, 0.2), (1.5, 0.8)), None);
    }

    #[test]
    fn polyline_leaving_and_reentering_splits_into_two_runs() {
        let points = [Some((0.1, 0.5)), Some((0.3, 1.5)), Some((0.5, 0.5)), Some((0.7, 0.5))];
        let runs = clip_polyline(&points);
        assert_eq!(runs.len(), 2);
        // First run: (0.1, 0.5) up to the top edge at u = 0.2; second: from u = 0.4 on the top edge onwards.
        assert_eq!(runs[0].len(), 2);
        assert!((runs[0][1].0 - 0.2).abs() < 1e-6 && (runs[0][1].1 - 1.0).abs() < 1e-6);
        assert!((runs[1][0].0 - 0.4).abs() < 1e-6);
        assert_eq!(runs[1].len(), 3);
    }

    #[test]
    fn missing_points_break_the_line() {
        let points = [Some((0.1, 0.1)), Some((0.2, 0.2)), None, Some((0.4, 0.4)), Some((0.5, 0.5))];
        assert_eq!(clip_polyline(&points).len(), 2);
    }
}
