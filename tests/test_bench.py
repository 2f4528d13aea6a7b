"""`cnadvisor bench`: real namespaces, real iperf3/sockperf runs, nothing left behind.

Runs as root (CI does). Measurements are 1 s each, so the file stays well under a minute.
Figures are checked for sanity (positive, right units, baseline attached), never against
machine-specific numbers.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cnadvisor.bench import cleanup, netns, store
from cnadvisor.bench.netns import ALLOWED_NETWORK, NetnsError, Sandbox, new_prefix
from cnadvisor.bench.runner import Options, Test, order, run
from cnadvisor.bench.topologies import TOPOLOGIES, Topology
from cnadvisor.cli import bench as bench_cli
from cnadvisor.model.data import COLUMNS, parse_rows

# Only a missing iperf3 skips (CI installs it); without root every test fails loudly.
pytestmark = pytest.mark.skipif(
    shutil.which("iperf3") is None, reason="iperf3 missing (apt-get install iperf3 sockperf)"
)

ROOT = Path(__file__).resolve().parent.parent
FAST = ["--duration", "1", "--repeat", "1", "--no-progress"]


def _root_links() -> set[str]:
    links = subprocess.run(["ip", "-o", "link"], capture_output=True, text=True).stdout
    return {line.split(":")[1].strip().split("@")[0] for line in links.splitlines()}


def _ours(prefix: str) -> list[str]:
    return [n for n in netns.list_namespaces() if n.startswith(prefix)]


@pytest.fixture
def data_dir(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv(store.DATA_ENV, str(tmp_path / "data"))
    return tmp_path / "data" / "bench"


@pytest.fixture
def untouched():
    """The root namespace's links are the same after the test, and no namespace of the
    prefixes the test used is left. Only the test's own prefixes are looked at: other
    tests or runs on the machine may have namespaces of their own at any moment."""
    before = _root_links()
    prefixes: list[str] = []
    yield prefixes
    assert _root_links() == before
    assert not [n for prefix in prefixes for n in _ours(prefix)]


def _cli(*args: str, env_dir: Path) -> subprocess.Popen:
    env = {**os.environ, store.DATA_ENV: str(env_dir)}
    return subprocess.Popen(
        [sys.executable, "-m", "cnadvisor.cli.bench", "bench", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip


def _mentions(cmdline: Path, prefix: str) -> bool:
    try:
        return prefix.encode() in cmdline.read_bytes()
    except OSError:  # the process ended meanwhile
        return False


def _run_prefix(process: subprocess.Popen) -> str:
    line = process.stderr.readline()  # "cnadvisor bench: run cnab-xxxxxx"
    assert line.startswith("cnadvisor bench: run cnab-"), line
    return line.split()[-1] + "-"


def test_four_topologies_measured_for_real(data_dir, untouched, tmp_path) -> None:
    """veth, veth-bridge and vxlan (two emulated hosts) with their two baselines: TCP and 64 B
    UDP, 1 s each; rows carry their own baseline, write size, offloads and loss."""
    options = Options(
        repeat=1, duration=1, pin=True, plan=(Test("tcp", 1400, 1), Test("udp", 64, 1))
    )
    prefix = new_prefix()
    untouched.append(prefix)
    with cleanup.Guard(prefix):
        outcome = run(order(["veth", "veth-bridge", "vxlan"]), options, prefix)
    names = ("host-loopback", "host-wire", "veth", "veth-bridge", "vxlan")
    assert outcome.status == {name: "ok" for name in names}
    for result in outcome.results:
        assert not result.error
        figures = {k: v[0] for k, v in result.samples.items()}
        assert figures["throughput_gbps"] > 0
        if result.test.kind == "udp":
            assert 0 < figures["packet_rate_mpps"] < 100  # Mpps, not packets/s
            assert 0 <= figures["loss_percent"] <= 100
        assert result.command.startswith(f"ip netns exec {prefix}")
        assert "iperf3 -c 198.1" in result.command

    paths = store.save(outcome)
    assert paths[0].parent == data_dir and paths[0].suffix == ".csv"
    text = paths[0].read_text()
    rows = parse_rows(text, str(paths[0]))
    assert text.splitlines()[0].split(",") == [*COLUMNS, *store.LOCAL_COLUMNS]
    assert len(rows) == 5 * 3  # tcp -> throughput; udp -> throughput and packet_rate
    units = {(r.metric, r.unit) for r in rows}
    assert units == {("throughput", "Gbps"), ("packet_rate", "Mpps")}
    for row in rows:
        assert row.value > 0 and row.baseline_value > 0
        assert row.source_id.startswith("local-") and "repeats=1" in row.notes
        assert "spread=–" in row.notes and "0.0%" not in row.notes  # one repeat: no spread
        assert "kernel" in row.notes and "iperf" in row.notes and "offloads" in row.notes
        assert ("tcp retransmits per repeat" if row.protocol == "tcp" else "udp lost_percent") in (
            row.notes
        )
    tcp = [r for r in rows if r.protocol == "tcp"]
    assert all("write size 1400 B" in r.notes and "MTU" in r.notes for r in tcp)
    host = [r for r in rows if r.solution_id == "host"]
    assert len(host) == 6 and all(r.value == r.baseline_value for r in host)
    by_label: dict[str, set[str]] = {}
    for line in csv.DictReader(io.StringIO(text)):
        label = line["baseline_label"].split(":")[0]
        by_label.setdefault(line["solution_label"].split()[0], set()).add(label)
    assert by_label["VXLAN"] == {"host-wire"}
    assert by_label["veth"] == by_label["Linux"] == {"host-loopback"}
    vxlan = {r.scenario for r in rows if r.solution_id == "overlay-vxlan"}
    assert vxlan == {"inter-host"}
    meta = json.loads(store.provenance_path(paths[0]).read_text())
    assert meta["machine"]["cores"] == os.cpu_count() and meta["machine"]["kernel"]
    assert meta["topologies"]["vxlan"] == "ok" and len(meta["commands"]) == 10
    assert meta["baselines"] == {"host-loopback": "host-loopback", "host-wire": "host-wire",
                                 "veth": "host-loopback", "veth-bridge": "host-loopback",
                                 "vxlan": "host-wire"}  # fmt: skip
    bridge_setup = meta["setup_commands"]["veth-bridge"]
    assert bridge_setup[0].startswith(f"ip netns add {prefix}")
    assert any("link add br0 type bridge" in c for c in bridge_setup)
    assert store.local_rows() == rows
    # the stage table: the stages these topologies isolate, stored beside the rows
    stages = {c["stage"]: c for c in store.local_stage_costs()}
    assert set(stages) == {"kernel-stack", "veth", "linux-bridge", "vxlan"}
    assert stages["kernel-stack"]["ns_per_packet"] > 0
    assert stages["linux-bridge"]["derived_from"].startswith(
        "P(veth-bridge) - 2 P(veth) + P(host-loopback)"
    )
    assert all(c["repeats"] == 1 and c["cpu_model"] for c in stages.values())
    # each row says what it measures and its factor to one entry of a profile's list
    assert stages["veth"]["unit"].startswith("one veth crossing")
    assert (stages["veth"]["per_intra_entry"], stages["veth"]["per_inter_entry"]) == (1, 2)
    assert (stages["vxlan"]["per_intra_entry"], stages["vxlan"]["per_inter_entry"]) == (None, 1)
    assert stages["kernel-stack"]["per_inter_entry"] is None
    _check_local_columns(rows)
    # --output into a missing folder after the run: the data-dir copy is there, and said so
    paths[0].unlink()
    with pytest.raises(store.OutputError, match=r"does not exist.*saved in") as failed:
        store.save(outcome, str(tmp_path / "missing" / "x.csv"))
    assert str(paths[0]) in str(failed.value) and paths[0].read_text() == text


def _check_local_columns(rows) -> None:
    """The wall-clock and CPU-time ratios of the local columns, read back: the wall ratio
    is value / baseline_value (one repeat, so no spread), the CPU ratio is there for every
    pinned TCP/UDP row, 1 for the baselines, and the CPU-time rows carry it as their
    ratio."""
    measured = store.local_measurements()
    assert [m.row for m in measured] == rows
    for item in measured:
        row = item.row
        assert item.repeats == 1 and item.ratio_spread_percent is None
        expected = "host-wire" if row.scenario == "inter-host" else "host-loopback"
        assert item.baseline_topology == expected
        assert item.ratio == pytest.approx(row.value / row.baseline_value, rel=1e-3)
        assert item.cpu_ratio is not None and item.cpu_ratio > 0, item
        # pinned to one core: client + server get at most about that core
        assert item.core_share is not None and 0 < item.core_share < 1.5, item
        if item.topology == item.baseline_topology:
            assert item.ratio == item.cpu_ratio == 1.0
    cpu_rows = store.local_rows_by_cpu_time()
    assert len(cpu_rows) == len(rows)
    for item, row in zip(measured, cpu_rows, strict=True):
        assert row.value / row.baseline_value == pytest.approx(item.cpu_ratio)
        assert row.notes.startswith(f"value = cpu_ratio {item.cpu_ratio:g}")


def test_latency_percentiles_with_sockperf(untouched) -> None:
    options = Options(repeat=1, duration=1, plan=(Test("latency", 64, 1),))
    prefix = new_prefix()
    untouched.append(prefix)
    with cleanup.Guard(prefix):
        outcome = run([TOPOLOGIES["host-loopback"]], options, prefix)
    (result,) = outcome.results
    p50, p99 = result.samples["latency_p50_us"][0], result.samples["latency_p99_us"][0]
    assert 0 < p50 <= p99
    assert "sockperf pp" in result.command


def test_only_benchmark_addresses_inside_our_namespaces(untouched) -> None:
    for name in ("host-loopback", "veth-bridge-nat", "routed", "macvlan-pair", "vxlan-routed"):
        sandbox = Sandbox()
        untouched.append(sandbox.prefix)
        try:
            TOPOLOGIES[name].build(sandbox)
            for ns in sandbox.namespaces:
                assert ns.startswith(sandbox.prefix)
                out = subprocess.run(["ip", "-n", ns, "-o", "addr"], capture_output=True,
                                     text=True, check=True).stdout  # fmt: skip
                for line in out.splitlines():
                    address = line.split()[3]
                    assert netns.ipaddress.ip_interface(address).ip in ALLOWED_NETWORK, address
        finally:
            sandbox.close()
    with pytest.raises(NetnsError, match=r"outside 198\.18\.0\.0/15"):
        netns.check_address("10.0.0.1/24")


@pytest.mark.parametrize(("name", "device"), [("bridge-routed", "eth0"), ("vxlan-routed", "vx0")])
def test_flannel_style_paths_route_the_peer_subnet_as_flannel_does(untouched, name, device):
    """host-gw routes the peer's pod subnet over the underlay; the VXLAN backend through its
    L3 VXLAN device, whose static FDB entry points at the peer's underlay address."""
    sandbox = Sandbox()
    untouched.append(sandbox.prefix)
    try:
        ends = TOPOLOGIES[name].build(sandbox)
        host_a = f"{sandbox.prefix}ha"
        route = subprocess.run(["ip", "-n", host_a, "route", "get", ends.target_addr],
                               capture_output=True, text=True, check=True).stdout  # fmt: skip
        assert f"dev {device}" in route
        if device == "vx0":
            fdb = subprocess.run(["bridge", "-n", host_a, "fdb", "show", "dev", "vx0"],
                                 capture_output=True, text=True, check=True).stdout  # fmt: skip
            assert "dst 198.19.0.2" in fdb
    finally:
        sandbox.close()


