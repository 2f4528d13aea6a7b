"""Contract tests run over every registered solution, built-in or not.

Plugins are loaded inside the tests (the session's ``plugin_set``, and the Spiderpool
example installed as a real distribution), never at collection time. Each assert checks
something profile validation does not already reject.
"""

from __future__ import annotations

import math
from pathlib import Path

from cnadvisor.advisor import Advisor
from cnadvisor.performance import AnalyticalModel
from cnadvisor.physics import effective_mtu
from cnadvisor.plugins import PluginSet, load_plugins
from cnadvisor.profile import Family, SolutionProfile

from .conftest import make_requirements

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "cnadvisor-spiderpool" / "src"
PLACEHOLDER_HOSTS = ("example.org", "example.com", "example.net")


def _broken_contract(profile: SolutionProfile, evaluated: dict[str, str]) -> list[str]:
    """What one profile gets wrong; ``evaluated`` says how the ranking treated each id."""
    wrong = []
    if SolutionProfile.model_validate(profile.model_dump(mode="json")) != profile:
        wrong.append("its dump does not validate back to the same profile")
    placeholders = [r.url for r in profile.references if any(h in r.url for h in PLACEHOLDER_HOSTS)]
    if placeholders:
        wrong.append(f"placeholder reference URLs {placeholders}")
    path = profile.datapath
    if profile.inter_host and effective_mtu(1500, path.inter_host, path.extra_header_bytes) < 1280:
        wrong.append("cross-host MTU on a 1500-byte underlay is below IPv6's minimum of 1280")
    if profile.family is Family.KUBERNETES_CNI:
        if not profile.inter_host:
            wrong.append("a CNI must connect pods across nodes")
        if "kubernetes" not in [o.value for o in profile.operations.orchestrators]:
            wrong.append("a CNI must run on Kubernetes")
    if evaluated.get(profile.id) not in ("ranked", "excluded with a reason"):
        wrong.append(f"the ranking treated it as: {evaluated.get(profile.id, 'absent')}")
    return wrong


def _contract_failures(plugin_set: PluginSet) -> dict[str, list[str]]:
    """Every registered profile's broken contract items, after ranking them all once for
    traffic between hosts."""
    advisor = Advisor(plugin_set.solutions.values(), plugins=plugin_set, model=AnalyticalModel())
    evaluation = advisor.evaluate(make_requirements(workload={"traffic": {"inter_host": 1.0}}))
    evaluated: dict[str, str] = {}
    for option in evaluation.ranked:
        gbps = [p.throughput_gbps.value for p in option.predictions]
        finite = math.isfinite(option.score) and gbps and all(g is not None and g > 0 for g in gbps)
        evaluated[option.id] = "ranked" if finite else f"ranked: score {option.score}, Gbps {gbps}"
    for option in evaluation.excluded:
        evaluated[option.id] = (
            "excluded with a reason" if option.reasons else "excluded without a reason"
        )
    failures = {
        solution_id: _broken_contract(item.profile, evaluated)
        for solution_id, item in sorted(plugin_set.solutions.items())
    }
    return {solution_id: wrong for solution_id, wrong in failures.items() if wrong}


def test_builtins_load_without_problems(plugin_set):
    assert plugin_set.problems == []


def test_enough_variants_from_enough_plugins(plugin_set):
    plugins = {item.plugin for item in plugin_set.solutions.values()}
    assert len(plugin_set.solutions) >= 40
    assert len(plugins) >= 19  # plus the cloud-platforms check plugin makes 20


def test_every_builtin_profile_honours_the_contract(plugin_set):
    assert _contract_failures(plugin_set) == {}


def test_an_installed_third_party_profile_honours_the_contract(install_plugin):
    package = EXAMPLE / "cnadvisor_spiderpool"
    files = {
        str(path.relative_to(package)): path.read_text(encoding="utf-8")
        for path in sorted(package.rglob("*"))
        if path.is_file() and path.suffix in (".py", ".yaml", ".csv")
    }
    install_plugin("spiderpool", files)
    plugin_set = load_plugins()
    assert plugin_set.solutions["spiderpool-macvlan"].plugin == "spiderpool"
    assert _contract_failures(plugin_set) == {}


def test_the_contract_catches_what_validation_lets_through(plugin_set):
    """The contract's own checks can fail: a CNI without Kubernetes, an MTU below 1280 and
    a placeholder URL all pass validation and are all caught."""
    base = plugin_set.solutions["calico-vxlan"].profile.model_dump(mode="json")
    bad = SolutionProfile.model_validate(
        {
            **base,
            "references": [
                {**base["references"][0], "url": "https://example.org/x"},
                *base["references"][1:],
            ],
            "datapath": {
                **base["datapath"],
                "inter_host": ["vxlan", "wireguard", "ipsec-esp-tunnel", "geneve"],
                "extra_header_bytes": 200,
            },
            "operations": {**base["operations"], "orchestrators": ["docker"]},
        }
    )
    wrong = _broken_contract(bad, {"calico-vxlan": "ranked"})
    assert len(wrong) == 3, wrong


def test_survey_options_are_all_covered(plugin_set):
    ids = set(plugin_set.solutions)
    survey = {
        "none",
        "host",
        "container",
        "bridge",
        "bridge-nat",
        "macvlan-private",
        "macvlan-vepa",
        "macvlan-bridge",
        "macvlan-passthru",
        "macvlan-source",
        "ipvlan-l2",
        "ipvlan-l3",
        "ipvlan-l3s",
        "overlay-vxlan",
        "overlay-geneve",
        "overlay-ipip",
        "overlay-gre",
        "overlay-mplsogre",
        "overlay-mplsoudp",
        "bgp-routing",
        "bgp-vrf",
    }
    assert survey <= ids
    products = {item.profile.variant_of for item in plugin_set.solutions.values()}
    for cni in ("Flannel", "Calico", "Cilium", "Weave Net", "Kube-router", "Antrea", "Kube-OVN"):
        assert any(cni.lower() in (p or "").lower() for p in products) or any(
            cni.lower().replace(" net", "").replace("-", "") in i.replace("-", "") for i in ids
        ), cni
