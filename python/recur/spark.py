"""recur's local mode on Spark: one model per series, each trained by recur inside an executor
with ``groupBy(id).applyInPandas(train_group, GROUP_SCHEMA)``.

A series' model is seeded from the run's ``seed`` and its id alone, so the metrics,
predictions, forecasts and model file equal those of :func:`recur.many.fit` in local mode on
the same data and settings, whichever executor trains which series. The global mode (one
model over every series) is not offered here: it needs every series' windows in one process.

:func:`train_group` is the per-group function, public so that other engines can map it too
(Ray Data's ``map_groups``, Dask's ``groupby().apply``): it takes the rows of one series as a
pandas DataFrame and returns one pandas DataFrame of :data:`GROUP_COLUMNS`, with a ``kind``
column saying what each row is.

Needs pyspark and pyarrow (``pip install recur[spark]``), and recur installed on every
executor's Python.
"""

import functools

import numpy as np

from recur import _long, _recur
from recur import many as _many

__all__ = ["GROUP_COLUMNS", "GROUP_SCHEMA", "SparkResult", "fit", "train_group"]

#: The metrics columns, as in :attr:`recur.many.ManyResult.metrics`.
METRIC_COLUMNS = [
    ("train_mse", "double"),
    ("test_mse", "double"),
    ("baseline_test_mse", "double"),
    ("persistence_test_mse", "double"),
    ("skill", "double"),
    ("train_windows", "long"),
    ("test_windows", "long"),
    ("epochs", "long"),
]

#: The columns of :func:`train_group`'s output and their Spark SQL types. ``kind`` says which
#: columns a row fills (the others are null):
#:
#: - ``metrics``: ``id`` and the metrics columns (one row per trained series);
#: - ``prediction``: ``id, index, time, actual, prediction, part`` (one row per one-step
#:   prediction; ``time`` is the time label as text, null without a time column);
#: - ``forecast``: ``id, step, time, prediction`` (``step`` from 1; ``time`` the future time
#:   label when the series' times are on a regular step);
#: - ``skipped``: ``id, reason``;
#: - ``no_time_axis``: ``id, reason`` (trained, but its times fall on no regular step, so its
#:   forecasts have no times);
#: - ``model``: ``id, model`` (the series' model file; join them with
#:   :meth:`recur.many.ManyModel.from_members`).
GROUP_COLUMNS = [
    ("kind", "string"),
    ("id", "string"),
    ("index", "long"),
    ("step", "long"),
    ("time", "string"),
    ("actual", "double"),
    ("prediction", "double"),
    ("part", "string"),
    *METRIC_COLUMNS,
    ("reason", "string"),
    ("model", "binary"),
]

#: :data:`GROUP_COLUMNS` as a Spark DDL schema string (for ``applyInPandas``).
GROUP_SCHEMA = ", ".join(f"`{name}` {kind}" for name, kind in GROUP_COLUMNS)


def _group_settings(settings):
    """The settings of a local run: :data:`recur.many.DEFAULTS` updated by ``settings``;
    unknown names and any mode but local raise ``ValueError``."""
    unknown = {k: v for k, v in settings.items() if k not in _many.DEFAULTS}
    merged = dict(_many.DEFAULTS)
    merged.update({k: v for k, v in settings.items() if k in _many.DEFAULTS})
    _many._settings(merged, unknown)
    if merged["mode"] != "local":
        raise ValueError(
            f"mode: expected 'local' on Spark, got {merged['mode']!r}: the global mode fits one "
            "model on the windows of every series, so it needs them all in one process "
            "(recur.many.fit with mode='global')"
        )
    return merged


