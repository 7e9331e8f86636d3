"""One series, as a forecaster works with it: ``recur train``, ``forecast`` and ``backtest``
from Python, on a pandas DataFrame or Series, a NumPy array, a CSV file, or the tutorial's
generated sine.

The data goes to the same pipeline the ``recur`` command runs (a DataFrame as CSV text, so a
frame and a file are read alike, and every check on the data happens there): the time axis
(dates, times or numbers, a regular step inferred or given), missing values, differencing, the
covariates (``features``), the tutorial's windows, Keras's model, the scores on observed targets
beside the baselines (persistence and the seasonal naive forecast), split-conformal intervals,
direct multi-step outputs and rolling-origin backtests. The model file is the one ``recur train``
writes: ``recur forecast --model`` reads a model saved here, and :func:`load` reads the CLI's.

Example::

    import recur.series
    r = recur.series.fit(df, "co2", "date", step=12, diff=1, interval=0.9, epochs=30)
    r.metrics["test_mse_observed"], r.metrics["persistence_test_mse"]
    r.forecast(24)                   # step, date, prediction, lo, hi
    r.backtest(folds=4, horizon=12).overall
    r.save("co2.recur")
    recur.series.load("co2.recur").forecast(52)
"""

import json
import os

import numpy as np

from recur import _keywords, _long, _recur

__all__ = ["fit", "load", "SeriesModel", "SeriesResult", "BacktestResult"]

#: The name a frame's index takes as the time column when it has none.
INDEX_TIME = "time"

#: The value column of a NumPy array, a list or an unnamed pandas Series.
VALUES = "y"


def fit(
    data=None,
    value_col=None,
    time_col=None,
    *,
    features=(),
    step=4,
    split=None,
    pad=True,
    scale="none",
    layout="tutorial",
    diff=None,
    seasonal_diff=None,
    season=None,
    missing="error",
    time_step=None,
    time_format=None,
    delimiter=",",
    decimal=".",
    horizon=1,
    interval=None,
    interval_horizon=24,
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
    **unknown,
):
    """Trains Keras's model on one series and returns a :class:`SeriesResult`.

    ``data``:

    - a pandas DataFrame: ``value_col`` is the series (None: the only or last numeric
      column), ``time_col`` its times (numbers, dates, date-times or ISO text; None: the
      frame's index when it is a DatetimeIndex or PeriodIndex, else no time axis), and
      ``features`` the covariate columns, fed to the model as extra channels;
    - a pandas Series (its name is the value column; a DatetimeIndex or PeriodIndex gives
      the times), a NumPy array or a list of numbers (the values, no time axis);
    - a path (``str`` or ``os.PathLike``) of a CSV file: columns by header name (``str``)
      or 0-based position (``int``), read with ``delimiter``, ``decimal``;
    - None: the tutorial's sine ``sin(0.02 t) + U[0, 1)``, n = 2000.

    Settings, as ``recur train``'s flags of the same names: ``step`` values per window;
    ``split`` a whole ``T`` (training part ``x[0..T]``) or a fraction of the length (None:
    the tutorial's ``T = 900`` for the generated sine, ``0.8`` for given data); ``pad``
    the tutorial's padding of each part; ``scale`` ``"none"``, ``"minmax"`` or
    ``"standard"``, fitted on the training part; ``layout`` ``"tutorial"`` (windows
    ``(N, 1, step)``) or ``"sequence"`` (``(N, step, 1 + F)``); ``diff`` None, 1 or 2 and
    ``seasonal_diff`` a season length: the model learns differences, every output is turned
    back into series values; ``season`` the seasonal naive baseline's season; ``missing``
    ``"error"``, ``"drop"``, ``"ffill"`` or ``"interpolate"`` for empty cells and missing
    rows; ``time_step`` the regular step (``"1d"``, ``"7d"``, ``"1mo"``, ``"3mo"``,
    ``"1y"``...; None: inferred), ``time_format`` a strftime-like format of the times (None:
    ISO 8601 and common formats); ``horizon`` outputs of a direct multi-step model;
    ``interval`` the coverage of split-conformal intervals calibrated at training (stored in
    the model) for horizons ``1..interval_horizon``; ``cell`` ``"simple"``, ``"lstm"`` or
    ``"gru"``; ``units``; ``dense`` the hidden Dense sizes; ``activation``, ``loss``,
    ``optimizer`` Keras names; ``learning_rate`` (None: the optimizer's Keras default);
    ``epochs``; ``batch_size``; ``validation_split``; ``early_stopping`` patience; ``seed``.

    An unknown keyword or a bad value raises ``ValueError`` naming it; so does bad data (its
    messages name CSV lines: line 1 is the header, line ``k`` the frame's row ``k - 2``). The
    GIL is released while training; Ctrl-C stops it after the current batch with
    ``KeyboardInterrupt``.
    """
    settings = _settings_of(locals(), unknown)
    source, kind, names = _source(data, value_col, time_col, features, delimiter, decimal)
    settings.update(names)
    if split is None:
        settings["split"] = 900 if data is None else 0.8
    out = _recur.series_fit(source, _keywords.to_json(settings))
    return SeriesResult(out, kind)


