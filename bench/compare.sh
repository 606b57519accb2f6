#!/usr/bin/env bash
# Runs the numpy yardstick (bench/numpy_reference.py) and kdrepro on the same Figure 1b workload (p = 500,
# n = 50..450 step 25, three surrogates sharing each design, T trials per point) and prints the medians of the
# whole-process wall times, their ratio and trials per second (issue 4). It also times the same workload on
# nested designs (specs/bench/fig1b_nested.kd, issue 4 item 6), which is not numpy's statistical design, and
# prints its speed-up over independent designs.
#
#   bench/compare.sh [--trials T] [--runs R] [--all]      (defaults: T = 200, R = 5)
#
# --all also measures targets 2–5 of issue 4 with their own commands: the kernel efficiency benchmark, the
# peak RSS of specs/bench/memory.kd, theory at p = 10^7, and specs/paper.kd cold and after a prose edit.
#
# NUMPY_REFERENCE=path replaces bench/numpy_reference.py (same command line and JSON output).
#
# The simulation-only rate of kdrepro is estimated as (whole run − a 2-trial run of the same spec),
# the 2-trial run measuring the fixed cost (theory, claims, report rendering).
set -euo pipefail

trials=200
runs=5
all=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --trials) trials="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --all) all=1; shift ;;
    *) echo "usage: $0 [--trials T] [--runs R] [--all]" >&2; exit 2 ;;
  esac
done
(( runs >= 1 )) || { echo "--runs must be at least 1" >&2; exit 2; }

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
numpy_script="${NUMPY_REFERENCE:-$root/bench/numpy_reference.py}"
[[ -f "$numpy_script" ]] || { echo "no numpy reference at $numpy_script" >&2; exit 2; }
spec="$root/specs/bench/fig1b.kd"
nested_spec="$root/specs/bench/fig1b_nested.kd"
target="${CARGO_TARGET_DIR:-$root/target}"
# numpy is installed with pip only when missing. A Debian/Ubuntu python3 marked externally managed (PEP 668)
# refuses a plain pip install; then numpy goes to the user's site-packages (~/.local), which leaves the
# system's packages alone (`apt-get install python3-numpy` is the alternative).
if ! python3 -c 'import numpy' 2>/dev/null; then
  python3 -m pip install --quiet numpy ||
    python3 -m pip install --quiet --user --break-system-packages numpy
  python3 -c 'import numpy' || { echo "numpy could not be installed" >&2; exit 1; }
fi

# Build the release binary if needed, then run a private copy (a shared target dir may be rebuilt
# by someone else while the benchmark runs).
(cd "$root" && cargo build --release --quiet)
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$target/release/kdrepro" "$work/kdrepro"

points=17
total=$((trials * points))
now() { date +%s.%N; }
# Runs kdrepro; a written report (exit 0, 1 failed claim, 4 inconclusive: few trials decide little) is a timing,
# anything else (2 a refused spec, 3 a runtime failure) stops the benchmark with kdrepro's stderr.
timed_build() {
  local rc=0
  "$work/kdrepro" build "$@" > /dev/null 2> "$work/build.err" || rc=$?
  if (( rc != 0 && rc != 1 && rc != 4 )); then
    cat "$work/build.err" >&2
    echo "kdrepro build $* failed (exit $rc)" >&2
    exit 1
  fi
}
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

: > "$work/numpy.times"
: > "$work/kdrepro.times"
: > "$work/kdrepro.fixed"
: > "$work/nested.times"
for ((r = 1; r <= runs; r++)); do
  start=$(now)
  python3 "$numpy_script" --trials "$trials" > "$work/numpy.json"
  echo "$(now) - $start" | bc -l >> "$work/numpy.times"

  # Fresh output directories: the results cache under them would otherwise skip the simulation.
  rm -rf "$work/out" "$work/fixed"
  start=$(now)
  timed_build "$spec" --trials "$trials" --out "$work/out"
  echo "$(now) - $start" | bc -l >> "$work/kdrepro.times"

  start=$(now)
  "$work/kdrepro" build "$spec" --trials 2 --out "$work/fixed" > /dev/null 2>&1 || true
  echo "$(now) - $start" | bc -l >> "$work/kdrepro.fixed"

  rm -rf "$work/nested"
  start=$(now)
  timed_build "$nested_spec" --trials "$trials" --out "$work/nested"
  echo "$(now) - $start" | bc -l >> "$work/nested.times"
  echo "run $r/$runs: numpy $(tail -1 "$work/numpy.times" | xargs printf '%.2f') s, kdrepro $(tail -1 "$work/kdrepro.times" | xargs printf '%.2f') s" >&2
done

numpy=$(median < "$work/numpy.times")
kd=$(median < "$work/kdrepro.times")
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "workload: Figure 1b, p = 500, n = 50..450 step 25, 3 surrogates, $trials trials per point ($total trials), $runs runs"
printf 'numpy   median wall %7.2f s  %8.1f trials/s\n' "$numpy" "$(echo "$total / $numpy" | bc -l)"
printf 'kdrepro median wall %7.2f s  %8.1f trials/s\n' "$kd" "$(echo "$total / $kd" | bc -l)"
printf 'ratio (numpy time / kdrepro time): %.2f\n' "$(echo "$numpy / $kd" | bc -l)"
fixed=$(median < "$work/kdrepro.fixed")
sim=$(echo "$kd - $fixed" | bc -l)
printf 'kdrepro simulation only (wall minus the %.2f s of a 2-trial run): %.2f s  %8.1f trials/s\n' "$fixed" "$sim" \
  "$(echo "$total / $sim" | bc -l)"
numpy_sim=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["trials_per_s"])' "$work/numpy.json")
printf 'numpy simulation loop only (its own timer, last run): %8.1f trials/s\n' "$numpy_sim"
nested=$(median < "$work/nested.times")
nested_sim=$(echo "$nested - $fixed" | bc -l)
printf 'kdrepro on nested designs (designs nested): median wall %.2f s, %.2fx independent designs (simulation only %.2fx)\n' \
  "$nested" "$(echo "$kd / $nested" | bc -l)" "$(echo "$sim / $nested_sim" | bc -l)"

(( all )) || exit 0

echo
echo "target 2, kernel efficiency (the n = 450 row is the target):"
(cd "$root" && cargo test --release --quiet --lib kernel_efficiency -- --ignored --nocapture 2>&1 |
  sed -n '/GEMM rate/,/^ *450/p')

echo "target 3, peak RSS of n = 2000, p = 20000 (design matrix 320 MB):"
/usr/bin/time -f '  %M KB maximum resident set size, %e s' \
  "$work/kdrepro" build "$root/specs/bench/memory.kd" --jobs 2 --out "$work/memory" > /dev/null 2> "$work/memory.err" || {
  cat "$work/memory.err" >&2
  exit 1
}
tail -1 "$work/memory.err"

echo "target 4, theory at p = 10^7:"
(cd "$root" && cargo test --release --quiet --lib ten_million -- --ignored --nocapture 2>&1 | grep 'p = 10^7' | sed 's/^/  /')

echo "target 5, specs/paper.kd (the second run edits a paragraph of prose, so its results come from the cache):"
start=$(now)
timed_build "$root/specs/paper.kd" --out "$work/paper"
printf '  cold %.2f s\n' "$(echo "$(now) - $start" | bc -l)"
sed 's/This report reproduces the paper/This report, edited, reproduces the paper/' "$root/specs/paper.kd" > "$work/paper.kd"
start=$(now)
timed_build "$work/paper.kd" --out "$work/paper"
printf '  after a prose edit %.2f s\n' "$(echo "$(now) - $start" | bc -l)"
