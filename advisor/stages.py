"""The shared vocabulary of datapath stages a packet can cross.

Profiles describe a network as an ordered list of these stages. Everything the
advisor derives from a datapath (encapsulation bytes, effective MTU, whether
traffic is encrypted on the wire, path length) comes from this table, so a new
CNI gets an estimate the moment it names its stages. Header sizes are exact and
cited: they are protocol facts, not measurements.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from enum import StrEnum


class StageKind(StrEnum):
    """What a stage does to a packet; scoring and the model group stages by it."""

    LOCAL = "local"  # stays in one network stack (loopback)
    SWITCH = "switch"  # L2 forwarding or a virtual link
    ROUTE = "route"  # an L3 forwarding decision in a kernel
    FILTER = "filter"  # packet filtering / policy
    NAT = "nat"  # address translation with connection tracking
    ENCAP = "encap"  # adds tunnel headers
    ENCRYPT = "encrypt"  # adds encryption headers and crypto work
    USERSPACE = "userspace"  # packet copied to a user-space process and back


@dataclass(frozen=True, slots=True)
class Stage:
    """One datapath stage: what it is, what it adds to each packet, and why we believe it."""

    name: str
    kind: StageKind
    header_bytes: int  # bytes added in front of the inner IP packet (IPv4 underlay)
    description: str
    reference: str  # where the header size / behaviour is specified

    @property
    def encrypts(self) -> bool:
        return self.kind is StageKind.ENCRYPT

    @property
    def encapsulates(self) -> bool:
        return self.kind in (StageKind.ENCAP, StageKind.ENCRYPT) and self.header_bytes > 0


_RFC_IPV4 = "RFC 791 (IPv4 header, 20 bytes without options)"

STAGES: dict[str, Stage] = {
    stage.name: stage
    for stage in (
        Stage(
            "loopback",
            StageKind.LOCAL,
            0,
            "Both ends share one network stack and talk over the loopback device.",
            "Linux loopback device (drivers/net/loopback.c)",
        ),
        Stage(
            "veth",
            StageKind.SWITCH,
            0,
            "A virtual Ethernet pair joining a container namespace to another namespace.",
            "man 4 veth",
        ),
        Stage(
            "linux-bridge",
            StageKind.SWITCH,
            0,
            "A kernel software bridge switching frames between veth ports.",
            "man 8 bridge; kernel Documentation/networking/bridge.rst",
        ),
        Stage(
            "ovs",
            StageKind.SWITCH,
            0,
            "Open vSwitch kernel datapath (flow-table switching).",
            "https://docs.openvswitch.org/en/latest/intro/what-is-ovs/",
        ),
        Stage(
            "macvlan",
            StageKind.SWITCH,
            0,
            "A MAC-addressed sub-interface of the host NIC; frames demultiplexed by MAC.",
            "man 8 ip-link (macvlan type); survey Sec. II-A-1",
        ),
        Stage(
            "sriov-vf",
            StageKind.SWITCH,
            0,
            "An SR-IOV virtual function of the NIC in the container's namespace: the NIC's "
            "embedded switch forwards its frames; the host kernel does not switch them.",
            "https://docs.kernel.org/PCI/pci-iov-howto.html",
        ),
        Stage(
            "ipvlan-l2",
            StageKind.SWITCH,
            0,
            "An ipvlan sub-interface in L2 mode: shares the master's MAC, switching by IP.",
            "https://www.kernel.org/doc/html/v5.12/networking/ipvlan.html",
        ),
        Stage(
            "ipvlan-l3",
            StageKind.ROUTE,
            0,
            "An ipvlan sub-interface in L3/L3S mode: the master routes to slaves by IP.",
            "https://www.kernel.org/doc/html/v5.12/networking/ipvlan.html",
        ),
        Stage(
            "routed-hop",
            StageKind.ROUTE,
            0,
            "An IP forwarding decision in a host kernel (routing table lookup).",
            "survey Sec. II-A-2 (Routing)",
        ),
        Stage(
            "vrf",
            StageKind.ROUTE,
            0,
            "A Linux VRF device: a separate routing table per tenant.",
            "kernel Documentation/networking/vrf.rst",
        ),
        Stage(
            "iptables",
            StageKind.FILTER,
            0,
            "Netfilter/iptables rule traversal (policy, kube-proxy service rules).",
            "https://www.netfilter.org/documentation/",
        ),
        Stage(
            "ebpf",
            StageKind.FILTER,
            0,
            "eBPF programs at tc or XDP hooks doing forwarding, policy or load balancing.",
            "https://docs.kernel.org/bpf/",
        ),
        Stage(
            "netfilter-nat",
            StageKind.NAT,
            0,
            "Connection-tracked DNAT/SNAT (masquerade, port mapping).",
            "survey Sec. II-A-2 (Network Address Translation)",
        ),
        Stage(
            "userspace-proxy",
            StageKind.USERSPACE,
            0,
            "Packets leave the kernel for a user-space forwarder and come back.",
            "survey Sec. I (host OS stack overhead); e.g. docker-proxy, Weave sleeve",
        ),
        Stage(
            "vxlan",
            StageKind.ENCAP,
            50,
            "VXLAN: outer IPv4 20 + UDP 8 + VXLAN 8 + inner Ethernet 14 bytes.",
            f"RFC 7348 Sec. 5; {_RFC_IPV4}",
        ),
        Stage(
            "geneve",
            StageKind.ENCAP,
            50,
            "Geneve without options: outer IPv4 20 + UDP 8 + Geneve 8 + inner Ethernet 14.",
            f"RFC 8926 Sec. 3; {_RFC_IPV4}",
        ),
        Stage(
            "ipip",
            StageKind.ENCAP,
            20,
            "IP-in-IP: one outer IPv4 header.",
            f"RFC 2003; {_RFC_IPV4}",
        ),
        Stage(
            "gre",
            StageKind.ENCAP,
            24,
            "GRE: outer IPv4 20 + base GRE header 4 bytes.",
            f"RFC 2784 Sec. 2; {_RFC_IPV4}",
        ),
        Stage(
            "mplsogre",
            StageKind.ENCAP,
            28,
            "MPLS over GRE: outer IPv4 20 + GRE 4 + one MPLS label 4 bytes.",
            f"RFC 4023; RFC 3032 (label 4 bytes); {_RFC_IPV4}",
        ),
        Stage(
            "mplsoudp",
            StageKind.ENCAP,
            32,
            "MPLS over UDP: outer IPv4 20 + UDP 8 + one MPLS label 4 bytes.",
            f"RFC 7510; RFC 3032; {_RFC_IPV4}",
        ),
        Stage(
            "wireguard",
            StageKind.ENCRYPT,
            60,
            "WireGuard: outer IPv4 20 + UDP 8 + data header 16 + Poly1305 tag 16 bytes.",
            "WireGuard whitepaper Sec. 5.4.6 (transport data message)",
        ),
        Stage(
            "ipsec-esp-tunnel",
            StageKind.ENCRYPT,
            57,
            "IPsec ESP tunnel mode, AES-GCM: outer IPv4 20 + SPI/seq 8 + IV 8 + "
            "pad ≤3 + trailer 2 + ICV 16 bytes (worst case).",
            "RFC 4303 Sec. 2; RFC 4106 Sec. 3",
        ),
        Stage(
            "ipsec-esp-transport",
            StageKind.ENCRYPT,
            37,
            "IPsec ESP transport mode, AES-GCM: SPI/seq 8 + IV 8 + pad ≤3 + trailer 2 + ICV 16.",
            "RFC 4303 Sec. 2; RFC 4106 Sec. 3",
        ),
    )
}


class PacketIO(StrEnum):
    """High-performance packet IO frameworks, orthogonal to the network (survey Sec. I, [2])."""

    DPDK = "dpdk"
    NETMAP = "netmap"
    XDP = "xdp"
    AF_XDP = "af_xdp"


def nearest_stage(name: str) -> str | None:
    """The closest known stage name, to suggest when a profile misspells one."""
    matches = difflib.get_close_matches(name, STAGES, n=1, cutoff=0.5)
    return matches[0] if matches else None


def stage(name: str) -> Stage:
    """Look a stage up, with a suggestion in the error when it is unknown."""
    try:
        return STAGES[name]
    except KeyError:
        hint = nearest_stage(name)
        suffix = f" (did you mean {hint!r}?)" if hint else ""
        raise KeyError(f"unknown datapath stage {name!r}{suffix}") from None
