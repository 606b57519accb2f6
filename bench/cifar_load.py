#!/usr/bin/env python3
"""The numpy reference of bench/cifar_load.sh: writes, or loads and times, CIFAR-10-sized binary batches.

    cifar_load.py write DIR    writes DIR/data_batch_1.bin … data_batch_5.bin and test_batch.bin, 10 000 records
                               each of 1 label byte (0–9) and 3072 pixel bytes, from numpy.random.default_rng(18)
    cifar_load.py load DIR     reads the five training batches, scales the pixels to [0, 1] as float64 and
                               standardises each of the 3072 columns over the 50 000 rows, as kdrepro's
                               `cifar10(directory, test)` does (the file hash kdrepro also takes is not included)

Peak memory is measured around the process by /usr/bin/time -v (bench/cifar_load.sh).
"""
import sys
import time

import numpy as np

RECORDS, PIXELS = 10_000, 3072
TRAIN = [f"data_batch_{b}.bin" for b in range(1, 6)]


def write(directory):
    rng = np.random.default_rng(18)
    for name in TRAIN + ["test_batch.bin"]:
        records = rng.integers(0, 256, (RECORDS, PIXELS + 1), dtype=np.uint8)
        records[:, 0] %= 10
        records.tofile(f"{directory}/{name}")


def load(directory):
    start = time.perf_counter()
    records = np.concatenate([np.fromfile(f"{directory}/{n}", dtype=np.uint8).reshape(-1, PIXELS + 1) for n in TRAIN])
    labels = records[:, 0].astype(np.uint32)
    X = records[:, 1:].astype(np.float64) / 255.0
    del records
    X -= X.mean(axis=0)
    X /= X.std(axis=0)
    print(f"numpy: {time.perf_counter() - start:.2f} s, shape {X.shape}, {len(set(labels.tolist()))} classes")


if __name__ == "__main__":
    (write if sys.argv[1] == "write" else load)(sys.argv[2])
