"""`cnadvisor bench` touches only what it made, and refuses early what would fail late.

Real namespaces, real processes, a real registry in /run/cnadvisor-bench; each test
removes what it made itself and looks only at its own names.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pytest
from cnadvisor.bench import cleanup, netns, registry, store, topologies
from cnadvisor.bench.netns import NetnsError, Sandbox, new_prefix
from cnadvisor.bench.runner import Options, Test, run
from cnadvisor.bench.topologies import TOPOLOGIES

pytestmark = pytest.mark.skipif(
    shutil.which("iperf3") is None, reason="iperf3 missing (apt-get install iperf3 sockperf)"
)


def _cli(*args: str, data: Path, prefix_argv: tuple[str, ...] = ()) -> subprocess.Popen:
    env = {**os.environ, store.DATA_ENV: str(data)}
    return subprocess.Popen(
        [*prefix_argv, sys.executable, "-m", "cnadvisor.cli.bench", "bench", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip


def _foreign_namespace(name: str) -> subprocess.Popen:
    """A namespace this tool did not make, with a long-running process of someone else's."""
    subprocess.run(["ip", "netns", "add", name], check=True)
    return subprocess.Popen(["ip", "netns", "exec", name, "sleep", "300"])


def _remove_foreign(name: str, sleeper: subprocess.Popen) -> None:
    sleeper.kill()
    sleeper.wait()
    subprocess.run(["ip", "netns", "delete", name], capture_output=True)


def test_cleanup_leaves_a_lookalike_namespace_and_its_process_alone(tmp_path) -> None:
    name = f"cnab-lookalike{secrets.token_hex(2)}"
    sleeper = _foreign_namespace(name)
    try:
        done = _cli("cleanup", data=tmp_path)
        out, err = done.communicate(timeout=60)
        assert done.returncode == 0, err
        assert name in netns.list_namespaces()
        assert sleeper.poll() is None  # still running
        assert f"left alone: namespace {name}" in out
    finally:
        _remove_foreign(name, sleeper)


