#!/usr/bin/env bash
# The plan's cost model against measured time per trial (plan/cost.rs: GAUSSIAN_DRAW, TRIAL_OVERHEAD). For one
# point of three fixed surrogates (p in {100, 500}, n in {10, 50, 200, 450}) and one of the weak-to-strong sweep's
# five ERM and teacher series (p = 200, n in {10, 190}), it times `build --shard 0/1` at T trials and at 1 trial on
# one thread, and prints the difference per trial beside the plan's estimate per trial (`check --format json`).
# The model is right when their ratio (ns per flop-equivalent) is about the same on every row: that ratio, not
# the absolute speed, is what balances shards.
#
# Usage: bench/cost.sh   (KDREPRO: the executable; default ${CARGO_TARGET_DIR:-target}/release/kdrepro)
set -euo pipefail
kdrepro=$(realpath "${KDREPRO:-${CARGO_TARGET_DIR:-target}/release/kdrepro}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

# Prints one row for cost.kd, run at $1 trials.
measure() {
  local trials=$1 label=$2 start long short model
  start=$(date +%s%N)
  "$kdrepro" build cost.kd --shard 0/1 -o out -q -j 1
  long=$(($(date +%s%N) - start))
  start=$(date +%s%N)
  "$kdrepro" build cost.kd --shard 0/1 -o out -q -j 1 --trials 1
  short=$(($(date +%s%N) - start))
  model=$("$kdrepro" check cost.kd --format json -q | python3 -c \
    "import json, sys; print(json.load(sys.stdin)['experiments'][0]['flops'] / $trials)")
  awk -v label="$label" -v d=$((long - short)) -v t="$trials" -v m="$model" \
    'BEGIN { us = d / 1000 / (t - 1); printf "%-24s %12.1f %16.3g %10.3f\n", label, us, m, us * 1000 / m }'
}

printf '%-24s %12s %16s %10s\n' point "µs/trial" "model flop-eq" "ns/flop-eq"
for p in 100 500; do
  for n in 10 50 200 450; do
    cat > cost.kd << SPEC
title "cost"
seed 1
spectrum cov = powerlaw(p: $p, alpha: 2.0)
signal beta = powerlaw_energy(cov, beta: 1.5, power: 1.0)
task t = gaussian(cov, beta, noise: 0.1)
surrogate truth = ground_truth
surrogate masked = optimal_mask
surrogate optimal = optimal
experiment e { task t  n [$n]  surrogates truth, masked, optimal  trials 2000 }
SPEC
    measure 2000 "fixed p=$p n=$n"
  done
done
for n in 10 190; do
  cat > cost.kd << SPEC
title "cost"
seed 1
spectrum cov = powerlaw(p: 200, alpha: 2.0)
signal beta = powerlaw_energy(cov, beta: 1.5, power: 1.0)
task t = gaussian(cov, beta, noise: 0.0)
surrogate truth = ground_truth
surrogate many = erm(spectrum: cov, m: 1000, features: 50)
surrogate many_t = teacher(of: many)
surrogate few = erm(spectrum: cov, m: 60, features: 50)
surrogate few_t = teacher(of: few)
experiment e { task t  n [$n]  surrogates truth, many, many_t, few, few_t  trials 1000 }
SPEC
  measure 1000 "erm p=200 n=$n"
done
