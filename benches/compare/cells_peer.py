"""Per-cell timing in a peer framework: forward + backward of one batch through SimpleRNN, LSTM
or GRU, as recur's `cells-report` (benches/src/cells.rs) times it.

The problem: input (batch, time, features) from N(0, 1), one recurrent layer with `units` and
tanh (Keras's defaults otherwise: sigmoid gates, GRU reset_after), loss = mean of the last
output, the gradients of every weight (none for the input). One process per framework and
thread count (`--threads` pins the process and sets every pool before the import). Prints one
JSON object: {"framework", "version", "rows": [{"cell", "shape", "threads", "ms_median",
"ms_min", "samples", "steps_per_sample"}]}.

Frameworks: `pytorch` (eager, torch.autograd.grad on nn.RNN/LSTM/GRU), `keras/tensorflow` (the
layer under tf.GradientTape inside a tf.function, as Keras's fit runs a step on CPU) and
`keras/jax` (the layer's stateless_call under jax.value_and_grad, jax.jit, as Keras's fit).
"""

import argparse
import json
import os
import statistics
import sys
import time

from common import pin_threads

CELLS = ("simple_rnn", "lstm", "gru")


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--framework", required=True,
                   choices=["pytorch", "keras/tensorflow", "keras/jax"])
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--shapes", default="32x50x8x64,128x64x32x256",
                   help="comma list of BxTxFxU")
    p.add_argument("--cells", default=",".join(CELLS))
    p.add_argument("--samples", type=int, default=15)
    p.add_argument("--sample-ms", type=float, default=200.0)
    a = p.parse_args()
    a.shapes = [tuple(int(v) for v in s.split("x")) for s in a.shapes.split(",") if s]
    a.cells = [c for c in a.cells.split(",") if c]
    for c in a.cells:
        if c not in CELLS:
            p.error(f"--cells: unknown cell {c!r} (expected {', '.join(CELLS)})")
    for s in a.shapes:
        if len(s) != 4 or min(s) < 1:
            p.error(f"--shapes: {s} is not BxTxFxU")
    return a


def time_steps(step, samples, sample_ms):
    """Median and fastest ms per call of `step` (each sample at least sample_ms, after one
    untimed sample of warm-up); returns (median, min, steps per sample)."""
    step()  # tracing / compilation
    t = time.perf_counter()
    step()
    once = (time.perf_counter() - t) * 1e3
    n = max(1, min(100_000, int(sample_ms / max(once, 1e-6) + 0.999)))

    def sample():
        t = time.perf_counter()
        for _ in range(n):
            step()
        return (time.perf_counter() - t) * 1e3 / n

    sample()
    times = [sample() for _ in range(samples)]
    return statistics.median(times), min(times), n


def torch_step(cell, shape, threads):
    import torch

    torch.set_num_threads(threads)
    try:
        torch.set_num_interop_threads(threads)
    except RuntimeError:
        pass  # already set in this process
    torch.manual_seed(0)
    b, t, f, u = shape
    cls = {"simple_rnn": lambda: torch.nn.RNN(f, u, nonlinearity="tanh", batch_first=True),
           "lstm": lambda: torch.nn.LSTM(f, u, batch_first=True),
           "gru": lambda: torch.nn.GRU(f, u, batch_first=True)}[cell]
    layer = cls()
    params = list(layer.parameters())
    x = torch.randn(b, t, f)

    def step():
        out, _ = layer(x)
        loss = out[:, -1].mean()
        grads = torch.autograd.grad(loss, params)
        return grads[0][0, 0].item()

    return step, f"torch {torch.__version__}"


def keras_layer(keras, cell, u):
    if cell == "simple_rnn":
        return keras.layers.SimpleRNN(u, activation="tanh")
    if cell == "lstm":
        return keras.layers.LSTM(u)
    return keras.layers.GRU(u)


def keras_tf_step(cell, shape, threads):
    import tensorflow as tf

    try:
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(threads)
    except RuntimeError:
        pass  # the runtime already started (a later cell in this process)
    import keras

    keras.utils.set_random_seed(0)
    b, t, f, u = shape
    layer = keras_layer(keras, cell, u)
    layer.build((b, t, f))
    x = tf.random.normal((b, t, f))
    weights = layer.trainable_variables

    @tf.function
    def grads():
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(layer(x))
        return tape.gradient(loss, weights)

    def step():
        return grads()[0].numpy()[0, 0]

    return step, f"keras {keras.__version__}, tensorflow {tf.__version__}"


def keras_jax_step(cell, shape, threads):
    import jax
    import keras

    keras.utils.set_random_seed(0)
    b, t, f, u = shape
    layer = keras_layer(keras, cell, u)
    layer.build((b, t, f))
    x = jax.random.normal(jax.random.PRNGKey(0), (b, t, f))
    trainable = [v.value for v in layer.trainable_variables]
    fixed = [v.value for v in layer.non_trainable_variables]

    def loss(tv):
        y, _ = layer.stateless_call(tv, fixed, x)
        return y.mean()

    grad = jax.jit(jax.grad(loss))

    def step():
        g = grad(trainable)
        jax.block_until_ready(g)
        return g[0][0, 0]

    return step, f"keras {keras.__version__}, jax {jax.__version__}"


def main():
    a = parse_args()
    pin_threads(a.threads)
    if a.framework.startswith("keras/"):
        backend = a.framework.split("/")[1]
        os.environ["KERAS_BACKEND"] = backend
        if backend == "jax":
            # As run_keras.py: keep Keras from importing TensorFlow for tf.data.
            sys.modules["tensorflow"] = None
    make = {"pytorch": torch_step, "keras/tensorflow": keras_tf_step,
            "keras/jax": keras_jax_step}[a.framework]
    rows, version = [], ""
    for shape in a.shapes:
        for cell in a.cells:
            step, version = make(cell, shape, a.threads)
            med, fastest, n = time_steps(step, a.samples, a.sample_ms)
            rows.append({"cell": cell, "shape": list(shape), "threads": a.threads,
                         "ms_median": med, "ms_min": fastest, "samples": a.samples,
                         "steps_per_sample": n})
    json.dump({"framework": a.framework, "version": version, "rows": rows}, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
