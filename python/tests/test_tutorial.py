"""The seed tutorial's own script runs on recur with only its Keras imports changed."""

import os
import re
import subprocess
import sys

from conftest import EXAMPLES


def test_tutorial_differs_from_keras_only_in_its_imports():
    keras_lines = (EXAMPLES / "tutorial_keras.py").read_text().splitlines()
    recur_lines = (EXAMPLES / "tutorial.py").read_text().splitlines()
    code = lambda lines: [l for l in lines if l and not l.startswith("#")]
    changed = [(a, b) for a, b in zip(code(keras_lines), code(recur_lines)) if a != b]
    assert len(code(keras_lines)) == len(code(recur_lines))
    assert changed == [
        ("from keras.models import Sequential", "from recur.keras.models import Sequential"),
        ("from keras.layers import Dense, SimpleRNN", "from recur.keras.layers import Dense, SimpleRNN"),
    ]


def test_tutorial_runs_end_to_end(tmp_path):
    env = dict(os.environ, MPLBACKEND="Agg")
    run = subprocess.run([sys.executable, str(EXAMPLES / "tutorial.py")], cwd=tmp_path,
                         env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    out = run.stdout
    assert 'Model: "sequential"' in out
    assert "Total params: 1,457 (5.69 KB)" in out
    assert re.search(r"^Epoch 50/50$", out, re.M)
    epoch_lines = re.findall(r"^57/57 - \d+s - .*step - loss: (\d+\.\d+)$", out, re.M)
    assert len(epoch_lines) == 50
    assert float(epoch_lines[-1]) < float(epoch_lines[0])
    # predict at verbose 'auto' prints Keras's closing bar; the score and the next value end it.
    assert re.search(r"^29/29 ━{20} \d+s \d+[mu]?s/step$", out, re.M)  # predict(trainX)
    assert re.search(r"^35/35 ━{20} \d+s \d+[mu]?s/step$", out, re.M)  # predict(testX)
    score, last_bar, next_value = out.strip().splitlines()[-3:]
    assert re.match(r"^1/1 ━{20} \d+s .*step$", last_bar)
    assert 0.0 < float(score) < 0.5
    assert -1.5 < float(next_value) < 2.5
