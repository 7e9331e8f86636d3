"""The Keras 3 callbacks recur runs: ``EarlyStopping``, ``TerminateOnNaN`` and ``History``.
Their logic lives in recur's engine (the same code the CLI uses); other callbacks are refused
by ``fit`` with an error naming them."""

import json


class Callback:
    """Base class of recur.keras's callbacks."""


class EarlyStopping(Callback):
    """Stops training when ``monitor`` stops improving (Keras's arguments and defaults)."""

    def __init__(self, monitor="val_loss", min_delta=0, patience=0, verbose=0, mode="auto",
                 baseline=None, restore_best_weights=False, start_from_epoch=0):
        if mode not in ("auto", "min", "max"):
            raise ValueError(
                f"EarlyStopping mode {mode!r} is unknown: expected 'auto', 'min' or 'max'"
            )
        self.monitor = monitor
        self.min_delta = min_delta
        self.patience = patience
        self.verbose = verbose
        self.mode = mode
        self.baseline = baseline
        self.restore_best_weights = restore_best_weights
        self.start_from_epoch = start_from_epoch
        self.stopped_epoch = 0
        self.best_epoch = 0

    def _engine_config(self):
        return json.dumps({
            "monitor": self.monitor,
            "min_delta": float(self.min_delta),
            "patience": int(self.patience),
            "mode": self.mode,
            "baseline": None if self.baseline is None else float(self.baseline),
            "restore_best_weights": bool(self.restore_best_weights),
            "start_from_epoch": int(self.start_from_epoch),
        })


class TerminateOnNaN(Callback):
    """Stops training at the first NaN or infinite loss (``raise_error=True`` raises
    ``RuntimeError`` instead of stopping quietly), as Keras's callback does."""

    def __init__(self, raise_error=False):
        self.raise_error = raise_error


class History(Callback):
    """What ``fit`` returns: ``history`` (Keras's dict of per-epoch lists), ``epoch`` (the
    epoch indices) and ``params`` (``verbose``, ``epochs``, ``steps``)."""

    def __init__(self):
        self.history = {}
        self.epoch = []
        self.params = {}
        self.model = None

    def __repr__(self):
        return f"<History keys={list(self.history)} epochs={len(self.epoch)}>"
