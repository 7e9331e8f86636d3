"""recur.many with covariates: ``features`` at fit, ``future`` at forecast (a long-format
DataFrame, rows in any order), a covariate carrying the signal beating the target alone, the
errors naming the series, and recur.spark's per-group function taking them too."""

import numpy as np
import pandas as pd
import pytest

import recur.many
import recur.spark

FAST = dict(units=16, dense=(8,), epochs=25, batch_size=16)


def led_frame(seed=0):
    """Daily series ``a`` (120 days) and ``b`` (100 days): ``y[t] = 3 x[t-1] + level + noise``,
    rows shuffled."""
    rng = np.random.default_rng(seed)
    parts = []
    for sid, n, level in [("a", 120, -2.0), ("b", 100, 5.0)]:
        x = rng.uniform(-1.0, 1.0, n)
        y = level + 3.0 * np.concatenate([[0.0], x[:-1]]) + 0.05 * rng.standard_normal(n)
        parts.append(pd.DataFrame({
            "unique_id": sid,
            "ds": pd.date_range("2024-01-01", periods=n, freq="D"),
            "y": y,
            "x": x,
        }))
    return pd.concat(parts, ignore_index=True).sample(frac=1.0, random_state=seed)


def future_frame():
    """Each series' next two days of x, b's rows first and out of order, and an unknown id."""
    return pd.DataFrame({
        "unique_id": ["b", "b", "a", "zz", "a"],
        "ds": pd.to_datetime(["2024-04-11", "2024-04-10", "2024-04-30", "2024-01-01",
                              "2024-05-01"]),
        "x": [0.5, -0.8, 0.9, 0.0, -0.9],
    })


@pytest.mark.parametrize("mode", ["local", "global"])
def test_a_covariate_that_carries_the_signal_lowers_the_test_error(mode):
    df = led_frame()
    with_x = recur.many.fit(df, mode=mode, features=["x"], **FAST)
    alone = recur.many.fit(df.drop(columns="x"), mode=mode, **FAST)
    w = with_x.metrics["test_mse_observed"].mean()
    a = alone.metrics["test_mse_observed"].mean()
    assert w < 0.5 * a, (w, a)
    assert with_x.model.features == ["x"]
    assert alone.model.features == []


def test_forecast_reads_each_series_future_rows_and_round_trips(tmp_path):
    result = recur.many.fit(led_frame(), mode="global", features=["x"], **FAST)
    path = tmp_path / "m.recur"
    result.save(path)
    model = recur.many.load(path)
    assert model.features == ["x"]
    f = model.forecast(3, future=future_frame())
    assert list(f["id"]) == ["a"] * 3 + ["b"] * 3
    assert str(f["time"].iloc[0].date()) == "2024-04-30"
    assert str(f["time"].iloc[3].date()) == "2024-04-10"
    a = f["prediction"].to_numpy()[:3]
    b = f["prediction"].to_numpy()[3:]
    # Each value follows the future x a day before it: a's 0.9 then -0.9, b's -0.8 then 0.5.
    assert a[1] > a[2] + 2.0, a
    assert b[1] + 2.0 < b[2], b
    assert result.forecast(3, future=future_frame()).equals(f)
    # One value from a one-step model feeds nothing back: no future values needed.
    assert len(model.forecast(1)) == 2


def test_missing_future_values_name_the_series():
    result = recur.many.fit(led_frame(), features=["x"], **dict(FAST, epochs=1))
    with pytest.raises(ValueError, match="future values"):
        result.forecast(3)
    only_a = future_frame().query("unique_id == 'a'")
    with pytest.raises(ValueError, match="series 'b'.*0 row"):
        result.forecast(3, future=only_a)
    late = future_frame()
    late.loc[late["unique_id"] == "b", "ds"] += pd.Timedelta(days=1)
    with pytest.raises(ValueError, match="series 'b'.*2024-04-11"):
        result.forecast(3, future=late)
    with pytest.raises(ValueError, match="'x'"):
        result.forecast(3, future=future_frame().drop(columns="x"))
    plain = recur.many.fit(led_frame().drop(columns="x"), **dict(FAST, epochs=1))
    with pytest.raises(ValueError, match="without features"):
        plain.forecast(3, future=future_frame())


def test_bad_features_raise_value_error_naming_them():
    df = led_frame()
    with pytest.raises(ValueError, match="features"):
        recur.many.fit(df, features="x", epochs=1)
    with pytest.raises(ValueError, match="features"):
        recur.many.fit(df, features=["nope"], epochs=1)
    with pytest.raises(ValueError, match="features"):
        recur.many.fit(df, features=["y"], epochs=1)


def test_the_per_group_function_takes_covariates_as_the_embedded_run():
    df = led_frame()
    embedded = recur.many.fit(df, features=["x"], **FAST)
    groups = recur.spark.train_group(df, features=["x"], horizon=1, **FAST)
    results = recur.spark.group_results(groups)
    pd.testing.assert_frame_equal(
        results.metrics.drop(columns="fit_seconds", errors="ignore"),
        embedded.metrics.drop(columns="fit_seconds", errors="ignore"),
        check_dtype=False, check_exact=True,
    )
    assert results.model().to_bytes() == embedded.model_bytes()
    # A one-step model's three values would need the covariates' future values.
    with pytest.raises(ValueError, match="horizon: a model with features"):
        recur.spark.train_group(df, features=["x"], horizon=3, **FAST)


def test_backtest_reads_the_covariates_of_the_folds():
    df = led_frame()
    result = recur.many.fit(df, mode="local", features=["x"], **FAST)
    bt = result.backtest(df, folds=3, horizon=2)
    # y follows x a step later: the model reads it from the folds' own x, persistence cannot.
    assert bt.overall["mse"] < 0.5 * bt.overall["persistence_mse"], bt.overall
    assert sorted(bt.series["id"]) == ["a", "b"]
    with pytest.raises(ValueError, match="'x'"):
        result.backtest(df.drop(columns="x"), folds=3, horizon=2)
