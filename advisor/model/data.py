"""Loading the benchmark rows, validating every one, and naming file, row and column on error.

Rows come from the shipped ``cnadvisor_datasets`` package (read through
importlib.resources, so a wheel works like a checkout), from plugins'
``cnadvisor_benchmarks`` hook, and from local measurement files.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

DATA_PACKAGE = "cnadvisor_datasets"

COLUMNS = (
    "source_id", "locator", "solution_label", "solution_id", "scenario", "virtualization",
    "protocol", "message_size_bytes", "link_gbps", "encryption", "streams", "metric", "unit",
    "value", "baseline_value", "baseline_label", "relative_to", "notes",
)  # fmt: skip
SOURCE_COLUMNS = (
    "source_id", "title", "authors", "year", "kind", "url", "repository", "path", "licence",
    "conditions", "notes",
)  # fmt: skip
ALLOWED = {
    "scenario": {"intra-host", "inter-host", "cross-datacenter", "unknown"},
    "virtualization": {"bare-metal", "vm", "unknown"},
    "protocol": {"tcp", "udp", "icmp", "http", "other"},
    "encryption": {"none", "wireguard", "ipsec", "other"},
    "metric": {
        "throughput", "packet_rate", "latency", "latency_p99", "cpu", "memory",
        "connection_rate", "request_rate", "throughput_loss",
    },
    "unit": {"Gbps", "Mbps", "Mpps", "kpps", "us", "ms", "percent", "ratio", "cores", "MiB",
             "requests_per_s"},
}  # fmt: skip
NUMERIC = ("message_size_bytes", "link_gbps", "streams", "value", "baseline_value")
TO_GBPS = {"Gbps": 1.0, "Mbps": 1e-3}


class DatasetError(ValueError):
    """One or more bad rows; each problem names the file, the row and the column."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True, slots=True)
class BenchmarkRow:
    source_id: str
    locator: str
    solution_label: str
    solution_id: str
    scenario: str
    virtualization: str
    protocol: str
    message_size_bytes: float
    link_gbps: float
    encryption: str
    streams: float
    metric: str
    unit: str
    value: float
    baseline_value: float
    relative_to: str
    notes: str
    origin: str  # file the row came from, for error messages and the model card

    @property
    def via_service(self) -> bool:
        return "service" in self.notes.lower() and "pod-to-pod" not in self.notes.lower()

    @property
    def throughput_gbps(self) -> float:
        return self.value * TO_GBPS[self.unit]


def _number(text: str) -> float:
    return float(text) if text.strip() else math.nan


def parse_rows(text: str, origin: str, known_sources: set[str] | None = None) -> list[BenchmarkRow]:
    """Validate one CSV's rows; raise DatasetError listing every bad cell."""
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise DatasetError([f"{origin}: header lacks columns {missing}"])
    rows, problems = [], []
    for number, raw in enumerate(reader, start=2):  # line 1 is the header
        where = f"{origin}, row {number}"
        bad = False
        for column, allowed in ALLOWED.items():
            if raw[column] not in allowed:
                problems.append(
                    f"{where}, column {column}: {raw[column]!r} is not one of {sorted(allowed)}"
                )
                bad = True
        values = {}
        for column in NUMERIC:
            try:
                values[column] = _number(raw[column] or "")
            except ValueError:
                problems.append(f"{where}, column {column}: {raw[column]!r} is not a number")
                bad = True
        if not bad and math.isnan(values["value"]):
            problems.append(f"{where}, column value: empty; every row needs its figure")
            bad = True
        if known_sources is not None and raw["source_id"] not in known_sources:
            problems.append(f"{where}, column source_id: {raw['source_id']!r} not in sources.csv")
            bad = True
        if not raw["locator"].strip():
            problems.append(f"{where}, column locator: empty; say where in the source it is")
            bad = True
        if bad:
            continue
        rows.append(
            BenchmarkRow(
                **{c: raw[c] for c in COLUMNS if c not in NUMERIC and c != "baseline_label"},
                **values,
                origin=origin,
            )
        )
    if problems:
        raise DatasetError(problems)
    return rows


