"""The shipped data files, read through importlib.resources so a wheel works like a checkout."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from importlib import resources

from .schema import DatasetError

DATA_PACKAGE = "cnadvisor_datasets"
SOURCE_COLUMNS = (
    "source_id", "title", "authors", "year", "kind", "url", "repository", "path", "licence",
    "conditions", "notes",
)  # fmt: skip


def shipped_files() -> Iterator[tuple[str, str]]:
    """(origin, text) of every `published/*.csv`, sorted by name; origin is the repo path."""
    published = resources.files(DATA_PACKAGE).joinpath("published")
    for entry in sorted(published.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".csv"):
            yield f"datasets/published/{entry.name}", entry.read_text(encoding="utf-8")


def sources_text() -> str:
    return resources.files(DATA_PACKAGE).joinpath("sources.csv").read_text(encoding="utf-8")


def shipped_sources() -> dict[str, dict[str, str]]:
    """sources.csv by source id; a missing column, an empty id/title/year or a repeated id is
    an error naming the row."""
    reader = csv.DictReader(io.StringIO(sources_text()))
    missing = [c for c in SOURCE_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise DatasetError([f"datasets/sources.csv: header lacks columns {missing}"])
    sources: dict[str, dict[str, str]] = {}
    for number, row in enumerate(reader, start=2):
        for column in ("source_id", "title", "year"):
            if not (row[column] or "").strip():
                raise DatasetError(
                    [f"datasets/sources.csv, row {number}, column {column}: empty (expected text)"]
                )
        if row["source_id"] in sources:
            raise DatasetError(
                [f"datasets/sources.csv, row {number}, column source_id: "
                 f"{row['source_id']!r} repeated (expected one row per source)"]
            )  # fmt: skip
        sources[row["source_id"]] = row
    return sources


def stem(origin: str) -> str:
    """`datasets/published/x.csv` -> `x`: the source id a shipped file must carry."""
    name = origin.rsplit("/", 1)[-1]
    return name[:-4] if name.endswith(".csv") else name
