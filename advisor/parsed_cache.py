"""Data files parsed once: the parsed data kept as JSON, keyed by a hash of the text.

Every start reads the plugins' profile files. PyYAML builds their data in Python, about
30 ms for the built-in profiles, on every cold ``evaluate``; JSON of the same data loads
in a tenth of that. The key is the SHA-256 of the text, named in the file's name and
inside the entry, so an edited file never meets an old entry and a foreign file is not
taken for one. Only data that survives JSON unchanged is kept (a YAML date or an integer
key would not): what is read back always equals what parsing gives. Entries are plain
JSON (never executed), read and written like the model cache's small files
(``model.cache.read_small_text`` and ``write_small_text``: no links followed, no FIFO
waited on, whole or not at all); a damaged or unreadable entry is parsed again and
replaced.
No usable cache folder only means parsing each time.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Callable
from typing import Any

FOLDER = "parsed"
MAX_BYTES = 4 * 1024 * 1024  # an entry larger than this is not one of ours


def parsed(text: str, kind: str, parse: Callable[[str], Any]) -> Any:
    """``parse(text)``, or the data kept from an earlier parse of the same text. ``parse``
    raises as it would without the cache (a text that fails is never kept)."""
    from .model.cache import preferred_dir, read_small_text, write_small_text  # no numpy

    folder = preferred_dir()
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    path = None if folder is None else folder / FOLDER / f"{kind}-{digest}.json"
    if path is not None:
        with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
            entry = json.loads(read_small_text(path, MAX_BYTES))
            if entry["sha256"] == digest:  # a foreign or moved file is not an entry
                return entry["data"]
    data = parse(text)
    encoded = _encoded({"sha256": digest, "data": data}) if path is not None else None
    if encoded is not None:
        with contextlib.suppress(OSError):
            write_small_text(path, encoded)
    return data


def _encoded(entry: dict[str, Any]) -> str | None:
    """The entry as JSON when JSON gives back exactly its data, same values and same types
    all through (``==`` alone would take 1 for 1.0 and True for 1); else None."""
    try:
        encoded = json.dumps(entry, allow_nan=False, separators=(",", ":"))
    except (TypeError, ValueError):
        return None
    return encoded if _same(entry, json.loads(encoded)) else None


def _same(a: Any, b: Any) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[key], b[key]) for key in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return a == b
