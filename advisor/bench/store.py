"""Turns a run into dataset rows (advisor.model.data.COLUMNS) plus a provenance JSON,
saved in the user's data directory, never inside the installed package.

Data directory: $CNADVISOR_DATA_DIR/bench if set, else $XDG_DATA_HOME/cnadvisor/bench
(default ~/.local/share/cnadvisor/bench). :func:`local_rows` reads every saved CSV back
through the dataset's own validator, so ``model train --with-local`` trusts nothing new.
Beside each run's rows ``<run>.stages.csv`` holds the stage costs derived from it
(:mod:`.stagecosts`); :func:`local_stage_costs` reads them all.

Retransmits and loss are recorded in each row's ``notes`` (the dataset has no column
for them), with a ``WARNING:`` there when they are non-zero or the ratio is below 0.1.

Local columns. After the dataset's columns each local CSV has :data:`LOCAL_COLUMNS`
(the dataset validator ignores extra columns); :func:`local_measurements` reads them:

- ``topology``, ``baseline_topology``: the bench topology measured and the one its
  ratios are taken against (``host-loopback`` or ``host-wire``), both from ``cnadvisor
  bench list``. Files written before the topologies were renamed are read with today's
  names (``cnadvisor.bench.topologies.RENAMED``).
- ``ratio``, ``ratio_spread_percent``: wall-clock ratio value / baseline_value, the median
  of the per-repeat ratios (repeat i of the topology over repeat i of its baseline, which
  ran next to each other), and (max - min) / median of those in percent (empty with one
  repeat). For latency rows it is the latency ratio (above 1 is slower).
- ``cpu_ratio``, ``cpu_ratio_spread_percent``: the same ratio from CPU time instead of
  wall-clock time, for the throughput and packet-rate rows of TCP and UDP tests when
  client and server were pinned to one core (the default): per repeat, the topology's
  throughput per CPU-second of client + server (Gbit per CPU-second for TCP; 1 / CPU ns
  per packet, sender's per packet sent plus receiver's per packet received, for UDP) over
  its baseline's in the same repeat; median and spread as above. Above 1 the topology
  carries more per CPU-second than its baseline. Other programs on the machine change
  wall-clock figures, hardly CPU time, so this is the figure to calibrate from on a
  shared host. Empty for latency rows, unpinned runs, and when a CPU figure is missing.
- ``core_share``: the median over repeats of the CPU-seconds client + server used per
  second of the test (pinned: the share of their one core they got; near 1 on an idle
  machine). A TCP flow's CPU cost per bit grows as its share shrinks (less batching), so
  compare it with the baseline row's (same test, ``baseline_topology``) before trusting
  a TCP ``cpu_ratio``; UDP's cost per packet hardly depends on it. Empty where
  ``cpu_ratio`` has no CPU figure.
- ``repeats``: how many repeats the medians are over.
- ``pairs``: copies of the topology (and of its baseline) measured at once, ``--pairs``:
  container density (2 containers a copy). Files written before this column have 1.

Baseline rows have ``ratio`` and ``cpu_ratio`` 1 (their own baseline).
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import platform
import pwd
import re
import socket
import statistics
import time
import warnings
from dataclasses import dataclass, replace
from pathlib import Path

from ..model.data import COLUMNS, BenchmarkRow, DatasetError, parse_rows
from . import quality, stagecosts, tools
from .runner import SPREAD_WARNING, Result, RunResult
from .topologies import TOPOLOGIES, current_name

STAGES_SUFFIX = ".stages.csv"
LOCAL_COLUMNS = (
    "topology", "baseline_topology", "ratio", "ratio_spread_percent", "cpu_ratio",
    "cpu_ratio_spread_percent", "core_share", "repeats", "pairs",
)  # fmt: skip
ROW_COLUMNS = (*COLUMNS, *LOCAL_COLUMNS)

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


def rows(run: RunResult, facts: dict[str, object]) -> list[dict[str, str]]:
    """One row per topology x test x figure, median over repeats, with the same-run
    figure of the topology's own baseline (loopback or the emulated wire) attached."""
    date = time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(run.started))
    out = []
    for result in run.results:
        if not result.samples:
            continue
        topology = run.topologies.get(result.topology) or TOPOLOGIES[result.topology]
        base = quality.baseline_result(run, result)
        for key, (metric, unit, scale) in METRICS.items():
            if key not in result.samples:
                continue
            baseline = base.median(key) if base and key in base.samples else None
            out.append(_row(run, facts, date, topology, result, key, metric, unit, scale,
                            baseline))  # fmt: skip
    return out