#: The settings :func:`fit` takes and their defaults.
DEFAULTS = _keywords.defaults(fit)


def _settings_of(given, unknown):
    settings = _keywords.pick(given, unknown, DEFAULTS)
    settings["features"] = _names("features", given["features"])
    return settings


def _names(key, value):
    """``features`` as a list of column names (``str``) or positions (``int``)."""
    if value is None:
        return []
    if isinstance(value, (str, int)):
        value = [value]
    try:
        items = list(value)
    except TypeError:
        raise ValueError(f"{key}: expected a list of column names, got {value!r}") from None
    for item in items:
        if isinstance(item, bool) or not isinstance(item, (str, int, np.integer)):
            raise ValueError(f"{key}: expected column names (str) or positions (int), got {item!r}")
    return [int(i) if isinstance(i, np.integer) else i for i in items]


def _source(data, value_col, time_col, features, delimiter, decimal):
    """What the native side reads: ``{"kind": "generated" | "csv_text" | "path", ...}``, the
    time column's kind (to turn times back into its type) and the column settings."""
    pd = _long._pandas()
    names = {"value_col": value_col, "time_col": time_col}
    if data is None:
        if value_col is not None or time_col is not None or features:
            raise ValueError(
                "value_col, time_col and features need data: the generated sine has one column"
            )
        return {"kind": "generated"}, None, {"value_col": None, "time_col": None}
    if isinstance(data, (str, os.PathLike)):
        return {"kind": "path", "path": os.fspath(data)}, None, names
    if (delimiter, decimal) != (",", "."):
        key = "delimiter" if delimiter != "," else "decimal"
        raise ValueError(f"{key}: applies to CSV files only (data is a {type(data).__name__})")
    if isinstance(data, pd.Series):
        frame = data.to_frame(name=VALUES if data.name is None else str(data.name))
        if value_col is not None:
            raise ValueError("value_col: a pandas Series is the value column itself")
        return _frame_source(pd, frame, frame.columns[0], time_col, features)
    if isinstance(data, pd.DataFrame):
        return _frame_source(pd, data, value_col, time_col, features)
    if value_col is not None or time_col is not None or features:
        raise ValueError(
            f"value_col, time_col and features need a DataFrame or a CSV file, got "
            f"{type(data).__name__}"
        )
    values = np.asarray(data, dtype=np.float64)
    if values.ndim != 1:
        raise ValueError(f"data: expected a 1-D array of values, got shape {values.shape}")
    text = _long.csv_text([VALUES], [pd.Series(values)])
    return {"kind": "csv_text", "csv": text}, None, {"value_col": VALUES, "time_col": None}


def _frame_source(pd, frame, value_col, time_col, features):
    """A DataFrame's time, value and feature columns as CSV text (times as ISO text)."""
    if isinstance(frame.index, (pd.DatetimeIndex, pd.PeriodIndex)):
        index_name = str(frame.index.name) if frame.index.name is not None else INDEX_TIME
        # The index holds the times when no column is named, or when the column named is
        # the index's own name (a model trained on such a frame names it so).
        if time_col is None or (time_col == index_name and time_col not in frame.columns):
            if index_name in frame.columns:
                raise ValueError(
                    f"time_col: the index is named {index_name!r} like a column; pass time_col"
                )
            index = frame.index
            if isinstance(index, pd.PeriodIndex):
                index = index.to_timestamp()
            time_col = index_name
            frame = frame.reset_index(drop=True).assign(**{time_col: np.asarray(index)})
    wanted = _names("features", features)
    for role, name in [("value_col", value_col), ("time_col", time_col)] + [
        ("features", f) for f in wanted
    ]:
        if name is not None and name not in frame.columns:
            shown = ", ".join(repr(c) for c in list(frame.columns)[:20])
            raise ValueError(f"{role}: no column {name!r} in the DataFrame (its columns: {shown})")
    if value_col is None:
        order = [c for c in frame.columns if c != time_col and c not in wanted]
    else:
        order = [value_col]
    chosen = ([time_col] if time_col is not None else []) + order + [
        f for f in wanted if f not in order
    ]
    columns = [frame[c] for c in chosen]
    kind = None
    if time_col is not None:
        columns[0], kind = _long.time_text(columns[0])
    text = _long.csv_text([str(c) for c in chosen], columns)
    names = {
        "value_col": None if value_col is None else str(value_col),
        "time_col": None if time_col is None else str(time_col),
        "features": [str(f) for f in wanted],
    }
    return {"kind": "csv_text", "csv": text}, kind, names


