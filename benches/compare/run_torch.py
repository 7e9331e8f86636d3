"""The recur / Keras model in PyTorch, made Keras-faithful (see README.md, "Same model").

- SimpleRNN: nn.RNN(batch_first) with Keras's initializers: glorot_uniform input kernel,
  orthogonal recurrent kernel, zero bias. nn.RNN has two biases (b_ih and b_hh); b_hh is held
  at zero and untrainable, so the parameter count matches Keras (1,457 for the tutorial).
- Dense: nn.Linear with glorot_uniform (xavier_uniform_, the same limit sqrt(6/(in+out)))
  weights and zero biases.
- RMSprop: Keras's formula, written here: v = rho*v + (1-rho)*g^2; p -= lr*g/sqrt(v + eps).
  torch.optim.RMSprop puts eps outside the square root (and defaults to alpha 0.99, eps 1e-8).
- fit: a new permutation each epoch, consecutive slices of it as batches, the last partial
  batch kept; the epoch loss is the batch-size-weighted mean of the batch losses (Keras's).
- evaluate: the MSE over the whole set.
"""

import time

from common import dense_sizes, emit, parse_args, pin_threads, read_series, windows

args = parse_args(__doc__.splitlines()[0])
if args.backend is not None:
    raise SystemExit(f"--backend {args.backend}: run_torch.py has no backends")
pin_threads(args.threads)

import torch  # noqa: E402
from torch import nn  # noqa: E402

from torch_model import KerasRMSprop, Model  # noqa: E402

torch.set_num_threads(args.threads)
torch.set_num_interop_threads(args.threads)
torch.manual_seed(args.seed)

series = read_series(args.csv, args.column)
tx, ty, vx, vy = (torch.from_numpy(a) for a in windows(series, args.split, args.step, args.layout))
model = Model(tx.shape[2], args.units, args.activation, dense_sizes(args.dense))
opt = KerasRMSprop(model.parameters(), lr=args.lr)
loss_fn = nn.MSELoss()
n = tx.shape[0]
bs = args.batch_size
gen = torch.Generator().manual_seed(args.seed)


def train_step(xb, yb):
    opt.zero_grad()
    loss = loss_fn(model(xb), yb)
    loss.backward()
    opt.step()
    return loss.item()


# Throughput mode: a few untimed steps first (allocator, thread pool and kernel selection warm).
for i in range(args.warmup_steps):
    s = (i * bs) % max(1, n - bs)
    train_step(tx[s : s + bs], ty[s : s + bs])

history = []
steps = 0
timed_windows = 0
stop = False
start = time.perf_counter()
for epoch in range(args.epochs):
    perm = torch.randperm(n, generator=gen)
    total = 0.0
    seen = 0
    for s in range(0, n, bs):
        idx = perm[s : s + bs]
        loss = train_step(tx[idx], ty[idx])
        total += loss * len(idx)
        seen += len(idx)
        steps += 1
        timed_windows += len(idx)
        if args.max_steps and steps >= args.max_steps:
            stop = True
            break
    history.append(total / seen)
    if stop:
        break
fit_seconds = time.perf_counter() - start


@torch.no_grad()
def mse(x, y):
    total = 0.0
    for s in range(0, x.shape[0], 1024):
        d = model(x[s : s + 1024]) - y[s : s + 1024]
        total += float((d.double() ** 2).sum())
    return total / x.shape[0]


emit(
    {
        "framework": "pytorch",
        "version": f"torch {torch.__version__}",
        "threads": args.threads,
        "params": sum(p.numel() for p in model.parameters() if p.requires_grad),
        "fit_seconds": fit_seconds,
        "steps": steps,
        "timed_windows": timed_windows,
        "history": {"loss": history},
        "train_mse": None if args.no_train_mse else mse(tx, ty),
        "test_mse": mse(vx, vy),
    }
)
