#!/usr/bin/env python3
"""recur's local many-series training on Spark (`recur.spark.fit`, local[N]) against the
embedded run (`recur.many.fit`, rayon on N threads) on the same N cores: series per second of
both and Spark's overhead.

The series are `many-report`'s, bit for bit (`benches/src/many/generate.rs`: splitmix64 drawing
each series' period, amplitude, phase, trend, level and noise, ported below; both print the same
`series checksum` for the same `--series`, `--points` and `--seed`). Each is trained with the
tutorial model (SimpleRNN(32, relu) -> Dense(8, relu) -> Dense(1), RMSprop, mse, batch 16,
padded windows of 4, no scaling, split 0.8, `--epochs`), seeded from `--seed` and its id, so
the two runs must give identical metrics (checked: `identical metrics: yes`, exit status 1 if
not).

What is timed (with `--repeats R`, each R times, alternated, and the best times compared):

- embedded: the whole `recur.many.fit(df, ...)` call (the DataFrame written as CSV text, read,
  every series trained, results turned into DataFrames), with RAYON_NUM_THREADS=N;
- Spark: the whole `recur.spark.fit(sdf, ...)` call (the rows hashed by id into 4N
  partitions, `mapInArrow` training every series of a partition one after the other in a
  Python worker, the output persisted and counted), on local[N] with RAYON_NUM_THREADS=1 in
  the workers (each task trains on one core, as each rayon worker does in the embedded run);
  and, for comparison, `groupBy(id).applyInPandas(recur.spark.train_group)`, one Python call
  per series, persisted and counted the same way: what Spark's per-group handling costs.

Not timed: the Spark session's start-up, turning the pandas DataFrame into cached Spark
DataFrames, and a warm-up job on two series that starts the Python workers (their first
imports of pandas, pyarrow and recur); their seconds are printed beside.

Needs pyspark, pyarrow, pandas, recur (`pip install ./python[spark]`) and Java 17 or newer:

    python3 benches/compare/many_spark.py --series 1000 --points 1000 --epochs 50 --threads 2
    python3 benches/compare/many_spark.py --series 50 --points 300 --epochs 5   # a quick check
"""

import argparse
import functools
import json
import os
import platform
import sys
import time

from many_series import checksum, series, series_id


