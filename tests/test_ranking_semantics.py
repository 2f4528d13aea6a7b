"""Scoring that matches practice (issue 14): each rule reads profile facts and requirement
keys only, and each test below fails if the rule is dropped or inverted."""

from __future__ import annotations

import pytest
from cnadvisor.requirements import Requirements

from .conftest import make_requirements

DOCKER_HOST = {"orchestrator": "docker", "containers_per_host": 12}


def _ranked(advisor, requirements):
    evaluation = advisor.evaluate(requirements)
    return {option.id: option for option in evaluation.ranked}, {
        option.id: option for option in evaluation.excluded
    }


def _factor(option, criterion, name):
    return next((f for f in option.criteria[criterion].factors if f.name == name), None)


def test_port_conflicts_count_only_when_containers_need_the_same_port(advisor):
    inbound = {"external_access": True}
    plain = make_requirements(environment=DOCKER_HOST, mobility=inbound)
    ranked, _ = _ranked(advisor, plain)
    assert _factor(ranked["bridge-nat"], "operability", "port conflicts") is None
    assert _factor(ranked["host"], "operability", "port conflicts") is None
    same = make_requirements(
        environment=DOCKER_HOST, workload={"same_port": True}, mobility=inbound
    )
    ranked_same, _ = _ranked(advisor, same)
    assert _factor(ranked_same["bridge-nat"], "operability", "port conflicts").score == 0.0
    assert ranked_same["bridge-nat"].score < ranked["bridge-nat"].score


def test_published_ports_conflict_only_when_containers_are_reached_from_outside(advisor):
    """Containers that serve nothing publish no port, so NAT's port mapping costs nothing;
    host mode shares the host's port range whatever is published."""
    same = make_requirements(environment=DOCKER_HOST, workload={"same_port": True})
    ranked, _ = _ranked(advisor, same)
    assert _factor(ranked["bridge-nat"], "operability", "port conflicts") is None
    assert _factor(ranked["host"], "operability", "port conflicts").score == 0.0
    assert ranked["bridge-nat"].score > ranked["host"].score


def test_host_reachability_costs_macvlan_and_ipvlan_operability(advisor):
    ranked, _ = _ranked(advisor, make_requirements(environment=DOCKER_HOST))
    for option in ("macvlan-bridge", "ipvlan-l2"):
        assert _factor(ranked[option], "operability", "host reachability").score == 0.0
    assert _factor(ranked["host"], "operability", "host reachability") is None


def test_required_discovery_keeps_only_options_on_the_lan(advisor):
    need = make_requirements(environment=DOCKER_HOST, workload={"discovery": True})
    ranked, excluded = _ranked(advisor, need)
    assert "ipvlan-l3" in excluded  # L3 slaves get no multicast (kernel ipvlan doc)
    assert {"host", "macvlan-bridge"} <= set(ranked)
    # a LAN broadcast cannot cross Docker's bridge (Pi-hole's Docker DHCP page)
    assert excluded["bridge-nat"].reasons[0].requirement == "workload.discovery"
    unknown = ranked["weave-fastdp"]  # its LAN discovery is not documented: kept, with a finding
    assert any(f.requirement == "workload.discovery" for f in unknown.findings)


def test_preferred_discovery_puts_host_above_nat(advisor):
    need = make_requirements(
        environment=DOCKER_HOST, workload={"discovery": {"value": True, "need": "preferred"}}
    )
    ranked, _ = _ranked(advisor, need)
    assert _factor(ranked["host"], "operability", "LAN discovery").score == 1.0
    nat = _factor(ranked["bridge-nat"], "operability", "LAN discovery")
    assert nat.score == 0.0 and not nat.unknown  # documented now: broadcasts stay on the bridge
    assert ranked["host"].score > ranked["bridge-nat"].score


def test_packet_io_needs_a_pod_interface_not_the_cni_s_own_xdp(advisor, plugin_set):
    need = make_requirements(workload={"packet_io": True, "traffic": {"inter_host": 1.0}})
    ranked, excluded = _ranked(advisor, need)
    for option in ("cilium-native", "calico-bgp"):
        assert plugin_set.solutions[option].profile.operations.xdp_acceleration
        assert "pod" in excluded[option].reasons[0].message
    assert any(plugin_set.solutions[o].profile.pod_packet_io for o in ranked), (
        "some option must give the pod a DPDK/AF_XDP interface"
    )


def test_archived_projects_lose_most_operability_and_say_when(advisor):
    ranked, _ = _ranked(advisor, make_requirements(workload={"traffic": {"inter_host": 1.0}}))
    weave = ranked["weave-fastdp"]
    factor = _factor(weave, "operability", "maintained")
    assert factor.score == 0.0 and "2024" in factor.detail
    others = [f.weight for f in weave.criteria["operability"].factors if f is not factor]
    assert factor.weight > sum(others) / max(len(others), 1)
    assert any("archived upstream in 2024" in f.message for f in weave.findings)


