"""Turns a run into dataset rows (advisor.model.data.COLUMNS) plus a provenance JSON,
saved in the user's data directory, never inside the installed package.

Data directory: $CNADVISOR_DATA_DIR/bench if set, else $XDG_DATA_HOME/cnadvisor/bench
(default ~/.local/share/cnadvisor/bench). :func:`local_rows` reads every saved CSV back
through the dataset's own validator, so ``model train --with-local`` trusts nothing new.
"""

from __future__ import annotations

import csv
import io
import json
import os
import platform
import pwd
import socket
import time
from pathlib import Path

from ..model.data import COLUMNS, BenchmarkRow, parse_rows
from . import tools
from .runner import SPREAD_WARNING, Result, RunResult
from .topologies import TOPOLOGIES

DATA_ENV = "CNADVISOR_DATA_DIR"
# figure key -> (metric, unit, scale from the figure to the unit)
METRICS = {
    "throughput_gbps": ("throughput", "Gbps", 1.0),
    "packet_rate_mpps": ("packet_rate", "Mpps", 1.0),
    "latency_p50_us": ("latency", "us", 1.0),
    "latency_p99_us": ("latency_p99", "us", 1.0),
}


def _home() -> Path:
    """The invoking user's home, also under sudo, so `model train --with-local` run
    without sudo finds what `sudo cnadvisor bench run` saved."""
    user = os.environ.get("SUDO_USER")
    if os.geteuid() == 0 and user:
        try:
            return Path(pwd.getpwnam(user).pw_dir)
        except KeyError:
            pass
    return Path.home()


def data_dir() -> Path:
    base = os.environ.get(DATA_ENV)
    if base:
        return Path(base) / "bench"
    xdg = os.environ.get("XDG_DATA_HOME") or str(_home() / ".local" / "share")
    return Path(xdg) / "cnadvisor" / "bench"


def _give_to_sudo_user(path: Path) -> None:
    uid, gid = os.environ.get("SUDO_UID"), os.environ.get("SUDO_GID")
    if os.geteuid() == 0 and uid and gid and uid.isdigit() and gid.isdigit():
        os.chown(path, int(uid), int(gid))


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _virtualization() -> str:
    """'vm' when systemd-detect-virt or the CPU flags say so, 'bare-metal' when they say
    none, 'unknown' otherwise (the dataset's three values)."""
    import shutil
    import subprocess

    if shutil.which("systemd-detect-virt"):
        done = subprocess.run(
            ["systemd-detect-virt", "--vm"], capture_output=True, text=True, timeout=5
        )
        answer = done.stdout.strip()
        if answer == "none":
            return "bare-metal"
        if answer:
            return "vm"
    try:
        if " hypervisor" in Path("/proc/cpuinfo").read_text():
            return "vm"
    except OSError:
        pass
    return "unknown"


def host_facts() -> dict[str, object]:
    return {
        "hostname": socket.gethostname(),
        "kernel": platform.release(),
        "cpu_model": _cpu_model(),
        "cores": os.cpu_count(),
        "virtualization": _virtualization(),
        "iperf3": tools.version("iperf3"),
        "sockperf": tools.version("sockperf"),
        "python": platform.python_version(),
    }


def _baselines(run: RunResult) -> dict[tuple, float]:
    return {
        (r.test, key): r.median(key)
        for r in run.results
        if r.topology == "host" and not r.error
        for key in r.samples
    }


def rows(run: RunResult, facts: dict[str, object]) -> list[dict[str, str]]:
    """One row per topology x test x figure, median over repeats, host baseline attached."""
    baselines = _baselines(run)
    date = time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(run.started))
    out = []
    for result in run.results:
        if not result.samples:
            continue
        topology = TOPOLOGIES[result.topology]
        for key, (metric, unit, scale) in METRICS.items():
            if key not in result.samples:
                continue
            out.append(_row(run, facts, date, topology, result, key, metric, unit, scale,
                            baselines.get((result.test, key))))  # fmt: skip
    return out


