"""Listing plugins and showing one solution profile with its sources."""

from __future__ import annotations

import io
import json
from typing import Any

from rich.console import Console
from rich.table import Table

from ..physics import encapsulation_bytes
from ..plugins import PluginInfo, PluginSet, RegisteredSolution
from ..safetext import markup, plain
from .common import terminal_width


def render_list(plugin_set: PluginSet | None, fmt: str) -> str:
    if plugin_set is None:
        return ""
    by_plugin: dict[str, list[RegisteredSolution]] = {}
    for item in plugin_set.solutions.values():
        by_plugin.setdefault(item.plugin, []).append(item)
    if fmt == "json":
        document = {
            "plugins": [
                {
                    "name": info.name,
                    "distribution": info.distribution,
                    "version": info.version,
                    "module": info.module,
                    "builtin": info.builtin,
                    "solutions": [s.profile.id for s in by_plugin.get(info.name, [])],
                }
                for info in plugin_set.plugins.values()
            ],
            "problems": [str(p) for p in plugin_set.problems],
        }
        return json.dumps(document, indent=2) + "\n"
    buffer = io.StringIO()
    console = Console(file=buffer, width=terminal_width(150), no_color=True, emoji=False)
    wide = console.width >= WIDE
    others = not wide and any(not info.builtin for info in plugin_set.plugins.values())
    caption = ("* not built in; " if others else "") + NARROW_CAPTION
    table = Table(
        title=f"{len(plugin_set.solutions)} solutions from {len(by_plugin)} plugins",
        caption=None if wide else caption,
    )
    # Names and ids never break inside a word; only the list of sources may wrap (at commas).
    table.add_column("plugin", no_wrap=True)
    if wide:
        table.add_column("distribution", no_wrap=True)
    table.add_column("solution", no_wrap=True)
    table.add_column("family", no_wrap=True)
    table.add_column("scope", no_wrap=True)
    if wide:
        table.add_column("sources", overflow="fold", ratio=1)
    for info in plugin_set.plugins.values():
        for item in by_plugin.get(info.name, []):
            profile = item.profile
            # plugin texts: shown, never obeyed as markup or escapes; narrow, a third-party
            # plugin is marked, as the distribution column that says so is left out
            cells = [info.name + (" *" if others and not info.builtin else "")]
            if wide:
                cells.append(f"{info.distribution} {info.version}".strip())
            cells += [profile.id, profile.family.value, profile.scope]
            if wide:
                cells.append(", ".join(ref.id for ref in profile.references))
            table.add_row(*map(markup, cells))
    console.print(table)
    return buffer.getvalue()


WIDE = 120  # below this many columns the list drops the distribution and sources
NARROW_CAPTION = "distribution and sources: 120 columns or more, or -f json"


def profile_json(item: RegisteredSolution, info: PluginInfo | None) -> dict[str, Any]:
    return {
        "plugin": info.name if info else item.plugin,
        "distribution": info.distribution if info else None,
        "version": info.version if info else None,
        "profile": item.profile.model_dump(mode="json"),
    }


def render_profile(item: RegisteredSolution, info: PluginInfo | None) -> str:
    p = item.profile
    lines = [
        f"{p.name}  ({p.id})",
        f"  family: {p.family.value} · scope: {p.scope}"
        + (f" · variant of {p.variant_of}" if p.variant_of else ""),
        f"  plugin: {item.plugin}" + (f" from {info.distribution} {info.version}" if info else ""),
        f"  {p.summary}",
        "",
        "datapath:",
        f"  same host:   {' → '.join(p.datapath.intra_host)}",
        "  other host:  "
        + (
            "not possible"
            if p.datapath.inter_host is None
            else (" → ".join(p.datapath.inter_host) or "host stack only")
            + f"  ({encapsulation_bytes(p.datapath.inter_host, p.datapath.extra_header_bytes)} "
            "header bytes per packet)"
        ),
    ]
    for section in ("datapath", "security", "mobility", "operations"):
        data = getattr(p, section).model_dump(mode="json")
        cite = data.pop("cite")
        if section == "datapath":
            data = {"extra_header_bytes": data["extra_header_bytes"]}
        else:
            lines.append(f"{section}:")
        for key, value in data.items():
            shown = "unknown" if value is None else value
            if isinstance(value, list):
                shown = ", ".join(map(str, value)) or "none listed"
            lines.append(f"  {key}: {shown}")
        lines.append(f"  sources: {', '.join(cite)}")
    if p.notes:
        lines.append("notes:")
        lines.extend(f"  - {note}" for note in p.notes)
    lines.append("references:")
    for ref in p.references:
        where = f" ({ref.locator})" if ref.locator else ""
        lines.append(f"  [{ref.id}] {ref.title}{where}\n      {ref.url}")
    return "\n".join(plain(line, keep_newlines=True) for line in lines) + "\n"


def check_report(reports: list, *, strict: bool) -> tuple[str, int]:
    """`plugins check`'s report, one block per plugin, and its exit code: 1 when a plugin
    has problems (or, under ``strict``, warnings), else 0."""
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
        stages = f"; stages: {', '.join(report.stages)}" if report.stages else ""
        lines.append(
            f"{report.name} ({origin}): {status}; solutions: {', '.join(report.solutions) or '-'}"
            + stages
        )
        lines += [f"  problem: {p}" for p in report.problems]
        lines += [f"  warning: {w}" for w in report.warnings]
    total_problems = sum(len(r.problems) for r in reports)
    total_warnings = sum(len(r.warnings) for r in reports)
    lines.append(
        f"{len(reports)} plugins, {total_problems} problems, {total_warnings} warnings"
        + (" (strict)" if strict else "")
    )
    return "\n".join(lines) + "\n", 1 if failed else 0
