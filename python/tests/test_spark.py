"""recur.spark on a real local Spark session (local[2]): 20 small series trained inside the
executors (hashed by id into partitions, or one group per series) give exactly what recur.many.fit gives on one machine (metrics,
predictions, forecasts, skipped), and the one model file saved from Spark is the embedded run's,
byte for byte, loadable with recur.many.load. Skipped only where there is no Java."""

import os
import shutil
import sys

import numpy as np
import pandas as pd
import pytest

import recur.many
import recur.spark

pytestmark = [
    pytest.mark.skipif(
        shutil.which("java") is None and not os.environ.get("JAVA_HOME"),
        reason="Spark needs Java (17 or newer)",
    ),
    # pyspark 4.3 warns that it does not yet fully support pandas 3 and calls astype with
    # pandas 3's deprecated copy keyword; what these tests use works.
    pytest.mark.filterwarnings("ignore:.*PySpark does not yet fully support pandas"),
    pytest.mark.filterwarnings("ignore:The copy keyword is deprecated"),
]

SETTINGS = dict(epochs=2, units=8, dense=(4,), seed=5)


@pytest.fixture(scope="module")
def spark():
    # The executors' Python must be this one (it has recur installed).
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("recur-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.driver.memory", "1g")
        # A short session: the JVM's first-tier compiler alone starts and runs these small
        # jobs about 40% sooner than the default tiered compilation.
        .config("spark.driver.extraJavaOptions", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def twenty_series():
    """20 daily series of 24 to 62 values with their own period and trend, one with two days
    missing (trained without a time axis) and one of 4 values (skipped), rows shuffled."""
    rng = np.random.default_rng(11)
    parts = []
    for k in range(20):
        n = 24 + 2 * k
        t = np.arange(n)
        y = 2 * np.sin(2 * np.pi * t / (4 + k % 7)) + 0.03 * k * t + 0.2 * rng.standard_normal(n)
        parts.append(pd.DataFrame({
            "unique_id": f"store-{k:02}",
            "ds": pd.date_range("2023-01-01", periods=n, freq="D") + pd.Timedelta(days=k),
            "y": y,
        }))
    gappy = pd.date_range("2023-02-01", periods=40, freq="D").delete([10, 11])
    parts.append(pd.DataFrame({"unique_id": "store-gappy", "ds": gappy,
                               "y": np.cos(np.arange(len(gappy)) / 3.0)}))
    parts.append(pd.DataFrame({
        "unique_id": "store-new",
        "ds": pd.date_range("2023-06-01", periods=4, freq="D"),
        "y": [1.0, 2.0, 3.0, 4.0],
    }))
    return pd.concat(parts, ignore_index=True).sample(frac=1.0, random_state=3)


@pytest.fixture(scope="module")
def runs(spark):
    df = twenty_series()
    embedded = recur.many.fit(df, **SETTINGS)
    on_spark = recur.spark.fit(spark.createDataFrame(df), horizon=3, **SETTINGS)
    yield df, embedded, on_spark
    on_spark.unpersist()


def test_spark_metrics_equal_the_embedded_run_exactly(runs):
    _, embedded, on_spark = runs
    metrics = on_spark.metrics.toPandas()
    assert len(metrics) == 21
    pd.testing.assert_frame_equal(metrics, embedded.metrics, check_dtype=False, check_exact=True)
    skipped = on_spark.skipped.toPandas()
    pd.testing.assert_frame_equal(skipped, embedded.skipped, check_dtype=False)
    assert list(skipped["id"]) == ["store-new"]
    no_axis = on_spark.no_time_axis.toPandas()
    pd.testing.assert_frame_equal(no_axis, embedded.no_time_axis, check_dtype=False)
    assert list(no_axis["id"]) == ["store-gappy"]


def test_spark_predictions_and_forecasts_equal_the_embedded_run(runs):
    _, embedded, on_spark = runs
    p = on_spark.predictions.toPandas().sort_values(["id", "index"], ignore_index=True)
    pd.testing.assert_frame_equal(p, embedded.predictions, check_dtype=False, check_exact=True)
    f = on_spark.forecasts.toPandas().sort_values(["id", "step"], ignore_index=True)
    pd.testing.assert_frame_equal(f, embedded.forecast(3), check_dtype=False, check_exact=True)
    assert pd.api.types.is_datetime64_any_dtype(f["time"])


def test_model_saved_from_spark_loads_and_forecasts_as_the_embedded_one(runs, tmp_path):
    df, embedded, on_spark = runs
    path = tmp_path / "cluster.recur"
    on_spark.save(path)
    assert path.read_bytes() == embedded.model_bytes()
    laptop = recur.many.load(path)
    assert laptop.ids == list(embedded.metrics["id"])
    f = laptop.forecast(5)
    pd.testing.assert_frame_equal(f, embedded.forecast(5), check_exact=True)
    last = df.groupby("unique_id")["ds"].max()
    first = f.iloc[0]
    assert first["time"] == last[first["id"]] + pd.Timedelta(days=1)
    assert f[f["id"] == "store-gappy"]["time"].isna().all()


def test_one_group_per_series_and_any_partition_count_give_the_same_rows(spark, runs):
    import functools

    df, embedded, on_spark = runs
    sdf = spark.createDataFrame(df)
    fn = functools.partial(recur.spark.train_group, **SETTINGS)
    per_id = sdf.groupBy("unique_id").applyInPandas(fn, schema=recur.spark.GROUP_SCHEMA)
    r = recur.spark.group_results(per_id.toPandas())
    pd.testing.assert_frame_equal(r.metrics, embedded.metrics, check_dtype=False, check_exact=True)
    one = recur.spark.fit(sdf, partitions=1, **SETTINGS)
    pd.testing.assert_frame_equal(
        one.metrics.toPandas(), embedded.metrics, check_dtype=False, check_exact=True)
    one.unpersist()
    for bad in (0, -2, 2.5, True, "8"):
        with pytest.raises(ValueError, match="partitions: expected a whole number"):
            recur.spark.fit(sdf, partitions=bad)


def test_global_mode_and_bad_settings_are_refused_on_the_driver(spark):
    sdf = spark.createDataFrame(twenty_series().head(50))
    with pytest.raises(ValueError, match="global mode fits one model"):
        recur.spark.fit(sdf, mode="global")
    with pytest.raises(ValueError, match="units"):
        recur.spark.fit(sdf, units=0)
    with pytest.raises(ValueError, match="epochz"):
        recur.spark.fit(sdf, epochz=3)
    with pytest.raises(ValueError, match="seasonal_diff: .*got 0"):
        recur.spark.fit(sdf, seasonal_diff=0)
    with pytest.raises(ValueError, match="value_col: no column 'sales'"):
        recur.spark.fit(sdf, value_col="sales")
    with pytest.raises(ValueError, match="time_col: expected a time column on Spark"):
        recur.spark.fit(sdf, time_col=None)


def test_differenced_spark_run_equals_the_embedded_one(spark):
    df = twenty_series()
    settings = dict(SETTINGS, diff=1, season=7)
    embedded = recur.many.fit(df, **settings)
    on_spark = recur.spark.fit(spark.createDataFrame(df), horizon=3, **settings)
    metrics = on_spark.metrics.toPandas()
    assert metrics["seasonal_naive_test_mse"].notna().all()
    pd.testing.assert_frame_equal(metrics, embedded.metrics, check_dtype=False, check_exact=True)
    f = on_spark.forecasts.toPandas().sort_values(["id", "step"], ignore_index=True)
    pd.testing.assert_frame_equal(f, embedded.forecast(3), check_dtype=False, check_exact=True)
    on_spark.unpersist()


def test_dates_and_integer_ids_come_back_in_their_types(spark):
    from pyspark.sql import functions as F

    df = twenty_series()
    df = df[df["unique_id"].isin(["store-03", "store-07", "store-11"])].copy()
    df["unique_id"] = df["unique_id"].str[-2:].astype(int)
    df["ds"] = df["ds"].dt.date  # datetime.date objects, as Spark's DateType gives
    sdf = spark.createDataFrame(df).withColumn("ds", F.col("ds").cast("date"))
    on_spark = recur.spark.fit(sdf, horizon=2, **dict(SETTINGS, epochs=1))
    embedded = recur.many.fit(df, **dict(SETTINGS, epochs=1))
    pd.testing.assert_frame_equal(
        on_spark.metrics.toPandas(), embedded.metrics, check_dtype=False, check_exact=True)
    f = on_spark.forecasts.toPandas().sort_values(["id", "step"], ignore_index=True)
    pd.testing.assert_frame_equal(f, embedded.forecast(2), check_dtype=False, check_exact=True)
    assert list(f["id"][:1]) == ["11"]
    last = df.groupby("unique_id")["ds"].max()
    assert f["time"].iloc[0] == last[11] + pd.Timedelta(days=1)
    on_spark.unpersist()


def test_calibrated_spark_run_equals_the_embedded_one(spark):
    # Series of 60 to 190 values: the three longest hold out enough targets for 3 calibrated
    # steps, the others are skipped, as in the embedded run.
    rng = np.random.default_rng(5)
    parts = []
    for k in range(6):
        n = 60 + 26 * k
        t = np.arange(n)
        parts.append(pd.DataFrame({
            "unique_id": f"s{k}",
            "ds": pd.date_range("2023-01-01", periods=n, freq="D"),
            "y": np.sin(2 * np.pi * t / (5 + k)) + 0.1 * rng.standard_normal(n),
        }))
    df = pd.concat(parts, ignore_index=True).sample(frac=1.0, random_state=6)
    settings = dict(SETTINGS, interval=0.9, interval_horizon=3)
    embedded = recur.many.fit(df, **settings)
    on_spark = recur.spark.fit(spark.createDataFrame(df), horizon=3, **settings)
    metrics = on_spark.metrics.toPandas()
    assert metrics["interval_coverage"].notna().all()
    pd.testing.assert_frame_equal(metrics, embedded.metrics, check_dtype=False, check_exact=True)
    pd.testing.assert_frame_equal(
        on_spark.skipped.toPandas(), embedded.skipped, check_dtype=False)
    assert list(embedded.skipped["id"]) == ["s0", "s1", "s2"]
    f = on_spark.forecasts.toPandas().sort_values(["id", "step"], ignore_index=True)
    assert list(f.columns) == ["id", "step", "time", "prediction", "lo", "hi"]
    pd.testing.assert_frame_equal(
        f, embedded.forecast(3, interval=0.9), check_dtype=False, check_exact=True)
    assert on_spark.model().to_bytes() == embedded.model_bytes()
    with pytest.raises(ValueError, match="interval_horizon"):
        recur.spark.fit(spark.createDataFrame(df), horizon=4, **settings)
    on_spark.unpersist()


def test_spark_run_with_covariates_equals_the_embedded_one(spark):
    df = twenty_series()
    rng = np.random.default_rng(4)
    df["price"] = rng.uniform(1.0, 2.0, len(df))
    settings = dict(SETTINGS, features=["price"])
    embedded = recur.many.fit(df, **settings)
    on_spark = recur.spark.fit(spark.createDataFrame(df), horizon=1, **settings)
    metrics = on_spark.metrics.toPandas()
    pd.testing.assert_frame_equal(metrics, embedded.metrics, check_dtype=False, check_exact=True)
    f = on_spark.forecasts.toPandas().sort_values(["id", "step"], ignore_index=True)
    pd.testing.assert_frame_equal(f, embedded.forecast(1), check_dtype=False, check_exact=True)
    assert on_spark.model().features == ["price"]
    on_spark.unpersist()
    # More values than the model outputs per pass would need the covariates' future values.
    with pytest.raises(ValueError, match="horizon: a model with features"):
        recur.spark.fit(spark.createDataFrame(df), horizon=3, **settings)
    with pytest.raises(ValueError, match="features: no column 'cost'"):
        recur.spark.fit(spark.createDataFrame(df), features=["cost"])
