"""The dataset schema as one declarative table, and the checks it implies.

Every column of ``datasets/published/*.csv`` is declared once below (kind, required or not,
allowed values, range); the units a metric may use and the cross-column rules sit beside
it. ``datasets/README.md`` promises exactly these checks, and its generated part is built
from this module, so the card cannot claim a check the loader does not make.

Pure Python on purpose: plugin rows are validated while the model cache key is computed,
which is on the cold ``evaluate`` path, where pandas must not be imported. That is also why
this is an explicit table rather than a pandera schema: pandera validates DataFrames, so
the cold path would need a second implementation of every rule; here there is one, which
``load.load_frame`` uses before building its DataFrame.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

TEXT, NUMBER, WHOLE = "text", "number", "whole number"


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a dataset CSV: what it holds and which values are valid."""

    name: str
    kind: str  # TEXT, NUMBER or WHOLE
    required: bool
    description: str
    allowed: frozenset[str] | None = None
    minimum: float | None = None  # inclusive
    maximum: float | None = None  # inclusive


def _values(*names: str) -> frozenset[str]:
    return frozenset(names)


# The dataset's own word for host networking: the solution_id of a test's host-network rows
# and the relative_to of figures stated against them. It is part of the file format (as
# "none" is), and the one place the core spells it.
HOST_NETWORKING = "host"

SCENARIOS = _values("intra-host", "inter-host", "cross-datacenter", "unknown")
VIRTUALIZATIONS = _values("bare-metal", "vm", "unknown")
PROTOCOLS = _values("tcp", "udp", "icmp", "http", "other")
ENCRYPTIONS = _values("none", "wireguard", "ipsec", "other")
METRICS = _values(
    "throughput", "packet_rate", "latency", "latency_p99", "cpu", "memory",
    "connection_rate", "request_rate", "throughput_loss",
)  # fmt: skip
UNITS = _values(
    "Gbps", "Mbps", "Mpps", "kpps", "us", "ms", "percent", "ratio", "cores", "MiB",
    "requests_per_s",
)  # fmt: skip

SCHEMA: tuple[Column, ...] = (
    Column("source_id", TEXT, True, "the source; equals the file name and a sources.csv row"),
    Column("locator", TEXT, True, "where in the source the figure is"),
    Column("solution_label", TEXT, False, "the solution as the source names it"),
    Column("solution_id", TEXT, False, "the cnadvisor profile it matches exactly, or empty"),
    Column("scenario", TEXT, True, "where the two endpoints were", SCENARIOS),
    Column("virtualization", TEXT, True, "what the nodes were", VIRTUALIZATIONS),
    Column("protocol", TEXT, True, "traffic measured", PROTOCOLS),
    Column("message_size_bytes", WHOLE, False, "write/message size (K = 1024)", minimum=1),
    Column("link_gbps", NUMBER, False, "NIC/link speed", minimum=0.001, maximum=10_000),
    Column("encryption", TEXT, True, "encryption on the datapath", ENCRYPTIONS),
    Column("streams", WHOLE, False, "parallel streams", minimum=1),
    Column("metric", TEXT, True, "what the value measures", METRICS),
    Column("unit", TEXT, True, "unit of value and baseline_value", UNITS),
    Column("value", NUMBER, True, "the figure as printed (or exactly converted)"),
    Column("baseline_value", NUMBER, False, "host-network figure of the same test, same unit"),
    Column("baseline_label", TEXT, False, "which figure baseline_value is"),
    Column("relative_to", TEXT, False, "for relative rows: what the figure compares against"),
    Column("notes", TEXT, False, "tool, command, run, conversions, assumptions"),
    Column("baseline_virtualization", TEXT, False, "what the baseline's nodes were, when not "
           "what the row's were (a VM against bare metal); empty: the same", VIRTUALIZATIONS),
)  # fmt: skip
# Columns added after files were written: a header may leave them out (all cells empty).
LATER_COLUMNS = frozenset({"baseline_virtualization"})
BY_NAME: dict[str, Column] = {column.name: column for column in SCHEMA}
COLUMNS: tuple[str, ...] = tuple(column.name for column in SCHEMA)
NUMERIC: tuple[str, ...] = tuple(c.name for c in SCHEMA if c.kind in (NUMBER, WHOLE))

# The units each metric may be stated in. `percent` and `ratio` are relative units
# (they need `relative_to`), except `percent` of `cpu`: a share of the node's CPUs.
UNITS_BY_METRIC: dict[str, frozenset[str]] = {
    "throughput": _values("Gbps", "Mbps", "percent", "ratio"),
    "packet_rate": _values("Mpps", "kpps", "percent", "ratio"),
    "latency": _values("us", "ms", "percent"),
    "latency_p99": _values("us", "ms", "percent"),
    "cpu": _values("cores", "percent"),
    "memory": _values("MiB", "percent", "ratio"),
    "connection_rate": _values("requests_per_s", "percent", "ratio"),
    "request_rate": _values("requests_per_s", "percent", "ratio"),
    "throughput_loss": _values("percent", "ratio"),
}
RELATIVE_UNITS = _values("percent", "ratio")
ABSOLUTE_PERCENT_METRICS = _values("cpu")  # percent is a share of the node, not relative


