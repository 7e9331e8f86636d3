"""DataFrames to and from recur's long format, for ``recur.many`` and ``recur.spark``.

A DataFrame goes to recur as CSV text of its id, time and value columns (``to_csv``: floats at
full precision, datetimes as ISO 8601), so it is read by the same reader as a file given to
``recur train --id-column``; every check on the data (columns, empty cells, duplicate times,
regular steps) happens there. Results come back as plain columns and become DataFrames here,
with the time labels turned back into the type of the time column."""

import numpy as np


def _pandas():
    try:
        import pandas
    except ImportError:
        raise ImportError(
            "recur.many works on pandas DataFrames: pip install pandas (or recur[pandas])"
        ) from None
    return pandas


class TimeKind:
    """How a time column was written as text, to read labels back into its type: ``text``
    (kept as written), ``number``, ``date`` (``datetime.date`` objects), ``datetime`` (a
    datetime64 dtype, naive or with a time zone, given as ``dtype``)."""

    def __init__(self, kind, dtype=None):
        self.kind = kind
        self.dtype = dtype

    def back(self, labels):
        """The labels (a list of str or None) as a pandas Series of the column's type."""
        pd = _pandas()
        s = pd.Series(labels, dtype=object)
        if self.kind == "number":
            return pd.to_numeric(s)
        if self.kind in ("date", "datetime"):
            t = pd.to_datetime(s, format="ISO8601", utc=_has_zone(self.dtype))
            if self.kind == "date":
                return t.dt.date
            return t.astype(self.dtype)
        return s


def _has_zone(dtype):
    return getattr(dtype, "tz", None) is not None


def infer_kind(labels):
    """The kind of labels read from a model file (no DataFrame to say): numbers, else ISO
    dates and date-times, else text."""
    pd = _pandas()
    s = pd.Series([x for x in labels if x is not None], dtype=object)
    if s.empty:
        return TimeKind("text")
    try:
        pd.to_numeric(s)
        return TimeKind("number")
    except (ValueError, TypeError):
        pass
    try:
        t = pd.to_datetime(s, format="ISO8601", utc=bool(s.str.endswith("Z").any()))
        return TimeKind("datetime", t.dtype)
    except (ValueError, TypeError):
        return TimeKind("text")


def time_text(s):
    """A time column as text recur reads, and its :class:`TimeKind`. Datetimes: dates when
    every time is at midnight, else ISO date-times (with a fraction when one has one); times
    with a zone are written in UTC (``Z``) and come back in their zone."""
    pd = _pandas()
    inferred = pd.api.types.infer_dtype(s, skipna=True)
    if inferred == "date":
        return pd.to_datetime(s).dt.strftime("%Y-%m-%d"), TimeKind("date")
    if pd.api.types.is_datetime64_any_dtype(s.dtype) or inferred in ("datetime", "datetime64"):
        t = pd.to_datetime(s)
        kind = TimeKind("datetime", t.dtype)
        if _has_zone(t.dtype):
            t = t.dt.tz_convert("UTC")
            zone = "Z"
        else:
            zone = ""
        times = t.dt.tz_localize(None) if zone else t
        day = times.dt.normalize()
        if not zone and bool((times == day).all()):
            return t.dt.strftime("%Y-%m-%d"), kind
        fraction = ".%f" if bool((times.dt.microsecond != 0).any()) else ""
        return t.dt.strftime(f"%Y-%m-%dT%H:%M:%S{fraction}{zone}"), kind
    if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
        return s, TimeKind("number")
    return s, TimeKind("text")


def check_columns(columns, id_col, time_col, value_col, features=()):
    """Checks that the id, time (unless None), value (unless None) and covariate columns are
    among ``columns`` and are all different; ``ValueError`` names the argument. Returns
    ``(role, name)`` pairs."""
    roles = [("id_col", id_col)] + ([] if time_col is None else [("time_col", time_col)])
    if value_col is not None:
        roles.append(("value_col", value_col))
    roles.extend(("features", f) for f in features)
    names = list(columns)
    for i, (role, name) in enumerate(roles):
        if name not in names:
            shown = ", ".join(repr(c) for c in names[:20])
            raise ValueError(f"{role}: no column {name!r} in the DataFrame (its columns: {shown})")
        if names.count(name) > 1:
            raise ValueError(f"{role}: the DataFrame has more than one column named {name!r}")
        for other, taken in roles[:i]:
            if name == taken:
                raise ValueError(f"{role}: expected a different column than {other} ({name!r})")
    return roles


def long_csv(df, id_col, time_col, value_col, features=(), what="df"):
    """The CSV text of ``df``'s id, time (unless None), value (unless None) and covariate
    columns, in the DataFrame's row order (line k + 2 of the text is its row k), and the time
    column's kind (or None). ``what`` names the DataFrame's argument in errors."""
    pd = _pandas()
    if not isinstance(df, pd.DataFrame):
        raise ValueError(f"{what}: expected a pandas DataFrame, got {type(df).__name__}")
    check_columns(df.columns, id_col, time_col, value_col, features)
    kind = None
    names = [id_col] + ([] if time_col is None else [time_col])
    names += ([] if value_col is None else [value_col]) + list(features)
    columns = [df[c] for c in names]
    if time_col is not None:
        columns[1], kind = time_text(columns[1])
    return csv_text([str(c) for c in names], columns), kind


