"""recur.many: many series from a pandas DataFrame in the long format, local and global modes,
skipped series, errors naming the series and the setting, the model file's round trip, and the
per-group function of recur.spark giving what the whole run gives."""

import math
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pandas as pd
import pytest

import recur.many
import recur.spark

FAST = dict(epochs=3, units=8, dense=(4,))


def long_frame(n_series=4, start=40, seed=0):
    """Daily series of different lengths and periods, rows shuffled; plus one too short."""
    rng = np.random.default_rng(seed)
    parts = []
    for k in range(n_series):
        n = start + 7 * k
        t = np.arange(n)
        y = np.sin(2 * np.pi * t / (5 + k)) + 0.05 * k * t + 0.1 * rng.standard_normal(n)
        parts.append(pd.DataFrame({
            "unique_id": f"s{k}",
            "ds": pd.date_range("2024-01-01", periods=n, freq="D"),
            "y": y,
        }))
    parts.append(pd.DataFrame({
        "unique_id": "tiny",
        "ds": pd.date_range("2024-03-01", periods=5, freq="D"),
        "y": np.arange(5.0),
    }))
    return pd.concat(parts, ignore_index=True).sample(frac=1.0, random_state=seed)


def test_local_fit_gives_metrics_predictions_and_skipped_in_id_order():
    df = long_frame()
    r = recur.many.fit(df, **FAST)
    assert r.mode == "local"
    assert list(r.metrics["id"]) == ["s0", "s1", "s2", "s3"]
    assert list(r.metrics.columns) == [
        "id", "train_mse", "test_mse", "baseline_test_mse", "persistence_test_mse",
        "seasonal_naive_test_mse", "test_mse_observed", "skill",
        "train_windows", "test_windows", "epochs", "interval_coverage", "interval_half_width"]
    # Without a season there is no seasonal naive figure, without an interval no coverage.
    assert r.metrics["seasonal_naive_test_mse"].isna().all()
    assert r.metrics[["interval_coverage", "interval_half_width"]].isna().all().all()
    best = r.metrics["persistence_test_mse"]
    np.testing.assert_allclose(r.metrics["skill"], 1 - r.metrics["test_mse_observed"] / best)
    assert (r.metrics["epochs"] == 3).all()
    for col in ["train_mse", "test_mse", "baseline_test_mse", "persistence_test_mse"]:
        assert np.isfinite(r.metrics[col]).all() and (r.metrics[col] >= 0).all()
    # Split 0.8 within each series, padded windows: T = floor(0.8 n) training windows.
    n = df.groupby("unique_id").size()
    for _, m in r.metrics.iterrows():
        assert m["train_windows"] == math.floor(0.8 * n[m["id"]])
        assert m["test_windows"] == n[m["id"]] - math.floor(0.8 * n[m["id"]])
    assert list(r.skipped["id"]) == ["tiny"]
    assert "split" in r.skipped["reason"][0]
    # Predictions: long format, each on a real value of its series at its time.
    p = r.predictions
    assert list(p.columns) == ["id", "index", "time", "actual", "prediction", "part"]
    assert pd.api.types.is_datetime64_any_dtype(p["time"])
    merged = p.merge(df, left_on=["id", "time"], right_on=["unique_id", "ds"])
    assert len(merged) == len(p)
    assert (merged["actual"] == merged["y"]).all()
    assert set(p["part"]) == {"train", "test"}
    first = p[p["id"] == "s0"]
    assert (first["index"].diff().dropna() > 0).all()
    assert (first["time"] == pd.Timestamp("2024-01-01") + pd.to_timedelta(first["index"], "D")).all()
    assert r.fit_seconds > 0


def test_shuffled_rows_give_identical_results():
    df = long_frame()
    a = recur.many.fit(df, **FAST)
    b = recur.many.fit(df.sample(frac=1.0, random_state=7), **FAST)
    pd.testing.assert_frame_equal(a.metrics, b.metrics, check_exact=True)
    pd.testing.assert_frame_equal(a.predictions, b.predictions, check_exact=True)
    assert a.model_bytes() == b.model_bytes()
    # Another seed gives other models.
    c = recur.many.fit(df, seed=1, **FAST)
    assert not np.array_equal(a.metrics["test_mse"], c.metrics["test_mse"])


