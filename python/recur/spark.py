"""recur's local mode on Spark: one model per series, each trained by recur inside an executor.
:func:`fit` hashes the series by id into partitions (``repartition(n, id)``) and trains every
series of a partition in one Python call (``mapInArrow(train_partition_arrow, GROUP_SCHEMA)``;
:func:`train_partition` is the same for ``mapInPandas``);
``groupBy(id).applyInPandas(train_group, GROUP_SCHEMA)`` gives the same rows, one Python call
per series, which costs Spark about as much as training a small model (see
``docs/many-series.md``).

A series' model is seeded from the run's ``seed`` and its id alone, so the metrics,
predictions, forecasts and model file equal those of :func:`recur.many.fit` in local mode on
the same data and settings, whichever executor trains which series. The global mode (one
model over every series) is not offered here: it needs every series' windows in one process.

:func:`train_group` is the per-group function, public so that other engines can map it too
(Ray Data's ``map_groups``, Dask's ``groupby().apply``): it takes the rows of one series (or
of several) as a pandas DataFrame and returns a pandas DataFrame of :data:`GROUP_COLUMNS`,
one row per series (``kind``
``trained`` or ``skipped``, the metrics, the predictions and forecasts as arrays, the series'
model file); :func:`group_results` turns those rows, gathered, into the tables of
:class:`recur.many.ManyResult`.

Needs pyspark and pyarrow (``pip install recur[spark]``), and recur installed on every
executor's Python.
"""

import functools

import numpy as np

from recur import _groups, _keywords, _long, _recur
from recur import many as _many

__all__ = [
    "GROUP_COLUMNS",
    "GROUP_SCHEMA",
    "GroupResults",
    "SparkResult",
    "fit",
    "group_meta",
    "group_results",
    "train_group",
    "train_partition",
]

#: Series trained per Python call of :func:`train_partition`: its output goes back to Spark
#: after each slice, so a partition's results are never all held in the worker at once.
SLICE_SERIES = 64

#: The metrics columns and their Spark SQL types, as in :attr:`recur.many.ManyResult.metrics`.
METRIC_COLUMNS = _groups.METRIC_COLUMNS

#: The columns of :func:`train_group`'s output and their Spark SQL types, one row per series:
#:
#: - ``kind``: ``trained`` or ``skipped``; ``id``;
#: - the metrics columns of :attr:`recur.many.ManyResult.metrics` (null when skipped);
#: - ``reason``: why the series was skipped (null when trained);
#: - ``no_time_axis``: why its times fall on no regular step (null when they do, or without a
#:   time column): it is trained, but its forecasts have no times;
#: - ``pred_index, pred_time, pred_actual, pred_value, pred_part``: the one-step predictions
#:   as arrays (index in the series, time label as text or null without a time column, actual
#:   value, prediction, ``train``/``test``);
#: - ``forecast_time, forecast_value``: the ``horizon`` forecasts as arrays (null with
#:   ``horizon=0``; times null without a regular time step);
#: - ``forecast_lo, forecast_hi``: their split-conformal bounds at the run's ``interval``
#:   (null without ``interval`` or with ``horizon=0``);
#: - ``model``: the series' model file (join them with
#:   :meth:`recur.many.ManyModel.from_members`).
GROUP_COLUMNS = _groups.GROUP_COLUMNS

#: :data:`GROUP_COLUMNS` as a Spark DDL schema string (for ``applyInPandas``).
GROUP_SCHEMA = ", ".join(f"`{name}` {kind}" for name, kind in GROUP_COLUMNS)

#: The tables of gathered :func:`train_group` outputs (see :func:`group_results`).
GroupResults = _groups.GroupResults


def group_results(groups):
    """The tables of :func:`train_group`'s outputs gathered into one pandas DataFrame (Ray
    Data's ``to_pandas()``, Dask's ``compute()``): ``metrics``, ``predictions``,
    ``forecasts`` (None without a horizon), ``skipped``, ``no_time_axis`` as pandas
    DataFrames in id order, and ``model()``, the run's :class:`recur.many.ManyModel`."""
    return _groups.GroupResults(groups)


def group_meta():
    """An empty DataFrame of :data:`GROUP_COLUMNS` (Dask's ``meta``)."""
    return _groups.meta()


