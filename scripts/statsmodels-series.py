#!/usr/bin/env python3
"""Exports five real series from statsmodels' bundled datasets as CSV files recur reads.

    python3 -m venv .venv-sm && .venv-sm/bin/pip install statsmodels   # .venv-sm is git-ignored
    .venv-sm/bin/python scripts/statsmodels-series.py [OUT_DIR]        # default: target/series

Writes (each with a date or year column and one value column; gaps kept as empty cells):
  co2.csv       weekly CO2 at Mauna Loa, 1958-2001 (date, co2): trending, seasonal (52), gaps
  realgdp.csv   US real GDP, quarterly 1959-2009 (date, realgdp): trending
  nile.csv      annual Nile flow at Aswan, 1871-1970 (year, volume): short
  sunspots.csv  yearly sunspot activity, 1700-2008 (year, sunactivity): cyclic (~11)
  elnino.csv    monthly sea surface temperature, 1950-2010 (date, temp): seasonal (12)
The data come with statsmodels (public-domain records); nothing is downloaded.
"""

import os
import sys

import statsmodels.api as sm


def main() -> None:
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join("target", "series")
    os.makedirs(out, exist_ok=True)

    co2 = sm.datasets.co2.load_pandas().data
    co2.index.name = "date"
    co2.index = co2.index.strftime("%Y-%m-%d")
    co2.to_csv(os.path.join(out, "co2.csv"), float_format="%.10g")

    macro = sm.datasets.macrodata.load_pandas().data
    dates = [f"{int(y)}-{3 * int(q) - 2:02d}-01" for y, q in zip(macro.year, macro.quarter)]
    gdp = macro[["realgdp"]].copy()
    gdp.insert(0, "date", dates)
    gdp.to_csv(os.path.join(out, "realgdp.csv"), index=False, float_format="%.10g")

    nile = sm.datasets.nile.load_pandas().data
    nile["year"] = nile["year"].astype(int)
    nile.to_csv(os.path.join(out, "nile.csv"), index=False, float_format="%.10g")

    sun = sm.datasets.sunspots.load_pandas().data
    sun = sun.rename(columns={"YEAR": "year", "SUNACTIVITY": "sunactivity"})
    sun["year"] = sun["year"].astype(int)
    sun.to_csv(os.path.join(out, "sunspots.csv"), index=False, float_format="%.10g")

    nino = sm.datasets.elnino.load_pandas().data
    months = [c for c in nino.columns if c != "YEAR"]
    rows = []
    for _, r in nino.iterrows():
        for i, m in enumerate(months):
            rows.append((f"{int(r['YEAR'])}-{i + 1:02d}-01", r[m]))
    with open(os.path.join(out, "elnino.csv"), "w") as f:
        f.write("date,temp\n")
        for d, v in rows:
            f.write(f"{d},{v:.10g}\n")
    print(f"wrote co2, realgdp, nile, sunspots and elnino CSVs into {out}")


if __name__ == "__main__":
    main()
