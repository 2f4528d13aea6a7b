"""The validated rows as one pandas DataFrame, with the columns the model derives from them.

Training and reports import this; the cold ``evaluate`` path does not (pandas is heavy).
Per-source knowledge (which rows were measured in the same test, where an MTU is stated)
lives here, not in the model, so every consumer groups and anchors rows the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import fields

import pandas as pd

from ..model.data import BenchmarkRow, load_published
from .conditions import condition, container_mtu, test_key, underlay_mtus
from .schema import COLUMNS, HOST_NETWORKING, is_relative

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
    "host_in_test", "anchored_ratio",
    "throughput_gbps", "baseline_gbps",
)  # fmt: skip


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
    # A test with a host row but no per-row baselines is anchored on that row (the median
    # when the test has several host rows, e.g. repeated runs).
    hosts = table[(table["solution_id"] == HOST_NETWORKING) & ~table["relative"]]
    host_median = hosts.groupby("condition")["value_norm"].median()
    table["host_in_test"] = table["condition"].map(host_median).astype("float64")
    by_host = (table["value_norm"] / table["host_in_test"]).where(~table["relative"])
    table["anchored_ratio"] = table["ratio"].fillna(by_host)
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
