"""Array conversion at the boundary, as Keras does it: anything array-like becomes a
C-contiguous float32 NumPy array, without a copy when it already is one."""

import numpy as np


def as_float32(value, what):
    """``value`` as a C-contiguous float32 array; ``what`` names the argument in errors."""
    if value is None:
        raise ValueError(f"{what}: expected an array, got None")
    try:
        array = np.asarray(value, dtype=np.float32)
    except (TypeError, ValueError) as e:
        raise TypeError(f"{what}: cannot be read as a float32 array ({e})") from None
    return np.ascontiguousarray(array)
