"""Keras 3's layers that recur implements: ``Input``, ``Dense``, ``SimpleRNN``, ``LSTM`` and
``GRU``, with Keras's signatures and defaults. A layer holds its arguments; once added to a
``Sequential`` model it reads its weights from the model (``get_weights``/``set_weights``)."""

import warnings

from recur.keras._objects import serialize


class Layer:
    """Base class of recur.keras's layers."""

    _class_name = None

    def _init_base(self, config, name=None, trainable=True, dtype=None, **kwargs):
        input_dim = kwargs.pop("input_dim", None)
        input_shape = (input_dim,) if input_dim is not None else kwargs.pop("input_shape", None)
        if input_shape is not None:
            warnings.warn(
                "Do not pass an `input_shape`/`input_dim` argument to a layer. When using "
                "Sequential models, prefer using an `Input(shape)` object as the first layer "
                "in the model instead.",
                stacklevel=3,
            )
            input_shape = tuple(int(d) for d in input_shape)
        if kwargs:
            raise ValueError(
                f"Unrecognized keyword arguments passed to {type(self).__name__}: {kwargs}"
            )
        self._input_shape_arg = input_shape
        self._config = dict(name=name, trainable=trainable, dtype=dtype, **config)
        self._model = None
        self._index = None

    def get_config(self):
        """The layer's arguments, as Keras's ``get_config()`` names them."""
        return dict(self._config)

    def _keras_config(self):
        """Keras's serialized form of the layer (what ``config.json`` holds)."""
        return {
            "module": "keras.layers",
            "class_name": self._class_name,
            "config": {k: serialize(v) for k, v in self._config.items()},
            "registered_name": None,
        }

    def _attach(self, model, index):
        if self._model is not None and self._model is not model:
            raise ValueError(
                f"layer {self.name!r} already belongs to another model; recur layers are not "
                "shared between models (build a new layer)"
            )
        self._model, self._index = model, index

    @property
    def name(self):
        """The layer's name (Keras's automatic one once added to a model)."""
        if self._model is not None:
            return self._model._native.layer_info(self._index)[0]
        return self._config["name"]

    @property
    def built(self):
        """True once the layer has its weights."""
        return self._model is not None and self._model._native.layer_info(self._index)[2] is not None

    @property
    def output_shape(self):
        """Output shape with the batch axis as None, once built."""
        shape = self._native_info()[2]
        if shape is None:
            raise AttributeError(f"the layer {self.name!r} has not been built yet")
        return (None, *shape)

    def _native_info(self):
        if self._model is None:
            raise ValueError(
                f"the layer {self._config['name'] or type(self).__name__!r} is not part of a "
                "model yet: add it to a Sequential model first"
            )
        return self._model._native.layer_info(self._index)

    def get_weights(self):
        """The layer's weights as NumPy float32 arrays, in Keras's order and shapes."""
        if self._model is None:
            return []
        return self._model._native.layer_weights(self._index)

    def set_weights(self, weights):
        """Replaces the layer's weights (same order and shapes as ``get_weights``)."""
        self._native_info()
        from recur.keras._arrays import as_float32

        arrays = [as_float32(w, f"weights[{i}]") for i, w in enumerate(weights)]
        self._model._native.set_layer_weights(self._index, arrays)

    def count_params(self):
        """Number of weights of the layer."""
        return int(sum(w.size for w in self.get_weights()))

    @property
    def weights(self):
        """Alias of ``get_weights()`` (recur's weights are NumPy copies)."""
        return self.get_weights()

    def __getattr__(self, key):
        config = self.__dict__.get("_config", {})
        if key in config:
            return config[key]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {key!r}")

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}>"


class InputLayer:
    """``Input(shape)``: the model's input shape without the batch axis."""

    def __init__(self, shape=None, batch_size=None, dtype=None, sparse=None, ragged=None,
                 batch_shape=None, name=None, optional=False, input_tensor=None, **kwargs):
        if kwargs:
            raise ValueError(f"Unrecognized keyword arguments passed to InputLayer: {kwargs}")
        if batch_shape is not None:
            if shape is not None:
                raise ValueError("You cannot pass both `shape` and `batch_shape` at the same time.")
            batch_size, shape = batch_shape[0], batch_shape[1:]
        if shape is None:
            raise ValueError("You must pass a `shape` argument.")
        for arg, value, ok in [("dtype", dtype, (None, "float32")), ("sparse", sparse, (None, False)),
                               ("ragged", ragged, (None, False)), ("optional", optional, (False,)),
                               ("input_tensor", input_tensor, (None,))]:
            if value not in ok:
                raise ValueError(f"Input: {arg}={value!r} is not supported by recur (float32 dense inputs only)")
        self.shape = tuple(int(d) if d is not None else None for d in shape)
        if any(d is None for d in self.shape):
            raise ValueError(
                f"Input: shape {self.shape} has a None dimension; recur needs every dimension "
                "(timesteps, features) fixed"
            )
        self.batch_size = batch_size
        self.name = name


