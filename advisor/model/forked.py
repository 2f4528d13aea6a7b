"""Independent fits (cross-validation folds, the fit's scout starts) spread over forked
worker processes, results in order.

Each job is a fit of its own, single-threaded and deterministic, so a job computed in a
worker gives the same bits as one computed here: only the time taken changes (the card's
two cross-validations, training's interval widths and its three scout starts are most of
the time either takes). Workers are used where :func:`cnadvisor.forking.usable_workers`
says a fork is safe (a fold's own scouts, inside a worker, run in turn there) and there
are at least ``minimum`` jobs.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

from ..forking import forked_pool, usable_workers

OPT_OUT = "CNADVISOR_FIT_WORKERS"  # "0": every fit here in turn (to debug or profile one)

_job: dict[str, Callable[[int], Any]] = {}  # the job function the workers inherit


def workers_for(jobs: int, minimum: int = 2) -> int:
    """How many worker processes to use for ``jobs`` jobs; 0 for none (in turn)."""
    if jobs < minimum or os.environ.get(OPT_OUT) == "0":
        return 0
    return min(usable_workers(), jobs)


def ordered_map(function: Callable[[int], Any], jobs: int, minimum: int = 2) -> Iterator[Any]:
    """``function(0) .. function(jobs - 1)`` in order, in forked workers where
    ``workers_for`` allows, else here in turn."""
    workers = workers_for(jobs, minimum)
    if not workers:
        yield from (function(index) for index in range(jobs))
        return
    _job["function"] = function
    try:
        with forked_pool(workers) as pool:
            yield from pool.imap(_run, range(jobs))
    finally:
        _job.clear()


def _run(index: int) -> Any:
    return _job["function"](index)
