"""Shared helpers of the Python tests: the repository's paths and the Keras fixtures."""

import json
import pathlib

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
FIXTURES = REPO / "fixtures" / "keras"
EXAMPLES = REPO / "python" / "examples"


@pytest.fixture(scope="session")
def training_fixture():
    """Keras's own 3-epoch training run of the tutorial model (fixtures/keras)."""
    return json.loads((FIXTURES / "model_training.json").read_text())


def keras_available():
    try:
        import keras  # noqa: F401
    except ImportError:
        return False
    return True
