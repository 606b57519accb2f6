#!/bin/sh
# Time and peak memory of loading a 100 000 × 1 000 float64 matrix from .npy and from CSV: kdrepro's reader
# (src/spec/files/matrix.rs, with the blake3 hash of the file that enters the cache key) against numpy.load and
# numpy.loadtxt, each in its own process under /usr/bin/time -v. Usage: bench/data_load.sh [DIR] (default
# /tmp/kdrepro-data-load; the files take 0.8 GB and 2.4 GB there and are written once).
set -eu
dir=${1:-/tmp/kdrepro-data-load}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$dir"
[ -f "$dir/features.csv" ] || python3 "$here/data_load.py" write "$dir"
cd "$here/.."
cargo test --release --lib --no-run -q 2>/dev/null
peak() { /usr/bin/time -v "$@" 2>&1 | grep -E '^(kdrepro|numpy) |Maximum resident|Elapsed \(wall'; }
for kind in npy csv; do
    KDREPRO_LOAD="$dir/features.$kind" peak cargo test --release -q --lib load_benchmark -- --ignored --nocapture
    peak python3 "$here/data_load.py" "$kind" "$dir/features.$kind"
done
