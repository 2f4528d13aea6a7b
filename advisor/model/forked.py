"""Independent fits (cross-validation folds, the fit's scout starts) spread over forked
worker processes, results in order.

Each job is a fit of its own, single-threaded and deterministic, so a job computed in a
worker gives the same bits as one computed here: only the time taken changes (the card's
two cross-validations, training's interval widths and its three scout starts are most of
the time either takes). Workers are used only where forking is safe and pays:
- Linux (``fork`` keeps the parent's loaded data; no pickling of the training rows);
- this is the main thread, and no other thread runs but the plugin guard's worker, idle
  while the caller fits (a fork copies no other thread, so a lock another thread held,
  such as a TUI's writer holding the stdout buffer, would stay held in the child);
- not inside a worker already (a fold's own scouts run in turn there);
- at least two usable cores and at least ``minimum`` jobs.
"""

from __future__ import annotations

import gc
import os
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any

from ..pluginguard import THREAD_NAME

MAX_WORKERS = 4
OPT_OUT = "CNADVISOR_FIT_WORKERS"  # "0": every fit here in turn (to debug or profile one)

_job: dict[str, Callable[[int], Any]] = {}  # the job function the workers inherit


def workers_for(jobs: int, minimum: int = 2) -> int:
    """How many worker processes to use for ``jobs`` jobs; 0 for none (in turn)."""
    import multiprocessing

    if jobs < minimum or not sys.platform.startswith("linux") or os.environ.get(OPT_OUT) == "0":
        return 0
    if threading.current_thread() is not threading.main_thread() or any(
        thread.name != THREAD_NAME
        for thread in threading.enumerate()
        if thread is not threading.main_thread()
    ):
        return 0
    if multiprocessing.current_process().daemon:  # a pool worker may not start workers
        return 0
    cores = len(os.sched_getaffinity(0))
    return min(cores, MAX_WORKERS, jobs) if cores >= 2 else 0


def ordered_map(function: Callable[[int], Any], jobs: int, minimum: int = 2) -> Iterator[Any]:
    """``function(0) .. function(jobs - 1)`` in order, in forked workers where
    ``workers_for`` allows, else here in turn."""
    workers = workers_for(jobs, minimum)
    if not workers:
        yield from (function(index) for index in range(jobs))
        return
    import multiprocessing

    _job["function"] = function
    gc.freeze()  # the collector would write to every inherited object: a copy of each page
    pool = multiprocessing.get_context("fork").Pool(workers, initializer=_worker_start)
    try:
        yield from pool.imap(_run, range(jobs))
        pool.close()
    except BaseException:
        pool.terminate()
        raise
    finally:
        pool.join()
        gc.unfreeze()
        _job.clear()


def _worker_start() -> None:
    """A Ctrl-C is the parent's to handle: it stops the workers itself."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _run(index: int) -> Any:
    return _job["function"](index)
