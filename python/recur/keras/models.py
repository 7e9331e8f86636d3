"""``Sequential`` and ``load_model``: Keras 3's model API over recur's engine."""

import json
import os

from recur import _recur
from recur.keras import callbacks as callbacks_module
from recur.keras._arrays import as_float32
from recur.keras._objects import serialize
from recur.keras.layers import InputLayer, Layer
from recur.keras.utils import _current_seed

_DEFAULT_BATCH_SIZE = 32


def _verbose(verbose):
    if verbose == "auto":
        return 1
    if verbose in (0, 1, 2) and not isinstance(verbose, float):
        return int(verbose)
    raise ValueError(f"verbose: expected 'auto', 0, 1 or 2, got {verbose!r}")


def _batch_size(batch_size):
    if batch_size is None:
        return _DEFAULT_BATCH_SIZE
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size: expected a positive integer, got {batch_size!r}")
    return batch_size


def _refuse(what, value, default):
    """Refuses a Keras argument recur does not implement unless it has its default value."""
    if value is default:
        return
    try:
        same = default is not None and bool(value == default)
    except (TypeError, ValueError):  # arrays and other values without a plain truth value
        same = False
    if not same:
        shown = type(value).__name__ if hasattr(value, "shape") else repr(value)
        raise ValueError(f"{what}={shown} is not supported by recur (only the default {default!r})")


