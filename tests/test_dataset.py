"""The shipped benchmark data: every row valid and traceable; bad rows named precisely."""

from __future__ import annotations

import csv
import io

import pytest
from cnadvisor.model.data import (
    COLUMNS,
    DatasetError,
    load_published,
    parse_rows,
    rows_from_dicts,
    shipped_sources,
)


def test_every_shipped_row_is_valid_and_has_provenance():
    rows = load_published()
    sources = shipped_sources()
    assert len(rows) >= 400 and len(sources) >= 8
    for row in rows:
        assert row.locator.strip() and row.source_id in sources
        source = sources[row.source_id]
        assert source["url"].startswith("http") or source["repository"]
    for source in sources.values():
        assert source["title"] and source["year"] and source["licence"]


def test_relative_figures_are_stored_as_relative_rows():
    relative = [
        r
        for r in load_published()
        if r.unit in ("percent", "ratio")
        and r.metric in ("throughput", "throughput_loss", "latency")
    ]
    assert relative and all(r.relative_to for r in relative)


GOOD = {c: "" for c in COLUMNS} | {
    "source_id": "s", "locator": "Table 1", "solution_id": "calico-vxlan",
    "scenario": "inter-host", "virtualization": "bare-metal", "protocol": "tcp",
    "encryption": "none", "metric": "throughput", "unit": "Gbps", "value": "9.1",
    "baseline_value": "9.4", "baseline_label": "host row",
}  # fmt: skip


def _csv(*rows: dict) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def test_a_good_row_parses():
    (row,) = parse_rows(_csv(GOOD), "x.csv", {"s"})
    assert row.throughput_gbps == 9.1 and row.baseline_value == 9.4


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        ("scenario", "same-box", "column scenario: 'same-box' is not one of"),
        ("value", "fast", "column value: 'fast' is not a number"),
        ("value", "", "column value: empty"),
        ("source_id", "nobody", "column source_id: 'nobody' not in sources.csv"),
        ("locator", "", "column locator: empty"),
        ("unit", "furlongs", "column unit: 'furlongs' is not one of"),
    ],
)
def test_a_bad_row_names_file_row_and_column(column, value, expected):
    with pytest.raises(DatasetError) as error:
        parse_rows(_csv(GOOD, GOOD | {column: value}), "bad.csv", {"s"})
    (problem,) = error.value.problems
    assert problem.startswith("bad.csv, row 3, ") and expected in problem


def test_missing_header_columns_are_named():
    with pytest.raises(DatasetError, match="header lacks columns"):
        parse_rows("source_id,value\ns,1\n", "short.csv")


def test_plugin_rows_are_validated_like_csv_rows():
    assert rows_from_dicts([GOOD], "plugin p")[0].solution_id == "calico-vxlan"
    with pytest.raises(DatasetError, match="unknown columns"):
        rows_from_dicts([GOOD | {"colour": "red"}], "plugin p")
