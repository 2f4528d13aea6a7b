"""The data card's counts, generated from the data so they cannot drift from it.

``datasets/README.md`` holds hand-written prose and, between marker comments, parts this
module writes: the checks made on load, the sources with their row counts, counts by
metric and unit, baselines, VM against bare metal, rows per solution, and which datapath
stages the rows cover.

    python3 -m cnadvisor.dataset.card          # rewrite the generated parts
    python3 -m cnadvisor.dataset.card --check  # exit 1 when they are stale
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterable, Mapping
from importlib import resources
from pathlib import Path

import pandas as pd

from ..profile import SolutionProfile
from ..stages import STAGES
from .files import DATA_PACKAGE, shipped_sources
from .load import load_frame
from .priors import PARAMETERS
from .schema import RULES, SCHEMA, UNITS_BY_METRIC

BEGIN = "<!-- begin generated: {} (python3 -m cnadvisor.dataset.card) -->"
END = "<!-- end generated: {} -->"
NONE = "·"


def _n(value: float) -> str:
    return f"{int(value):,}" if value else NONE


def _table(frame: pd.DataFrame, index_title: str) -> str:
    """A count table in Markdown: index as the first column, then every column."""
    header = [index_title, *map(str, frame.columns)]
    lines = [
        "| " + " | ".join(header) + " |",
        "|---|" + "--:|" * len(frame.columns),
    ]
    for key, row in frame.iterrows():
        lines.append("| " + " | ".join([str(key), *(_n(v) for v in row)]) + " |")
    return "\n".join(lines)


def _counts(frame: pd.DataFrame, index: str | list[str], columns: str) -> pd.DataFrame:
    table = frame.pivot_table(index=index, columns=columns, aggfunc="size", fill_value=0)
    table["all"] = table.sum(axis=1)
    table.loc["**all**"] = table.sum(axis=0)
    return table


def summary(frame: pd.DataFrame, sources: Mapping[str, Mapping[str, str]]) -> str:
    kinds = pd.Series([s["kind"] for s in sources.values()]).value_counts()
    kinds_text = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
    metrics = frame["metric"].value_counts()
    metrics_text = ", ".join(f"{m} {n:,}" for m, n in metrics.items())
    return (
        f"**{len(frame):,} rows from {frame['source_id'].nunique()} sources** ({kinds_text}); "
        f"by metric: {metrics_text}."
    )


def checks() -> str:
    lines = ["Column kinds, ranges and allowed values:", ""]
    lines += ["| column | kind | required | allowed / range |", "|---|---|---|---|"]
    for column in SCHEMA:
        allowed = ", ".join(f"`{v}`" for v in sorted(column.allowed)) if column.allowed else ""
        if column.minimum is not None or column.maximum is not None:
            low = "" if column.minimum is None else f">= {column.minimum:g}"
            high = "" if column.maximum is None else f"<= {column.maximum:g}"
            allowed = " and ".join(p for p in (low, high) if p)
        if column.kind != "text":
            allowed = ("finite; " + allowed) if allowed else "finite"
        required = "yes" if column.required else ""
        lines.append(f"| `{column.name}` | {column.kind} | {required} | {allowed} |")
    lines += ["", "Units each metric may use:", ""]
    lines += ["| metric | units |", "|---|---|"]
    for metric, units in UNITS_BY_METRIC.items():
        lines.append(f"| `{metric}` | {', '.join(f'`{u}`' for u in sorted(units))} |")
    lines += ["", "Rules across columns:", ""]
    lines += [f"- {rule.statement}" for rule in RULES]
    priors = (
        "`stage_priors.csv` (`cnadvisor.dataset.priors`): every prior names a stage, a listed "
        "source and a locator; its parameter is one of these, in its unit, with a finite "
        "value above 0 and at most the bound. An optional `path` column says what a figure "
        "covers when it is more than its stage alone (`share*term` parts joined by `+`, each "
        "a known stage or term, 0 < share <= 4): a forwarding rate through one host is "
        "`kernel-stack+routed-hop`, a receive-and-drop test `0.5*kernel-stack`:"
    )
    lines += ["", priors, ""]
    lines += ["| parameter | unit | at most |", "|---|---|--:|"]
    lines += [f"| `{name}` | `{unit}` | {high:g} |" for name, (unit, high) in PARAMETERS.items()]
    return "\n".join(lines)


def source_table(frame: pd.DataFrame, sources: Mapping[str, Mapping[str, str]]) -> str:
    lines = ["| source | year | kind | rows | metrics | title |", "|---|--:|---|--:|---|---|"]
    for source_id, source in sorted(sources.items()):
        rows = frame[frame["source_id"] == source_id]
        metrics = ", ".join(f"{m} {n:,}" for m, n in rows["metric"].value_counts().items())
        title = source["title"].replace("|", "\\|")
        lines.append(
            f"| `{source_id}` | {source['year']} | {source['kind']} | {len(rows):,} | "
            f"{metrics or NONE} | {title} |"
        )
    return "\n".join(lines)


def counts(frame: pd.DataFrame) -> str:
    by_unit = _counts(frame, "metric", "unit")
    based = frame.assign(
        baseline=frame["baseline_value"].notna().map({True: "with baseline", False: "without"})
    )
    by_baseline = _counts(based, "metric", "baseline")
    by_virtualization = _counts(frame, "metric", "virtualization")
    by_scenario = _counts(frame, "metric", "scenario")
    return "\n\n".join(
        [
            "Rows by metric and unit:",
            _table(by_unit, "metric"),
            "Rows with a host baseline (`baseline_value` set) by metric:",
            _table(by_baseline, "metric"),
            "Rows by metric and virtualization (VM against bare metal):",
            _table(by_virtualization, "metric"),
            "Rows by metric and scenario:",
            _table(by_scenario, "metric"),
        ]
    )


def solutions(frame: pd.DataFrame, profiles: Mapping[str, SolutionProfile]) -> str:
    named = frame.assign(solution=frame["solution_id"].map(lambda s: f"`{s}`" if s else "(no id)"))
    table = _counts(named, "solution", "metric")
    table.insert(len(table.columns), "sources", named.groupby("solution")["source_id"].nunique())
    table.loc["**all**", "sources"] = frame["source_id"].nunique()
    unmeasured = sorted(set(profiles) - set(frame["solution_id"]))
    rest = ", ".join(f"`{s}`" for s in unmeasured) or "none"
    return (
        _table(table, "solution_id")
        + f"\n\nBuilt-in profiles with no row yet ({len(unmeasured)} of {len(profiles)}), left to "
        + f"local measurements (`cnadvisor bench`): {rest}."
    )


def path_of(profile: SolutionProfile, scenario: str) -> list[str]:
    """The stages a row's figure crossed: the same-host path for intra-host rows, the
    cross-host one otherwise (where the solution has one)."""
    datapath = profile.datapath
    if scenario == "intra-host" or datapath.inter_host is None:
        return list(datapath.intra_host)
    return list(datapath.inter_host)


def stage_priors() -> pd.DataFrame:
    """`stage_priors.csv` (documented per-stage figures), empty when the file is absent."""
    path = resources.files(DATA_PACKAGE).joinpath("stage_priors.csv")
    if not path.is_file():
        return pd.DataFrame(columns=["stage", "parameter", "source_id"])
    with path.open(encoding="utf-8") as handle:
        return pd.read_csv(handle, dtype=str, keep_default_na=False)


def stage_coverage(
    frame: pd.DataFrame, profiles: Mapping[str, SolutionProfile], priors: pd.DataFrame | None = None
) -> str:
    priors = stage_priors() if priors is None else priors
    known = frame[frame["solution_id"].isin(list(profiles))]
    records = [
        (stage, row.metric, row.solution_id)
        for row in known.itertuples()
        for stage in dict.fromkeys(path_of(profiles[row.solution_id], row.scenario))
    ]
    crossed = pd.DataFrame(records, columns=["stage", "metric", "solution_id"])
    table = crossed.pivot_table(index="stage", columns="metric", aggfunc="size", fill_value=0)
    metrics = sorted(set(frame["metric"]))
    table = table.reindex(index=list(STAGES), columns=metrics, fill_value=0)
    table["solutions"] = crossed.groupby("stage")["solution_id"].nunique()
    table["priors"] = priors.groupby("stage").size()
    table = table.fillna(0)
    missing = [f"`{s}`" for s in STAGES if not table.loc[s].drop("solutions").any()]
    extra = sorted(set(priors["stage"]) - set(STAGES))
    table.index = [f"`{s}`" for s in table.index]
    note = (
        "Rows whose solution's datapath crosses each stage of `advisor/stages.py` (same-host "
        "path for intra-host rows, cross-host path otherwise), by metric; `solutions` counts "
        "the distinct solutions behind them, `priors` the per-stage figures in "
        "`stage_priors.csv`."
    )
    parts = [note, _table(table, "stage")]
    parts.append(
        f"Stages with neither a row nor a prior: {', '.join(missing)}."
        if missing
        else "Every stage has a row or a prior."
    )
    if extra:
        named = ", ".join(f"`{s}` ({(priors['stage'] == s).sum()})" for s in extra)
        parts.append(f"Priors for packet-IO paths outside the stage vocabulary: {named}.")
    return "\n\n".join(parts)


def numbers(frame: pd.DataFrame) -> str:
    top = frame["source_id"].value_counts()
    lab = frame["source_id"].str.startswith("infrabuilder-").sum()
    latency = frame["metric"].isin(["latency", "latency_p99"])
    return "\n".join(
        [
            f"- largest source: `{top.index[0]}` with {top.iloc[0]:,} of {len(frame):,} rows "
            f"({top.iloc[0] / len(frame):.0%}); InfraBuilder's two sets together "
            f"{lab:,} ({lab / len(frame):.0%});",
            f"- intra-host rows: {(frame['scenario'] == 'intra-host').sum():,}; latency rows: "
            f"{latency.sum():,}, of which {(latency & frame['baseline_value'].notna()).sum():,} "
            "have a baseline;",
            f"- packet-rate rows: {(frame['metric'] == 'packet_rate').sum():,}; rows in VMs: "
            f"{(frame['virtualization'] == 'vm').sum():,};",
            f"- message size known for {frame['message_size_bytes'].notna().sum():,} rows; rows "
            f"without a `solution_id`: {(frame['solution_id'] == '').sum():,}.",
        ]
    )


# The aims set for the data (packet rate, latency, virtualization), and where it stands.
AIMS = (
    ("independent sources", 15, lambda f: f["source_id"].nunique()),
    ("packet-rate rows", 200, lambda f: int((f["metric"] == "packet_rate").sum())),
    (
        "latency rows with a baseline",
        150,
        lambda f: int(
            (f["metric"].isin(["latency", "latency_p99"]) & f["baseline_value"].notna()).sum()
        ),
    ),
    ("rows measured in VMs", 30, lambda f: int((f["virtualization"] == "vm").sum())),
)


def aims(frame: pd.DataFrame) -> str:
    lines = ["| aim | wanted | now |", "|---|--:|--:|"]
    lines += [f"| {name} | {wanted:,} | {count(frame):,} |" for name, wanted, count in AIMS]
    return "\n".join(lines)


def builtin_profiles() -> dict[str, SolutionProfile]:
    """Built-in plugins only, so the card does not depend on what else is installed."""
    from ..plugins import DISABLE_AUTOLOAD_ENV, load_plugins

    saved = os.environ.get(DISABLE_AUTOLOAD_ENV)
    os.environ[DISABLE_AUTOLOAD_ENV] = "1"
    try:
        plugin_set = load_plugins()
    finally:
        if saved is None:
            os.environ.pop(DISABLE_AUTOLOAD_ENV, None)
        else:
            os.environ[DISABLE_AUTOLOAD_ENV] = saved
    return {sid: item.profile for sid, item in plugin_set.solutions.items()}


def described(text: str) -> set[str]:
    """Source ids with a hand-written `### id` heading outside the generated parts."""
    hand = re.sub(
        re.escape("<!-- begin generated:") + ".*?" + re.escape("<!-- end generated:"),
        "",
        text,
        flags=re.S,
    )
    return set(re.findall(r"^### ([a-z0-9.-]+)", hand, flags=re.M))


def more_sources(
    sources: Mapping[str, Mapping[str, str]], frame: pd.DataFrame, hand: set[str]
) -> str:
    """Sources without a hand-written section, described from sources.csv."""
    lines = []
    for source_id, source in sorted(sources.items()):
        if source_id in hand:
            continue
        rows = (frame["source_id"] == source_id).sum()
        where = source["url"] or source["repository"]
        lines += [
            f"### {source_id} ({rows:,} rows)",
            f"- **Source**: {source['title']} ({source['authors']}, {source['year']}, "
            f"{source['kind']}); {where}; licence: {source['licence'] or 'none stated'}.",
            f"- **Conditions**: {source['conditions'] or 'not stated'}",
            f"- **Notes**: {source['notes'] or '-'}",
            "",
        ]
    return "\n".join(lines).strip() or "(every source has a section above)"


def sections(readme: str = "") -> dict[str, str]:
    frame = load_frame()
    sources = shipped_sources()
    profiles = builtin_profiles()
    makers: dict[str, Callable[[], str]] = {
        "summary": lambda: summary(frame, sources),
        "readme-counts": lambda: f"{len(sources)} sources, {len(frame):,} rows",
        "checks": checks,
        "sources": lambda: source_table(frame, sources),
        "more-sources": lambda: more_sources(sources, frame, described(readme)),
        "counts": lambda: counts(frame),
        "aims": lambda: aims(frame),
        "solutions": lambda: solutions(frame, profiles),
        "stages": lambda: stage_coverage(frame, profiles),
        "numbers": lambda: numbers(frame),
    }
    return {name: make() for name, make in makers.items()}


def fill(text: str, parts: Mapping[str, str]) -> str:
    """The text with each generated part found in it replaced (a one-line part sits inside
    a sentence, a longer one between its marker lines)."""
    for name, body in parts.items():
        begin, end = BEGIN.format(name), END.format(name)
        pattern = re.compile(re.escape(begin) + ".*?" + re.escape(end), re.S)
        gap = "\n" if "\n" in body else ""
        block = f"{begin}{gap}{body}{gap}{end}"
        text = pattern.sub(lambda _, block=block: block, text)
    return text


def missing_markers(text: str, names: Iterable[str]) -> list[str]:
    return [name for name in names if BEGIN.format(name) not in text]


CARD_PARTS = ("summary", "checks", "sources", "more-sources", "counts", "aims", "solutions",
              "stages", "numbers")  # fmt: skip


def readme_paths() -> list[Path]:
    """The data card, and the project README beside it in a checkout (not in a wheel)."""
    card = Path(str(resources.files(DATA_PACKAGE).joinpath("README.md")))
    project = card.parent.parent / "README.md"
    return [card, *([project] if (project.parent / "pyproject.toml").exists() else [])]


def regenerate() -> dict[Path, tuple[str, str]]:
    """{path: (current text, regenerated text)} of every file with generated parts."""
    card, *others = readme_paths()
    text = card.read_text(encoding="utf-8")
    missing = missing_markers(text, CARD_PARTS)
    if missing:
        raise ValueError(f"{card}: no marker for the generated parts {missing}")
    parts = sections(text)
    result = {card: (text, fill(text, parts))}
    for path in others:
        other = path.read_text(encoding="utf-8")
        result[path] = (other, fill(other, parts))
    return result


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    stale = []
    for path, (old, new) in regenerate().items():
        if new == old:
            continue
        stale.append(path)
        if "--check" not in args:
            path.write_text(new, encoding="utf-8")
            print(f"{path}: generated parts rewritten")
    if "--check" in args and stale:
        names = ", ".join(map(str, stale))
        print(f"{names}: generated parts are stale; run python3 -m cnadvisor.dataset.card")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
