#!/bin/sh
# Time and peak memory of reading CIFAR-10's 50 000 training images for a classification task: `kdrepro check` of a
# spec with `cifar10(directory, test)` (read the batches, scale, standardise in place, hash the files and digest the
# data set once, plan) against numpy reading and standardising the same files (bench/cifar_load.py), each in its own
# process under /usr/bin/time -v. The batches are random bytes of CIFAR-10's sizes, written once to DIR (default
# /tmp/kdrepro-cifar-load, 184 MB). Usage: bench/cifar_load.sh [DIR]
set -eu
dir=${1:-/tmp/kdrepro-cifar-load}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$dir"
[ -f "$dir/test_batch.bin" ] || python3 "$here/cifar_load.py" write "$dir"
cd "$here/.."
cargo build --release -q
cat > "$dir/load.kd" <<SPEC
title "CIFAR-10 load"
task cifar = cifar10(directory: "$dir", test: 2000)
surrogate truth = ground_truth
experiment e { task cifar  n 1000  surrogates truth  trials 10  measure accuracy  width 100 }
SPEC
peak() { /usr/bin/time -v "$@" 2>&1 | grep -E '^numpy|Maximum resident|Elapsed \(wall'; }
peak "${CARGO_TARGET_DIR:-target}/release/kdrepro" check "$dir/load.kd"
peak python3 "$here/cifar_load.py" load "$dir"
