"""Real measurement processes: iperf3 (JSON) for throughput and packet rate, sockperf for
latency percentiles. Each function returns parsed figures plus the exact client command,
which becomes the row's locator.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import time
from dataclasses import dataclass

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


class Server:
    """A server process (iperf3 -s or sockperf sr) inside the server namespace."""

    def __init__(self, command: list[str], ns: str, port: int, udp: bool):
        self.process = subprocess.Popen(
            ["ip", "netns", "exec", ns, *command],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            _wait_listening(ns, port, udp, self.process, 5.0)
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=3)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def iperf3_server(ends: Endpoints, cpu: int | None) -> Server:
    command = [*_pin(cpu), "iperf3", "-s", "-B", ends.server_addr, "-p", str(IPERF_PORT)]
    return Server(command, ends.server_ns, IPERF_PORT, udp=False)


def sockperf_server(ends: Endpoints, cpu: int | None) -> Server:
    command = [*_pin(cpu), "sockperf", "sr", "-i", ends.server_addr, "-p", str(SOCKPERF_PORT)]
    return Server(command, ends.server_ns, SOCKPERF_PORT, udp=True)


def _run_client(command: list[str], duration: float, *, with_stderr: bool = False) -> str:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=duration + 20)
    except subprocess.TimeoutExpired as error:
        raise ToolError(f"{shlex.join(command)}: no result after {duration + 20:.0f} s") from error
    if done.returncode != 0:
        detail = _iperf_error(done.stdout) or done.stderr.strip() or f"exit {done.returncode}"
        raise ToolError(f"{shlex.join(command)}: {detail}")
    return done.stdout + (done.stderr if with_stderr else "")


def _iperf_error(stdout: str) -> str:
    try:
        return str(json.loads(stdout).get("error", ""))
    except (json.JSONDecodeError, AttributeError):
        return ""


def iperf3(
    ends: Endpoints, protocol: str, size: int, streams: int, duration: float, cpu: int | None
) -> Measurement:
    """One iperf3 client run: TCP -> Gbps received; UDP (-b 0) -> received packets/s and Gbps."""
    command = [
        "ip", "netns", "exec", ends.client_ns, *_pin(cpu),
        "iperf3", "-c", ends.target_addr, "-p", str(IPERF_PORT), "-J",
        "-t", str(round(min(duration, MAX_DURATION))), "-P", str(streams), "-l", str(size),
        "--connect-timeout", "3000",
    ]  # fmt: skip
    if protocol == "udp":
        command += ["-u", "-b", "0"]
    return Measurement(shlex.join(command), parse_iperf3(_run_client(command, duration), protocol))


def parse_iperf3(text: str, protocol: str) -> dict[str, float]:
    """Figures from iperf3 -J: TCP uses sum_received; UDP counts packets that arrived."""
    try:
        end = json.loads(text)["end"]
    except (json.JSONDecodeError, KeyError) as error:
        raise ToolError(f"iperf3 JSON without an 'end' section: {error}") from error
    if protocol == "tcp":
        received = end["sum_received"]
        return {"throughput_gbps": received["bits_per_second"] / 1e9}
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
    }


def sockperf(ends: Endpoints, size: int, duration: float, cpu: int | None) -> Measurement:
    """sockperf ping-pong over UDP: one-way latency (half the round trip) percentiles, us."""
    command = [
        "ip", "netns", "exec", ends.client_ns, *_pin(cpu),
        "sockperf", "pp", "-i", ends.target_addr, "-p", str(SOCKPERF_PORT),
        "-t", str(max(1, round(min(duration, MAX_DURATION)))), "-m", str(max(size, 14)),
    ]  # fmt: skip
    return Measurement(
        shlex.join(command), parse_sockperf(_run_client(command, duration, with_stderr=True))
    )


_PERCENTILE = re.compile(r"percentile\s+([\d.]+)\s*=\s*([\d.]+)")


def parse_sockperf(text: str) -> dict[str, float]:
    found = {float(p): float(v) for p, v in _PERCENTILE.findall(text)}
    if 50.0 not in found or 99.0 not in found:
        raise ToolError("sockperf printed no 50th/99th percentile (no replies?)")
    return {"latency_p50_us": found[50.0], "latency_p99_us": found[99.0]}
