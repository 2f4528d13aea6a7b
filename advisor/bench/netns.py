"""Network namespaces and links, through iproute2's ``ip`` (one subprocess per call).

A :class:`Sandbox` owns every namespace one run creates. Names are ``cnab-<6 hex>-<role>``
so two runs never collide and ``bench cleanup`` can find a crashed run's leftovers by
prefix. Links are created directly inside those namespaces (``ip link add ... netns``),
so the machine's root namespace never sees a link of ours, not even for a moment.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import secrets
import signal
import subprocess
import time
from collections.abc import Sequence

ROOT_PREFIX = "cnab-"
ALLOWED_NETWORK = ipaddress.ip_network("198.18.0.0/15")  # RFC 2544 benchmarking range


class NetnsError(RuntimeError):
    """An ``ip`` command failed; the message holds the command and ip's own words."""


def new_prefix() -> str:
    """A fresh per-run prefix such as ``cnab-3fa2c1-``."""
    return f"{ROOT_PREFIX}{secrets.token_hex(3)}-"


def run_ip(args: Sequence[str], *, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run ``ip ARGS``; on failure raise NetnsError with ip's stderr (the reason users see)."""
    done = subprocess.run(["ip", *args], capture_output=True, text=True, timeout=30)
    if check and done.returncode != 0:
        reason = (done.stderr or done.stdout).strip().splitlines()
        raise NetnsError(f"ip {' '.join(args)}: {reason[-1] if reason else 'failed'}")
    return done


def list_namespaces() -> list[str]:
    """Names from ``ip netns list`` (the first word of each line)."""
    out = run_ip(["netns", "list"], check=False).stdout
    return [line.split()[0] for line in out.splitlines() if line.strip()]


def namespace_pids(name: str) -> list[int]:
    out = run_ip(["netns", "pids", name], check=False).stdout
    return [int(word) for word in out.split() if word.isdigit()]


def delete_namespace(name: str) -> None:
    """Stop the processes inside (ours: iperf3/sockperf), then delete; links go with it."""
    for attempt in range(3):
        pids = namespace_pids(name)
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM if attempt == 0 else signal.SIGKILL)
        if pids:
            time.sleep(0.1)
    run_ip(["netns", "delete", name], check=False)


def check_address(address: str) -> str:
    """Refuse any address outside 198.18.0.0/15: the tool's one hard safety rule."""
    interface = ipaddress.ip_interface(address)
    if interface.ip not in ALLOWED_NETWORK:
        raise NetnsError(f"{address} is outside {ALLOWED_NETWORK}; refusing to use it")
    return address


class Sandbox:
    """The namespaces of one run; ``close()`` deletes every one of them (idempotent)."""

    def __init__(self, prefix: str | None = None):
        self.prefix = prefix or new_prefix()
        self.namespaces: list[str] = []

    def namespace(self, role: str) -> str:
        """Create ``<prefix><role>`` and return its name.

        IPv6 is off and 127.0.0.1 is removed from loopback, so the only addresses in our
        namespaces are the 198.18.0.0/15 ones this tool assigns (tests check that).
        """
        name = f"{self.prefix}{role}"
        run_ip(["netns", "add", name])
        self.namespaces.append(name)
        for scope in ("all", "default"):
            self.sysctl(name, f"net.ipv6.conf.{scope}.disable_ipv6", "1")
        run_ip(["-n", name, "link", "set", "lo", "up"])
        run_ip(["-n", name, "addr", "del", "127.0.0.1/8", "dev", "lo"], check=False)
        return name

    def ip(self, ns: str, *args: str) -> None:
        run_ip(["-n", ns, *args])

    def veth(self, ns_a: str, name_a: str, ns_b: str, name_b: str, mtu: int | None = None) -> None:
        """A veth pair created straight into two of our namespaces, both ends up."""
        run_ip(
            ["link", "add", "name", name_a, "netns", ns_a, "type", "veth",
             "peer", "name", name_b, "netns", ns_b]
        )  # fmt: skip
        for ns, name in ((ns_a, name_a), (ns_b, name_b)):
            if mtu:
                self.ip(ns, "link", "set", name, "mtu", str(mtu))
            self.ip(ns, "link", "set", name, "up")

    def address(self, ns: str, device: str, address: str) -> None:
        self.ip(ns, "addr", "add", check_address(address), "dev", device)

    def route(self, ns: str, destination: str, via: str) -> None:
        if destination != "default":
            check_address(destination)
        self.ip(ns, "route", "add", destination, "via", check_address(via))

    def sysctl(self, ns: str, key: str, value: str) -> None:
        """A per-namespace sysctl (e.g. ip_forward): never the host's own."""
        subprocess.run(
            ["ip", "netns", "exec", ns, "sysctl", "-qw", f"{key}={value}"],
            check=True, capture_output=True, timeout=10,
        )  # fmt: skip

    def exec_prefix(self, ns: str) -> list[str]:
        return ["ip", "netns", "exec", ns]

    def close(self) -> None:
        while self.namespaces:
            delete_namespace(self.namespaces.pop())
