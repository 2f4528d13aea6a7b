"""Running third-party plugin code so that it cannot take cnadvisor down or hijack its output.

Plugins run in-process with the user's rights, so nothing here is a sandbox. What it
does guard against are the ordinary ways a plugin breaks a run:

- ``sys.exit``, ``KeyboardInterrupt`` or any other ``BaseException`` raised by plugin
  code: the plugin code runs in a worker thread, so whatever it raises is caught there
  and reported. A real Ctrl-C is delivered to the main thread, which is only waiting,
  and so still stops cnadvisor.
- a hook that never returns or a generator that never ends: every call has a deadline;
  after it the worker is abandoned (a daemon thread) and the caller disables the plugin.
- a hook that returns millions of items: results are cut off at an item cap and a node cap.
- ``print()`` in plugin code: while plugin code runs, and for ever in an abandoned
  worker, ``sys.stdout`` writes of plugin threads go to stderr, and file descriptor 1
  points at stderr, so ``-f json`` on stdout stays parseable.
- results with hidden behaviour (generators, dict subclasses, models with validators):
  they are turned into plain dicts, lists, strings and numbers inside the guard, so no
  plugin code can run once the guard returns.

What cannot be guarded in-process: ``os._exit``, a C extension that holds the GIL or
crashes the interpreter, a signal the plugin sends to its own process, and code that
deliberately reaches into cnadvisor's objects. ``docs/security.md`` says so to users.
"""

from __future__ import annotations

import enum
import numbers
import os
import queue
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

TIMEOUT_ENV = "CNADVISOR_PLUGIN_TIMEOUT"
DEFAULT_TIMEOUT = 10.0  # seconds for one import or one hook call
MAX_ITEMS = 10_000  # items one hook call may return
MAX_NODES = 1_000_000  # values (all levels) in one hook call's result
MAX_DEPTH = 20  # nesting of one result item
IDLE_SECONDS = 10.0  # a worker with nothing to do for this long ends
THREAD_NAME = "cnadvisor-plugin"  # the worker thread that runs plugin calls

_PLUGIN_THREADS: set[int] = set()  # idents of threads that run plugin code, live or abandoned
_BUSY: set[int] = set()  # idents of those running plugin code right now (abandoned too)


def timeout() -> float:
    """The per-call deadline in seconds, from ``CNADVISOR_PLUGIN_TIMEOUT`` if set."""
    raw = os.environ.get(TIMEOUT_ENV)
    if not raw:
        return DEFAULT_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        return DEFAULT_TIMEOUT
    return value if 0 < value < float("inf") else DEFAULT_TIMEOUT


class ResultError(ValueError):
    """A hook's result is not plain data of a reasonable size."""


@dataclass(frozen=True)
class Outcome:
    """What one guarded call gave: a value, or why it gave none."""

    value: Any = None
    error: str | None = None
    seconds: float = 0.0
    timed_out: bool = False


class _RoutedStdout:
    """``sys.stdout`` that sends the writes of plugin threads to stderr."""

    def __init__(self, original: Any):
        self._original = original

    def _target(self) -> Any:
        if threading.get_ident() in _PLUGIN_THREADS:
            return sys.stderr if sys.stderr is not None else self._original
        return self._original

    def write(self, text: str) -> int:
        return self._target().write(text)

    def writelines(self, lines: Any) -> None:
        self._target().writelines(lines)

    def flush(self) -> None:
        target = self._target()
        if target is not None:
            target.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._target(), name)


def running_plugin_code() -> bool:
    """Whether some worker thread is inside plugin code now, such as a call abandoned at
    its deadline: whoever forks must not, since that code may hold a lock the child needs."""
    return bool(_BUSY)