def future_csv(df, id_col, time_col, features):
    """The CSV text of a long-format DataFrame of the covariates' future values: its id, time
    (unless the model's series had none) and covariate columns."""
    if not features:
        raise ValueError(
            "future: the model was trained without features, so it takes no future values: "
            "leave future out"
        )
    text, _ = long_csv(df, id_col, time_col, None, features, what="future")
    return text


def arrow_csv(table, id_col, time_col, value_col, features=()):
    """The CSV text of an Arrow table's id, time, value and covariate columns, as :func:`long_csv` writes
    a DataFrame's (the same values, so the same results), written by Arrow's CSV writer: a
    Spark partition reaches :func:`recur.spark.fit`'s tasks as Arrow batches, and going
    through pandas would cost more than the writing. A date or timestamp column becomes text
    as in :func:`time_text`, from the wall-clock times pandas would get (a timestamp with a
    zone, as Spark sends one in its session's zone, loses the zone, as ``mapInPandas``
    gives it)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    names = [id_col, value_col] if time_col is None else [id_col, time_col, value_col]
    names += list(features)
    columns = [table.column(n) for n in names]
    if time_col is not None and pa.types.is_temporal(columns[1].type):
        times = columns[1].to_pandas()
        if getattr(times.dtype, "tz", None) is not None:
            times = times.dt.tz_localize(None)
        text, _ = time_text(times)
        columns[1] = pa.array(np.asarray(text, dtype=object), type=pa.string())
    out = pa.BufferOutputStream()
    pacsv.write_csv(pa.table(columns, names=[str(n) for n in names]), out)
    return out.getvalue().to_pybytes().decode("utf-8")


def csv_text(names, columns):
    """``to_csv(index=False)`` of the columns (pandas Series) under the header ``names``, the
    same text, written directly for the common dtypes (float64 as ``repr``, integers, text),
    which is several times faster than pandas' writer; other dtypes go through ``to_csv``."""
    cells = [_cells(c) for c in columns]
    if any(c is None for c in cells):
        pd = _pandas()
        frame = pd.DataFrame(dict(zip(range(len(columns)), columns)))
        return frame.to_csv(index=False, header=names)
    lines = [",".join(_quoted(n) for n in names)]
    lines.extend(",".join(row) for row in zip(*cells))
    lines.append("")
    return "\n".join(lines)


_SPECIAL = frozenset(',"\r\n')


def _quoted(text):
    """A text cell as the csv module's minimal quoting writes it."""
    if _SPECIAL.isdisjoint(text):
        return text
    return '"' + text.replace('"', '""') + '"'


def _cells(s):
    """The column's cells as ``to_csv`` writes them (missing: empty), or None when its dtype
    has no direct path here."""
    pd = _pandas()
    dtype = s.dtype
    if isinstance(dtype, np.dtype) and dtype.kind == "f" and dtype.itemsize == 8:
        values = s.to_numpy()
        cells = list(map(repr, values.tolist()))
        missing = np.isnan(values)
        if missing.any():
            for i in np.flatnonzero(missing):
                cells[i] = ""
        return cells
    if isinstance(dtype, np.dtype) and dtype.kind in "iu":
        return list(map(str, s.to_numpy().tolist()))
    if dtype == object or pd.api.types.is_string_dtype(dtype):
        # Each distinct text is quoted once (a long frame repeats every id many times).
        codes, uniques = pd.factorize(s.to_numpy(dtype=object), use_na_sentinel=True)
        table = np.empty(len(uniques) + 1, dtype=object)
        for i, v in enumerate(uniques):
            if not isinstance(v, str):
                return None
            table[i] = _quoted(v)
        table[-1] = ""  # the code of a missing cell is -1
        return table[codes].tolist()
    return None


def metrics_frame(cols):
    """The metrics DataFrame: one row per trained series, in id order."""
    return _pandas().DataFrame(cols)


def skipped_frame(cols):
    """An ``id``, ``reason`` DataFrame (the skipped series, the series without a time axis)."""
    return _pandas().DataFrame(cols, columns=["id", "reason"])


def predictions_frame(cols, kind):
    """The predictions DataFrame: ``id, index, [time,] actual, prediction, part``."""
    pd = _pandas()
    counts = np.asarray(cols["counts"], dtype=np.int64)
    frame = {"id": np.repeat(np.asarray(cols["ids"], dtype=object), counts)}
    frame["index"] = np.asarray(cols["index"], dtype=np.int64)
    if cols["time"] is not None:
        frame["time"] = kind.back(cols["time"]) if kind else cols["time"]
    frame["actual"] = cols["actual"]
    frame["prediction"] = cols["prediction"]
    frame["part"] = np.where(cols["test"], "test", "train")
    return pd.DataFrame(frame)


def forecasts_frame(cols, kind):
    """The forecasts DataFrame: ``id, step, [time,] prediction[, lo, hi]``, ``step`` from 1,
    with future times for the series whose time column has a regular step, and the interval's
    bounds when the forecasts have them."""
    pd = _pandas()
    h = cols["horizon"]
    ids = np.asarray(cols["ids"], dtype=object)
    frame = {"id": np.repeat(ids, h), "step": np.tile(np.arange(1, h + 1, dtype=np.int64), len(ids))}
    times = cols["times"]
    if any(t is not None for t in times):
        flat = [x for t in times for x in (t if t is not None else [None] * h)]
        kind = kind or infer_kind(flat)
        frame["time"] = kind.back(flat)
    frame["prediction"] = np.asarray(cols["values"], dtype=np.float64)
    for bound in ("lo", "hi"):
        if cols.get(bound) is not None:
            frame[bound] = np.asarray(cols[bound], dtype=np.float64)
    return pd.DataFrame(frame)
