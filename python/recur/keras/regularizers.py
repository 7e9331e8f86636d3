"""Keras 3's weight regularizers (``keras.regularizers``)."""

from recur.keras._objects import KerasObject


class Regularizer(KerasObject):
    """Base class of the regularizers."""

    _module = "keras.regularizers"


class L1(Regularizer):
    """``l1 * sum(|x|)``."""

    def __init__(self, l1=0.01):
        self._store(l1=l1)


class L2(Regularizer):
    """``l2 * sum(x**2)``."""

    def __init__(self, l2=0.01):
        self._store(l2=l2)


class L1L2(Regularizer):
    """``l1 * sum(|x|) + l2 * sum(x**2)``."""

    def __init__(self, l1=0.0, l2=0.0):
        self._store(l1=l1, l2=l2)


l1 = L1
l2 = L2


def l1_l2(l1=0.01, l2=0.01):
    """``L1L2`` with Keras's functional defaults (0.01, 0.01)."""
    return L1L2(l1=l1, l2=l2)
