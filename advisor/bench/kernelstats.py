"""What the kernel says about our namespaces and processes during a test: SNMP counters
seen from inside a namespace, CPU time of a process, and the MTU and offloads of the
devices a client sends through and a server receives on (which shape every bulk TCP
figure)."""

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
    """MTU and the offloads that shape a bulk test (TSO, GSO, GRO, checksum), as ethtool
    reports them, of the client's egress device toward the server and of the server's
    device holding its address: a ratio is fair only when both sides match its
    baseline's."""
    route = _words(["ip", "-n", ends.client_ns, "route", "get", ends.target_addr])
    client = route[route.index("dev") + 1] if "dev" in route else "?"
    held = _words(["ip", "-n", ends.server_ns, "-o", "addr", "show", "to", ends.server_addr])
    server = held[1] if len(held) > 1 else "?"
    return (
        f"client device {_device(ends.client_ns, client)}; "
        f"server device {_device(ends.server_ns, server)}"
    )


def _words(command: list[str]) -> list[str]:
    return subprocess.run(command, capture_output=True, text=True, timeout=10).stdout.split()


_WANTED = {
    "tcp-segmentation-offload": "tso", "generic-segmentation-offload": "gso",
    "generic-receive-offload": "gro", "tx-checksumming": "tx-csum",
    "rx-checksumming": "rx-csum",
}  # fmt: skip


def _device(ns: str, device: str) -> str:
    """'eth0 MTU 1500; offloads tso on, ...' for one device of one namespace."""
    name = device.split("@")[0]
    link = _words(["ip", "-n", ns, "-o", "link", "show", "dev", name])
    mtu = link[link.index("mtu") + 1] if "mtu" in link else "?"
    described = f"{name} MTU {mtu}"
    if shutil.which("ethtool") is None:
        return f"{described}; offloads kernel defaults (ethtool missing, not recorded)"
    text = subprocess.run(
        ["ip", "netns", "exec", ns, "ethtool", "-k", name],
        capture_output=True, text=True, timeout=10,
    ).stdout  # fmt: skip
    states = []
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip() in _WANTED:
            states.append(f"{_WANTED[key.strip()]} {value.split()[0] if value.split() else '?'}")
    return f"{described}; offloads {', '.join(states) or 'unknown'}"
