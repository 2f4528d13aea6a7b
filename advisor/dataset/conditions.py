"""Which rows are comparable: per-source test keys, and the MTUs a source states.

Pure Python (no pandas), so the model's code can group `BenchmarkRow`s the same way the
DataFrame does. Per-source knowledge lives here, not in the model.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping

from ..model.data import BenchmarkRow
from .files import shipped_sources

_COLUMN_TAIL = re.compile(r",\s*column\s.*$")
_RUN = re.compile(r"(-run\d+)?\.(results|tsv)$")


def _locator_without_column(row: BenchmarkRow) -> str:
    """A table's row, without the cell's column: the solutions are the columns."""
    return _COLUMN_TAIL.sub("", row.locator)


def _infrabuilder_2024(row: BenchmarkRow) -> str:
    # results/<cni>/<run>/<test>.results: the test, pooled over runs and CNIs
    return _RUN.sub("", row.locator.rsplit("/", 1)[-1]) + _node_role(row)


def _infrabuilder_2020(row: BenchmarkRow) -> str:
    # results/<cni setup>.<OS and kernel>/<...>-runN.tsv holds every test of one run;
    # the CNI setup (e.g. calico-3.16-mtu) is the solution, the kernel is a condition
    kernel = re.search(r"\.(u\d\d\.\d\d-[a-z]+)/", row.locator)
    variant = kernel.group(1) if kernel else ""
    named = re.search(r"during test '([^']+)'", row.notes)
    return variant + (f"/{named.group(1)}" if named else "") + _node_role(row)


def _node_role(row: BenchmarkRow) -> str:
    """Which node and CPU mode a whole-node CPU or memory figure is about."""
    if row.metric not in ("cpu", "memory"):
        return ""
    node = re.search(r"\b(client|server) node", row.notes)
    mode = re.search(r"mode=(\w+)|%(user|system)", row.notes)
    parts = [node.group(1) if node else "", (mode.group(1) or mode.group(2)) if mode else ""]
    return "/" + "/".join(parts)


_ROW = re.compile(r",?\s*(?:table )?row (?:case\d+ )?'[^']*'")


def _locator_without_row(row: BenchmarkRow) -> str:
    """A table whose rows are the solutions: the table (and column) is the test."""
    return _ROW.sub("", row.locator)


TEST_KEY: dict[str, Callable[[BenchmarkRow], str]] = {
    "infrabuilder-2024": _infrabuilder_2024,
    "infrabuilder-2020": _infrabuilder_2020,
    "daocloud-cni-2023": _locator_without_column,  # table and row; columns are the CNIs
    # Tables whose rows are the solutions (columns, if any, are conditions or statistics).
    "machinezone-k8s-net-2016": _locator_without_row,
    "spiderpool-io-perf-2023": _locator_without_row,
    "rootlesskit-docs-bench": _locator_without_row,
    "egressgateway-troubleshooting": _locator_without_row,
}


def test_key(row: BenchmarkRow) -> str:
    """The test a row was measured in, by its source's rule (default: the locator without
    the cell's column, so one table row is one test)."""
    return TEST_KEY.get(row.source_id, _locator_without_column)(row)


def condition(row: BenchmarkRow) -> str:
    """Rows with the same key were measured in one source, in the same test, under the same
    conditions: only they may be compared with each other."""
    parts = (
        row.source_id,
        row.metric,
        row.scenario,
        row.virtualization,
        row.protocol,
        f"{row.message_size_bytes:g}",
        f"{row.streams:g}",
        "service" if row.via_service else "pod",
        test_key(row),
    )
    return "|".join(parts)


def underlay_mtus(sources: Mapping[str, Mapping[str, str]] | None = None) -> dict[str, float]:
    """Each source's stated underlay MTU ("MTU N" in sources.csv `conditions`)."""
    found = {}
    for source_id, source in (shipped_sources() if sources is None else sources).items():
        match = re.search(r"MTU (\d+)", source.get("conditions", "") or "")
        if match:
            found[source_id] = float(match.group(1))
    return found


def container_mtu(notes: str) -> float:
    """The pod MTU a row's notes state ("pod MTU N"), NaN when none."""
    match = re.search(r"pod MTU (\d+)", notes)
    return float(match.group(1)) if match else math.nan