def test_flannel_style_paths_carry_traffic(untouched) -> None:
    options = Options(repeat=1, duration=1, pin=True, plan=(Test("udp", 64, 1),))
    prefix = new_prefix()
    untouched.append(prefix)
    with cleanup.Guard(prefix):
        outcome = run(order(["bridge-routed", "vxlan-routed"]), options, prefix)
    assert outcome.status == {"host-wire": "ok", "bridge-routed": "ok", "vxlan-routed": "ok"}
    for result in outcome.results:
        assert not result.error and result.samples["packet_rate_mpps"][0] > 0


def test_list_reports_support_with_reasons(capsys) -> None:
    assert bench_cli.main(["bench", "list"]) == 0
    captured = capsys.readouterr()
    table = captured.out
    for name in TOPOLOGIES:
        assert name in table
    assert "host" in table and "supported" in table
    assert "overlay-vxlan" in table and "bgp-routing" in table  # declared by the plugins
    assert "cnab-" not in table  # no internal probe namespace name in any reason
    prefix = captured.err.split("probe run ")[1].split()[0] + "-"
    assert not _ours(prefix)


def test_error_mid_build_removes_everything(untouched) -> None:
    def broken(sandbox: Sandbox):
        sandbox.namespace("a")
        sandbox.namespace("b")
        raise RuntimeError("boom")

    prefix = new_prefix()
    untouched.append(prefix)
    topology = Topology("broken", "broken", "intra-host", "raises", broken)
    options = Options(repeat=1, duration=1, latency=False, kinds=("tcp",), sizes=(1400,))
    with pytest.raises(RuntimeError, match="boom"), cleanup.Guard(prefix):
        run([TOPOLOGIES["host-loopback"], topology], options, prefix)
    assert not [n for n in netns.list_namespaces() if n.startswith(prefix)]


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_signal_mid_run_removes_everything(tmp_path, untouched, signum) -> None:
    process = _cli("run", "host", "bridge", "--duration", "3", "--no-progress", env_dir=tmp_path)
    prefix = _run_prefix(process)
    untouched.append(prefix)
    deadline = time.monotonic() + 10
    while not [n for n in netns.list_namespaces() if n.startswith(prefix)]:
        assert time.monotonic() < deadline, "the run never created a namespace"
        time.sleep(0.05)
    time.sleep(1.0)  # mid-measurement
    process.send_signal(signum)
    _, err = process.communicate(timeout=30)
    assert process.returncode == 128 + signum, err
    assert "everything removed" in err
    assert not [n for n in netns.list_namespaces() if n.startswith(prefix)]
    assert not (cleanup.REGISTRY / prefix).exists()
    assert not list((tmp_path / "bench").glob("*.csv"))  # an interrupted run saves nothing
    assert not [p for p in Path("/proc").glob("[0-9]*/cmdline") if _mentions(p, prefix)]


