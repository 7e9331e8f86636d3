"""``keras.utils.set_random_seed``: the seed of the models created afterwards."""

_state = {"seed": None}


def set_random_seed(seed):
    """Seeds every model created from now on (their initial weights, shuffling and dropout).
    recur draws from its own seeded streams, so results repeat exactly for a seed but are not
    Keras's numbers."""
    if not isinstance(seed, int) or seed < 0:
        raise ValueError(f"set_random_seed: expected a non-negative integer, got {seed!r}")
    _state["seed"] = seed


def _current_seed():
    return _state["seed"]
