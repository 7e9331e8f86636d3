"""Live Keras models in and out: ``recur.from_keras(model)`` and ``Sequential.to_keras()``.
Keras is imported only here, when one of them is called. Both go through Keras's own
serialized config (``keras.saving.serialize_keras_object``), the same JSON a ``.keras`` file
holds, so they share the file path's translation and checks."""

import json

from recur import _recur


def _keras():
    try:
        import keras
    except ImportError:
        raise ImportError(
            "converting to or from a live Keras model needs Keras 3: pip install keras"
        ) from None
    if not keras.__version__.startswith("3."):
        raise ImportError(f"recur converts Keras 3 models; this is Keras {keras.__version__}")
    return keras


def from_keras(keras_model):
    """A recur Sequential with the same layers, compile settings and weights as the Keras 3
    Sequential ``keras_model``."""
    from recur.keras.models import _wrap

    keras = _keras()
    if not isinstance(keras_model, keras.Sequential):
        raise ValueError(
            f"from_keras: recur converts keras.Sequential models, got {type(keras_model).__name__}"
        )
    config = keras.saving.serialize_keras_object(keras_model)
    native = _recur.Model.from_keras_config(json.dumps(config, default=_plain), True)
    if keras_model.built:
        native.set_weights([w.astype("float32") for w in keras_model.get_weights()])
    return _wrap(native, keras_model.name)


def _plain(value):
    """JSON for the few non-JSON values a Keras config can hold (NumPy scalars, tuples)."""
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, tuple):
        return list(value)
    raise TypeError(f"cannot convert {type(value).__name__} from a Keras config")


def to_keras(model):
    """The recur Sequential ``model`` as a live Keras 3 model with the same weights."""
    keras = _keras()
    config = json.loads(model._native.to_keras_config(model.name))
    keras_model = keras.saving.deserialize_keras_object(config)
    if model.built:
        keras_model.set_weights(model.get_weights())
    return keras_model
