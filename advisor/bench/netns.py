"""Network namespaces and links, through iproute2's ``ip`` (one subprocess per call).

A :class:`Sandbox` owns every namespace one run creates. Names are ``cnab-<6 hex>-<role>``
so two runs never collide, and each is written to the run's registry record before it is
created, so ``bench cleanup`` removes exactly what a crashed run made and nothing else.
Links are created directly inside those namespaces (``ip link add ... netns``), so the
machine's root namespace never sees a link of ours, not even for a moment. Every setup
command is kept (``Sandbox.commands``) for the run's provenance.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import secrets
import shlex
import signal
import subprocess
import time
from collections.abc import Iterable, Sequence

from . import registry

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


def stop_processes(processes: Iterable[dict]) -> None:
    """SIGTERM, then SIGKILL, the recorded processes that are still the ones we started
    (same executable and start time); anything else is never signalled."""
    for attempt in range(3):
        alive = [p["pid"] for p in processes if registry.is_ours(p)]
        for pid in alive:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM if attempt == 0 else signal.SIGKILL)
        if not alive:
            return
        time.sleep(0.1)


def delete_namespace(name: str, processes: Iterable[dict] = ()) -> None:
    """Stop our recorded processes inside, then delete; links go with the namespace.

    A process someone else started in it keeps the (now unnamed) namespace alive until
    it exits; it is not ours to kill.
    """
    stop_processes([p for p in processes if p.get("pid") in namespace_pids(name)])
    run_ip(["netns", "delete", name], check=False)
    registry.drop_namespace(name)


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
        self.commands: list[str] = []  # every setup command, for the provenance

    def _ip(self, args: Sequence[str], check: bool = True) -> subprocess.CompletedProcess[str]:
        self.commands.append(shlex.join(["ip", *args]))
        return run_ip(args, check=check)

    def namespace(self, role: str) -> str:
        """Create ``<prefix><role>`` and return its name.

        IPv6 is off and 127.0.0.1 is removed from loopback, so the only addresses in our
        namespaces are the 198.18.0.0/15 ones this tool assigns (tests check that).
        """
        name = f"{self.prefix}{role}"
        registry.add_namespace(name)  # recorded first: a crash right after leaves no orphan
        self._ip(["netns", "add", name])
        self.namespaces.append(name)
        for scope in ("all", "default"):
            self.sysctl(name, f"net.ipv6.conf.{scope}.disable_ipv6", "1")
        self._ip(["-n", name, "link", "set", "lo", "up"])
        self._ip(["-n", name, "addr", "del", "127.0.0.1/8", "dev", "lo"], check=False)
        return name

    def ip(self, ns: str, *args: str) -> None:
        self._ip(["-n", ns, *args])

    def veth(self, ns_a: str, name_a: str, ns_b: str, name_b: str, mtu: int | None = None) -> None:
        """A veth pair created straight into two of our namespaces, both ends up."""
        self._ip(
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
        command = ["ip", "netns", "exec", ns, "sysctl", "-qw", f"{key}={value}"]
        self.commands.append(shlex.join(command))
        subprocess.run(command, check=True, capture_output=True, timeout=10)

    def run_in(
        self, ns: str, command: list[str], stdin: str = "", *, secret: bool = False
    ) -> subprocess.CompletedProcess:
        """Another setup tool (nft, wg) inside one of our namespaces, recorded like ip
        (a secret stdin, such as a throwaway WireGuard key, is recorded as <secret>)."""
        full = [*self.exec_prefix(ns), *command]
        shown = "<secret>" if secret else stdin.strip()
        self.commands.append(shlex.join(full) + (f" <<'EOF'\n{shown}\nEOF" if stdin else ""))
        return subprocess.run(full, input=stdin, capture_output=True, text=True, timeout=10)

    def exec_prefix(self, ns: str) -> list[str]:
        return ["ip", "netns", "exec", ns]

    def close(self, processes: Iterable[dict] = ()) -> None:
        """Delete every namespace of this sandbox, stopping our recorded processes in it."""
        processes = list(processes)
        while self.namespaces:
            delete_namespace(self.namespaces.pop(), processes)
