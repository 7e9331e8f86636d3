"""The one representation every configurable object crosses into recur with: Keras 3's own
serialized form ``{"module", "class_name", "config", "registered_name"}``, the form Keras
writes into ``config.json``. recur's engine reads that form (and Keras's string identifiers),
so an object built here, one read from a ``.keras`` file and one converted from a live Keras
model all take the same path, and every check happens once, in the engine.
"""


class KerasObject:
    """Base of recur.keras's configurable objects (initializers, optimizers, ...).

    Subclasses set ``_module`` (Keras's module, e.g. ``keras.initializers``) and store their
    constructor arguments with ``_store``.
    """

    _module = "keras"

    def _store(self, **config):
        self._config = config

    def get_config(self):
        """The constructor arguments, as Keras's ``get_config()`` gives them."""
        return dict(self._config)

    @classmethod
    def from_config(cls, config):
        """Rebuilds the object from ``get_config()``'s dict."""
        return cls(**config)

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self._config.items())
        return f"{type(self).__name__}({args})"

    def __eq__(self, other):
        return type(self) is type(other) and self._config == other._config

    def __hash__(self):
        return hash((type(self).__name__, repr(sorted(self._config.items()))))


def serialize(value):
    """Keras's serialized form of ``value``: strings, numbers and None pass through, a
    ``KerasObject`` becomes its ``{"module", "class_name", "config"}`` dict."""
    if isinstance(value, KerasObject):
        return {
            "module": value._module,
            "class_name": type(value).__name__,
            "config": {k: serialize(v) for k, v in value.get_config().items()},
            "registered_name": None,
        }
    if isinstance(value, (list, tuple)):
        return [serialize(v) for v in value]
    if isinstance(value, dict):
        return {k: serialize(v) for k, v in value.items()}
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if callable(value):
        name = getattr(value, "__name__", repr(value))
        raise ValueError(
            f"recur cannot use the Python callable {name!r} as a Keras argument: pass one of "
            "Keras's names (for example 'relu') or a recur.keras object"
        )
    try:  # NumPy scalars
        return value.item()
    except AttributeError:
        raise TypeError(
            f"recur cannot use a value of type {type(value).__name__} ({value!r}) as a Keras "
            "argument"
        ) from None
