#!/usr/bin/env python3
"""Keras/TensorFlow training one tutorial model per series in a Python loop, on the series
`many-report` generates: the peer figure for recur's many-series (local) training.

For each of `--series` series (default 20): a new SimpleRNN(32, relu) -> Dense(8, relu) ->
Dense(1) model, mse, RMSprop(learning_rate=0.001, rho=0.9, epsilon=1e-7), fit for `--epochs`
(50) at batch `--batch-size` (16) with shuffling, evaluate on the test windows. It prints series
per second over the whole loop (model building, compiling, fitting, evaluating and
`keras.backend.clear_session()` between series, as a user's loop does), the time that would
take for `--scale-to` (1000) series at that rate, and the mean test MSE beside the mean-of-window
baseline and persistence.

The series are recur's, bit for bit: `benches/src/many/generate.rs` draws them from splitmix64,
ported below; both print the same `series checksum` (FNV-1a of every value's bits) for the same
`--series`, `--points` and `--seed` (`many-report --series 20 --points 1000 --threads 1
--quality-series 20` is recur's run of these 20). Windows as recur's: split at
floor(split * n * (1 + 1e-9)), each part padded with `step` copies of its last value, layout
(N, 1, 4), no scaling. Keras's weights are its own (glorot/orthogonal from its seed), so its
MSEs are comparable to recur's in distribution, not bit for bit.

Runs in one process pinned to `--threads` CPUs with TensorFlow's thread pools of that size (as
compare.py's runners). Needs the .venv that setup.sh makes (`NO_TORCH=1 NO_JAX=1
NO_RECUR_PYTHON=1 benches/compare/setup.sh` is enough).
"""

import argparse
import json
import math
import os
import statistics
import sys
import time

from common import peak_rss_mib, pin_threads

from many_series import checksum, series


def windows(values, split, step):
    """(train_x, train_y, test_x, test_y), float32, x of shape (N, 1, step), y (N, 1)."""
    import numpy as np

    t = math.floor(split * len(values) * (1.0 + 1e-9))
    out = []
    for part in (values[:t], values[t:]):
        padded = np.asarray(part + [part[-1]] * step, dtype=np.float32)
        n = len(part)
        idx = np.arange(n)[:, None] + np.arange(step)[None, :]
        out += [padded[idx].reshape(n, 1, step), padded[step : step + n].reshape(n, 1)]
    return tuple(out)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--series", type=int, default=20, help="series to train (the first ones)")
    p.add_argument("--points", type=int, default=1000)
    p.add_argument("--epochs", type=int, default=50)
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--split", type=float, default=0.8)
    p.add_argument("--seed", type=int, default=0, help="seed of the series (and of Keras)")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--scale-to", type=int, default=1000, help="series to extrapolate to")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    args = p.parse_args()
    if args.series < 1 or args.points < 2 or not 0.0 < args.split < 1.0:
        p.error("expected --series >= 1, --points >= 2 and 0 < --split < 1")
    step = 4

    pin_threads(args.threads)
    os.environ["KERAS_BACKEND"] = "tensorflow"
    import numpy as np
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(args.threads)
    tf.config.threading.set_inter_op_parallelism_threads(args.threads)
    import keras

    all_series = [series(args.seed, i, args.points) for i in range(args.series)]
    rows = []
    loop_start = time.perf_counter()
    for i, values in enumerate(all_series):
        start = time.perf_counter()
        keras.backend.clear_session()
        keras.utils.set_random_seed(args.seed + i)
        tx, ty, vx, vy = windows(values, args.split, step)
        model = keras.Sequential([keras.Input(shape=tx.shape[1:])])
        model.add(keras.layers.SimpleRNN(32, activation="relu"))
        model.add(keras.layers.Dense(8, activation="relu"))
        model.add(keras.layers.Dense(1))
        model.compile(
            loss="mse",
            optimizer=keras.optimizers.RMSprop(learning_rate=0.001, rho=0.9, epsilon=1e-7),
        )
        fit_start = time.perf_counter()
        model.fit(tx, ty, epochs=args.epochs, batch_size=args.batch_size, shuffle=True, verbose=0)
        fit_seconds = time.perf_counter() - fit_start
        test_mse = float(model.evaluate(vx, vy, batch_size=1024, verbose=0))
        x64, y64 = vx.astype(np.float64), vy[:, 0].astype(np.float64)
        rows.append(
            {
                "id": f"s{i:04d}",
                "seconds": time.perf_counter() - start,
                "fit_seconds": fit_seconds,
                "test_mse": test_mse,
                "baseline_test_mse": float(np.mean((x64.mean(axis=(1, 2)) - y64) ** 2)),
                "persistence_test_mse": float(np.mean((x64[:, 0, -1] - y64) ** 2)),
            }
        )
        if not args.json:
            print(f"  {rows[-1]['id']}: {rows[-1]['seconds']:.2f} s, test MSE {test_mse:.5f}",
                  file=sys.stderr, flush=True)
    loop_seconds = time.perf_counter() - loop_start
    rate = args.series / loop_seconds
    mean = lambda k: statistics.fmean(r[k] for r in rows)  # noqa: E731
    result = {
        "framework": "keras/tensorflow",
        "version": f"keras {keras.__version__}, tensorflow {tf.__version__}",
        "threads": args.threads,
        "series": args.series,
        "points": args.points,
        "epochs": args.epochs,
        "batch_size": args.batch_size,
        "series_checksum": f"{checksum(all_series):016x}",
        "loop_seconds": loop_seconds,
        "series_per_second": rate,
        "median_series_seconds": statistics.median(r["seconds"] for r in rows),
        "median_fit_seconds": statistics.median(r["fit_seconds"] for r in rows),
        "scale_to": args.scale_to,
        "scaled_seconds": args.scale_to / rate,
        "mean_test_mse": mean("test_mse"),
        "median_test_mse": statistics.median(r["test_mse"] for r in rows),
        "mean_baseline_test_mse": mean("baseline_test_mse"),
        "mean_persistence_test_mse": mean("persistence_test_mse"),
        "beats_persistence": sum(r["test_mse"] < r["persistence_test_mse"] for r in rows),
        "peak_rss_mib": peak_rss_mib(),
        "rows": rows,
    }
    if args.json:
        json.dump(result, sys.stdout)
        print()
        return
    print(f"Keras/TensorFlow, one model per series in a Python loop: {result['version']}, "
          f"{args.threads} thread(s)")
    print(f"series checksum: {result['series_checksum']} ({args.series} series x {args.points} "
          f"points, seed {args.seed})")
    print(f"{args.series} series in {loop_seconds:.1f} s: {rate:.3f} series/s "
          f"(median {result['median_series_seconds']:.2f} s per series, of which fit "
          f"{result['median_fit_seconds']:.2f} s)")
    print(f"at that rate {args.scale_to} series take {result['scaled_seconds']:.0f} s "
          f"({result['scaled_seconds'] / 60:.1f} min)")
    print(f"test MSE mean {result['mean_test_mse']:.5f} (median "
          f"{result['median_test_mse']:.5f}); mean-of-window baseline "
          f"{result['mean_baseline_test_mse']:.5f}; persistence "
          f"{result['mean_persistence_test_mse']:.5f}; beats persistence on "
          f"{result['beats_persistence']}/{args.series}")
    print(f"peak RSS {result['peak_rss_mib']:.0f} MiB")


if __name__ == "__main__":
    main()