def test_two_runs_at_once_do_not_collide(tmp_path, untouched) -> None:
    args = ("run", "veth", "--tests", "tcp", "--message-size", "1400", *FAST)
    first, second = _cli(*args, env_dir=tmp_path), _cli(*args, env_dir=tmp_path)
    prefixes = {_run_prefix(first), _run_prefix(second)}
    untouched.extend(prefixes)
    outputs = [p.communicate(timeout=60) for p in (first, second)]
    assert [p.returncode for p in (first, second)] == [0, 0], outputs
    assert len(prefixes) == 2
    # a run is told, by run id, that another one competed with it for the CPUs
    warned = "".join(err for _, err in outputs if "compete" in err)
    assert any(p.rstrip("-") in warned for p in prefixes), outputs
    files = sorted((tmp_path / "bench").glob("*.csv"))
    assert len(files) == 2
    for path in files:
        rows = parse_rows(path.read_text(), str(path))
        assert {r.solution_label.split()[0] for r in rows} == {"host", "veth"}
        assert all(r.value > 0 for r in rows)


def test_refuses_without_root_or_iperf3(monkeypatch, capsys) -> None:
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    assert bench_cli.main(["bench", "run", "host"]) == 2
    assert "apt-get install iperf3 sockperf" in capsys.readouterr().err
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    real_which = shutil.which
    monkeypatch.setattr(shutil, "which", lambda t: None if t == "iperf3" else real_which(t))
    assert bench_cli.main(["bench", "run", "host"]) == 2
    assert "iperf3 not found: apt-get install iperf3 sockperf" in capsys.readouterr().err


