"""What this tool owns: one JSON file per run in /run/cnadvisor-bench/.

A run's file names its owner (pid and the kernel's start time of that pid, so a recycled
pid is not mistaken for the owner), every namespace it created and every measurement
process it started (pid, executable, start time). ``bench cleanup`` removes only what
such a file lists, and kills only processes whose executable and start time still match,
so a namespace that merely looks like ours (``cnab-lookalike``) and any process someone
else started inside one of ours are left alone.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from pathlib import Path

REGISTRY = Path("/run/cnadvisor-bench")
RUN_ID = re.compile(r"^cnab-[0-9a-f]{6}-$")  # the exact shape of a run prefix
RUN_ID_LENGTH = len("cnab-") + 7  # "cnab-" + 6 hex + "-"
OUR_TOOLS = frozenset({"iperf3", "sockperf"})  # the only executables cleanup may kill


def start_time(pid: int) -> int | None:
    """The process's start time in clock ticks since boot (/proc/PID/stat field 22)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rfind(")") + 2 :].split()  # the command name may hold spaces
    return int(fields[19]) if len(fields) > 19 else None


def executable(pid: int) -> str:
    """Base name of the process's executable, '' when it is gone or unreadable."""
    try:
        return os.path.basename(os.readlink(f"/proc/{pid}/exe")).removesuffix(" (deleted)")
    except OSError:
        return ""


def run_id(name: str) -> str | None:
    """The run prefix a namespace name starts with, if it has the exact shape."""
    head = name[:RUN_ID_LENGTH]
    return head if RUN_ID.match(head) else None


def _path(run: str) -> Path:
    if not RUN_ID.match(run):
        raise ValueError(f"{run!r} is not a cnadvisor bench run id")
    return REGISTRY / run


def read(run: str) -> dict | None:
    """The run's record, or None when it is missing or unreadable."""
    try:
        record = json.loads(_path(run).read_text())
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def _write(run: str, record: dict) -> None:
    REGISTRY.mkdir(parents=True, exist_ok=True)
    target = _path(run)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps(record))
    os.replace(temporary, target)


def _record(run: str) -> dict:
    record = read(run)
    if record is None or record.get("pid") != os.getpid():
        record = {"pid": os.getpid(), "start": start_time(os.getpid()), "measuring": False,
                  "namespaces": [], "processes": [], "overlapped": []}  # fmt: skip
    return record


def claim(run: str, measuring: bool = True) -> None:
    """Register this process as the run's owner (idempotent); ``measuring`` runs are the
    ones other runs are warned about (a support probe is not)."""
    record = _record(run)
    record["measuring"] = measuring
    record["owned"] = True
    _write(run, record)


def add_namespace(name: str) -> None:
    run = run_id(name)
    if run is None:
        raise ValueError(f"namespace {name!r} does not start with a run id")
    record = _record(run)
    if name not in record["namespaces"]:
        record["namespaces"].append(name)
    _write(run, record)


def drop_namespace(name: str) -> None:
    run = run_id(name)
    record = read(run) if run else None
    if record and name in record["namespaces"]:
        record["namespaces"].remove(name)
        if not (record["namespaces"] or record["processes"] or record.get("owned")):
            release(run)  # type: ignore[arg-type]  # a bare Sandbox's record, now empty
        else:
            _write(run, record)  # type: ignore[arg-type]


def add_process(run: str, pid: int) -> None:
    """Remember a measurement process this run started (its executable and start time)."""
    record = _record(run)
    record["processes"].append({"pid": pid, "exe": executable(pid), "start": start_time(pid)})
    _write(run, record)


def drop_process(run: str, pid: int) -> None:
    record = read(run)
    if record:
        record["processes"] = [p for p in record["processes"] if p.get("pid") != pid]
        _write(run, record)


def release(run: str) -> None:
    with contextlib.suppress(OSError, ValueError):
        _path(run).unlink()


def owner_alive(record: dict) -> bool:
    """The owner pid exists and is the same process (same start time), not a recycled pid."""
    pid = record.get("pid")
    return (
        isinstance(pid, int)
        and start_time(pid) is not None
        and (record.get("start") is None or start_time(pid) == record.get("start"))
    )


def is_ours(process: dict) -> bool:
    """A recorded process that is still the one we started: same executable, same start."""
    pid = process.get("pid")
    return (
        isinstance(pid, int)
        and process.get("exe") in OUR_TOOLS
        and executable(pid) == process.get("exe")
        and start_time(pid) == process.get("start")
    )


def runs() -> dict[str, dict]:
    """Every registered run (run id -> record)."""
    found = {}
    for entry in REGISTRY.glob("cnab-*") if REGISTRY.is_dir() else ():
        record = read(entry.name) if RUN_ID.match(entry.name) else None
        if record is not None:
            found[entry.name] = record
    return found


def live_runs(exclude: str = "") -> list[str]:
    """Measuring runs whose owner is still running, other than ``exclude``."""
    return sorted(
        run
        for run, record in runs().items()
        if run != exclude and record.get("measuring") and owner_alive(record)
    )


def note_overlaps(run: str) -> list[str]:
    """Record (and return) every other live run seen so far: they shared the CPUs."""
    record = read(run)
    if record is None:
        return []
    others = live_runs(exclude=run)
    new = [o for o in others if o not in record["overlapped"]]
    if new:
        record["overlapped"].extend(new)
        _write(run, record)
    return list(record["overlapped"])
