"""Many series at once from a pandas DataFrame in the long format: one row per (series id,
time, value), rows in any order, as ``recur train --csv long.csv --id-column unique_id
--time-column ds --column y`` reads them (the DataFrame is handed to the same reader).

- **local** mode (default): one model per series, trained in parallel on all cores, each seeded
  from ``seed`` and its id, so a series gets the same model whatever else is in the run (on
  Spark too: :mod:`recur.spark`).
- **global** mode: one model on the windows of every series, each series scaled on its own
  training part (standard scaling by default).

Each series is sorted by its time (a duplicated time within a series is an error naming the
series and the time); the split (a whole ``T`` or a fraction) applies within each series; series
too short for the split and ``step`` are skipped and listed with the reason (an error if none
is left). Errors in the data name CSV lines: line 1 is the header, line ``k`` the DataFrame's
row ``k - 2`` in its own order.

Example::

    import recur.many
    result = recur.many.fit(df, "unique_id", "ds", "y", epochs=20)
    result.metrics            # one row per series
    result.save("many.recur")
    recur.many.load("many.recur").forecast(12)
    result.backtest(df, folds=3, horizon=6).overall   # pooled over the series
"""

from recur import _keywords, _long, _many_backtest, _recur
from recur._many_backtest import ManyBacktestResult

__all__ = ["fit", "load", "ManyModel", "ManyResult", "ManyBacktestResult"]


def fit(
    df,
    id_col="unique_id",
    time_col="ds",
    value_col="y",
    *,
    mode="local",
    features=None,
    step=4,
    split=0.8,
    pad=True,
    scale=None,
    layout="tutorial",
    cell="simple",
    units=32,
    dense=(8,),
    activation="relu",
    loss="mse",
    optimizer="rmsprop",
    learning_rate=None,
    epochs=50,
    batch_size=16,
    validation_split=None,
    early_stopping=None,
    seed=0,
    diff=None,
    seasonal_diff=None,
    season=None,
    horizon=1,
    interval=None,
    interval_horizon=24,
    **unknown,
):
    """Trains every series of the long-format DataFrame ``df`` and returns a
    :class:`ManyResult`.

    Columns: ``id_col`` (series ids, read as text: ``1`` and ``01`` are two series),
    ``time_col`` (numbers, dates, date-times or ISO text; ``None`` keeps each series in the
    DataFrame's row order) and ``value_col`` (finite numbers; an empty cell is an error).

    Settings (as ``recur train``'s flags): ``mode`` ``"local"`` or ``"global"``;
    ``features`` (None or a list of column names): covariates read beside the value column of
    every series (with the value column's rules), scaled on each series' own training part
    (``scale``'s kind; standardised with ``"none"``) and fed to the model as extra channels at
    each window's time steps; forecasting more values than the model gives at once then needs
    their future values (:meth:`ManyModel.forecast`'s ``future``); ``step``
    values per window; ``split`` a whole ``T`` (training part ``x[0..T]`` of every series) or
    a fraction of each series' length; ``pad`` the tutorial's padding of each part; ``scale``
    ``"none"``, ``"minmax"`` or ``"standard"`` fitted on each series' training part (None:
    ``"none"`` in local mode, ``"standard"`` in global mode); ``layout`` ``"tutorial"`` or
    ``"sequence"``; ``cell`` ``"simple"``, ``"lstm"`` or ``"gru"``; ``units``; ``dense`` the
    hidden Dense sizes (relu); ``activation``, ``loss`` and ``optimizer`` Keras names;
    ``learning_rate`` (None: the optimizer's Keras default); ``epochs``; ``batch_size``;
    ``validation_split``; ``early_stopping`` patience; ``seed``; ``diff`` (None, 1 or 2) and
    ``seasonal_diff`` (None or a season length ``m``): each series is differenced before its
    split and scaling, the model learns the differences, and predictions, metrics and
    forecasts are turned back into the series' units; ``season`` (None or ``m``): the
    seasonal naive baseline ``y[t-m]``, scored beside persistence (a series whose training part
    is not longer than ``m`` is skipped); ``horizon`` the outputs of a direct multi-step model
    (each window's next ``horizon`` values at once; needs ``pad=False``; the metrics score its
    horizon-1 output, as ``recur.series`` does, and forecasts use its outputs by blocks);
    ``interval`` (None or a coverage ``P`` in (0, 1)): split-conformal intervals, each series
    calibrated on the held-out last 20% of its training part's targets for horizons
    ``1..interval_horizon`` (its model, or the global one, is fitted on the windows before
    them), stored in the model for :meth:`ManyModel.forecast`'s ``interval``; a series whose
    training part cannot give enough residuals is skipped with the reason.

    An unknown keyword or a bad value raises ``ValueError`` naming it; so does bad data. The
    GIL is released while training; Ctrl-C stops the run between series (after a batch in
    global mode) with ``KeyboardInterrupt``.
    """
    settings = _settings(locals(), unknown)
    csv, kind = _long.long_csv(df, id_col, time_col, value_col, _names(features))
    out = _recur.many_fit(
        csv,
        str(id_col),
        None if time_col is None else str(time_col),
        str(value_col),
        _keywords.to_json(settings),
    )
    return ManyResult(out, kind)