def train_group(pdf, *, id_col="unique_id", time_col="ds", value_col="y", horizon=0, **settings):
    """Trains the one series in ``pdf`` (the rows of one id, in any order) exactly as
    :func:`recur.many.fit` would in local mode, and returns a pandas DataFrame of
    :data:`GROUP_COLUMNS`: its metrics, its one-step predictions, ``horizon`` forecasts (none
    when 0), and its model file; or one ``skipped`` row with the reason when the series is too
    short for the split and ``step``. Settings are :func:`recur.many.fit`'s (``mode`` must be
    ``"local"``).

    Time labels are text: a datetime column is written as dates when every time of the group
    is at midnight, else as ISO date-times (:func:`fit` casts them back on Spark).

    Spark::

        fn = functools.partial(train_group, id_col="unique_id", time_col="ds", value_col="y")
        out = sdf.groupBy("unique_id").applyInPandas(fn, schema=GROUP_SCHEMA)

    Ray Data::

        out = ds.groupby("unique_id").map_groups(fn, batch_format="pandas")

    Dask::

        out = ddf.groupby("unique_id").apply(fn, meta=recur.spark.group_meta())
    """
    s = _group_settings(settings)
    csv, _ = _long.long_csv(pdf, id_col, time_col, value_col)
    out = _recur.many_train_group(
        csv,
        str(id_col),
        None if time_col is None else str(time_col),
        str(value_col),
        _many._settings_json(s),
        _many._whole("horizon", horizon),
    )
    return _group_frame(out)


def group_meta():
    """An empty DataFrame of :data:`GROUP_COLUMNS` with their pandas dtypes (Dask's
    ``meta``)."""
    return _frame([])


def _group_frame(out):
    """The per-group columns as one DataFrame of :data:`GROUP_COLUMNS`."""
    parts = []
    m = out["metrics"]
    n = len(m["id"])
    parts.append((n, {"kind": ["metrics"] * n, "id": m["id"], **{k: m[k] for k, _ in METRIC_COLUMNS}}))
    p = out["predictions"]
    counts = np.asarray(p["counts"], dtype=np.int64)
    n = int(counts.sum())
    parts.append(
        (
            n,
            {
                "kind": ["prediction"] * n,
                "id": np.repeat(np.asarray(p["ids"], dtype=object), counts),
                "index": p["index"],
                "time": p["time"],
                "actual": p["actual"],
                "prediction": p["prediction"],
                "part": np.where(p["test"], "test", "train"),
            },
        )
    )
    f = out["forecasts"]
    if f is not None:
        h = f["horizon"]
        n = h * len(f["ids"])
        times = [x for t in f["times"] for x in (t if t is not None else [None] * h)]
        parts.append(
            (
                n,
                {
                    "kind": ["forecast"] * n,
                    "id": np.repeat(np.asarray(f["ids"], dtype=object), h),
                    "step": np.tile(np.arange(1, h + 1), len(f["ids"])),
                    "time": times,
                    "prediction": f["values"],
                },
            )
        )
    s = out["skipped"]
    n = len(s["id"])
    parts.append((n, {"kind": ["skipped"] * n, "id": s["id"], "reason": s["reason"]}))
    a = out["no_time_axis"]
    n = len(a["id"])
    parts.append((n, {"kind": ["no_time_axis"] * n, "id": a["id"], "reason": a["reason"]}))
    if out["member"] is not None:
        parts.append((1, {"kind": ["model"], "id": m["id"][:1], "model": [out["member"]]}))
    return _frame(parts)


def _frame(parts):
    """A DataFrame of :data:`GROUP_COLUMNS` from ``(rows, {column: values})`` parts: columns a
    part lacks are null (NaN for doubles, ``<NA>`` for longs, None otherwise). Filled column
    by column into preallocated arrays: a group's output is built once per series, so its
    cost is part of Spark's per-series overhead."""
    pd = _long._pandas()
    total = sum(n for n, _ in parts)
    cols = {}
    for name, kind in GROUP_COLUMNS:
        if kind == "double":
            col = np.full(total, np.nan)
        elif kind == "long":
            col = np.zeros(total, dtype=np.int64)
            missing = np.ones(total, dtype=bool)
        else:
            col = np.full(total, None, dtype=object)
        at = 0
        for n, values in parts:
            v = values.get(name)
            if v is not None and n:
                col[at : at + n] = v
                if kind == "long":
                    missing[at : at + n] = False
            at += n
        cols[name] = pd.arrays.IntegerArray(col, missing) if kind == "long" else col
    return pd.DataFrame(cols)


