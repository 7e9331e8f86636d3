"""Shared pieces of the Python runners (PyTorch, Keras, recur's Python API): arguments, data,
windows, timing, JSON out.

Every runner is one process for one (framework, model, thread count, seed). It prints one JSON
object on stdout with the same keys as `recur train --json` where they overlap (`train_mse`,
`test_mse`, `fit_seconds`, `params`, `history`), plus `framework`, `version`, `steps`,
`timed_steps`, `timed_seconds`, `timed_windows` and `peak_rss_mib`.

The windows follow the tutorial (and recur's `data` crate): split the series at T, pad each part
with `step` copies of its last value, and window i of a part is x[i..i+step] -> x[i+step], one
window per value of the part. Layout `tutorial` is (N, 1, step), `sequence` is (N, step, 1).
"""

import argparse
import csv
import json
import os
import resource
import sys


def parse_args(description):
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--csv", required=True, help="series CSV (a header, one numeric column last)")
    p.add_argument("--column", default=None, help="column name [default: the last column]")
    p.add_argument("--split", default="900", help="T: an index, or a fraction below 1")
    p.add_argument("--step", type=int, default=4)
    p.add_argument("--layout", choices=["tutorial", "sequence"], default="tutorial")
    p.add_argument("--units", type=int, default=32)
    p.add_argument("--activation", choices=["relu", "tanh"], default="relu")
    p.add_argument("--dense", default="8", help="hidden Dense sizes (relu), comma list, or none")
    p.add_argument("--lr", type=float, default=0.001)
    p.add_argument("--epochs", type=int, default=50)
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument(
        "--warmup-steps",
        type=int,
        default=0,
        help="throughput mode: train this many steps first, untimed (0 = tutorial mode: "
        "time the whole fit, as recur's fit_seconds and Keras's fit)",
    )
    p.add_argument(
        "--max-steps",
        type=int,
        default=0,
        help="throughput mode: stop the timed run after this many steps (0 = all epochs)",
    )
    p.add_argument("--no-train-mse", action="store_true", help="skip evaluating the train set")
    p.add_argument("--backend", choices=["tensorflow", "jax"], default=None,
                   help="Keras backend [default: tensorflow] (run_keras.py only; the other "
                   "runners refuse it)")
    return p.parse_args()


def pin_threads(n):
    """Pins the process to n CPUs and sets every threading knob we know to n.

    Must run before numpy, torch, tensorflow, jax or recur is imported: their thread pools read
    these variables once, at import or first use (recur's, rayon's global pool, reads
    RAYON_NUM_THREADS).
    """
    try:
        os.sched_setaffinity(0, set(range(min(n, os.cpu_count() or n))))
    except (AttributeError, OSError):
        pass
    for var in (
        "OMP_NUM_THREADS",
        "MKL_NUM_THREADS",
        "OPENBLAS_NUM_THREADS",
        "RAYON_NUM_THREADS",
        "TF_NUM_INTRAOP_THREADS",
        "TF_NUM_INTEROP_THREADS",
    ):
        os.environ[var] = str(n)
    flags = os.environ.get("XLA_FLAGS", "")
    if n == 1 and "xla_cpu_multi_thread_eigen" not in flags:
        flags += " --xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
    os.environ["XLA_FLAGS"] = flags.strip()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def read_series(path, column=None):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    idx = len(header) - 1 if column is None else header.index(column)
    return [float(r[idx]) for r in body if r]


def split_index(split, n):
    v = float(split)
    return int(v * n) if v < 1 else int(v)


def windows(series, split, step, layout):
    """Returns (train_x, train_y, test_x, test_y) as float32 numpy arrays, y of shape (N, 1)."""
    import numpy as np

    t = split_index(split, len(series))
    out = []
    for part in (series[:t], series[t:]):
        padded = np.asarray(part + [part[-1]] * step, dtype=np.float32)
        n = len(part)
        idx = np.arange(n)[:, None] + np.arange(step)[None, :]
        x = padded[idx]
        y = padded[step : step + n].reshape(n, 1)
        x = x.reshape(n, 1, step) if layout == "tutorial" else x.reshape(n, step, 1)
        out += [np.ascontiguousarray(x), np.ascontiguousarray(y)]
    return tuple(out)


def dense_sizes(spec):
    return [] if spec == "none" else [int(s) for s in spec.split(",") if s]


def peak_rss_mib():
    # ru_maxrss is in KiB on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def emit(result):
    result["peak_rss_mib"] = peak_rss_mib()
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")
    sys.stdout.flush()