def _future_columns(future, features):
    """Future covariates as one list of values per feature (the model's order), from a
    DataFrame (columns by name), a dict of name to values, or a 2-D array ``(horizon, F)``."""
    if future is None:
        return None
    pd = _long._pandas()
    if isinstance(future, (pd.DataFrame, dict)):
        missing = [f for f in features if f not in future]
        if missing:
            raise ValueError(
                f"future: no column {missing[0]!r} (the model's features: {', '.join(features)})"
            )
        return [np.asarray(future[f], dtype=np.float64).tolist() for f in features]
    table = np.asarray(future, dtype=np.float64)
    if table.ndim != 2 or table.shape[1] != len(features):
        raise ValueError(
            f"future: expected a table of shape (horizon, {len(features)}) for the features "
            f"{', '.join(features)}, got shape {table.shape}"
        )
    return [table[:, j].tolist() for j in range(table.shape[1])]


class SeriesModel:
    """A trained single-series model with everything ``recur train`` keeps beside it: the
    settings, the scaling, the tail of the series (to forecast from), its time axis, the
    covariates' names and the interval calibration. The bytes are the CLI's ``model.recur``."""

    def __init__(self, native, kind=None):
        self._native = native
        self._kind = kind

    @classmethod
    def from_bytes(cls, data, name=None):
        """Reads a model file's bytes (``ValueError`` if they are not a single-series model;
        ``name``, such as the file's path, is what messages call it)."""
        return cls(_recur.SeriesModel.from_bytes(bytes(data), None if name is None else os.fspath(name)))

    @property
    def features(self):
        """The covariates' names, in the model's channel order (empty without them)."""
        return list(self._native.features)

    @property
    def settings(self):
        """The settings the model was trained with (a dict, as the model file keeps them)."""
        return json.loads(self._native.settings_json())

    def forecast(self, horizon=1, *, interval=None, future=None):
        """Forecasts ``horizon`` values after the end of the series: a DataFrame ``step``
        (from 1), the future times (under the time column's name) when the series has a
        regular step, ``prediction``, and ``lo``, ``hi`` with ``interval`` (a coverage such
        as 0.9 that the stored calibration allows). A one-step model feeds its predictions
        back; a direct model (``horizon`` at training) forecasts up to its horizon at once.
        With covariates, ``future`` gives their values over the horizon (a DataFrame or dict
        with the features' names, or an array ``(horizon, F)``)."""
        out = self._native.forecast(
            _keywords.whole("horizon", horizon),
            None if interval is None else float(interval),
            _future_columns(future, self.features),
        )
        return _forecast_frame(out, self._kind)

    def backtest(
        self, folds=3, horizon=1, *, stride=None, refit=False, epochs=None, batch_size=None,
        data=None,
    ):
        """Rolling-origin backtest (expanding window) of the model on its series, as ``recur
        backtest --model``: ``folds`` origins ``stride`` values apart (None: ``horizon``)
        ending at the series' end, each forecasting ``horizon`` values with the model and the
        baselines; ``refit`` retrains the model's architecture (same seed) on each fold's past
        for ``epochs`` (None: 50) at ``batch_size`` (None: 16), as ``recur backtest --refit``.
        ``data``: the series to backtest on (a DataFrame or Series with the same columns, or a
        CSV path); None: the data the model was trained on when it is in memory. Returns a
        :class:`BacktestResult`."""
        if data is None:
            source, kind = None, self._kind
        else:
            settings = self.settings or {}
            source, kind, _ = _source(
                data,
                _column(settings, "column"),
                _column(settings, "time_column"),
                self.features,
                ",",
                ".",
            )
        out = self._native.backtest(
            source,
            _keywords.whole("folds", folds),
            _keywords.whole("horizon", horizon),
            None if stride is None else _keywords.whole("stride", stride),
            bool(refit),
            None if epochs is None else _keywords.whole("epochs", epochs),
            None if batch_size is None else _keywords.whole("batch_size", batch_size),
        )
        return BacktestResult(out, kind)

    def to_bytes(self):
        """The model file's bytes."""
        return self._native.to_bytes()

    def save(self, path):
        """Writes the model file to ``path`` (to a temporary name, then renamed); ``recur
        forecast --model path`` reads it too."""
        _keywords.write_atomically(path, self.to_bytes())

    def __repr__(self):
        return f"<SeriesModel {self._native.describe()}>"


def _column(settings, key):
    source = (settings.get("data") or {}).get("source") or {}
    return source.get(key)


