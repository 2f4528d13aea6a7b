"""`cnadvisor import`: real output of knb, k8s-netperf, iperf3, netperf and sockperf
becomes dataset rows with provenance; bad files are refused with file, line and field;
nothing is half-imported; a re-import adds nothing.

The expected figures below were read off the fixture files by hand (see
tests/fixtures/imports/README.md for where each file comes from)."""

from __future__ import annotations

import hashlib
import json
import math
import shutil
import subprocess
from pathlib import Path

import pytest
from cnadvisor.cli import main
from cnadvisor.importers import store
from cnadvisor.importers.api import ImportFailed, import_files
from cnadvisor.importers.common import Options
from cnadvisor.importers.store import imported_rows

FIXTURES = Path(__file__).parent / "fixtures" / "imports"


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CNADVISOR_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


def _import(fmt: str, *names: str, **options) -> list:
    options.setdefault("solution", "cilium-vxlan")
    options.setdefault("cluster", "lab")
    import_files(fmt, [FIXTURES / n for n in names], Options(**options), now=1_700_000_000)
    return imported_rows()


def _by(rows, **wanted):
    found = [r for r in rows if all(getattr(r, k) == v for k, v in wanted.items())]
    assert len(found) == 1, (wanted, found)
    return found[0]


def _sha(name: str) -> str:
    return hashlib.sha256((FIXTURES / name).read_bytes()).hexdigest()


def _provenance(data_dir: Path, cluster: str, name: str) -> dict:
    path = data_dir / "bench" / "imported" / cluster / f"{_sha(name)}.provenance.json"
    return json.loads(path.read_text())


# --- one real file per format, values and provenance checked by hand --------------------


@pytest.mark.parametrize("name", ["knb-doc-cilium-run1.json", "knb-doc-cilium-run1.yaml"])
def test_knb(name: str, data_dir: Path) -> None:
    rows = _import("knb", name)
    assert len(rows) == 4
    # data.pod2pod.tcp.bandwidth etc. in the file: 9555, 9725, 9756, 9736 (Mbit/s)
    for via_service, protocol, value in [(False, "tcp", 9555), (False, "udp", 9725),
                                         (True, "tcp", 9756), (True, "udp", 9736)]:  # fmt: skip
        row = _by(rows, via_service=via_service, protocol=protocol)
        assert (row.value, row.unit, row.metric) == (value, "Mbps", "throughput")
        assert row.scenario == "inter-host"  # server node s04, client node s03
        assert row.streams == 1 and math.isnan(row.message_size_bytes)
        assert row.source_id == "local-import-lab" and row.solution_id == "cilium-vxlan"
        assert name in row.locator and _sha(name)[:16] in row.locator
        assert "tool knb 1.4.1" in row.notes and "cluster lab" in row.notes
        assert "imported 2023-11-14T22:13:20Z" in row.notes
        assert "CNI MTU 9000" in row.notes and "\r" not in row.notes
    meta = _provenance(data_dir, "lab", name)
    assert meta["file"]["sha256"] == _sha(name) and meta["file"]["name"] == name
    assert (meta["tool"], meta["tool_version"]) == ("knb", "1.4.1")
    assert meta["imported_at"] == "2023-11-14T22:13:20Z" and meta["cluster"] == "lab"


def test_iperf3_tcp() -> None:
    rows = _import("iperf3", "iperf3-antrea-dts-run1.json", solution="antrea",
                   scenario="inter-host", service=False)  # fmt: skip
    (row,) = rows
    # end.sum_received.bits_per_second = 23002700735.369984; sum_sent.retransmits = 13164
    assert row.value == pytest.approx(23.002700735369984, rel=1e-9) and row.unit == "Gbps"
    assert (row.protocol, row.streams, row.message_size_bytes) == ("tcp", 1, 131072)
    assert (row.scenario, row.via_service) == ("inter-host", False)
    assert "TCP retransmits 13164" in row.notes and "tool iperf3 3.16" in row.notes
    assert "cni-benchmark-a3" in row.notes  # system_info of the client


def test_iperf3_udp() -> None:
    (row,) = _import("iperf3", "iperf3-antrea-dus-run1.json", solution="antrea")
    # end.sum_received.bits_per_second = 7130086581.669048; lost_percent 0.7082195564883862
    assert row.value == pytest.approx(7.130086581669048, rel=1e-9)
    assert (row.protocol, row.message_size_bytes, row.scenario) == ("udp", 8898, "unknown")
    assert "UDP loss 0.70822%" in row.notes
    assert not row.via_service  # not stated: neither Service nor pod-to-pod claimed
    assert "pod-to-pod" not in row.notes


