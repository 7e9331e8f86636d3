"""Bad arguments and bad files raise Python exceptions with recur's messages; nothing aborts
the interpreter (hardening guarantees on the Python side)."""

import os
import zipfile

import numpy as np
import pytest

from recur.keras import Input, Sequential, callbacks, layers, models


def small_model():
    m = Sequential([Input((1, 4)), layers.SimpleRNN(4), layers.Dense(1)])
    m.compile(loss="mse", optimizer="rmsprop")
    return m


def test_unknown_keyword_is_keras_error():
    with pytest.raises(ValueError, match="Unrecognized keyword arguments passed to SimpleRNN"):
        layers.SimpleRNN(4, foo=1)


def test_unknown_activation_names_the_value():
    m = Sequential([Input((1, 4))])
    with pytest.raises(ValueError, match="swishy"):
        m.add(layers.SimpleRNN(4, activation="swishy"))


@pytest.mark.parametrize("units", [10**9, 100_000])
def test_huge_layers_are_refused_not_aborted(units):
    m = Sequential([Input((1, 4))])
    with pytest.raises(ValueError, match="units"):
        m.add(layers.SimpleRNN(units))


def test_huge_dense_is_refused():
    m = Sequential([Input((1, 4)), layers.SimpleRNN(4)])
    with pytest.raises(ValueError, match="units"):
        m.add(layers.Dense(10**9))


def test_unsupported_arguments_are_refused():
    m = small_model()
    x, y = np.zeros((8, 1, 4), np.float32), np.zeros(8, np.float32)
    with pytest.raises(ValueError, match="sample_weight"):
        m.fit(x, y, sample_weight=np.ones(8), verbose=0)
    with pytest.raises(ValueError, match="ModelCheckpoint|not supported"):
        m.fit(x, y, callbacks=[object()], verbose=0)


def test_shape_mismatch_names_the_shapes():
    m = small_model()
    with pytest.raises(ValueError, match=r"\(8, 2, 4\)|\[8, 2, 4\]"):
        m.predict(np.zeros((8, 2, 4), np.float32), verbose=0)


def test_non_finite_loss_raises_runtime_error_unless_terminate_on_nan():
    m = small_model()
    x = np.full((16, 1, 4), 1e38, np.float32)
    y = np.full(16, 1e38, np.float32)
    with pytest.raises(RuntimeError, match="epoch 1"):
        m.fit(x, y, epochs=2, verbose=0)
    h = m.fit(x, y, epochs=2, verbose=0, callbacks=[callbacks.TerminateOnNaN()])
    assert len(h.history["loss"]) <= 1
    with pytest.raises(RuntimeError):
        m.fit(x, y, epochs=2, verbose=0, callbacks=[callbacks.TerminateOnNaN(raise_error=True)])


def test_missing_file_is_os_error(tmp_path):
    with pytest.raises(OSError):
        models.load_model(str(tmp_path / "absent.recur"))


def test_every_corrupted_byte_of_a_recur_file_is_refused(tmp_path):
    path = tmp_path / "m.recur"
    small_model().save(str(path))
    data = path.read_bytes()
    bad = tmp_path / "bad.recur"
    for i in range(0, len(data), max(1, len(data) // 300)):
        flipped = bytearray(data)
        flipped[i] ^= 0x55
        bad.write_bytes(bytes(flipped))
        with pytest.raises((ValueError, OSError)):
            models.load_model(str(bad))


def test_truncated_and_foreign_files_are_refused(tmp_path):
    path = tmp_path / "m.recur"
    small_model().save(str(path))
    data = path.read_bytes()
    for cut in (0, 7, len(data) // 2, len(data) - 1):
        (tmp_path / "t.recur").write_bytes(data[:cut])
        with pytest.raises(ValueError):
            models.load_model(str(tmp_path / "t.recur"))
    (tmp_path / "z.keras").write_bytes(b"not a zip")
    with pytest.raises(ValueError, match="not a zip"):
        models.load_model(str(tmp_path / "z.keras"))


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_dev_zero_as_a_model_is_refused_quickly(tmp_path):
    link = tmp_path / "zero.recur"
    link.symlink_to("/dev/zero")
    with pytest.raises((ValueError, OSError)):
        models.load_model(str(link))


def test_keras_file_with_an_inflated_member_is_refused(tmp_path):
    path = tmp_path / "bomb.keras"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("config.json", b" " * (65 << 20))
        z.writestr("model.weights.h5", b"")
    with pytest.raises(ValueError, match="config.json"):
        models.load_model(str(path))


def test_save_leaves_no_partial_file_on_a_bad_folder(tmp_path):
    m = small_model()
    with pytest.raises(OSError):
        m.save(str(tmp_path / "missing-folder" / "m.recur"))
    assert list(tmp_path.iterdir()) == []