def _row(run, facts, date, topology, result: Result, key, metric, unit, scale, baseline):
    values = result.samples[key]
    spread = result.spread(key)
    protocol = "udp" if result.test.kind in ("udp", "latency") else "tcp"
    notes = (
        f"local measurement, {topology.description}; emulated on one machine in network "
        f"namespaces; repeats={len(values)} median of {[round(v * scale, 4) for v in values]}, "
        f"spread={spread:.1f}%{' (LARGE)' if spread > SPREAD_WARNING else ''}; "
        f"duration={run.options.duration:g}s; pinned={run.options.pin}; "
        + (
            f"pairs={run.options.pairs} concurrent copies of the topology (container density), "
            "throughput and packet rate added up over them, latency averaged; "
            if run.options.pairs > 1
            else ""
        )
        + f"kernel {facts['kernel']}; CPU {facts['cpu_model']}; cores {facts['cores']}; "
        f"{facts['iperf3']}; {facts['sockperf']}; date {date}; run {run.prefix.rstrip('-')}"
    )
    return {
        "source_id": f"local-{facts['hostname']}",
        "locator": result.command,
        "solution_label": topology.label,
        "solution_id": topology.solution_id,
        "scenario": topology.scenario,
        "virtualization": str(facts["virtualization"]),
        "protocol": protocol,
        "message_size_bytes": str(result.test.size),
        "link_gbps": "",
        "encryption": "wireguard" if topology.name == "wireguard" else "none",
        # Parallel flows in all: each copy's streams (latency runs one flow per copy).
        "streams": str(result.test.streams * run.options.pairs),
        "metric": metric,
        "unit": unit,
        "value": f"{result.median(key) * scale:.6g}",
        "baseline_value": "" if baseline is None else f"{baseline * scale:.6g}",
        "baseline_label": "" if baseline is None else "host baseline of the same run and test",
        "relative_to": "",
        "notes": notes,
    }


def to_csv(items: list[dict[str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(items)
    return buffer.getvalue()


def provenance(run: RunResult, facts: dict[str, object]) -> dict[str, object]:
    options = run.options
    return {
        "schema_version": 1,
        "tool": "cnadvisor bench",
        "run": run.prefix.rstrip("-"),
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(run.started)),
        "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(run.finished)),
        "host": facts,
        "options": {
            "message_sizes": list(options.sizes),
            "streams": options.streams,
            "repeat": options.repeat,
            "duration_s": options.duration,
            "pin": options.pin,
            "tests": [str(t) for t in options.tests()],
        },
        "topologies": run.status,
        "commands": run.commands,
        "addresses": "198.18.0.0/15 only, inside this run's namespaces",
    }


def save(run: RunResult, output: str | None = None, force: bool = False) -> list[Path]:
    """Write CSV + provenance to the data dir (and to --output); return the CSV paths.

    The rows are validated with parse_rows before anything is written.
    """
    facts = host_facts()
    items = rows(run, facts)
    text = to_csv(items)
    parse_rows(text, "cnadvisor bench output")  # raises DatasetError on a bad row
    meta = json.dumps(provenance(run, facts), indent=2) + "\n"
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(run.started))
    targets = [data_dir() / f"{stamp}-{run.prefix.rstrip('-')}.csv"]
    if output:
        path = Path(output)
        if path.exists() and not force:
            raise FileExistsError(f"{output} exists; pass --force to replace it")
        targets.append(path)
    for index, path in enumerate(targets):
        if index == 0 and not path.parent.exists():
            path.parent.mkdir(parents=True)
            for folder in (path.parent, path.parent.parent):
                _give_to_sudo_user(folder)
        path.write_text(text, encoding="utf-8")
        provenance_path(path).write_text(meta, encoding="utf-8")
        for written in (path, provenance_path(path)):
            _give_to_sudo_user(written)
    return targets


def provenance_path(csv_path: Path) -> Path:
    return csv_path.with_name(csv_path.stem + ".provenance.json")


def local_rows() -> list[BenchmarkRow]:
    """Every saved local row, validated by cnadvisor.model.data.parse_rows."""
    found: list[BenchmarkRow] = []
    folder = data_dir()
    if not folder.is_dir():
        return found
    for path in sorted(folder.glob("*.csv")):
        found.extend(parse_rows(path.read_text(encoding="utf-8"), str(path)))
    return found
