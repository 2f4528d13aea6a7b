"""Real measurement processes: iperf3 (JSON) for throughput and packet rate, sockperf for
latency percentiles. Each function returns parsed figures plus the exact client command,
which becomes the row's locator.

Loss is counted where it happens. TCP: iperf3's retransmits, and the D-SACK segments the
sender got back (retransmits the receiver already had: reordering, not loss). UDP with
``-b 0``: iperf3's lost packets, of which those the receiving socket dropped because its
buffer was full (Udp RcvbufErrors of the server's namespace) only mean the sender is
faster than the receiver; the rest were lost on the path.

Every client and server is started with Popen (never in a thread), recorded in the run's
registry, and killed on any exit, so Ctrl-C ends a run at once.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shlex
import shutil
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass

from . import registry
from .kernelstats import counters, cpu_ns, delta, softirq_thread
from .limits import IPERF_PORT, MAX_DURATION, SOCKPERF_PORT
from .topologies import Endpoints


class ToolError(RuntimeError):
    """A measurement failed; the message holds the command and the tool's complaint."""


@dataclass(frozen=True, slots=True)
class Measurement:
    command: str  # the exact client command line
    figures: dict[str, float]  # e.g. {"throughput_gbps": 9.1} or {"packet_rate_mpps": 0.3}


def version(tool: str) -> str:
    """First line of ``tool --version`` (both print it on stdout or stderr)."""
    if shutil.which(tool) is None:
        return "missing"
    done = subprocess.run([tool, "--version"], capture_output=True, text=True, timeout=10)
    lines = (done.stdout + done.stderr).strip().splitlines()
    text = next((line for line in lines if "version" in line.lower()), lines[0] if lines else "")
    return re.sub(r"\x1b\[[0-9;]*m", "", text).replace("sockperf: ", "").strip() or "unknown"


def _pin(cpu: int | None) -> list[str]:
    return ["taskset", "-c", str(cpu)] if cpu is not None else []


def _wait_listening(ns: str, port: int, udp: bool, server: subprocess.Popen, limit: float) -> None:
    flag = "-Hlun" if udp else "-Hltn"
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        out = subprocess.run(
            ["ip", "netns", "exec", ns, "ss", flag, f"sport = :{port}"],
            capture_output=True, text=True, timeout=10,
        ).stdout  # fmt: skip
        if out.strip():
            return
        if server.poll() is not None:
            raise ToolError(
                f"server exited at start: {server.stderr.read() if server.stderr else ''}"
            )
        time.sleep(0.02)
    raise ToolError(f"server on port {port} did not start within {limit} s")


def _start(command: list[str], **popen) -> subprocess.Popen:
    """Popen a measurement process and record it in its run's registry (by namespace)."""
    process = subprocess.Popen(command, **popen)
    run = registry.run_id(command[3]) if command[:3] == ["ip", "netns", "exec"] else None
    if run:
        _wait_exec(process)
        registry.add_process(run, process.pid)
    return process


def _wait_exec(process: subprocess.Popen, limit: float = 2.0) -> None:
    """Wait until `ip netns exec` (and taskset) has exec'd into the measuring tool, so the
    recorded executable is iperf3/sockperf and not ip."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline and process.poll() is None:
        if registry.executable(process.pid) in registry.OUR_TOOLS:
            return
        time.sleep(0.005)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=3)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    with contextlib.suppress(OSError, ValueError):
        if isinstance(process.args, list) and len(process.args) > 3:
            run = registry.run_id(str(process.args[3]))
            if run:
                registry.drop_process(run, process.pid)


class Server:
    """A server process (iperf3 -s or sockperf sr) inside the server namespace."""

    def __init__(self, command: list[str], ns: str, port: int, udp: bool):
        self.process = _start(
            ["ip", "netns", "exec", ns, *command],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            _wait_listening(ns, port, udp, self.process, 5.0)
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        _stop(self.process)


def iperf3_server(ends: Endpoints, cpu: int | None) -> Server:
    command = [*_pin(cpu), "iperf3", "-s", "-B", ends.server_addr, "-p", str(IPERF_PORT)]
    return Server(command, ends.server_ns, IPERF_PORT, udp=False)


def sockperf_server(ends: Endpoints, cpu: int | None) -> Server:
    command = [*_pin(cpu), "sockperf", "sr", "-i", ends.server_addr, "-p", str(SOCKPERF_PORT)]
    return Server(command, ends.server_ns, SOCKPERF_PORT, udp=True)


class Client:
    """A client started now and collected later, so N copies run at once without threads;
    its output goes to temporary files (no pipe can fill up while others run)."""

    def __init__(self, command: list[str], duration: float, with_stderr: bool = False):
        self.command, self.duration, self.with_stderr = command, duration, with_stderr
        self.out = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 (closed in close())
        self.err = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115
        self.cpu_ns = 0.0  # the client's CPU time (user + system, softirqs it ran included)
        self.process = _start(command, stdout=self.out, stderr=self.err, text=True)

    def _reap(self, deadline: float) -> None:
        """Wait with wait4, which also hands back the finished client's CPU time."""
        while True:
            pid, status, usage = os.wait4(self.process.pid, os.WNOHANG)
            if pid:
                self.process.returncode = os.waitstatus_to_exitcode(status)
                self.cpu_ns = (usage.ru_utime + usage.ru_stime) * 1e9
                return
            if time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(self.command, self.duration + 20)
            time.sleep(0.01)

    def result(self, deadline: float) -> str:
        """Wait (until the monotonic deadline) and return the output; stopped on any error."""
        try:
            self._reap(deadline)
        except subprocess.TimeoutExpired as error:
            limit = self.duration + 20
            raise ToolError(f"{shlex.join(self.command)}: no result after {limit:.0f} s") from error
        finally:
            _stop(self.process)
        self.out.seek(0)
        self.err.seek(0)
        stdout, stderr = self.out.read(), self.err.read()
        if self.process.returncode != 0:
            detail = _iperf_error(stdout) or stderr.strip() or f"exit {self.process.returncode}"
            raise ToolError(f"{shlex.join(self.command)}: {detail}")
        return stdout + (stderr if self.with_stderr else "")

    def close(self) -> None:
        _stop(self.process)
        self.out.close()
        self.err.close()