#: The settings :func:`fit` takes and their defaults (:mod:`recur.spark` uses the same).
DEFAULTS = _keywords.defaults(fit)


def _names(features):
    """``features`` as a list of column names (None: none); ``ValueError`` names it when it is
    not a list of names."""
    if features is None:
        return []
    if isinstance(features, str) or not isinstance(features, (list, tuple)):
        raise ValueError(f"features: expected a list of column names, got {features!r}")
    return list(features)


def _settings(given, unknown):
    """The settings among ``given`` (a dict of every keyword); ``unknown`` keywords raise."""
    return _keywords.pick(given, unknown, DEFAULTS)


class ManyModel:
    """The model file of a many-series run: every local model (one per series) or the one
    global model, each with the tail, scaling and time axis of its series. The file is forecast's
    ``ManyModel`` container, the one ``recur train --id-column`` writes and ``recur forecast
    --model`` reads: the same data and settings give the same bytes from either."""

    def __init__(self, native, kind=None):
        self._native = native
        self._kind = kind

    @classmethod
    def from_bytes(cls, data):
        """Reads a model file's bytes (``ValueError`` if they are not one)."""
        return cls(_recur.ManyModel.from_bytes(bytes(data)))

    @classmethod
    def from_members(cls, members):
        """Joins the one-series models that :func:`recur.spark.train_group` returns (its
        ``model`` rows' bytes, in any order) into one model, as if trained together."""
        return cls(_recur.ManyModel.from_members([bytes(m) for m in members]))

    @property
    def ids(self):
        """The series ids, in order."""
        return self._native.ids

    @property
    def mode(self):
        """``"local"`` or ``"global"``."""
        return self._native.mode

    @property
    def features(self):
        """The covariates' column names (``features`` at training; empty without)."""
        return self._native.features

    def forecast(self, horizon, interval=None, future=None):
        """Forecasts ``horizon`` values after the end of every series (predictions fed back
        in; a direct model's outputs by blocks): a DataFrame ``id, step, [time,] prediction``
        with ``step`` from 1, and the future times of every series whose times fell on a
        regular step. With ``interval`` (a coverage in (0, 1)), ``lo`` and ``hi`` columns: the
        split-conformal interval from each series' calibration (``ValueError`` when the model
        was trained without ``interval``, or ``horizon`` passes its ``interval_horizon``).

        A model trained with ``features`` feeding values back (``horizon`` above the values it
        gives at once) needs the covariates' future values: ``future``, a long-format
        DataFrame with the training data's id column, its time column (when it had one) and
        each covariate's column. Each series' rows are sorted by time and must start at the
        time after its last value, one step at a time (``horizon - 1`` rows for a one-step
        model); rows of other series are left alone. ``ValueError`` names the series and what
        is missing."""
        text = None
        if future is not None:
            id_col, time_col = self._native.columns
            text = _long.future_csv(future, id_col, time_col, self.features)
        native = self._native.forecast(
            _keywords.whole("horizon", horizon), _coverage(interval), text
        )
        return _long.forecasts_frame(native, self._kind)

    def backtest(
        self, df, folds=3, horizon=1, *, stride=None, season=None, refit=False, epochs=None,
        batch_size=None, id_col=None, time_col=None, value_col=None,
    ):
        """Rolling-origin backtest of every series of the long-format DataFrame ``df``, as
        ``recur backtest --model many.recur --csv long.csv``: per series ``folds`` origins
        ``stride`` values apart (None: ``horizon``) ending at its end, each forecasting
        ``horizon`` values with the series' model from the values before the origin, beside
        persistence, the window mean and the seasonal naive forecast at ``season`` (None: the
        training run's ``season``, which the model keeps; none when it had none).
        ``refit`` (local models only) retrains each series' model on each fold's history (its
        seed and the fold number) for ``epochs`` (None: 50) at ``batch_size`` (None: 16), as
        ``recur backtest --refit``; else the saved weights serve every fold. The columns default to the model's (None). Series not in
        the model, not in ``df`` or too short for the folds are skipped with the reason (a
        ``ValueError`` when none is left). Returns a :class:`ManyBacktestResult`."""
        return _many_backtest.backtest(
            self._native, df, folds, horizon, stride, season, refit, epochs, batch_size,
            (id_col, time_col, value_col),
        )


    def to_bytes(self):
        """The model file's bytes."""
        return self._native.to_bytes()

    def save(self, path):
        """Writes the model file to ``path`` (to a temporary name, then renamed)."""
        _keywords.write_atomically(path, self.to_bytes())