def fit(sdf, id_col="unique_id", time_col="ds", value_col="y", horizon=0, **settings):
    """Trains every series of the Spark DataFrame ``sdf`` (long format: ``id_col``,
    ``time_col`` or None, ``value_col``) in local mode, one group per series, and returns a
    :class:`SparkResult`. Settings are :func:`recur.many.fit`'s; they are checked on the
    driver (``ValueError`` naming a bad one) before the job starts. ``horizon > 0`` also
    forecasts that many values after each series.

    The groups' output is persisted and computed before returning (one Spark job), so the
    result's DataFrames read it without training again; ``SparkResult.unpersist()`` frees it.
    """
    s = _group_settings(settings)
    _recur.many_check_settings(_many._settings_json(s))
    horizon = _many._whole("horizon", horizon)
    roles = _long.check_columns(sdf.columns, id_col, time_col, value_col)
    fn = functools.partial(
        train_group,
        id_col=id_col,
        time_col=time_col,
        value_col=value_col,
        horizon=horizon,
        **s,
    )
    out = (
        sdf.select(*[name for _, name in roles])
        .groupBy(id_col)
        .applyInPandas(fn, schema=GROUP_SCHEMA)
        .persist()
    )
    out.count()
    time_type = None if time_col is None else sdf.schema[time_col].dataType
    return SparkResult(out, time_type)


class SparkResult:
    """What :func:`fit` gives: Spark DataFrames of the run, the same columns as
    :class:`recur.many.ManyResult`'s (``time`` cast back to the time column's type when it
    is a date, timestamp or number; ids are strings).

    - ``metrics``: one row per trained series, sorted by id;
    - ``predictions``: ``id, index, time, actual, prediction, part``;
    - ``forecasts``: ``id, step, time, prediction`` (empty unless ``horizon > 0``);
    - ``skipped``: ``id, reason``, sorted by id;
    - ``no_time_axis``: ``id, reason`` of the series trained without a regular time step,
      sorted by id.
    """

    def __init__(self, out, time_type):
        self._out = out
        self._time_type = time_type

    def _kind(self, kind):
        from pyspark.sql import functions as F

        return self._out.where(F.col("kind") == kind)

    def _time(self):
        from pyspark.sql import functions as F
        from pyspark.sql import types as T

        t = self._time_type
        castable = (T.DateType, T.TimestampType, T.TimestampNTZType, T.NumericType)
        if t is not None and isinstance(t, castable):
            return F.col("time").cast(t).alias("time")
        return F.col("time")

    @property
    def metrics(self):
        return self._kind("metrics").select("id", *[k for k, _ in METRIC_COLUMNS]).orderBy("id")

    @property
    def predictions(self):
        cols = ["id", "index"] + ([self._time()] if self._time_type is not None else [])
        return self._kind("prediction").select(*cols, "actual", "prediction", "part")

    @property
    def forecasts(self):
        return self._kind("forecast").select("id", "step", self._time(), "prediction")

    @property
    def skipped(self):
        return self._kind("skipped").select("id", "reason").orderBy("id")

    @property
    def no_time_axis(self):
        return self._kind("no_time_axis").select("id", "reason").orderBy("id")

    def model(self):
        """Collects every series' model to the driver and joins them into one
        :class:`recur.many.ManyModel` (the model :func:`recur.many.fit` would have made)."""
        members = [r["model"] for r in self._kind("model").select("model").toLocalIterator()]
        if not members:
            raise ValueError("no series was trained (see skipped): there is no model to save")
        return _many.ManyModel.from_members(members)

    def save(self, path):
        """Writes ONE model file of every series to ``path`` on the driver (to a temporary name,
        then renamed), readable with :func:`recur.many.load` on any machine."""
        self.model().save(path)

    def unpersist(self):
        """Frees the persisted group output."""
        self._out.unpersist()
