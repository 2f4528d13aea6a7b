"""Exact packet arithmetic against hand-computed figures."""

import pytest
from cnadvisor.physics import effective_mtu, encapsulation_bytes, wire_cost
from cnadvisor.stages import STAGES, nearest_stage, stage


def test_header_bytes_of_common_tunnels():
    assert encapsulation_bytes(["veth", "vxlan"]) == 50
    assert encapsulation_bytes(["ipip"]) == 20
    assert encapsulation_bytes(["geneve"], extra_header_bytes=8) == 58


def test_wireguard_over_vxlan_stacks_both_overheads():
    assert effective_mtu(1500, ["vxlan", "wireguard"]) == 1500 - 50 - 60


def test_minimum_ethernet_frame_for_a_tiny_udp_datagram():
    # 18 bytes of payload + UDP 8 + IPv4 20 = 46: exactly the minimum frame payload,
    # + 18 MAC header and FCS + 20 preamble and gap = 84 bytes on the wire.
    assert wire_cost(18, protocol="udp", mtu=1500).wire_bytes == 84
    assert wire_cost(1, protocol="udp", mtu=1500).wire_bytes == 84


def test_tcp_segments_at_the_mss():
    cost = wire_cost(2920, protocol="tcp", mtu=1500)  # two full 1460-byte segments
    assert cost.packets == 2
    assert cost.wire_bytes == 2 * (1500 + 38)


def test_smaller_mtu_can_add_a_packet_per_message():
    assert wire_cost(1400, protocol="tcp", mtu=1500).packets == 1
    assert wire_cost(1400, protocol="tcp", mtu=1393).packets == 2


def test_encapsulation_costs_more_at_small_messages():
    small = (
        wire_cost(64, protocol="tcp", mtu=1500).wire_bytes
        / wire_cost(64, protocol="tcp", mtu=1450, encap_bytes=50).wire_bytes
    )
    large = (
        wire_cost(1400, protocol="tcp", mtu=1500).wire_bytes
        / wire_cost(1400, protocol="tcp", mtu=1450, encap_bytes=50).wire_bytes
    )
    assert small < large < 1


def test_unknown_stage_suggests_the_nearest():
    assert nearest_stage("vxlna") == "vxlan"
    with pytest.raises(KeyError, match="did you mean 'wireguard'"):
        stage("wiregaurd")


def test_every_stage_cites_a_source():
    assert all(s.reference and s.description for s in STAGES.values())
