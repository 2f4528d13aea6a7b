"""A hand-built Linux VXLAN overlay between hosts.

Containers attach by veth to a local Linux bridge; a VXLAN device on that
bridge carries Ethernet frames to other hosts inside UDP (RFC 7348; kernel
VXLAN documentation).
"""

from __future__ import annotations

from cnadvisor import hookimpl

RFC_7348 = {
    "id": "rfc7348",
    "title": "RFC 7348: Virtual eXtensible Local Area Network (VXLAN)",
    "url": "https://www.rfc-editor.org/rfc/rfc7348",
}
KERNEL_VXLAN = {
    "id": "kernel-vxlan",
    "title": "Linux kernel docs: Virtual eXtensible Local Area Networking documentation",
    "url": "https://docs.kernel.org/networking/vxlan.html",
}
IP_LINK = {
    "id": "ip-link-man",
    "title": "ip-link(8) manual page, iproute2",
    "url": "https://man7.org/linux/man-pages/man8/ip-link.8.html",
    "locator": "VXLAN Type Support",
}


def _vxlan() -> dict:
    return {
        "id": "overlay-vxlan",
        "name": "VXLAN overlay (Linux vxlan device)",
        "family": "overlay",
        "summary": "A bridge per host plus a Linux VXLAN device tunnels containers' Ethernet "
        "frames in UDP between hosts: works over any IP network and gives up to 16M "
        "segments, at the price of 50 bytes per packet and a forwarding table to maintain.",
        "references": [RFC_7348, KERNEL_VXLAN, IP_LINK],
        "datapath": {
            "intra_host": ["veth", "linux-bridge", "veth"],
            "inter_host": ["veth", "linux-bridge", "vxlan"],
            "cite": ["rfc7348", "kernel-vxlan"],
        },
        "security": {
            "isolation": "namespace",
            "network_policy": "none",
            "needs_promiscuous": False,
            "multi_tenancy": True,
            "cite": ["rfc7348", "kernel-vxlan"],
        },
        "mobility": {
            "cross_datacenter": True,
            "routable_ips": False,
            "cite": ["rfc7348"],
        },
        "operations": {
            "orchestrators": ["standalone"],
            "underlay": "ip",
            "mac_per_container": False,
            "ip_families": ["ipv4", "ipv6", "dual-stack"],
            "cite": ["rfc7348", "kernel-vxlan", "ip-link-man"],
        },
        "notes": [
            "Remote endpoints are learned via a multicast group (flood and learn) or from "
            "static forwarding entries ('bridge fdb add'); without multicast in the underlay "
            "someone must fill the table, e.g. a control plane or a key-value store.",
            "Linux uses UDP port 8472 by default; the IANA port 4789 must be set explicitly.",
            "Multi-tenancy means one VNI (and bridge) per tenant network.",
            "Container addresses are only reachable inside the overlay (no routes outside).",
        ],
    }


@hookimpl
def cnadvisor_solutions() -> list[dict]:
    return [_vxlan()]
