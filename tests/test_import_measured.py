"""After `cnadvisor import`, `evaluate` scores an option measured on the user's cluster on
the measured pod/host ratio and says so, in JSON and in the table."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from cnadvisor.cli import main
from cnadvisor.importers import measured, store

FIXTURES = Path(__file__).parent / "fixtures" / "imports"
TABLES = FIXTURES / "k8s-netperf-docs-tables.csv"
SYSTEM = """name: bulk transfer between nodes
workload:
  traffic: {inter_host: 1.0}
  protocol: tcp
  message_size: 1024
"""


def _measured_ratio() -> float:
    """Pod over host throughput for TCP_STREAM 1024 B across nodes, pod to pod, averaged
    over the drivers (netperf, iperf3, uperf), read straight from the file."""
    rows = list(csv.DictReader(TABLES.open()))

    def pick(host: str) -> dict[str, float]:
        return {
            r["Driver"]: float(r["Avg Throughput"])
            for r in rows
            if (r["Profile"], r["Message Size"], r["Service"], r["Host Network"])
            == ("TCP_STREAM", "1024", "false", host)
        }

    pods, hosts = pick("false"), pick("true")
    assert sorted(pods) == ["iperf3", "netperf", "uperf"]
    return sum(pods[d] / hosts[d] for d in pods) / len(pods)


def _calico(document: dict) -> dict:
    (result,) = document["results"]
    return next(o for o in result["ranked"] if o["id"] == "calico-bgp")


def test_evaluate_uses_and_names_the_measured_figure(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("CNADVISOR_DATA_DIR", str(tmp_path / "data"))
    assert measured.imported_root() == store.root()
    system = tmp_path / "system.yaml"
    system.write_text(SYSTEM)
    assert main(["evaluate", str(system), "--format", "json"]) == 0
    before = _calico(json.loads(capsys.readouterr().out))
    (predicted,) = before["predictions"]
    assert not predicted["model"].startswith("measured")

    assert main(["import", "k8s-netperf", str(TABLES), "--solution", "calico-bgp",
                 "--cluster", "prod"]) == 0  # fmt: skip
    capsys.readouterr()
    assert main(["evaluate", str(system), "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert "measured on cluster prod" in document["results"][0]["model"]["name"]
    (now,) = _calico(document)["predictions"]
    ratio = _measured_ratio()
    assert now["model"] == "measured on cluster prod"
    assert now["throughput_ratio"]["value"] == pytest.approx(ratio)
    assert predicted["throughput_ratio"]["value"] != pytest.approx(ratio)
    assert now["basis"][0].startswith(f"measured on cluster prod: {ratio:.3f} of host")
    assert "the score uses this measured figure" in now["basis"][0]
    assert now["basis"][1].startswith("model prediction (not used for the score): ")
    assert f"{predicted['throughput_ratio']['value']:.3f}" in now["basis"][1]
    # Options not measured keep their prediction.
    others = [o for o in document["results"][0]["ranked"] if o["id"] != "calico-bgp"]
    assert all(not p["model"].startswith("measured") for o in others for p in o["predictions"])

    assert main(["evaluate", str(system), "--format", "table"]) == 0
    assert "measured on cluster prod" in " ".join(capsys.readouterr().out.split())


def test_host_rows_of_the_same_cluster_are_the_baseline(tmp_path, monkeypatch) -> None:
    """iperf3 has no baseline of its own: the imported host-network run of the same cluster,
    scenario, protocol, size and flows is one (InfraBuilder 2024, antrea vs bare metal)."""
    from cnadvisor.importers.api import import_files
    from cnadvisor.importers.common import Options
    from cnadvisor.performance import AnalyticalModel, WorkloadPoint
    from cnadvisor.plugins import load_plugins

    monkeypatch.setenv("CNADVISOR_DATA_DIR", str(tmp_path / "data"))
    for name, solution in (("iperf3-antrea-dts-run1.json", "antrea-encap"),
                           ("iperf3-baremetal-dts-run1.json", "host")):  # fmt: skip
        options = Options(solution, "ib2024", scenario="inter-host", service=False)
        import_files("iperf3", [FIXTURES / name], options)
    found = measured.measurements(store.imported_rows())
    (m,) = found[("antrea-encap", "inter-host", "tcp", False)]
    # end.sum_received.bits_per_second of the two files
    assert m.ratio == pytest.approx(23002700735.369984 / 31924635315.110092)
    assert m.baseline_from.startswith("imported host row iperf3-baremetal-dts-run1.json")
    assert measured.closest([m], 131072) is m  # iperf3's default write size, from the file
    assert measured.closest([m], 1400) is None  # too far from a 1400-byte workload

    model = measured.calibrated(AnalyticalModel())
    profile = load_plugins().solutions["antrea-encap"].profile
    point = WorkloadPoint(message_size=131072, protocol="tcp", scenario="inter-host")
    prediction = model.predict(profile, point)
    assert prediction.model == "measured on cluster ib2024"
    assert prediction.throughput_ratio.value == pytest.approx(m.ratio)
    small = model.predict(profile, WorkloadPoint(message_size=1400, scenario="inter-host"))
    assert small.model == AnalyticalModel().name  # no measurement near 1400 B: predicted
