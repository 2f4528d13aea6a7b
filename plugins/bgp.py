"""Native routing of container prefixes with BGP, without and with Linux VRFs.

A routing daemon (BIRD or FRR) on each host announces the host's container
prefixes over BGP, so packets are routed natively with no encapsulation. The
VRF variant keeps one routing table per tenant (kernel VRF documentation).
"""

from __future__ import annotations

from cnadvisor import hookimpl

RFC_4271 = {
    "id": "rfc4271",
    "title": "RFC 4271: A Border Gateway Protocol 4 (BGP-4)",
    "url": "https://www.rfc-editor.org/rfc/rfc4271",
}
BIRD = {
    "id": "bird",
    "title": "BIRD Internet Routing Daemon, bird(8) manual page",
    "url": "https://manpages.ubuntu.com/manpages/lunar/man8/bird.8.html",
}
FRR_BGP = {
    "id": "frr-bgp",
    "title": "FRRouting user guide: BGP",
    "url": "https://docs.frrouting.org/en/latest/bgp.html",
    "locator": "router bgp ASN vrf VRFNAME",
}
CALICO_OVERLAY = {
    "id": "calico-overlay",
    "title": "Calico docs: Overlay networking (routing workload IP addresses)",
    "url": "https://docs.tigera.io/calico/latest/networking/configuring/vxlan-ipip",
    "locator": "Concepts: Routing workload IP addresses",
}
KERNEL_VRF = {
    "id": "kernel-vrf",
    "title": "Linux kernel docs: Virtual Routing and Forwarding (VRF)",
    "url": "https://docs.kernel.org/networking/vrf.html",
}


def _routed(
    profile_id: str,
    name: str,
    summary: str,
    notes: list[str],
    *,
    references: list[dict],
    datapath: dict,
    security: dict,
    operations_cite: list[str],
) -> dict:
    """A BGP-routed profile: mobility and the routed operations are common to both."""
    return {
        "id": profile_id,
        "name": name,
        "family": "routing",
        "summary": summary,
        "references": references,
        "datapath": datapath,
        "security": {
            "isolation": "namespace",
            "network_policy": "none",
            "needs_promiscuous": False,
            **security,
        },
        "mobility": {
            "needs_kv_store": False,
            "routable_ips": True,
            "external_access": ["routed"],
            "cite": ["rfc4271", "calico-overlay"],
        },
        "operations": {
            "orchestrators": ["standalone"],
            "underlay": "l2-or-bgp",
            "mac_per_container": False,
            "ip_families": ["ipv4", "ipv6", "dual-stack"],
            "cite": operations_cite,
        },
        "notes": notes,
    }


def _bgp_routing() -> dict:
    return _routed(
        "bgp-routing",
        "BGP-routed container prefixes (BIRD/FRR)",
        "Each host routes its containers' prefix and announces it with BGP, so packets "
        "leave unencapsulated with full MTU; needs a fabric that accepts the routes (or hosts "
        "on one L2 segment), which many public clouds do not offer.",
        [
            "BGP itself distributes the prefix-to-host mapping, so no separate key-value "
            "store is needed.",
            "Public clouds, or AWS across VPC subnets, may not route workload IPs; then an "
            "overlay is needed (Calico docs).",
            "A single routing table: tenants cannot reuse overlapping ranges (see bgp-vrf).",
        ],
        references=[RFC_4271, BIRD, FRR_BGP, CALICO_OVERLAY],
        datapath={
            "intra_host": ["veth", "routed-hop", "veth"],
            "inter_host": ["veth", "routed-hop"],
            "cite": ["calico-overlay", "rfc4271"],
        },
        security={"cite": ["calico-overlay"]},
        operations_cite=["bird", "frr-bgp", "calico-overlay"],
    )


def _bgp_vrf() -> dict:
    return _routed(
        "bgp-vrf",
        "BGP-routed container prefixes with per-tenant Linux VRFs",
        "As BGP routing, but each tenant's container interfaces sit in their own "
        "Linux VRF with a separate routing table and BGP instance, so tenants may use "
        "overlapping ranges; more routing configuration per tenant and per peer.",
        [
            "FRR runs one BGP instance per kernel VRF ('router bgp ASN vrf NAME'); the fabric "
            "must keep tenants apart too (per-VRF peering or VPN routes).",
            "Processes and sockets on the host must bind to a VRF to use it (kernel docs).",
        ],
        references=[RFC_4271, FRR_BGP, KERNEL_VRF, CALICO_OVERLAY],
        datapath={
            "intra_host": ["veth", "vrf", "veth"],
            "inter_host": ["veth", "vrf"],
            "cite": ["kernel-vrf", "calico-overlay"],
        },
        security={"multi_tenancy": True, "cite": ["kernel-vrf", "frr-bgp"]},
        operations_cite=["kernel-vrf", "frr-bgp"],
    )


@hookimpl
def cnadvisor_solutions() -> list[dict]:
    return [_bgp_routing(), _bgp_vrf()]