def is_relative(metric: str, unit: str) -> bool:
    """True when the figure compares against something named in `relative_to`."""
    return unit in RELATIVE_UNITS and metric not in ABSOLUTE_PERCENT_METRICS


class DatasetError(ValueError):
    """One or more bad rows; each problem names the file, the row and the column."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True, slots=True)
class Problem:
    """One bad cell (or header), phrased as `file, row N, column C: what (expected ...)`."""

    origin: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.origin
        if self.row is not None:
            where += f", row {self.row}"
        if self.column is not None:
            where += f", column {self.column}"
        return f"{where}: {self.message}"


@dataclass(frozen=True, slots=True)
class Context:
    """What a row is checked against besides the schema itself."""

    known_sources: frozenset[str] | None = None  # source ids of sources.csv
    expected_source: str | None = None  # a shipped file's name stem
    known_solutions: frozenset[str] | None = None  # profile ids, when the caller has them


# A record is a row with its numbers parsed: text columns as str, numeric ones as float
# (NaN when empty).
Record = dict[str, object]
RuleCheck = Callable[[Record, Context], "tuple[str, str] | None"]


@dataclass(frozen=True, slots=True)
class Rule:
    """A cross-column rule: its statement for the data card and its check."""

    statement: str
    check: RuleCheck  # returns (column, message) when the row breaks the rule


def _number(record: Record, column: str) -> float:
    value = record[column]
    return value if isinstance(value, float) else math.nan


def _unit_fits_metric(record: Record, _: Context) -> tuple[str, str] | None:
    metric, unit = str(record["metric"]), str(record["unit"])
    allowed = UNITS_BY_METRIC.get(metric)
    if allowed is not None and unit not in allowed:
        return "unit", f"{unit!r} is not a unit of {metric} (expected one of {sorted(allowed)})"
    return None


def _value_sign(record: Record, _: Context) -> tuple[str, str] | None:
    value = _number(record, "value")
    signed = record["unit"] == "percent" and bool(record["relative_to"])
    if signed and value < -100:
        return "value", f"{value:g} % is below -100 % (expected a relative difference >= -100)"
    if not signed and value < 0:
        return "value", (
            f"{value:g} is negative (expected >= 0; only percentages with relative_to are signed)"
        )
    return None


def _percent_in_range(record: Record, _: Context) -> tuple[str, str] | None:
    value = _number(record, "value")
    share = record["unit"] == "percent" and record["metric"] in ("cpu", "throughput_loss")
    if share and value > 100:
        return "value", f"{value:g} % exceeds 100 % (expected a share between 0 and 100)"
    return None


def _baseline_sign(record: Record, _: Context) -> tuple[str, str] | None:
    baseline = _number(record, "baseline_value")
    if baseline < 0:
        return "baseline_value", f"{baseline:g} is negative (expected >= 0, or empty)"
    return None


def _baseline_labelled(record: Record, _: Context) -> tuple[str, str] | None:
    if not math.isnan(_number(record, "baseline_value")) and not record["baseline_label"]:
        return "baseline_label", "empty while baseline_value is set (expected the baseline's name)"
    return None


def _baseline_virtualization_paired(record: Record, _: Context) -> tuple[str, str] | None:
    other = record["baseline_virtualization"]
    if not other:
        return None
    if math.isnan(_number(record, "baseline_value")):
        return "baseline_virtualization", "set without baseline_value (expected it empty)"
    if other == record["virtualization"] or "unknown" in (other, record["virtualization"]):
        return "baseline_virtualization", (
            f"{other!r} beside virtualization {record['virtualization']!r} (expected it empty, "
            "or bare-metal against vm, or vm against bare-metal)"
        )
    return None


def _relative_named(record: Record, _: Context) -> tuple[str, str] | None:
    if is_relative(str(record["metric"]), str(record["unit"])) and not record["relative_to"]:
        return "relative_to", (
            f"empty for a relative unit ({record['unit']}) (expected what the figure compares to)"
        )
    return None


def _source_matches_file(record: Record, context: Context) -> tuple[str, str] | None:
    expected = context.expected_source
    if expected is not None and record["source_id"] != expected:
        return "source_id", f"{record['source_id']!r} differs from the file (expected {expected!r})"
    return None


def _source_known(record: Record, context: Context) -> tuple[str, str] | None:
    known = context.known_sources
    if known is not None and record["source_id"] not in known:
        return "source_id", f"{record['source_id']!r} not in sources.csv (expected a listed source)"
    return None


def _solution_known(record: Record, context: Context) -> tuple[str, str] | None:
    known = context.known_solutions
    solution = record["solution_id"]
    if known is not None and solution and solution not in known:
        return "solution_id", f"{solution!r} is not a known profile id (expected one or empty)"
    return None


RULES: tuple[Rule, ...] = (
    Rule("`unit` is one of the units of the row's `metric` (table below)", _unit_fits_metric),
    Rule(
        "`value` is >= 0, except percentages with `relative_to` (signed, >= -100)",
        _value_sign,
    ),
    Rule("a `percent` share (`cpu`, `throughput_loss`) is at most 100", _percent_in_range),
    Rule("`baseline_value` is >= 0 when set", _baseline_sign),
    Rule("`baseline_value` needs `baseline_label`", _baseline_labelled),
    Rule(
        "`baseline_virtualization`, when set, needs `baseline_value` and differs from a "
        "known `virtualization`",
        _baseline_virtualization_paired,
    ),
    Rule(
        "a relative unit (`percent`, `ratio`; not `cpu` percent) needs `relative_to`",
        _relative_named,
    ),
    Rule("`source_id` equals the file's name stem (shipped files)", _source_matches_file),
    Rule("`source_id` is a row of `sources.csv`", _source_known),
    Rule(
        "`solution_id` is empty or a known profile id (when the caller knows the ids)",
        _solution_known,
    ),
)


def _cell_problem(column: Column, text: str) -> tuple[object, str | None]:
    """Parse one cell; return (value, problem message or None)."""
    if column.kind == TEXT:
        if column.required and not text.strip():
            return text, "empty (expected text; every row needs it)"
        if not column.required and not text:  # an optional cell left empty
            return text, None
        if column.allowed is not None and text not in column.allowed:
            return text, f"{text!r} is not one of {sorted(column.allowed)}"
        return text, None
    if not text.strip():
        if column.required:
            return math.nan, "empty (expected a number; every row needs its figure)"
        return math.nan, None
    try:
        number = float(text)
    except ValueError:
        return math.nan, f"{text!r} is not a number (expected a {column.kind})"
    if math.isnan(number):
        return number, f"{text!r} is not a number (expected a {column.kind})"
    if not math.isfinite(number):
        return number, f"{text} is not finite (expected a finite {column.kind})"
    if column.kind == WHOLE and not number.is_integer():
        return number, f"{text} is not a whole number (expected a positive integer)"
    low, high = column.minimum, column.maximum
    if low is not None and number < low:
        return number, f"{text} is below {low:g} (expected >= {low:g})"
    if high is not None and number > high:
        return number, f"{text} is above {high:g} (expected <= {high:g})"
    return number, None


def check_record(
    raw: Mapping[str, str], origin: str, row: int, context: Context
) -> tuple[Record | None, list[Problem]]:
    """Parse and check one row; the record is None when any problem was found."""
    record: Record = {}
    problems: list[Problem] = []
    for column in SCHEMA:
        value, message = _cell_problem(column, raw.get(column.name) or "")
        record[column.name] = value
        if message:
            problems.append(Problem(origin, row, column.name, message))
    if any(p.column in ("metric", "unit", "value") for p in problems):
        return None, problems  # the cross-column rules need these three
    bad_cells = {p.column for p in problems}
    for rule in RULES:
        found = rule.check(record, context)
        if found and found[0] not in bad_cells:  # one message per cell
            problems.append(Problem(origin, row, found[0], found[1]))
    return (None if problems else record), problems


def check_text(
    text: str, origin: str, context: Context = Context(), first_row: int = 2
) -> tuple[list[tuple[int, Record]], list[Problem]]:
    """Every row of one CSV text: (row number, record) of the good rows, and all problems.

    Row numbers of a file are its line numbers (the header is line 1, so ``first_row`` is
    2); a plugin's rows are counted from 1."""
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    missing = [c for c in COLUMNS if c not in header and c not in LATER_COLUMNS]
    if missing:
        return [], [Problem(origin, None, None, f"header lacks columns {missing}")]
    good: list[tuple[int, Record]] = []
    problems: list[Problem] = []
    for number, raw in enumerate(reader, start=first_row):
        if None in raw:  # more cells than header columns
            problems.append(Problem(origin, number, None, "more cells than header columns"))
            continue
        record, found = check_record(raw, origin, number, context)
        problems.extend(found)
        if record is not None:
            good.append((number, record))
    return good, problems


def dicts_to_csv(items: Iterable[object], origin: str) -> str:
    """A plugin's rows (dicts) as CSV text, so they are checked exactly like a file."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, extrasaction="raise")
    writer.writeheader()
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise DatasetError([f"{origin}, row {index + 1}: a {type(item).__name__}, not a dict"])
        unknown = sorted(str(key) for key in set(item) - set(COLUMNS))
        if unknown:
            raise DatasetError([f"{origin}, row {index + 1}: unknown columns {unknown}"])
        writer.writerow({column: _cell_text(item.get(column)) for column in COLUMNS})
    return buffer.getvalue()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)  # keeps inf, nan and every digit
    return str(value)
