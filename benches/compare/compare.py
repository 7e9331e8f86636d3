#!/usr/bin/env python3
"""Runs recur (CLI and Python API), PyTorch and Keras on the same data and prints one table.

See README.md.

Each run is its own process, pinned to `threads` CPUs (sched_setaffinity) with every threading
knob set to `threads`; its peak memory is the child's max RSS from wait4(). Runs of different
frameworks are interleaved, repeat by repeat, so that noise from other work on the machine falls
on all of them alike; times and memory are medians over the repeats, MSEs means over the seeds.

Only the standard library is used here, so `python3 compare.py` works with any Python; the
framework runners are started with the .venv's Python made by setup.sh.
"""

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
VENV_PY = os.path.join(HERE, ".venv", "bin", "python")

TUTORIAL = dict(split="900", step=4, layout="tutorial", units=32, activation="relu", dense="8",
                lr=0.001, epochs=50, batch_size=16)
LARGE = dict(split="0.9", step=64, layout="sequence", units=256, activation="tanh", dense="none",
             lr=0.001, epochs=1, batch_size=128)
FRAMEWORKS = ["recur", "recur/python", "pytorch", "keras/tensorflow", "keras/jax"]
# The Python runner of each framework but the recur CLI.
SCRIPTS = {"recur/python": "run_recur_python.py", "pytorch": "run_torch.py",
           "keras/tensorflow": "run_keras.py", "keras/jax": "run_keras.py"}


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--recur", help="path of the recur binary [default: cargo build --release -p cli]")
    p.add_argument("--frameworks", default=",".join(FRAMEWORKS))
    p.add_argument("--models", default="tutorial,large")
    p.add_argument("--repeats", type=int, default=3, help="tutorial runs (seeds 0..) per framework")
    p.add_argument("--tutorial-threads", default="1")
    p.add_argument("--large-repeats", type=int, default=3)
    p.add_argument("--large-threads", default="1,2")
    p.add_argument("--large-warmup", type=int, default=5, help="untimed steps (Python runners)")
    p.add_argument("--large-steps", type=int, default=60,
                   help="timed steps of the Python runners on the large model (0 = a whole "
                   "epoch; recur always runs its whole epoch)")
    p.add_argument("--omp-wait-policy", default="PASSIVE",
                   help="OMP_WAIT_POLICY of every run (PASSIVE: OpenMP threads sleep instead of "
                   "spinning, which on a busy machine keeps PyTorch's 2-thread runs from "
                   "collapsing 7x; 'inherit' leaves the environment's)")
    p.add_argument("--out", default=os.path.join(HERE, "out"))
    return p.parse_args()


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def recur_binary(args, required):
    """The recur binary: --recur, else built here; None if not required and it cannot be built."""
    if args.recur:
        return os.path.abspath(args.recur)
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(REPO, "target"))
    log("building recur: cargo build --release -p cli")
    res = subprocess.run(["cargo", "build", "--release", "-p", "cli"], cwd=REPO)
    if res.returncode != 0:
        if required:
            sys.exit("cargo build --release -p cli failed; pass --recur PATH or leave recur out")
        return None
    return os.path.join(target, "release", "recur")


def run(cmd, threads, out_dir, name, omp_wait_policy):
    """Runs cmd pinned to `threads` CPUs; returns (parsed JSON or None, wall s, max RSS MiB)."""
    env = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "RAYON_NUM_THREADS",
                "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS"):
        env[var] = str(threads)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if omp_wait_policy != "inherit":
        env["OMP_WAIT_POLICY"] = omp_wait_policy
    cpus = set(range(min(threads, os.cpu_count() or threads)))
    stdout_path = os.path.join(out_dir, name + ".json")
    stderr_path = os.path.join(out_dir, name + ".err")
    with open(stdout_path, "w") as so, open(stderr_path, "w") as se:
        start = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=so, stderr=se, env=env, cwd=out_dir,
                             preexec_fn=lambda: os.sched_setaffinity(0, cpus))
        _, status, usage = os.wait4(p.pid, 0)
        wall = time.perf_counter() - start
        p.returncode = os.waitstatus_to_exitcode(status)
    rss = usage.ru_maxrss / 1024.0
    if p.returncode != 0:
        with open(stderr_path) as f:
            tail = f.read().strip().splitlines()[-3:]
        log(f"  FAILED ({p.returncode}): {' '.join(cmd)}\n    " + "\n    ".join(tail))
        return None, wall, rss
    with open(stdout_path) as f:
        text = f.read()
    try:
        return json.loads(text), wall, rss
    except json.JSONDecodeError:
        lines = [ln for ln in text.splitlines() if ln.startswith("{")]
        return (json.loads(lines[-1]) if lines else None), wall, rss


