"""Checks that the PyTorch port computes what Keras computes: same weights in, same steps.

Builds the Keras model (TensorFlow backend, its own initializers), copies its weights into the
PyTorch model (kernels transposed to PyTorch's (out, in) layout, the second RNN bias zero), trains
both for a few steps on the same batches without shuffling, and compares the batch losses and
the final weights. Run: .venv/bin/python check_parity.py [--layout sequence --step 64 ...].
"""

import argparse
import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402

from torch_model import KerasRMSprop, Model  # noqa: E402

p = argparse.ArgumentParser()
p.add_argument("--step", type=int, default=4)
p.add_argument("--layout", choices=["tutorial", "sequence"], default="tutorial")
p.add_argument("--units", type=int, default=32)
p.add_argument("--activation", default="relu")
p.add_argument("--dense", default="8")
p.add_argument("--batch-size", type=int, default=16)
p.add_argument("--steps", type=int, default=20)
args = p.parse_args()

keras.utils.set_random_seed(1)
rng = np.random.default_rng(1)
n = args.batch_size * args.steps
series = (np.sin(0.02 * np.arange(n + args.step)) + rng.random(n + args.step)).astype(np.float32)
x = np.stack([series[i : i + args.step] for i in range(n)])
y = series[args.step : args.step + n].reshape(n, 1)
shape = (1, args.step) if args.layout == "tutorial" else (args.step, 1)
x = x.reshape((n,) + shape)
hidden = [] if args.dense == "none" else [int(s) for s in args.dense.split(",")]

km = keras.Sequential([keras.Input(shape=shape), keras.layers.SimpleRNN(args.units, activation=args.activation)])
for h in hidden:
    km.add(keras.layers.Dense(h, activation="relu"))
km.add(keras.layers.Dense(1))
km.compile(loss="mse", optimizer=keras.optimizers.RMSprop(learning_rate=0.001, rho=0.9, epsilon=1e-7))

tm = Model(shape[1], args.units, args.activation, hidden)
kw = [w.numpy() for w in km.weights]  # kernel, recurrent_kernel, bias, then (W, b) per Dense
linears = [m for m in tm.head if isinstance(m, torch.nn.Linear)]
with torch.no_grad():
    tm.rnn.weight_ih_l0.copy_(torch.from_numpy(kw[0].T))
    tm.rnn.weight_hh_l0.copy_(torch.from_numpy(kw[1].T))
    tm.rnn.bias_ih_l0.copy_(torch.from_numpy(kw[2]))
    for i, lin in enumerate(linears):
        lin.weight.copy_(torch.from_numpy(kw[3 + 2 * i].T))
        lin.bias.copy_(torch.from_numpy(kw[4 + 2 * i]))
opt = KerasRMSprop(tm.parameters())
loss_fn = torch.nn.MSELoss()

worst = 0.0
for s in range(args.steps):
    xb, yb = x[s * args.batch_size : (s + 1) * args.batch_size], y[s * args.batch_size : (s + 1) * args.batch_size]
    kl = float(km.train_on_batch(xb, yb))
    opt.zero_grad()
    tl = loss_fn(tm(torch.from_numpy(xb)), torch.from_numpy(yb))
    tl.backward()
    opt.step()
    worst = max(worst, abs(kl - tl.item()) / abs(kl))
tw = [tm.rnn.weight_ih_l0.T, tm.rnn.weight_hh_l0.T, tm.rnn.bias_ih_l0]
for lin in linears:
    tw += [lin.weight.T, lin.bias]
wdiff = max(float(np.max(np.abs(k.numpy() - t.detach().numpy()))) for k, t in zip(km.weights, tw))
print(f"params keras {km.count_params()} torch {sum(p.numel() for p in tm.parameters() if p.requires_grad)}")
print(f"{args.steps} steps: max relative loss difference {worst:.2e}, max weight difference {wdiff:.2e}")
print(f"b_hh still zero: {bool((tm.rnn.bias_hh_l0 == 0).all())}")