def run_clients(
    commands: Sequence[list[str]], duration: float, with_stderr: bool
) -> list[tuple[str, float]]:
    """Start every client at once, collect every output and the client's CPU time in ns;
    all are killed on any exit."""
    clients: list[Client] = []
    try:
        for command in commands:
            clients.append(Client(command, duration, with_stderr))
        deadline = time.monotonic() + duration + 20
        return [(client.result(deadline), client.cpu_ns) for client in clients]
    finally:
        for client in clients:
            client.close()


def _iperf_error(stdout: str) -> str:
    try:
        return str(json.loads(stdout).get("error", ""))
    except (json.JSONDecodeError, AttributeError):
        return ""


def iperf3_command(
    ends: Endpoints, protocol: str, size: int, streams: int, duration: float, cpu: int | None
) -> list[str]:
    command = [
        "ip", "netns", "exec", ends.client_ns, *_pin(cpu),
        "iperf3", "-c", ends.target_addr, "-p", str(IPERF_PORT), "-J",
        "-t", str(round(min(duration, MAX_DURATION))), "-P", str(streams), "-l", str(size),
        "--connect-timeout", "3000",
    ]  # fmt: skip
    if protocol == "udp":
        command += ["-u", "-b", "0"]
    return command


def _cpu_figures(
    figures: dict[str, float], protocol: str, client_cpu: float, server_cpu: float
) -> None:
    """CPU cost of the flow, immune to other programs sharing the core: TCP -> Gbit per
    CPU-second (what one core would carry alone); UDP -> ns of CPU per packet (the
    sender's time per packet sent plus the receiver's per packet received)."""
    total = client_cpu + server_cpu
    if protocol == "tcp":
        if total > 0:
            figures["cpu_gbps_per_core"] = figures["bytes_received"] * 8 / total
        return
    sent, received = figures["packets_sent"], figures["packets_sent"] - figures["packets_lost"]
    if sent > 0 and received > 0:
        figures["cpu_ns_per_packet"] = client_cpu / sent + server_cpu / received


def iperf3_many(
    all_ends: Sequence[Endpoints],
    protocol: str,
    size: int,
    streams: int,
    duration: float,
    cpu: int | None,
    server_pids: Sequence[int] = (),
) -> list[Measurement]:
    """iperf3 clients on every copy at once: TCP -> Gbps received, retransmits and the
    spurious share; UDP (-b 0) -> received packets/s, Gbps, loss split by where it was."""
    commands = [iperf3_command(e, protocol, size, streams, duration, cpu) for e in all_ends]
    spaces = sorted({ns for e in all_ends for ns in (e.client_ns, e.server_ns)})
    before = {ns: counters(ns) for ns in spaces}
    servers = list(server_pids) if server_pids else []
    softirq = softirq_thread(cpu)
    watched = [*servers, *([softirq] if softirq else [])]
    cpu_before = {pid: cpu_ns(pid) for pid in watched}
    outputs = run_clients(commands, duration, with_stderr=False)
    cpu_used = {pid: cpu_ns(pid) - cpu_before[pid] for pid in watched}
    after = {ns: counters(ns) for ns in spaces}
    found = []
    for index, (ends, command, (text, client_cpu)) in enumerate(
        zip(all_ends, commands, outputs, strict=True)
    ):
        figures = parse_iperf3(text, protocol)
        if index < len(servers) and client_cpu > 0:
            # One copy's CPU: its client and server, plus its share of deferred softirqs.
            shared = cpu_used.get(softirq, 0.0) / len(all_ends) if softirq else 0.0
            _cpu_figures(figures, protocol, client_cpu, cpu_used[servers[index]] + shared)
        if protocol == "tcp":
            dsack = delta(after[ends.client_ns], before[ends.client_ns],
                           "TcpExt.TCPDSACKRecvSegs")  # fmt: skip
            figures["spurious_retransmits"] = float(min(dsack, figures["retransmits"]))
            figures.pop("bytes_received")
        else:
            overflow = delta(after[ends.server_ns], before[ends.server_ns], "Udp.RcvbufErrors")
            sent = figures.pop("packets_sent")
            lost = figures.pop("packets_lost")
            figures["socket_overflow_percent"] = min(overflow, lost) / sent * 100 if sent else 0.0
            figures["path_loss_percent"] = max(0, lost - overflow) / sent * 100 if sent else 0.0
        found.append(Measurement(shlex.join(command), figures))
    return found


