"""recur.series: one series from a DataFrame, a pandas Series, an array, a CSV file or the
generated sine, through the pipeline `recur train`/`forecast`/`backtest` run: the scores on
observed targets beside the baselines, dates, gaps, differencing, covariates, direct multi-step
models, conformal intervals, backtests, the model file's round trip, and errors that name the
setting."""

import numpy as np
import pandas as pd
import pytest

import recur.series

FAST = dict(epochs=2, units=8, dense=(4,))


def weekly_trend(n=160, seed=0, gaps=False):
    """A weekly series with a trend and a yearly-ish season (period 13), dates as a column."""
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    y = 300 + 0.5 * t + 3 * np.sin(2 * np.pi * t / 13) + 0.3 * rng.standard_normal(n)
    df = pd.DataFrame({"date": pd.date_range("2020-01-05", periods=n, freq="7D"), "co2": y})
    if gaps:
        df.loc[[10, 11, 50], "co2"] = np.nan
    return df


def test_generated_sine_gives_the_tutorial_figures_and_the_baselines():
    r = recur.series.fit(**FAST)
    m = r.metrics
    for key in ["train_mse", "test_mse", "baseline_test_mse", "test_mse_observed",
                "train_mse_observed", "persistence_test_mse", "best_baseline", "skill",
                "next_value", "train_score", "test_score", "params", "shapes"]:
        assert key in m, key
    # T = 900 of the tutorial's 2000 values, padded parts: 900 and 1100 windows.
    assert m["shapes"] == {"train": [900, 1, 4], "test": [1100, 1, 4]}
    assert len(r.history["loss"]) == 2
    p = r.predictions
    assert list(p.columns) == ["index", "actual", "prediction", "part"]
    assert len(p) == 2000
    assert set(p["part"]) <= {"train", "test", ""}
    assert p.loc[p["part"] == "test", "prediction"].notna().all()


def test_same_seed_same_bits_and_a_dataframe_reads_like_its_csv_file(tmp_path):
    df = weekly_trend()
    a = recur.series.fit(df, "co2", "date", step=8, **FAST)
    b = recur.series.fit(df, "co2", "date", step=8, **FAST)
    assert a.metrics == b.metrics
    assert a.model.to_bytes() == b.model.to_bytes()
    path = tmp_path / "co2.csv"
    df.to_csv(path, index=False)
    c = recur.series.fit(str(path), "co2", "date", step=8, **FAST)
    assert c.metrics["test_mse_observed"] == a.metrics["test_mse_observed"]
    assert c.history == a.history
    by_position = recur.series.fit(path, 1, 0, step=8, **FAST)
    assert by_position.metrics["test_mse_observed"] == a.metrics["test_mse_observed"]


def test_dates_come_back_as_dates_and_forecasts_continue_the_step():
    df = weekly_trend()
    r = recur.series.fit(df, "co2", "date", step=8, **FAST)
    assert r.metrics["time"]["step"] == "7d"
    assert list(r.predictions.columns) == ["index", "date", "actual", "prediction", "part"]
    assert r.predictions["date"].iloc[-1] == df["date"].iloc[-1]
    f = r.forecast(3)
    assert list(f.columns) == ["step", "date", "prediction"]
    assert list(f["date"]) == list(pd.date_range(df["date"].iloc[-1], periods=4, freq="7D")[1:])


def test_a_series_with_a_datetime_index_and_an_array():
    df = weekly_trend()
    s = df.set_index("date")["co2"]
    r = recur.series.fit(s, step=8, **FAST)
    assert "date" in r.predictions.columns
    a = recur.series.fit(df["co2"].to_numpy(), step=8, **FAST)
    assert list(a.predictions.columns) == ["index", "actual", "prediction", "part"]
    assert a.metrics["test_mse_observed"] == pytest.approx(
        recur.series.fit(df, "co2", step=8, **FAST).metrics["test_mse_observed"]
    )


def test_diff_turns_predictions_back_into_series_units():
    df = weekly_trend()
    r = recur.series.fit(df, "co2", "date", step=8, diff=1, season=13, epochs=5, units=8)
    m = r.metrics
    assert m["score_units"] == "differenced"
    assert m["seasonal_naive_test_mse"] is not None
    test = r.predictions[r.predictions["part"] == "test"]
    # Predictions of a trending series in series units: near the values, not near 0.
    assert np.abs(test["prediction"] - test["actual"]).mean() < 10
    f = r.forecast(4)
    assert (f["prediction"] > 300).all()


