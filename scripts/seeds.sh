#!/usr/bin/env bash
# Multiplicity check (issue 6, item 2): build specs/paper.kd with 20 different seeds at the spec's own trial
# counts and count the claims that fail (or hold where the spec expects a contradiction), those that are
# inconclusive and those contradicted as the spec expects; time each whole build.
#
# Usage: scripts/seeds.sh [KDREPRO_BINARY] [FIRST_SEED] [COUNT]
# Defaults: target/release/kdrepro (or $CARGO_TARGET_DIR/release/kdrepro), seeds 1..20.
# The binary is copied first, so a concurrent rebuild cannot change it mid-run. Takes about COUNT × 60 s.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-${CARGO_TARGET_DIR:-target}/release/kdrepro}
first=${2:-1}
count=${3:-20}
work=$(mktemp -d /tmp/kdrepro-seeds.XXXXXX)
cp "$bin" "$work/kdrepro"
total_fail=0
total_inconclusive=0
runs_with_failure=0
for ((seed = first; seed < first + count; seed++)); do
  out="$work/out-$seed"
  set +e
  started=$(date +%s%N)
  "$work/kdrepro" build specs/paper.kd --seed "$seed" --out "$out" 2>"$work/stderr-$seed"
  code=$?
  millis=$((($(date +%s%N) - started) / 1000000))
  set -e
  yaml="$out/paper.results.yaml"
  if [[ ! -f $yaml ]]; then
    echo "seed $seed: no results file (exit $code)"; cat "$work/stderr-$seed"; exit 3
  fi
  fails=$(grep -cE '^  verdict: (fail|unexpected)' "$yaml" || true)
  contradicted=$(grep -c '^  verdict: contradicted' "$yaml" || true)
  inconclusive=$(grep -c '^  verdict: inconclusive' "$yaml" || true)
  claims=$(grep -c '^  verdict:' "$yaml" || true)
  failed_names=$(grep -E '^(FAIL|INCONCLUSIVE|UNEXPECTED)' "$work/stderr-$seed" | cut -d: -f1 | tr '\n' ' ' || true)
  printf 'seed %s: exit %s, %s claims, %s failed, %s inconclusive, %s contradicted as expected, %d.%03d s %s\n' \
    "$seed" "$code" "$claims" "$fails" "$inconclusive" "$contradicted" $((millis / 1000)) $((millis % 1000)) \
    "$failed_names"
  total_fail=$((total_fail + fails))
  total_inconclusive=$((total_inconclusive + inconclusive))
  if ((fails > 0)); then runs_with_failure=$((runs_with_failure + 1)); fi
done
echo "summary: $count seeds, $runs_with_failure with a failed claim, $total_fail failed claims in all," \
  "$total_inconclusive inconclusive"
rm -rf "$work"