def test_k8s_netperf_documented_csv() -> None:
    rows = _import("k8s-netperf", "k8s-netperf-docs-result.csv", solution="calico-bgp")
    assert len(rows) == 9  # 6 lines; TCP_CRR x2 and TCP_RR add their p99 latency
    stream = _by(rows, metric="throughput", protocol="tcp", message_size_bytes=1024)
    assert (stream.value, stream.unit, stream.scenario) == (873.606667, "Mbps", "inter-host")
    assert stream.streams == 1 and not stream.via_service
    assert "95% confidence 861.939..885.274 Mb/s" in stream.notes
    assert "line 2, column Avg Throughput" in stream.locator
    crr_service = _by(rows, metric="connection_rate", via_service=True)
    assert (crr_service.value, crr_service.unit) == (2061.776667, "requests_per_s")
    where = "line 7, column 99%tile Observed Latency"
    rr = next(r for r in rows if r.metric == "latency_p99" and r.locator.endswith(where))
    assert rr.value == pytest.approx(451.3333333333333) and rr.unit == "us"
    assert all(math.isnan(r.baseline_value) for r in rows)  # no host-network rows there


def test_k8s_netperf_host_baseline_and_companion() -> None:
    rows = _import("k8s-netperf", "k8s-netperf-docs-tables.csv", "k8s-netperf-docs-loss-rt.csv",
                   solution="calico-bgp")  # fmt: skip
    pod = [r for r in rows if r.solution_id == "calico-bgp"]
    host = [r for r in rows if r.solution_id == "host"]
    assert len(pod) == 9 + 3 * 2 and len(host) == len(pod)  # 9 stream lines, 3 RR/CRR (+p99)
    netperf_1024 = next(
        r
        for r in pod
        if "driver netperf profile TCP_STREAM" in r.notes and r.message_size_bytes == 1024
    )
    assert netperf_1024.value == 2702.23 and netperf_1024.baseline_value == 2661.006667
    assert "TCP retransmissions 54.6667" in netperf_1024.notes
    udp = next(r for r in pod if "driver netperf profile UDP_STREAM" in r.notes)
    assert udp.value == 1145.066667 and udp.baseline_value == 1143.926667
    assert "UDP loss % 0.067031" in udp.notes
    crr_service = next(
        r for r in pod if r.metric == "connection_rate" and r.via_service
    )  # pod 3046.126667 OP/s through a Service, host 2370.196667
    assert (crr_service.value, crr_service.baseline_value) == (3046.126667, 2370.196667)
    assert all(math.isnan(r.baseline_value) for r in host)


def test_netperf_omni_csv() -> None:
    rows = _import("netperf", "netperf-pkb-tcp-stream.txt", "netperf-pkb-tcp-rr.txt",
                   solution="host", cluster="gce")  # fmt: skip
    stream = _by(rows, metric="throughput")
    assert (stream.value, stream.unit, stream.protocol) == (1973.37, "Mbps", "tcp")
    assert "Local Transport Retransmissions 0" in stream.notes
    assert "target 10.240.31.117" in stream.notes and "version not in file" in stream.notes
    assert _by(rows, metric="request_rate").value == 3545.77
    assert _by(rows, metric="latency").value == 274  # 50th percentile, round trip
    assert _by(rows, metric="latency_p99").value == 371
    assert "round-trip" in _by(rows, metric="latency_p99").notes


def test_sockperf_ping_pong() -> None:
    rows = _import("sockperf", "sockperf-own-netns-udp.txt", solution="veth",
                   scenario="intra-host", message_size=64)  # fmt: skip
    p50, p99 = _by(rows, metric="latency"), _by(rows, metric="latency_p99")
    assert (p50.value, p99.value) == (10.048, 30.752)  # percentile 50.000 and 99.000 lines
    assert p50.protocol == "udp" and p50.message_size_bytes == 64
    assert "one way (half the round trip)" in p50.notes and "tool sockperf 3.7-no.git" in p50.notes
    assert "70831 observations" in p50.notes


def test_own_iperf3_fixture_values() -> None:
    (row,) = _import("iperf3", "iperf3-own-netns-tcp.json", solution="veth")
    document = json.loads((FIXTURES / "iperf3-own-netns-tcp.json").read_text())
    assert row.value == pytest.approx(document["end"]["sum_received"]["bits_per_second"] / 1e9)
    assert row.message_size_bytes == 1400  # -l 1400


# --- re-import, atomicity, input files untouched -----------------------------------------


