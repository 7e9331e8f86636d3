"""Keras 3's initializers (``keras.initializers``) that recur implements, with Keras's
defaults. Pass them, or their string names, as ``kernel_initializer=`` and so on."""

from recur.keras._objects import KerasObject


class Initializer(KerasObject):
    """Base class of the initializers."""

    _module = "keras.initializers"


class Zeros(Initializer):
    """All zeros."""

    def __init__(self):
        self._store()


class Ones(Initializer):
    """All ones."""

    def __init__(self):
        self._store()


class Constant(Initializer):
    """Every element ``value``."""

    def __init__(self, value=0.0):
        self._store(value=value)


class RandomUniform(Initializer):
    """Uniform on ``[minval, maxval)``."""

    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        self._store(minval=minval, maxval=maxval, seed=seed)


class RandomNormal(Initializer):
    """Normal with ``mean`` and ``stddev``."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self._store(mean=mean, stddev=stddev, seed=seed)


class TruncatedNormal(Initializer):
    """Normal truncated at two standard deviations."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self._store(mean=mean, stddev=stddev, seed=seed)


class VarianceScaling(Initializer):
    """Scale divided by a fan, drawn from a (truncated) normal or a uniform distribution."""

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None):
        self._store(scale=scale, mode=mode, distribution=distribution, seed=seed)


class _Seeded(Initializer):
    def __init__(self, seed=None):
        self._store(seed=seed)


class GlorotUniform(_Seeded):
    """Glorot (Xavier) uniform."""


class GlorotNormal(_Seeded):
    """Glorot (Xavier) truncated normal."""


class HeUniform(_Seeded):
    """He uniform."""


class HeNormal(_Seeded):
    """He truncated normal."""


class LecunUniform(_Seeded):
    """LeCun uniform."""


class LecunNormal(_Seeded):
    """LeCun truncated normal."""


class Orthogonal(Initializer):
    """A (scaled) orthogonal matrix."""

    def __init__(self, gain=1.0, seed=None):
        self._store(gain=gain, seed=seed)


class Identity(Initializer):
    """A (scaled) identity matrix."""

    def __init__(self, gain=1.0):
        self._store(gain=gain)


IdentityInitializer = Identity
OrthogonalInitializer = Orthogonal
