"""The one-row-per-series output of :func:`recur.spark.train_group`, and its tables.

Why one row per series, with the predictions and forecasts as arrays: an engine moves a
group's output through Arrow and turns it into rows of its own (Spark: into the JVM's rows,
then its cache); a series of 1,000 values would otherwise come back as 1,000 rows of twenty
columns, which cost Spark several times the Python work of the group. Arrays cross as one
value per column, and the long tables are made only when read (:class:`GroupResults` here,
``SparkResult`` on Spark)."""

import numpy as np

from recur import _long

#: The metrics columns, as in :attr:`recur.many.ManyResult.metrics`.
METRIC_COLUMNS = [
    ("train_mse", "double"),
    ("test_mse", "double"),
    ("baseline_test_mse", "double"),
    ("persistence_test_mse", "double"),
    ("seasonal_naive_test_mse", "double"),
    ("test_mse_observed", "double"),
    ("skill", "double"),
    ("train_windows", "long"),
    ("test_windows", "long"),
    ("epochs", "long"),
    ("interval_coverage", "double"),
    ("interval_half_width", "double"),
]

#: The predictions' arrays and their names in the long table.
PREDICTION_ARRAYS = [
    ("pred_index", "index", "array<long>"),
    ("pred_time", "time", "array<string>"),
    ("pred_actual", "actual", "array<double>"),
    ("pred_value", "prediction", "array<double>"),
    ("pred_part", "part", "array<string>"),
]

#: The columns of a group's output and their Spark SQL types: one row per series.
GROUP_COLUMNS = [
    ("kind", "string"),
    ("id", "string"),
    *METRIC_COLUMNS,
    ("reason", "string"),
    ("no_time_axis", "string"),
    *[(name, kind) for name, _, kind in PREDICTION_ARRAYS],
    ("forecast_time", "array<string>"),
    ("forecast_value", "array<double>"),
    ("forecast_lo", "array<double>"),
    ("forecast_hi", "array<double>"),
    ("model", "binary"),
]


def _rows(out):
    """A group's rows (dicts of :data:`GROUP_COLUMNS`, one per series, in id order) from
    ``_recur.many_train_group``'s columns."""
    m, p, f = out["metrics"], out["predictions"], out["forecasts"]
    no_axis = dict(zip(out["no_time_axis"]["id"], out["no_time_axis"]["reason"]))
    counts = np.asarray(p["counts"], dtype=np.int64)
    ends = np.cumsum(counts)
    starts = ends - counts
    parts = np.where(np.asarray(p["test"], dtype=bool), "test", "train").astype(object)
    index = np.asarray(p["index"], dtype=np.int64)
    times = p["time"]
    rows = []
    for k, series in enumerate(m["id"]):
        a, b = int(starts[k]), int(ends[k])
        row = {name: None for name, _ in GROUP_COLUMNS}
        row["kind"] = "trained"
        row["id"] = series
        for name, _ in METRIC_COLUMNS:
            row[name] = m[name][k].item()
        row["pred_index"] = index[a:b]
        row["pred_time"] = None if times is None else times[a:b]
        row["pred_actual"] = p["actual"][a:b]
        row["pred_value"] = p["prediction"][a:b]
        row["pred_part"] = parts[a:b]
        if f is not None:
            h = f["horizon"]
            row["forecast_value"] = f["values"][k * h : (k + 1) * h]
            row["forecast_time"] = f["times"][k]
            for bound in ("lo", "hi"):
                if f.get(bound) is not None:
                    row[f"forecast_{bound}"] = f[bound][k * h : (k + 1) * h]
        row["model"] = out["members"][k]
        rows.append(row)
    for series, reason in zip(out["skipped"]["id"], out["skipped"]["reason"]):
        row = {name: None for name, _ in GROUP_COLUMNS}
        row.update(kind="skipped", id=series, reason=reason)
        rows.append(row)
    for row in rows:
        row["no_time_axis"] = no_axis.get(row["id"])
    rows.sort(key=lambda r: r["id"])
    return rows


def frame(out):
    """The DataFrame of a group (one row per series, in id order) from
    ``_recur.many_train_group``'s columns."""
    return _frame(_rows(out))


#: The Arrow types of the Spark SQL types in :data:`GROUP_COLUMNS`.
_ARROW_TYPES = {
    "string": "string",
    "double": "float64",
    "long": "int64",
    "binary": "binary",
    "array<long>": ("list", "int64"),
    "array<double>": ("list", "float64"),
    "array<string>": ("list", "string"),
}


