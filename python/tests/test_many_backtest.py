"""recur.many's backtest: every series of a long DataFrame backtested by its model (local and
global), a fold at the end of the training data equal to the model's forecast, the pooled
scores and DataFrames, the series skipped, and bad values raising ValueError."""

import numpy as np
import pandas as pd
import pytest

import recur.many

FAST = dict(epochs=2, units=8, dense=(4,))


def long_frame(cut=0):
    """Three daily series of different lengths and periods, each without its last ``cut``
    values."""
    parts = []
    for k, n in enumerate([50, 44, 38]):
        t = np.arange(n - cut)
        parts.append(pd.DataFrame({
            "unique_id": f"s{k}",
            "ds": pd.date_range("2024-01-01", periods=n - cut, freq="D"),
            "y": np.sin(2 * np.pi * t / (5 + k)) + 0.02 * t,
        }))
    return pd.concat(parts, ignore_index=True)


@pytest.mark.parametrize("mode", ["local", "global"])
def test_a_fold_at_the_end_of_the_training_data_is_the_forecast(mode):
    h = 4
    r = recur.many.fit(long_frame(cut=h), mode=mode, **FAST)
    bt = r.backtest(long_frame(), folds=2, horizon=h, season=5)
    assert bt.overall["series"] == 3
    assert list(bt.series["id"]) == ["s0", "s1", "s2"]
    assert (bt.series["folds"] == 2).all()
    np.testing.assert_allclose(bt.overall["mse"], bt.series["mse"].mean())
    assert bt.overall["series_beating_persistence"] == int(
        (bt.series["mse"] < bt.series["persistence_mse"]).sum())
    assert list(bt.rows.columns) == [
        "id", "fold", "origin", "step", "position", "time", "actual", "model", "persistence",
        "seasonal_naive", "window_mean"]
    assert len(bt.rows) == 3 * 2 * h
    assert len(bt.folds) == 6 and len(bt.by_step) == 3 * h
    assert isinstance(bt.rows["time"].iloc[0], pd.Timestamp)
    last = bt.rows[bt.rows["fold"] == 2].reset_index(drop=True)
    f = r.forecast(h)
    np.testing.assert_allclose(last["model"], f["prediction"], rtol=1e-9)
    assert list(last["time"]) == list(f["time"])
    assert bt.skipped.empty
    assert "ManyBacktestResult" in repr(bt)


def test_skips_columns_and_errors():
    df = long_frame()
    r = recur.many.fit(df, **FAST)
    renamed = df.rename(columns={"unique_id": "key", "y": "value"})
    extra = pd.DataFrame({"key": "new", "ds": pd.date_range("2024-01-01", periods=30),
                          "value": np.arange(30.0)})
    both = pd.concat([renamed[renamed["key"] != "s2"], extra], ignore_index=True)
    bt = r.model.backtest(both, folds=2, horizon=3, stride=2, id_col="key", value_col="value")
    assert list(bt.series["id"]) == ["s0", "s1"]
    assert list(zip(bt.skipped["id"], bt.skipped["reason"])) == [
        ("new", "not in the model"), ("s2", "not in the data")]
    origins = sorted(set(bt.folds[bt.folds["id"] == "s0"]["origin"]))
    assert origins == [50 - 5, 50 - 3]
    with pytest.raises(ValueError, match="no series"):
        r.model.backtest(df, folds=3, horizon=30)
    with pytest.raises(ValueError, match="folds"):
        r.model.backtest(df, folds=0, horizon=2)
    with pytest.raises(ValueError, match="id_col"):
        r.model.backtest(df, folds=2, horizon=2, id_col="nope")


def test_refit_retrains_local_models_and_checks_its_keywords():
    df = long_frame()
    r = recur.many.fit(df, **FAST)
    bt = r.backtest(df, folds=2, horizon=3, refit=True, epochs=1, batch_size=8)
    assert bt.report["refit"] is True and bt.overall["series"] == 3
    assert not bt.folds["in_training_part"].any()
    with pytest.raises(ValueError, match="epochs"):
        r.backtest(df, folds=2, horizon=3, epochs=1)
    g = recur.many.fit(df, mode="global", **FAST)
    with pytest.raises(ValueError, match="global"):
        g.backtest(df, folds=2, horizon=3, refit=True, epochs=1)