class _Worker:
    """One daemon thread that runs plugin calls handed to it, one at a time. It ends
    after a while with nothing to do, so plugin sets that are no longer used (tests,
    notebooks) do not each keep a thread."""

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        self._state = threading.Lock()
        self._alive = True
        self._thread = threading.Thread(target=self._loop, name=THREAD_NAME, daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        ident = threading.get_ident()
        _PLUGIN_THREADS.add(ident)
        while True:
            try:
                job, box, done = self._jobs.get(timeout=IDLE_SECONDS)
            except queue.Empty:
                with self._state:
                    if self._jobs.empty():
                        self._alive = False
                        _PLUGIN_THREADS.discard(ident)
                        return
                continue
            _BUSY.add(ident)
            try:
                box.append((True, job()))
            except BaseException as error:  # plugin code: report, never die
                box.append((False, describe(error)))  # here: its repr is plugin code too
            finally:
                _BUSY.discard(ident)
                done.set()

    def submit(self, job: Callable[[], Any]) -> tuple[list, threading.Event] | None:
        """Hand ``job`` over; None if this worker has ended (idle) and a new one is needed."""
        box: list = []
        done = threading.Event()
        with self._state:
            if not self._alive:
                return None
            self._jobs.put((job, box, done))
        return box, done


class Guard:
    """Runs plugin code under a deadline, with stdout sent to stderr, catching everything.

    One guard serves one plugin set; calls are serialised. A call that misses its
    deadline leaves its worker behind (the plugin is stuck in it) and the next call
    gets a fresh worker.
    """

    def __init__(self) -> None:
        self._worker: _Worker | None = None
        self._lock = threading.Lock()
        self._abandoned = 0

    def run(self, job: Callable[[], Any], *, deadline: float | None = None) -> Outcome:
        """Run ``job`` (plugin code plus the conversion of its result) in the worker."""
        limit = timeout() if deadline is None else deadline
        with self._lock, _StdoutToStderr(keep=lambda: self._abandoned > 0):
            started = time.perf_counter()
            handed = self._worker.submit(job) if self._worker else None
            while handed is None:  # no worker yet, or it ended while idle
                self._worker = _Worker()
                handed = self._worker.submit(job)
            box, done = handed
            try:
                finished = done.wait(limit)  # a real Ctrl-C interrupts this wait
            except BaseException:  # the user's Ctrl-C: the worker is still busy
                self._worker, self._abandoned = None, self._abandoned + 1
                raise
            if not finished:
                self._worker = None  # stuck in plugin code: abandon it
                self._abandoned += 1
            seconds = time.perf_counter() - started
        if not finished:
            return Outcome(error=f"gave no answer within {limit:g} s", seconds=seconds,
                           timed_out=True)  # fmt: skip
        ok, value = box[0]
        if ok:
            return Outcome(value=value, seconds=seconds)
        return Outcome(error=value, seconds=seconds)


def describe(error: BaseException) -> str:
    """A one-line account of what plugin code raised. Call it inside the guard: the
    exception's ``repr`` is plugin code as well, and may itself fail."""
    try:
        if isinstance(error, SystemExit):
            code = repr(error.code)[:100]
            return f"called sys.exit({code}); cnadvisor does not exit for a plugin"
        if isinstance(error, KeyboardInterrupt):
            return "raised KeyboardInterrupt (not a Ctrl-C from the user)"
        if isinstance(error, ResultError):
            return str(error)
        text = repr(error)
        return f"raised {text[:300]}{'…' if len(text) > 300 else ''}"
    except BaseException:  # in the worker thread: nothing here is the user's Ctrl-C
        return f"raised {type(error).__name__} (which cannot even describe itself)"


class _StdoutToStderr:
    """While plugin code runs: Python-level and fd-level stdout go to stderr."""

    def __init__(self, keep: Callable[[], bool]):
        self._keep = keep
        self._saved_fd: int | None = None
        self._installed = False

    def __enter__(self) -> None:
        if not isinstance(sys.stdout, _RoutedStdout) and sys.stdout is not None:
            sys.stdout = _RoutedStdout(sys.stdout)
            self._installed = True
        try:
            if sys.stdout is not None:
                sys.stdout.flush()  # what cnadvisor wrote so far goes to the real stdout
            self._saved_fd = os.dup(1)
            os.dup2(2, 1)  # subprocesses and os.write(1, ...) of plugin code: to stderr
        except (OSError, ValueError, AttributeError):
            self._saved_fd = None

    def __exit__(self, *exc: object) -> None:
        if self._saved_fd is not None:
            try:
                os.dup2(self._saved_fd, 1)
            finally:
                os.close(self._saved_fd)
        if self._installed and isinstance(sys.stdout, _RoutedStdout) and not self._keep():
            sys.stdout = sys.stdout._original  # an abandoned worker keeps the routing


def listed(value: Any) -> list[Any]:
    """A trusted (built-in) hook's result as a list, with the same shape rules as
    :func:`plain` but no conversion."""
    if value is None:
        return []
    if isinstance(value, (str, bytes, bytearray, dict)) or not hasattr(value, "__iter__"):
        raise ResultError(f"returned {type(value).__name__}; expected a list of items")
    return list(value)


def plain(value: Any, *, what: str = "result") -> list[Any]:
    """A hook's returned iterable as a list of plain data (dict/list/str/int/float/bool/None).

    Runs inside the guard: iterating a generator or reading a dict subclass is plugin
    code. Pydantic models are dumped first. Raises ResultError for anything else, for a
    string or mapping where a list was expected, and past the item, node or depth caps.
    """
    if value is None:
        return []
    if isinstance(value, (str, bytes, bytearray, dict)) or not hasattr(value, "__iter__"):
        raise ResultError(f"returned {type(value).__name__}; expected a list of items")
    items: list[Any] = []
    budget = [MAX_NODES]
    for index, item in enumerate(value):
        if index >= MAX_ITEMS:
            raise ResultError(f"returned more than {MAX_ITEMS:,} items; all left out")
        items.append(_plain(item, budget, 0, f"item {index}"))
    return items


def _plain(value: Any, budget: list[int], depth: int, where: str) -> Any:
    budget[0] -= 1
    if budget[0] < 0:
        raise ResultError(f"returned more than {MAX_NODES:,} values in all; all left out")
    if depth > MAX_DEPTH:
        raise ResultError(f"{where} is nested more than {MAX_DEPTH} levels deep")
    if value is None or type(value) in (bool, int, float, str):
        return value
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, numbers.Integral):  # int subclasses, numpy integers
        return int(value)
    if isinstance(value, numbers.Real):  # float subclasses, numpy floats
        return float(value)
    if isinstance(value, str):
        return str.__str__(value)
    dump = getattr(type(value), "model_dump", None)  # a pydantic model (e.g. SolutionProfile)
    if dump is not None:
        return _plain(dump(value, mode="json"), budget, depth, where)
    if isinstance(value, dict):
        plain_dict = {}
        for key, item in list(value.items()):
            if not isinstance(key, (str, int)) or isinstance(key, bool):
                raise ResultError(f"{where} has a key of type {type(key).__name__}")
            key = _plain(key, budget, depth + 1, where)
            plain_dict[key] = _plain(item, budget, depth + 1, where)
        return plain_dict
    if isinstance(value, (list, tuple)):
        return [_plain(item, budget, depth + 1, where) for item in list(value)]
    if isinstance(value, enum.Enum):  # e.g. Severity.EXCLUDE
        return _plain(value.value, budget, depth + 1, where)
    raise ResultError(f"{where} contains a {type(value).__name__}; expected plain data")
