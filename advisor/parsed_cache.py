"""Data files parsed once: the parsed data kept as JSON, keyed by a hash of the text.

Every start reads the plugins' profile files. PyYAML builds their data in Python, about
30 ms for the built-in profiles, on every cold ``evaluate``; JSON of the same data loads
in a tenth of that. The key is the SHA-256 of the text, so an edited file never meets
an old entry. Only data that survives JSON unchanged is kept (a YAML date or an integer
key would not): what is read back always equals what parsing gives. Entries are plain
JSON (never executed), written to a private temporary file and renamed, so a reader
sees a whole file or none; a damaged or unreadable entry is parsed again and replaced.
No usable cache folder only means parsing each time.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

FOLDER = "parsed"
MAX_BYTES = 4 * 1024 * 1024  # an entry larger than this is not one of ours


def parsed(text: str, kind: str, parse: Callable[[str], Any]) -> Any:
    """``parse(text)``, or the data kept from an earlier parse of the same text. ``parse``
    raises as it would without the cache (a text that fails is never kept)."""
    path = _entry(text, kind)
    if path is not None:
        with contextlib.suppress(OSError, ValueError):
            return _read(path)
    data = parse(text)
    if path is not None and _json_safe(data):
        with contextlib.suppress(OSError):
            _write(path, data)
    return data


def _entry(text: str, kind: str) -> Path | None:
    from .model.cache import preferred_dir  # the model's cache folder (no numpy imported)

    folder = preferred_dir()
    if folder is None:
        return None
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return folder / FOLDER / f"{kind}-{digest}.json"


def _read(path: Path) -> Any:
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | os.O_NONBLOCK | os.O_CLOEXEC
    descriptor = os.open(path, flags)
    with os.fdopen(descriptor, "rb") as stream:
        raw = stream.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise ValueError(f"{path}: larger than an entry can be")
    return json.loads(raw)


def _json_safe(data: Any) -> bool:
    """True when JSON gives back exactly ``data``: same values and same types all through
    (``==`` alone would take 1 for 1.0 and True for 1)."""
    try:
        again = json.loads(json.dumps(data, allow_nan=False))
    except (TypeError, ValueError):
        return False
    return _same(data, again)


def _same(a: Any, b: Any) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[key], b[key]) for key in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def _write(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".parsed-", suffix=".json")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(data, stream, allow_nan=False, separators=(",", ":"))
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