def _group_settings(settings):
    """The settings of a local run: :data:`recur.many.DEFAULTS` updated by ``settings``, where
    ``model_horizon`` is :func:`recur.many.fit`'s ``horizon`` (the outputs of a direct model:
    here ``horizon`` is the forecast's length); unknown names and any mode but local raise
    ``ValueError``."""
    settings = dict(settings)
    if "model_horizon" in settings:
        settings["horizon"] = settings.pop("model_horizon")
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
    """Trains the series in ``pdf`` (the rows of one id, or of several, in any order) exactly
    as :func:`recur.many.fit` would in local mode, one after the other on the calling thread,
    and returns a pandas DataFrame of :data:`GROUP_COLUMNS`, one row per series in id order:
    its metrics, its one-step predictions and ``horizon`` forecasts (none when 0) as arrays,
    and its model file; or, for a series too short for the split and ``step``, ``kind``
    ``skipped`` with the reason. Settings are :func:`recur.many.fit`'s (``mode`` must be
    ``"local"``), but a direct model's outputs are ``model_horizon``: ``horizon`` is the
    forecast's length here. With ``interval``, the forecasts come with their bounds at that coverage
    (``forecast_lo``, ``forecast_hi``), so ``horizon`` may not pass ``interval_horizon``.

    Time labels are text: a datetime column is written as dates when every time of the group
    is at midnight, else as ISO date-times (:func:`fit` casts them back on Spark).

    Spark, one group per series::

        fn = functools.partial(train_group, id_col="unique_id", time_col="ds", value_col="y")
        out = sdf.groupBy("unique_id").applyInPandas(fn, schema=GROUP_SCHEMA)

    Ray Data::

        out = ds.groupby("unique_id").map_groups(fn, batch_format="pandas")
        results = recur.spark.group_results(out.to_pandas())

    Dask::

        out = ddf.groupby("unique_id").apply(fn, meta=recur.spark.group_meta())
        results = recur.spark.group_results(out.compute())
    """
    s = _group_settings(settings)
    csv, _ = _long.long_csv(pdf, id_col, time_col, value_col, _many._names(s["features"]))
    out = _recur.many_train_group(
        csv,
        str(id_col),
        None if time_col is None else str(time_col),
        str(value_col),
        _keywords.to_json(s),
        _keywords.whole("horizon", horizon),
    )
    return _groups.frame(out)


def train_partition(frames, *, id_col="unique_id", time_col="ds", value_col="y", horizon=0,
                    **settings):
    """A ``mapInPandas`` function (:func:`fit` uses :func:`train_partition_arrow`, its
    ``mapInArrow`` twin, which gives the same rows): trains every series whose rows are in
    ``frames`` (an iterator of pandas DataFrames: the whole partition, every row of each of
    its ids, as ``repartition(n, id)`` lays them out) with :func:`train_group`, in slices of
    :data:`SLICE_SERIES` series, and yields their rows of :data:`GROUP_COLUMNS`.

    Spark::

        fn = functools.partial(train_partition, id_col="unique_id", time_col="ds", value_col="y")
        out = sdf.repartition(8, "unique_id").mapInPandas(fn, schema=GROUP_SCHEMA)
    """
    pd = _long._pandas()
    frames = [f for f in frames if len(f)]
    if not frames:
        return
    pdf = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
    codes, _ = pd.factorize(pdf[id_col])
    slices = codes // SLICE_SERIES
    for k in range(int(slices.max()) + 1):
        rows = pdf[slices == k]
        yield train_group(
            rows, id_col=id_col, time_col=time_col, value_col=value_col, horizon=horizon,
            **settings,
        )


def train_partition_arrow(batches, *, id_col="unique_id", time_col="ds", value_col="y",
                          horizon=0, **settings):
    """:func:`train_partition` for ``mapInArrow``, which :func:`fit` uses: the partition
    arrives as Arrow record batches and its CSV text is written from them by Arrow
    (:func:`recur._long.arrow_csv`), the results go back as Arrow batches, and no pandas
    DataFrame is made on the way; the rows are the same as :func:`train_partition`'s."""
    import pyarrow as pa

    s = _group_settings(settings)
    batches = [b for b in batches if b.num_rows]
    if not batches:
        return
    table = pa.Table.from_batches(batches)
    codes = table.column(id_col).combine_chunks().dictionary_encode().indices
    slices = np.asarray(codes) // SLICE_SERIES
    for k in range(int(slices.max()) + 1):
        rows = table.filter(pa.array(slices == k))
        out = _recur.many_train_group(
            _long.arrow_csv(rows, id_col, time_col, value_col, _many._names(s["features"])),
            str(id_col),
            None if time_col is None else str(time_col),
            str(value_col),
            _keywords.to_json(s),
            _keywords.whole("horizon", horizon),
        )
        yield _groups.batch(out)


