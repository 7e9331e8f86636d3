#!/usr/bin/env python3
"""What recur's Python package costs a Python process: import time and memory, and the seed
tutorial's whole-script peak memory and wall time against Keras on TensorFlow (see README.md).

(a) `import recur` over `import numpy`: fresh interpreters, alternately one that imports numpy
    alone and one that imports numpy and then recur (`--import-repeats` of each). Each child
    times its own imports with time.perf_counter and reads its VmRSS from /proc/self/status
    after them; the parent also takes the child's whole wall time and its max RSS from wait4().
    The table shows medians, and the difference of the two kinds of process.
(b) The seed tutorial as a user runs it (`python/examples/tutorial.py` on recur and
    `python/examples/tutorial_keras.py`, the same script on Keras with KERAS_BACKEND=tensorflow),
    and a script that only imports what both import (numpy, pandas, matplotlib.pyplot), for the
    floor: each `--script-repeats` times, MPLBACKEND=Agg (the scripts' plt.show() then draws
    off-screen and returns), peak RSS from wait4(), wall time from start to exit; medians.

Only the standard library is used here; the children run with `--python` (default: the .venv
made by setup.sh, which installs recur's package, tensorflow-cpu, keras, pandas and matplotlib).
Nothing is pinned unless `--threads N` is given (then every child is pinned to N CPUs with every
threading knob set to N, as compare.py does).
"""

import argparse
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
VENV_PY = os.path.join(HERE, ".venv", "bin", "python")
EXAMPLES = os.path.join(REPO, "python", "examples")

# The child of part (a). `with_recur` is substituted; nothing but time is imported before the
# first measurement, and /proc is read without importing anything else.
IMPORT_CHILD = """\
import time
t0 = time.perf_counter()
import numpy
t1 = time.perf_counter()
if {with_recur}:
    import recur
t2 = time.perf_counter()
with open("/proc/self/status") as f:
    rss = [l.split()[1] for l in f if l.startswith("VmRSS:")][0]
print(t1 - t0, t2 - t1, int(rss) / 1024.0)
"""

FLOOR_SCRIPT = "import numpy, pandas, matplotlib.pyplot\n"

THREAD_VARS = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "RAYON_NUM_THREADS",
               "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS")


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--python", default=VENV_PY, help="the interpreter of the children "
                   "[default: benches/compare/.venv/bin/python]")
    p.add_argument("--import-repeats", type=int, default=15,
                   help="processes of each kind in part (a) [default: 15]")
    p.add_argument("--script-repeats", type=int, default=3,
                   help="runs of each script in part (b) [default: 3]")
    p.add_argument("--parts", default="imports,scripts",
                   help="which parts to run: imports, scripts or both [default: both]")
    p.add_argument("--threads", type=int, default=None,
                   help="pin every child to N CPUs and set the threading knobs to N "
                   "[default: unpinned, as a user runs the scripts]")
    p.add_argument("--examples", default=EXAMPLES,
                   help="the folder of tutorial.py and tutorial_keras.py "
                   "[default: python/examples of this checkout]")
    p.add_argument("--out", default=os.path.join(HERE, "out"),
                   help="where the scripts' output goes (footprint-*.log) [default: out/]")
    args = p.parse_args()
    parts = [x for x in args.parts.split(",") if x]
    if not parts or any(x not in ("imports", "scripts") for x in parts):
        p.error(f"--parts: expected imports, scripts or both, got {args.parts!r}")
    args.parts = parts
    for name in ("import_repeats", "script_repeats"):
        if getattr(args, name) < 1:
            p.error(f"--{name.replace('_', '-')}: expected at least 1, got {getattr(args, name)}")
    if args.threads is not None and args.threads < 1:
        p.error(f"--threads: expected at least 1, got {args.threads}")
    if not os.path.exists(args.python):
        p.error(f"--python {args.python} does not exist (run {HERE}/setup.sh first)")
    return args


def child_env(threads, extra):
    env = dict(os.environ)
    env.update(extra)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if threads is not None:
        for var in THREAD_VARS:
            env[var] = str(threads)
    return env


def run(cmd, env, threads, cwd, log_path):
    """Runs cmd with stdout and stderr in log_path; returns (wall s, max RSS MiB). wait4() reaps
    the child, so the RSS is its own (RUSAGE_CHILDREN would be a maximum over all children so
    far). Exits with the log's tail when the child fails."""
    cpus = None if threads is None else set(range(min(threads, os.cpu_count() or threads)))
    with open(log_path, "w") as out:
        start = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=cwd,
                             preexec_fn=(lambda: os.sched_setaffinity(0, cpus)) if cpus else None)
        _, status, usage = os.wait4(p.pid, 0)
        wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        with open(log_path) as f:
            tail = "\n    ".join(f.read().strip().splitlines()[-5:])
        sys.exit(f"failed ({code}): {' '.join(cmd)}\n    {tail}")
    return wall, usage.ru_maxrss / 1024.0


