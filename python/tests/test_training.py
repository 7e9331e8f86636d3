"""recur.keras trains as Keras does: Keras's own 3-epoch run of the tutorial model
(fixtures/keras/model_training.json), weights set explicitly, reproduced through the Python API."""

import io
import contextlib

import numpy as np
import pytest

from recur.keras import Input, Sequential
from recur.keras.layers import Dense, SimpleRNN


def tutorial_model(shape):
    return Sequential([Input(shape), SimpleRNN(32, activation="relu"),
                       Dense(8, activation="relu"), Dense(1)])


def weights_of(entries):
    return [np.asarray(w["value"], dtype=np.float32) for w in entries]


@pytest.mark.parametrize("case", ["tutorial_time_major_1x4", "tutorial_sequence_4x1"])
def test_three_epochs_match_keras(training_fixture, case):
    c = training_fixture["cases"][case]
    x = np.asarray(c["x"], dtype=np.float32)
    y = np.asarray(c["y"], dtype=np.float32)
    model = tutorial_model(tuple(c["x_shape"][1:]))
    model.set_weights(weights_of(c["initial_weights"]))
    model.compile(loss="mse", optimizer="rmsprop")
    assert model.count_params() == c["count_params"]
    history = model.fit(x, y, epochs=3, batch_size=16, shuffle=False, verbose=0)
    np.testing.assert_allclose(history.history["loss"], c["history_loss"], rtol=2e-6)
    assert history.epoch == [0, 1, 2]
    assert history.params == {"verbose": 0, "epochs": 3, "steps": 3}
    for got, want in zip(model.get_weights(), weights_of(c["final_weights"])):
        assert got.shape == want.shape and got.dtype == np.float32
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    assert model.evaluate(x, y, verbose=0) == pytest.approx(c["evaluate"], rel=2e-6)
    pred = model.predict(x, verbose=0)
    assert pred.shape == (40, 1) and pred.dtype == np.float32
    np.testing.assert_allclose(pred, np.asarray(c["predict_all"]), rtol=1e-5, atol=1e-6)


def test_summary_is_keras_table(training_fixture):
    c = training_fixture["cases"]["tutorial_time_major_1x4"]
    model = tutorial_model((1, 4))
    lines = []
    model.summary(line_length=88, print_fn=lines.append)
    assert lines == [c["summary_before_fit"]]


def test_y_of_shape_n_and_n1_train_identically():
    rng = np.random.default_rng(0)
    x = rng.random((48, 1, 4), dtype=np.float32)
    y = rng.random(48, dtype=np.float32)
    a, b = tutorial_model((1, 4)), tutorial_model((1, 4))
    for m in (a, b):
        m.compile(loss="mse", optimizer="rmsprop")
    ha = a.fit(x, y, epochs=2, batch_size=16, verbose=0)
    hb = b.fit(x, y.reshape(-1, 1), epochs=2, batch_size=16, verbose=0)
    assert ha.history == hb.history


def test_verbose_2_prints_keras_epoch_lines():
    x = np.zeros((32, 1, 4), dtype=np.float32)
    y = np.zeros(32, dtype=np.float32)
    model = tutorial_model((1, 4))
    model.compile(loss="mse", optimizer="rmsprop")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        model.fit(x, y, epochs=2, batch_size=16, verbose=2)
    lines = out.getvalue().splitlines()
    assert lines[0] == "Epoch 1/2"
    assert lines[1].startswith("2/2 - 0s - ") and lines[1].endswith("loss: 0.0000e+00")
    assert lines[2] == "Epoch 2/2"


def test_same_seed_same_numbers_and_inputs_of_any_dtype_or_layout():
    from recur.keras import utils

    rng = np.random.default_rng(1)
    x64 = rng.random((40, 4, 1))  # float64
    x_fortran = np.asfortranarray(x64.astype(np.float32))
    y = rng.random((40, 1))
    utils.set_random_seed(7)
    runs = []
    for x in (x64, x_fortran, x64.tolist()):
        m = Sequential([Input((4, 1)), SimpleRNN(8), Dense(1)])
        m.compile(loss="mse", optimizer="adam")
        runs.append((m.fit(x, y, epochs=2, verbose=0).history, m.get_weights()))
    for history, weights in runs[1:]:
        assert history == runs[0][0]
        for a, b in zip(weights, runs[0][1]):
            np.testing.assert_array_equal(a, b)


def test_fit_releases_the_gil():
    import threading

    rng = np.random.default_rng(2)
    x = rng.random((2048, 16, 8), dtype=np.float32)
    y = rng.random((2048, 1), dtype=np.float32)
    m = Sequential([Input((16, 8)), SimpleRNN(64), Dense(1)])
    m.compile(loss="mse", optimizer="rmsprop")
    worker = threading.Thread(target=lambda: m.fit(x, y, epochs=3, batch_size=32, verbose=0))
    spins = 0
    worker.start()
    while worker.is_alive():
        spins += 1
        sum(range(100))
    worker.join()
    # With the GIL held for the whole fit, this thread could not have run meanwhile.
    assert spins > 1000


def test_initial_epoch_resumes_with_keras_numbering():
    rng = np.random.default_rng(3)
    x = rng.random((32, 1, 4), dtype=np.float32)
    y = rng.random(32, dtype=np.float32)
    m = tutorial_model((1, 4))
    m.compile(loss="mse", optimizer="rmsprop")
    m.fit(x, y, epochs=2, batch_size=16, verbose=0)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        h = m.fit(x, y, epochs=4, initial_epoch=2, batch_size=16, verbose=2)
    assert h.epoch == [2, 3]
    assert len(h.history["loss"]) == 2
    lines = out.getvalue().splitlines()
    assert lines[0] == "Epoch 3/4" and lines[2] == "Epoch 4/4"
