"""Kube-OVN, the OVN-based Kubernetes CNI: Geneve overlay with VPC multi-tenancy, and underlay
(VLAN) subnets that put pods directly on the physical network.

Pods attach through veth pairs to the OVS integration bridge programmed by OVN; logical
switches, routers and ACLs come from the OVN databases.
"""

from __future__ import annotations

from cnadvisor import hookimpl

KUBE_OVN_README = {
    "id": "kube-ovn-readme",
    "title": "Kube-OVN README: Features",
    "url": "https://github.com/kubeovn/kube-ovn/blob/master/README.md",
}
KUBE_OVN_INSTALL = {
    "id": "kube-ovn-install-script",
    "title": "Kube-OVN install.sh (NETWORK_TYPE/TUNNEL_TYPE default geneve; DPDK options)",
    "url": "https://github.com/kubeovn/kube-ovn/blob/master/dist/images/install.sh",
}
KUBE_OVN_VLAN = {
    "id": "kube-ovn-vlan-underlay",
    "title": "Kube-OVN wiki: VLAN Underlay network support",
    "url": "https://github.com/kubeovn/kube-ovn/wiki/VLAN-Underlay-%E7%BD%91%E7%BB%9C%E6%94%AF%E6%8C%81",
}
KUBE_OVN_DPDK = {
    "id": "kube-ovn-dpdk-commit",
    "title": "Kube-OVN commit b055cc6: add OVS-DPDK support (install.sh --with-dpdk)",
    "url": "https://github.com/kubeovn/kube-ovn/commit/b055cc68af72111431130376ada2494102eb70fe",
}
OVN_ARCH = {
    "id": "ovn-architecture",
    "title": "ovn-architecture(7): Tunnel Encapsulations",
    "url": "https://github.com/ovn-org/ovn/blob/main/ovn-architecture.7.xml",
    "locator": "Design Decisions: Tunnel Encapsulations (TLV class 0x0102, type 0x80, 32-bit)",
}
RFC_8926 = {
    "id": "rfc8926",
    "title": "RFC 8926: Geneve, Sec. 3.5 Tunnel Options (4-byte option header)",
    "url": "https://www.rfc-editor.org/rfc/rfc8926#section-3.5",
}

_REFS = [KUBE_OVN_README, KUBE_OVN_INSTALL, KUBE_OVN_VLAN, KUBE_OVN_DPDK, OVN_ARCH, RFC_8926]

_OPS_CITE = ["kube-ovn-readme", "kube-ovn-install-script", "kube-ovn-dpdk-commit"]
_NOTES = [
    "NetworkPolicy is implemented with OVN ACLs; VPCs give tenants independent, "
    "overlapping address spaces.",
    "State lives in the OVN northbound/southbound databases plus Kubernetes resources.",
    "Static IPs per workload and KubeVirt live migration without IP change are documented.",
    "OVS-DPDK datapath is an install option (install.sh --with-dpdk); OVS hardware "
    "offload is also documented.",
]


def _mode(
    mode: str,
    label: str,
    summary: str,
    notes: list[str],
    *,
    datapath: dict,
    mobility: dict,
    operations: dict | None = None,
) -> dict:
    """One Kube-OVN subnet type; ``notes`` come before the product-wide ones."""
    return {
        "id": f"kube-ovn-{mode}",
        "name": f"Kube-OVN ({label})",
        "family": "kubernetes-cni",
        "variant_of": "Kube-OVN",
        "summary": summary,
        "references": list(_REFS),
        "datapath": {"intra_host": ["veth", "ovs", "veth"], **datapath},
        "security": {
            "isolation": "namespace",
            "network_policy": "l3-l4",
            "multi_tenancy": True,
            "cite": ["kube-ovn-readme"],
        },
        "mobility": {"needs_kv_store": True, **mobility},
        "operations": {
            "orchestrators": ["kubernetes"],
            "underlay": "ip",
            "mac_per_container": False,
            "ip_families": ["ipv4", "ipv6", "dual-stack"],
            "packet_io": ["dpdk"],
            "cite": list(_OPS_CITE),
            **(operations or {}),
        },
        "notes": [*notes, *_NOTES],
    }


def _overlay() -> dict:
    return _mode(
        "overlay",
        "Geneve overlay",
        "Kube-OVN's default: OVN logical switches per subnet, Geneve tunnels between "
        "Nodes, and VPCs with overlapping address spaces for tenants. Feature-rich SDN "
        "(static IPs, QoS, gateways) at the cost of OVN's control plane and Geneve overhead.",
        [
            "extra_header_bytes 8: OVN's Geneve TLV (4-byte option header per RFC 8926 + "
            "32-bit logical ingress/egress port value).",
            "VXLAN and STT tunnels are alternatives (some NetworkPolicies do not work with VXLAN).",
            "Pod IPs can be exposed to the outside by BGP (optional).",
        ],
        datapath={
            "inter_host": ["veth", "ovs", "geneve"],
            "extra_header_bytes": 8,
            "cite": ["kube-ovn-install-script", "ovn-architecture", "rfc8926"],
        },
        mobility={"ip_kept_on_move": True, "external_access": [], "cite": ["kube-ovn-readme"]},
    )


def _underlay() -> dict:
    return _mode(
        "underlay",
        "underlay / VLAN",
        "Kube-OVN subnets bound to a physical VLAN: pod traffic leaves OVS through a "
        "dedicated host NIC without encapsulation, so pods sit directly on the physical "
        "network. Best throughput, but needs switch (trunk/VLAN) configuration.",
        [
            "Needs a host NIC dedicated to the container network; for several VLANs its "
            "switch port must be a trunk. VLAN ID 0 gives a macvlan-like untagged underlay.",
            "mac_per_container: inferred from the docs' comparison with macvlan (pods bridged "
            "onto the physical L2 by OVS); not stated in so many words.",
        ],
        datapath={
            "inter_host": ["veth", "ovs"],
            "cite": ["kube-ovn-readme", "kube-ovn-vlan-underlay"],
        },
        mobility={
            "routable_ips": True,
            "ip_kept_on_move": True,
            "external_access": ["l2"],
            "cite": ["kube-ovn-readme", "kube-ovn-vlan-underlay"],
        },
        operations={
            "underlay": "l2",
            "mac_per_container": True,
            "cite": [*_OPS_CITE, "kube-ovn-vlan-underlay"],
        },
    )


@hookimpl
def cnadvisor_solutions() -> list[dict]:
    return [_overlay(), _underlay()]
