"""The backtest of a many-series model (:meth:`recur.many.ManyModel.backtest`): a DataFrame in
the long format read as training reads it, every series backtested by the native side (the
code ``recur backtest --model many.recur --csv long.csv`` runs), the results as DataFrames."""

import json

from recur import _keywords, _long, _recur


def backtest(native, df, folds, horizon, stride, season, refit, epochs, batch_size, columns):
    """Backtests the native model on ``df``; the columns default to the model's (None)."""
    id_col, time_col, value_col = columns
    saved_id, saved_time, saved_value = _recur.many_model_columns(native)
    id_col = saved_id if id_col is None else id_col
    time_col = saved_time if time_col is None else time_col
    value_col = saved_value if value_col is None else value_col
    # A model with covariates forecasts each fold from their values in df, as at training.
    csv, kind = _long.long_csv(df, id_col, time_col, value_col, native.features)
    out = _recur.many_backtest(
        native,
        csv,
        str(id_col),
        None if time_col is None else str(time_col),
        str(value_col),
        _keywords.whole("folds", folds),
        _keywords.whole("horizon", horizon),
        None if stride is None else _keywords.whole("stride", stride),
        None if season is None else _keywords.whole("season", season),
        bool(refit),
        None if epochs is None else _keywords.whole("epochs", epochs),
        None if batch_size is None else _keywords.whole("batch_size", batch_size),
    )
    return ManyBacktestResult(out, kind)


class ManyBacktestResult:
    """What :meth:`recur.many.ManyModel.backtest` gives, each series in its own units:

    - ``overall``: a dict pooled over the series: ``series`` (backtested), the means over the
      series of their MSEs (``mse``, ``persistence_mse``, ``seasonal_naive_mse`` with a season,
      ``window_mean_mse``), ``skill`` (1 - ``mse`` / ``persistence_mse``) and
      ``series_beating_persistence``.
    - ``series``: one row per backtested series: ``id``, ``folds``, its means over the folds
      (``mse``, ``persistence_mse``, [``seasonal_naive_mse``], ``window_mean_mse``) and
      ``skill``.
    - ``folds``: one row per series and fold: ``id``, ``fold``, ``origin``, [``origin_time``],
      ``in_training_part``, and the fold's MSEs, as :class:`recur.series.BacktestResult`'s.
    - ``by_step``: one row per series and horizon step: ``id``, ``step`` and the MSEs.
    - ``rows``: every forecast value, as ``backtest.csv``: ``id, fold, origin, step, position,
      [time,] actual, model, persistence, [seasonal_naive,] window_mean``.
    - ``skipped``: ``id, reason`` of the series left out (not in the model, not in the data,
      too short for the folds).
    - ``report``: the whole ``recur backtest --json`` object as a dict (without ``rows``).
    """

    def __init__(self, out, kind):
        pd = _long._pandas()
        report = json.loads(out)
        rows = report.pop("rows")
        self.report = report
        self.overall = report["overall"]
        series = report["series"]
        self.series = pd.DataFrame(
            [{"id": s["id"], "folds": len(s["folds"]), **s["overall"]} for s in series]
        )
        self.folds = pd.DataFrame([{"id": s["id"], **f} for s in series for f in s["folds"]])
        if "origin_time" in self.folds and kind is not None:
            self.folds["origin_time"] = kind.back(list(self.folds["origin_time"])).values
        steps = []
        for s in series:
            b = s["by_step"]
            for k in range(len(b["mse"])):
                steps.append({"id": s["id"], "step": k + 1, **{m: v[k] for m, v in b.items()}})
        self.by_step = pd.DataFrame(steps)
        table = {k: rows[k] for k in ("id", "fold", "origin", "step", "position")}
        if rows.get("time") is not None:
            times = [t or None for t in rows["time"]]
            table["time"] = (kind or _long.infer_kind(times)).back(times).values
        for k in ("actual", "model", "persistence", "seasonal_naive", "window_mean"):
            if rows.get(k) is not None:
                table[k] = rows[k]
        self.rows = pd.DataFrame(table)
        self.skipped = _long.skipped_frame(
            {"id": [s["id"] for s in report["skipped"]],
             "reason": [s["reason"] for s in report["skipped"]]}
        )

    def __repr__(self):
        o = self.overall
        return (
            f"<ManyBacktestResult {o['series']} series, {len(self.skipped)} skipped, "
            f"mse {o['mse']:.6g} vs persistence {o['persistence_mse']:.6g}>"
        )
