"""Keras 3's regression losses (``keras.losses``): classes, and the functions by their names
(``compile(loss="mean_squared_error")`` or ``loss="mse"`` work as in Keras)."""

from recur.keras._objects import KerasObject


class Loss(KerasObject):
    """Base class of the losses. ``reduction`` must be Keras's default
    ``"sum_over_batch_size"``; the engine refuses others."""

    _module = "keras.losses"

    def _store_loss(self, name, reduction, dtype, **specific):
        self._store(name=name, reduction=reduction, dtype=dtype, **specific)


class MeanSquaredError(Loss):
    """Mean of squared errors."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_error", dtype=None):
        self._store_loss(name, reduction, dtype)


class MeanAbsoluteError(Loss):
    """Mean of absolute errors."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_error", dtype=None):
        self._store_loss(name, reduction, dtype)


class MeanSquaredLogarithmicError(Loss):
    """Mean of squared differences of ``log(1 + x)``."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_logarithmic_error",
                 dtype=None):
        self._store_loss(name, reduction, dtype)


class Huber(Loss):
    """Huber loss with threshold ``delta``."""

    def __init__(self, delta=1.0, reduction="sum_over_batch_size", name="huber_loss",
                 dtype=None):
        self._store_loss(name, reduction, dtype, delta=delta)


class LogCosh(Loss):
    """Mean of ``log(cosh(error))``."""

    def __init__(self, reduction="sum_over_batch_size", name="log_cosh", dtype=None):
        self._store_loss(name, reduction, dtype)


# Keras's function names, usable as ``loss=`` values.
mean_squared_error = mse = MSE = "mean_squared_error"
mean_absolute_error = mae = MAE = "mean_absolute_error"
mean_squared_logarithmic_error = msle = MSLE = "mean_squared_logarithmic_error"
huber = "huber"
log_cosh = logcosh = "log_cosh"
