#!/usr/bin/env python3
"""Per-cell table: recur vs PyTorch vs Keras on one batch's forward + backward.

Times SimpleRNN, LSTM and GRU at (batch, time, features, units) = (32, 50, 8, 64) and
(128, 64, 32, 256) on 1 and 2 threads: recur with its `cells-report` binary (the criterion `rnn`
bench's problem, benches/src/cells.rs), the peers with `cells_peer.py` (PyTorch eager,
Keras 3 on TensorFlow and on JAX). Every (framework, thread count) is one process, pinned to
that many CPUs with every threading knob set (compare.py's `run`). Prints one markdown table:
each framework's median ms per step, the fastest peer, and recur's speed-up over it (peer ms /
recur ms; above 1 means recur is faster). Writes it to `out/cells.md` and the raw JSON to
`out/cells-*.json`.
"""

import argparse
import os
import subprocess
import sys

from compare import HERE, REPO, VENV_PY, log, run

PEERS = ["pytorch", "keras/tensorflow", "keras/jax"]
CELLS = ["simple_rnn", "lstm", "gru"]


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--cells-report",
                   help="path of recur's cells-report [default: cargo build --release -p "
                   "benches --bin cells-report]")
    p.add_argument("--frameworks", default=",".join(["recur"] + PEERS))
    p.add_argument("--threads", default="1,2")
    p.add_argument("--shapes", default="32x50x8x64,128x64x32x256")
    p.add_argument("--cells", default=",".join(CELLS))
    p.add_argument("--samples", type=int, default=15, help="timed samples per cell")
    p.add_argument("--sample-ms", type=float, default=200.0, help="least ms per sample")
    p.add_argument("--python", default=VENV_PY, help="interpreter of the peers")
    p.add_argument("--omp-wait-policy", default="PASSIVE",
                   help="OMP_WAIT_POLICY of every run (see compare.py; 'inherit' keeps it)")
    p.add_argument("--out", default=os.path.join(HERE, "out"))
    return p.parse_args()


def cells_report(args):
    if args.cells_report:
        return os.path.abspath(args.cells_report)
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(REPO, "target"))
    log("building cells-report: cargo build --release -p benches --bin cells-report")
    res = subprocess.run(["cargo", "build", "--release", "-p", "benches", "--bin",
                          "cells-report"], cwd=REPO)
    if res.returncode != 0:
        sys.exit("cargo build failed; pass --cells-report PATH or leave recur out")
    return os.path.join(target, "release", "cells-report")


def fmt(ms):
    return "-" if ms is None else (f"{ms:.2f}" if ms >= 1 else f"{ms:.3f}")


def main():
    args = parse_args()
    frameworks = [f for f in args.frameworks.split(",") if f]
    for f in frameworks:
        if f not in ["recur"] + PEERS:
            sys.exit(f"--frameworks: unknown {f!r} (expected recur, {', '.join(PEERS)})")
    threads = [int(t) for t in args.threads.split(",") if t]
    os.makedirs(args.out, exist_ok=True)
    common = ["--shapes", args.shapes, "--cells", args.cells, "--samples", str(args.samples),
              "--sample-ms", str(args.sample_ms)]
    binary = cells_report(args) if "recur" in frameworks else None
    ms = {}  # (framework, shape, cell, threads) -> median ms
    versions = {}
    for t in threads:
        for f in frameworks:
            if f == "recur":
                cmd = [binary, "--json", "--threads", str(t)] + common
            else:
                cmd = [args.python, os.path.join(HERE, "cells_peer.py"), "--framework", f,
                       "--threads", str(t)] + common
            name = f"cells-{f.replace('/', '-')}-{t}t"
            log(f"{f}, {t} thread(s)")
            out, wall, _ = run(cmd, t, args.out, name, args.omp_wait_policy)
            if out is None:
                continue
            versions[f] = out["version"]
            for r in out["rows"]:
                key = (f, "x".join(map(str, r["shape"])), r["cell"], r["threads"])
                ms[key] = r["ms_median"]
            log(f"  {wall:.0f} s")
    peers = [f for f in frameworks if f != "recur"]
    head = ["shape (b,t,f,u)", "cell", "thr"] + frameworks + ["fastest peer", "peer / recur"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    shapes = [s for s in args.shapes.split(",") if s]
    for shape in shapes:
        for cell in [c for c in args.cells.split(",") if c]:
            for t in threads:
                vals = {f: ms.get((f, shape, cell, t)) for f in frameworks}
                known = [(vals[p], p) for p in peers if vals[p] is not None]
                best = min(known) if known else None
                ratio = "-"
                if best and vals.get("recur"):
                    ratio = f"{best[0] / vals['recur']:.2f}x"
                row = [f"({shape.replace('x', ',')})", cell, str(t)]
                row += [fmt(vals[f]) for f in frameworks]
                row += [best[1] if best else "-", ratio]
                lines.append("| " + " | ".join(row) + " |")
    table = "\n".join(lines)
    notes = ["", "ms: median per forward + backward of one batch; peer / recur: the fastest "
             "peer's ms over recur's (above 1: recur is faster)."]
    notes += [f"{f}: {v}" for f, v in versions.items()]
    text = table + "\n" + "\n".join(notes) + "\n"
    print(text, end="")
    tmp = os.path.join(args.out, "cells.md.tmp")
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, os.path.join(args.out, "cells.md"))


if __name__ == "__main__":
    main()
