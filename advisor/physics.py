"""Exact packet arithmetic: header bytes, MTUs, packets and wire bytes per message.

Nothing here is measured or fitted. It is what the protocol specifications say
a message of a given size costs on an Ethernet wire, with and without a
datapath's tunnel and encryption headers, so the cost of encapsulation can be
computed for any message size and MTU.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from .stages import stage

# IEEE 802.3: preamble + SFD 8, inter-frame gap 12, MAC header 14, FCS 4.
ETHERNET_FRAMING_BYTES = 8 + 12 + 14 + 4
ETHERNET_MIN_PAYLOAD = 46
IP_HEADER = {"ipv4": 20, "ipv6": 40}  # RFC 791, RFC 8200 (no options / extension headers)
L4_HEADER = {"tcp": 20, "udp": 8}  # RFC 9293 (no options), RFC 768
IPV6_MIN_MTU = 1280  # RFC 8200 Sec. 5


def encapsulation_bytes(stages: Iterable[str], extra_header_bytes: int = 0) -> int:
    """Bytes a datapath adds in front of each inner IP packet (tunnels + encryption)."""
    return sum(stage(name).header_bytes for name in stages) + extra_header_bytes


def effective_mtu(underlay_mtu: int, stages: Iterable[str], extra_header_bytes: int = 0) -> int:
    """The MTU a container must use so its packets fit the underlay after encapsulation."""
    return underlay_mtu - encapsulation_bytes(stages, extra_header_bytes)


@dataclass(frozen=True, slots=True)
class WireCost:
    """What one application message costs on the wire."""

    packets: int
    wire_bytes: int  # including Ethernet framing, preamble and gap

    def goodput_share(self, message_size: int) -> float:
        return message_size / self.wire_bytes


def wire_cost(
    message_size: int,
    *,
    protocol: str,
    mtu: int,
    encap_bytes: int = 0,
    ip_family: str = "ipv4",
) -> WireCost:
    """Packets and wire bytes to carry one message of ``message_size`` application bytes.

    TCP segments the message at the MSS (mtu - IP - TCP); a UDP datagram larger
    than the MTU is split into IP fragments carrying multiples of 8 bytes.
    ``mtu`` is the container's MTU; ``encap_bytes`` is added to every packet.
    """
    ip = IP_HEADER[ip_family]
    l4 = L4_HEADER[protocol]
    if mtu - ip - l4 < 8:
        raise ValueError(f"MTU {mtu} leaves no room for payload")
    if protocol == "tcp":
        per_packet, headers = mtu - ip - l4, ip + l4  # MSS; every segment has both headers
        carried = message_size
    else:
        per_packet, headers = (mtu - ip) // 8 * 8, ip  # fragments; UDP header in the first
        carried = message_size + l4
    packets = max(1, math.ceil(carried / per_packet))
    last = carried - (packets - 1) * per_packet
    full_frame = per_packet + headers + encap_bytes
    # Short frames are padded to the Ethernet minimum payload.
    last_frame = max(ETHERNET_MIN_PAYLOAD, last + headers + encap_bytes)
    wire = (packets - 1) * full_frame + last_frame + packets * ETHERNET_FRAMING_BYTES
    return WireCost(packets, wire)


def line_rate_packets_per_second(link_gbps: float, cost: WireCost) -> float:
    """Packets per second a link of ``link_gbps`` carries at this per-message cost."""
    messages_per_second = link_gbps * 1e9 / 8 / cost.wire_bytes
    return messages_per_second * cost.packets
