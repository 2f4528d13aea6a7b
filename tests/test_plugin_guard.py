"""The guard around third-party plugin code: results become plain data or one clear
error, and a call that exits, raises, prints or hangs is contained."""

from __future__ import annotations

import itertools
import sys
import time

import pytest
from cnadvisor.pluginguard import MAX_DEPTH, MAX_ITEMS, Guard, ResultError, plain
from hypothesis import given
from hypothesis import strategies as st

JSON_LIKE = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=30,
)


@given(st.lists(JSON_LIKE, max_size=20))
def test_plain_data_comes_back_unchanged(items):
    assert plain(items) == items
    assert plain(tuple(items)) == items
    assert plain(iter(items)) == items


@given(st.text() | st.binary() | st.dictionaries(st.text(), st.integers()) | st.integers())
def test_a_result_that_is_not_a_list_is_one_error_naming_its_type(value):
    with pytest.raises(ResultError, match=f"returned {type(value).__name__}; expected a list"):
        plain(value)


def test_an_endless_result_stops_at_the_item_cap():
    started = time.monotonic()
    with pytest.raises(ResultError, match=f"more than {MAX_ITEMS:,} items"):
        plain(itertools.repeat(42))
    assert time.monotonic() - started < 5


def test_deep_nesting_and_foreign_objects_are_refused():
    deep: list = []
    for _ in range(MAX_DEPTH + 5):
        deep = [deep]
    with pytest.raises(ResultError, match="nested more than"):
        plain([deep])
    with pytest.raises(ResultError, match="contains a object"):
        plain([{"x": object()}])


def test_exit_interrupt_and_exceptions_become_errors():
    guard = Guard()
    assert "sys.exit(3)" in guard.run(lambda: sys.exit(3)).error

    def interrupt():
        raise KeyboardInterrupt

    assert "KeyboardInterrupt" in guard.run(interrupt).error
    assert "ZeroDivisionError" in guard.run(lambda: 1 / 0).error
    assert guard.run(lambda: [1, 2]).value == [1, 2]


def test_an_exception_whose_repr_exits_is_still_described():
    class Weird(Exception):
        def __repr__(self) -> str:
            sys.exit("from repr")

    def raise_weird():
        raise Weird

    outcome = Guard().run(raise_weird)
    assert outcome.error == "raised Weird (which cannot even describe itself)"


def test_a_call_past_its_deadline_is_abandoned_and_the_next_call_still_works():
    import threading

    guard = Guard()
    release = threading.Event()  # the stuck call ends with the test (a thread inside
    started = time.monotonic()  # plugin code keeps every later test from forking)
    try:
        outcome = guard.run(lambda: release.wait(30), deadline=0.5)
        assert outcome.timed_out and "no answer within 0.5 s" in outcome.error
        assert time.monotonic() - started < 5
        assert guard.run(lambda: "after", deadline=5).value == "after"
    finally:
        release.set()


def test_an_idle_worker_ends_and_the_next_call_starts_another(monkeypatch):
    import threading

    from cnadvisor import pluginguard

    monkeypatch.setattr(pluginguard, "IDLE_SECONDS", 0.2)
    guard = Guard()
    assert guard.run(threading.get_ident).value
    first = guard._worker._thread
    first.join(timeout=5)
    assert not first.is_alive()  # ended while idle: no thread kept per plugin set
    assert guard.run(lambda: "again").value == "again"
    assert guard._worker._thread is not first


def test_plugin_output_goes_to_stderr(capfd):
    import os

    guard = Guard()
    print("cnadvisor's own line")

    def noisy():
        print("plugin print")
        os.write(1, b"plugin raw write\n")
        return []

    assert guard.run(noisy).error is None
    print("cnadvisor's second line")
    out, err = capfd.readouterr()
    assert "plugin" not in out and "plugin print" in err and "plugin raw write" in err
    assert out.splitlines() == ["cnadvisor's own line", "cnadvisor's second line"]
