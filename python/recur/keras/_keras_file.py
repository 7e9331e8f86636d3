"""Keras 3 ``.keras`` files: a zip of ``metadata.json``, ``config.json`` and
``model.weights.h5``. recur's engine translates ``config.json`` and says where each weight
lives in the HDF5 file; this module only unzips, zips and moves arrays with h5py (imported here,
when a ``.keras`` file is used, so that ``import recur`` does not need it)."""

import datetime
import io
import json
import os
import tempfile
import zipfile

import numpy as np

from recur import _recur

# Refuse members larger than this before reading them: a .keras file is untrusted input and a
# small zip can claim (and inflate to) gigabytes.
_MAX_CONFIG_BYTES = 64 << 20
_MAX_WEIGHTS_BYTES = 1 << 30
KERAS_VERSION = "3.15.1"


def _h5py():
    try:
        import h5py
    except ImportError:
        raise ImportError(
            "reading or writing .keras files needs the h5py package: pip install h5py"
        ) from None
    return h5py


def _member(archive, name, limit, path):
    try:
        info = archive.getinfo(name)
    except KeyError:
        raise ValueError(f"{path} is not a Keras 3 .keras file: it has no {name}") from None
    if info.file_size > limit:
        raise ValueError(
            f"{path}: {name} declares {info.file_size} bytes, more than recur reads ({limit})"
        )
    data = archive.read(name)
    if len(data) > limit:
        raise ValueError(f"{path}: {name} is larger than {limit} bytes")
    return data


def load(path, compile=True):
    """Reads a ``.keras`` file into a recur Sequential."""
    from recur.keras.models import _wrap

    h5py = _h5py()
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as e:
        raise ValueError(f"{path} is not a Keras 3 .keras file (not a zip archive: {e})") from None
    with archive:
        config = _member(archive, "config.json", _MAX_CONFIG_BYTES, path)
        weights = _member(archive, "model.weights.h5", _MAX_WEIGHTS_BYTES, path)
    try:
        config_text = config.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError(f"{path}: config.json is not UTF-8 text") from None
    native = _recur.Model.from_keras_config(config_text, compile)
    try:
        h5 = h5py.File(io.BytesIO(weights), "r")
    except OSError as e:
        raise ValueError(f"{path}: model.weights.h5 is not an HDF5 file ({e})") from None
    with h5:
        arrays = []
        for dataset, shape in native.keras_weight_paths():
            node = h5.get(dataset)
            if node is None or not isinstance(node, h5py.Dataset):
                raise ValueError(f"{path}: model.weights.h5 has no weight {dataset}")
            if tuple(node.shape) != tuple(shape):
                raise ValueError(
                    f"{path}: weight {dataset} has shape {tuple(node.shape)}, the model needs "
                    f"{tuple(shape)}"
                )
            arrays.append(np.ascontiguousarray(node[()], dtype=np.float32))
        native.set_weights(arrays)
        if compile and native_compiled(native) and "optimizer" in h5 and "vars" in h5["optimizer"]:
            _load_optimizer(native, h5, path)
    name = json.loads(config_text).get("config", {}).get("name", "sequential")
    return _wrap(native, name if isinstance(name, str) else "sequential")


def native_compiled(native):
    """True when the model read from the config has an optimizer to restore."""
    return len(native.keras_optimizer_variables()) > 0


def _load_optimizer(native, h5, path):
    """Restores the optimizer's variables (``optimizer/vars/0`` is ``iterations``, then the
    learning rate and the slots); the engine checks their number and sizes."""
    group = h5["optimizer"]["vars"]
    keys = sorted(group.keys(), key=lambda k: int(k) if k.isdigit() else -1)
    if [k for k in keys if not k.isdigit()] or keys != [str(i) for i in range(len(keys))]:
        raise ValueError(f"{path}: optimizer/vars holds unexpected entries {keys}")
    iterations = np.asarray(group["0"][()])
    if iterations.shape != () or not np.issubdtype(iterations.dtype, np.integer):
        raise ValueError(f"{path}: optimizer/vars/0 (iterations) is not an integer scalar")
    rest = [np.ascontiguousarray(group[k][()], dtype=np.float32).reshape(-1) for k in keys[1:]]
    native.set_keras_optimizer_variables(int(iterations), rest)


def save(model, path):
    """Writes ``model`` as a ``.keras`` file that Keras 3 loads (temporary name, then rename)."""
    h5py = _h5py()
    native = model._native
    config = native.to_keras_config(model.name)
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as h5:
        for (dataset, shape), value in zip(native.keras_weight_paths(), native.get_weights()):
            h5.create_dataset(dataset, data=np.asarray(value, dtype=np.float32).reshape(shape))
        for dataset, value in native.keras_optimizer_variables():
            if isinstance(value, int):
                h5.create_dataset(dataset, data=np.int64(value))
            else:
                h5.create_dataset(dataset, data=value)
        _name_groups(h5, model.name)
    metadata = {
        "keras_version": KERAS_VERSION,
        "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S"),
    }
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".recur-", suffix=".keras.tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as raw, zipfile.ZipFile(raw, "w") as archive:
            archive.writestr("metadata.json", json.dumps(metadata))
            archive.writestr("config.json", config)
            archive.writestr("model.weights.h5", buffer.getvalue())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _name_groups(h5, model_name):
    """Keras labels each ``vars`` group with the name of its owner; mirror it."""
    h5.require_group("vars").attrs["name"] = model_name
    layers = h5.get("layers")
    for layer_name in layers or []:
        group = layers[layer_name]
        group.require_group("vars").attrs["name"] = layer_name
        if "cell" in group:
            cell = group["cell"].require_group("vars")
            cell.attrs["name"] = cell.attrs.get("name", f"{layer_name}_cell")
