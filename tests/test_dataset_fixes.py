"""The defects issue 10 found in the shipped data stay fixed."""

from __future__ import annotations

import csv
import io
from importlib import resources
from statistics import mean

from cnadvisor.dataset.anchor import reanchor, role


def _text(name: str) -> str:
    published = resources.files("cnadvisor_datasets").joinpath("published")
    return published.joinpath(name).read_bytes().decode("utf-8")


def test_infrabuilder_2024_baselines_are_the_mean_of_the_bare_metal_runs():
    text = _text("infrabuilder-2024.csv")
    assert reanchor(text) == (text, 0)  # nothing left to re-anchor
    rows = list(csv.DictReader(text.splitlines()))
    bare = {}
    for row in rows:
        if row["solution_label"] == "baremetal":
            bare.setdefault(role(row), []).append(float(row["value"]))
    anchored = [r for r in rows if r["baseline_value"] and r["solution_label"] != "baremetal"]
    assert len(anchored) > 2000
    for row in anchored:
        runs = bare[role(row)]
        assert len(runs) == 3
        assert abs(float(row["baseline_value"]) - mean(runs)) <= 1e-6 * max(1.0, mean(runs))
        assert "mean of runs 1, 2, 3" in row["baseline_label"]


def test_reanchoring_changes_only_baselines_never_a_measured_value():
    text = _text("infrabuilder-2024.csv")
    reader = csv.DictReader(io.StringIO(text))
    rows = list(reader)
    for row in rows:
        if row["baseline_value"]:
            row["baseline_value"], row["baseline_label"] = "1", "run 1"
    spoiled = io.StringIO()
    writer = csv.DictWriter(spoiled, fieldnames=reader.fieldnames or [])
    writer.writeheader()
    writer.writerows(rows)
    again, changed = reanchor(spoiled.getvalue())
    assert changed > 2000 and again == text


def test_daocloud_service_table_has_only_the_rows_the_source_prints():
    rows = list(csv.DictReader(io.StringIO(_text("daocloud-cni-2023.csv"))))
    service = [r for r in rows if "'Service 相关吞吐量" in r["locator"]]
    assert len(service) == 4 * 6  # four test rows × six CNI columns, no node-to-node row
    assert not [r for r in service if r["solution_id"] == "host"]
    for row in service:
        if row["baseline_value"]:
            assert "Pod 相关吞吐量 table" in row["baseline_label"]
    assert not [r for r in rows if "tool produced the table is not stated" in r["notes"]]
    assert all("netperf" in r["notes"] for r in rows if r["metric"] == "throughput")