def test_bounds_are_enforced(capsys) -> None:
    for bad in (["--repeat", "11"], ["--duration", "31"], ["--streams", "0"],
                ["--message-size", "8"], ["--tests", "http"]):  # fmt: skip
        assert bench_cli.main(["bench", "run", "host", *bad]) == 2, bad
    assert bench_cli.main(["bench", "run", "no-such-topology"]) == 2
    assert "unknown topology" in capsys.readouterr().err


def test_saved_rows_go_to_the_data_dir_not_the_package(data_dir, monkeypatch) -> None:
    assert data_dir == store.data_dir()
    monkeypatch.delenv(store.DATA_ENV)
    monkeypatch.setenv("XDG_DATA_HOME", "/somewhere")
    monkeypatch.delenv("SUDO_USER", raising=False)
    assert store.data_dir() == Path("/somewhere/cnadvisor/bench")
    assert ROOT not in store.data_dir().parents


@pytest.mark.skipif(shutil.which("iperf3") is None, reason="iperf3 is not installed")
def test_local_measurements_calibrate_the_model(tmp_path):
    import json as json_module

    env = dict(os.environ, CNADVISOR_DATA_DIR=str(tmp_path / "data"),
               CNADVISOR_CACHE_DIR=str(tmp_path / "cache"))  # fmt: skip

    def cnadvisor(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "cnadvisor.cli", *args],
                              capture_output=True, text=True, env=env, timeout=300)  # fmt: skip

    test = ("--quick", "--tests", "tcp", "--message-size", "1400")
    measured = cnadvisor("bench", "run", "host", "bridge", *test)
    assert measured.returncode == 0, measured.stderr
    (picture,) = (tmp_path / "data" / "bench").glob("*.png")
    assert picture.read_bytes().startswith(b"\x89PNG")
    dense = cnadvisor("bench", "run", "host", "bridge", *test, "--pairs", "2")  # density
    assert dense.returncode == 0, dense.stderr
    trained = cnadvisor("model", "train", "--with-local")
    assert trained.returncode == 0, trained.stderr
    assert "using 4 local measurements" in trained.stdout  # host and bridge, 1 and 2 pairs
    assert "density measured on this host for bridge @ intra-host (up to 4 containers)" in (
        trained.stdout
    )
    info = json_module.loads(cnadvisor("model", "info", "-f", "json").stdout)
    assert info["local_rows"] == 4
    example = Path(__file__).resolve().parent.parent / "examples/requirements/trading-gateway.yaml"
    evaluated = json_module.loads(cnadvisor("evaluate", str(example), "-f", "json").stdout)
    description = evaluated["results"][0]["model"]["description"]
    assert "calibrated on" in description and "local measurements" in description

    # Density moves the measured option by what was measured, and nothing else.
    bridge = {}
    for path in (tmp_path / "data" / "bench").glob("*.csv"):
        if not path.name.endswith(".stages.csv"):
            for row in csv.DictReader(io.StringIO(path.read_text())):
                if row["topology"] == "veth-bridge":
                    bridge[int(row["pairs"])] = float(row["cpu_ratio"] or row["ratio"])
    factor = bridge[2] / bridge[1]

    def predicted(solution: str, containers: int) -> dict:
        density = ("--containers-per-host", str(containers))
        answer = cnadvisor("predict", solution, "--scenario", "intra-host", "--message-size",
                           "1400", *density, "-f", "json")  # fmt: skip
        assert answer.returncode == 0, answer.stderr
        return json_module.loads(answer.stdout)[0]

    alone, crowded = predicted("bridge", 1), predicted("bridge", 4)
    expected = alone["throughput_ratio"]["value"] * factor
    if factor > 1:
        expected = min(expected, alone["throughput_ratio"]["high"])
    assert crowded["throughput_ratio"]["value"] == pytest.approx(expected, rel=1e-9)
    assert any("as this host measured at 4 containers" in line for line in crowded["basis"])
    below = predicted("bridge", 3)  # below what was measured: the one-pair figure holds
    assert below["throughput_ratio"] == alone["throughput_ratio"]
    assert any("below the densities this host measured" in line for line in below["basis"])
    other, other_crowded = predicted("macvlan-bridge", 1), predicted("macvlan-bridge", 40)
    assert other_crowded["throughput_ratio"] == other["throughput_ratio"]
    assert any("not modelled" in line for line in other_crowded["basis"])
    # measured between containers on one host: a prediction across hosts does not move
    across = ("--scenario", "inter-host", "--message-size", "1400", "-f", "json")
    far = [json_module.loads(cnadvisor("predict", "bridge", *across, "--containers-per-host",
                                       str(n)).stdout)[0] for n in (1, 40)]  # fmt: skip
    assert far[0]["throughput_ratio"] == far[1]["throughput_ratio"]


