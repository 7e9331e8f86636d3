"""Keras 3's weight constraints (``keras.constraints``)."""

from recur.keras._objects import KerasObject


class Constraint(KerasObject):
    """Base class of the constraints."""

    _module = "keras.constraints"


class MaxNorm(Constraint):
    """Rescales slices whose norm exceeds ``max_value``."""

    def __init__(self, max_value=2, axis=0):
        self._store(max_value=max_value, axis=axis)


class NonNeg(Constraint):
    """Sets negative entries to zero."""

    def __init__(self):
        self._store()


class UnitNorm(Constraint):
    """Divides each slice by its norm."""

    def __init__(self, axis=0):
        self._store(axis=axis)


class MinMaxNorm(Constraint):
    """Moves norms into ``[min_value, max_value]`` at ``rate``."""

    def __init__(self, min_value=0.0, max_value=1.0, rate=1.0, axis=0):
        self._store(min_value=min_value, max_value=max_value, rate=rate, axis=axis)
