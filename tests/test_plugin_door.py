"""The one door to plugin code, in-process: generators are consumed inside the guard,
odd results are one problem, arguments are copies, `plugins check` exercises
`cnadvisor_check`, and a plugin can take neither a built-in's name nor hide who said what."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import types
from pathlib import Path

import pytest
from cnadvisor import hookimpl, hookspecs
from cnadvisor.advisor import Advisor
from cnadvisor.performance import AnalyticalModel
from cnadvisor.plugincheck import check
from cnadvisor.plugins import load_plugins
from cnadvisor.requirements import Requirements
from cnadvisor.scaffold import ScaffoldError, write_plugin

SYSTEM = {"workload": {"traffic": {"inter_host": 1.0}}}


def _module(name: str, **hooks) -> types.ModuleType:
    module = types.ModuleType(name)
    for hook_name, function in hooks.items():
        setattr(module, hook_name, hookimpl(function))
    return module


def _advisor(module: types.ModuleType | None = None) -> Advisor:
    extra = [(module.__name__, module)] if module else []
    plugin_set = load_plugins(extra=extra)
    return Advisor(plugin_set.solutions.values(), plugins=plugin_set, model=AnalyticalModel())


def _summary(advisor: Advisor, requirements: Requirements) -> tuple[list, list]:
    evaluation = advisor.evaluate(requirements)
    return (
        [(o.id, o.score) for o in evaluation.ranked],
        [(o.id, [r.message for r in o.reasons]) for o in evaluation.excluded],
    )


def test_a_check_generator_that_fails_midway_is_reported_not_raised():

    def failing(solution):
        yield {"severity": "info", "requirement": "-", "message": "first item is fine"}
        raise RuntimeError("vendor bug after the first item")

    advisor = _advisor(_module("midway", cnadvisor_check=failing))
    evaluation = advisor.evaluate(Requirements.model_validate(SYSTEM))
    assert evaluation.ranked
    assert all(f.source != "midway" for o in evaluation.ranked for f in o.findings)
    (problem,) = [p for p in advisor.plugins.problems if p.plugin == "midway"]
    assert "vendor bug after the first item" in problem.message


def test_a_solutions_generator_that_fails_midway_is_reported_not_raised():
    def failing():
        yield {"id": "half"}
        raise RuntimeError("generator broke")

    plugin_set = load_plugins(extra=[("half", _module("half", cnadvisor_solutions=failing))])
    assert any(p.plugin == "half" and "generator broke" in p.message for p in plugin_set.problems)
    assert len(plugin_set.solutions) >= 40


def test_a_check_that_mutates_its_arguments_changes_no_later_result():
    def mutate(solution, requirements):
        solution.operations.orchestrators.clear()
        solution.datapath.inter_host.append("wireguard")
        requirements.environment.platform = "azure"
        requirements.workload.traffic.inter_host = 0.0
        return []

    requirements = Requirements.model_validate(SYSTEM)
    before = requirements.model_dump()
    baseline = _advisor()
    expected = [_summary(baseline, requirements) for _ in range(2)]
    advisor = _advisor(_module("mutator", cnadvisor_check=mutate))
    assert [_summary(advisor, requirements) for _ in range(2)] == expected
    assert requirements.model_dump() == before
    assert [s.profile.model_dump() for s in advisor.solutions] == [
        s.profile.model_dump() for s in baseline.solutions
    ]


def test_plugins_check_calls_every_check_hook():
    def invalid(solution, requirements):
        if requirements.environment.platform == "gcp":  # only one probe reaches this
            return [{"severity": "fatal", "requirement": "-", "message": "no such severity"}]
        return []

    plugin_set = load_plugins(extra=[("gcp-only", _module("gcp_only", cnadvisor_check=invalid))])
    (report,) = [r for r in check(plugin_set) if r.name == "gcp-only"]
    assert any("invalid finding" in p and "severity" in p for p in report.problems)


def test_plugins_check_names_a_check_hook_that_mutates_what_it_is_given():
    def mutate(solution):
        solution.security.cite.append("made-up")
        return []

    plugin_set = load_plugins(extra=[("mutant", _module("mutant", cnadvisor_check=mutate))])
    (report,) = [r for r in check(plugin_set) if r.name == "mutant"]
    assert any("changed the solution" in p for p in report.problems)
    (builtin,) = [r for r in check(load_plugins()) if r.name == "cloud-platforms"]
    assert builtin.problems == []


@pytest.mark.parametrize("name", ["calico", "cloud-platforms", "calico-vxlan"])
def test_scaffold_refuses_a_builtin_plugin_name_or_solution_id(tmp_path: Path, name: str):
    with pytest.raises(ScaffoldError, match="built-in"):
        write_plugin(name, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_excluded_table_names_the_plugin_that_excluded(tmp_path: Path):
    system = tmp_path / "azure.yaml"
    system.write_text(
        "workload: {traffic: {inter_host: 1.0}}\n"
        "environment: {platform: azure, orchestrator: kubernetes}\n"
    )
    env = dict(os.environ, COLUMNS="250")
    result = subprocess.run(
        [sys.executable, "-m", "cnadvisor.cli", "evaluate", str(system), "--show-excluded"],
        capture_output=True, text=True, env=env,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    rows = [line for line in result.stdout.splitlines() if "calico-ipip" in line]
    assert rows and any("(plugin cloud-platforms)" in line for line in rows), result.stdout


ADVISOR_SOURCE = Path(__file__).resolve().parent.parent / "advisor"
HOOK_NAMES = sorted(name for name in dir(hookspecs) if name.startswith("cnadvisor_"))


def _hook_call_sites() -> dict[str, list[str]]:
    """Where cnadvisor's own code calls each hook: ``call_each("hook")``,
    ``call_each(NAME)`` with ``NAME = "hook"`` in the same module, or ``hook.<hook>``."""
    sites: dict[str, list[str]] = {name: [] for name in HOOK_NAMES}
    for path in sorted(ADVISOR_SOURCE.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        constants = dict(re.findall(r'^(\w+) = "(cnadvisor_\w+)"', text, flags=re.MULTILINE))
        called = re.findall(r'call_each\(\s*"(cnadvisor_\w+)"', text)
        called += [constants.get(n, n) for n in re.findall(r"call_each\(\s*([A-Z_]+)\b", text)]
        called += re.findall(r"\.hook\.(cnadvisor_\w+)", text)
        for name in called:
            sites.setdefault(name, []).append(str(path.relative_to(ADVISOR_SOURCE)))
    return sites


@pytest.mark.parametrize("hook", HOOK_NAMES)
def test_each_hook_is_called_in_exactly_one_place(hook):
    assert len(_hook_call_sites()[hook]) == 1, _hook_call_sites()[hook]


def test_benchmark_rows_are_asked_for_once_per_plugin_set():
    calls = []
    row = {
        "source_id": "acme-report", "locator": "Table 1", "solution_label": "Acme",
        "solution_id": "", "scenario": "inter-host", "virtualization": "bare-metal",
        "protocol": "tcp", "message_size_bytes": "", "link_gbps": "10", "encryption": "none",
        "streams": "1", "metric": "throughput", "unit": "Gbps", "value": "9.1",
        "baseline_value": "9.4", "baseline_label": "node to node", "relative_to": "",
        "notes": "test data, not a measurement",
    }  # fmt: skip

    def rows():
        calls.append(1)
        return [row, {**row, "value": "not a number"}]

    plugin_set = load_plugins(extra=[("rows", _module("rows", cnadvisor_benchmarks=rows))])
    (contribution,) = plugin_set.contributions()
    assert [r.value for r in contribution.rows] == [9.1]  # the good row stays
    check(plugin_set)  # plugins check reads the same validated rows
    assert plugin_set.benchmark_rows() == [("rows", contribution.rows)]
    assert calls == [1]
    problems = [p.message for p in plugin_set.problems if p.plugin == "rows"]
    assert len(problems) == 1 and "row 2" in problems[0] and "value" in problems[0]


def test_the_same_finding_from_a_plugin_is_one_marked_object_file_after_file(plugin_set):
    """A batch keeps excluded entries and their JSON per finding object: the door hands out
    one marked finding per plugin and content, whichever file asked."""
    systems = [
        Requirements.model_validate({"name": name, "environment": {"platform": "eks"}})
        for name in ("first", "second")
    ]
    solutions = [item.profile for item in plugin_set.solutions.values()]
    first, second = (plugin_set.findings_for(solutions, system) for system in systems)
    said = [(a, b) for mine, theirs in zip(first, second, strict=True)
            for a, b in zip(mine, theirs, strict=True)]  # fmt: skip
    assert said and all(a is b for a, b in said)
    assert {a.source for a, _ in said} >= {"cloud-platforms"}
    assert all(a.source != "core" for a, _ in said)  # marked, never the plugin's own "core"


def test_a_plugin_saying_endless_different_things_keeps_memory_bounded(plugin_set, monkeypatch):
    """Marked findings are kept per content; a plugin whose every finding differs (a
    counter in its message) must not grow them without bound."""
    import cnadvisor.plugins as plugins_module
    from cnadvisor.findings import Finding

    monkeypatch.setattr(plugins_module, "SOURCED_KEPT", 8)
    for number in range(50):
        said = Finding(severity="warn", requirement="-", message=f"call number {number}")
        marked = plugin_set._marked(said, "chatty")
        assert marked.source == "chatty" and marked.message == said.message
        assert len(plugin_set._sourced) <= 8
