"""Contributed rows: bad ones are dropped and reported, never fatal; absurd or foreign ones
never reach training unless the user trusts the plugin."""

from __future__ import annotations

from pathlib import Path

import pytest
from cnadvisor.dataset.contributed import (
    TRUST_VARIABLE,
    contributed_rows,
    local_files,
    trusted_plugins,
    vet_contributed,
)
from cnadvisor.dataset.schema import COLUMNS
from cnadvisor.model.data import rows_from_dicts
from hypothesis import given, settings
from hypothesis import strategies as st

ROW = {
    "source_id": "vendor-2025", "locator": "Table 2", "solution_id": "calico-vxlan",
    "scenario": "inter-host", "virtualization": "bare-metal", "protocol": "tcp",
    "encryption": "none", "metric": "throughput", "unit": "Gbps", "value": "8.1",
    "baseline_value": "9.4", "baseline_label": "host row", "streams": "1",
}  # fmt: skip


def _rows(*changes: dict) -> list:
    return rows_from_dicts([ROW | change for change in changes], "plugin vendor")


def test_a_plausible_row_about_the_plugins_own_solution_is_kept():
    kept, dropped = vet_contributed(_rows({}), "vendor", {"calico-vxlan"}, trusted=False)
    assert len(kept) == 1 and dropped == []


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"value": "1e-9"}, "ratio to its reference 1.06e-10 is outside the physical range"),
        ({"value": "1e9"}, "ratio to its reference 1.06e+08 is outside the physical range"),
        ({"baseline_value": "", "baseline_label": "", "value": "1e-9"}, "outside the plausible"),
        ({"baseline_value": "", "baseline_label": "", "link_gbps": "10", "value": "40"},
         "exceeds the stated link"),
        ({"metric": "throughput_loss", "unit": "percent", "value": "100", "relative_to": "host",
          "baseline_value": "", "baseline_label": ""}, "ratio to its reference 0 is outside"),
        ({"baseline_value": "0"}, "ratio to its reference inf"),
    ],
)  # fmt: skip
def test_absurd_figures_are_dropped_with_their_reason(change, reason):
    kept, dropped = vet_contributed(_rows(change), "vendor", {"calico-vxlan"}, trusted=True)
    assert kept == [] and len(dropped) == 1
    assert str(dropped[0]).startswith("plugin vendor, row 1: ") and reason in dropped[0].reason


@settings(max_examples=60, deadline=None)
@given(ratio=st.one_of(st.floats(1.51, 1e12), st.floats(1e-15, 0.00099)))
def test_no_throughput_ratio_outside_the_physical_range_survives(ratio):
    rows = _rows({"value": repr(9.4 * ratio)})
    kept, dropped = vet_contributed(rows, "vendor", {"calico-vxlan"}, trusted=True)
    assert kept == [] and len(dropped) == 1


def test_a_plugin_may_not_describe_a_competitor_unless_trusted(monkeypatch):
    rows = _rows({"solution_id": "flannel-vxlan"}, {})
    monkeypatch.delenv(TRUST_VARIABLE, raising=False)
    kept, dropped = vet_contributed(rows, "vendor", {"calico-vxlan"})
    assert [r.solution_id for r in kept] == ["calico-vxlan"]
    (drop,) = dropped
    assert "'flannel-vxlan' is not one of plugin 'vendor'" in drop.reason
    assert f"{TRUST_VARIABLE}=vendor" in drop.reason
    monkeypatch.setenv(TRUST_VARIABLE, "other, vendor")
    kept, dropped = vet_contributed(rows, "vendor", {"calico-vxlan"})
    assert len(kept) == 2 and dropped == []


def test_trust_list_is_comma_separated():
    assert trusted_plugins({TRUST_VARIABLE: " a,b ,,c"}) == {"a", "b", "c"}
    assert trusted_plugins({}) == set()


def test_bad_plugin_rows_are_dropped_and_reported_not_raised():
    items = [ROW, ROW | {"value": "inf"}, "not a dict", ROW | {"colour": "red"}, ROW]
    rows, problems = contributed_rows(items, "plugin vendor")
    assert [r.row_number for r in rows] == [1, 5]
    assert problems == [
        "plugin vendor, row 2, column value: inf is not finite (expected a finite number)",
        "plugin vendor, row 3: a str, not a dict",
        "plugin vendor, row 4: unknown columns ['colour']",
    ]


def _write(path: Path, *rows: dict) -> Path:
    lines = [",".join(COLUMNS)]
    lines += [",".join(str((ROW | r).get(c, "")) for c in COLUMNS) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_malformed_local_file_is_skipped_with_a_warning_naming_it(tmp_path):
    good = _write(tmp_path / "a.csv", {}, {"value": "7.5"})
    bad = _write(tmp_path / "b.csv", {}, {"value": "-1"}, {"streams": "0.5"})
    header = tmp_path / "c.csv"
    header.write_text("source_id,value\nx,1\n", encoding="utf-8")
    binary = tmp_path / "d.csv"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    rows, warnings = local_files([good, bad, header, binary])
    assert [r.value for r in rows] == [8.1, 7.5]
    assert warnings[0] == (
        f"skipped {bad}: {bad}, row 3, column value: -1 is negative "
        "(expected >= 0; only percentages with relative_to are signed) (and 1 more)"
    )
    assert warnings[1].startswith(f"skipped {header}: {header}: header lacks columns")
    assert warnings[2].startswith(f"skipped {binary}: cannot read it")
