"""Keras models in and out: real Keras 3 (pinned in requirements.txt, NumPy backend) builds
models that recur loads and predicts identically, and loads the models recur writes."""

import numpy as np
import pytest

from conftest import keras_available

pytestmark = pytest.mark.skipif(not keras_available(), reason="needs keras")

import recur  # noqa: E402
from recur.keras import Input, Sequential, layers, models  # noqa: E402

SHAPE = (6, 3)
CASES = {
    "simple_rnn_relu_dense": lambda L: [L.SimpleRNN(5, activation="relu"), L.Dense(4, activation="relu"), L.Dense(1)],
    "simple_rnn_tanh": lambda L: [L.SimpleRNN(4)],
    "lstm_dense": lambda L: [L.LSTM(5), L.Dense(1)],
    "lstm_relu_sequences": lambda L: [L.LSTM(4, activation="relu", return_sequences=True)],
    "gru_reset_after": lambda L: [L.GRU(5, reset_after=True), L.Dense(2)],
    "gru_reset_before": lambda L: [L.GRU(5, reset_after=False), L.Dense(1)],
    "stacked": lambda L: [L.GRU(4, return_sequences=True), L.SimpleRNN(3, activation="relu"), L.Dense(1)],
}


def keras_model(keras, build):
    return keras.Sequential([keras.Input(SHAPE), *build(keras.layers)])


def recur_model(build):
    return Sequential([Input(SHAPE), *build(layers)])


def inputs(n=9, seed=0):
    return np.random.default_rng(seed).normal(size=(n, *SHAPE)).astype(np.float32)


def randomize(model, seed):
    rng = np.random.default_rng(seed)
    model.set_weights([rng.normal(scale=0.5, size=w.shape).astype(np.float32) for w in model.get_weights()])


@pytest.mark.parametrize("name", sorted(CASES))
def test_keras_model_converted_to_recur_predicts_the_same(name):
    import keras

    km = keras_model(keras, CASES[name])
    randomize(km, 1)
    rm = recur.from_keras(km)
    x = inputs()
    np.testing.assert_allclose(rm.predict(x, verbose=0), km.predict(x, verbose=0), rtol=1e-5, atol=1e-6)
    assert [w.shape for w in rm.get_weights()] == [w.shape for w in km.get_weights()]


@pytest.mark.parametrize("name", sorted(CASES))
def test_recur_model_converted_to_keras_predicts_the_same(name):
    rm = recur_model(CASES[name])
    randomize(rm, 2)
    km = rm.to_keras()
    x = inputs()
    np.testing.assert_allclose(km.predict(x, verbose=0), rm.predict(x, verbose=0), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", sorted(CASES))
def test_keras_files_both_ways(name, tmp_path):
    import keras

    km = keras_model(keras, CASES[name])
    randomize(km, 3)
    km.compile(loss="mse", optimizer="adam")
    km.save(tmp_path / "k.keras")
    rm = models.load_model(str(tmp_path / "k.keras"))
    x = inputs()
    np.testing.assert_allclose(rm.predict(x, verbose=0), km.predict(x, verbose=0), rtol=1e-5, atol=1e-6)

    rm.save(str(tmp_path / "r.keras"))
    back = keras.models.load_model(tmp_path / "r.keras")
    np.testing.assert_allclose(back.predict(x, verbose=0), rm.predict(x, verbose=0), rtol=1e-5, atol=1e-6)


def test_training_from_imported_keras_weights_matches_keras(training_fixture):
    import keras

    c = training_fixture["cases"]["tutorial_time_major_1x4"]
    km = keras.Sequential([keras.Input((1, 4)), keras.layers.SimpleRNN(32, activation="relu"),
                           keras.layers.Dense(8, activation="relu"), keras.layers.Dense(1)])
    km.set_weights([np.asarray(w["value"], dtype=np.float32) for w in c["initial_weights"]])
    km.compile(loss="mse", optimizer="rmsprop")
    rm = recur.from_keras(km)
    x, y = np.asarray(c["x"], np.float32), np.asarray(c["y"], np.float32)
    history = rm.fit(x, y, epochs=3, batch_size=16, shuffle=False, verbose=0)
    np.testing.assert_allclose(history.history["loss"], c["history_loss"], rtol=2e-6)


def test_unsupported_keras_layer_is_named():
    import keras

    km = keras.Sequential([keras.Input(SHAPE), keras.layers.Conv1D(2, 2)])
    with pytest.raises(ValueError, match="Conv1D"):
        recur.from_keras(km)
