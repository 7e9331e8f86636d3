"""The recur model in Keras 3 itself (the reference): TensorFlow or JAX backend.

Keras's own defaults are the spec: SimpleRNN (glorot_uniform, orthogonal, zeros), Dense
(glorot_uniform, zeros), mse, RMSprop(learning_rate, rho=0.9, epsilon=1e-7), fit with
shuffle=True, evaluate.
"""

import os
import time

from common import dense_sizes, emit, parse_args, pin_threads, read_series, windows

args = parse_args(__doc__.splitlines()[0])
args.backend = args.backend or "tensorflow"
pin_threads(args.threads)
os.environ["KERAS_BACKEND"] = args.backend

if args.backend == "tensorflow":
    import tensorflow as tf

    # Must precede any op: the runtime's pools are created once.
    tf.config.threading.set_intra_op_parallelism_threads(args.threads)
    tf.config.threading.set_inter_op_parallelism_threads(args.threads)
    backend_version = tf.__version__
else:
    import sys

    # Keras imports TensorFlow when it is installed, even on JAX (for tf.data support), which
    # costs start-up time and memory the JAX run does not need: hide it.
    sys.modules["tensorflow"] = None
    import jax

    backend_version = jax.__version__

import keras  # noqa: E402

keras.utils.set_random_seed(args.seed)

series = read_series(args.csv, args.column)
tx, ty, vx, vy = windows(series, args.split, args.step, args.layout)

model = keras.Sequential([keras.Input(shape=tx.shape[1:])])
model.add(keras.layers.SimpleRNN(args.units, activation=args.activation))
for h in dense_sizes(args.dense):
    model.add(keras.layers.Dense(h, activation="relu"))
model.add(keras.layers.Dense(1))
model.compile(
    loss="mse",
    optimizer=keras.optimizers.RMSprop(learning_rate=args.lr, rho=0.9, epsilon=1e-7),
)

bs = args.batch_size
if args.warmup_steps:
    # Traces/compiles the train step on full batches; later fits reuse it.
    w = args.warmup_steps * bs
    model.fit(tx[:w], ty[:w], epochs=1, batch_size=bs, shuffle=False, verbose=0)

fx, fy = tx, ty
if args.max_steps:
    m = min(len(tx), args.max_steps * bs)
    fx, fy = tx[:m], ty[:m]
start = time.perf_counter()
hist = model.fit(fx, fy, epochs=args.epochs, batch_size=bs, shuffle=True, verbose=0)
fit_seconds = time.perf_counter() - start
steps_per_epoch = -(-len(fx) // bs)


def mse(x, y):
    return float(model.evaluate(x, y, batch_size=1024, verbose=0))


emit(
    {
        "framework": f"keras/{args.backend}",
        "version": f"keras {keras.__version__}, {args.backend} {backend_version}",
        "threads": args.threads,
        "params": int(model.count_params()),
        "fit_seconds": fit_seconds,
        "steps": steps_per_epoch * args.epochs,
        "timed_windows": len(fx) * args.epochs,
        "history": {"loss": [float(v) for v in hist.history["loss"]]},
        "train_mse": None if args.no_train_mse else mse(tx, ty),
        "test_mse": mse(vx, vy),
    }
)
