"""cnadvisor_stages: plugins add datapath stages, checked at the one plugin door.

The plugins here are real distributions found through the ``cnadvisor`` entry-point
group (``install_plugin`` in conftest.py). The stage they add is real: IP-in-IP inside
UDP (Foo-over-UDP), whose 8-byte UDP header over IP-in-IP's outer IPv4 header is stated
in the kernel's merge commit fb5690d24583 ("net: foo-over-udp (fou)").
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import textwrap

import pytest
from cnadvisor import stages
from cnadvisor.dataset.priors import PARAMETERS, PRIOR_COLUMNS
from cnadvisor.performance import AnalyticalModel
from cnadvisor.plugins import load_plugins
from cnadvisor.stages import STAGES, registered_stage_priors, stage

from .conftest import make_requirements

FOU = {
    "name": "ipip-fou",
    "kind": "encap",
    "header_bytes": 28,
    "description": "IP-in-IP inside UDP (Foo-over-UDP): outer IPv4 20 + UDP 8 bytes.",
    "reference": "Linux commit fb5690d24583 (net: foo-over-udp); RFC 791; RFC 768",
}
# Cost figures in these tests are test data, not measurements: they only exercise the
# shape and the bounds of a declaration.
TEST_PRIOR = {"value": 400.0, "source": "https://example.org/test-only", "locator": "Table 1"}


def _profile(solution_id: str, inter_host: list[str]) -> dict:
    return {
        "id": solution_id,
        "name": f"Test {solution_id}",
        "family": "kubernetes-cni",
        "summary": "A profile used only by the plugin-stage tests.",
        "references": [{"id": "d", "title": "docs page", "url": "https://example.org/"}],
        "datapath": {"intra_host": ["veth"], "inter_host": inter_host, "cite": ["d"]},
        "security": {"isolation": "namespace", "cite": ["d"]},
        "mobility": {"cite": ["d"]},
        "operations": {"orchestrators": ["kubernetes"], "underlay": "ip", "cite": ["d"]},
    }


def _plugin(stages_returned: object = None, profiles: list[dict] | None = None) -> str:
    """The source of a plugin module returning these stages and profiles."""
    code = "from math import inf\n\nfrom cnadvisor import hookimpl\n"
    if stages_returned is not None:
        code += f"\n@hookimpl\ndef cnadvisor_stages():\n    return {stages_returned!r}\n"
    if profiles is not None:
        code += f"\n@hookimpl\ndef cnadvisor_solutions():\n    return {profiles!r}\n"
    return code


@pytest.fixture
def fou_plugin(install_plugin):
    """An installed plugin that adds the ipip-fou stage and a profile that uses it."""
    fou = {**FOU, "priors": {"ns_per_packet": TEST_PRIOR}}
    return install_plugin(
        "fou", {"plugin.py": _plugin([fou], [_profile("fou-cni", ["veth", "ipip-fou"])])}
    )


def test_an_installed_plugin_registers_a_stage_its_own_profile_uses(fou_plugin):
    plugin_set = load_plugins()
    assert plugin_set.problems == []
    assert plugin_set.stages["ipip-fou"].plugin == "fou"
    assert stage("ipip-fou").header_bytes == 28
    assert stage("ipip-fou").encapsulates
    assert plugin_set.solutions["fou-cni"].profile.datapath.inter_host == ["veth", "ipip-fou"]


def test_the_ranking_counts_the_stage_header_in_the_effective_mtu(fou_plugin):
    from cnadvisor.advisor import Advisor

    plugin_set = load_plugins()
    advisor = Advisor(plugin_set.solutions.values(), plugins=plugin_set, model=AnalyticalModel())
    evaluation = advisor.evaluate(make_requirements(workload={"traffic": {"inter_host": 1.0}}))
    option = next(o for o in evaluation.ranked if o.id == "fou-cni")
    assert option.effective_mtu == 1500 - 28
    assert any("28 bytes of encapsulation" in f.message for f in option.findings)


def test_cnadvisor_evaluate_ranks_a_plugin_stage_with_the_trained_model(fou_plugin, tmp_path):
    requirements = tmp_path / "system.yaml"
    requirements.write_text("name: fou test\nworkload:\n  traffic: {inter_host: 1.0}\n")
    result = subprocess.run(
        [sys.executable, "-m", "cnadvisor.cli", "evaluate", str(requirements), "-f", "json"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(fou_plugin)},
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    ranked = json.loads(result.stdout)
    text = json.dumps(ranked)
    assert '"fou-cni"' in text and "1472" in text


def test_another_plugin_profile_may_name_the_stage(fou_plugin, install_plugin):
    install_plugin("zz-user", {"plugin.py": _plugin(None, [_profile("zz-user-cni", ["ipip-fou"])])})
    plugin_set = load_plugins()
    assert plugin_set.problems == []
    assert plugin_set.solutions["zz-user-cni"].plugin == "zz-user"


def test_a_misspelled_registered_stage_gets_a_suggestion(fou_plugin, install_plugin):
    install_plugin("zz-typo", {"plugin.py": _plugin(None, [_profile("zz-typo-cni", ["ipip-fuo"])])})
    plugin_set = load_plugins()
    (problem,) = [p for p in plugin_set.problems if p.plugin == "zz-typo"]
    assert "unknown datapath stage 'ipip-fuo'" in problem.message
    assert "nearest known: 'ipip-fou'" in problem.message
    assert "zz-typo-cni" not in plugin_set.solutions
    with pytest.raises(KeyError, match="did you mean 'ipip-fou'"):
        stage("ipip-fuo")


BAD_DECLARATIONS = {
    "built-in name": ({**FOU, "name": "vxlan", "header_bytes": 0}, "'vxlan' is already built in"),
    "model term": ({**FOU, "name": "socket"}, "reserved for a term of the performance model"),
    "packet-io name": ({**FOU, "name": "dpdk"}, "reserved for a term of the performance model"),
    "unknown kind": ({**FOU, "kind": "teleport"}, "'kind' 'teleport' is not one of"),
    "negative header": ({**FOU, "header_bytes": -4}, "'header_bytes' -4 is outside 0-200"),
    "absurd header": ({**FOU, "header_bytes": 9000}, "'header_bytes' 9000 is outside 0-200"),
    "fractional header": ({**FOU, "header_bytes": 28.5}, "must be a whole number"),
    "boolean header": ({**FOU, "header_bytes": True}, "must be a whole number"),
    "no reference": ({k: v for k, v in FOU.items() if k != "reference"}, "'reference' must be"),
    "blank reference": ({**FOU, "reference": "  "}, "'reference' must be non-empty text"),
    "bad name": ({**FOU, "name": "IPIP FOU"}, "'name' must be lower-case"),
    "unknown key": ({**FOU, "header": 28}, "unknown keys ['header']"),
    "negative prior": (
        {**FOU, "priors": {"ns_per_packet": {**TEST_PRIOR, "value": -1}}},
        "priors.ns_per_packet: value -1",
    ),
    "absurd prior": (
        {**FOU, "priors": {"ns_per_byte": {**TEST_PRIOR, "value": 5e6}}},
        "priors.ns_per_byte: value 5000000.0 (expected a finite number > 0, <= 1000)",
    ),
    "infinite prior": (
        {**FOU, "priors": {"delay_us": {**TEST_PRIOR, "value": math.inf}}},
        "priors.delay_us: value inf",
    ),
    "prior without source": (
        {**FOU, "priors": {"ns_per_packet": {"value": 400.0, "locator": "Table 1"}}},
        "priors.ns_per_packet: 'source' must be non-empty text",
    ),
    "unknown prior": (
        {**FOU, "priors": {"mpps": TEST_PRIOR}},
        "priors.mpps: unknown parameter",
    ),
    "not a mapping": ("ipip-fou", "item 0 is str; expected a dict"),
}


@pytest.mark.parametrize("case", sorted(BAD_DECLARATIONS))
def test_a_bad_declaration_is_a_named_problem_that_drops_only_that_stage(install_plugin, case):
    declaration, expected = BAD_DECLARATIONS[case]
    good = {**FOU, "name": "ipip-fou-ok"}
    install_plugin("hostile", {"plugin.py": _plugin([declaration, good])})
    plugin_set = load_plugins()
    messages = [
        str(p)
        for p in plugin_set.problems
        if p.plugin == "hostile" and p.step == "cnadvisor_stages"
    ]
    assert len(messages) == 1 and expected in messages[0], messages
    assert list(plugin_set.stages) == ["ipip-fou-ok"]  # the rest of the batch stays
    assert STAGES["vxlan"].header_bytes == 50 and stage("vxlan") is STAGES["vxlan"]


def test_a_stage_another_plugin_registered_first_is_not_taken_over(fou_plugin, install_plugin):
    rival = {**FOU, "header_bytes": 0, "description": "Someone else's idea of the same name."}
    install_plugin("zz-rival", {"plugin.py": _plugin([rival])})
    plugin_set = load_plugins()
    (problem,) = plugin_set.problems
    assert problem.plugin == "zz-rival"
    assert "'ipip-fou' is already registered by plugin 'fou'" in problem.message
    assert stage("ipip-fou").header_bytes == 28


def test_a_stages_hook_that_raises_drops_that_plugin_only(fou_plugin, install_plugin):
    code = "from cnadvisor import hookimpl\n@hookimpl\ndef cnadvisor_stages():\n    1 / 0\n"
    install_plugin("zz-broken", {"plugin.py": code})
    plugin_set = load_plugins()
    assert [(p.plugin, p.step) for p in plugin_set.problems] == [("zz-broken", "cnadvisor_stages")]
    assert "ZeroDivisionError" in plugin_set.problems[0].message
    assert set(plugin_set.stages) == {"ipip-fou"} and "fou-cni" in plugin_set.solutions


def test_registered_priors_have_the_shape_of_stage_priors_csv(fou_plugin):
    load_plugins()
    (row,) = registered_stage_priors()
    assert set(row) == {*PRIOR_COLUMNS, "plugin"}
    assert all(isinstance(value, str) for value in row.values())
    assert (row["stage"], row["parameter"], float(row["value"])) == (
        "ipip-fou",
        "ns_per_packet",
        400,
    )
    assert row["unit"] == PARAMETERS["ns_per_packet"][0]
    assert (row["source_id"], row["locator"], row["plugin"]) == (
        "https://example.org/test-only", "Table 1", "fou",
    )  # fmt: skip


def test_registered_stages_belong_to_the_plugin_set_last_loaded(fou_plugin):
    load_plugins()
    assert stages.is_known("ipip-fou")
    load_plugins(builtins_only=True)
    assert not stages.is_known("ipip-fou") and registered_stage_priors() == []
    with pytest.raises(KeyError, match="unknown datapath stage 'ipip-fou'"):
        stage("ipip-fou")


def test_plugins_check_reports_a_bad_stage_by_plugin(install_plugin):
    site = install_plugin("hostile", {"plugin.py": _plugin([{**FOU, "kind": "teleport"}])})
    result = subprocess.run(
        [sys.executable, "-m", "cnadvisor.cli", "plugins", "check", "hostile"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(site)},
        timeout=300,
    )
    assert result.returncode == 1
    assert "problem: cnadvisor_stages: stage 'ipip-fou': 'kind' 'teleport'" in result.stdout


def test_a_stage_module_needs_no_other_hook(install_plugin):
    code = textwrap.dedent(_plugin([FOU]))
    install_plugin("only-stage", {"plugin.py": code})
    plugin_set = load_plugins()
    assert plugin_set.problems == [] and plugin_set.stages["ipip-fou"].plugin == "only-stage"


def test_builtin_checks_read_a_plugin_stage_by_its_kind(fou_plugin):
    """The cloud check treats an encap stage a plugin registered like a built-in tunnel."""
    from cnadvisor.advisor import Advisor

    plugin_set = load_plugins()
    advisor = Advisor(plugin_set.solutions.values(), plugins=plugin_set, model=AnalyticalModel())
    evaluation = advisor.evaluate(
        make_requirements(
            workload={"traffic": {"inter_host": 1.0}},
            environment={"platform": "aks", "orchestrator": "kubernetes"},
        )
    )
    assert plugin_set.problems == []
    option = next(o for o in [*evaluation.ranked, *evaluation.excluded] if o.id == "fou-cni")
    messages = [f.message for f in getattr(option, "findings", None) or option.reasons]
    assert any("cannot reach pod addresses" in m for m in messages), messages


def test_plugins_check_lists_a_plugins_stages_and_flags_placeholder_sources(fou_plugin):
    from cnadvisor.plugincheck import check, render

    (report,) = [r for r in check(load_plugins()) if r.name == "fou"]
    assert report.stages == ["ipip-fou"] and report.problems == []
    assert "stage 'ipip-fou': a reference or prior source is a placeholder" in report.warnings
    text, code = render([report], strict=False)
    assert "solutions: fou-cni; stages: ipip-fou" in text and code == 0


def test_reserved_names_cover_every_model_term_that_is_not_a_stage():
    from cnadvisor.model.structure import EXTRA_TERMS, KIND_TERMS, TERMS

    assert set(EXTRA_TERMS) <= stages.RESERVED_NAMES
    assert set(TERMS) <= set(STAGES) | stages.RESERVED_NAMES | set(KIND_TERMS)
    # the kinds' stand-ins for registered stages can never be a stage's own name
    assert not any(stages.STAGE_NAME.match(term) for term in KIND_TERMS)


def test_a_stage_with_a_documented_cost_is_priced_at_that_cost(fou_plugin, trained_advisor,
                                                                monkeypatch):  # fmt: skip
    """The trained model prices a plugin stage at its kind's fitted level, unless the
    plugin documents a cost: then at that cost, and the basis says so."""
    from cnadvisor.model import plugin_priors, trained
    from cnadvisor.model.structure import INDEX
    from cnadvisor.performance import WorkloadPoint

    plugin_set = load_plugins()
    model = getattr(trained_advisor.model, "model", trained_advisor.model)
    assert isinstance(model, trained.TrainedModel)
    profile = plugin_set.solutions["fou-cni"].profile
    point = WorkloadPoint(message_size=64, protocol="udp", nic_gbps=100.0)
    documented = plugin_priors.documented_costs()
    assert documented == {"ipip-fou": {"ns_per_packet": 400.0}}
    cells = plugin_priors.overrides_for(["veth", "ipip-fou"], model.costs, documented)
    assert cells[0] == (INDEX["kind:encap"], 0, 400.0)  # per packet: the stated figure
    assert all(value == model.costs.table[row, column] for row, column, value in cells[1:])
    priced = model._predict([profile], point)[0]
    assert any("ipip-fou: priced at the cost its plugin documents" in b for b in priced.basis)
    monkeypatch.setattr(trained, "documented_costs", lambda: {})
    level = model._predict([profile], point)[0]
    assert not any("documents" in line for line in level.basis)
    kind_level = model.costs.table[INDEX["kind:encap"], 0]
    assert kind_level != 400.0
    slower = priced.throughput_gbps.value < level.throughput_gbps.value
    assert slower == (kind_level < 400.0)


def test_the_largest_documented_costs_a_declaration_may_give_still_predict(
    install_plugin, trained_advisor
):
    """A prior at the bound the door allows (PRIOR_PARAMETERS) makes a slow option, not a
    broken one: finite, positive figures, and the option is still ranked."""
    from cnadvisor.advisor import Advisor

    ceiling = {
        name: {**TEST_PRIOR, "value": bound}
        for name, (_, _, bound) in stages.PRIOR_PARAMETERS.items()
    }
    install_plugin(
        "slow", {"plugin.py": _plugin([{**FOU, "priors": ceiling}],
                                      [_profile("slow-cni", ["veth", "ipip-fou"])])}
    )  # fmt: skip
    plugin_set = load_plugins()
    assert plugin_set.problems == []
    advisor = Advisor(
        plugin_set.solutions.values(),
        plugins=plugin_set,
        model=getattr(trained_advisor.model, "model", trained_advisor.model),
    )
    evaluation = advisor.evaluate(
        make_requirements(
            environment={"orchestrator": "kubernetes"}, workload={"traffic": {"inter_host": 1.0}}
        )
    )
    option = next(o for o in evaluation.ranked if o.id == "slow-cni")
    (prediction,) = [p for p in option.predictions if p.scenario == "inter-host"]
    for estimate in (prediction.throughput_gbps, prediction.latency_us):
        assert math.isfinite(estimate.value) and estimate.value > 0
    assert prediction.throughput_gbps.value < 0.01  # ten milliseconds a packet


def test_a_prediction_is_the_same_alone_or_among_options_priced_otherwise(
    fou_plugin, trained_advisor
):
    """The host baseline rides along with the options priced at the fitted costs, and is
    worked out on its own when every option has a documented cost: either way each
    option's prediction (its ratio to that baseline included) is the same, bit for bit."""
    from cnadvisor.model import trained
    from cnadvisor.performance import WorkloadPoint

    plugin_set = load_plugins()
    model = getattr(trained_advisor.model, "model", trained_advisor.model)
    assert isinstance(model, trained.TrainedModel)
    fou = plugin_set.solutions["fou-cni"].profile
    others = [plugin_set.solutions[i].profile for i in ("bridge", "overlay-vxlan", "host")]
    for point in (WorkloadPoint(message_size=64, protocol="udp", nic_gbps=100.0),
                  WorkloadPoint(message_size=131072, scenario="intra-host")):  # fmt: skip
        alone = [model._predict([profile], point)[0] for profile in [fou, *others]]
        together = model._predict([fou, *others], point)
        assert together == alone
        assert together[0].throughput_ratio.value != together[1].throughput_ratio.value
