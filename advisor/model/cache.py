"""The model cache: data only (.npz read with allow_pickle=False), keyed, atomic.

The key covers the training data, the profiles the rows were featurised with,
and the versions of cnadvisor, scikit-learn and numpy, so any change retrains.
A damaged or foreign file is reported, set aside and rebuilt, never executed;
two processes training at once each write a private temporary file and
atomically rename it, so readers only ever see a whole file.

The cache never costs the user the trained model: with no usable cache folder
(``HOME`` unset or read-only, as under CI and systemd) it moves to a private
folder under the temporary directory, says so once, and saving never raises.
Reading opens the file without following links or blocking, so a FIFO, device
or folder at the cache path is damage like any other, not a hang.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import tempfile
import time
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

CACHE_ENV = "CNADVISOR_CACHE_DIR"
FORMAT = 1
MAX_BYTES = 64 * 1024 * 1024  # a cached model is a few kB; anything this big is not one

_fallback: Path | None = None
_warned: set[str] = set()


def _warn_once(message: str) -> None:
    if message not in _warned:
        _warned.add(message)
        warnings.warn(message, stacklevel=3)


def preferred_dir() -> Path | None:
    """Where the cache belongs: $CNADVISOR_CACHE_DIR, else $XDG_CACHE_HOME or ~/.cache."""
    configured = os.environ.get(CACHE_ENV)
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME")
    if not base:
        try:
            home = Path.home()
        except (RuntimeError, KeyError):  # no HOME and no passwd entry
            return None
        if not home.is_dir():  # HOME=/nonexistent (systemd, CI): never create a home
            return None
        base = str(home / ".cache")
    return Path(base) / "cnadvisor"


def _usable(folder: Path) -> bool:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return folder.is_dir() and os.access(folder, os.W_OK | os.X_OK)


def _private_temporary() -> Path:
    """A folder under the temporary directory that only this user owns (a shared /tmp
    may hold someone else's folder, or a link, under the expected name)."""
    folder = Path(tempfile.gettempdir()) / f"cnadvisor-cache-{os.getuid()}"
    with contextlib.suppress(FileExistsError):
        folder.mkdir(mode=0o700)
    info = os.lstat(folder)
    if stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid() and _usable(folder):
        return folder
    return Path(tempfile.mkdtemp(prefix="cnadvisor-cache-"))


def cache_dir() -> Path:
    """The cache folder to use now: the preferred one when it can be written, else a
    private temporary one (with one warning per process)."""
    global _fallback
    preferred = preferred_dir()
    if preferred is not None and _usable(preferred):
        return preferred
    if _fallback is None:
        _fallback = _private_temporary()
    why = "HOME is unset or missing" if preferred is None else f"{preferred} cannot be written"
    _warn_once(f"model cache: {why}; using {_fallback} for this run")
    return _fallback


def path_for(key: str) -> Path:
    return cache_dir() / f"model-{key[:24]}.npz"


def save(key: str, arrays: dict[str, np.ndarray], meta: dict[str, Any]) -> Path | None:
    """Store the model; the path, or None when no folder would take it (warned once).
    Never raises: the model in memory stays in use either way."""
    import numpy as np

    payload = dict(arrays)
    payload["meta"] = np.array(json.dumps(meta | {"key": key, "format": FORMAT}))
    target = path_for(key)
    for attempt in (target, _private_temporary() / target.name):
        try:
            return _write(attempt, payload)
        except OSError as error:
            failure = error
    _warn_once(f"model cache: could not save the trained model ({failure}); it stays in use")
    return None


def _write(target: Path, payload: dict[str, np.ndarray]) -> Path:
    import numpy as np

    target.parent.mkdir(parents=True, exist_ok=True)
    if target.is_dir() and not target.is_symlink():
        _set_aside(target)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".model-", suffix=".npz")
    try:
        with os.fdopen(handle, "wb") as stream:
            np.savez(stream, **payload)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


def _set_aside(target: Path) -> None:
    """Move a damaged entry out of the way under a name no earlier one has (``.bad`` may
    already exist, even as a folder)."""
    stamp = f"{time.strftime('%Y%m%d%H%M%S')}-{os.getpid()}-{time.monotonic_ns() % 10**9}"
    try:
        os.replace(target, target.with_name(f"{target.name}.bad-{stamp}"))
    except OSError:
        with contextlib.suppress(OSError):
            target.unlink()


def read_small_text(path: Path, limit: int = 1024 * 1024) -> str:
    """A small regular file beside the cache (e.g. the data fingerprint memo), read like
    the cache itself: no links followed, never blocking on a FIFO. Raises OSError or
    ValueError when it is not such a file."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    descriptor = os.open(path, flags | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(descriptor, "rb") as stream:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
            raise ValueError(f"{path} is not a small regular file")
        return stream.read(limit).decode("utf-8")


def write_small_text(path: Path, text: str) -> None:
    """A small file beside the cache, written whole or not at all: a private temporary
    file in the same folder, renamed into place (a reader never sees half of it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _read(target: Path) -> dict[str, np.ndarray]:
    """The arrays of a regular cache file, opened without following links or blocking."""
    import numpy as np

    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    descriptor = os.open(target, flags | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(descriptor, "rb") as stream:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise ValueError("it is not a regular file")
        if info.st_size > MAX_BYTES:
            raise ValueError(f"it is larger than {MAX_BYTES // 2**20} MiB")
        with np.load(stream, allow_pickle=False) as archive:
            return {name: archive[name] for name in archive.files}


def check_arrays(arrays: dict[str, np.ndarray]) -> None:
    """Plain numbers only, all finite: a NaN in a cached model would print 'nan Gbps'."""
    import numpy as np

    for name, array in arrays.items():
        if array.dtype.kind not in "biuf":
            raise ValueError(f"array {name!r} holds {array.dtype}, not numbers")
        if array.dtype.kind == "f" and not np.all(np.isfinite(array)):
            raise ValueError(f"array {name!r} holds NaN or infinite values")


def _reject_constant(name: str) -> Any:
    raise ValueError(f"metadata holds {name}")


def load(key: str) -> tuple[dict[str, np.ndarray], dict[str, Any]] | None:
    """The cached arrays and metadata for ``key``; None (with a warning) if absent or bad."""
    target = path_for(key)
    if not os.path.lexists(target):
        return None
    try:
        arrays = _read(target)
        meta = json.loads(str(arrays.pop("meta")), parse_constant=_reject_constant)
        if not isinstance(meta, dict):
            raise ValueError("its metadata is not a mapping")
        if meta.get("key") != key or meta.get("format") != FORMAT:
            raise ValueError("it was made for other data or versions")
        check_arrays(arrays)
        return arrays, meta
    except Exception as error:  # any damage means: rebuild, never trust
        warnings.warn(f"model cache {target} is unreadable ({error}); retraining", stacklevel=2)
        _set_aside(target)
        return None
