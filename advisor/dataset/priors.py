"""`datasets/stage_priors.csv`: documented per-stage figures, checked like the rows.

Each prior is one figure a source states for one stage (a per-core packet rate, a cost per
packet, an added latency, a throughput ratio against the same path without the stage). The
model pulls its stage costs toward them, so a typo here moves every prediction: every row
must cite a listed source and a locator, name a parameter with its own unit, and hold a
finite positive value.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable
from importlib import resources

from .files import DATA_PACKAGE, shipped_sources
from .schema import DatasetError, Problem

ORIGIN = "datasets/stage_priors.csv"
PRIOR_COLUMNS = (
    "stage", "parameter", "value", "unit", "conditions", "source_id", "locator", "notes",
)  # fmt: skip
# Each parameter's unit, and the largest value that can be physical.
PARAMETERS: dict[str, tuple[str, float]] = {
    "throughput_ratio": ("ratio", 1.5),  # against the same path without the stage
    "mpps_per_core": ("Mpps", 1000.0),
    "gbps_per_core": ("Gbps", 1600.0),
    "ns_per_packet": ("ns", 1e7),
    "added_latency_us": ("us", 1e7),
}


# Optional last column: what a figure covers when it is more than its stage alone, as
# ``share*term`` parts joined by ``+`` (``kernel-stack+routed-hop`` for a forwarding rate
# through one host: its receive and transmit halves of the stack and the routing hop;
# ``0.5*kernel-stack`` for a receive-and-drop test). Empty: the stage alone.
PATH_COLUMN = "path"
MAX_SHARE = 4.0


def parse_path(text: str, stage: str) -> tuple[tuple[str, float], ...]:
    """The (term, share) parts of a prior's ``path``; the stage alone when it is empty.
    Raises ValueError naming the part that is not ``[share*]term`` with 0 < share <= 4."""
    if not text.strip():
        return ((stage, 1.0),)
    parts = []
    for part in text.split("+"):
        share_text, _, term = part.strip().rpartition("*")
        try:
            share = float(share_text) if share_text else 1.0
        except ValueError:
            share = math.nan
        if not term or not (0 < share <= MAX_SHARE):
            raise ValueError(f"{part.strip()!r} is not [share*]term with 0 < share <= "
                             f"{MAX_SHARE:g}")  # fmt: skip
        parts.append((term, share))
    return tuple(parts)


def _path_problems(row: dict[str, str], stages: set[str] | None) -> list[tuple[str, str]]:
    if not (row.get(PATH_COLUMN) or "").strip():
        return []  # the stage alone: its own column is checked
    try:
        parts = parse_path(row.get(PATH_COLUMN) or "", row["stage"] or "")
    except ValueError as error:
        return [(PATH_COLUMN, str(error))]
    if stages is None:
        return []
    return [(PATH_COLUMN, f"{term!r} is not a known stage or term")
            for term, _ in parts if term not in stages]  # fmt: skip


def check_priors(
    text: str,
    known_sources: Iterable[str],
    known_stages: Iterable[str] | None = None,
    origin: str = ORIGIN,
) -> tuple[list[dict[str, str]], list[Problem]]:
    """Every prior of one CSV text: the good ones and every problem (file, row, column)."""
    sources, stages = set(known_sources), None if known_stages is None else set(known_stages)
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in PRIOR_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        return [], [Problem(origin, None, None, f"header lacks columns {missing}")]
    good, problems = [], []
    for number, row in enumerate(reader, start=2):
        found: list[tuple[str, str]] = []
        for column in ("stage", "parameter", "source_id", "locator"):
            if not (row[column] or "").strip():
                found.append((column, "empty (expected text)"))
        if stages is not None and row["stage"] and row["stage"] not in stages:
            found.append(("stage", f"{row['stage']!r} is not a known stage or term"))
        if row["source_id"] and row["source_id"] not in sources:
            found.append(("source_id", f"{row['source_id']!r} not in sources.csv"))
        unit, high = PARAMETERS.get(row["parameter"], (None, math.inf))
        if row["parameter"] and unit is None:
            found.append(("parameter", f"{row['parameter']!r} is not one of {sorted(PARAMETERS)}"))
        elif unit is not None and row["unit"] != unit:
            found.append(("unit", f"{row['unit']!r} (expected {unit!r} for {row['parameter']})"))
        try:
            value = float(row["value"])
        except (TypeError, ValueError):
            found.append(("value", f"{row['value']!r} is not a number"))
        else:
            if not (math.isfinite(value) and 0 < value <= high):
                found.append(
                    ("value", f"{row['value']} (expected a finite number > 0, <= {high:g})")
                )
        found += _path_problems(row, stages)
        problems += [Problem(origin, number, column, message) for column, message in found]
        if not found:
            good.append(row)
    return good, problems


def load_priors(known_stages: Iterable[str] | None = None) -> list[dict[str, str]]:
    """The shipped priors, checked strictly (empty when the file is absent)."""
    path = resources.files(DATA_PACKAGE).joinpath("stage_priors.csv")
    if not path.is_file():
        return []
    good, problems = check_priors(path.read_text(encoding="utf-8"), shipped_sources(), known_stages)
    if problems:
        raise DatasetError([str(p) for p in problems])
    return good
