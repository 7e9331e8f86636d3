"""The model in recur's Python API (`recur.keras`, the repository's python/ package).

The same Keras 3 code as run_keras.py with `keras` replaced by `recur.keras`: Sequential with an
Input, SimpleRNN, Dense, mse, RMSprop(learning_rate, rho=0.9, epsilon=1e-7), fit with
shuffle=True, evaluate. recur computes on rayon's global thread pool, which reads
RAYON_NUM_THREADS once, when it is first used: pin_threads sets it before recur is imported.
"""

import time

from common import dense_sizes, emit, parse_args, pin_threads, read_series, windows

args = parse_args(__doc__.splitlines()[0])
if args.backend is not None:
    raise SystemExit(f"--backend {args.backend}: run_recur_python.py has no backends")
pin_threads(args.threads)

import numpy as np  # noqa: E402
import recur  # noqa: E402
from recur.keras.layers import Dense, Input, SimpleRNN  # noqa: E402
from recur.keras.models import Sequential  # noqa: E402
from recur.keras.optimizers import RMSprop  # noqa: E402
from recur.keras.utils import set_random_seed  # noqa: E402

set_random_seed(args.seed)

series = read_series(args.csv, args.column)
tx, ty, vx, vy = windows(series, args.split, args.step, args.layout)

model = Sequential([Input(shape=tx.shape[1:])])
model.add(SimpleRNN(args.units, activation=args.activation))
for h in dense_sizes(args.dense):
    model.add(Dense(h, activation="relu"))
model.add(Dense(1))
model.compile(loss="mse", optimizer=RMSprop(learning_rate=args.lr, rho=0.9, epsilon=1e-7))

bs = args.batch_size
if args.warmup_steps:
    # Same protocol as run_keras.py: a few untimed full batches first.
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
        "framework": "recur/python",
        "version": f"recur {recur.__version__} (Python API), numpy {np.__version__}",
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