def Input(shape=None, batch_size=None, dtype=None, sparse=None, ragged=None, batch_shape=None,
          name=None, tensor=None, optional=False):
    """Keras's ``Input``: in a Sequential model, the first item fixes the input shape."""
    return InputLayer(shape=shape, batch_size=batch_size, dtype=dtype, sparse=sparse,
                      ragged=ragged, batch_shape=batch_shape, name=name, optional=optional,
                      input_tensor=tensor)


class Dense(Layer):
    """A densely connected layer: ``activation(x @ kernel + bias)`` on the last axis."""

    _class_name = "Dense"

    def __init__(self, units, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 lora_rank=None, lora_alpha=None, quantization_config=None, **kwargs):
        self._init_base(dict(
            units=units, activation=activation if activation is not None else "linear",
            use_bias=use_bias, kernel_initializer=kernel_initializer,
            bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
            bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
            kernel_constraint=kernel_constraint, bias_constraint=bias_constraint,
            lora_rank=lora_rank, lora_alpha=lora_alpha, quantization_config=quantization_config,
        ), **kwargs)


def _recurrent_config(units, activation, use_bias, kernel_initializer, recurrent_initializer,
                      bias_initializer, kernel_regularizer, recurrent_regularizer,
                      bias_regularizer, activity_regularizer, kernel_constraint,
                      recurrent_constraint, bias_constraint, dropout, recurrent_dropout,
                      return_sequences, return_state, go_backwards, stateful, unroll, seed,
                      **specific):
    return dict(
        units=units, activation=activation, use_bias=use_bias,
        kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
        bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
        recurrent_regularizer=recurrent_regularizer, bias_regularizer=bias_regularizer,
        activity_regularizer=activity_regularizer, kernel_constraint=kernel_constraint,
        recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint,
        dropout=dropout, recurrent_dropout=recurrent_dropout,
        return_sequences=return_sequences, return_state=return_state,
        go_backwards=go_backwards, stateful=stateful, unroll=unroll, seed=seed, **specific,
    )


def _cudnn(use_cudnn, kwargs):
    """``use_cudnn`` picks Keras's cuDNN kernel on a GPU, which computes the same numbers, and
    Keras does not save it: any of its values means recur's one implementation."""
    if use_cudnn not in ("auto", True, False):
        raise ValueError(f"use_cudnn: expected 'auto', True or False, got {use_cudnn!r}")
    return kwargs


class SimpleRNN(Layer):
    """A fully connected RNN: ``h_t = activation(x_t @ kernel + h_{t-1} @ recurrent_kernel + bias)``."""

    _class_name = "SimpleRNN"

    def __init__(self, units, activation="tanh", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False, seed=None, **kwargs):
        self._init_base(_recurrent_config(
            units, activation, use_bias, kernel_initializer, recurrent_initializer,
            bias_initializer, kernel_regularizer, recurrent_regularizer, bias_regularizer,
            activity_regularizer, kernel_constraint, recurrent_constraint, bias_constraint,
            dropout, recurrent_dropout, return_sequences, return_state, go_backwards, stateful,
            unroll, seed), **kwargs)


class LSTM(Layer):
    """Long short-term memory (Hochreiter 1997), Keras's gate order i, f, c, o."""

    _class_name = "LSTM"

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", unit_forget_bias=True, kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 dropout=0.0, recurrent_dropout=0.0, seed=None, return_sequences=False,
                 return_state=False, go_backwards=False, stateful=False, unroll=False,
                 use_cudnn="auto", **kwargs):
        self._init_base(_recurrent_config(
            units, activation, use_bias, kernel_initializer, recurrent_initializer,
            bias_initializer, kernel_regularizer, recurrent_regularizer, bias_regularizer,
            activity_regularizer, kernel_constraint, recurrent_constraint, bias_constraint,
            dropout, recurrent_dropout, return_sequences, return_state, go_backwards, stateful,
            unroll, seed, recurrent_activation=recurrent_activation,
            unit_forget_bias=unit_forget_bias), **_cudnn(use_cudnn, kwargs))


class GRU(Layer):
    """Gated recurrent unit (Cho et al. 2014), Keras's gate order z, r, h."""

    _class_name = "GRU"

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False, reset_after=True,
                 use_cudnn="auto", **kwargs):
        self._init_base(_recurrent_config(
            units, activation, use_bias, kernel_initializer, recurrent_initializer,
            bias_initializer, kernel_regularizer, recurrent_regularizer, bias_regularizer,
            activity_regularizer, kernel_constraint, recurrent_constraint, bias_constraint,
            dropout, recurrent_dropout, return_sequences, return_state, go_backwards, stateful,
            unroll, seed, recurrent_activation=recurrent_activation, reset_after=reset_after),
            **_cudnn(use_cudnn, kwargs))
