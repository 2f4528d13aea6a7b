"""Contract tests run over every registered solution, built-in or not."""

from __future__ import annotations

import pytest
from cnadvisor.physics import effective_mtu
from cnadvisor.plugins import load_plugins
from cnadvisor.profile import Family
from cnadvisor.stages import STAGES

# Every installed plugin's solutions, built-in or third-party: all must honour the contract.
SOLUTIONS = sorted(load_plugins().solutions.values(), key=lambda item: item.profile.id)


def test_builtins_load_without_problems(plugin_set):
    assert plugin_set.problems == []


def test_enough_variants_from_enough_plugins(plugin_set):
    plugins = {item.plugin for item in plugin_set.solutions.values()}
    assert len(plugin_set.solutions) >= 40
    assert len(plugins) >= 19  # plus the cloud-platforms check plugin makes 20


@pytest.mark.parametrize("item", SOLUTIONS, ids=lambda item: item.profile.id)
def test_profile_contract(item):
    profile = item.profile
    cited = set()
    for section in ("datapath", "security", "mobility", "operations"):
        cite = getattr(profile, section).cite
        assert cite, f"{section} cites nothing"
        cited.update(cite)
    assert cited <= {ref.id for ref in profile.references}
    assert all(ref.url.startswith(("http://", "https://")) for ref in profile.references)
    for name in profile.datapath.intra_host + (profile.datapath.inter_host or []):
        assert name in STAGES
    if profile.inter_host:
        assert effective_mtu(1500, profile.datapath.inter_host) >= 1280
    if profile.family is Family.KUBERNETES_CNI:
        assert profile.inter_host, "a CNI must connect pods across nodes"
        assert "kubernetes" in [o.value for o in profile.operations.orchestrators]


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