def spread_text(spread: float | None) -> str:
    """'12.3%' (with LARGE above the warning level), or '–' with a single repeat."""
    if spread is None:
        return "–"
    return f"{spread:.1f}%{' (LARGE)' if spread > SPREAD_WARNING else ''}"


def _test_note(run: RunResult, topology_name: str, result: Result) -> str:
    test, options = result.test, run.options
    if test.kind == "tcp":
        what = f"TCP bulk: iperf3 -l {test.size} (write size {test.size} B), {test.streams} stream"
    elif test.kind == "udp":
        what = f"UDP: iperf3 -u -b 0 -l {test.size} (datagram payload {test.size} B)"
    else:
        what = f"latency: sockperf ping-pong, {max(test.size, 14)} B messages, one-way = RTT/2"
    pinned = "client and server pinned to one core" if options.pin else "not pinned"
    topology = run.topologies.get(topology_name) or TOPOLOGIES[topology_name]
    if options.together and test.kind != "latency":
        if topology.baseline_name == topology_name:
            pinned += "; measured at the same time as a topology it is the baseline of"
        else:
            pinned += f"; measured at the same time as {topology.baseline_name}, same core"
    return f"{what}; {run.offloads.get(topology_name, 'offloads not recorded')}; {pinned}"


def _row(run, facts, date, topology, result: Result, key, metric, unit, scale, baseline):
    values = result.samples[key]
    protocol = "udp" if result.test.kind in ("udp", "latency") else "tcp"
    baseline_name = topology.baseline_name
    value, ratio_spread = quality.ratio(run, result, key)
    cpu_value, cpu_spread = quality.cpu_ratio(run, result)
    headline = quality.HEADLINE[result.test.kind]
    warned = quality.warnings(run, result)
    notes = (
        f"local measurement, {topology.description}; emulated on one machine in network "
        f"namespaces; topology {topology.name}"
        + (
            f" (also emulates {', '.join(topology.also_emulates)}, as their plugins declare)"
            if topology.also_emulates
            else ""
        )
        + f"; {_test_note(run, topology.name, result)}; "
        f"repeats={len(values)} median of {[round(v * scale, 4) for v in values]}, "
        f"spread={spread_text(result.spread(key))}; "
        + (
            f"ratio to {baseline_name} (paired per repeat) {value:.3f}, "
            f"spread {spread_text(ratio_spread)}; "
            if value is not None and topology.name != baseline_name
            else ""
        )
        + (f"{quality.cpu_note(result)}; " if quality.cpu_note(result) else "")
        + (
            f"CPU-time ratio to {baseline_name} {cpu_value:.3f}, spread {spread_text(cpu_spread)}; "
            if cpu_value is not None and topology.name != baseline_name and key == headline
            else ""
        )
        + f"{quality.loss_note(result)}; duration={run.options.duration:g}s; "
        + (
            f"pairs {run.options.pairs}: {run.options.pairs} concurrent copies of the topology "
            f"(container density, {2 * run.options.pairs} containers), throughput and packet "
            "rate added up over them, latency averaged; "
            if run.options.pairs > 1
            else "pairs 1; "
        )
        + (
            f"other bench runs measured at the same time: "
            f"{', '.join(o.rstrip('-') for o in run.overlapped)}; "
            if run.overlapped
            else ""
        )
        + "".join(f"WARNING: {w}; " for w in warned)
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
        "baseline_label": "" if baseline is None else _baseline_label(topology.baseline_name),
        "relative_to": "",
        "notes": notes,
        **_local_columns(run, topology, result, key, value, ratio_spread, cpu_value, cpu_spread),
    }


def _number_text(value: float | None, digits: int = 4) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def _local_columns(run, topology, result: Result, key, value, spread, cpu_value, cpu_spread):
    """The local columns (see the module's docstring) of one row."""
    own_baseline = topology.name == topology.baseline_name
    cpu_applies = (
        run.options.pin
        and result.test.kind in quality.CPU_KEYS
        and key in ("throughput_gbps", "packet_rate_mpps")
    )
    if own_baseline:
        value, spread = 1.0, None
        cpu_value, cpu_spread = (1.0, None) if cpu_applies else (None, None)
    elif not cpu_applies:
        cpu_value, cpu_spread = None, None
    shares = quality.core_shares(result) if cpu_applies else []
    return {
        "topology": topology.name,
        "baseline_topology": topology.baseline_name,
        "ratio": _number_text(value),
        "ratio_spread_percent": _number_text(spread, 1),
        "cpu_ratio": _number_text(cpu_value),
        "cpu_ratio_spread_percent": _number_text(cpu_spread, 1),
        "core_share": _number_text(statistics.median(shares) if shares else None, 3),
        "repeats": str(len(result.samples[key])),
        "pairs": str(run.options.pairs),
    }


