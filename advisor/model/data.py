"""The model's view of the benchmark rows: `BenchmarkRow` lists, over `cnadvisor.dataset`.

The schema, file access and checks live in ``cnadvisor.dataset``; this module keeps the
names the model and ``cnadvisor bench`` import (`BenchmarkRow`, `parse_rows`,
`load_published`, `rows_from_dicts`, `COLUMNS`, `ALLOWED`, ...) and the cache fingerprint
of the shipped data. `load_frame()` is the DataFrame entry point (pandas, imported lazily).
Rows come from the shipped ``cnadvisor_datasets`` package (read through
importlib.resources, so a wheel works like a checkout), from plugins'
``cnadvisor_benchmarks`` hook, and from local measurement files.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from ..dataset.files import (
    DATA_PACKAGE,
    SOURCE_COLUMNS,
    shipped_files,
    shipped_sources,
    sources_text,
    stem,
)
from ..dataset.schema import (
    BY_NAME,
    COLUMNS,
    NUMERIC,
    Context,
    DatasetError,
    Record,
    check_text,
    dicts_to_csv,
)

__all__ = [
    "ALLOWED", "COLUMNS", "DATA_PACKAGE", "NUMERIC", "SOURCE_COLUMNS", "TO_GBPS", "BenchmarkRow",
    "DatasetError", "fingerprint", "load_frame", "load_published", "parse_rows",
    "rows_from_dicts", "shipped_fingerprint", "shipped_sources",
]  # fmt: skip

ALLOWED: dict[str, set[str]] = {
    c.name: set(c.allowed) for c in BY_NAME.values() if c.allowed is not None
}
TO_GBPS = {"Gbps": 1.0, "Mbps": 1e-3}


@dataclass(frozen=True, slots=True)
class BenchmarkRow:
    """One validated row (the older, list-of-rows view; `load_frame` is the new one)."""

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
    baseline_label: str = ""
    row_number: int = 0
    baseline_virtualization: str = ""  # the baseline's nodes, when not the row's

    @property
    def via_service(self) -> bool:
        return "service" in self.notes.lower() and "pod-to-pod" not in self.notes.lower()

    @property
    def throughput_gbps(self) -> float:
        return self.value * TO_GBPS[self.unit]


def _row(record: Record, origin: str, number: int) -> BenchmarkRow:
    return BenchmarkRow(**record, origin=origin, row_number=number)  # type: ignore[arg-type]


def parse_rows(
    text: str,
    origin: str,
    known_sources: set[str] | None = None,
    *,
    expected_source: str | None = None,
    known_solutions: Iterable[str] | None = None,
) -> list[BenchmarkRow]:
    """Validate one CSV's rows; raise DatasetError listing every problem of the file."""
    context = Context(
        None if known_sources is None else frozenset(known_sources),
        expected_source,
        None if known_solutions is None else frozenset(known_solutions),
    )
    good, problems = check_text(text, origin, context)
    if problems:
        raise DatasetError([str(p) for p in problems])
    return [_row(record, origin, number) for number, record in good]


_shipped_files = shipped_files  # the older private name


def load_published(known_solutions: Iterable[str] | None = None) -> list[BenchmarkRow]:
    """Every shipped row, validated strictly (a bad shipped row is a bug): the schema,
    sources.csv, the file's name, and the profile ids when given."""
    known = set(shipped_sources())
    rows: list[BenchmarkRow] = []
    problems: list[str] = []
    for origin, text in shipped_files():
        try:
            rows.extend(
                parse_rows(
                    text, origin, known, expected_source=stem(origin),
                    known_solutions=known_solutions,
                )
            )  # fmt: skip
        except DatasetError as error:
            problems.extend(error.problems)
    if problems:
        raise DatasetError(problems)
    return rows


def load_frame(**options):  # -> pandas.DataFrame; pandas is imported only here
    """The validated shipped data as one pandas DataFrame with derived columns
    (see `cnadvisor.dataset.load.load_frame`)."""
    from ..dataset.load import load_frame as load

    return load(**options)


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
    from .cache import cache_dir, read_small_text, write_small_text

    memo = cache_dir() / "data-fingerprint.json"
    key = _stat_key()
    if key is not None:
        try:
            remembered = json.loads(read_small_text(memo))  # a FIFO here must not hang
            if remembered.get("stat") == key:
                return str(remembered["sha256"])
        except (OSError, ValueError, KeyError, AttributeError):
            pass
    digest = fingerprint([sources_text(), *(text for _, text in shipped_files())])
    if key is not None:
        with contextlib.suppress(OSError):  # a read-only cache only costs the hashing again
            write_small_text(memo, json.dumps({"stat": key, "sha256": digest}))
    return digest


def rows_from_dicts(
    items: Iterable[dict], origin: str, known_solutions: Iterable[str] | None = None
) -> list[BenchmarkRow]:
    """Validate rows given as dicts (a plugin's contribution) exactly like CSV rows; rows
    are numbered from 1 in the order given."""
    text = dicts_to_csv(items, origin)
    context = Context(
        known_solutions=None if known_solutions is None else frozenset(known_solutions)
    )
    good, problems = check_text(text, origin, context, first_row=1)
    if problems:
        raise DatasetError([str(p) for p in problems])
    return [_row(record, origin, number) for number, record in good]
