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
pin_threads(args.threads)

import numpy as np  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

torch.set_num_threads(args.threads)
torch.set_num_interop_threads(args.threads)
torch.manual_seed(args.seed)


class Model(nn.Module):
    def __init__(self, features, units, activation, hidden):
        super().__init__()
        self.rnn = nn.RNN(features, units, nonlinearity=activation, batch_first=True)
        with torch.no_grad():
            nn.init.xavier_uniform_(self.rnn.weight_ih_l0)
            nn.init.orthogonal_(self.rnn.weight_hh_l0)
            self.rnn.bias_ih_l0.zero_()
            self.rnn.bias_hh_l0.zero_()
        self.rnn.bias_hh_l0.requires_grad_(False)
        layers = []
        width = units
        for h in hidden:
            layers += [nn.Linear(width, h), nn.ReLU()]
            width = h
        layers.append(nn.Linear(width, 1))
        for layer in layers:
            if isinstance(layer, nn.Linear):
                nn.init.xavier_uniform_(layer.weight)
                nn.init.zeros_(layer.bias)
        self.head = nn.Sequential(*layers)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.head(out[:, -1, :])


class KerasRMSprop:
    """Keras 3 RMSprop (momentum 0, not centered): eps inside the square root."""

    def __init__(self, params, lr=0.001, rho=0.9, eps=1e-7):
        self.params = [p for p in params if p.requires_grad]
        self.v = [torch.zeros_like(p) for p in self.params]
        self.lr, self.rho, self.eps = lr, rho, eps

    @torch.no_grad()
    def step(self):
        grads = [p.grad for p in self.params]
        torch._foreach_mul_(self.v, self.rho)
        torch._foreach_addcmul_(self.v, grads, grads, value=1.0 - self.rho)
        den = torch._foreach_add(self.v, self.eps)
        torch._foreach_sqrt_(den)
        torch._foreach_addcdiv_(self.params, grads, den, value=-self.lr)

    def zero_grad(self):
        for p in self.params:
            p.grad = None


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
