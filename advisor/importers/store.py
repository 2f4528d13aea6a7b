"""Where imported rows live: ``<data dir>/imported/<cluster>/<sha256>.csv`` with a
``<sha256>.provenance.json`` beside it, next to what ``cnadvisor bench`` saves.

Keyed by the input file's hash, so importing the same file again adds nothing. Every file
is written to a private temporary name and renamed into place, and a command that fails
half-way removes what it wrote, so a reader never sees half an import.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from pathlib import Path

from ..bench.store import data_dir
from ..model.data import COLUMNS, BenchmarkRow, parse_rows


def root() -> Path:
    return data_dir() / "imported"


def existing(sha256: str) -> Path | None:
    """The provenance file of an earlier import of a file with this hash, in any cluster."""
    folder = root()
    if not folder.is_dir():
        return None
    return next(iter(sorted(folder.glob(f"*/{sha256}.provenance.json"))), None)


def to_csv(items: list[dict[str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(items)
    return buffer.getvalue()


def _atomic_write(path: Path, text: str) -> None:
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def save(batch: list[tuple[str, str, list[dict[str, str]], dict]]) -> list[Path]:
    """Write (cluster, sha256, rows, provenance) entries; all of them or none."""
    written: list[Path] = []
    try:
        for cluster, sha256, items, provenance in batch:
            folder = root() / cluster
            folder.mkdir(parents=True, exist_ok=True)
            target = folder / f"{sha256}.csv"
            meta = folder / f"{sha256}.provenance.json"
            _atomic_write(target, to_csv(items))
            written.append(target)
            _atomic_write(meta, json.dumps(provenance, indent=2, sort_keys=True) + "\n")
            written.append(meta)
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return written


def imported_rows() -> list[BenchmarkRow]:
    """Every imported row, validated again by the dataset's own parser (so a file edited
    by hand is reported with its row and column, not trusted)."""
    found: list[BenchmarkRow] = []
    folder = root()
    if not folder.is_dir():
        return found
    for path in sorted(folder.glob("*/*.csv")):
        found.extend(parse_rows(path.read_text(encoding="utf-8"), str(path)))
    return found


def provenances() -> list[dict]:
    folder = root()
    if not folder.is_dir():
        return []
    return [
        json.loads(path.read_text(encoding="utf-8"))
        for path in sorted(folder.glob("*/*.provenance.json"))
    ]
