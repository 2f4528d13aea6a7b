"""Fits spread over forked workers: the same bits as in turn, and workers only where a
fork is safe."""

from __future__ import annotations

import multiprocessing
import os
import threading

import numpy as np
import pytest
from cnadvisor.dataset.load import underlay_mtus
from cnadvisor.model import forked
from cnadvisor.model.data import load_published
from cnadvisor.model.fitting import fit
from cnadvisor.model.observations import build

CAN_FORK = len(os.sched_getaffinity(0)) >= 2 if hasattr(os, "sched_getaffinity") else False


def _pid_and_square(index: int) -> tuple[int, int]:
    return os.getpid(), index * index


@pytest.mark.skipif(not CAN_FORK, reason="needs Linux and two cores")
def test_jobs_come_back_in_order_from_other_processes(monkeypatch):
    monkeypatch.delenv(forked.OPT_OUT, raising=False)
    results = list(forked.ordered_map(_pid_and_square, 9))
    assert [square for _, square in results] == [i * i for i in range(9)]
    assert {pid for pid, _ in results} - {os.getpid()}, "no job ran in a worker"


def test_no_workers_where_a_fork_is_unsafe_or_asked_against(monkeypatch):
    monkeypatch.delenv(forked.OPT_OUT, raising=False)
    if CAN_FORK:
        assert forked.workers_for(8) >= 2
    assert forked.workers_for(1) == 0  # one job: nothing to share
    assert forked.workers_for(3, minimum=4) == 0
    monkeypatch.setenv(forked.OPT_OUT, "0")
    assert forked.workers_for(8) == 0
    monkeypatch.delenv(forked.OPT_OUT)

    seen: list[int] = []
    stop = threading.Event()
    other = threading.Thread(target=stop.wait, name="someone-elses-writer")
    other.start()
    try:  # another thread might hold a lock the child would need
        assert forked.workers_for(8) == 0
    finally:
        stop.set()
        other.join()
    elsewhere = threading.Thread(target=lambda: seen.append(forked.workers_for(8)))
    elsewhere.start()
    elsewhere.join()
    assert seen == [0]  # not from a thread other than the main one


def _workers_inside_a_worker(_: int) -> int:
    return forked.workers_for(8)


@pytest.mark.skipif(not CAN_FORK, reason="needs Linux and two cores")
def test_a_worker_runs_its_own_jobs_in_turn(monkeypatch):
    monkeypatch.delenv(forked.OPT_OUT, raising=False)
    with multiprocessing.get_context("fork").Pool(1) as pool:
        assert pool.map(_workers_inside_a_worker, [0]) == [0]


@pytest.mark.skipif(not CAN_FORK, reason="needs Linux and two cores")
def test_a_fit_with_workers_is_the_fit_in_turn(plugin_set, monkeypatch):
    """The three scout starts run in workers: the fitted costs must be the same bits."""
    profiles = {key: item.profile for key, item in plugin_set.solutions.items()}
    observations = build(load_published(), profiles, underlay_mtus())
    studies = sorted(set(observations.study.astype(str)))[:4]
    few = observations.subset(np.isin(observations.study.astype(str), studies))
    monkeypatch.delenv(forked.OPT_OUT, raising=False)
    spread = fit(few, max_nfev=30)
    monkeypatch.setenv(forked.OPT_OUT, "0")
    in_turn = fit(few, max_nfev=30)
    assert np.array_equal(spread.theta_, in_turn.theta_)


@pytest.mark.skipif(not CAN_FORK, reason="needs Linux and two cores")
def test_no_workers_while_a_plugin_call_is_stuck_past_its_deadline(monkeypatch):
    """An abandoned plugin call still runs in the guard's thread and may hold a lock a
    child would need: nothing forks until it returns."""
    from cnadvisor import pluginguard

    monkeypatch.delenv(forked.OPT_OUT, raising=False)
    release = threading.Event()
    outcome = pluginguard.Guard().run(lambda: release.wait(10), deadline=0.05)
    try:
        assert outcome.timed_out
        assert forked.workers_for(8) == 0
    finally:
        release.set()
    for _ in range(100):  # the abandoned call returns; its thread goes back to waiting
        if not pluginguard.running_plugin_code():
            break
        threading.Event().wait(0.05)
    assert forked.workers_for(8) >= 2