def load(path):
    """Reads a single-series model file (written by :meth:`SeriesResult.save` or by ``recur
    train``)."""
    with open(path, "rb") as f:
        return SeriesModel.from_bytes(f.read(), path)


def _forecast_frame(out, kind):
    pd = _long._pandas()
    h = len(out["values"])
    frame = {"step": np.arange(1, h + 1, dtype=np.int64)}
    if out["times"] is not None:
        kind = kind or _long.infer_kind(out["times"])
        frame[out["time_column"] or INDEX_TIME] = kind.back(out["times"])
    frame["prediction"] = np.asarray(out["values"], dtype=np.float64)
    if out["lo"] is not None:
        frame["lo"] = np.asarray(out["lo"], dtype=np.float64)
        frame["hi"] = np.asarray(out["hi"], dtype=np.float64)
    return pd.DataFrame(frame)


class SeriesResult:
    """What :func:`fit` gives.

    - ``metrics``: the run's figures as ``recur train --json`` reports them: ``train_mse``,
      ``test_mse`` and ``baseline_test_mse`` (the tutorial's padded windows, in
      ``score_units``), ``train_mse_observed``, ``test_mse_observed``,
      ``persistence_test_mse``, ``seasonal_naive_test_mse``, ``best_baseline``, ``skill``,
      ``mase`` (observed targets, series units), ``test_mse_by_horizon``, ``next_value``,
      ``missing``, ``time``, ``interval``, ...; plus ``train_score``, ``test_score`` (Keras's
      evaluate), ``params`` and ``shapes``.
    - ``history``: Keras's history dict (``loss``, ``val_loss``... per epoch).
    - ``predictions``: a DataFrame ``index, [time,] actual, prediction, part`` (``train``,
      ``test`` or ``pad``), the rows of the CLI's ``predictions.csv``.
    - ``fit_seconds``: wall-clock seconds of training.
    - ``model``: the :class:`SeriesModel`.
    """

    def __init__(self, out, kind):
        self.metrics = json.loads(out["figures"])
        self.metrics.update(
            train_score=out["train_score"],
            test_score=out["test_score"],
            params=out["params"],
            shapes=out["shapes"],
        )
        self.history = {k: list(v) for k, v in json.loads(out["history"]).items() if v}
        self.fit_seconds = out["fit_seconds"]
        self.predictions = _predictions_frame(out["predictions"], kind)
        self.model = SeriesModel(out["model"], kind)

    def forecast(self, horizon=1, *, interval=None, future=None):
        """See :meth:`SeriesModel.forecast`."""
        return self.model.forecast(horizon, interval=interval, future=future)

    def backtest(self, folds=3, horizon=1, *, stride=None, refit=False, epochs=None, batch_size=None):
        """See :meth:`SeriesModel.backtest` (on the data of this run)."""
        return self.model.backtest(
            folds, horizon, stride=stride, refit=refit, epochs=epochs, batch_size=batch_size
        )

    def save(self, path):
        """Writes the model file to ``path``; read it back with :func:`load`."""
        self.model.save(path)

    def __repr__(self):
        m = self.metrics
        return (
            f"<SeriesResult test_mse_observed={m.get('test_mse_observed'):.6g} "
            f"persistence={m.get('persistence_test_mse'):.6g} {self.fit_seconds:.2f} s>"
        )


def _predictions_frame(cols, kind):
    pd = _long._pandas()
    frame = {"index": np.asarray(cols["index"], dtype=np.int64)}
    if cols["time"] is not None:
        frame[cols["time_column"] or INDEX_TIME] = (
            kind.back(cols["time"]) if kind else cols["time"]
        )
    frame["actual"] = np.asarray(
        [np.nan if v is None else v for v in cols["actual"]], dtype=np.float64
    )
    frame["prediction"] = np.asarray(
        [np.nan if v is None else v for v in cols["prediction"]], dtype=np.float64
    )
    frame["part"] = cols["part"]
    return pd.DataFrame(frame)


class BacktestResult:
    """What a backtest gives: ``folds`` (a DataFrame, one row per fold: its origin, the
    model's and the baselines' MSE over the fold's horizon), ``by_step`` (MSE per horizon
    step over all folds), ``overall`` (a dict: the means over the folds, as ``recur backtest
    --json``) and ``report`` (that whole JSON object as a dict)."""

    def __init__(self, out, kind):
        pd = _long._pandas()
        self.report = json.loads(out)
        self.folds = pd.DataFrame(self.report.get("folds", []))
        self.by_step = pd.DataFrame(self.report.get("by_step", []))
        self.overall = self.report.get("overall", {})
        self._kind = kind

    def __repr__(self):
        return f"<BacktestResult {len(self.folds)} folds, overall {self.overall}>"
