"""One import command: read the files, check each is the named format, parse, validate
every row against the dataset schema, then save all of it, or nothing."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from ..model.data import DatasetError, rows_from_dicts
from . import iperf3, k8s_netperf, knb, netperf, sockperf, store
from .common import NAME, ImportProblem, Options, Source

FORMATS = {
    "knb": knb,
    "k8s-netperf": k8s_netperf,
    "iperf3": iperf3,
    "netperf": netperf,
    "sockperf": sockperf,
}
DESCRIPTIONS = {
    "knb": "knb -o json or -o yaml (InfraBuilder/k8s-bench-suite)",
    "k8s-netperf": "k8s-netperf result-*.csv (and loss-rt-result-*.csv)",
    "iperf3": "iperf3 -J client output",
    "netperf": "netperf omni output with -o selectors (CSV)",
    "sockperf": "sockperf ping-pong client output",
}


class ImportFailed(Exception):
    """Every problem found; nothing was written."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass
class Report:
    imported: list[tuple[str, int]] = field(default_factory=list)  # (file, rows)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (file, why)
    written: list[Path] = field(default_factory=list)


def detect(text: str) -> list[str]:
    """The formats whose signature this text carries (from its content, never its name)."""
    return [name for name, module in FORMATS.items() if module.looks_like(text)]


def _check_format(source: Source, fmt: str) -> None:
    found = detect(source.text)
    if fmt in found:
        return
    first = source.text.lstrip().splitlines()[0][:80] if source.text.strip() else ""
    if found:
        raise source.problem(
            f"this is {DESCRIPTIONS[found[0]]}, not {DESCRIPTIONS[fmt]}; "
            f"import it with `cnadvisor import {found[0]}`",
            line=1,
        )
    raise source.problem(
        f"not {DESCRIPTIONS[fmt]}: the content does not start like it (first line {first!r})",
        line=1,
    )


def import_files(
    fmt: str, paths: list[str | Path], options: Options, *, now: float | None = None
) -> Report:
    if fmt not in FORMATS:
        raise ImportFailed([f"unknown format {fmt!r}; one of {sorted(FORMATS)}"])
    if not NAME.match(options.cluster):
        raise ImportFailed([f"cluster name {options.cluster!r}: letters, digits, '.', '_', '-'"])
    if not NAME.match(options.solution):
        raise ImportFailed([f"solution id {options.solution!r}: letters, digits, '.', '_', '-'"])
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))
    report, problems, sources, seen = Report(), [], [], set()
    for path in map(Path, paths):
        try:
            source = Source.read(path, options, stamp)
            _check_format(source, fmt)
        except ImportProblem as problem:
            problems.append(str(problem))
            continue
        earlier = store.existing(source.sha256)
        if earlier is not None or source.sha256 in seen:
            why = f"already imported ({earlier})" if earlier else "given twice"
            report.skipped.append((source.name, why))
            continue
        seen.add(source.sha256)
        sources.append(source)
    parsed: dict[str, list[dict[str, str]]] = {}
    if fmt == "k8s-netperf" and sources:
        try:
            parsed = k8s_netperf.parse_all(sources)
        except ImportProblem as problem:
            problems.append(str(problem))
    else:
        for source in sources:
            try:
                parsed[source.name] = FORMATS[fmt].parse(source)
            except ImportProblem as problem:
                problems.append(str(problem))
    if not problems:
        for source in sources:
            try:
                rows_from_dicts(parsed[source.name], source.name)
            except DatasetError as error:
                problems.extend(
                    f"{source.name}: {p} (in the rows made from it)" for p in error.problems
                )
    if problems:
        raise ImportFailed(problems)
    batch = []
    for source in sources:
        items = parsed[source.name]
        batch.append(
            (options.cluster, source.sha256, items, _provenance(fmt, source, items, sources))
        )
        report.imported.append((source.name, len(items)))
    report.written = store.save(batch)
    return report


def _provenance(fmt: str, source: Source, items: list, sources: list[Source]) -> dict:
    from .. import __version__

    options = source.options
    return {
        "schema_version": 1,
        "format": fmt,
        "tool": source.facts.get("tool", fmt),
        "tool_version": source.facts.get("version") or None,
        "file": {
            "name": source.path.name,
            "path": str(source.path.resolve()),
            "sha256": source.sha256,
            "bytes": len(source.text.encode("utf-8")),
        },
        "imported_at": source.imported_at,
        "cluster": options.cluster,
        "solution": options.solution,
        "stated_at_import": {
            "scenario": options.scenario,
            "service": options.service,
            "message_size": options.message_size,
        },
        "rows": len(items),
        "imported_with": [s.path.name for s in sources if s is not source],
        "cnadvisor": __version__,
    }
