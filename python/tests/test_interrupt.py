"""Ctrl-C (SIGINT) during fit stops between batches, raises KeyboardInterrupt and leaves the
model usable. The fit runs in a child process that the test interrupts."""

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

CHILD = textwrap.dedent(
    """
    import sys
    import numpy as np
    from recur.keras import Input, Sequential, layers

    x = np.random.default_rng(0).random((4096, 8, 16), dtype=np.float32)
    y = x[:, -1, :1]
    m = Sequential([Input((8, 16)), layers.LSTM(64), layers.Dense(1)])
    m.compile(loss="mse", optimizer="adam")
    print("fitting", flush=True)
    try:
        m.fit(x, y, epochs=1000, batch_size=8, verbose=0)
    except KeyboardInterrupt:
        before = m.get_weights()
        pred = m.predict(x[:4], verbose=0)
        assert np.isfinite(pred).all()
        h = m.fit(x[:64], y[:64], epochs=1, batch_size=8, verbose=0)
        assert np.isfinite(h.history["loss"][0])
        print("interrupted and usable", flush=True)
        sys.exit(0)
    print("fit finished without interruption", flush=True)
    sys.exit(3)
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_sigint_during_fit_raises_keyboard_interrupt_and_keeps_the_model(tmp_path):
    child = subprocess.Popen([sys.executable, "-c", CHILD], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "fitting"
        time.sleep(1.0)
        start = time.monotonic()
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=60)
        assert time.monotonic() - start < 10, "the interrupt took effect too late"
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == 0, err
    assert "interrupted and usable" in out