def test_density_measures_copies_at_once_and_cleans_them_up(data_dir, untouched) -> None:
    """--pairs 3: three copies of veth run at once; figures add up; every copy removed."""
    single = Options(repeat=1, duration=1, plan=(Test("tcp", 1400, 1),))
    dense = Options(repeat=1, duration=1, plan=(Test("tcp", 1400, 1),), pairs=3)
    prefix = new_prefix()
    untouched.append(prefix)
    with cleanup.Guard(prefix):
        one = run(order(["veth"]), single, prefix)
        three = run(order(["veth"]), dense, prefix)
    assert three.status == {"host-loopback": "ok", "veth": "ok"}
    (veth,) = [r for r in three.results if r.topology == "veth"]
    assert "x3 concurrent copies" in veth.command
    assert veth.samples["throughput_gbps"][0] > 0
    rows = parse_rows(store.to_csv(store.rows(three, store.host_facts())), "dense")
    assert {row.streams for row in rows} == {3.0}
    assert all("pairs 3: 3 concurrent copies" in row.notes for row in rows)
    assert all("6 containers" in row.notes for row in rows)
    assert {row["pairs"] for row in store.rows(three, store.host_facts())} == {"3"}
    assert one.results and all(r.samples for r in one.results)
    with pytest.raises(ValueError, match="--pairs"):
        Options(pairs=99).validate()


