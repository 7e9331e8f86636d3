"""The keyword arguments of ``recur.series``, ``recur.many`` and ``recur.spark``: their defaults
(the functions' signatures), the check for unknown ones, and their crossing into Rust as one
JSON object, where every value is checked (``python/src/settings.rs``). Also the atomic write of
a model file, which every ``save`` shares."""

import inspect
import json
import math
import os
import tempfile


def defaults(fn):
    """The keyword-only parameters of ``fn`` and their defaults, in order."""
    return {
        p.name: p.default
        for p in inspect.signature(fn).parameters.values()
        if p.kind is inspect.Parameter.KEYWORD_ONLY
    }


def pick(given, unknown, known):
    """The settings among ``given`` (a dict of every argument) named in ``known``; an
    ``unknown`` keyword raises ``ValueError`` naming it and listing the known ones."""
    if unknown:
        name = sorted(unknown)[0]
        raise ValueError(f"unknown setting {name!r}: expected one of {', '.join(known)}")
    return {k: given[k] for k in known}


def plain(key, value):
    """A setting as a JSON value (NumPy scalars and tuples too); NaN and infinities are
    refused here, naming the setting, because JSON has no spelling for them."""
    if hasattr(value, "item") and not isinstance(value, (list, tuple)):
        value = value.item()
    if isinstance(value, tuple):
        value = list(value)
    if isinstance(value, list):
        return [plain(key, v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{key}: expected a finite number, got {value}")
    if value is not None and not isinstance(value, (bool, int, float, str)):
        raise ValueError(f"{key}: expected a number, a string or None, got {type(value).__name__}")
    return value


def to_json(settings):
    """The settings as the JSON text the native side reads."""
    return json.dumps({k: plain(k, v) for k, v in settings.items()})


def whole(key, value):
    """``value`` as a Python int (NumPy integers too); ``ValueError`` naming ``key`` otherwise
    or when negative (the native side checks the range)."""
    if isinstance(value, bool) or not isinstance(value, int):
        if hasattr(value, "item") and isinstance(value.item(), int):
            return value.item()
        raise ValueError(f"{key}: expected a whole number, got {value!r}")
    if value < 0:
        raise ValueError(f"{key}: expected a whole number >= 1, got {value}")
    return value


def write_atomically(path, data):
    """Writes ``data`` to a temporary file beside ``path``, then renames it over ``path``:
    a reader never sees half a file, and a failed write leaves the old one."""
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=os.path.basename(path) + ".", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
