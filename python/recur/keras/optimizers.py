"""Keras 3's optimizers (``keras.optimizers``) that recur implements, with Keras's defaults.
recur applies Keras's exact float32 update rules; arguments recur lacks (``use_ema=True``,
``loss_scale_factor``, ``gradient_accumulation_steps``, schedules) are refused when the model is
compiled, naming the argument."""

from recur.keras._objects import KerasObject


class Optimizer(KerasObject):
    """Base class of the optimizers."""

    _module = "keras.optimizers"

    def _store_common(self, name, learning_rate, weight_decay, clipnorm, clipvalue,
                      global_clipnorm, use_ema, ema_momentum, ema_overwrite_frequency,
                      loss_scale_factor, gradient_accumulation_steps, kwargs, **specific):
        if kwargs:
            raise TypeError(
                f"Unrecognized keyword arguments passed to {type(self).__name__}: {kwargs}"
            )
        self._store(
            name=name if name is not None else type(self).__name__.lower(),
            learning_rate=learning_rate,
            weight_decay=weight_decay,
            clipnorm=clipnorm,
            global_clipnorm=global_clipnorm,
            clipvalue=clipvalue,
            use_ema=use_ema,
            ema_momentum=ema_momentum,
            ema_overwrite_frequency=ema_overwrite_frequency,
            loss_scale_factor=loss_scale_factor,
            gradient_accumulation_steps=gradient_accumulation_steps,
            **specific,
        )

    @property
    def learning_rate(self):
        """The learning rate given to the constructor."""
        return self._config["learning_rate"]


class SGD(Optimizer):
    """Gradient descent with optional (Nesterov) momentum."""

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        self._store_common(name, learning_rate, weight_decay, clipnorm, clipvalue,
                           global_clipnorm, use_ema, ema_momentum, ema_overwrite_frequency,
                           loss_scale_factor, gradient_accumulation_steps, kwargs,
                           momentum=momentum, nesterov=nesterov)


class RMSprop(Optimizer):
    """RMSprop (the tutorial's optimizer)."""

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-07,
                 centered=False, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        self._store_common(name, learning_rate, weight_decay, clipnorm, clipvalue,
                           global_clipnorm, use_ema, ema_momentum, ema_overwrite_frequency,
                           loss_scale_factor, gradient_accumulation_steps, kwargs,
                           rho=rho, momentum=momentum, epsilon=epsilon, centered=centered)


class Adam(Optimizer):
    """Adam (and AMSGrad)."""

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-07,
                 amsgrad=False, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        self._store_common(name, learning_rate, weight_decay, clipnorm, clipvalue,
                           global_clipnorm, use_ema, ema_momentum, ema_overwrite_frequency,
                           loss_scale_factor, gradient_accumulation_steps, kwargs,
                           beta_1=beta_1, beta_2=beta_2, epsilon=epsilon, amsgrad=amsgrad)


class AdamW(Optimizer):
    """Adam with decoupled weight decay."""

    def __init__(self, learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999,
                 epsilon=1e-07, amsgrad=False, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        self._store_common(name, learning_rate, weight_decay, clipnorm, clipvalue,
                           global_clipnorm, use_ema, ema_momentum, ema_overwrite_frequency,
                           loss_scale_factor, gradient_accumulation_steps, kwargs,
                           beta_1=beta_1, beta_2=beta_2, epsilon=epsilon, amsgrad=amsgrad)
