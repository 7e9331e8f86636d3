"""Metrics, History and callbacks under Keras's names (keys and order as Keras 3.15.1 logs
them: sorted, validation keys included)."""

import io
import contextlib

import numpy as np
import pytest

from recur.keras import Input, Sequential, callbacks, layers, metrics


def data(n=64, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.random((n, 1, 4), dtype=np.float32)
    return x, x[:, 0, :].sum(axis=1) / 4 + 0.5


def model(metric_list):
    m = Sequential([Input((1, 4)), layers.SimpleRNN(8), layers.Dense(1)])
    m.compile(loss="mse", optimizer="rmsprop", metrics=metric_list)
    return m


def test_history_keys_are_keras_keys():
    x, y = data()
    m = model(["mae", metrics.RootMeanSquaredError(), "mape", "mean_squared_error"])
    h = m.fit(x, y, epochs=2, batch_size=16, validation_split=0.25, verbose=0)
    assert list(h.history) == [
        "loss", "mae", "mape", "mean_squared_error", "root_mean_squared_error",
        "val_loss", "val_mae", "val_mape", "val_mean_squared_error",
        "val_root_mean_squared_error",
    ]
    assert all(len(v) == 2 for v in h.history.values())
    np.testing.assert_allclose(h.history["loss"], h.history["mean_squared_error"], rtol=1e-6)


def test_evaluate_list_dict_and_metric_values():
    x, y = data()
    m = model(["mae", metrics.RootMeanSquaredError()])
    m.fit(x, y, epochs=1, verbose=0)
    as_list = m.evaluate(x, y, verbose=0)
    as_dict = m.evaluate(x, y, verbose=0, return_dict=True)
    assert list(as_dict) == ["loss", "mae", "root_mean_squared_error"]
    assert as_list == [as_dict["loss"], as_dict["mae"], as_dict["root_mean_squared_error"]]
    pred = m.predict(x, verbose=0)[:, 0]
    assert as_dict["mae"] == pytest.approx(float(np.mean(np.abs(pred - y))), rel=1e-5)
    assert as_dict["root_mean_squared_error"] == pytest.approx(
        float(np.sqrt(np.mean((pred - y) ** 2))), rel=1e-5)


def test_unknown_metric_lists_the_known_ones():
    with pytest.raises(ValueError, match="mae"):
        model(["accuracyy"])


def test_verbose_2_line_carries_the_metrics():
    x, y = data()
    m = model(["mae"])
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        m.fit(x, y, epochs=1, batch_size=16, validation_data=(x, y), verbose=2)
    # Keras prints no "Epoch 1/1" header for a single epoch.
    line = out.getvalue().splitlines()[0]
    assert line.startswith("4/4 - ")
    assert " - loss: " in line and " - mae: " in line and " - val_loss: " in line
    assert line.index("mae:") < line.index("val_loss:") < line.index("val_mae:")


def test_early_stopping_on_a_metric_restores_the_best_weights():
    x, y = data(128)
    m = model(["mae"])
    stop = callbacks.EarlyStopping(monitor="val_mae", patience=1, min_delta=10.0,
                                   restore_best_weights=True)
    h = m.fit(x, y, epochs=20, batch_size=16, validation_data=(x, y), callbacks=[stop], verbose=0)
    # min_delta 10 makes every epoch after the first "no improvement": stop after patience.
    assert len(h.history["loss"]) == 2
    assert stop.stopped_epoch == 1
    best = h.history["val_mae"][0]
    assert m.evaluate(x, y, verbose=0, return_dict=True)["mae"] == pytest.approx(best, rel=1e-6)


def test_early_stopping_monitor_that_is_never_logged_is_refused():
    x, y = data()
    m = model(["mae"])
    with pytest.raises(ValueError, match="val_mse"):
        m.fit(x, y, epochs=2, callbacks=[callbacks.EarlyStopping(monitor="val_mse")], verbose=0)