def test_old_containers_move_key_still_works_with_a_warning():
    with pytest.warns(FutureWarning, match="ip_kept_on_move"):
        old = Requirements.model_validate({"mobility": {"containers_move": True}})
    assert old.mobility.ip_kept_on_move.value is True
    with pytest.raises(ValueError, match="only"):
        Requirements.model_validate(
            {"mobility": {"containers_move": True, "ip_kept_on_move": True}}
        )


def test_k8s_is_kubernetes_and_managed_platforms_know_their_cloud():
    env = Requirements.model_validate(
        {"environment": {"orchestrator": "k8s", "platform": "aks"}}
    ).environment
    assert env.orchestrator.value == "kubernetes"
    assert env.cloud == "azure" and env.managed
    assert not make_requirements(environment={"platform": "azure"}).environment.managed


EKS = {
    "workload": {"traffic": {"inter_host": 1.0}},
    "environment": {"platform": "eks", "virtualization": "vm"},
}


def test_managed_platform_credits_its_own_cni_and_flags_the_others(advisor):
    ranked, excluded = _ranked(advisor, make_requirements(**EKS))
    own = _factor(ranked["aws-vpc-cni"], "operability", "platform vendor support")
    other = _factor(ranked["calico-vxlan"], "operability", "platform vendor support")
    assert own.score == 1.0 and other.score == 0.0
    messages = [f.message for f in ranked["calico-vxlan"].findings]
    assert any("control plane cannot reach pod addresses" in m for m in messages)
    assert any("supports only the Amazon VPC CNI" in m for m in messages)
    assert not [f for f in ranked["aws-vpc-cni"].findings if "control plane" in f.message]
    assert {"azure-cni-cilium", "gke-dataplane-v2"} <= set(excluded)  # other clouds' CNIs


def test_a_cloud_s_own_cni_is_excluded_on_premises(advisor):
    _, excluded = _ranked(advisor, make_requirements(workload={"traffic": {"inter_host": 1.0}}))
    reason = excluded["aws-vpc-cni"].reasons[0]
    assert reason.requirement == "environment.platform" and "aws" in reason.message


def test_eks_is_aws_for_the_cloud_rules(advisor):
    _, excluded = _ranked(advisor, make_requirements(**EKS))
    assert "macvlan-bridge" in excluded  # AWS filters unknown MACs, on EKS too


def test_a_named_policy_level_is_met_or_not(advisor):
    """Asking for L3-L4 policy: L7 earns nothing more than L3-L4, none falls short."""
    need = make_requirements(
        workload={"traffic": {"inter_host": 1.0}}, security={"network_policy": "l3-l4"}
    )
    ranked, _ = _ranked(advisor, need)
    l7 = _factor(ranked["cilium-vxlan"], "security", "network policy")
    l3_l4 = _factor(ranked["calico-vxlan"], "security", "network policy")
    assert l7.score == l3_l4.score == 1.0 and "meets" in l3_l4.detail
    unasked, _ = _ranked(advisor, make_requirements(workload={"traffic": {"inter_host": 1.0}}))
    assert (
        _factor(unasked["cilium-vxlan"], "security", "network policy").score
        > _factor(unasked["calico-vxlan"], "security", "network policy").score
    )  # without a named level, more policy is still better


def test_a_named_isolation_level_is_met_or_not(advisor):
    need = make_requirements(
        environment=DOCKER_HOST, security={"isolation": {"value": "namespace", "need": "preferred"}}
    )
    ranked, _ = _ranked(advisor, need)
    assert _factor(ranked["bridge-nat"], "security", "isolation").score == 1.0
    assert _factor(ranked["host"], "security", "isolation").score < 1.0


AKS = {
    "workload": {"traffic": {"inter_host": 1.0}},
    "environment": {"platform": "aks", "virtualization": "vm"},
}


def test_the_platform_s_default_leads_its_other_modes(advisor, plugin_set):
    ranked, _ = _ranked(advisor, make_requirements(**AKS))
    default = _factor(ranked["azure-cni-cilium"], "operability", "platform default")
    other = _factor(ranked["azure-cni-overlay"], "operability", "platform default")
    assert default.score == 1.0 and other.score == 0.0
    assert ranked["azure-cni-cilium"].score > ranked["azure-cni-overlay"].score
    assert _factor(ranked["antrea-encap"], "operability", "platform default") is None
    assert plugin_set.solutions["aws-vpc-cni"].profile.operations.default_on == ["eks"]


