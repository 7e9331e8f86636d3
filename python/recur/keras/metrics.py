"""Keras 3's regression metrics (``keras.metrics``), for ``compile(metrics=[...])``: the
strings ``"mse"``, ``"mae"``, ``"mape"``, ... or these classes. Each is reported under Keras's
name in History, the epoch lines and ``evaluate``."""

from recur.keras._objects import KerasObject


class Metric(KerasObject):
    """Base class of the metrics."""

    _module = "keras.metrics"

    def _store_metric(self, name, dtype):
        self._store(name=name, dtype=dtype)

    @property
    def name(self):
        """The metric's name: its key in History and in ``evaluate(return_dict=True)``."""
        return self._config["name"]


class MeanSquaredError(Metric):
    """Mean of squared errors."""

    def __init__(self, name="mean_squared_error", dtype=None):
        self._store_metric(name, dtype)


class MeanAbsoluteError(Metric):
    """Mean of absolute errors."""

    def __init__(self, name="mean_absolute_error", dtype=None):
        self._store_metric(name, dtype)


class MeanAbsolutePercentageError(Metric):
    """Mean of ``100 * |error| / |y|``."""

    def __init__(self, name="mean_absolute_percentage_error", dtype=None):
        self._store_metric(name, dtype)


class MeanSquaredLogarithmicError(Metric):
    """Mean of squared differences of ``log(1 + x)``."""

    def __init__(self, name="mean_squared_logarithmic_error", dtype=None):
        self._store_metric(name, dtype)


class RootMeanSquaredError(Metric):
    """Square root of the mean of squared errors."""

    def __init__(self, name="root_mean_squared_error", dtype=None):
        self._store_metric(name, dtype)


class LogCoshError(Metric):
    """Mean of ``log(cosh(error))``."""

    def __init__(self, name="logcosh", dtype=None):
        self._store_metric(name, dtype)
