"""A hand-built Linux Geneve overlay between hosts.

Containers attach by veth to a local Linux bridge; a Geneve device on that
bridge tunnels Ethernet frames in UDP to other hosts (RFC 8926; ip-link(8)).
"""

from __future__ import annotations

from cnadvisor import hookimpl

RFC_8926 = {
    "id": "rfc8926",
    "title": "RFC 8926: Geneve: Generic Network Virtualization Encapsulation",
    "url": "https://www.rfc-editor.org/rfc/rfc8926",
}
IP_LINK = {
    "id": "ip-link-man",
    "title": "ip-link(8) manual page, iproute2",
    "url": "https://man7.org/linux/man-pages/man8/ip-link.8.html",
    "locator": "GENEVE Type Support",
}


def _geneve() -> dict:
    return {
        "id": "overlay-geneve",
        "name": "Geneve overlay (Linux geneve device)",
        "family": "overlay",
        "summary": "Like a VXLAN overlay, but with the extensible Geneve header, which can carry "
        "metadata options; runs over any IP network at 50 bytes per packet (plus options), "
        "and Linux needs a remote per device or an external controller.",
        "references": [RFC_8926, IP_LINK],
        "datapath": {
            "intra_host": ["veth", "linux-bridge", "veth"],
            "inter_host": ["veth", "linux-bridge", "geneve"],
            "cite": ["rfc8926", "ip-link-man"],
        },
        "security": {
            "isolation": "namespace",
            "network_policy": "none",
            "needs_promiscuous": False,
            "multi_tenancy": True,
            "cite": ["rfc8926"],
        },
        "mobility": {
            "cross_datacenter": True,
            "routable_ips": False,
            "cite": ["rfc8926"],
        },
        "operations": {
            "orchestrators": ["standalone"],
            "underlay": "ip",
            "mac_per_container": False,
            "ip_families": ["ipv4", "ipv6", "dual-stack"],
            "cite": ["rfc8926", "ip-link-man"],
        },
        "notes": [
            "A Linux geneve device has one unicast 'remote' (or is 'external', driven by "
            "OVS/tc); there is no multicast flood-and-learn as with VXLAN, so many peers "
            "need many devices or a controller.",
            "No tunnel options assumed here (extra_header_bytes 0); products such as OVN add "
            "option bytes of their own.",
            "Default UDP port 6081.",
        ],
    }


@hookimpl
def cnadvisor_solutions() -> list[dict]:
    return [_geneve()]
