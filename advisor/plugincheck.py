"""`cnadvisor plugins check`: every problem in every installed plugin, named by plugin.

Problems (a plugin that fails to import, raises, exits, hangs, returns the wrong
type or an invalid profile, reuses an id or a plugin name, names a hook that does
not exist, contributes rows that fail the dataset schema, or whose
``cnadvisor_check`` returns invalid findings or changes the objects it is given)
make the check fail. Warnings (facts left unknown, references without a locator,
rows about no registered solution, rows training would drop as implausible or as
about another plugin's solution, slow imports or calls) only fail it under
``--strict``.

Every ``cnadvisor_check`` is called here for every registered solution under a few
probe requirements (the defaults, and each platform), so a check hook's defects
show up before a user's batch meets them.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
import typing
from dataclasses import asdict, dataclass, field
from pathlib import Path

from . import pluginguard, plugins
from .plugins import PluginSet, load_plugins
from .profile import SolutionProfile
from .requirements import Environment, Requirements

EXIT_CLEAN, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2
SECTIONS = ("security", "mobility", "operations")


@dataclass
class PluginReport:
    name: str
    distribution: str
    version: str
    solutions: list[str] = field(default_factory=list)
    stages: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def unknown_facts(profile: SolutionProfile) -> list[str]:
    """The profile fields left unknown (None): shown as unknown in every ranking."""
    missing = []
    for section in SECTIONS:
        part = getattr(profile, section)
        fields = type(part).model_fields
        missing += [
            f"{section}.{key}"
            for key, value in part.model_dump().items()
            if value is None and not (fields[key].json_schema_extra or {}).get("null_is_an_answer")
        ]
    return missing


def probe_requirements() -> list[Requirements]:
    """The requirements every check hook is tried against: the defaults, and each platform."""
    platforms = typing.get_args(Environment.model_fields["platform"].annotation)
    return [Requirements()] + [
        Requirements(name=f"probe on {platform}", environment={"platform": platform})
        for platform in platforms
        if platform != Environment().platform
    ]


def check(plugin_set: PluginSet | None = None) -> list[PluginReport]:
    plugin_set = plugin_set or load_plugins()
    reports: dict[tuple[str, str], PluginReport] = {
        (name, info.distribution): PluginReport(name, info.distribution, info.version)
        for name, info in plugin_set.plugins.items()
    }

    def report_of(plugin: str) -> PluginReport:
        info = plugin_set.info(plugin)
        return reports.setdefault(
            (plugin, info.distribution), PluginReport(plugin, info.distribution, info.version)
        )

    for solution_id, item in sorted(plugin_set.solutions.items()):
        report = report_of(item.plugin)
        report.solutions.append(solution_id)
        unknown = unknown_facts(item.profile)
        if unknown:
            report.warnings.append(f"{solution_id}: unknown facts: {', '.join(unknown)}")
        for reference in item.profile.references:
            if "example.org" in reference.url or "example.com" in reference.url:
                report.warnings.append(
                    f"{solution_id}: reference {reference.id!r} is a placeholder URL"
                )
    for name, registered in sorted(plugin_set.stages.items()):
        report = report_of(registered.plugin)
        report.stages.append(name)
        cited = [registered.stage.reference, *(prior.source for prior in registered.priors)]
        if any(host in text for text in cited for host in ("example.org", "example.com")):
            report.warnings.append(f"stage {name!r}: a reference or prior source is a placeholder")
    for contribution in plugin_set.contributions():  # bad rows are reported as problems
        report = report_of(contribution.plugin)
        named = {row.solution_id for row in contribution.rows} | {
            dropped.row.solution_id for dropped in contribution.dropped
        }
        strangers = sorted(sid for sid in named if sid and sid not in plugin_set.solutions)
        if strangers:
            report.warnings.append(
                f"cnadvisor_benchmarks: rows about unregistered solutions {strangers}"
            )
        report.warnings.extend(
            f"cnadvisor_benchmarks: training would drop {d}" for d in contribution.dropped
        )
    for plugin, message in probe_checks(plugin_set):
        report_of(plugin).problems.append(f"cnadvisor_check: {message}")
    for problem in plugin_set.problems:  # loading, and hooks that failed just now
        reports.setdefault(
            (problem.plugin, problem.distribution),
            PluginReport(problem.plugin, problem.distribution, ""),
        ).problems.append(f"{problem.step}: {problem.message}")
    for note in plugin_set.notes:
        reports.setdefault(
            (note.plugin, note.distribution), PluginReport(note.plugin, note.distribution, "")
        ).warnings.append(f"{note.step}: {note.message}")
    for report in reports.values():  # a hook that fails on every probe is named once
        report.problems = list(dict.fromkeys(report.problems))
    return sorted(reports.values(), key=lambda r: (r.name, r.distribution))


def probe_checks(plugin_set: PluginSet) -> list[tuple[str, str]]:
    """Call each ``cnadvisor_check`` for every solution under the probe requirements,
    through the same door as an evaluation (invalid findings are reported there), and
    name the hooks that change what they are given (a check must only read its
    arguments)."""
    changed: list[tuple[str, str]] = []
    solutions = [item.profile for item in plugin_set.solutions.values()]
    for requirements in probe_requirements():
        plugin_set.findings_for(solutions, requirements, audit=changed)
    return changed


def render(reports: list[PluginReport], *, strict: bool) -> tuple[str, int]:
    """The report's text and exit code (0 clean, 1 problems); the text is render/'s."""
    from .render.plugins import check_report

    return check_report(reports, strict=strict)


def run_isolated(name: str | None = None, *, strict: bool = False) -> int:
    """``cnadvisor plugins check``: the check runs in a child process, so a plugin that
    ends the process (``os._exit``, a crash in a C extension) is still named.

    The child records which plugin's code it is about to run; if it ends without a
    report, that plugin is reported and the check runs again without it. It runs with
    ``-P``: the working folder is not put on its import path.
    """
    crashed: list[PluginReport] = []
    skip: list[tuple[str, str]] = []
    reports: list[PluginReport] = []
    while True:
        with tempfile.TemporaryDirectory(prefix="cnadvisor-check-") as folder:
            progress, result = Path(folder, "progress"), Path(folder, "reports.json")
            command = [
                sys.executable,
                "-P",
                "-m",
                "cnadvisor.plugincheck",
                str(progress),
                str(result),
            ]
            try:
                child = subprocess.run(
                    command + [f"{plugin}\t{dist}" for plugin, dist in skip],
                    stdin=subprocess.DEVNULL,
                    stdout=_stderr_fd(),  # plugin noise never reaches the report on stdout
                    check=False,
                    timeout=_child_deadline(),
                )
                ended = f"the process ended (exit code {child.returncode})"
            except subprocess.TimeoutExpired:  # e.g. a C extension that holds the GIL
                ended = f"the process did not finish within {_child_deadline():g} s"
            if result.exists():
                reports = [PluginReport(**item) for item in json.loads(result.read_text())]
                break
            last = progress.read_text().splitlines()[-1:] if progress.exists() else []
            if not last:
                print(f"cnadvisor: plugins check: {ended} before any plugin code ran",
                      file=sys.stderr)  # fmt: skip
                return EXIT_PROBLEMS
            plugin, dist, step = last[0].split("\t")
            skip.append((plugin, dist))
            crashed.append(
                PluginReport(
                    plugin,
                    dist,
                    "",
                    problems=[
                        f"{step}: {ended} inside this plugin's code, with no report: "
                        "os._exit(), a crash or a stall cnadvisor cannot guard against; "
                        "every command that loads this plugin will end the same way"
                    ],
                )
            )
    reports = sorted(reports + crashed, key=lambda r: (r.name, r.distribution))
    if name:
        reports = [r for r in reports if r.name == name]
        if not reports:
            print(f"cnadvisor: no plugin {name!r} is installed", file=sys.stderr)
            return EXIT_USAGE
    text, code = render(reports, strict=strict)
    sys.stdout.write(text)
    return code


def _child_deadline() -> float:
    """Time for one checking child: a minute, plus each third-party plugin's run budget."""
    third_party = sum(not builtin for _, builtin in plugins._entry_points())
    return 60 + plugins.BUDGET_CALLS * pluginguard.timeout() * (third_party + 1)


def _stderr_fd() -> int | None:
    try:
        return sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):
        return subprocess.DEVNULL


def _child(progress: Path, result: Path, skip: list[tuple[str, str]]) -> None:
    """The child of :func:`run_isolated`: check, and write the reports as JSON."""
    with progress.open("a", encoding="utf-8") as log:

        def record(plugin: str, dist: str, step: str) -> None:
            log.write(f"{plugin}\t{dist}\t{step}\n")
            log.flush()

        plugins.on_plugin_code = record
        reports = check(load_plugins(skip=skip))
    result.write_text(json.dumps([asdict(r) for r in reports]), encoding="utf-8")


if __name__ == "__main__":
    _child(
        Path(sys.argv[1]),
        Path(sys.argv[2]),
        [tuple(arg.split("\t", 1)) for arg in sys.argv[3:]],  # type: ignore[misc]
    )
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(AttributeError, OSError, ValueError):
            stream.flush()
    os._exit(0)  # abandoned plugin threads must not hold the child open