def test_global_mode_trains_one_model_on_standard_scaled_series():
    df = long_frame()
    g = recur.many.fit(df, mode="global", **FAST)
    assert g.mode == "global" and g.model.mode == "global"
    assert g.model.ids == ["s0", "s1", "s2", "s3"]
    assert list(g.skipped["id"]) == ["tiny"]
    local = recur.many.fit(df, **FAST)
    assert not np.array_equal(g.metrics["test_mse"], local.metrics["test_mse"])
    # Scaled per series: the one model's predictions are back in each series' units.
    s3 = g.predictions[g.predictions["id"] == "s3"]
    assert abs(s3["prediction"].mean() - s3["actual"].mean()) < 2 * s3["actual"].std()
    # scale="none" is honoured in global mode too (other results).
    raw = recur.many.fit(df, mode="global", scale="none", **FAST)
    assert not np.array_equal(raw.metrics["test_mse"], g.metrics["test_mse"])


def test_duplicate_time_names_the_series_and_the_time():
    df = long_frame()
    dup = df[df["unique_id"] == "s2"].iloc[[0]]
    with pytest.raises(ValueError, match=r"'s2'.*2024-01-\d\d|2024-01-\d\d.*'s2'"):
        recur.many.fit(pd.concat([df, dup]), **FAST)


def test_every_series_skipped_is_an_error():
    df = long_frame()
    tiny = df[df["unique_id"] == "tiny"]
    with pytest.raises(ValueError, match="every one of the 1 series was skipped"):
        recur.many.fit(tiny, **FAST)


def test_save_load_and_forecast_with_future_dates(tmp_path):
    df = long_frame()
    r = recur.many.fit(df, **FAST)
    f = r.forecast(3)
    assert list(f.columns) == ["id", "step", "time", "prediction"]
    assert len(f) == 4 * 3 and list(f["step"][:3]) == [1, 2, 3]
    last = df.groupby("unique_id")["ds"].max()
    for _, row in f.iterrows():
        assert row["time"] == last[row["id"]] + pd.Timedelta(days=int(row["step"]))
    assert np.isfinite(f["prediction"]).all()

    path = tmp_path / "many.recur"
    r.save(path)
    assert path.read_bytes() == r.model_bytes()
    assert not list(tmp_path.glob("*.tmp"))
    m = recur.many.load(path)
    assert m.ids == ["s0", "s1", "s2", "s3"] and m.mode == "local"
    pd.testing.assert_frame_equal(m.forecast(3), f, check_exact=True)
    with pytest.raises(ValueError, match="horizon"):
        m.forecast(0)
    bad = tmp_path / "bad.recur"
    bad.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(ValueError, match="many-series model"):
        recur.many.load(bad)


def test_irregular_series_train_and_forecast_without_times():
    df = long_frame()
    gap = df[(df["unique_id"] == "s1") & (df["ds"] == pd.Timestamp("2024-01-20"))].index
    r = recur.many.fit(df.drop(gap), **FAST)
    assert "s1" in list(r.metrics["id"])
    assert list(r.no_time_axis["id"]) == ["s1"]
    assert "between 2024-01-19" in r.no_time_axis["reason"][0]
    f = r.forecast(2)
    assert f[f["id"] == "s1"]["time"].isna().all()
    assert f[f["id"] != "s1"]["time"].notna().all()
    assert recur.many.fit(df, **FAST).no_time_axis.empty


def test_numeric_times_and_no_time_column():
    df = long_frame()
    df["t"] = (df["ds"] - pd.Timestamp("2024-01-01")).dt.days * 2
    numeric = recur.many.fit(df, time_col="t", **FAST)
    f = numeric.forecast(2)
    s0 = df[df["unique_id"] == "s0"]
    assert list(f[f["id"] == "s0"]["time"]) == [s0["t"].max() + 2, s0["t"].max() + 4]
    # Without a time column each series keeps the DataFrame's order: sorted rows give the
    # same run as sorting by time, and forecasts have steps only.
    ordered = df.sort_values(["unique_id", "ds"])
    none = recur.many.fit(ordered, time_col=None, **FAST)
    pd.testing.assert_frame_equal(none.metrics, numeric.metrics, check_exact=True)
    assert "time" not in none.predictions.columns
    assert list(none.forecast(2).columns) == ["id", "step", "prediction"]


