"""The model cache: data only (.npz read with allow_pickle=False), keyed, atomic.

The key covers the training data, the profiles the rows were featurised with,
and the versions of cnadvisor, scikit-learn and numpy, so any change retrains.
A damaged or foreign file is reported, set aside and rebuilt, never executed;
two processes training at once each write a private temporary file and
atomically rename it, so readers only ever see a whole file.
"""

from __future__ import annotations

import json
import os
import tempfile
import warnings
from pathlib import Path
from typing import Any

import numpy as np

CACHE_ENV = "CNADVISOR_CACHE_DIR"
FORMAT = 1


def cache_dir() -> Path:
    configured = os.environ.get(CACHE_ENV)
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "cnadvisor"


def path_for(key: str) -> Path:
    return cache_dir() / f"model-{key[:24]}.npz"


def save(key: str, arrays: dict[str, np.ndarray], meta: dict[str, Any]) -> Path:
    target = path_for(key)
    target.parent.mkdir(parents=True, exist_ok=True)
    payload = dict(arrays)
    payload["meta"] = np.array(json.dumps(meta | {"key": key, "format": FORMAT}))
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".model-", suffix=".npz")
    try:
        with os.fdopen(handle, "wb") as stream:
            np.savez(stream, **payload)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


def load(key: str) -> tuple[dict[str, np.ndarray], dict[str, Any]] | None:
    """The cached arrays and metadata for ``key``; None (with a warning) if absent or bad."""
    target = path_for(key)
    if not target.exists():
        return None
    try:
        with np.load(target, allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in archive.files}
        meta = json.loads(str(arrays.pop("meta")))
        if meta.get("key") != key or meta.get("format") != FORMAT:
            raise ValueError("it was made for other data or versions")
        return arrays, meta
    except Exception as error:  # any damage means: rebuild, never trust
        warnings.warn(f"model cache {target} is unreadable ({error}); retraining", stacklevel=2)
        target.replace(target.with_suffix(".bad"))
        return None
