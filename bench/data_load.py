#!/usr/bin/env python3
"""The numpy reference of bench/data_load.sh: writes, or loads and times, a 100 000 × 1 000 float64 matrix.

    data_load.py write DIR     writes DIR/features.npy (numpy.save) and DIR/features.csv (numpy.savetxt, "%.17g",
                               a header x1,…,x1000), from numpy.random.default_rng(18).standard_normal
    data_load.py npy FILE      numpy.load(FILE); prints the seconds it took and the array's shape
    data_load.py csv FILE      numpy.loadtxt(FILE, delimiter=",", skiprows=1); the same

Peak memory is measured around the process by /usr/bin/time -v (bench/data_load.sh).
"""
import sys
import time

import numpy as np

ROWS, COLUMNS = 100_000, 1_000


def write(directory):
    X = np.random.default_rng(18).standard_normal((ROWS, COLUMNS))
    np.save(f"{directory}/features.npy", X)
    header = ",".join(f"x{j + 1}" for j in range(COLUMNS))
    np.savetxt(f"{directory}/features.csv", X, delimiter=",", fmt="%.17g", header=header, comments="")


def load(kind, path):
    start = time.perf_counter()
    X = np.load(path) if kind == "npy" else np.loadtxt(path, delimiter=",", skiprows=1)
    print(f"numpy {kind}: {time.perf_counter() - start:.2f} s, shape {X.shape}")


if __name__ == "__main__":
    if sys.argv[1] == "write":
        write(sys.argv[2])
    else:
        load(sys.argv[1], sys.argv[2])