def test_integer_ids_are_text_and_time_zones_come_back():
    df = long_frame()
    df["unique_id"] = df["unique_id"].map({"s0": 10, "s1": 9, "s2": 11, "s3": 12, "tiny": 1})
    df["ds"] = df["ds"].dt.tz_localize("Europe/Paris").dt.tz_convert("UTC")
    r = recur.many.fit(df, **FAST)
    assert list(r.metrics["id"]) == ["10", "11", "12", "9"]  # byte order of the text
    f = r.forecast(1)
    assert str(f["time"].dtype) == str(df["ds"].dtype)
    last = df.groupby("unique_id")["ds"].max()
    assert f["time"].iloc[0] == last[10] + pd.Timedelta(days=1)


@pytest.mark.parametrize("kwargs, name", [
    (dict(epochz=3), "epochz"),
    (dict(step=0), "step"),
    (dict(split=1.5), "split"),
    (dict(split=True), "split"),
    (dict(epochs=-1), "epochs"),
    (dict(activation="swishy"), "activation"),
    (dict(scale="log"), "scale"),
    (dict(mode="both"), "mode"),
    (dict(cell="rnn"), "cell"),
    (dict(learning_rate=float("nan")), "learning_rate"),
    (dict(learning_rate=0.0), "learning_rate"),
    (dict(dense=(0,)), "dense"),
    (dict(validation_split=1.0), "validation_split"),
    (dict(optimizer="adamz"), "optimizer"),
    (dict(loss="l3"), "loss"),
    (dict(diff=3), "diff: .*got 3"),
    (dict(diff=0), "diff: .*got 0"),
    (dict(diff=1.5), "diff: .*got 1.5"),
    (dict(seasonal_diff=0), "seasonal_diff: .*got 0"),
    (dict(season=0), "season: .*got 0"),
    (dict(season="7"), "season: .*got \"7\""),
])
def test_bad_settings_raise_value_error_naming_them(kwargs, name):
    with pytest.raises(ValueError, match=name):
        recur.many.fit(long_frame(), **kwargs)


def test_bad_columns_and_cells_are_named():
    df = long_frame()
    with pytest.raises(ValueError, match="id_col.*'store'"):
        recur.many.fit(df, id_col="store")
    with pytest.raises(ValueError, match="time_col: expected a different column than id_col"):
        recur.many.fit(df, time_col="unique_id", **FAST)
    holed = df.copy()
    holed.loc[holed.index[3], "y"] = np.nan
    series = holed.iloc[3]["unique_id"]
    with pytest.raises(ValueError, match=f"'{series}'"):
        recur.many.fit(holed, **FAST)
    with pytest.raises(ValueError, match="DataFrame"):
        recur.many.fit(df.to_dict(), **FAST)


def test_group_function_equals_the_whole_run_for_a_series():
    df = long_frame()
    whole = recur.many.fit(df, **FAST)
    whole_f = whole.forecast(2)
    for sid in ["s1", "tiny"]:
        out = recur.spark.train_group(df[df["unique_id"] == sid], horizon=2, **FAST)
        assert [c for c, _ in recur.spark.GROUP_COLUMNS] == list(out.columns)
        assert len(out) == 1
        row = out.iloc[0]
        assert row["id"] == sid
        if sid == "tiny":
            assert row["kind"] == "skipped"
            assert row["reason"] == whole.skipped["reason"][0]
            assert row["model"] is None and row["pred_value"] is None
            continue
        assert row["kind"] == "trained" and row["reason"] is None
        cols = [c for c, _ in recur.spark.METRIC_COLUMNS]
        expected = whole.metrics[whole.metrics["id"] == sid]
        np.testing.assert_array_equal(out[cols].to_numpy(float), expected[cols].to_numpy(float))
        wp = whole.predictions[whole.predictions["id"] == sid]
        np.testing.assert_array_equal(row["pred_value"], wp["prediction"])
        np.testing.assert_array_equal(row["pred_actual"], wp["actual"])
        np.testing.assert_array_equal(row["pred_index"], wp["index"])
        assert list(row["pred_part"]) == list(wp["part"])
        assert list(pd.to_datetime(row["pred_time"])) == list(wp["time"])
        wf = whole_f[whole_f["id"] == sid]
        np.testing.assert_array_equal(row["forecast_value"], wf["prediction"])
        assert list(pd.to_datetime(row["forecast_time"])) == list(wf["time"])
        single = recur.many.ManyModel.from_members([row["model"]])
        assert single.ids == [sid]
    with pytest.raises(ValueError, match="local"):
        recur.spark.train_group(df[df["unique_id"] == "s1"], mode="global")
    with pytest.raises(ValueError, match="epochz"):
        recur.spark.train_group(df[df["unique_id"] == "s1"], epochz=1)


