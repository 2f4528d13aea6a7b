"""Primary + secondary networks (issue 14): pairs are ranked like any option when the data
plane has its own interface, and never otherwise."""

from __future__ import annotations

import pytest
from cnadvisor.combinations import SEPARATOR, combine

from .conftest import make_requirements

UPF = {
    "workload": {
        "traffic": {"inter_host": 1.0},
        "protocol": "udp",
        "message_size": 512,
        "packet_io": True,
        "separate_data_plane": True,
    },
    "environment": {"nic_gbps": 100, "underlay": {"l2_adjacent": True}},
    "security": {"network_policy": {"value": "l3-l4", "need": "preferred"}},
}


def test_no_pairs_unless_the_data_plane_is_separate(advisor):
    data = {**UPF, "workload": {**UPF["workload"], "separate_data_plane": False}}
    evaluation = advisor.evaluate(make_requirements(**data))
    assert not [o for o in evaluation.ranked if SEPARATOR in o.id]
    sriov = next(o for o in evaluation.excluded if o.id == "sriov")
    assert sriov.reasons[0].requirement == "workload.separate_data_plane"


def test_a_separate_data_plane_is_led_by_a_primary_cni_with_a_packet_io_secondary(
    advisor, plugin_set
):
    evaluation = advisor.evaluate(make_requirements(**UPF))
    leader = evaluation.ranked[0]
    primary_id, secondary_id = leader.id.split(SEPARATOR)
    primary = plugin_set.solutions[primary_id].profile
    secondary = plugin_set.solutions[secondary_id].profile
    assert secondary.pod_packet_io and "secondary" in secondary.operations.roles
    assert primary.security.isolation.value == "namespace"
    profile = advisor.solution(leader.id).profile
    assert profile.datapath.inter_host == secondary.datapath.inter_host
    assert profile.security.network_policy == primary.security.network_policy
    assert "Multus" in profile.notes[0]


def test_a_pair_takes_the_stricter_wire_demand_and_the_shared_families(plugin_set):
    primary = plugin_set.solutions["calico-vxlan"].profile
    secondary = plugin_set.solutions["sriov"].profile
    pair = combine(primary, secondary)
    assert pair.operations.underlay.value == "l2"  # the VF needs the L2 segment
    assert pair.operations.mac_per_container is True
    assert pair.operations.ip_families == []  # the VF's families are not documented
    assert {ref.id for ref in pair.references} >= {"multus", "sriov-cni", "calico-overlay"}


@pytest.mark.parametrize("orchestrator", ["docker", "standalone"])
def test_a_separate_data_plane_outside_kubernetes_ranks_without_pairs(advisor, orchestrator):
    """Pairs run under what both networks support: outside Kubernetes there is no secondary
    network to attach, so no pair is offered (this raised a validation error, stopping the
    whole batch, before pairs without a common orchestrator were skipped)."""
    requirements = make_requirements(
        workload={"separate_data_plane": True}, environment={"orchestrator": orchestrator}
    )
    evaluation = advisor.evaluate(requirements)
    assert evaluation.ranked
    assert not [o.id for o in evaluation.ranked if "+" in o.plugin]
