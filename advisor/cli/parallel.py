"""A long batch evaluated in worker processes, its results written in input order.

Used only where it changes nothing but the time taken:
- the model says its predictions do not depend on which options are predicted together
  (``batch_invariant``): each worker's prediction cache then holds the same figures a
  single process would;
- every plugin check is a built-in one (no plugin thread, deadline or budget whose state
  one worker could not share with the others);
- the format's text for one file depends only on that file (not HTML, which numbers its
  sections), and ``--strict-plugins`` (which stops at the first broken plugin) is off;
- at least ``MIN_FILES`` files, and a fork is safe and pays
  (:func:`cnadvisor.forking.usable_workers`: Linux, two cores, no other thread at work).

Workers are forked from the process that has loaded the advisor, so they start at once
with its plugins, model and memos. Each file is read and checked in a worker; a file that
cannot be read is reported in its place in the order, and the rest of the batch runs.

A worker writes each chunk's results to a spool file of its own and hands back only where
each result lies; this process has the kernel copy them into the output
(:class:`~cnadvisor.render.output.Spooled`) and deletes the file. A batch's JSON is about
85 kB a file: passed through a pipe, pickled and written again, it cost this process about
half a CPU-second per 1,000 files beyond its start-up (twice what the copies cost now),
taken from the two cores its workers need.
"""

from __future__ import annotations

import argparse
import gc
import os
import shutil
import tempfile
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from ..forking import forked_pool, usable_workers

MIN_FILES = 64  # below this, starting the workers costs more than they save
CHUNK = 8  # files per task: few enough hand-overs, small enough to keep workers level
FORMATS = ("json", "csv", "table", "markdown")

_state: dict[str, Any] = {}  # the advisor and renderer the workers inherit


def workers_for(advisor: Any, args: argparse.Namespace, items: Sequence[Any]) -> int:
    """How many worker processes to use for these inputs; 0 for none (evaluate in turn).
    Standard input is read here, in order: a batch that includes it runs in turn."""
    from ..loading import STDIN

    if len(items) < MIN_FILES or args.format not in FORMATS or args.strict_plugins:
        return 0
    if any(item == STDIN for item in items if isinstance(item, str)):
        return 0
    if not getattr(advisor.model, "batch_invariant", False):
        return 0
    plugins = advisor.plugins
    if plugins is not None and not all(
        plugins.info(impl.plugin_name).builtin for impl in plugins.checkers()
    ):
        return 0
    return usable_workers()


# ("text", text, plugin problems) or ("problems", list, []); from a worker the text comes
# as its UTF-8 bytes: a str crossing the pipe is encoded there and decoded here, and
# decoding a batch's 90 MB took this process about a second, beside its busy workers
Outcome = tuple[str, Any, list]


def outcomes(items: Sequence[Any], advisor: Any, renderer: Any, workers: int) -> Iterator[Outcome]:
    """Each item's outcome in input order, evaluated by ``workers`` forked processes (at
    most two chunks per worker are in flight, so memory and spool space stay flat). A
    text outcome's value is a ``Spooled`` piece, valid until the next outcome is asked for."""
    from ..render.output import OutputFailed

    try:
        spool = Path(tempfile.mkdtemp(prefix="cnadvisor-batch-"))
    except OSError as error:
        raise OutputFailed(f"could not create the batch's spool folder: {error}") from None
    _state.update(advisor=advisor, renderer=renderer, spool=spool)
    try:
        with forked_pool(workers) as pool:
            pending: deque = deque()
            starts = range(0, len(items), CHUNK)
            for number, start in enumerate(starts):
                chunk = list(items[start : start + CHUNK])
                pending.append(pool.apply_async(_evaluate_chunk, (number, chunk)))
                if len(pending) >= 2 * workers:
                    yield from _unspooled(spool, *_result(pending.popleft(), spool))
            while pending:
                yield from _unspooled(spool, *_result(pending.popleft(), spool))
    finally:
        _state.clear()
        shutil.rmtree(spool, ignore_errors=True)


def _result(task: Any, spool: Path) -> tuple[int, list[Outcome]]:
    """A chunk's result; a spool file a worker could not write (a full disk) fails the
    batch as a failed output does, naming the folder, not with a traceback."""
    from ..render.output import OutputFailed

    try:
        return task.get()
    except OSError as error:
        raise OutputFailed(f"could not write the batch's spool in {spool}: {error}") from None


def _unspooled(spool: Path, number: int, found: list[Outcome]) -> Iterator[Outcome]:
    """One chunk's outcomes, each text as the piece of the chunk's spool file it lies in;
    the file goes once the chunk has been written out."""
    from ..render.output import Spooled

    path = spool / str(number)
    descriptor = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        for kind, value, raised in found:
            if kind == "spooled":
                yield ("text", Spooled(descriptor, *value), raised)
            else:
                yield (kind, value, raised)
    finally:
        os.close(descriptor)
        path.unlink(missing_ok=True)


def evaluate_one(item: Any, advisor: Any, render: Callable[[Any, Any], str | bytes]) -> Outcome:
    """One input's outcome: its rendered text (and the plugin problems it raised), or the
    problems that kept it from being read."""
    from ..loading import InputProblem, RequirementsError, load_file

    if isinstance(item, InputProblem):
        return ("problems", [item], [])
    try:
        loaded = load_file(item)
    except RequirementsError as error:
        return ("problems", error.problems, [])
    known = len(advisor.plugins.problems) if advisor.plugins else 0
    evaluation = advisor.evaluate(loaded.requirements, source=loaded.source)
    raised = advisor.plugins.problems[known:] if advisor.plugins else []
    return ("text", render(evaluation, loaded.requirements), list(raised))


def _evaluate_chunk(number: int, chunk: list[Any]) -> tuple[int, list[Outcome]]:
    """In a worker: each file of the chunk, rendered as it would be after the first, its
    text written to the chunk's spool file; a text outcome says where: (offset, length).

    The worker collects garbage once per chunk, not by allocation count. An evaluation
    leaves no reference cycles behind (a test checks it), so the automatic passes only
    walked the memos as they grew: about 5 % of a worker's time. A pass over the chunk's
    young objects at its end still frees any cycle a plugin or an error left."""
    gc.disable()  # a worker's own collector (the first chunk turns it off)
    try:
        return _evaluated_chunk(number, chunk)
    finally:
        gc.collect(0)


def _evaluated_chunk(number: int, chunk: list[Any]) -> tuple[int, list[Outcome]]:
    advisor, renderer = _state["advisor"], _state["renderer"]

    def render(evaluation: Any, requirements: Any) -> bytes:
        renderer.count = 1  # the parent has written the first result itself
        return renderer.add_encoded(evaluation, requirements)

    found: list[Outcome] = []
    with open(_state["spool"] / str(number), "wb") as spool:
        for item in chunk:
            kind, value, raised = evaluate_one(item, advisor, render)
            if kind == "text":
                found.append(("spooled", (spool.tell(), len(value)), raised))
                spool.write(value)
            else:
                found.append((kind, value, raised))
    return number, found