def write_series(path, values):
    tmp = path + ".tmp"
    with open(tmp, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["t", "value"])
        for i, v in enumerate(values):
            w.writerow([i, repr(float(v))])
    os.replace(tmp, path)


def make_series(recur, n, split, out_dir, name):
    """The series CSV: recur's own generated series (x = sin(0.02 t) + U[0,1), data seed 0),
    taken from the `actual` column of the predictions.csv that `recur train` writes. If recur
    cannot train (yet), the same formula in numpy (other random numbers) stands in."""
    path = os.path.join(out_dir, name)
    if os.path.exists(path):
        return path, "reused"
    if recur:
        rdir = os.path.join(out_dir, "recur-series-" + str(n))
        cmd = [recur, "train", "--n", str(n), "--split", split, "--epochs", "1", "--verbose", "0",
               "--json", "--out", rdir]
        res = subprocess.run(cmd, capture_output=True, text=True)
        if res.returncode == 0:
            outputs = json.loads(res.stdout)["outputs"]
            pred = outputs["predictions"]
            pred = pred if os.path.isabs(pred) else os.path.join(os.getcwd(), pred)
            with open(pred, newline="") as f:
                values = [float(r["actual"]) for r in csv.DictReader(f)]
            write_series(path, values)
            return path, "recur"
        log(f"recur could not write the series ({res.stderr.strip()}); using numpy")
    import random
    import math
    rng = random.Random(0)
    write_series(path, [math.sin(0.02 * t) + rng.random() for t in range(n)])
    return path, "python"


def command(fw, recur, csv_path, cfg, seed, threads, warmup, max_steps):
    if fw == "recur":
        return [recur, "train", "--csv", csv_path, "--split", cfg["split"], "--step",
                str(cfg["step"]), "--layout", cfg["layout"], "--units", str(cfg["units"]),
                "--activation", cfg["activation"], "--dense", cfg["dense"], "--loss", "mse",
                "--optimizer", "rmsprop", "--lr", str(cfg["lr"]), "--epochs", str(cfg["epochs"]),
                "--batch-size", str(cfg["batch_size"]), "--seed", str(seed), "--threads",
                str(threads), "--verbose", "0", "--json", "--out", f"recur-out-{seed}-{threads}"]
    script = SCRIPTS[fw]
    cmd = [VENV_PY, os.path.join(HERE, script), "--csv", csv_path, "--split", cfg["split"],
           "--step", str(cfg["step"]), "--layout", cfg["layout"], "--units", str(cfg["units"]),
           "--activation", cfg["activation"], "--dense", cfg["dense"], "--lr", str(cfg["lr"]),
           "--epochs", str(cfg["epochs"]), "--batch-size", str(cfg["batch_size"]), "--seed",
           str(seed), "--threads", str(threads), "--warmup-steps", str(warmup),
           "--max-steps", str(max_steps)]
    if fw.startswith("keras/"):
        cmd += ["--backend", fw.split("/")[1]]
    if max_steps:
        # A partial epoch's train MSE says nothing; 90,000 windows forward would cost more than
        # the timed steps.
        cmd.append("--no-train-mse")
    return cmd


def recur_version(recur):
    try:
        out = subprocess.run([recur, "--version"], capture_output=True, text=True).stdout.strip()
        return out or "recur"
    except OSError:
        return "recur"


def fmt(v, spec):
    return "-" if v is None else format(v, spec)


def ratios(per_step):
    """Lines comparing recur's Python API with the recur CLI and with each other framework, by
    median time per optimizer step (for the tutorial, every runner times the same 2,850 steps, so
    this is also the ratio of fit times; for the large model the runners time different numbers
    of steps, see README.md)."""
    out = []
    for (model, threads), fw_ms in per_step.items():
        py = fw_ms.get("recur/python")
        if py is None:
            continue
        parts = []
        if "recur" in fw_ms:
            parts.append(f"recur/python / recur CLI = {py / fw_ms['recur']:.2f}")
        parts += [f"{fw} / recur/python = {ms / py:,.1f}" for fw, ms in fw_ms.items()
                  if fw not in ("recur", "recur/python")]
        if parts:
            out.append(f"{model}, {threads} thread(s), time per step: " + "; ".join(parts))
    return out


