"""A hand-built MPLS-over-UDP overlay between hosts (RFC 7510).

Containers attach by veth to a local Linux bridge; the host pushes an MPLS
label and sends the packet in UDP to the peer host (Linux: a bareudp device
with ethertype mpls_uc).
"""

from __future__ import annotations

from cnadvisor import hookimpl

RFC_7510 = {
    "id": "rfc7510",
    "title": "RFC 7510: Encapsulating MPLS in UDP",
    "url": "https://www.rfc-editor.org/rfc/rfc7510",
}
IP_LINK = {
    "id": "ip-link-man",
    "title": "ip-link(8) manual page, iproute2",
    "url": "https://man7.org/linux/man-pages/man8/ip-link.8.html",
    "locator": "Bareudp Type Support",
}


def _mplsoudp() -> dict:
    return {
        "id": "overlay-mplsoudp",
        "name": "MPLS-over-UDP overlay",
        "family": "overlay",
        "summary": "An MPLS label plus a UDP header carry container packets between hosts: "
        "UDP source ports give ECMP entropy in the fabric at 32 bytes per packet, but the "
        "RFC restricts it to managed networks of one or cooperating operators.",
        "references": [RFC_7510, IP_LINK],
        "datapath": {
            "intra_host": ["veth", "linux-bridge", "veth"],
            "inter_host": ["veth", "linux-bridge", "routed-hop", "mplsoudp"],
            "cite": ["rfc7510", "ip-link-man"],
        },
        "security": {
            "isolation": "namespace",
            "network_policy": "none",
            "needs_promiscuous": False,
            "cite": ["rfc7510"],
        },
        "mobility": {
            "routable_ips": False,
            "cite": ["rfc7510"],
        },
        "operations": {
            "orchestrators": ["standalone"],
            "underlay": "ip",
            "mac_per_container": False,
            "cite": ["rfc7510", "ip-link-man"],
        },
        "notes": [
            "RFC 7510: deploy only within one operator's network (or cooperating adjacent "
            "ones), not across the Internet, since it lacks congestion control.",
            "Linux: a bareudp device with ethertype mpls_uc; it is externally controlled, so "
            "routes/tunnel metadata must be set up by hand or by a controller.",
            "Counts one MPLS label; a deeper label stack adds 4 bytes per label.",
        ],
    }


@hookimpl
def cnadvisor_solutions() -> list[dict]:
    return [_mplsoudp()]