def _lossy(build):
    """The same topology with UDP datagrams (20 %) and full-size TCP segments (10 %) dropped
    at random on the server's way in, connection set-up spared: iperf3's 4-byte UDP hello
    (UDP length 12) is never dropped, or the test could wait for it forever (nftables
    numgen; tc netem where the kernel has it works the same)."""

    def lossy(sandbox: Sandbox):
        ends = build(sandbox)
        rules = (
            "table ip cnabloss {\n chain input {\n  type filter hook input priority 0; "
            "policy accept;\n  udp length > 20 numgen random mod 100 < 20 drop\n"
            "  meta l4proto tcp meta length > 1000 numgen random mod 100 < 10 drop\n }\n}\n"
        )
        done = sandbox.run_in(ends.server_ns, ["nft", "-f", "-"], rules)
        assert done.returncode == 0, done.stderr
        return ends

    return lossy


@pytest.mark.skipif(shutil.which("nft") is None, reason="nftables missing")
def test_a_lossy_path_is_recorded_and_flagged(untouched) -> None:
    """Retransmits and path loss land in the rows' notes with a WARNING, and the loss the
    receiver's full socket buffer causes is not mistaken for path loss."""
    veth = TOPOLOGIES["veth"]
    lossy = Topology("veth", veth.label, veth.scenario, veth.description,
                     _lossy(veth.build), baseline="host-loopback")  # fmt: skip
    options = Options(repeat=1, duration=1, pin=True,
                      plan=(Test("tcp", 1400, 1), Test("udp", 64, 1)))  # fmt: skip
    prefix = new_prefix()
    untouched.append(prefix)
    with cleanup.Guard(prefix):
        outcome = run([*order(["host-loopback"]), lossy], options, prefix)  # labelled "host"
    assert outcome.status == {"host-loopback": "ok", "veth": "ok"}
    by_test = {(r.topology, r.test.kind): r for r in outcome.results}
    seen = {key: result.samples for key, result in by_test.items()}
    assert by_test[("veth", "tcp")].samples["retransmits"][0] > 0, seen
    lossy_path = by_test[("veth", "udp")].samples["path_loss_percent"][0]
    assert lossy_path > 10, seen
    # the baseline's loss is mostly its full socket buffer (-b 0), not the path; a loaded
    # machine may drop some packets in its backlog queue, which is path loss and flagged
    host_path_loss = by_test[("host-loopback", "udp")].samples["path_loss_percent"][0]
    assert host_path_loss < lossy_path / 2, seen
    saved = parse_rows(store.to_csv(store.rows(outcome, store.host_facts())), "lossy")
    notes = {(r.solution_id, r.protocol, r.metric): r.notes for r in saved}
    assert "WARNING: veth tcp 1400 B: TCP retransmitted" in notes[("", "tcp", "throughput")]
    assert "WARNING: veth udp 64 B: UDP lost" in notes[("", "udp", "packet_rate")]
    assert ("WARNING" in notes[("host", "udp", "packet_rate")]) == (host_path_loss > 0)


