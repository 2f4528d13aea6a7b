"""Nothing a run creates outlives it: signal handlers, a live-run registry, leftovers.

A run registers its prefix with its pid in /run/cnadvisor-bench/, so ``bench cleanup``
removes only namespaces of runs whose process is gone (a crashed run), never those of a
run still measuring next door. SIGINT and SIGTERM raise :class:`Interrupted`; the
:class:`Guard` deletes every namespace carrying the run's prefix with both signals
ignored (so a second Ctrl-C cannot cut the cleanup short), then the exception goes on.
"""

from __future__ import annotations

import contextlib
import os
import signal
from pathlib import Path
from types import FrameType, TracebackType

from .netns import ROOT_PREFIX, delete_namespace, list_namespaces

REGISTRY = Path("/run/cnadvisor-bench")
RUN_ID_LENGTH = len(ROOT_PREFIX) + 7  # "cnab-" + 6 hex + "-"
SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Interrupted(BaseException):
    """SIGINT or SIGTERM arrived; a BaseException so no ``except Exception`` swallows it."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _raise(signum: int, _frame: FrameType | None) -> None:
    raise Interrupted(signum)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def live_prefixes() -> set[str]:
    """Prefixes of runs whose process still exists."""
    live = set()
    for entry in REGISTRY.glob(f"{ROOT_PREFIX}*") if REGISTRY.is_dir() else ():
        try:
            pid = int(entry.read_text().strip())
        except (OSError, ValueError):
            continue
        if _alive(pid):
            live.add(entry.name)
        else:
            entry.unlink(missing_ok=True)
    return live


def leftovers() -> list[str]:
    """Our namespaces (ROOT_PREFIX) that belong to no live run."""
    live = live_prefixes()
    return [
        name
        for name in list_namespaces()
        if name.startswith(ROOT_PREFIX) and name[:RUN_ID_LENGTH] not in live
    ]


def remove_prefix(prefix: str) -> list[str]:
    """Delete every namespace whose name starts with prefix (and its processes and links)."""
    removed = [name for name in list_namespaces() if name.startswith(prefix)]
    for name in removed:
        delete_namespace(name)
    return removed


class Guard:
    """``with Guard(prefix):`` registers the run, traps signals, and always cleans up."""

    def __init__(self, prefix: str):
        self.prefix = prefix
        self.previous: dict[int, object] = {}

    def __enter__(self) -> Guard:
        REGISTRY.mkdir(parents=True, exist_ok=True)
        (REGISTRY / self.prefix).write_text(f"{os.getpid()}\n")
        for signum in SIGNALS:
            self.previous[signum] = signal.signal(signum, _raise)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        for signum in SIGNALS:
            signal.signal(signum, signal.SIG_IGN)
        try:
            remove_prefix(self.prefix)
            with contextlib.suppress(OSError):
                (REGISTRY / self.prefix).unlink()
        finally:
            for signum, handler in self.previous.items():
                signal.signal(signum, handler)  # type: ignore[arg-type]