def test_preview_features_cost_operability_and_say_so(advisor, plugin_set):
    ranked, _ = _ranked(advisor, make_requirements(workload={"traffic": {"inter_host": 1.0}}))
    netkit = ranked["cilium-netkit"]
    assert plugin_set.solutions["cilium-netkit"].profile.operations.preview == "beta"
    assert _factor(netkit, "operability", "maturity").score == 0.0
    assert _factor(ranked["cilium-native"], "operability", "maturity") is None
    assert any("calls it beta" in f.message for f in netkit.findings)


def test_docker_s_overlay_needs_swarm_mode(advisor):
    _, excluded = _ranked(advisor, make_requirements(environment=DOCKER_HOST))
    assert excluded["swarm-overlay"].reasons[0].requirement == "environment.orchestrator"
    ranked, _ = _ranked(advisor, make_requirements(environment={"orchestrator": "swarm"}))
    assert "swarm-overlay" in ranked


def test_a_pair_needs_promiscuous_mode_when_either_network_does(plugin_set):
    from cnadvisor.combinations import combine

    solutions = plugin_set.solutions
    primary = solutions["antrea-encap"].profile
    assert combine(primary, solutions["sriov"].profile).promiscuous_needed is False
    assert combine(primary, solutions["ovs-dpdk"].profile).promiscuous_needed is False
    macvlan = solutions["macvlan-bridge"].profile
    assert macvlan.promiscuous_needed is True
    assert combine(primary, macvlan).promiscuous_needed is True
    # the primary's MACs are on the wire too: a pair shows one per pod if either network does
    assert solutions["ovs-dpdk"].profile.operations.mac_per_container is False
    assert combine(macvlan, solutions["ovs-dpdk"].profile).operations.mac_per_container is True


def test_a_mode_upstream_calls_legacy_yields_to_current_ones(advisor):
    windows_aks = make_requirements(
        workload={"traffic": {"inter_host": 1.0}},
        environment={"platform": "aks", "virtualization": "vm", "windows_nodes": True},
    )
    ranked, excluded = _ranked(advisor, windows_aks)
    assert "azure-cni-cilium" in excluded  # Linux only: the default cannot serve Windows
    legacy = ranked["azure-cni-node-subnet"]
    assert _factor(legacy, "operability", "superseded").score == 0.0
    assert _factor(ranked["azure-cni-overlay"], "operability", "superseded") is None
    assert ranked["azure-cni-overlay"].score > legacy.score


def test_a_routing_mesh_publishes_one_port_per_service_without_conflicts(advisor):
    swarm = make_requirements(
        environment={"orchestrator": "swarm", "containers_per_host": 10},
        workload={"same_port": True, "traffic": {"inter_host": 0.7, "intra_host": 0.3}},
        mobility={"external_access": True},
    )
    ranked, _ = _ranked(advisor, swarm)
    assert _factor(ranked["swarm-overlay"], "operability", "port conflicts") is None
    assert _factor(ranked["host"], "operability", "port conflicts").score == 0.0
    assert ranked["swarm-overlay"].score > ranked["host"].score


class _CountingModel:
    """The analytical model, counting which options it is asked to predict."""

    def __init__(self) -> None:
        from cnadvisor.performance import AnalyticalModel

        self.inner = AnalyticalModel()
        self.name, self.description = self.inner.name, self.inner.description
        self.asked: set[str] = set()

    def predict(self, solution, point):
        self.asked.add(solution.id)
        return self.inner.predict(solution, point)


def test_options_excluded_without_a_prediction_are_never_predicted(plugin_set):
    """The ranking's hot path predicts only options the prediction-free rules leave in;
    what it ranks and excludes is the same as checking every rule on every option."""
    from cnadvisor import constraints
    from cnadvisor.advisor import Advisor

    model = _CountingModel()
    counted = Advisor(plugin_set.solutions.values(), plugins=plugin_set, model=model)
    requirements = make_requirements(
        environment={"orchestrator": "docker"},
        workload={"traffic": {"intra_host": 0.2, "inter_host": 0.8}},
    )
    evaluation = counted.evaluate(requirements)
    orchestrator_only = {
        option.id
        for option in evaluation.excluded
        if {r.requirement for r in option.reasons} == {"environment.orchestrator"}
    }
    assert orchestrator_only, "a Kubernetes-only option should be excluded under docker"
    assert not orchestrator_only & model.asked
    assert {option.id for option in evaluation.ranked} <= model.asked
    for option in evaluation.ranked:  # findings in rule order, as one full check gives them
        profile = counted.solution(option.id).profile
        inter = next((p for p in option.predictions if p.scenario == "inter-host"), None)
        own = [f for f in option.findings if f.source == "core"]
        assert own == constraints.check(profile, requirements, inter)