def test_cleanup_removes_a_crashed_run_but_kills_only_its_own_processes(tmp_path) -> None:
    """A crashed run (its owner pid recycled: alive, but started at another time) leaves a
    namespace with its iperf3 server and somebody else's sleep inside. Cleanup removes the
    namespace and the iperf3 it recorded, and leaves the sleep alone."""
    prefix = new_prefix()
    sandbox = Sandbox(prefix)
    ns = sandbox.namespace("a")
    ours = subprocess.Popen(["ip", "netns", "exec", ns, "iperf3", "-s", "-p", "5299"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    theirs = subprocess.Popen(["ip", "netns", "exec", ns, "sleep", "300"])
    live = new_prefix()  # a run still measuring next door: not a leftover
    neighbour = Sandbox(live)
    try:
        deadline = time.monotonic() + 5
        while registry.executable(ours.pid) != "iperf3":
            assert time.monotonic() < deadline
            time.sleep(0.02)
        registry.add_process(prefix, ours.pid)
        registry.claim(live)
        neighbour.namespace("a")
        record = registry.read(prefix)
        assert record is not None and record["namespaces"] == [ns]
        record["start"] = (registry.start_time(os.getpid()) or 0) + 1  # pid reused by us
        (registry.REGISTRY / prefix).write_text(json.dumps(record))

        done = _cli("cleanup", data=tmp_path)
        out, err = done.communicate(timeout=60)
        assert done.returncode == 0, err
        assert f"removed namespace {ns}" in out
        assert ns not in netns.list_namespaces()
        assert ours.wait(timeout=10) is not None  # our iperf3: stopped
        assert theirs.poll() is None  # their sleep: untouched
        assert f"{live}a" in netns.list_namespaces()  # the live run's namespace stays
        assert registry.read(prefix) is None
    finally:
        for process in (ours, theirs):
            process.kill()
            process.wait()
        sandbox.namespaces.clear()
        subprocess.run(["ip", "netns", "delete", ns], capture_output=True)
        neighbour.close()
        registry.release(live)
        registry.release(prefix)


def test_a_registered_process_is_not_killed_once_its_pid_means_another_program() -> None:
    sleeper = subprocess.Popen(["sleep", "300"])
    try:
        recorded = {"pid": sleeper.pid, "exe": "iperf3", "start": registry.start_time(sleeper.pid)}
        assert not registry.is_ours(recorded)  # same pid and start, but not iperf3
        netns.stop_processes([recorded])
        assert sleeper.poll() is None
    finally:
        sleeper.kill()
        sleeper.wait()


def test_output_is_checked_before_measuring(tmp_path) -> None:
    """-o EXISTING and -o into a missing folder are refused at once, not after the run."""
    existing = tmp_path / "kept.csv"
    existing.write_text("precious\n")
    for target, reason in ((existing, "exists; pass --force"),
                           (tmp_path / "nope" / "x.csv", "does not exist"),
                           (tmp_path, "is a directory")):  # fmt: skip
        started = time.monotonic()
        done = _cli("run", "host", "--duration", "5", "-o", str(target), data=tmp_path / "d")
        _, err = done.communicate(timeout=60)
        assert done.returncode == 2 and reason in err, err
        assert time.monotonic() - started < 4  # refused before a 5 s measurement
    assert existing.read_text() == "precious\n"
    assert not (tmp_path / "d").exists()


def test_without_cap_net_admin_run_is_refused_and_writes_nothing(tmp_path) -> None:
    if shutil.which("capsh") is None:
        pytest.skip("capsh missing (apt-get install libcap2-bin)")
    done = _cli("run", "host", "--quick", data=tmp_path,
                prefix_argv=("capsh", "--drop=cap_net_admin,cap_sys_admin", "--",
                             "-c", 'exec "$0" "$@"'))  # fmt: skip
    _, err = done.communicate(timeout=60)
    assert done.returncode == 2, err
    assert "cannot create network namespaces" in err and "CAP_NET_ADMIN" in err
    assert "unsupported on this kernel" not in err
    assert not list(tmp_path.rglob("*.csv"))


def test_missing_nft_is_a_missing_tool_not_an_unsupported_kernel(tmp_path, monkeypatch) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("ip", "iperf3", "taskset", "sysctl", "cat", "ss"):
        found = shutil.which(tool)
        if found:
            (bin_dir / tool).symlink_to(found)
    monkeypatch.setenv("PATH", str(bin_dir))
    prefix = new_prefix()
    assert topologies.probe(TOPOLOGIES["veth-bridge-nat"], prefix) == (
        "unsupported: nft not installed (apt-get install nftables)"
    )
    options = Options(repeat=1, duration=1, plan=(Test("tcp", 1400, 1),))
    with cleanup.Guard(prefix):
        outcome = run([TOPOLOGIES["host-wire"], TOPOLOGIES["veth-bridge-nat"]], options, prefix)
    assert outcome.status["veth-bridge-nat"].startswith("unsupported: nft not installed")
    assert outcome.status["host-wire"] == "ok"
    assert not [n for n in netns.list_namespaces() if n.startswith(prefix)]


def test_unloaded_module_gets_a_modprobe_hint_and_no_internal_names(tmp_path) -> None:
    modules = tmp_path / "lib" / "modules" / "6.1.0"
    (modules / "kernel" / "drivers" / "net").mkdir(parents=True)
    (modules / "kernel" / "drivers" / "net" / "geneve.ko.xz").write_bytes(b"")
    assert topologies.unloaded_modules(("veth", "geneve"), modules) == (
        [] if Path("/sys/module/geneve").exists() else ["geneve"]
    )
    error = NetnsError(
        "ip -n cnab-0a1b2c-pgeneve-ha link add tun0 type geneve: Unknown device type"
    )
    reason = topologies.support_reason(error, TOPOLOGIES["geneve"], modules)
    assert "cnab-0a1b2c" not in reason and "<namespace>" in reason
    if not Path("/sys/module/geneve").exists():
        assert reason.endswith("(module present but not loaded: sudo modprobe geneve)")


def test_local_stage_costs_reads_tables_and_skips_a_bad_one(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv(store.DATA_ENV, str(tmp_path))
    folder = store.data_dir()
    folder.mkdir(parents=True)
    header = ",".join(store.stagecosts.COLUMNS)
    (folder / "a.stages.csv").write_text(
        f"{header}\nveth,120.5,100.0,140.0,,P(veth) - P(host),64,udp,3,AMD EPYC\n"
    )
    (folder / "b.stages.csv").write_text(f"{header}\nveth,lots,1,2,,x,64,udp,3,cpu\n")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        costs = store.local_stage_costs()
    assert [(c["stage"], c["ns_per_packet"], c["ns_per_byte"], c["repeats"]) for c in costs] == [
        ("veth", 120.5, None, 3)
    ]
    assert any("b.stages.csv" in str(w.message) and "ns_per_packet" in str(w.message)
               for w in caught)  # fmt: skip
    # written before the topologies were renamed: the formula reads with today's names
    assert costs[0]["derived_from"] == "P(veth) - P(host-loopback)"
    assert store.local_rows() == []  # stage tables are not benchmark rows


def test_a_bad_local_rows_file_is_skipped_with_a_warning_naming_it(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv(store.DATA_ENV, str(tmp_path))
    folder = store.data_dir()
    folder.mkdir(parents=True)
    good = store.to_csv([{column: "" for column in store.COLUMNS} | {
        "source_id": "local-x", "locator": "iperf3 -c 198.18.1.2", "solution_label": "veth",
        "scenario": "intra-host", "virtualization": "vm", "protocol": "tcp",
        "encryption": "none", "metric": "throughput", "unit": "Gbps", "value": "1.5",
    }])  # fmt: skip
    (folder / "a.csv").write_text(good)
    (folder / "b.csv").write_text(good.replace(",1.5,", ",fast,"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        found = store.local_rows()
    assert [row.value for row in found] == [1.5]
    assert any("b.csv" in str(w.message) and "column value" in str(w.message) for w in caught)


def _local_row(**changes: str) -> dict[str, str]:
    """One bench row with its local columns: veth at 0.5 of its baseline by wall clock and
    0.9 by CPU time, over 3 repeats, spreads empty unless given."""
    return {column: "" for column in store.ROW_COLUMNS} | {
        "source_id": "local-x", "locator": "iperf3 -c 198.18.1.2", "solution_label": "veth",
        "scenario": "intra-host", "virtualization": "vm", "protocol": "tcp",
        "encryption": "none", "metric": "throughput", "unit": "Gbps", "value": "1.5",
        "baseline_value": "3", "baseline_label": "host: loopback", "topology": "veth",
        "baseline_topology": "host-loopback", "ratio": "0.5", "cpu_ratio": "0.9",
        "repeats": "3",
    } | changes  # fmt: skip


def test_local_ratio_columns_are_read_checked_and_optional(tmp_path, monkeypatch) -> None:
    """A file with the local columns gives its ratios; one without them (written before
    they existed) still gives its rows; a non-number in cpu_ratio skips the file, named."""
    monkeypatch.setenv(store.DATA_ENV, str(tmp_path))
    folder = store.data_dir()
    folder.mkdir(parents=True)
    row = _local_row(baseline_topology="host", ratio_spread_percent="40.0",
                     cpu_ratio_spread_percent="6.5")  # fmt: skip
    (folder / "a.csv").write_text(store.to_csv([row], store.ROW_COLUMNS))
    old = {column: row[column] for column in store.COLUMNS}
    (folder / "b.csv").write_text(store.to_csv([old], store.COLUMNS))
    (folder / "c.csv").write_text(store.to_csv([row | {"cpu_ratio": "fast"}], store.ROW_COLUMNS))
    (folder / "d.csv").write_text(store.to_csv([row | {"pairs": "2.5"}], store.ROW_COLUMNS))
    (folder / "e.csv").write_text(store.to_csv([row | {"pairs": "0"}], store.ROW_COLUMNS))
    (folder / "f.csv").write_text(store.to_csv([row | {"pairs": "4"}], store.ROW_COLUMNS))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        found = store.local_measurements()
    assert [(m.ratio, m.cpu_ratio, m.cpu_ratio_spread_percent, m.repeats, m.pairs)
            for m in found] == [(0.5, 0.9, 6.5, 3, 1), (None, None, None, None, 1),
                                (0.5, 0.9, 6.5, 3, 4)]  # fmt: skip
    for name in ("d.csv", "e.csv"):  # copies measured at once: a whole number from 1
        assert any(f"{name}, row 2, column pairs" in str(w.message) for w in caught)
    # written before the topologies were renamed ("host"): read with today's name
    assert (found[0].topology, found[0].baseline_topology) == ("veth", "host-loopback")
    assert any("c.csv, row 2, column cpu_ratio" in str(w.message) for w in caught)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        by_cpu = store.local_rows_by_cpu_time()
        kept = store.local_rows_by_cpu_time(keep_others=True)
    assert [r.value for r in by_cpu] == pytest.approx([2.7, 2.7])
    assert all(r.baseline_value == 3 for r in by_cpu)
    # for training: the older file's row stays as measured beside the CPU-time ones
    assert sorted(r.value for r in kept) == pytest.approx([1.5, 2.7, 2.7])


def test_rows_the_bench_flags_as_unsteady_calibrate_nothing(tmp_path, monkeypatch) -> None:
    """A row whose repeats disagree by more than the bench's LARGE spread (CPU time where it
    was measured, else wall clock) is left out of what training reads; with one repeat
    (no spread) a row is used."""
    monkeypatch.setenv(store.DATA_ENV, str(tmp_path))
    folder = store.data_dir()
    folder.mkdir(parents=True)
    row = _local_row()
    large = store.SPREAD_WARNING + 1
    rows = [
        row | {"cpu_ratio_spread_percent": "2", "value": "1.1"},  # steady
        row | {"cpu_ratio_spread_percent": str(large), "value": "1.2"},  # CPU time disagrees
        row | {"cpu_ratio_spread_percent": "", "repeats": "1", "value": "1.3"},  # one repeat
        # no CPU figure: the wall-clock spread decides
        row | {"cpu_ratio": "", "ratio_spread_percent": str(large), "value": "1.4"},
        row | {"cpu_ratio": "", "ratio_spread_percent": "3", "value": "1.6"},
    ]
    (folder / "a.csv").write_text(store.to_csv(rows, store.ROW_COLUMNS))
    flagged = [store.unsteady(m) for m in store.local_measurements()]
    assert flagged == [False, True, False, True, False]
    kept = store.local_rows_by_cpu_time(keep_others=True)
    assert sorted(r.value for r in kept) == pytest.approx([1.6, 2.7, 2.7])


def test_training_reads_the_local_files_once_until_one_changes(tmp_path, monkeypatch) -> None:
    """Training asks for this host's rows three times (rows, unsteady count, density):
    the files are parsed once, and again as soon as one is rewritten or added."""
    monkeypatch.setenv(store.DATA_ENV, str(tmp_path))
    folder = store.data_dir()
    folder.mkdir(parents=True)
    (folder / "a.csv").write_text(store.to_csv([_local_row()], store.ROW_COLUMNS))
    parsed: list[str] = []
    real = store.parse_rows
    monkeypatch.setattr(store, "parse_rows", lambda text, label: parsed.append(label) or
                        real(text, label))  # fmt: skip
    first = store.local_measurements()
    assert store.local_measurements() == first and len(parsed) == 1
    (folder / "a.csv").write_text(store.to_csv([_local_row(value="1.75")], store.ROW_COLUMNS))
    assert [m.row.value for m in store.local_measurements()] == [1.75]
    (folder / "b.csv").write_text(store.to_csv([_local_row()], store.ROW_COLUMNS))
    assert len(store.local_measurements()) == 2 and len(parsed) == 4