def test_reimport_adds_nothing(data_dir: Path) -> None:
    first = _import("knb", "knb-doc-cilium-run1.json")
    files = sorted(p.name for p in data_dir.rglob("*"))
    report = import_files(
        "knb", [FIXTURES / "knb-doc-cilium-run1.json"], Options("cilium-vxlan", "other")
    )
    assert report.imported == [] and "already imported" in report.skipped[0][1]
    assert imported_rows() == first
    assert sorted(p.name for p in data_dir.rglob("*")) == files


def test_nothing_half_imported(tmp_path: Path, data_dir: Path) -> None:
    broken = tmp_path / "broken.json"
    text = (FIXTURES / "knb-doc-cilium-run1.json").read_text()
    broken.write_text(text[: len(text) // 2])
    with pytest.raises(ImportFailed):
        import_files(
            "knb", [FIXTURES / "knb-doc-cilium-run1.json", broken], Options("cilium-vxlan")
        )
    assert imported_rows() == [] and not list(data_dir.rglob("*.csv"))


def test_inputs_are_only_read(tmp_path: Path) -> None:
    copy = tmp_path / "result.csv"
    copy.write_bytes((FIXTURES / "k8s-netperf-docs-result.csv").read_bytes())
    before = (copy.read_bytes(), copy.stat().st_mtime_ns)
    import_files("k8s-netperf", [copy], Options("calico-bgp"))
    assert (copy.read_bytes(), copy.stat().st_mtime_ns) == before
    assert store.root() not in copy.parents


# --- malformed files: each with its message ----------------------------------------------


def _refused(tmp_path: Path, fmt: str, text: str | bytes, name: str = "input") -> str:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    with pytest.raises(ImportFailed) as caught:
        import_files(fmt, [path], Options("cilium-vxlan"))
    assert imported_rows() == []
    (message,) = caught.value.problems
    assert message.startswith(str(path))
    return message


def _fixture(name: str) -> str:
    return (FIXTURES / name).read_text()


def test_wrong_format_named(tmp_path: Path) -> None:
    message = _refused(tmp_path, "knb", _fixture("iperf3-antrea-dts-run1.json"))
    assert "line 1: this is iperf3 -J client output, not knb" in message
    assert "cnadvisor import iperf3" in message
    message = _refused(tmp_path, "k8s-netperf", "hello,world\n1,2\n")
    assert "line 1: not k8s-netperf result-*.csv" in message


def test_knb_truncated(tmp_path: Path) -> None:
    text = _fixture("knb-doc-cilium-run1.json")
    cut = text[: text.index('"pod2svc"')]
    message = _refused(tmp_path, "knb", cut)
    line = cut.count("\n") + 1 if not cut.endswith("\n") else cut.count("\n")
    assert f"line {line}: the JSON ends before the document is complete" in message


def test_knb_failed_midway_json(tmp_path: Path) -> None:
    text = _fixture("knb-doc-cilium-run1.json").replace('"bandwidth": 9736', '"bandwidth": ')
    line = text[: text.index('"bandwidth": ,')].count("\n") + 1  # what knb writes then
    message = _refused(tmp_path, "knb", text)
    assert f"line {line}: " in message and "the run failed midway" in message


def test_knb_failed_midway_yaml(tmp_path: Path) -> None:
    text = _fixture("knb-doc-cilium-run1.yaml").replace("bandwidth: 9736", "bandwidth: ")
    line = text[: text.index("bandwidth: \n")].count("\n") + 1
    message = _refused(tmp_path, "knb", text)
    assert f"line {line}, field data.pod2svc.udp.bandwidth: empty" in message
    assert "failed midway" in message


def test_knb_yaml_truncated_inside_a_section(tmp_path: Path) -> None:
    text = _fixture("knb-doc-cilium-run1.yaml")
    message = _refused(tmp_path, "knb", text[: text.rindex("server:")])
    assert "field data.pod2svc.udp.server.cpu.total" in message and "failed midway" in message


def test_k8s_netperf_unknown_column(tmp_path: Path) -> None:
    text = _fixture("k8s-netperf-docs-result.csv").replace("Avg Throughput", "Mean Throughput", 1)
    message = _refused(tmp_path, "k8s-netperf", text)
    assert "line 1, field Mean Throughput: unknown column(s) ['Mean Throughput']" in message


def test_k8s_netperf_truncated_line(tmp_path: Path) -> None:
    text = _fixture("k8s-netperf-docs-result.csv")
    message = _refused(tmp_path, "k8s-netperf", text[: text.rindex(",OP/s")])
    assert "line 7: 13 cells, the header has 16 (truncated line?)" in message


def test_k8s_netperf_bad_value(tmp_path: Path) -> None:
    text = _fixture("k8s-netperf-docs-result.csv").replace("873.606667", "n/a")
    message = _refused(tmp_path, "k8s-netperf", text)
    assert "line 2, field Avg Throughput: 'n/a' is not a number" in message


def test_k8s_netperf_companion_alone(tmp_path: Path) -> None:
    message = _refused(tmp_path, "k8s-netperf", _fixture("k8s-netperf-docs-loss-rt.csv"))
    assert "import both in one command" in message


@pytest.mark.skipif(shutil.which("iperf3") is None, reason="iperf3 is not installed")
def test_iperf3_truncated_and_failed(tmp_path: Path) -> None:
    text = _fixture("iperf3-antrea-dts-run1.json")
    message = _refused(tmp_path, "iperf3", text[: text.index('"sum_received"')])
    assert "the JSON ends before the document is complete (truncated file?)" in message
    # What iperf3 -J really prints when no server listens (loopback, a closed port).
    failed = subprocess.run(
        ["iperf3", "-c", "127.0.0.1", "-p", "9", "-J", "-t", "1"],
        capture_output=True, text=True, timeout=30, check=False,
    ).stdout  # fmt: skip
    line = failed[: failed.index('"error"')].count("\n") + 1
    message = _refused(tmp_path, "iperf3", failed)
    assert f"line {line}, field error: iperf3 reported an error: unable to connect" in message


def test_netperf_header_without_values(tmp_path: Path) -> None:
    text = "\n".join(_fixture("netperf-pkb-tcp-stream.txt").splitlines()[:2]) + "\n"
    message = _refused(tmp_path, "netperf", text)
    assert "line 2: header without a line of values" in message


def test_sockperf_truncated(tmp_path: Path) -> None:
    text = _fixture("sockperf-own-netns-udp.txt")
    cut = text[: text.index("percentile 99.000")]
    message = _refused(tmp_path, "sockperf", cut)
    assert f"line {len(cut.splitlines())}, field percentile 50.000: missing" in message


def test_empty_and_binary(tmp_path: Path) -> None:
    assert "the file is empty" in _refused(tmp_path, "iperf3", "  \n")
    assert "line 2: not UTF-8 text" in _refused(tmp_path, "iperf3", b"{\n\xff\xfe}")


# --- command line --------------------------------------------------------------------------


def test_cli_import(capsys: pytest.CaptureFixture) -> None:
    path = str(FIXTURES / "knb-doc-cilium-run1.json")
    assert main(["import", "knb", path, "--solution", "cilium-vxlan", "--cluster", "lab"]) == 0
    assert "imported" in capsys.readouterr().out and len(imported_rows()) == 4
    assert main(["import", "knb", path, "--solution", "cilium-vxlan"]) == 0
    assert "skipped" in capsys.readouterr().out and len(imported_rows()) == 4
    assert main(["import", "knb", path, "--solution", "cilium-vxlna"]) == 2
    assert "did you mean cilium-vxlan" in capsys.readouterr().err
    assert (
        main(["import", "knb", path, "--solution", "cilium-vxlan", "--scenario", "inter-host"]) == 2
    )
    assert "records placement" in capsys.readouterr().err
    bad = str(FIXTURES / "iperf3-antrea-dts-run1.json")
    assert main(["import", "netperf", bad, "--solution", "antrea-encap"]) == 1
    err = capsys.readouterr().err
    assert "nothing was imported" in err and "not netperf omni output" in err


# --- host-network rows: the dataset's own word, not a plugin's id -----------------------


def test_host_rows_use_the_datasets_word_whatever_plugins_are_installed(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    """Stored files stay readable: the word is "host" as before, and it does not depend on
    a plugin registering an option of that id."""
    from cnadvisor.dataset.schema import HOST_NETWORKING

    monkeypatch.setenv("CNADVISOR_PLUGINS", "calico")
    files = [str(FIXTURES / n) for n in ("k8s-netperf-docs-tables.csv",
                                         "k8s-netperf-docs-loss-rt.csv")]  # fmt: skip
    assert main(["import", "k8s-netperf", *files, "--solution", "calico-bgp"]) == 0
    rows = imported_rows()
    assert (
        {r.solution_id for r in rows} == {"calico-bgp", HOST_NETWORKING} == {"calico-bgp", "host"}
    )
    iperf3 = str(FIXTURES / "iperf3-antrea-dts-run1.json")
    command = [
        "import",
        "iperf3",
        iperf3,
        "--solution",
        HOST_NETWORKING,
        "--scenario",
        "inter-host",
    ]
    assert main(command) == 0, capsys.readouterr().err
    assert len(imported_rows()) > len(rows)
    assert main(["import", "iperf3", iperf3, "--solution", "flannel-vxlan"]) == 2  # not installed
    assert "unknown --solution: flannel-vxlan" in capsys.readouterr().err