def _shipped_files() -> Iterator[tuple[str, str]]:
    root = resources.files(DATA_PACKAGE)
    published = root.joinpath("published")
    for entry in sorted(published.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".csv"):
            yield f"datasets/published/{entry.name}", entry.read_text(encoding="utf-8")


def shipped_sources() -> dict[str, dict[str, str]]:
    """sources.csv by source id; a missing column or an empty title/url is an error."""
    text = resources.files(DATA_PACKAGE).joinpath("sources.csv").read_text(encoding="utf-8")
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in SOURCE_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise DatasetError([f"datasets/sources.csv: header lacks columns {missing}"])
    sources = {}
    for number, row in enumerate(reader, start=2):
        for column in ("source_id", "title", "year"):
            if not row[column].strip():
                raise DatasetError([f"datasets/sources.csv, row {number}, column {column}: empty"])
        sources[row["source_id"]] = row
    return sources


def load_published() -> list[BenchmarkRow]:
    """Every shipped row, validated against the schema and sources.csv."""
    known = set(shipped_sources())
    rows: list[BenchmarkRow] = []
    problems: list[str] = []
    for origin, text in _shipped_files():
        try:
            rows.extend(parse_rows(text, origin, known))
        except DatasetError as error:
            problems.extend(error.problems)
    if problems:
        raise DatasetError(problems)
    return rows


def fingerprint(texts: Iterable[str]) -> str:
    digest = hashlib.sha256()
    for text in texts:
        digest.update(text.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()


def _stat_key() -> str | None:
    """Names, sizes and modification times of the shipped files (None if not on disk)."""
    root = resources.files(DATA_PACKAGE)
    try:
        entries = [root.joinpath("sources.csv"), *root.joinpath("published").iterdir()]
        stats = [(str(e), Path(str(e)).stat()) for e in entries]
    except (OSError, TypeError):
        return None
    return repr(sorted((name, st.st_size, st.st_mtime_ns) for name, st in stats))


def shipped_fingerprint() -> str:
    """A hash of the shipped data: part of the model cache key. Hashing 3.6 MB costs more
    than a cold `evaluate` can spare, so the hash is remembered beside the model cache and
    reused while the files' names, sizes and modification times are unchanged."""
    from .cache import cache_dir

    memo = cache_dir() / "data-fingerprint.json"
    key = _stat_key()
    if key is not None:
        try:
            remembered = json.loads(memo.read_text(encoding="utf-8"))
            if remembered.get("stat") == key:
                return str(remembered["sha256"])
        except (OSError, ValueError, KeyError, AttributeError):
            pass
    sources = resources.files(DATA_PACKAGE).joinpath("sources.csv").read_text(encoding="utf-8")
    digest = fingerprint([sources, *(text for _, text in _shipped_files())])
    if key is not None:
        try:
            memo.parent.mkdir(parents=True, exist_ok=True)
            temporary = memo.with_suffix(f".{os.getpid()}.tmp")
            temporary.write_text(json.dumps({"stat": key, "sha256": digest}), encoding="utf-8")
            os.replace(temporary, memo)
        except OSError:
            pass  # a read-only cache only costs the hashing next time
    return digest


def rows_from_dicts(items: Iterable[dict], origin: str) -> list[BenchmarkRow]:
    """Validate rows given as dicts (a plugin's contribution) exactly like CSV rows."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, extrasaction="raise")
    writer.writeheader()
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise DatasetError([f"{origin}, row {index + 1}: a {type(item).__name__}, not a dict"])
        unknown = sorted(set(item) - set(COLUMNS))
        if unknown:
            raise DatasetError([f"{origin}, row {index + 1}: unknown columns {unknown}"])
        writer.writerow({column: item.get(column, "") for column in COLUMNS})
    return parse_rows(buffer.getvalue(), origin)
