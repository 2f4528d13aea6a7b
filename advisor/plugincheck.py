"""`cnadvisor plugins check`: every problem in every installed plugin, named by plugin.

Problems (a plugin that fails to import, raises, returns the wrong type or an
invalid profile, reuses an id, names a hook that does not exist, contributes
rows that fail the dataset schema) make the check fail. Warnings (facts left
unknown, references without a locator, rows about no registered solution)
only fail it under ``--strict``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .model.data import DatasetError, rows_from_dicts
from .plugins import PluginSet, load_plugins
from .profile import SolutionProfile

EXIT_CLEAN, EXIT_PROBLEMS = 0, 1
SECTIONS = ("security", "mobility", "operations")


@dataclass
class PluginReport:
    name: str
    distribution: str
    version: str
    solutions: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def unknown_facts(profile: SolutionProfile) -> list[str]:
    """The profile fields left unknown (None): shown as unknown in every ranking."""
    missing = []
    for section in SECTIONS:
        values = getattr(profile, section).model_dump()
        missing += [f"{section}.{key}" for key, value in values.items() if value is None]
    return missing


def check(plugin_set: PluginSet | None = None) -> list[PluginReport]:
    plugin_set = plugin_set or load_plugins()
    reports = {
        name: PluginReport(name, info.distribution, info.version)
        for name, info in plugin_set.plugins.items()
    }
    for problem in plugin_set.problems:
        reports.setdefault(
            problem.plugin, PluginReport(problem.plugin, problem.distribution, "")
        ).problems.append(f"{problem.step}: {problem.message}")
    for solution_id, item in sorted(plugin_set.solutions.items()):
        report = reports[item.plugin]
        report.solutions.append(solution_id)
        unknown = unknown_facts(item.profile)
        if unknown:
            report.warnings.append(f"{solution_id}: unknown facts: {', '.join(unknown)}")
        for reference in item.profile.references:
            if "example.org" in reference.url or "example.com" in reference.url:
                report.warnings.append(
                    f"{solution_id}: reference {reference.id!r} is a placeholder URL"
                )
    already = len(plugin_set.problems)
    for plugin, returned in plugin_set.call_each("cnadvisor_benchmarks"):
        report = reports[plugin]
        try:
            rows = rows_from_dicts(list(returned or []), f"plugin {plugin}")
        except DatasetError as error:
            report.problems.extend(f"cnadvisor_benchmarks: {p}" for p in error.problems)
            continue
        strangers = sorted({r.solution_id for r in rows} - set(plugin_set.solutions))
        if strangers:
            report.warnings.append(
                f"cnadvisor_benchmarks: rows about unregistered solutions {strangers}"
            )
    for problem in plugin_set.problems[already:]:  # hooks that raised just now
        reports[problem.plugin].problems.append(f"{problem.step}: {problem.message}")
    return sorted(reports.values(), key=lambda r: r.name)


def render(reports: list[PluginReport], *, strict: bool) -> tuple[str, int]:
    lines = []
    failed = False
    for report in reports:
        status = "ok"
        if report.problems:
            status, failed = "FAILED", True
        elif report.warnings and strict:
            status, failed = "FAILED (strict: warnings)", True
        elif report.warnings:
            status = "ok, with warnings"
        origin = f"{report.distribution} {report.version}".strip()
        lines.append(
            f"{report.name} ({origin}): {status}; solutions: {', '.join(report.solutions) or '-'}"
        )
        lines += [f"  problem: {p}" for p in report.problems]
        lines += [f"  warning: {w}" for w in report.warnings]
    total_problems = sum(len(r.problems) for r in reports)
    total_warnings = sum(len(r.warnings) for r in reports)
    lines.append(
        f"{len(reports)} plugins, {total_problems} problems, {total_warnings} warnings"
        + (" (strict)" if strict else "")
    )
    return "\n".join(lines) + "\n", EXIT_PROBLEMS if failed else EXIT_CLEAN
