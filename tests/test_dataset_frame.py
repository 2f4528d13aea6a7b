"""The validated DataFrame: derived columns, grouping by test, and a cold path without pandas."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from cnadvisor.dataset.files import shipped_sources
from cnadvisor.dataset.load import DERIVED, load_frame
from cnadvisor.dataset.schema import COLUMNS
from cnadvisor.plugins import load_plugins

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return load_frame()


def test_the_frame_has_the_schema_and_the_derived_columns(frame):
    assert list(frame.columns) == [*COLUMNS, *DERIVED]
    assert frame["value"].dtype == "float64" and frame["via_service"].dtype == bool
    assert frame["origin"].str.fullmatch(r"datasets/published/[a-z0-9.-]+\.csv").all()
    assert (frame["origin"].str.split("/").str[-1] == frame["source_id"] + ".csv").all()
    assert frame["row_number"].min() == 2
    assert not frame.duplicated(["origin", "row_number"]).any()


def test_every_shipped_solution_id_is_a_known_profile():
    known = set(load_plugins().solutions)
    assert len(load_frame(known_solutions=known)) > 0


def test_throughput_is_normalised_to_gbps_with_its_baseline(frame):
    mbps = frame[(frame["metric"] == "throughput") & (frame["unit"] == "Mbps")]
    assert len(mbps) > 0
    assert ((mbps["throughput_gbps"] - mbps["value"] / 1000).abs() < 1e-12).all()
    anchored = frame[frame["baseline_gbps"].notna()]
    ratio = anchored["throughput_gbps"] / anchored["baseline_gbps"]
    assert ((ratio - anchored["ratio"]).abs() < 1e-12).all()
    assert frame.loc[frame["metric"] != "throughput", "throughput_gbps"].isna().all()


def test_mtus_come_from_sources_and_notes(frame):
    sources = shipped_sources()
    stated = frame[frame["underlay_mtu"].notna()]
    for source_id, mtu in stated.groupby("source_id")["underlay_mtu"].first().items():
        assert f"MTU {mtu:.0f}" in sources[source_id]["conditions"]
    pods = frame[frame["container_mtu"].notna()]
    assert len(pods) > 0
    assert all(
        f"pod MTU {m:.0f}" in n for m, n in zip(pods["container_mtu"], pods["notes"], strict=True)
    )


def test_daocloud_conditions_are_table_rows_not_cells(frame):
    dao = frame[(frame["source_id"] == "daocloud-cni-2023") & (frame["solution_id"] != "host")]
    sizes = dao.groupby("condition").size()
    assert (sizes == 6).all(), sizes[sizes != 6]  # the six CNI columns of one table row


def test_infrabuilder_2024_runs_of_one_test_share_a_condition(frame):
    tests = frame[(frame["source_id"] == "infrabuilder-2024") & (frame["metric"] == "throughput")]
    assert set(tests["test"]) == {"dts", "dtm", "dus", "dum", "sts", "stm", "sus", "sum"}
    by_test = tests.groupby("condition")["test"].nunique()
    assert (by_test == 1).all() and len(by_test) == 8


def test_infrabuilder_2020_conditions_separate_kernel_variants(frame):
    rows = frame[(frame["source_id"] == "infrabuilder-2020") & (frame["metric"] == "throughput")]
    variants = rows["test"].str.split("/").str[0]
    assert {"u18.04-default", "u20.04-default"} <= set(variants)
    assert (rows.groupby("condition")["test"].nunique() == 1).all()


def test_service_rows_are_flagged(frame):
    sts = frame[(frame["source_id"] == "infrabuilder-2024") & (frame["test"] == "sts")]
    assert len(sts) > 0 and sts["via_service"].all()
    dts = frame[(frame["source_id"] == "infrabuilder-2024") & (frame["test"] == "dts")]
    assert not dts["via_service"].any()


def test_cold_evaluate_imports_neither_pandas_nor_sklearn(tmp_path):
    env = dict(os.environ, CNADVISOR_CACHE_DIR=str(tmp_path / "cache"))
    command = [sys.executable, "-m", "cnadvisor.cli", "evaluate", "examples/requirements/"]
    warm = subprocess.run([*command, "-f", "json"], cwd=ROOT, env=env, capture_output=True)
    assert warm.returncode == 0, warm.stderr
    assert list((tmp_path / "cache").glob("model-*.npz")), "the first run caches the model"
    probe = (
        "import sys, json; from cnadvisor.cli import main\n"
        "sys.argv = ['cnadvisor', 'evaluate', 'examples/requirements/', '-f', 'json']\n"
        "try:\n    code = main()\nexcept SystemExit as exit:\n    code = exit.code\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'pandas', 'sklearn', 'scipy'})\n"
        "print(json.dumps({'code': code, 'heavy': heavy}), file=sys.stderr)\n"
    )
    cold = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True
    )
    result = json.loads(cold.stderr.strip().splitlines()[-1])
    assert result["heavy"] == [] and result["code"] in (0, None)
    assert len(json.loads(cold.stdout)["results"]) == len(json.loads(warm.stdout)["results"])


def test_a_test_without_baselines_is_anchored_on_its_host_row():
    from cnadvisor.dataset.load import frame as to_frame
    from cnadvisor.model.data import rows_from_dicts

    base = {
        "source_id": "lab", "locator": "Table 3, row 64K, column X", "scenario": "inter-host",
        "virtualization": "bare-metal", "protocol": "tcp", "encryption": "none",
        "metric": "throughput", "unit": "Mbps",
    }  # fmt: skip
    rows = rows_from_dicts(
        [
            base | {"solution_id": "host", "value": "9000"},
            base | {"solution_id": "calico-ipip", "value": "4500", "locator": "Table 3, row 64K"},
            base | {"solution_id": "calico-ipip", "value": "3000", "locator": "Table 4, row 64K"},
            base | {"solution_id": "flannel-vxlan", "value": "7", "unit": "Gbps",
                    "baseline_value": "10", "baseline_label": "host column"},
        ],
        "plugin lab",
    )  # fmt: skip
    table = to_frame(rows, mtus={})
    assert table["host_in_test"].tolist()[:2] == [9.0, 9.0] and table["host_in_test"].iloc[3] == 9.0
    assert table["anchored_ratio"].iloc[1] == 0.5
    assert math.isnan(table["anchored_ratio"].iloc[2])  # Table 4 has no host row
    assert table["anchored_ratio"].iloc[3] == 0.7  # its own baseline wins


def test_rows_that_need_a_free_offset_never_sit_alone_in_their_test(frame):
    """A row with no baseline of its own teaches the model only through other rows of the
    same test; alone in its condition it teaches nothing (the DaoCloud defect of issue 10)."""
    sizes = frame["condition"].map(frame.groupby("condition").size())
    unanchored = frame["anchored_ratio"].isna() & (frame["solution_id"] != "")
    assert sizes[unanchored].min() >= 2, frame.loc[unanchored & (sizes == 1), "origin"].unique()


def test_tables_whose_rows_are_solutions_group_by_table(frame):
    spider = frame[frame["source_id"] == "spiderpool-io-perf-2023"]
    assert spider["test"].str.contains("row '").sum() == 0
    assert spider.groupby("condition")["solution_label"].nunique().max() >= 4
