"""The Keras-faithful PyTorch model and Keras's RMSprop, shared by run_torch.py and check_parity.py."""

import torch
from torch import nn


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
