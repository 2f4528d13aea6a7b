"""The validated rows as one pandas DataFrame, with the columns the model derives from them.

Training and reports import this; the cold ``evaluate`` path does not (pandas is heavy).
Per-source knowledge (which rows were measured in the same test, where an MTU is stated)
lives here, not in the model, so every consumer groups and anchors rows the same way.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import fields

import pandas as pd

from ..model.data import BenchmarkRow, load_published
from .files import shipped_sources
from .schema import COLUMNS, is_relative

# Factor to the canonical unit of each metric family; relative units stay as they are.
CANONICAL = {
    "Gbps": ("Gbps", 1.0),
    "Mbps": ("Gbps", 1e-3),
    "Mpps": ("Mpps", 1.0),
    "kpps": ("Mpps", 1e-3),
    "us": ("us", 1.0),
    "ms": ("us", 1e3),
}
DERIVED = (
    "origin", "row_number", "test", "condition", "via_service", "underlay_mtu",
    "container_mtu", "relative", "unit_norm", "value_norm", "baseline_norm", "ratio",
    "throughput_gbps", "baseline_gbps",
)  # fmt: skip

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


TEST_KEY: dict[str, Callable[[BenchmarkRow], str]] = {
    "infrabuilder-2024": _infrabuilder_2024,
    "infrabuilder-2020": _infrabuilder_2020,
    "daocloud-cni-2023": _locator_without_column,  # table and row
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


def frame(rows: Iterable[BenchmarkRow], mtus: Mapping[str, float] | None = None) -> pd.DataFrame:
    """Validated rows (shipped, plugin or local) as a DataFrame with the derived columns."""
    rows = list(rows)
    mtus = underlay_mtus() if mtus is None else mtus
    names = [f.name for f in fields(BenchmarkRow)]
    table = pd.DataFrame([[getattr(r, n) for n in names] for r in rows], columns=names)
    table = table.astype({c: "float64" for c in ("message_size_bytes", "link_gbps", "streams")})
    table = table.astype({"value": "float64", "baseline_value": "float64"})
    table["row_number"] = table["row_number"].astype("int64")
    table["test"] = [test_key(r) for r in rows]
    table["condition"] = [condition(r) for r in rows]
    table["via_service"] = pd.Series([r.via_service for r in rows], dtype="bool")
    table["underlay_mtu"] = table["source_id"].map(mtus).astype("float64")
    table["container_mtu"] = table["notes"].map(container_mtu).astype("float64")
    table["relative"] = pd.Series([is_relative(r.metric, r.unit) for r in rows], dtype="bool")
    canonical = table["unit"].map(lambda u: CANONICAL.get(u, (u, 1.0)))
    factor = canonical.map(lambda c: c[1]).astype("float64")
    table["unit_norm"] = canonical.map(lambda c: c[0]).astype(str)
    table["value_norm"] = table["value"] * factor
    table["baseline_norm"] = table["baseline_value"] * factor
    with_baseline = ~table["relative"] & (table["baseline_norm"] > 0)
    table["ratio"] = (table["value_norm"] / table["baseline_norm"]).where(with_baseline)
    throughput = (table["metric"] == "throughput") & (table["unit_norm"] == "Gbps")
    table["throughput_gbps"] = table["value_norm"].where(throughput)
    table["baseline_gbps"] = table["baseline_norm"].where(throughput)
    return table[[*COLUMNS, *DERIVED]]


def load_frame(
    *,
    known_solutions: Iterable[str] | None = None,
    extra: Iterable[BenchmarkRow] = (),
) -> pd.DataFrame:
    """Every shipped row, validated strictly, plus `extra` rows (already validated plugin or
    local rows), as one DataFrame: the 18 schema columns and `DERIVED`."""
    return frame([*load_published(known_solutions), *extra])
