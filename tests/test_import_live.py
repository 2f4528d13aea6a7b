"""Our own measurements imported: iperf3 (-J) and sockperf ping-pong between two network
namespaces this test creates (cnimp-<random>-a/-b, a veth pair, 198.18.0.0/15 only),
removed again in ``finally``. The imported figures are compared with the files the tools
wrote, read independently here."""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from cnadvisor.importers.api import import_files
from cnadvisor.importers.common import Options
from cnadvisor.importers.store import imported_rows

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or not (shutil.which("iperf3") and shutil.which("sockperf")),
    reason="needs root, iperf3 and sockperf",
)
CLIENT, SERVER = "198.18.77.1", "198.18.77.2"


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, timeout=20)


def _namespaces() -> list[str]:
    done = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, check=True)
    return [line.split()[0] for line in done.stdout.splitlines() if line.strip()]


def test_own_iperf3_and_sockperf_runs_import(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("CNADVISOR_DATA_DIR", str(tmp_path / "data"))
    tag = secrets.token_hex(3)
    a, b, link = f"cnimp-{tag}-a", f"cnimp-{tag}-b", f"cni{tag}"
    servers: list[subprocess.Popen] = []
    try:
        _ip("netns", "add", a)
        _ip("netns", "add", b)
        _ip("link", "add", f"{link}a", "type", "veth", "peer", "name", f"{link}b")
        _ip("link", "set", f"{link}a", "netns", a)
        _ip("link", "set", f"{link}b", "netns", b)
        _ip("-n", a, "addr", "add", f"{CLIENT}/30", "dev", f"{link}a")
        _ip("-n", b, "addr", "add", f"{SERVER}/30", "dev", f"{link}b")
        for ns, dev in ((a, f"{link}a"), (b, f"{link}b")):
            _ip("-n", ns, "link", "set", "lo", "up")
            _ip("-n", ns, "link", "set", dev, "up")
        exec_b, exec_a = ["ip", "netns", "exec", b], ["ip", "netns", "exec", a]
        servers.append(
            subprocess.Popen(
                [*exec_b, "iperf3", "-s", "-1", "-B", SERVER, "-p", "5299"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        servers.append(
            subprocess.Popen(
                [*exec_b, "sockperf", "server", "-i", SERVER, "-p", "11299"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        time.sleep(0.5)
        iperf = tmp_path / "iperf3.json"
        iperf.write_text(
            subprocess.run(
                [*exec_a, "iperf3", "-c", SERVER, "-p", "5299", "-J", "-t", "1", "-l", "1400"],
                capture_output=True,
                text=True,
                timeout=60,
            ).stdout
        )
        sock = tmp_path / "sockperf.txt"
        done = subprocess.run(
            [*exec_a, "sockperf", "ping-pong", "-i", SERVER, "-p", "11299", "-t", "1", "-m", "64"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        sock.write_text(done.stdout + done.stderr)
    finally:
        for server in servers:
            server.kill()
            server.wait(timeout=10)
        for ns in (a, b):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True, timeout=20)
        # A veth not yet moved into a namespace would still be in the root one.
        subprocess.run(["ip", "link", "del", f"{link}a"], capture_output=True, timeout=20)
    assert not [n for n in _namespaces() if n.startswith(f"cnimp-{tag}")]
    links = subprocess.run(["ip", "-o", "link"], capture_output=True, text=True).stdout
    assert link not in links

    options = Options("veth", "netns", scenario="intra-host", service=False)
    import_files("iperf3", [iperf], options)
    import_files("sockperf", [sock], Options("veth", "netns", "intra-host", False, 64))
    rows = imported_rows()
    (throughput,) = [r for r in rows if r.metric == "throughput"]
    document = json.loads(iperf.read_text())
    assert throughput.value == pytest.approx(
        document["end"]["sum_received"]["bits_per_second"] / 1e9
    )
    assert throughput.message_size_bytes == 1400 and throughput.scenario == "intra-host"
    assert f"TCP retransmits {document['end']['sum_sent']['retransmits']}" in throughput.notes
    text = re.sub(r"\x1b\[[0-9;]*m", "", sock.read_text())
    p50 = float(re.search(r"percentile 50\.000 =\s*([\d.]+)", text).group(1))
    p99 = float(re.search(r"percentile 99\.000 =\s*([\d.]+)", text).group(1))
    assert [r.value for r in rows if r.metric == "latency"] == [p50]
    assert [r.value for r in rows if r.metric == "latency_p99"] == [p99]
    assert all(r.source_id == "local-import-netns" for r in rows)
