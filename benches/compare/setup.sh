#!/usr/bin/env bash
# Creates benches/compare/.venv (git-ignored) with PyTorch, TensorFlow (CPU) + Keras 3, JAX and
# recur's own Python package (the repository's python/ folder, built with maturin by pip), all
# from the default PyPI index. Nothing in the Rust workspace or its tests needs this.
#
# Size: PyPI's Linux torch wheel depends on the NVIDIA CUDA runtime wheels (cuBLAS, cuDNN, ...),
# which pip installs too even though we only use the CPU; expect roughly 4-5 GiB in .venv for
# torch, about 1 GiB for tensorflow-cpu and a few hundred MiB for jax.
#
# Usage: benches/compare/setup.sh                    (idempotent: reuses an existing .venv)
#        NO_TORCH=1 benches/compare/setup.sh         (skip PyTorch: saves ~5 GiB)
#        NO_JAX=1 benches/compare/setup.sh           (skip Keras on JAX)
#        NO_RECUR_PYTHON=1 benches/compare/setup.sh  (skip recur's Python package, e.g. while
#                                                     python/ does not build)
# Re-running it after python/ changed rebuilds and reinstalls recur's package.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
venv="$here/.venv"
python="${PYTHON:-python3}"

if [[ ! -x "$venv/bin/python" ]]; then
    echo "creating $venv"
    "$python" -m venv "$venv"
fi
pip=("$venv/bin/python" -m pip)
"${pip[@]}" install --upgrade pip

pkgs=(numpy tensorflow-cpu "keras>=3")
if [[ -z "${NO_TORCH:-}" ]]; then
    pkgs+=(torch)
fi
if [[ -z "${NO_JAX:-}" ]]; then
    pkgs+=(jax)
fi
# pandas and matplotlib: the seed tutorial's scripts (python/examples/) that
# python_footprint.py runs import them.
pkgs+=(pandas matplotlib)
"${pip[@]}" install "${pkgs[@]}"

if [[ -z "${NO_RECUR_PYTHON:-}" ]]; then
    if [[ ! -f "$repo/python/pyproject.toml" ]]; then
        echo "setup.sh: $repo/python/pyproject.toml is missing (recur's Python package);" \
            "NO_RECUR_PYTHON=1 skips it" >&2
        exit 1
    fi
    # The repository's own package, built from source (PyO3 + maturin, a release build of the
    # Rust crates: a few minutes). --force-reinstall --no-deps: the version number does not change
    # when the source does, and its dependencies are already installed above.
    "${pip[@]}" install --force-reinstall --no-deps "$repo/python"
fi

"$venv/bin/python" - <<'PY'
import importlib
for name in ("numpy", "torch", "tensorflow", "keras", "jax", "recur"):
    try:
        m = importlib.import_module(name)
        print(f"{name:12s} {getattr(m, '__version__', '?')}")
    except Exception as e:  # all but numpy are optional
        print(f"{name:12s} not available ({type(e).__name__}: {e})")
PY
du -sh "$venv"