def test_ctrl_c_with_pairs_and_long_tests_stops_at_once(tmp_path, untouched) -> None:
    """--pairs 2 --duration 30: SIGINT ends the run within seconds, not after the test."""
    process = _cli("run", "veth", "--pairs", "2", "--duration", "30", "--repeat", "1",
                   "--tests", "tcp", "--message-size", "1400", "--no-progress",
                   env_dir=tmp_path)  # fmt: skip
    prefix = _run_prefix(process)
    untouched.append(prefix)
    deadline = time.monotonic() + 20
    clients = (f"{prefix}01va", f"{prefix}01p1va")  # where the two copies' clients run
    while not all(netns.namespace_pids(ns) for ns in clients if ns in netns.list_namespaces()):
        assert time.monotonic() < deadline, "no client started"
        time.sleep(0.1)
    time.sleep(1.0)  # both 30 s clients are measuring
    process.send_signal(signal.SIGINT)
    started = time.monotonic()
    _, err = process.communicate(timeout=30)
    assert time.monotonic() - started < 8, err
    assert process.returncode == 128 + signal.SIGINT, err
    assert not _ours(prefix)


def test_veth_and_its_wire_baseline_have_the_same_mtu_and_offloads(untouched) -> None:
    """veth against host-wire is a veth pair against a veth pair: both ends of both carry
    the same MTU and offloads, so any gap between them is noise, not a setting."""
    from cnadvisor.bench import kernelstats

    described = {}
    for name in ("host-wire", "veth"):
        sandbox = Sandbox()
        untouched.append(sandbox.prefix)
        try:
            described[name] = kernelstats.offloads(TOPOLOGIES[name].build(sandbox))
        finally:
            sandbox.close()
    assert described["veth"] == described["host-wire"]
    client, server = described["veth"].split("; server device ")
    assert client.startswith("client device eth0 MTU 1500") and "tso" in client
    assert server.startswith("eth0 MTU 1500") and "gro" in server