def test_missing_values_error_by_default_and_filled_on_request():
    df = weekly_trend(gaps=True)
    with pytest.raises(ValueError, match="empty cell"):
        recur.series.fit(df, "co2", "date", step=8, **FAST)
    r = recur.series.fit(df, "co2", "date", step=8, missing="interpolate", **FAST)
    assert r.metrics["missing"]["filled"] == 3


def test_intervals_and_the_model_file_round_trip(tmp_path):
    df = weekly_trend()
    r = recur.series.fit(df, "co2", "date", step=8, interval=0.9, interval_horizon=4, **FAST)
    f = r.forecast(4, interval=0.9)
    assert list(f.columns) == ["step", "date", "prediction", "lo", "hi"]
    assert (f["lo"] <= f["prediction"]).all() and (f["prediction"] <= f["hi"]).all()
    with pytest.raises(ValueError, match="interval"):
        r.forecast(5, interval=0.9)
    path = tmp_path / "m.recur"
    r.save(path)
    loaded = recur.series.load(path)
    g = loaded.forecast(4, interval=0.9)
    pd.testing.assert_frame_equal(g, f)


def test_direct_horizon_forecasts_at_once():
    r = recur.series.fit(weekly_trend(), "co2", "date", step=8, horizon=3, pad=False, **FAST)
    assert len(r.metrics["test_mse_by_horizon"]) == 3
    assert len(r.forecast(3)) == 3


def test_covariates_need_their_future():
    df = weekly_trend()
    df["promo"] = (np.arange(len(df)) % 4 == 0).astype(float)
    r = recur.series.fit(df, "co2", "date", features=["promo"], step=8, layout="sequence", **FAST)
    assert r.model.features == ["promo"]
    assert r.metrics["shapes"]["train"][2] == 2
    with pytest.raises(ValueError, match="future"):
        r.forecast(2)
    a = r.forecast(2, future={"promo": [1.0, 0.0]})
    b = r.forecast(2, future=np.array([[1.0], [0.0]]))
    pd.testing.assert_frame_equal(a, b)


def test_backtest_on_the_fit_data_and_on_a_loaded_model(tmp_path):
    df = weekly_trend()
    r = recur.series.fit(df, "co2", "date", step=8, season=13, **FAST)
    b = r.backtest(folds=3, horizon=4)
    assert len(b.folds) == 3
    for key in ["mse", "persistence_mse", "seasonal_naive_mse", "window_mean_mse", "skill"]:
        assert key in b.overall
    path = tmp_path / "m.recur"
    r.save(path)
    loaded = recur.series.load(path)
    with pytest.raises(ValueError, match="data"):
        loaded.backtest(folds=3, horizon=4)
    again = loaded.backtest(folds=3, horizon=4, data=df)
    assert again.overall == b.overall
    refit = r.backtest(folds=2, horizon=4, refit=True, epochs=1)
    assert refit.report["refit"] is True
    with pytest.raises(ValueError, match="epochs"):
        r.backtest(folds=2, horizon=4, epochs=3)


@pytest.mark.parametrize(
    "kwargs, word",
    [
        (dict(diff=3), "diff"),
        (dict(interval=1.5), "interval"),
        (dict(missing="guess"), "missing"),
        (dict(time_step="fortnight"), "time_step"),
        (dict(scale="log"), "scale"),
        (dict(step=0), "step"),
        (dict(horizon=0), "horizon"),
        (dict(cell="transformer"), "cell"),
        (dict(delimiter=";"), "delimiter"),
        (dict(colour="red"), "colour"),
        (dict(features=["nope"]), "features"),
    ],
)
def test_bad_settings_raise_value_error_naming_them(kwargs, word):
    with pytest.raises(ValueError, match=word):
        recur.series.fit(weekly_trend(), "co2", "date", **{**FAST, **kwargs})


def test_a_model_file_that_is_not_one_is_refused(tmp_path):
    with pytest.raises(ValueError):
        recur.series.SeriesModel.from_bytes(b"not a model")
    path = tmp_path / "notes.txt"
    path.write_bytes(b"not a model either")
    with pytest.raises(ValueError, match="notes.txt"):
        recur.series.load(path)
