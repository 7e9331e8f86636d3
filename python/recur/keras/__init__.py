"""Keras 3's API on recur: ``from recur.keras.models import Sequential`` and so on.

Supported: ``models.Sequential`` / ``load_model``, ``layers.Input``, ``Dense``, ``SimpleRNN``,
``LSTM``, ``GRU``; the optimizers SGD, RMSprop, Adam, AdamW; the regression losses and
metrics; the callbacks EarlyStopping, TerminateOnNaN and History; initializers, regularizers
and constraints. Anything else raises an error that names it; nothing is silently ignored.
"""

from recur.keras import (
    callbacks,
    constraints,
    initializers,
    layers,
    losses,
    metrics,
    models,
    optimizers,
    regularizers,
    utils,
)
from recur.keras.layers import Input
from recur.keras.models import Sequential, load_model

__all__ = [
    "Input",
    "Sequential",
    "callbacks",
    "constraints",
    "initializers",
    "layers",
    "load_model",
    "losses",
    "metrics",
    "models",
    "optimizers",
    "regularizers",
    "utils",
]
