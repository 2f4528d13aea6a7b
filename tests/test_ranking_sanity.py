"""Ranking sanity drawn from the survey (Sec. II and VI)."""

from __future__ import annotations

from cnadvisor.profile import Family
from cnadvisor.stages import STAGES

from .conftest import make_requirements

INTER_HOST = {"traffic": {"inter_host": 1.0}}


def _excluded_by(evaluation, key: str) -> set[str]:
    return {o.id for o in evaluation.excluded if any(r.requirement == key for r in o.reasons)}


def test_host_mode_has_least_overhead_and_weakest_isolation(advisor):
    evaluation = advisor.evaluate(
        make_requirements(
            workload={"traffic": {"intra_host": 0.5, "inter_host": 0.5}, "message_size": 256},
            environment={"orchestrator": "docker", "underlay": {"l2_adjacent": True}},
        )
    )
    by_id = {o.id: o for o in evaluation.ranked}
    host = by_id["host"]
    performance = {i: o.criteria["performance"].score for i, o in by_id.items()}
    assert performance["host"] == max(performance.values())
    assert sum(v == performance["host"] for v in performance.values()) == 1
    ratio = next(p for p in host.predictions if p.scenario == "inter-host").throughput_ratio
    assert ratio.value == 1.0
    isolation = {
        i: next(f.score for f in o.criteria["security"].factors if f.name == "isolation")
        for i, o in by_id.items()
    }
    assert isolation["host"] == min(isolation.values())
    assert sorted(isolation.values()).count(isolation["host"]) == 1


def test_none_mode_leads_for_an_offline_batch_job(advisor):
    evaluation = advisor.evaluate(
        make_requirements(
            name="nightly backup",
            workload={"traffic": {"intra_host": 0, "inter_host": 0}},
            environment={"orchestrator": "docker"},
        )
    )
    assert evaluation.ranked[0].id == "none"


def test_none_mode_is_excluded_once_traffic_exists(advisor):
    evaluation = advisor.evaluate(make_requirements(workload={"traffic": {"intra_host": 1}}))
    assert "none" in _excluded_by(evaluation, "workload.traffic")


def test_macvlan_is_excluded_without_promiscuous_mode_and_ipvlan_stays(advisor):
    evaluation = advisor.evaluate(
        make_requirements(
            workload=INTER_HOST,
            environment={
                "orchestrator": "docker",
                "underlay": {"promiscuous_allowed": False, "l2_adjacent": True},
            },
        )
    )
    excluded = _excluded_by(evaluation, "environment.underlay.promiscuous_allowed")
    macvlans = {o for o in advisor_ids(advisor) if o.startswith("macvlan-")}
    assert macvlans and macvlans <= excluded
    ranked = {o.id for o in evaluation.ranked}
    assert {"ipvlan-l2", "ipvlan-l3"} <= ranked


def test_mac_limit_per_port_excludes_macvlan_but_not_ipvlan(advisor):
    evaluation = advisor.evaluate(
        make_requirements(
            workload=INTER_HOST,
            environment={
                "orchestrator": "docker",
                "containers_per_host": 20,
                "underlay": {"mac_limit_per_port": 4, "l2_adjacent": True},
            },
        )
    )
    excluded = _excluded_by(evaluation, "environment.underlay.mac_limit_per_port")
    assert "macvlan-bridge" in excluded
    assert "ipvlan-l2" in {o.id for o in evaluation.ranked}


def test_inter_host_traffic_excludes_intra_host_only_modes(advisor):
    evaluation = advisor.evaluate(
        make_requirements(workload=INTER_HOST, environment={"orchestrator": "docker"})
    )
    excluded = _excluded_by(evaluation, "workload.traffic.inter_host")
    assert {"bridge", "container", "none"} <= excluded
    assert all(not advisor.solution(i).profile.inter_host for i in excluded)


def test_without_l2_adjacency_or_bgp_an_encapsulating_option_leads(advisor):
    evaluation = advisor.evaluate(
        make_requirements(
            workload=INTER_HOST,
            environment={
                "orchestrator": "kubernetes",
                "underlay": {"l2_adjacent": False, "bgp_peering": False},
            },
            mobility={"ip_kept_on_move": {"value": True, "need": "preferred"}},
        )
    )
    leader = advisor.solution(evaluation.ranked[0].id).profile
    assert any(STAGES[s].encapsulates for s in leader.datapath.inter_host), leader.id
    assert "calico-bgp" in _excluded_by(evaluation, "environment.underlay")
    assert "flannel-host-gw" in _excluded_by(evaluation, "environment.underlay.l2_adjacent")


def test_network_policy_requirement_excludes_flannel_alone_among_cnis(advisor):
    evaluation = advisor.evaluate(
        make_requirements(
            workload=INTER_HOST,
            environment={"orchestrator": "kubernetes"},
            security={"network_policy": "l3-l4"},
        )
    )
    cnis = {
        i
        for i in _excluded_by(evaluation, "security.network_policy")
        if advisor.solution(i).profile.family is Family.KUBERNETES_CNI
    }
    assert cnis and all(i.startswith("flannel-") for i in cnis)
    assert {"flannel-vxlan", "flannel-host-gw", "flannel-wireguard"} <= cnis


def test_required_encryption_keeps_only_encrypting_options(advisor):
    evaluation = advisor.evaluate(
        make_requirements(workload=INTER_HOST, security={"encryption": True})
    )
    for option in evaluation.ranked:
        stages = advisor.solution(option.id).profile.datapath.inter_host
        assert any(STAGES[s].encrypts for s in stages), option.id
    assert "calico-wireguard" in {o.id for o in evaluation.ranked}


def test_ipv6_excludes_options_whose_container_mtu_falls_below_1280(advisor):
    evaluation = advisor.evaluate(
        make_requirements(
            workload=INTER_HOST,
            environment={"ip_family": "ipv6", "underlay": {"mtu": 1320}},
        )
    )
    for option in evaluation.excluded:
        for reason in option.reasons:
            if reason.requirement == "environment.underlay.mtu":
                assert "below IPv6's minimum" in reason.message
    assert _excluded_by(evaluation, "environment.underlay.mtu")


def test_every_exclusion_names_a_requirement_key_and_ranking_explains(advisor):
    evaluation = advisor.evaluate(make_requirements(workload=INTER_HOST))
    assert evaluation.excluded and evaluation.ranked
    for option in evaluation.excluded:
        assert all(r.requirement and r.message for r in option.reasons)
    top = evaluation.ranked[0]
    assert 0 <= top.score <= 100
    assert set(top.criteria) == {"performance", "security", "mobility", "operability"}
    assert 0 <= evaluation.robustness.top_stays_first <= 1
    assert abs(sum(o.first_share for o in evaluation.ranked) - 1) < 1e-9


def test_weights_move_the_ranking(advisor):
    def top(**weights):
        requirements = make_requirements(
            workload=INTER_HOST,
            environment={"orchestrator": "docker", "underlay": {"l2_adjacent": True}},
            priorities=weights,
        )
        return advisor.evaluate(requirements).ranked[0].id

    assert top(performance=10, security=0.1, mobility=0.1, operability=0.1) == "host"
    assert top(performance=0.1, security=10, mobility=0.1, operability=0.1) != "host"


def advisor_ids(advisor) -> set[str]:
    return {item.profile.id for item in advisor.solutions}
