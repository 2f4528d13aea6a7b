"""Forked worker pools, checked and run one way for the batch (``cli.parallel``) and the
model's fits (``model.forked``).

A fork copies only the thread that calls it. It is safe here when that is the main
thread and the only other thread is the plugin guard's worker, idle while its caller
works: any other thread might hold a lock the child then needs (a TUI's writer holding
the stdout buffer, which a worker flushes as it exits). Workers are forked from the
loaded process, so they start at once with its data and share its pages until they
write to them; the collector is frozen meanwhile, or its passes would write to every
inherited object and copy each page.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
import threading
from collections.abc import Iterator
from typing import Any

from .pluginguard import THREAD_NAME, running_plugin_code

MAX_WORKERS = 4


def usable_workers() -> int:
    """Worker processes this process may fork now (0: run in turn): Linux, two or more
    usable cores, the main thread beside at most the plugin guard's workers, none of them
    inside plugin code (a call abandoned at its deadline still is), and not itself a pool
    worker (which may not start workers)."""
    import multiprocessing

    if not sys.platform.startswith("linux") or multiprocessing.current_process().daemon:
        return 0
    if threading.current_thread() is not threading.main_thread() or any(
        thread.name != THREAD_NAME
        for thread in threading.enumerate()
        if thread is not threading.main_thread()
    ):
        return 0
    if running_plugin_code():  # the guard's worker is not idle: a plugin call is stuck in it
        return 0
    cores = len(os.sched_getaffinity(0))
    return min(cores, MAX_WORKERS) if cores >= 2 else 0


@contextlib.contextmanager
def forked_pool(workers: int) -> Iterator[Any]:
    """A ``multiprocessing`` pool of ``workers`` forked processes: closed and joined when
    the block ends, terminated if it raises (Ctrl-C included: the workers ignore SIGINT
    and leave it to this process)."""
    import multiprocessing

    gc.freeze()
    pool = multiprocessing.get_context("fork").Pool(workers, initializer=_ignore_interrupts)
    try:
        yield pool
        pool.close()
    except BaseException:
        pool.terminate()
        raise
    finally:
        pool.join()
        gc.unfreeze()


def _ignore_interrupts() -> None:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