def arrow_schema():
    """:data:`GROUP_COLUMNS` as an Arrow schema (what ``mapInArrow`` must yield)."""
    import pyarrow as pa

    def arrow(kind):
        t = _ARROW_TYPES[kind]
        return pa.list_(pa.type_for_alias(t[1])) if isinstance(t, tuple) else pa.type_for_alias(t)

    return pa.schema([(name, arrow(kind)) for name, kind in GROUP_COLUMNS])


def batch(out):
    """The rows of :func:`frame` as one Arrow record batch of :func:`arrow_schema`."""
    import pyarrow as pa

    return pa.RecordBatch.from_pylist(_rows(out), schema=arrow_schema())


def _frame(rows):
    """A DataFrame of :data:`GROUP_COLUMNS` from row dicts: doubles as float64 (NaN when
    missing), longs as nullable Int64, the rest as objects (None when missing)."""
    pd = _long._pandas()
    cols = {}
    for name, kind in GROUP_COLUMNS:
        values = [r[name] for r in rows]
        if kind == "double":
            cols[name] = np.array([np.nan if v is None else v for v in values], dtype=np.float64)
        elif kind == "long":
            cols[name] = pd.array(values, dtype="Int64")
        else:
            col = np.empty(len(values), dtype=object)
            col[:] = values
            cols[name] = col
    return pd.DataFrame(cols)


def meta():
    """An empty DataFrame of :data:`GROUP_COLUMNS` (Dask's ``meta``)."""
    return _frame([])


class GroupResults:
    """The tables of :func:`recur.spark.train_group`'s outputs gathered into one pandas
    DataFrame (from Ray Data, Dask, or any loop over groups): the same tables as
    :class:`recur.many.ManyResult` (time labels read back as numbers or ISO dates and
    date-times when they all are, else text), and :meth:`model`."""

    def __init__(self, groups):
        pd = _long._pandas()
        missing = [name for name, _ in GROUP_COLUMNS if name not in groups.columns]
        if missing:
            raise ValueError(f"groups: not train_group's output (no column {missing[0]!r})")
        groups = groups.sort_values("id", kind="stable", ignore_index=True)
        trained = groups[groups["kind"] == "trained"].reset_index(drop=True)
        self._trained = trained
        metrics = {"id": trained["id"].to_numpy(dtype=object)}
        for name, kind in METRIC_COLUMNS:
            col = trained[name]
            metrics[name] = col.to_numpy(dtype=np.float64 if kind == "double" else np.int64)
        self.metrics = pd.DataFrame(metrics)
        skipped = groups[groups["kind"] == "skipped"]
        self.skipped = _long.skipped_frame(
            {"id": list(skipped["id"]), "reason": list(skipped["reason"])}
        )
        no_axis = groups[groups["no_time_axis"].notna()]
        self.no_time_axis = _long.skipped_frame(
            {"id": list(no_axis["id"]), "reason": list(no_axis["no_time_axis"])}
        )
        self.predictions = self._predictions()
        self.forecasts = self._forecasts()

    def _predictions(self):
        pd = _long._pandas()
        t = self._trained
        counts = np.array([len(v) for v in t["pred_value"]], dtype=np.int64)
        cols = {"id": np.repeat(t["id"].to_numpy(dtype=object), counts)}

        def flat(name, dtype):
            parts = [np.asarray(v, dtype=dtype) for v in t[name]]
            return np.concatenate(parts) if parts else np.array([], dtype=dtype)

        cols["index"] = flat("pred_index", np.int64)
        if len(t) and all(v is not None for v in t["pred_time"]):
            labels = list(flat("pred_time", object))
            cols["time"] = _long.infer_kind(labels).back(labels)
        cols["actual"] = flat("pred_actual", np.float64)
        cols["prediction"] = flat("pred_value", np.float64)
        cols["part"] = flat("pred_part", object)
        return pd.DataFrame(cols)

    def _forecasts(self):
        t = self._trained
        values = [v for v in t["forecast_value"] if v is not None]
        if not values:
            return None
        h = len(values[0])

        def flat(name):
            parts = [v for v in t[name] if v is not None]
            if len(parts) < len(t):
                return None
            return np.concatenate([np.asarray(v, dtype=np.float64) for v in parts])

        return _long.forecasts_frame(
            {
                "ids": list(t["id"]),
                "horizon": h,
                "values": flat("forecast_value"),
                "times": [None if v is None else list(v) for v in t["forecast_time"]],
                "lo": flat("forecast_lo"),
                "hi": flat("forecast_hi"),
            },
            None,
        )

    def model(self):
        """Every trained series' model joined into one :class:`recur.many.ManyModel`."""
        from recur import many

        return many.ManyModel.from_members(list(self._trained["model"]))