def test_repeats_alternate_the_order_and_large_writes_are_tcp_only(untouched) -> None:
    """Repeat 2 goes through the topologies in reverse, so neither side of a ratio is
    always measured first; a 128 KiB write is a TCP test only (no datagram holds it)."""
    options = Options(repeat=2, duration=1, pin=True, sizes=(64, 131072),
                      kinds=("tcp", "udp"), latency=False)  # fmt: skip
    assert [str(t) for t in options.tests()] == ["tcp 64 B", "udp 64 B", "tcp 131072 B"]
    prefix = new_prefix()
    untouched.append(prefix)
    with cleanup.Guard(prefix):
        outcome = run(order(["veth"]), options, prefix)
    assert outcome.status == {"host-loopback": "ok", "veth": "ok"}
    first = [name for name, test, repeat in outcome.sequence if repeat == 1]
    second = [name for name, test, repeat in outcome.sequence if repeat == 2]
    assert first == ["host-loopback", "veth"] * 3 and second == ["veth", "host-loopback"] * 3
    (large,) = [r for r in outcome.results if r.topology == "veth" and r.test.size == 131072]
    assert "-l 131072" in large.command and len(large.samples["throughput_gbps"]) == 2
    with pytest.raises(ValueError, match="UDP and latency tests take message sizes up to"):
        Options(sizes=(131072,), kinds=("udp",)).validate()
    with pytest.raises(ValueError, match=r"must be 16\.\.1048576 bytes"):
        Options(sizes=(2 << 20,)).validate()


def test_together_measures_each_topology_beside_its_baseline(untouched) -> None:
    """--together: veth's TCP and UDP repeats run at the same time as the loopback
    baseline's, and its ratios are taken against those, repeat by repeat."""
    from cnadvisor.bench import quality

    options = Options(repeat=2, duration=1, pin=True, together=True,
                      plan=(Test("tcp", 1400, 1), Test("udp", 64, 1)))  # fmt: skip
    prefix = new_prefix()
    untouched.append(prefix)
    with cleanup.Guard(prefix):
        outcome = run(order(["veth"]), options, prefix)
    assert outcome.status == {"host-loopback": "ok", "veth": "ok"}
    assert {step[0] for step in outcome.sequence} == {"veth + host-loopback"}
    assert len(outcome.sequence) == 4  # 2 tests x 2 repeats, the baseline never alone
    by_name = {(r.topology, r.test.kind): r for r in outcome.results}
    for kind, key in (("tcp", "throughput_gbps"), ("udp", "packet_rate_mpps")):
        veth, base = by_name[("veth", kind)], by_name[("host-loopback", kind)]
        assert len(veth.alongside[key]) == len(base.samples[key]) == 2
        assert veth.alongside[key] == base.samples[key]  # its first (only) neighbour
        expected = [a / b for a, b in zip(veth.samples[key], veth.alongside[key], strict=True)]
        assert quality.paired_ratios(veth, base, key) == expected
        assert "at the same time as host-loopback" in veth.command
    rows = store.rows(outcome, store.host_facts())
    assert all("measured at the same time as" in row["notes"] for row in rows)
    with pytest.raises(ValueError, match="--together"):
        Options(together=True, pairs=2).validate()


def _bench_run_args(*argv: str):
    """``cnadvisor bench run`` arguments as the CLI parses them (its own parser)."""
    from cnadvisor.cli import app
    from cnadvisor.cli import bench as bench_cli

    return bench_cli, app.parser("bench").parse_args(["bench", "run", "veth", *argv])


@pytest.mark.parametrize(
    ("flags", "together"),
    [([], True), (["--no-together"], False), (["--pairs", "2"], False), (["--together"], True)],
)
def test_the_cli_measures_beside_the_baseline_unless_told_or_measuring_density(flags, together):
    """`bench run` defaults to --together (ratios that hold on a busy machine); density runs
    (--pairs above 1) cannot, so they measure in turns unless --together is asked for."""
    bench_cli, args = _bench_run_args(*flags)
    assert bench_cli._options(args).together is together


def test_asking_for_together_and_density_at_once_is_refused():
    bench_cli, args = _bench_run_args("--together", "--pairs", "2")
    with pytest.raises(ValueError, match="--together"):
        bench_cli._options(args)
