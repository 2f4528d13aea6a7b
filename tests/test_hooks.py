"""Each hook, exercised through a real pluggy registration."""

from __future__ import annotations

import types

import pytest
from cnadvisor import hookimpl
from cnadvisor.advisor import Advisor
from cnadvisor.plugins import load_plugins

from .conftest import MINIMAL, make_requirements

# Only a test plugin is loaded here: no benchmark row matches it, so the advisor falls
# back to the analytical model, with a warning these tests expect.
pytestmark = pytest.mark.filterwarnings("ignore:trained model unavailable")


def _module(name: str, **hooks) -> types.ModuleType:
    module = types.ModuleType(name)
    for hook_name, function in hooks.items():
        setattr(module, hook_name, hookimpl(function))
    return module


def test_cnadvisor_solutions_registers_a_third_party_profile():
    plugin = _module("third", cnadvisor_solutions=lambda: [MINIMAL])
    plugin_set = load_plugins(entry_points=False, extra=[("third", plugin)])
    assert plugin_set.problems == []
    assert plugin_set.solutions["test-overlay"].plugin == "third"


def test_a_profile_nobody_benchmarked_gets_an_estimate_and_a_rank():
    plugin = _module("third", cnadvisor_solutions=lambda: [MINIMAL])
    advisor = Advisor.from_plugins(entry_points=False, extra=[("third", plugin)])
    evaluation = advisor.evaluate(make_requirements(workload={"traffic": {"inter_host": 1.0}}))
    (option,) = evaluation.ranked
    (prediction,) = option.predictions
    assert prediction.effective_mtu == 1450
    assert 0 < prediction.throughput_ratio.value < 1


def test_cnadvisor_check_can_exclude_with_its_own_reason():
    def check(solution, requirements):
        if solution.id == "test-overlay" and requirements.environment.platform == "azure":
            return [
                {
                    "severity": "exclude",
                    "requirement": "environment.platform",
                    "message": "our gateway is not offered on Azure",
                }
            ]
        return []

    plugin = _module("third", cnadvisor_solutions=lambda: [MINIMAL], cnadvisor_check=check)
    advisor = Advisor.from_plugins(entry_points=False, extra=[("third", plugin)])
    traffic = {"traffic": {"inter_host": 1.0}}
    on_azure = advisor.evaluate(
        make_requirements(workload=traffic, environment={"platform": "azure"})
    )
    assert on_azure.ranked == []
    (reason,) = on_azure.excluded[0].reasons
    assert reason.source == "third" and "Azure" in reason.message
    on_premises = advisor.evaluate(make_requirements(workload=traffic))
    assert [o.id for o in on_premises.ranked] == ["test-overlay"]


def test_a_hook_implementation_may_take_fewer_arguments():
    seen = []

    def check(solution):  # ignores requirements: still called
        seen.append(solution.id)
        return []

    plugin = _module("third", cnadvisor_solutions=lambda: [MINIMAL], cnadvisor_check=check)
    Advisor.from_plugins(entry_points=False, extra=[("third", plugin)]).evaluate(
        make_requirements()
    )
    assert seen == ["test-overlay"]


def test_builtin_cloud_check_excludes_ipip_on_azure(advisor):
    evaluation = advisor.evaluate(
        make_requirements(
            workload={"traffic": {"inter_host": 1.0}},
            environment={"platform": "azure", "orchestrator": "kubernetes"},
        )
    )
    excluded = {o.id: o.reasons for o in evaluation.excluded}
    assert any(r.source == "cloud-platforms" for r in excluded["calico-ipip"])
    assert "calico-vxlan" in {o.id for o in evaluation.ranked}
