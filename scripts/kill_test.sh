#!/usr/bin/env bash
# Crash safety (issue 6, item 5): SIGKILL a build at random instants, 20 times, alternating two seeds, and check
# that the output directory always holds one complete report (byte-identical to a reference build of one of
# the two seeds), never a mix. Then Ctrl-C (SIGINT) a build and check that it stops within a second, cleanly.
#
# Usage: scripts/kill_test.sh [KDREPRO_BINARY]   (default: $CARGO_TARGET_DIR/release/kdrepro or target/...)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-${CARGO_TARGET_DIR:-target}/release/kdrepro}
work=$(mktemp -d /tmp/kdrepro-kill.XXXXXX)
cp "$bin" "$work/kdrepro"
cat > "$work/small.kd" <<'KD'
title "Kill test"
seed 1
spectrum cov = powerlaw(p: 200, alpha: 1.5)
signal beta = powerlaw_energy(cov, beta: 1.2, power: 1)
task t = gaussian(cov, beta, noise: 0.01)
surrogate truth = ground_truth
surrogate best = optimal
experiment sweep {
  task t
  n 20..180 step 20
  surrogates truth, best
  trials 400
}
figure plot { show sweep caption "Risk against n" }
claim wins "The optimal surrogate wins" { holds sweep.best < sweep.truth }
KD
build() { "$work/kdrepro" build "$work/small.kd" --seed "$1" --out "$2" 2>/dev/null || true; }
# The identity of an output set: the hashes of its files, in a fixed order.
fingerprint() { (cd "$1" && sha256sum small.pdf small.typ small.results.yaml figures/plot.typ 2>&1) | sha256sum | cut -c1-16; }
start=$(date +%s.%N)
build 1 "$work/ref1"
build 2 "$work/ref2"
duration=$(echo "($(date +%s.%N) - $start) / 2" | bc -l)
ref1=$(fingerprint "$work/ref1")
ref2=$(fingerprint "$work/ref2")
[[ $ref1 != "$ref2" ]] || { echo "the two seeds give the same outputs"; exit 1; }
printf 'one build takes %.2f s; reference sets: seed 1 %s, seed 2 %s\n' "$duration" "$ref1" "$ref2"
out="$work/out"
build 1 "$out"
bad=0
declare -A seen=()
for i in $(seq 1 20); do
  seed=$((1 + i % 2))
  delay=$(echo "scale=3; $RANDOM / 32767 * $duration * 2" | bc -l)
  "$work/kdrepro" build "$work/small.kd" --seed "$seed" --out "$out" 2>/dev/null &
  pid=$!
  sleep "$delay"
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  now=$(fingerprint "$out")
  case $now in
    "$ref1") state="complete set of seed 1" ;;
    "$ref2") state="complete set of seed 2" ;;
    *) state="MIXED OR TORN"; bad=$((bad + 1)) ;;
  esac
  seen[$state]=1
  printf 'kill %2d: seed %d killed after %.3f s -> %s\n' "$i" "$seed" "$delay" "$state"
done
# Ctrl-C: SIGINT's default action ends the process at once; the output must still be a complete set. The build
# runs 20× the trials so that it is surely still running when the signal arrives. Job control (`set -m`) keeps
# SIGINT at its default action: without it, bash starts background commands with SIGINT ignored.
set -m
"$work/kdrepro" build "$work/small.kd" --seed 2 --trials 8000 --out "$out" 2>/dev/null &
pid=$!
set +m
sleep 1
sent=$(date +%s.%N)
kill -INT "$pid"
code=0
wait "$pid" 2>/dev/null || code=$?
stopped=$(echo "$(date +%s.%N) - $sent" | bc -l)
now=$(fingerprint "$out")
[[ $now == "$ref1" || $now == "$ref2" ]] || bad=$((bad + 1))
printf 'SIGINT: stopped after %.3f s (exit status %s), output %s\n' "$stopped" "$code" \
  "$([[ $now == "$ref1" || $now == "$ref2" ]] && echo complete || echo TORN)"
if (($(echo "$stopped > 1" | bc -l))); then echo "SIGINT took more than a second"; bad=$((bad + 1)); fi
leftovers=$(find "$work" -maxdepth 1 -name '.out.kdrepro-*' | wc -l)
echo "hidden staging directories left by killed builds (removed by the next build): $leftovers"
rm -rf "$work"
if ((bad > 0)); then echo "FAILED: $bad inconsistent outputs"; exit 1; fi
echo "ok: 20 kills and one SIGINT, every output directory a complete set"
