#!/usr/bin/env bash
# Creates benches/compare/.venv (git-ignored) with PyTorch, TensorFlow (CPU) + Keras 3 and JAX,
# all from the default PyPI index. Nothing in the Rust workspace or its tests needs this.
#
# Size: PyPI's Linux torch wheel depends on the NVIDIA CUDA runtime wheels (cuBLAS, cuDNN, ...),
# which pip installs too even though we only use the CPU; expect roughly 4-5 GiB in .venv for
# torch, about 1 GiB for tensorflow-cpu and a few hundred MiB for jax.
#
# Usage: benches/compare/setup.sh            (idempotent: reuses an existing .venv)
#        NO_JAX=1 benches/compare/setup.sh   (skip Keras on JAX)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$here/.venv"
python="${PYTHON:-python3}"

if [[ ! -x "$venv/bin/python" ]]; then
    echo "creating $venv"
    "$python" -m venv "$venv"
fi
pip=("$venv/bin/python" -m pip)
"${pip[@]}" install --upgrade pip

pkgs=(numpy torch tensorflow-cpu "keras>=3")
if [[ -z "${NO_JAX:-}" ]]; then
    pkgs+=(jax)
fi
"${pip[@]}" install "${pkgs[@]}"

"$venv/bin/python" - <<'PY'
import importlib
for name in ("numpy", "torch", "tensorflow", "keras", "jax"):
    try:
        m = importlib.import_module(name)
        print(f"{name:12s} {m.__version__}")
    except Exception as e:  # jax is optional
        print(f"{name:12s} not available ({type(e).__name__}: {e})")
PY
du -sh "$venv"
