"""Hand-built Linux GRE overlays: plain GRE and MPLS over GRE.

Containers attach by veth to a local Linux bridge; the host routes their
packets into a GRE tunnel (RFC 2784), optionally with an MPLS label pushed
first (RFC 4023).
"""

from __future__ import annotations

from cnadvisor import hookimpl

RFC_2784 = {
    "id": "rfc2784",
    "title": "RFC 2784: Generic Routing Encapsulation (GRE)",
    "url": "https://www.rfc-editor.org/rfc/rfc2784",
}
RFC_4023 = {
    "id": "rfc4023",
    "title": "RFC 4023: Encapsulating MPLS in IP or Generic Routing Encapsulation (GRE)",
    "url": "https://www.rfc-editor.org/rfc/rfc4023",
}
IP_LINK = {
    "id": "ip-link-man",
    "title": "ip-link(8) manual page, iproute2",
    "url": "https://man7.org/linux/man-pages/man8/ip-link.8.html",
    "locator": "GRE Type Support",
}
IP_ROUTE = {
    "id": "ip-route-man",
    "title": "ip-route(8) manual page, iproute2",
    "url": "https://man7.org/linux/man-pages/man8/ip-route.8.html",
    "locator": "ENCAP_MPLS (encap mpls)",
}


def _gre() -> dict:
    return {
        "id": "overlay-gre",
        "name": "GRE overlay (Linux gre tunnel)",
        "family": "overlay",
        "summary": "Container packets are routed into point-to-point GRE tunnels between hosts: "
        "a small 24-byte overhead and any payload protocol, but one tunnel per peer and no "
        "UDP ports for load balancing or NAT traversal.",
        "references": [RFC_2784, IP_LINK],
        "datapath": {
            "intra_host": ["veth", "linux-bridge", "veth"],
            "inter_host": ["veth", "linux-bridge", "routed-hop", "gre"],
            "cite": ["rfc2784", "ip-link-man"],
        },
        "security": {
            "isolation": "namespace",
            "network_policy": "none",
            "needs_promiscuous": False,
            "cite": ["rfc2784"],
        },
        "mobility": {
            "cross_datacenter": True,
            "routable_ips": False,
            "cite": ["rfc2784"],
        },
        "operations": {
            "orchestrators": ["standalone"],
            "underlay": "ip",
            "mac_per_container": False,
            "ip_families": ["ipv4", "ipv6", "dual-stack"],
            "cite": ["rfc2784", "ip-link-man"],
        },
        "notes": [
            "Profile is the L3 'gre' device; an L2 'gretap' device on the bridge would also "
            "carry the inner Ethernet header (14 bytes more, not counted).",
            "GRE is IP protocol 47, not TCP/UDP: firewalls and cloud security groups must "
            "allow it explicitly.",
            "Each host needs a tunnel and route per peer; nothing distributes them here.",
        ],
    }


def _mplsogre() -> dict:
    return {
        "id": "overlay-mplsogre",
        "name": "MPLS-over-GRE overlay",
        "family": "overlay",
        "summary": "An MPLS label is pushed on container packets, which then cross a GRE tunnel "
        "to the peer host: lets MPLS label-based services run over a plain IP core, at "
        "28 bytes per packet and with MPLS routing to configure on every host.",
        "references": [RFC_4023, RFC_2784, IP_ROUTE],
        "datapath": {
            "intra_host": ["veth", "linux-bridge", "veth"],
            "inter_host": ["veth", "linux-bridge", "routed-hop", "mplsogre"],
            "cite": ["rfc4023", "ip-route-man"],
        },
        "security": {
            "isolation": "namespace",
            "network_policy": "none",
            "needs_promiscuous": False,
            "cite": ["rfc4023"],
        },
        "mobility": {
            "cross_datacenter": True,
            "routable_ips": False,
            "cite": ["rfc4023"],
        },
        "operations": {
            "orchestrators": ["standalone"],
            "underlay": "ip",
            "mac_per_container": False,
            "cite": ["rfc4023", "ip-route-man"],
        },
        "notes": [
            "On Linux the label is pushed by a route with 'encap mpls' out of a gre device; "
            "the MPLS kernel modules must be loaded.",
            "Counts one MPLS label; a deeper label stack adds 4 bytes per label.",
            "GRE is IP protocol 47: firewalls and cloud security groups must allow it.",
        ],
    }


@hookimpl
def cnadvisor_solutions() -> list[dict]:
    return [_gre(), _mplsogre()]