def long_frame(all_series):
    """The long format: `unique_id`, `ds` (the position, a regular numeric time), `y`."""
    import numpy as np
    import pandas as pd

    count = len(all_series)
    points = len(all_series[0])
    return pd.DataFrame({
        "unique_id": np.repeat([series_id(i, count) for i in range(count)], points),
        "ds": np.tile(np.arange(points, dtype=np.int64), count),
        "y": np.concatenate([np.asarray(s, dtype=np.float64) for s in all_series]),
    })


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--series", type=int, default=1000)
    p.add_argument("--points", type=int, default=1000)
    p.add_argument("--epochs", type=int, default=50)
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--split", type=float, default=0.8)
    p.add_argument("--seed", type=int, default=0, help="seed of the series and of the models")
    p.add_argument("--threads", type=int, default=2, help="cores: local[N] and rayon's N")
    p.add_argument("--repeats", type=int, default=1,
                   help="runs of each, alternated (embedded, Spark, embedded, ...); the best "
                   "of each is compared, so a busy moment on a shared machine weighs less")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    args = p.parse_args()
    if (args.series < 1 or args.points < 2 or args.threads < 1 or args.repeats < 1
            or not 0.0 < args.split < 1.0):
        p.error("expected --series >= 1, --points >= 2, --threads >= 1, --repeats >= 1 and "
                "0 < --split < 1")

    # Before recur is imported: rayon reads it when its pool starts. The JVM and the Python
    # workers it starts inherit the CPU set.
    os.environ["RAYON_NUM_THREADS"] = str(args.threads)
    if hasattr(os, "sched_setaffinity"):
        cpus = sorted(os.sched_getaffinity(0))[: args.threads]
        os.sched_setaffinity(0, cpus)
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    import warnings

    warnings.filterwarnings("ignore", message=".*PySpark does not yet fully support pandas")
    warnings.filterwarnings("ignore", message="The copy keyword is deprecated")

    import recur
    import recur.many
    import recur.spark

    settings = dict(
        epochs=args.epochs, batch_size=args.batch_size, split=args.split, seed=args.seed
    )
    started = time.perf_counter()
    all_series = [series(args.seed, i, args.points) for i in range(args.series)]
    df = long_frame(all_series)
    generate_s = time.perf_counter() - started
    check = checksum(all_series)


    from pyspark.sql import SparkSession

    started = time.perf_counter()
    spark = (
        SparkSession.builder.master(f"local[{args.threads}]")
        .appName("recur-many-spark")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", str(args.threads))
        .config("spark.executorEnv.RAYON_NUM_THREADS", "1")
        .config("spark.driver.memory", "2g")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    session_s = time.perf_counter() - started
    started = time.perf_counter()
    sdf = spark.createDataFrame(df).cache()
    sdf.count()
    load_s = time.perf_counter() - started
    # The same rows already hash-partitioned by id into the job's N partitions and sorted by
    # id within each, as a table bucketed by id would be read: the job then needs no shuffle
    # and no sort of its own, which shows what recur costs on Spark apart from them.
    per_id_fn = functools.partial(
        recur.spark.train_group, id_col="unique_id", time_col="ds", value_col="y", **settings
    )

    def per_id_run():
        out = sdf.groupBy("unique_id").applyInPandas(per_id_fn, recur.spark.GROUP_SCHEMA)
        out = out.persist()
        out.count()
        out.unpersist()

    started = time.perf_counter()
    warm_ids = [series_id(i, args.series) for i in range(min(2, args.series))]
    warm = recur.spark.fit(sdf.where(sdf.unique_id.isin(warm_ids)), **dict(settings, epochs=1))
    warm.unpersist()
    warmup_s = time.perf_counter() - started

    embedded_runs, spark_runs, per_id_runs = [], [], []
    for _ in range(args.repeats):
        started = time.perf_counter()
        embedded = recur.many.fit(df, "unique_id", "ds", "y", **settings)
        embedded_runs.append(time.perf_counter() - started)
        started = time.perf_counter()
        per_id_run()
        per_id_runs.append(time.perf_counter() - started)
        started = time.perf_counter()
        on_spark = recur.spark.fit(sdf, "unique_id", "ds", "y", **settings)
        spark_runs.append(time.perf_counter() - started)
        if len(spark_runs) < args.repeats:
            on_spark.unpersist()
    embedded_s, spark_s, per_id_s = min(embedded_runs), min(spark_runs), min(per_id_runs)
    metrics = on_spark.metrics.toPandas()
    identical = (
        len(metrics) == len(embedded.metrics)
        and metrics["id"].tolist() == embedded.metrics["id"].tolist()
        and all(
            (metrics[c].to_numpy(float) == embedded.metrics[c].to_numpy(float)).all()
            for c in ["train_mse", "test_mse", "baseline_test_mse", "persistence_test_mse"]
        )
    )
    on_spark.unpersist()
    spark.stop()

    n = args.series
    figures = {
        "framework": "recur",
        "version": recur.__version__,
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs visible, {args.threads} used",
        "settings": dict(vars(args)),
        "series_checksum": f"{check:016x}",
        "trained": len(embedded.metrics),
        "skipped": len(embedded.skipped),
        "embedded": {
            "wall_seconds": embedded_s,
            "runs": embedded_runs,
            "fit_seconds": embedded.fit_seconds,
            "series_per_second": n / embedded_s,
        },
        "spark": {
            "wall_seconds": spark_s,
            "runs": spark_runs,
            "series_per_second": n / spark_s,
            "session_seconds": session_s,
            "load_seconds": load_s,
            "warmup_seconds": warmup_s,
        },
        "spark_one_group_per_series": {
            "wall_seconds": per_id_s,
            "runs": per_id_runs,
            "series_per_second": n / per_id_s,
        },
        "overhead": spark_s / embedded_s - 1.0,
        "overhead_one_group_per_series": per_id_s / embedded_s - 1.0,
        "identical_metrics": identical,
    }
    if args.json:
        print(json.dumps(figures))
    else:
        print(
            f"{n} series x {args.points} points, {args.epochs} epochs, batch {args.batch_size}, "
            f"split {args.split}, seed {args.seed}, {args.threads} cores "
            f"(generated in {generate_s:.1f} s)"
        )
        print(f"series checksum: {check:016x} (many-report prints it too)")
        print(f"trained {figures['trained']}, skipped {figures['skipped']}")
        print()
        print(f"{'run':<34}{'wall s':>10}{'series/s':>12}")
        print(f"{'embedded (recur.many.fit)':<34}{embedded_s:>10.2f}{n / embedded_s:>12.2f}")
        print(f"{f'Spark local[{args.threads}] (recur.spark.fit)':<34}{spark_s:>10.2f}"
              f"{n / spark_s:>12.2f}")
        print(f"{'  one group per series':<34}{per_id_s:>10.2f}{n / per_id_s:>12.2f}")
        print()
        print(f"Spark overhead: {100 * figures['overhead']:+.1f}%; one group per series: "
              f"{100 * figures['overhead_one_group_per_series']:+.1f}%")
        print(f"not timed: session start {session_s:.1f} s, DataFrame to Spark {load_s:.1f} s, "
              f"warm-up job {warmup_s:.1f} s")
        if args.repeats > 1:
            print("runs (s): embedded " + ", ".join(f"{t:.2f}" for t in embedded_runs)
                  + "; Spark " + ", ".join(f"{t:.2f}" for t in spark_runs)
                  + "; one group per series " + ", ".join(f"{t:.2f}" for t in per_id_runs)
                  + " (best compared)")
        print(f"embedded fit_seconds (last run): {embedded.fit_seconds:.2f}")
        print(f"identical metrics: {'yes' if identical else 'no'}")
    return 0 if identical else 1


if __name__ == "__main__":
    sys.exit(main())