class Sequential:
    """A linear stack of layers (Keras's ``Sequential``), computed by recur."""

    def __init__(self, layers=None, trainable=True, name=None):
        if trainable is not True:
            raise ValueError("Sequential(trainable=False) is not supported by recur")
        self._native = _recur.Model(_current_seed())
        self._layers = []
        self.name = name if name is not None else "sequential"
        self.history = None
        self._metric_names = []
        for layer in layers or []:
            self.add(layer)

    # Building --------------------------------------------------------------------------

    def add(self, layer, rebuild=True):
        """Appends a layer (or an ``Input`` as the first item)."""
        if isinstance(layer, InputLayer):
            if self._layers or self._native.input_shape() is not None:
                raise ValueError("An Input can only be the first item of a Sequential model")
            self._native.set_input_shape(list(layer.shape))
            return
        if not isinstance(layer, Layer):
            raise TypeError(
                f"Sequential.add: expected a recur.keras layer (Dense, SimpleRNN, LSTM, GRU) or "
                f"an Input, got {type(layer).__name__}"
            )
        if layer._input_shape_arg is not None:
            if self._layers:
                raise ValueError(
                    f"input_shape was given to layer {layer.name!r}, which is not the first "
                    "layer of the model"
                )
            self._native.set_input_shape(list(layer._input_shape_arg))
        if layer._model is not None:
            raise ValueError(f"layer {layer.name!r} is already part of a model")
        self._native.add(json.dumps(layer._keras_config()))
        layer._attach(self, len(self._layers))
        self._layers.append(layer)

    def build(self, input_shape=None):
        """Builds the model for ``input_shape`` (with the batch axis first, as in Keras)."""
        if input_shape is None:
            raise ValueError("build: give input_shape, e.g. (None, timesteps, features)")
        self._native.set_input_shape([int(d) for d in tuple(input_shape)[1:]])

    @property
    def layers(self):
        """The layers, in order."""
        return list(self._layers)

    def get_layer(self, name=None, index=None):
        """The layer with this name or index."""
        if index is not None:
            return self._layers[index]
        for layer in self._layers:
            if layer.name == name:
                return layer
        raise ValueError(f"No such layer: {name}. Existing layers are: {[l.name for l in self._layers]}.")

    @property
    def built(self):
        """True once the model has its weights."""
        return self._native.input_shape() is not None

    @property
    def input_shape(self):
        """Input shape with the batch axis as None."""
        shape = self._native.input_shape()
        if shape is None:
            raise AttributeError("The model has not been built yet: it has no input shape")
        return (None, *shape)

    @property
    def output_shape(self):
        """Output shape with the batch axis as None."""
        shape = self._native.output_shape()
        if shape is None:
            raise AttributeError("The model has not been built yet: it has no output shape")
        return (None, *shape)

    # Compiling and training ------------------------------------------------------------

    def compile(self, optimizer="rmsprop", loss=None, loss_weights=None, metrics=None,
                weighted_metrics=None, run_eagerly=False, steps_per_execution=1,
                jit_compile="auto", auto_scale_loss=True):
        """Sets the optimizer, the loss and the metrics. ``run_eagerly``, ``jit_compile`` and
        ``auto_scale_loss`` choose how Keras executes, not what it computes (float32 models
        are never loss-scaled), so any value gives recur's one result."""
        if loss is None:
            raise ValueError("compile: recur needs a loss (for example loss='mse')")
        _refuse("compile loss_weights", loss_weights, None)
        _refuse("compile weighted_metrics", weighted_metrics, None)
        _refuse("compile steps_per_execution", steps_per_execution, 1)
        if isinstance(metrics, dict):
            raise ValueError("compile: metrics as a dict is for multi-output models; recur models have one output, pass a list")
        metrics = list(metrics) if metrics is not None else []
        self._native.compile(json.dumps(serialize(loss)), json.dumps(serialize(optimizer)),
                             json.dumps([serialize(m) for m in metrics]))
        self.optimizer = optimizer
        self.loss = loss

    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, steps_per_epoch=None, validation_steps=None,
            validation_batch_size=None, validation_freq=1):
        """Trains the model; returns a ``History``. Ctrl-C stops between batches and raises
        ``KeyboardInterrupt``, leaving the model as trained so far."""
        for what, value, default in [("class_weight", class_weight, None),
                                     ("sample_weight", sample_weight, None),
                                     ("steps_per_epoch", steps_per_epoch, None),
                                     ("validation_steps", validation_steps, None),
                                     ("validation_batch_size", validation_batch_size, None),
                                     ("validation_freq", validation_freq, 1)]:
            _refuse(f"fit {what}", value, default)
        if y is None:
            raise ValueError("fit: recur needs targets y (datasets and generators are not supported)")
        verbose = _verbose(verbose)
        if isinstance(shuffle, str):
            raise ValueError(f"fit shuffle={shuffle!r} is not supported by recur (True or False)")
        if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 0:
            raise ValueError(f"fit epochs: expected a non-negative integer, got {epochs!r}")
        if isinstance(initial_epoch, bool) or not isinstance(initial_epoch, int) or initial_epoch < 0:
            raise ValueError(f"fit initial_epoch: expected a non-negative integer, got {initial_epoch!r}")
        x, y = as_float32(x, "x"), as_float32(y, "y")
        early, on_invalid = None, "error"
        history = callbacks_module.History()
        for cb in callbacks or []:
            if isinstance(cb, callbacks_module.EarlyStopping):
                if early is not None:
                    raise ValueError("fit: recur runs one EarlyStopping callback per fit")
                early = cb
            elif isinstance(cb, callbacks_module.TerminateOnNaN):
                on_invalid = "error" if cb.raise_error else "terminate"
            elif isinstance(cb, callbacks_module.History):
                history = cb
            else:
                raise ValueError(
                    f"fit: the callback {type(cb).__name__} is not supported by recur (supported: "
                    "EarlyStopping, TerminateOnNaN, History)"
                )
        split = None
        vx = vy = None
        if validation_data is not None:
            if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (2, 3):
                raise ValueError("fit validation_data: expected a tuple (x_val, y_val)")
            if len(validation_data) == 3 and validation_data[2] is not None:
                raise ValueError("fit validation_data: sample weights are not supported by recur")
            vx = as_float32(validation_data[0], "validation_data x")
            vy = as_float32(validation_data[1], "validation_data y")
        elif validation_split:
            split = float(validation_split)
        native_history = self._native.fit(
            x, y, epochs, _batch_size(batch_size), verbose, bool(shuffle), initial_epoch,
            split, vx, vy, None if early is None else early._engine_config(),
            None if early is None else int(early.verbose), on_invalid,
        )
        result = json.loads(native_history["history"])
        history.history = {k: list(v) for k, v in result.items()}
        history.epoch = list(native_history["epochs"])
        history.params = {"verbose": verbose, "epochs": epochs, "steps": native_history["steps"]}
        history.model = self
        if early is not None:
            # Keras's attribute: the 0-based epoch at which training stopped early, else 0.
            ran = len(history.epoch)
            early.stopped_epoch = history.epoch[-1] if 0 < ran < epochs - initial_epoch else 0
        self.history = history
        return history

    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None,
                 steps=None, callbacks=None, return_dict=False, **kwargs):
        """The loss (and metrics) on ``(x, y)``: a float, a list ``[loss, *metrics]``, or a dict
        with ``return_dict=True``."""
        _refuse("evaluate sample_weight", sample_weight, None)
        _refuse("evaluate steps", steps, None)
        _refuse("evaluate callbacks", callbacks, None)
        if kwargs:
            raise ValueError(f"Arguments not recognized: {kwargs}")
        if y is None:
            raise ValueError("evaluate: recur needs targets y")
        logs, values = self._native.evaluate(as_float32(x, "x"), as_float32(y, "y"),
                                             _batch_size(batch_size), _verbose(verbose))
        if return_dict:
            return dict(logs)
        return values[0] if len(values) == 1 else values

    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None):
        """The model's outputs, ``(samples, *output_shape)`` float32."""
        _refuse("predict steps", steps, None)
        _refuse("predict callbacks", callbacks, None)
        return self._native.predict(as_float32(x, "x"), _batch_size(batch_size), _verbose(verbose))

    # Weights and description -----------------------------------------------------------

    def get_weights(self):
        """Every weight, in Keras's order and shapes (NumPy float32 copies)."""
        return self._native.get_weights()

    def set_weights(self, weights):
        """Replaces every weight (same order and shapes as ``get_weights``)."""
        self._native.set_weights([as_float32(w, f"weights[{i}]") for i, w in enumerate(weights)])

    @property
    def weights(self):
        """Alias of ``get_weights()``."""
        return self.get_weights()

    def count_params(self):
        """Total number of weights."""
        if not self.built:
            raise ValueError(
                f"You tried to call `count_params` on layer '{self.name}', but the layer isn't "
                "built. You can build it manually via: `layer.build(input_shape)`."
            )
        return self._native.count_params()

    def summary(self, line_length=None, positions=None, print_fn=None, expand_nested=False,
                show_trainable=False, layer_range=None):
        """Prints Keras's summary table (or passes the whole text to ``print_fn``, as Keras
        does)."""
        _refuse("summary positions", positions, None)
        _refuse("summary expand_nested", expand_nested, False)
        _refuse("summary show_trainable", show_trainable, False)
        _refuse("summary layer_range", layer_range, None)
        if line_length is None:
            try:
                columns = os.get_terminal_size().columns
            except OSError:
                columns = 88 + 4
            line_length = min(88, max(columns - 4, 40))
        text = self._native.summary(line_length).replace(
            "Model: \"sequential\"", f"Model: \"{self.name}\""
        )
        if print_fn is None:
            print(text, end="" if text.endswith("\n") else "\n")
        else:
            print_fn(text)

    # Files and conversion --------------------------------------------------------------

    def save(self, filepath, overwrite=True, zipped=None, **kwargs):
        """Writes the model: ``.keras`` is Keras 3's format (Keras loads it), ``.recur``
        recur's own. The file is written under a temporary name and renamed."""
        from recur.keras import _keras_file

        if kwargs:
            raise ValueError(f"save: unrecognized arguments {kwargs}")
        path = os.fspath(filepath)
        if not overwrite and os.path.exists(path):
            from recur.keras._prompt import ask_to_proceed_with_overwrite

            if not ask_to_proceed_with_overwrite(path):
                return
        if path.endswith(".recur"):
            _refuse("save zipped", zipped, None)
            self._native.save(path)
        elif path.endswith(".keras"):
            if zipped is False:
                raise ValueError("save(zipped=False) is not supported by recur: .keras files are zipped")
            _keras_file.save(self, path)
        else:
            raise ValueError(
                "Invalid filepath extension for saving. Please add either a `.keras` extension "
                f"for the native Keras format or a `.recur` extension for recur's format. Received: filepath={path}"
            )

    def to_keras(self):
        """The same model as a live Keras 3 model with the same weights (imports Keras)."""
        from recur.keras import _interop

        return _interop.to_keras(self)

    def __repr__(self):
        return f"<recur.keras Sequential name={self.name}, built={self.built}>"


def _wrap(native, name="sequential"):
    """A Python Sequential around a native model read from a file."""
    from recur.keras import layers as layers_module

    model = Sequential.__new__(Sequential)
    model._native = native
    model.name = name
    model.history = None
    model._layers = []
    for i in range(native.layer_count()):
        _, class_name, _, config = native.layer_info(i)
        layer = Layer.__new__(getattr(layers_module, class_name))
        layer._config = json.loads(config)
        layer._input_shape_arg = None
        layer._model, layer._index = model, i
        model._layers.append(layer)
    return model


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """Reads a model: a Keras 3 ``.keras`` file (made of the layers recur supports) or a
    ``.recur`` file written by recur."""
    from recur.keras import _keras_file

    if custom_objects:
        raise ValueError("load_model: custom_objects are not supported by recur")
    path = os.fspath(filepath)
    if path.endswith(".keras"):
        return _keras_file.load(path, compile=compile)
    if path.endswith(".recur"):
        return _wrap(_recur.Model.load(path, compile))
    raise ValueError(
        f"File format not supported: filepath={path}. recur reads .keras files (Keras 3) and "
        ".recur files (recur's own)."
    )