def median(xs):
    return statistics.median(xs)


def table(header, rows):
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    line = lambda cells: "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths)) + " |"  # noqa
    return "\n".join([line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
                     + [line(r) for r in rows])


def imports_part(args):
    env = child_env(args.threads, {})
    samples = {False: [], True: []}  # with_recur -> [(numpy s, recur s, VmRSS, wall, maxrss)]
    log_path = os.path.join(args.out, "footprint-import.log")
    for _ in range(args.import_repeats):
        # Alternate the two kinds so that drift on the machine falls on both.
        for with_recur in (False, True):
            code = IMPORT_CHILD.format(with_recur=with_recur)
            wall, maxrss = run([args.python, "-c", code], env, args.threads, args.out,
                               log_path)
            with open(log_path) as f:
                t_np, t_rc, vmrss = (float(v) for v in f.read().split())
            samples[with_recur].append((t_np, t_rc, vmrss, wall, maxrss))
    cols = list(zip(*samples[False])), list(zip(*samples[True]))
    meds = [[median(c) for c in kind] for kind in cols]
    rows = []
    for label, m, rc in (("import numpy", meds[0], "-"),
                         ("import numpy; import recur", meds[1], f"{1000 * meds[1][1]:.1f}")):
        rows.append([label, f"{1000 * m[0]:.1f}", rc, f"{1000 * m[3]:.0f}", f"{m[2]:.1f}",
                     f"{m[4]:.1f}"])
    added_wall = meds[1][3] - meds[0][3]
    added_rss = meds[1][2] - meds[0][2]
    rows.append(["difference", "", "", f"{1000 * added_wall:+.0f}", f"{added_rss:+.1f}",
                 f"{meds[1][4] - meds[0][4]:+.1f}"])
    header = ["process", "numpy import ms", "recur import ms", "process wall ms",
              "VmRSS after MiB", "peak RSS MiB"]
    print(f"(a) import cost: medians of {args.import_repeats} fresh processes of each kind")
    print(table(header, rows))
    print(f"import recur adds {1000 * meds[1][1]:.1f} ms (in-process; whole process "
          f"{1000 * added_wall:+.0f} ms) and {added_rss:.1f} MiB of RSS to import numpy "
          "(target: under 100 ms and 20 MiB)")
    print()


def scripts_part(args):
    base = {"MPLBACKEND": "Agg"}
    runs = [
        ("imports only (numpy, pandas, matplotlib)", ["-c", FLOOR_SCRIPT], base, "floor"),
        ("tutorial.py (recur)", [os.path.join(args.examples, "tutorial.py")], base, "recur"),
        ("tutorial_keras.py (Keras, TensorFlow)",
         [os.path.join(args.examples, "tutorial_keras.py")],
         dict(base, KERAS_BACKEND="tensorflow"), "keras-tensorflow"),
    ]
    for _, cmd, _, _ in runs:
        if cmd[0] != "-c" and not os.path.exists(cmd[0]):
            sys.exit(f"{cmd[0]} is missing (--examples names the folder of the tutorial scripts)")
    samples = {name: [] for name, _, _, _ in runs}
    for i in range(args.script_repeats):
        for name, cmd, extra, tag in runs:
            log_path = os.path.join(args.out, f"footprint-{tag}-{i}.log")
            wall, rss = run([args.python, *cmd], child_env(args.threads, extra), args.threads,
                            args.out, log_path)
            samples[name].append((wall, rss))
    rows = [[name, f"{median([w for w, _ in s]):.2f}", f"{median([r for _, r in s]):.0f}",
             f"{min(r for _, r in s):.0f}-{max(r for _, r in s):.0f}"]
            for name, s in samples.items()]
    print(f"(b) the seed tutorial's script, MPLBACKEND=Agg: medians of {args.script_repeats} "
          "runs" + ("" if args.threads is None else f", pinned to {args.threads} CPU(s)"))
    print(table(["script", "wall s", "peak RSS MiB", "peak RSS range"], rows))
    print("(target: the recur script under 150 MiB peak RSS, against about 650 MiB for "
          "Keras/TF)")


def main():
    args = parse_args()
    os.makedirs(args.out, exist_ok=True)
    version = subprocess.run([args.python, "-c", "import sys, recur, numpy; print("
                              "sys.version.split()[0], recur.__version__, numpy.__version__)"],
                             capture_output=True, text=True)
    if version.returncode != 0:
        sys.exit(f"{args.python} cannot import recur: run {HERE}/setup.sh\n"
                 + version.stderr.strip())
    py, rv, nv = version.stdout.split()
    print(f"python {py}, recur {rv}, numpy {nv}; {os.cpu_count()} CPUs"
          + ("" if args.threads is None else f", children pinned to {args.threads}"))
    print()
    if "imports" in args.parts:
        imports_part(args)
    if "scripts" in args.parts:
        scripts_part(args)


if __name__ == "__main__":
    main()