def iperf3(
    ends: Endpoints, protocol: str, size: int, streams: int, duration: float, cpu: int | None
) -> Measurement:
    """One iperf3 client run (see :func:`iperf3_many`)."""
    return iperf3_many([ends], protocol, size, streams, duration, cpu)[0]


def parse_iperf3(text: str, protocol: str) -> dict[str, float]:
    """Figures from iperf3 -J: TCP uses sum_received and sum_sent's retransmits; UDP
    counts packets that arrived and keeps lost_percent."""
    try:
        document = json.loads(text)
        end = document["end"]
    except (json.JSONDecodeError, KeyError, TypeError) as error:
        raise ToolError(f"iperf3 JSON without an 'end' section: {error}") from error
    if document.get("error"):
        raise ToolError(f"iperf3: {document['error']}")
    try:
        return _figures(end, protocol)
    except (KeyError, TypeError) as error:
        raise ToolError(f"iperf3 JSON lacks {error} in its 'end' section") from error


def _figures(end: dict, protocol: str) -> dict[str, float]:
    if protocol == "tcp":
        received = end["sum_received"]
        return {
            "throughput_gbps": received["bits_per_second"] / 1e9,
            "retransmits": float(end.get("sum_sent", {}).get("retransmits", 0) or 0),
            "bytes_received": float(received.get("bytes", 0)),
        }
    total = end["sum"]
    seconds = total["seconds"]
    arrived = total["packets"] - total["lost_packets"]
    if seconds <= 0 or arrived <= 0:
        raise ToolError(f"iperf3 UDP: no packet arrived ({total})")
    sent_bytes_per_packet = total["bytes"] / total["packets"]
    return {
        "packet_rate_mpps": arrived / seconds / 1e6,
        "throughput_gbps": arrived * sent_bytes_per_packet * 8 / seconds / 1e9,
        "loss_percent": float(total["lost_percent"]),
        "packets_sent": float(total["packets"]),
        "packets_lost": float(total["lost_packets"]),
    }


def _sockperf_command(ends: Endpoints, size: int, seconds: str, cpu: int | None) -> list[str]:
    return [
        "ip", "netns", "exec", ends.client_ns, *_pin(cpu),
        "sockperf", "pp", "-i", ends.target_addr, "-p", str(SOCKPERF_PORT),
        "-t", seconds, "-m", str(max(size, 14)),
    ]  # fmt: skip


def sockperf_many(
    all_ends: Sequence[Endpoints], size: int, duration: float, cpu: int | None
) -> list[Measurement]:
    """sockperf ping-pong over UDP on every copy at once: one-way latency (half the round
    trip) percentiles, us."""
    seconds = str(max(1, round(min(duration, MAX_DURATION))))
    commands = [_sockperf_command(ends, size, seconds, cpu) for ends in all_ends]
    outputs = run_clients(commands, duration, with_stderr=True)
    return [
        Measurement(shlex.join(c), parse_sockperf(t))
        for c, (t, _) in zip(commands, outputs, strict=True)
    ]


def sockperf(ends: Endpoints, size: int, duration: float, cpu: int | None) -> Measurement:
    return sockperf_many([ends], size, duration, cpu)[0]


_PERCENTILE = re.compile(r"percentile\s+([\d.]+)\s*=\s*([\d.]+)")


def parse_sockperf(text: str) -> dict[str, float]:
    found = {float(p): float(v) for p, v in _PERCENTILE.findall(text)}
    if 50.0 not in found or 99.0 not in found:
        raise ToolError("sockperf printed no 50th/99th percentile (no replies?)")
    return {"latency_p50_us": found[50.0], "latency_p99_us": found[99.0]}
