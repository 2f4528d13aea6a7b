"""What the kernel says about our namespaces and processes during a test: SNMP counters
seen from inside a namespace, CPU time of a process, and the MTU and offloads of the
device a client sends through (which shape every bulk TCP figure)."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
from pathlib import Path

from .topologies import Endpoints


def cpu_ns(pid: int) -> float:
    """Time the process has run on a CPU, in ns (/proc/PID/schedstat); 0 when gone."""
    try:
        return float(Path(f"/proc/{pid}/schedstat").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 0.0


def softirq_thread(cpu: int | None) -> int | None:
    """The pid of ksoftirqd/<cpu>: softirq work the kernel defers runs there, not in ours."""
    if cpu is None:
        return None
    for comm in Path("/proc").glob("[0-9]*/comm"):
        try:
            if comm.read_text().strip() == f"ksoftirqd/{cpu}":
                return int(comm.parent.name)
        except (OSError, ValueError):
            continue
    return None


def counters(ns: str) -> dict[str, int]:
    """The namespace's SNMP counters (/proc/net/snmp and netstat seen from inside it),
    keyed like ``Tcp.RetransSegs`` and ``TcpExt.TCPDSACKRecvSegs``."""
    done = subprocess.run(
        ["ip", "netns", "exec", ns, "cat", "/proc/net/snmp", "/proc/net/netstat"],
        capture_output=True, text=True, timeout=10,
    )  # fmt: skip
    found: dict[str, int] = {}
    lines = done.stdout.splitlines()
    for header, values in zip(lines[::2], lines[1::2], strict=False):
        names, numbers = header.split(), values.split()
        if not names or names[0] != numbers[0]:
            continue
        group = names[0].rstrip(":")
        for name, number in zip(names[1:], numbers[1:], strict=False):
            with contextlib.suppress(ValueError):
                found[f"{group}.{name}"] = int(number)
    return found


def delta(after: dict[str, int], before: dict[str, int], key: str) -> int:
    return max(0, after.get(key, 0) - before.get(key, 0))


def offloads(ends: Endpoints) -> str:
    """The client's egress device toward the server: MTU and the offloads that shape a
    bulk test (TSO, GSO, GRO, checksum), as ethtool reports them."""
    route = subprocess.run(
        ["ip", "-n", ends.client_ns, "route", "get", ends.target_addr],
        capture_output=True, text=True, timeout=10,
    ).stdout.split()  # fmt: skip
    device = route[route.index("dev") + 1] if "dev" in route else "?"
    link = subprocess.run(
        ["ip", "-n", ends.client_ns, "-o", "link", "show", "dev", device],
        capture_output=True, text=True, timeout=10,
    ).stdout.split()  # fmt: skip
    mtu = link[link.index("mtu") + 1] if "mtu" in link else "?"
    described = f"client device {device.split('@')[0]} MTU {mtu}"
    if shutil.which("ethtool") is None:
        return f"{described}; offloads kernel defaults (ethtool missing, not recorded)"
    text = subprocess.run(
        ["ip", "netns", "exec", ends.client_ns, "ethtool", "-k", device.split("@")[0]],
        capture_output=True, text=True, timeout=10,
    ).stdout  # fmt: skip
    wanted = {
        "tcp-segmentation-offload": "tso", "generic-segmentation-offload": "gso",
        "generic-receive-offload": "gro", "tx-checksumming": "tx-csum",
        "rx-checksumming": "rx-csum",
    }  # fmt: skip
    states = []
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip() in wanted:
            states.append(f"{wanted[key.strip()]} {value.split()[0] if value.split() else '?'}")
    return f"{described}; offloads {', '.join(states) or 'unknown'}"