def _baseline_label(name: str) -> str:
    if name == "host-wire":
        return (
            "host-wire: host networking across the same emulated wire (two host namespaces "
            "joined by the wire veth, MTU 1500, default offloads), same run and test"
        )
    return (
        "host-loopback: two processes over one namespace's loopback at the containers' MTU 1500, "
        "same run and test"
    )


def to_csv(items: list[dict[str, str]], columns: tuple[str, ...] = ROW_COLUMNS) -> str:
    """Rows as CSV text (a column an item lacks is left empty; an unknown key is an error)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n", restval="")
    writer.writeheader()
    writer.writerows(items)
    return buffer.getvalue()


def provenance(run: RunResult, facts: dict[str, object]) -> dict[str, object]:
    options = run.options
    return {
        "schema_version": 2,  # 2: the machine's facts under "machine" (was "host")
        "tool": "cnadvisor bench",
        "run": run.prefix.rstrip("-"),
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(run.started)),
        "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(run.finished)),
        "machine": facts,
        "options": {
            "message_sizes": list(options.sizes),
            "streams": options.streams,
            "repeat": options.repeat,
            "duration_s": options.duration,
            "pin": options.pin,
            "tests": [str(t) for t in options.tests()],
            "pairs": options.pairs,
            "together": options.together,
        },
        "topologies": run.status,
        "baselines": {
            name: TOPOLOGIES[name].baseline_name for name in run.status if name in TOPOLOGIES
        },
        "solutions": {
            name: {"solution_id": t.solution_id, "also_emulates": list(t.also_emulates)}
            for name, t in run.topologies.items()
        },
        "offloads": run.offloads,
        "setup_commands": run.setup,
        "commands": run.commands,
        "overlapping_runs": [o.rstrip("-") for o in run.overlapped],
        # (topology, test, repeat) as measured: every other repeat in reverse order
        "measured_order": [list(step) for step in run.sequence],
        "warnings": [w for r in run.results for w in quality.warnings(run, r)],
        "addresses": "198.18.0.0/15 only, inside this run's namespaces",
    }


class OutputError(ValueError):
    """--output cannot be written; raised before measuring, so no run is wasted."""


def check_output(output: str | None, force: bool) -> None:
    """Refuse an --output that could not be written at the end of a long run."""
    if not output:
        return
    path = Path(output)
    if path.is_dir():
        raise OutputError(f"--output {output} is a directory; give a file name")
    if path.exists() and not force:
        raise OutputError(f"--output {output} exists; pass --force to replace it")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise OutputError(f"--output {output}: folder {parent} does not exist")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputError(f"--output {output}: folder {parent} is not writable")


def _write_atomic(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    _give_to_sudo_user(path)


def save(run: RunResult, output: str | None = None, force: bool = False) -> list[Path]:
    """Write rows, stage costs and provenance to the data dir first, then to --output;
    return the CSV paths written ([] when nothing was measured: no empty file).

    The rows are validated with parse_rows before anything is written. When --output
    fails, OutputError says so and where the data-dir copy is.
    """
    facts = host_facts()
    items = rows(run, facts)
    if not items:
        return []
    text = to_csv(items, ROW_COLUMNS)
    parse_rows(text, "cnadvisor bench output")  # raises DatasetError on a bad row
    meta = json.dumps(provenance(run, facts), indent=2) + "\n"
    stages = stagecosts.to_rows(stagecosts.derive(run), str(facts["cpu_model"]))
    stage_text = to_csv(stages, stagecosts.COLUMNS) if stages else ""
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(run.started))
    first = data_dir() / f"{stamp}-{run.prefix.rstrip('-')}.csv"
    if not first.parent.exists():
        first.parent.mkdir(parents=True)
        for folder in (first.parent, first.parent.parent):
            _give_to_sudo_user(folder)
    written = [first]
    _write_files(first, text, meta, stage_text)
    if output:
        try:
            check_output(output, force)
            _write_files(Path(output), text, meta, stage_text)
        except (OSError, OutputError) as error:
            raise OutputError(f"{error}; the run is saved in {first}") from error
        written.append(Path(output))
    return written


def _write_files(path: Path, text: str, meta: str, stage_text: str) -> None:
    _write_atomic(path, text)
    _write_atomic(provenance_path(path), meta)
    if stage_text:
        _write_atomic(stages_path(path), stage_text)


def provenance_path(csv_path: Path) -> Path:
    return csv_path.with_name(csv_path.stem + ".provenance.json")


def stages_path(csv_path: Path) -> Path:
    return csv_path.with_name(csv_path.stem + STAGES_SUFFIX)


def _row_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.csv") if not p.name.endswith(STAGES_SUFFIX))


def local_rows() -> list[BenchmarkRow]:
    """Every saved local row, validated by cnadvisor.model.data.parse_rows; a file that
    fails validation is skipped with a warning naming it (the others still count)."""
    found: list[BenchmarkRow] = []
    folder = data_dir()
    if not folder.is_dir():
        return found
    for path in _row_files(folder):
        try:
            found.extend(parse_rows(path.read_text(encoding="utf-8"), str(path)))
        except (OSError, UnicodeDecodeError, DatasetError) as error:
            warnings.warn(f"skipped local bench file {path}: {error}", stacklevel=2)
    return found


@dataclass(frozen=True, slots=True)
class LocalMeasurement:
    """One saved local row with its local columns (None where empty or absent: files
    written before these columns existed have none)."""

    row: BenchmarkRow
    topology: str | None
    baseline_topology: str | None
    ratio: float | None
    ratio_spread_percent: float | None
    cpu_ratio: float | None
    cpu_ratio_spread_percent: float | None
    core_share: float | None
    repeats: int | None
    pairs: int = 1  # copies measured at once (container density); 1 in older files


def _local_extras(path: Path, text: str) -> dict[int, LocalMeasurement]:
    """Line number -> the local columns of that line, each number checked."""
    found = {}
    for line, raw in enumerate(csv.DictReader(io.StringIO(text)), start=2):
        numbers = {
            column: _number(path, line, column, raw.get(column) or "", optional=True)
            for column in ("ratio", "ratio_spread_percent", "cpu_ratio",
                           "cpu_ratio_spread_percent", "core_share", "repeats", "pairs")
        }  # fmt: skip
        for column in ("ratio", "cpu_ratio"):
            if numbers[column] is not None and numbers[column] <= 0:
                raise DatasetError([f"{path}, row {line}, column {column}: must be above 0"])
        repeats = numbers.pop("repeats")
        pairs = numbers.pop("pairs")
        if pairs is not None and (pairs < 1 or pairs != int(pairs)):
            raise DatasetError([f"{path}, row {line}, column pairs: a whole number from 1"])
        found[line] = LocalMeasurement(
            row=None,  # type: ignore[arg-type]  # filled by the caller
            # files written before the rename carry the old names (topologies.RENAMED)
            topology=current_name(raw["topology"]) if raw.get("topology") else None,
            baseline_topology=(
                current_name(raw["baseline_topology"]) if raw.get("baseline_topology") else None
            ),
            repeats=None if repeats is None else int(repeats),
            pairs=1 if pairs is None else int(pairs),
            **numbers,
        )
    return found


_READ: dict[tuple, list[LocalMeasurement]] = {}  # the last read, by what the files were


def local_measurements() -> list[LocalMeasurement]:
    """Every saved local row with its local columns (wall-clock and CPU-time ratios);
    a file that fails validation is skipped with a warning naming it. Training asks three
    times (rows, unsteady count, density): the files are parsed again only when one of
    them changed (name, size or modification time)."""
    folder = data_dir()
    if not folder.is_dir():
        return []
    paths = _row_files(folder)
    signature = (str(folder), *((p.name, *_stamp(p)) for p in paths))
    if signature not in _READ:
        _READ.clear()
        _READ[signature] = _read_measurements(paths)
    return list(_READ[signature])


def _stamp(path: Path) -> tuple[int, int]:
    try:
        info = path.stat()
    except OSError:
        return (-1, -1)
    return info.st_size, info.st_mtime_ns


def _read_measurements(paths: list[Path]) -> list[LocalMeasurement]:
    found: list[LocalMeasurement] = []
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8")
            parsed = parse_rows(text, str(path))
            extras = _local_extras(path, text)
        except (OSError, UnicodeDecodeError, DatasetError) as error:
            warnings.warn(f"skipped local bench file {path}: {error}", stacklevel=2)
            continue
        found.extend(replace(extras[row.row_number], row=row) for row in parsed)
    return found


def unsteady(item: LocalMeasurement) -> bool:
    """Whether a row's repeats disagree by more than the bench flags (``SPREAD_WARNING``,
    shown as LARGE): the spread of the ratio calibration would read (CPU time where it
    was measured, else wall clock). Such a row is not used to calibrate or to score the
    calibration; with one repeat there is no spread and the row is used."""
    spread = (
        item.cpu_ratio_spread_percent if item.cpu_ratio is not None else item.ratio_spread_percent
    )
    return spread is not None and spread > SPREAD_WARNING


def local_rows_by_cpu_time(*, keep_others: bool = False) -> list[BenchmarkRow]:
    """The local rows with CPU-time ratios in place of wall-clock ones, for calibrating on
    a shared host: a row with a ``cpu_ratio`` gets value = cpu_ratio x baseline_value (so
    value / baseline_value is the CPU-time ratio, and its notes say so); rows without one
    (latency, unpinned runs, older files) are left out, or kept as measured with
    ``keep_others``."""
    rows = []
    for item in local_measurements():
        row = item.row
        if unsteady(item):
            continue
        if item.cpu_ratio is None or not row.baseline_value:
            if keep_others:
                rows.append(row)
            continue
        rows.append(
            replace(
                row,
                value=item.cpu_ratio * row.baseline_value,
                notes=f"value = cpu_ratio {item.cpu_ratio:g} x baseline_value (CPU-time "
                f"ratio, spread {item.cpu_ratio_spread_percent}%); measured value "
                f"{row.value:g}; {row.notes}",
            )
        )
    return rows


def _number(path: Path, line: int, column: str, text: str, *, optional: bool) -> float | None:
    if optional and not text.strip():
        return None
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise DatasetError([f"{path}, row {line}, column {column}: {text!r} is not a number"])
    return value


_TERM = re.compile(r"P\(([a-z0-9-]+)\)")  # one topology's path cost in a stage formula


def read_stage_costs(path: Path) -> list[dict]:
    """One stage table, checked: every column present, numbers finite where required."""
    reader = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8")))
    missing = [c for c in stagecosts.REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        raise DatasetError([f"{path}: header lacks columns {missing}"])
    found = []
    for line, raw in enumerate(reader, start=2):
        item: dict = dict(raw)
        for column in ("ns_per_packet", "ns_per_packet_low", "ns_per_packet_high"):
            item[column] = _number(path, line, column, raw[column] or "", optional=False)
        item["ns_per_byte"] = _number(path, line, "ns_per_byte", raw["ns_per_byte"] or "",
                                      optional=True)  # fmt: skip
        item["message_size"] = int(_number(path, line, "message_size", raw["message_size"] or "",
                                           optional=False))  # fmt: skip
        item["repeats"] = int(_number(path, line, "repeats", raw["repeats"] or "",
                                      optional=False))  # fmt: skip
        for column in ("per_intra_entry", "per_inter_entry"):  # absent from older tables
            item[column] = _number(path, line, column, raw.get(column) or "", optional=True)
        item["unit"] = raw.get("unit") or ""
        # tables written before the rename name the old topologies (topologies.RENAMED)
        item["derived_from"] = _TERM.sub(
            lambda m: f"P({current_name(m.group(1))})", raw["derived_from"] or ""
        )
        item["origin"] = str(path)
        found.append(item)
    return found


def local_stage_costs() -> list[dict]:
    """Every stored stage table's rows: stage, ns_per_packet (+ low/high), ns_per_byte
    (None where not derived), derived_from, message_size, protocol, repeats, cpu_model,
    unit, per_intra_entry and per_inter_entry (what the row measures and the factors to
    one entry of a profile's intra_host / inter_host list, see
    :mod:`cnadvisor.bench.stagecosts`; None/"" in tables older than these columns), and
    origin (the file). A bad file is skipped with a warning naming it."""
    folder = data_dir()
    found: list[dict] = []
    if not folder.is_dir():
        return found
    for path in sorted(folder.glob(f"*{STAGES_SUFFIX}")):
        try:
            found.extend(read_stage_costs(path))
        except (OSError, UnicodeDecodeError, DatasetError) as error:
            warnings.warn(f"skipped local stage table {path}: {error}", stacklevel=2)
    return found