def main():
    args = parse_args()
    os.makedirs(args.out, exist_ok=True)
    fws = [f for f in args.frameworks.split(",") if f]
    unknown = [f for f in fws if f not in FRAMEWORKS]
    if unknown:
        sys.exit(f"--frameworks: unknown {','.join(unknown)} (known: {','.join(FRAMEWORKS)})")
    models = [m for m in args.models.split(",") if m]
    if not models or any(m not in ("tutorial", "large") for m in models):
        sys.exit(f"--models: expected a comma list of tutorial and large, got {args.models!r}")
    recur = recur_binary(args, "recur" in fws)
    if any(f != "recur" for f in fws) and not os.path.exists(VENV_PY):
        sys.exit(f"{VENV_PY} is missing: run {os.path.join(HERE, 'setup.sh')} first")

    plans = []  # (model, cfg, csv, threads list, repeats, warmup, max_steps)
    if "tutorial" in models:
        path, src = make_series(recur, 2000, "900", args.out, "series-2000.csv")
        log(f"tutorial series: {path} ({src})")
        plans.append(("tutorial", TUTORIAL, path, args.tutorial_threads, args.repeats, 0, 0))
    if "large" in models:
        path, src = make_series(recur, 100_000, "0.9", args.out, "series-100k.csv")
        log(f"large series: {path} ({src})")
        plans.append(("large", LARGE, path, args.large_threads, args.large_repeats,
                      args.large_warmup, args.large_steps))

    versions = {"recur": recur_version(recur) if recur else "recur"}
    results = {}  # (model, fw, threads) -> list of (json, wall, rss)
    for model, cfg, path, threads_spec, repeats, warmup, max_steps in plans:
        for threads in [int(t) for t in threads_spec.split(",")]:
            for rep in range(repeats):
                for fw in fws:
                    seed = rep
                    name = f"{model}-{fw.replace('/', '-')}-t{threads}-s{seed}"
                    log(f"{name} ...")
                    cmd = command(fw, recur, path, cfg, seed, threads, warmup, max_steps)
                    res, wall, rss = run(cmd, threads, args.out, name, args.omp_wait_policy)
                    if res is None:
                        continue
                    if fw != "recur":
                        versions[fw] = res.get("version", fw)
                    results.setdefault((model, fw, threads), []).append((res, wall, rss))

    header = ["model", "framework", "version", "thr", "runs", "fit s", "ms/step", "windows/s",
              "process s", "peak RSS MiB", "train MSE", "test MSE"]
    rows = []
    per_step = {}  # (model, threads) -> {framework: median ms per optimizer step}
    for (model, fw, threads), runs in results.items():
        med = lambda xs: statistics.median(xs) if xs else None  # noqa: E731
        mean = lambda xs: statistics.fmean(xs) if xs else None  # noqa: E731
        fit = med([r["fit_seconds"] for r, _, _ in runs])
        cfg = TUTORIAL if model == "tutorial" else LARGE
        if fw == "recur":
            n_train = len(runs[0][0].get("history", {}).get("loss", [])) or cfg["epochs"]
            # recur's fit_seconds covers all epochs: steps and windows from the data shape.
            n_windows = 900 if model == "tutorial" else 90_000
            steps = -(-n_windows // cfg["batch_size"]) * n_train
            windows = n_windows * n_train
        else:
            steps = runs[0][0]["steps"]
            windows = runs[0][0]["timed_windows"]
        per_step.setdefault((model, threads), {})[fw] = 1000 * fit / steps
        train = [r["train_mse"] for r, _, _ in runs if r.get("train_mse") is not None]
        test = [r["test_mse"] for r, _, _ in runs if r.get("test_mse") is not None]
        rows.append([
            model, fw, versions.get(fw, fw), str(threads), str(len(runs)),
            fmt(fit, ".3f"), fmt(1000 * fit / steps, ".3f"), fmt(windows / fit, ",.0f"),
            fmt(med([w for _, w, _ in runs]), ".2f"), fmt(med([m for _, _, m in runs]), ".0f"),
            fmt(mean(train), ".4f"), fmt(mean(test), ".4f"),
        ])
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h)
              for i, h in enumerate(header)]
    line = lambda cells: "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths)) + " |"  # noqa
    print(line(header))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in rows:
        print(line(r))
    notes = ratios(per_step)
    for n in notes:
        print(n)
    with open(os.path.join(args.out, "table.md"), "w") as f:
        f.write(line(header) + "\n" + "|" + "|".join("-" * (w + 2) for w in widths) + "|\n")
        f.writelines(line(r) + "\n" for r in rows)
        if notes:
            f.write("\n" + "".join(n + "\n" for n in notes))


if __name__ == "__main__":
    main()