def test_a_group_of_several_series_gives_their_rows_in_id_order_as_the_whole_run():
    # A Spark partition (or a group by a bucket of ids) holds several series: each is trained
    # as if alone, seeded from its id.
    df = long_frame()
    whole = recur.many.fit(df, **FAST)
    out = recur.spark.train_group(df.sample(frac=1.0, random_state=1), horizon=2, **FAST)
    assert list(out["id"]) == sorted(df["unique_id"].unique())
    assert list(out["kind"]) == ["skipped" if i == "tiny" else "trained" for i in out["id"]]
    r = recur.spark.group_results(out)
    pd.testing.assert_frame_equal(r.metrics, whole.metrics, check_dtype=False, check_exact=True)
    pd.testing.assert_frame_equal(r.predictions, whole.predictions, check_dtype=False, check_exact=True)
    pd.testing.assert_frame_equal(r.forecasts, whole.forecast(2), check_exact=True)
    assert r.model().to_bytes() == whole.model_bytes()


def test_partition_function_trains_every_series_of_its_frames_in_slices(monkeypatch):
    df = long_frame()
    whole = recur.many.fit(df, **FAST)
    monkeypatch.setattr(recur.spark, "SLICE_SERIES", 2)
    frames = [df.iloc[: len(df) // 3], df.iloc[:0], df.iloc[len(df) // 3 :]]
    slices = list(recur.spark.train_partition(iter(frames), **FAST))
    n = df["unique_id"].nunique()
    assert [len(s) for s in slices] == [2] * (n // 2) + ([n % 2] if n % 2 else [])
    r = recur.spark.group_results(pd.concat(slices, ignore_index=True))
    pd.testing.assert_frame_equal(r.metrics, whole.metrics, check_dtype=False, check_exact=True)
    assert list(recur.spark.train_partition(iter([df.iloc[:0]]), **FAST)) == []


def test_arrow_partition_function_gives_the_pandas_rows():
    pa = pytest.importorskip("pyarrow")
    df = long_frame()
    frames = [df.iloc[: len(df) // 3], df.iloc[:0], df.iloc[len(df) // 3 :]]
    batches = [pa.RecordBatch.from_pandas(f, preserve_index=False) for f in frames]
    via_arrow = list(recur.spark.train_partition_arrow(iter(batches), **FAST))
    via_pandas = list(recur.spark.train_partition(iter(frames), **FAST))
    assert [b.schema for b in via_arrow] == [recur._groups.arrow_schema()] * len(via_arrow)
    got = pd.concat([b.to_pandas() for b in via_arrow], ignore_index=True)
    want = pd.concat(via_pandas, ignore_index=True)
    r, w = recur.spark.group_results(got), recur.spark.group_results(want)
    pd.testing.assert_frame_equal(r.metrics, w.metrics, check_dtype=False, check_exact=True)
    pd.testing.assert_frame_equal(r.predictions, w.predictions, check_dtype=False, check_exact=True)
    assert r.model().to_bytes() == w.model().to_bytes()
    assert list(recur.spark.train_partition_arrow(iter([batches[1]]), **FAST)) == []


@pytest.mark.parametrize("times", [
    pd.date_range("2024-01-01", periods=3, freq="D"),
    pd.date_range("2024-01-01 06:30", periods=3, freq="h", tz="Europe/Paris"),
    pd.date_range("2024-01-01", periods=3, freq="250ms"),
    [10, 20, 30],
    ["a1", "a2", "a3"],
])
def test_arrow_csv_writes_the_values_the_pandas_writer_writes(times):
    pa = pytest.importorskip("pyarrow")
    from recur import _long
    df = pd.DataFrame({"id": ["x", "y,z", "x"], "t": times, "v": [0.1, 1 / 3, -2.5e-300]})
    want, _ = _long.long_csv(df, "id", "t", "v")
    table = pa.Table.from_pandas(df, preserve_index=False)
    got = _long.arrow_csv(table, "id", "t", "v")
    # Arrow quotes every text cell; the values are what counts.
    import csv, io
    rows = lambda text: list(csv.reader(io.StringIO(text)))
    if isinstance(times, pd.DatetimeIndex) and times.tz is not None:
        # Spark hands a zoned timestamp over in its session's zone; its wall-clock time is
        # what mapInPandas would give, so the zone is dropped, not converted to UTC.
        local = df.assign(t=df["t"].dt.tz_localize(None))
        want, _ = _long.long_csv(local, "id", "t", "v")
    assert rows(got) == rows(want)
    assert [float(r[2]) for r in rows(got)[1:]] == list(df["v"])


def test_gathered_groups_give_the_tables_and_the_model_of_the_whole_run():
    # What a Ray Data or Dask user does: map train_group over the groups, gather the rows.
    df = long_frame()
    gap = df[(df["unique_id"] == "s2") & (df["ds"] == pd.Timestamp("2024-01-10"))].index
    df = df.drop(gap)
    whole = recur.many.fit(df, **FAST)
    groups = pd.concat(
        [recur.spark.train_group(g, horizon=3, **FAST) for _, g in df.groupby("unique_id")],
        ignore_index=True,
    ).sample(frac=1.0, random_state=2)
    r = recur.spark.group_results(groups)
    pd.testing.assert_frame_equal(r.metrics, whole.metrics, check_dtype=False, check_exact=True)
    pd.testing.assert_frame_equal(
        r.predictions, whole.predictions, check_dtype=False, check_exact=True)
    pd.testing.assert_frame_equal(
        r.forecasts, whole.forecast(3), check_dtype=False, check_exact=True)
    pd.testing.assert_frame_equal(r.skipped, whole.skipped)
    pd.testing.assert_frame_equal(r.no_time_axis, whole.no_time_axis)
    assert list(r.no_time_axis["id"]) == ["s2"]
    assert r.model().to_bytes() == whole.model_bytes()
    with pytest.raises(ValueError, match="two members"):
        recur.many.ManyModel.from_members([groups["model"].dropna().iloc[0]] * 2)
    with pytest.raises(ValueError, match="train_group's output"):
        recur.spark.group_results(df)
    assert list(recur.spark.group_meta().columns) == [c for c, _ in recur.spark.GROUP_COLUMNS]


CHILD = textwrap.dedent(
    """
    import sys
    import numpy as np, pandas as pd
    import recur.many

    mode = sys.argv[1]
    n, k = 400, 64
    df = pd.DataFrame({
        "unique_id": np.repeat([f"s{i:03}" for i in range(k)], n),
        "ds": np.tile(np.arange(n), k),
        "y": np.sin(np.arange(n * k) / 7.0),
    })
    print("fitting", flush=True)
    try:
        recur.many.fit(df, mode=mode, epochs=10_000, units=16)
    except KeyboardInterrupt:
        print("interrupted", flush=True)
        sys.exit(0)
    sys.exit(3)
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("mode", ["local", "global"])
def test_sigint_stops_a_run_with_keyboard_interrupt(mode):
    child = subprocess.Popen([sys.executable, "-c", CHILD, mode], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "fitting"
        time.sleep(1.5)
        start = time.monotonic()
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=120)
        assert time.monotonic() - start < 60, "the interrupt took effect too late"
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == 0, err
    assert "interrupted" in out


@pytest.mark.parametrize("seed", range(6))
def test_dataframes_reach_the_reader_as_to_csv_writes_them(seed):
    # recur writes the common dtypes itself (faster); the text must be pandas' own.
    from recur import _long

    rng = np.random.default_rng(seed)
    n = 50
    ids = rng.choice(["a", "b,c", 'say "hi"', "line\nbreak", " pad ", "ü"], n)
    values = rng.standard_normal(n) * 10.0 ** rng.integers(-20, 20, n)
    values[rng.random(n) < 0.1] = np.nan
    frames = [
        pd.DataFrame({"id": ids, "t": rng.integers(-5, 10**12, n), "v": values}),
        pd.DataFrame({"id": pd.array(ids, dtype="string"), "t": values, "v": values}),
        pd.DataFrame({"id": ids.astype(object), "t": np.where(values > 0, None, ids), "v": values}),
        pd.DataFrame({"id": rng.integers(0, 5, n), "t": values.astype(np.float32), "v": values}),
        pd.DataFrame({"id": ids, "t": pd.array(rng.integers(0, 9, n), dtype="Int64"), "v": values}),
    ]
    for frame in frames:
        text = _long.csv_text(["id", "t", "v"], [frame[c] for c in ["id", "t", "v"]])
        assert text == frame.to_csv(index=False)


def trending_frame():
    """Two steep lines with a season of 7 (rows shuffled), and one series too short."""
    parts = []
    for sid, n, slope in [("down", 100, -4.0), ("tiny", 6, 1.0), ("up", 120, 5.0)]:
        t = np.arange(n)
        parts.append(pd.DataFrame({
            "unique_id": sid,
            "ds": pd.date_range("2024-01-01", periods=n, freq="D"),
            "y": 100 + slope * t + 3 * np.sin(2 * np.pi * t / 7),
        }))
    return pd.concat(parts, ignore_index=True).sample(frac=1.0, random_state=0)


@pytest.mark.parametrize("mode", ["local", "global"])
def test_differenced_runs_answer_in_series_units(mode):
    df = trending_frame()
    r = recur.many.fit(df, mode=mode, diff=1, season=7, **FAST)
    assert list(r.metrics["id"]) == ["down", "up"]
    assert list(r.skipped["id"]) == ["tiny"]
    # The trend over a season: the seasonal naive error of each line, exactly.
    np.testing.assert_allclose(r.metrics["seasonal_naive_test_mse"], [28.0**2, 35.0**2])
    assert np.isfinite(r.metrics["test_mse_observed"]).all()
    best = np.minimum(r.metrics["persistence_test_mse"], r.metrics["seasonal_naive_test_mse"])
    np.testing.assert_allclose(r.metrics["skill"], 1 - r.metrics["test_mse_observed"] / best)
    # Predictions and forecasts in series units: they follow each line (differences would
    # sit near 0, far from values of -300 to 700).
    p = r.predictions
    assert (abs(p["prediction"] - p["actual"]) < 25).all()
    f = r.forecast(3)
    for sid, slope in [("down", -4.0), ("up", 5.0)]:
        last = df[df["unique_id"] == sid].sort_values("ds")["y"].iloc[-1]
        got = f[f["id"] == sid]["prediction"].to_numpy()
        np.testing.assert_allclose(got, last + slope * np.arange(1, 4), atol=30)
    # The saved model forecasts the same.
    back = recur.many.ManyModel.from_bytes(r.model_bytes())
    pd.testing.assert_frame_equal(back.forecast(3), f, check_exact=True)


def test_differenced_groups_equal_the_whole_run():
    df = trending_frame()
    settings = dict(seasonal_diff=7, season=7, **FAST)
    whole = recur.many.fit(df, **settings)
    groups = pd.concat(
        [recur.spark.train_group(g, horizon=2, **settings) for _, g in df.groupby("unique_id")],
        ignore_index=True,
    )
    r = recur.spark.group_results(groups)
    pd.testing.assert_frame_equal(r.metrics, whole.metrics, check_dtype=False, check_exact=True)
    pd.testing.assert_frame_equal(r.forecasts, whole.forecast(2), check_exact=True)
    assert r.model().to_bytes() == whole.model_bytes()


def test_a_season_longer_than_every_series_is_a_value_error():
    with pytest.raises(ValueError, match="season 500"):
        recur.many.fit(trending_frame(), season=500, **FAST)


def calibrated_frame():
    """Two series long enough for 4 calibrated steps (at least 20 residuals at step 4) and one
    too short for them, rows shuffled."""
    parts = []
    for sid, n, period in [("a", 200, 12.0), ("b", 180, 9.0), ("short", 60, 7.0)]:
        t = np.arange(n)
        parts.append(pd.DataFrame({
            "unique_id": sid,
            "ds": pd.date_range("2024-01-01", periods=n, freq="D"),
            "y": np.sin(2 * np.pi * t / period) + 0.01 * t + 0.2 * np.sin(7.3 * t + period),
        }))
    return pd.concat(parts, ignore_index=True).sample(frac=1.0, random_state=4)


@pytest.mark.parametrize("mode", ["local", "global"])
def test_intervals_calibrate_each_series_and_bound_its_forecasts(mode):
    df = calibrated_frame()
    r = recur.many.fit(df, mode=mode, interval=0.9, interval_horizon=4, **FAST)
    assert list(r.metrics["id"]) == ["a", "b"]
    assert list(r.skipped["id"]) == ["short"]
    assert "interval-horizon 4" in r.skipped["reason"][0]
    assert r.metrics["interval_coverage"].between(0, 1).all()
    assert (r.metrics["interval_half_width"] > 0).all()
    f80 = r.forecast(4, interval=0.8)
    f95 = r.forecast(4, interval=0.95)
    assert list(f80.columns) == ["id", "step", "time", "prediction", "lo", "hi"]
    assert ((f80["lo"] < f80["prediction"]) & (f80["prediction"] < f80["hi"])).all()
    assert ((f95["lo"] <= f80["lo"]) & (f95["hi"] >= f80["hi"])).all()
    plain = r.forecast(4)
    assert list(plain.columns) == ["id", "step", "time", "prediction"]
    pd.testing.assert_frame_equal(plain, f80[plain.columns], check_exact=True)
    # The saved model keeps each series' calibration.
    back = recur.many.ManyModel.from_bytes(r.model_bytes())
    pd.testing.assert_frame_equal(back.forecast(4, interval=0.8), f80, check_exact=True)
    with pytest.raises(ValueError, match="interval-horizon"):
        r.forecast(5, interval=0.8)
    with pytest.raises(ValueError, match="interval"):
        r.forecast(4, interval=1.5)
    with pytest.raises(ValueError, match="interval"):
        r.forecast(4, interval="wide")


def test_forecast_interval_needs_a_calibrated_model():
    r = recur.many.fit(calibrated_frame(), **FAST)
    with pytest.raises(ValueError, match="no calibration"):
        r.forecast(3, interval=0.9)


def test_direct_models_forecast_by_blocks():
    df = calibrated_frame()
    r = recur.many.fit(df, horizon=3, pad=False, **FAST)
    assert list(r.metrics["id"]) == ["a", "b", "short"]
    # No padding, 3 targets per window: T - step - 3 + 1 training windows.
    assert r.metrics["train_windows"][0] == 160 - 4 - 3 + 1
    f3, f7 = r.forecast(3), r.forecast(7)
    for sid in ["a", "b", "short"]:
        np.testing.assert_array_equal(
            f3[f3["id"] == sid]["prediction"], f7[f7["id"] == sid]["prediction"][:3])
    # Both at once: calibrated by blocks.
    both = recur.many.fit(df, horizon=2, pad=False, interval=0.9, interval_horizon=4, **FAST)
    assert len(both.forecast(4, interval=0.9)) == 2 * 4


@pytest.mark.parametrize(
    "settings, named",
    [
        (dict(interval=1.5), "interval"),
        (dict(interval=0.0), "interval"),
        (dict(interval="0.9"), "interval"),
        (dict(interval=0.9, interval_horizon=0), "interval_horizon"),
        (dict(horizon=0, pad=False), "horizon"),
        (dict(horizon=3), "horizon.*pad=False"),
    ],
)
def test_bad_interval_and_horizon_values_name_the_keyword(settings, named):
    with pytest.raises(ValueError, match=named):
        recur.many.fit(calibrated_frame(), **FAST, **settings)


def test_calibrated_groups_equal_the_whole_run():
    df = calibrated_frame()
    settings = dict(interval=0.9, interval_horizon=4, **FAST)
    whole = recur.many.fit(df, **settings)
    groups = pd.concat(
        [recur.spark.train_group(g, horizon=3, **settings) for _, g in df.groupby("unique_id")],
        ignore_index=True,
    )
    r = recur.spark.group_results(groups)
    pd.testing.assert_frame_equal(r.metrics, whole.metrics, check_dtype=False, check_exact=True)
    pd.testing.assert_frame_equal(r.forecasts, whole.forecast(3, interval=0.9), check_exact=True)
    assert r.model().to_bytes() == whole.model_bytes()
    # A direct model on Spark is model_horizon (horizon is the forecast's length there).
    direct = dict(model_horizon=2, pad=False, **FAST)
    whole = recur.many.fit(df, horizon=2, pad=False, **FAST)
    out = recur.spark.train_group(df, horizon=3, **direct)
    assert recur.spark.group_results(out).model().to_bytes() == whole.model_bytes()
    # Forecast bounds past the calibrated steps are refused before training.
    with pytest.raises(ValueError, match="horizon: expected at most interval_horizon = 4"):
        recur.spark.train_group(df, horizon=5, **settings)