def _coverage(value):
    """``interval`` as a float (None stays None); ``ValueError`` names it otherwise."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(f"interval: expected a coverage strictly between 0 and 1, got {value!r}")
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ValueError(
            f"interval: expected a coverage strictly between 0 and 1, got {value!r}"
        ) from None


def load(path):
    """Reads a many-series model file (written by :meth:`ManyResult.save`, by
    :meth:`recur.spark.SparkResult.save` on a cluster, or by ``recur train --id-column``)."""
    with open(path, "rb") as f:
        return ManyModel.from_bytes(f.read())


class ManyResult:
    """What :func:`fit` gives.

    - ``metrics``: one row per trained series, sorted by id: ``id, train_mse, test_mse,
      baseline_test_mse`` (mean of the window), on the tutorial's windows (of the differences,
      with ``diff`` or ``seasonal_diff``); then on the observed test targets (every test
      value): ``persistence_test_mse`` (``y[t-1]``), ``seasonal_naive_test_mse`` (``y[t-m]``,
      NaN without ``season``), ``test_mse_observed`` (the model), ``skill`` (1 -
      ``test_mse_observed`` / the best baseline's MSE, NaN when it is perfect);
      ``train_windows, test_windows, epochs``; with ``interval``, ``interval_coverage`` (the
      share of the observed test targets inside the one-step prediction plus or minus the
      step-1 half-width) and ``interval_half_width`` (NaN without ``interval``). MSEs are in
      the series' units, squared. A direct model (``horizon > 1``) is scored on its horizon-1
      output, but ``train_mse`` and ``test_mse`` on its windows over all its outputs.
    - ``predictions``: the one-step predictions in the long format: ``id, index`` (position
      in the sorted series), ``time`` (with a time column), ``actual, prediction, part``
      (``train`` or ``test``).
    - ``skipped``: ``id, reason`` of the series left out.
    - ``no_time_axis``: ``id, reason`` of the series trained whose times fall on no regular
      step (their forecasts have steps but no times).
    - ``fit_seconds``: wall-clock seconds of training; ``mode``: ``local`` or ``global``.
    - ``model``: the :class:`ManyModel`.
    """

    def __init__(self, out, kind):
        self.mode = out["mode"]
        self.fit_seconds = out["fit_seconds"]
        self.metrics = _long.metrics_frame(out["metrics"])
        self.predictions = _long.predictions_frame(out["predictions"], kind)
        self.skipped = _long.skipped_frame(out["skipped"])
        self.no_time_axis = _long.skipped_frame(out["no_time_axis"])
        self.model = ManyModel(out["model"], kind)

    def forecast(self, horizon, interval=None, future=None):
        """See :meth:`ManyModel.forecast` (times come back in the time column's type)."""
        return self.model.forecast(horizon, interval, future)

    def backtest(self, df, folds=3, horizon=1, **kwargs):
        """See :meth:`ManyModel.backtest` (``df``: the training DataFrame, or a longer one)."""
        return self.model.backtest(df, folds, horizon, **kwargs)

    def model_bytes(self):
        """The model file's bytes."""
        return self.model.to_bytes()

    def save(self, path):
        """Writes the model file to ``path`` (to a temporary name, then renamed); read it back
        with :func:`load`."""
        self.model.save(path)

    def __repr__(self):
        return (
            f"<ManyResult {self.mode}: {len(self.metrics)} series trained, "
            f"{len(self.skipped)} skipped, {self.fit_seconds:.2f} s>"
        )