def fit(sdf, id_col="unique_id", time_col="ds", value_col="y", horizon=0, *, partitions=None,
        **settings):
    """Trains every series of the Spark DataFrame ``sdf`` (long format: ``id_col``,
    ``time_col``, ``value_col`` and the ``features`` columns, if any; the time column is
    needed, it alone orders a series' rows) in local mode and returns a :class:`SparkResult`. Settings are :func:`recur.many.fit`'s
    (``diff``, ``seasonal_diff``, ``season``, ``interval`` and ``interval_horizon`` included;
    its ``horizon``, a direct model's outputs, is ``model_horizon`` here); they are checked on
    the driver (``ValueError`` naming a bad one) before the job starts.
    ``horizon > 0`` also forecasts that many values after each series (with ``interval``, with
    their bounds at that coverage: ``horizon`` may then not pass ``interval_horizon``).

    The series are hashed by id into ``partitions`` tasks (None: four per core of the
    cluster, ``4 * defaultParallelism``, so that the cores finish together), and each task
    trains its series one after the other on its core (set
    ``spark.executorEnv.RAYON_NUM_THREADS=1``). A series' results do not depend on which task
    trains it.

    The output is persisted and computed before returning (one Spark job), so the result's
    DataFrames read it without training again; ``SparkResult.unpersist()`` frees it.
    """
    s = _group_settings(settings)
    horizon = _keywords.whole("horizon", horizon)
    _recur.many_check_settings(_keywords.to_json(s), horizon)
    if time_col is None:
        raise ValueError(
            "time_col: expected a time column on Spark: a series' rows reach its worker in no "
            "fixed order, so only times can put a series in order"
        )
    roles = _long.check_columns(
        sdf.columns, id_col, time_col, value_col, _many._names(s["features"])
    )
    if partitions is None:
        partitions = 4 * sdf.sparkSession.sparkContext.defaultParallelism
    elif isinstance(partitions, bool) or not isinstance(partitions, int) or partitions < 1:
        raise ValueError(f"partitions: expected a whole number >= 1 or None, got {partitions!r}")
    fn = functools.partial(
        train_partition_arrow,
        id_col=id_col,
        time_col=time_col,
        value_col=value_col,
        horizon=horizon,
        **settings,
    )
    out = (
        sdf.select(*[name for _, name in roles])
        .repartition(partitions, id_col)
        .mapInArrow(fn, schema=GROUP_SCHEMA)
        .persist()
    )
    out.count()
    return SparkResult(out, sdf.schema[time_col].dataType, interval=s["interval"] is not None)


class SparkResult:
    """What :func:`fit` gives: Spark DataFrames of the run, the same columns as
    :class:`recur.many.ManyResult`'s (``time`` cast back to the time column's type when it
    is a date, timestamp or number; ids are strings). The long tables are made from the
    groups' arrays when read.

    - ``metrics``: one row per trained series, sorted by id;
    - ``predictions``: ``id, index, time, actual, prediction, part``;
    - ``forecasts``: ``id, step, time, prediction`` (empty unless ``horizon > 0``), then
      ``lo, hi`` when the run had ``interval``;
    - ``skipped``: ``id, reason``, sorted by id;
    - ``no_time_axis``: ``id, reason`` of the series trained without a regular time step,
      sorted by id;
    - ``groups``: :func:`train_group`'s rows themselves.
    """

    def __init__(self, out, time_type, interval=False):
        self.groups = out
        self._time_type = time_type
        self._interval = interval

    def _trained(self):
        from pyspark.sql import functions as F

        return self.groups.where(F.col("kind") == "trained")

    def _time(self, col):
        from pyspark.sql import functions as F
        from pyspark.sql import types as T

        t = self._time_type
        castable = (T.DateType, T.TimestampType, T.TimestampNTZType, T.NumericType)
        if isinstance(t, castable):
            return F.col(col).cast(t).alias("time")
        return F.col(col).alias("time")

    @property
    def metrics(self):
        return self._trained().select("id", *[k for k, _ in METRIC_COLUMNS]).orderBy("id")

    @property
    def predictions(self):
        from pyspark.sql import functions as F

        arrays = [(source, name) for source, name, _ in _groups.PREDICTION_ARRAYS]
        zipped = F.arrays_zip(*[F.col(source).alias(name) for source, name in arrays])
        rows = self._trained().select("id", F.explode(zipped).alias("p"))
        return rows.select(
            "id",
            F.col("p.index").alias("index"),
            self._time("p.time"),
            *[F.col(f"p.{name}").alias(name) for name in ("actual", "prediction", "part")],
        )

    @property
    def forecasts(self):
        from pyspark.sql import functions as F

        bounds = ["lo", "hi"] if self._interval else []
        rows = self._trained().select(
            "id",
            "forecast_time",
            *[f"forecast_{b}" for b in bounds],
            F.posexplode("forecast_value").alias("pos", "prediction"),
        )
        return rows.select(
            "id",
            (F.col("pos") + 1).cast("long").alias("step"),
            F.element_at("forecast_time", F.col("pos") + 1).alias("t"),
            "prediction",
            *[F.element_at(f"forecast_{b}", F.col("pos") + 1).alias(b) for b in bounds],
        ).select("id", "step", self._time("t"), "prediction", *bounds)

    @property
    def skipped(self):
        from pyspark.sql import functions as F

        return (
            self.groups.where(F.col("kind") == "skipped").select("id", "reason").orderBy("id")
        )

    @property
    def no_time_axis(self):
        from pyspark.sql import functions as F

        return (
            self.groups.where(F.col("no_time_axis").isNotNull())
            .select("id", F.col("no_time_axis").alias("reason"))
            .orderBy("id")
        )

    def model(self):
        """Collects every series' model to the driver and joins them into one
        :class:`recur.many.ManyModel` (the model :func:`recur.many.fit` would have made)."""
        members = [r["model"] for r in self._trained().select("model").toLocalIterator()]
        if not members:
            raise ValueError("no series was trained (see skipped): there is no model to save")
        return _many.ManyModel.from_members(members)

    def save(self, path):
        """Writes ONE model file of every series to ``path`` on the driver (to a temporary name,
        then renamed), readable with :func:`recur.many.load` on any machine."""
        self.model().save(path)

    def unpersist(self):
        """Frees the persisted group output."""
        self.groups.unpersist()
