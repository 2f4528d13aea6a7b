"""A hand-built Linux IP-in-IP (ipip) overlay between hosts.

Containers attach by veth to a local Linux bridge; the host routes their
packets into an ipip tunnel device that adds one outer IPv4 header (RFC 2003).
"""

from __future__ import annotations

from cnadvisor import hookimpl

RFC_2003 = {
    "id": "rfc2003",
    "title": "RFC 2003: IP Encapsulation within IP",
    "url": "https://www.rfc-editor.org/rfc/rfc2003",
}
IP_LINK = {
    "id": "ip-link-man",
    "title": "ip-link(8) manual page, iproute2",
    "url": "https://man7.org/linux/man-pages/man8/ip-link.8.html",
    "locator": "IPIP, SIT Type Support",
}
CALICO_AZURE = {
    "id": "calico-azure",
    "title": "Calico docs: Azure (public cloud reference)",
    "url": "https://docs.tigera.io/calico/latest/reference/public-cloud/azure",
    "locator": "Does Azure support Calico networking?",
}


def _ipip() -> dict:
    return {
        "id": "overlay-ipip",
        "name": "IP-in-IP overlay (Linux ipip tunnel)",
        "family": "overlay",
        "summary": "Container packets are routed into an IPv4-in-IPv4 tunnel to the peer host: "
        "the lightest tunnel (20 bytes), IPv4 only and L3 only, and some clouds (Azure) "
        "drop IP-in-IP packets.",
        "references": [RFC_2003, IP_LINK, CALICO_AZURE],
        "datapath": {
            "intra_host": ["veth", "linux-bridge", "veth"],
            "inter_host": ["veth", "linux-bridge", "routed-hop", "ipip"],
            "cite": ["rfc2003", "ip-link-man"],
        },
        "security": {
            "isolation": "namespace",
            "network_policy": "none",
            "needs_promiscuous": False,
            "cite": ["rfc2003"],
        },
        "mobility": {
            "cross_datacenter": True,
            "routable_ips": False,
            "cite": ["rfc2003"],
        },
        "operations": {
            "orchestrators": ["standalone"],
            "underlay": "ip",
            "mac_per_container": False,
            "ip_families": ["ipv4"],
            "cite": ["rfc2003", "ip-link-man", "calico-azure"],
        },
        "notes": [
            "IPIP is blocked on Azure: IPIP packets are dropped by the Azure network fabric "
            "(Calico docs); use a UDP-based tunnel such as VXLAN there.",
            "Linux ipip carries IPv4 over IPv4 only; IPv6-over-IPv4 is not supported for IPIP.",
            "The host routes from the bridge into the tunnel device, hence 'routed-hop'.",
            "Each host needs a route (or tunnel) per peer; nothing distributes them here.",
        ],
    }


@hookimpl
def cnadvisor_solutions() -> list[dict]:
    return [_ipip()]
