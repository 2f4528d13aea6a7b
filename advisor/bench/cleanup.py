"""Nothing a run creates outlives it: signal handlers, the run's registry record, leftovers.

A run records itself, each namespace it creates and each process it starts in
/run/cnadvisor-bench/ (:mod:`.registry`). ``bench cleanup`` removes only the namespaces
that a record of a finished or crashed run lists (never a live run's, never a name that
merely starts with ``cnab-``) and kills only the processes it recorded, checked by
executable and start time. SIGINT and SIGTERM raise :class:`Interrupted`; the
:class:`Guard` deletes the run's namespaces with both signals ignored (so a second
Ctrl-C cannot cut the cleanup short), then the exception goes on.
"""

from __future__ import annotations

import signal
from dataclasses import dataclass, field
from types import FrameType, TracebackType

from . import registry
from .netns import delete_namespace, list_namespaces, stop_processes

REGISTRY = registry.REGISTRY
RUN_ID_LENGTH = registry.RUN_ID_LENGTH
SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Interrupted(BaseException):
    """SIGINT or SIGTERM arrived; a BaseException so no ``except Exception`` swallows it."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _raise(signum: int, _frame: FrameType | None) -> None:
    raise Interrupted(signum)


def live_prefixes() -> set[str]:
    """Run ids whose owner process still exists (the same process, not a recycled pid)."""
    return {run for run, record in registry.runs().items() if registry.owner_alive(record)}


@dataclass(slots=True)
class Leftovers:
    """What a crashed run left: its namespaces and its still-running processes."""

    namespaces: dict[str, list[dict]] = field(default_factory=dict)  # name -> run's processes
    runs: list[str] = field(default_factory=list)  # dead runs whose record goes afterwards
    foreign: list[str] = field(default_factory=list)  # cnab-* names no record claims


def leftovers() -> Leftovers:
    """Namespaces and processes recorded by runs whose owner is gone; look-alikes apart."""
    existing = set(list_namespaces())
    found = Leftovers()
    claimed: set[str] = set()
    for run, record in registry.runs().items():
        names = [n for n in record.get("namespaces", []) if isinstance(n, str)]
        claimed.update(names)
        if registry.owner_alive(record):
            continue
        found.runs.append(run)
        for name in names:
            if name in existing and name.startswith(run):
                found.namespaces[name] = list(record.get("processes", []))
    found.foreign = sorted(n for n in existing if n.startswith("cnab-") and n not in claimed)
    return found


def remove_leftovers(found: Leftovers) -> list[str]:
    """Delete a crashed run's namespaces and processes, then forget the run."""
    for run in found.runs:
        record = registry.read(run) or {}
        stop_processes(record.get("processes", []))  # also those outside any namespace now
    for name, processes in found.namespaces.items():
        delete_namespace(name, processes)
    for run in found.runs:
        registry.release(run)
    return list(found.namespaces)


def remove_run(run: str) -> list[str]:
    """Delete every namespace the run recorded (and its recorded processes)."""
    record = registry.read(run) or {}
    stop_processes(record.get("processes", []))
    existing = set(list_namespaces())
    removed = [n for n in record.get("namespaces", []) if n in existing and n.startswith(run)]
    for name in removed:
        delete_namespace(name)
    return removed


class Guard:
    """``with Guard(prefix):`` registers the run, traps signals, and always cleans up."""

    def __init__(self, prefix: str, measuring: bool = True):
        self.prefix = prefix
        self.measuring = measuring
        self.previous: dict[int, object] = {}

    def __enter__(self) -> Guard:
        registry.claim(self.prefix, self.measuring)
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
            remove_run(self.prefix)
            registry.release(self.prefix)
        finally:
            for signum, handler in self.previous.items():
                signal.signal(signum, handler)  # type: ignore[arg-type]
