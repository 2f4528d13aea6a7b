"""OVN-Kubernetes: the OVN/Open vSwitch based Kubernetes CNI with a Geneve overlay.

Pods attach through veth pairs to the OVS bridge programmed by OVN; Services are OVN load
balancers and NetworkPolicies are OVN ACLs.
"""

from __future__ import annotations

from cnadvisor import hookimpl

OVNK_OVERVIEW = {
    "id": "ovn-kubernetes-overview",
    "title": "OVN-Kubernetes docs: Welcome / What is OVN-Kubernetes?",
    "url": "https://ovn-kubernetes.io/",
}
OVNK_NP = {
    "id": "ovn-kubernetes-network-policy",
    "title": "OVN-Kubernetes docs: NetworkPolicy",
    "url": "https://github.com/ovn-org/ovn-kubernetes/blob/master/docs/features/"
    "network-security-controls/network-policy.md",
}
OVNK_HYBRID = {
    "id": "ovn-kubernetes-hybrid-overlay",
    "title": "OVN-Kubernetes docs: Hybrid Overlay (VXLAN to non-OVN, e.g. Windows, nodes)",
    "url": "https://github.com/ovn-org/ovn-kubernetes/blob/master/docs/features/hybrid-overlay.md",
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


def _ovn_kubernetes() -> dict:
    return {
        "id": "ovn-kubernetes",
        "name": "OVN-Kubernetes (Geneve overlay)",
        "family": "kubernetes-cni",
        "summary": "Kubernetes networking compiled into OVN logical switches and routers: "
        "Geneve tunnels between Nodes, Services as OVN load balancers, NetworkPolicy as "
        "ACLs. Rich egress controls and hardware offload, with OVN's control-plane weight.",
        "references": [OVNK_OVERVIEW, OVNK_NP, OVNK_HYBRID, OVN_ARCH, RFC_8926],
        "datapath": {
            "intra_host": ["veth", "ovs", "veth"],
            "inter_host": ["veth", "ovs", "geneve"],
            "extra_header_bytes": 8,
            "cite": ["ovn-kubernetes-overview", "ovn-architecture", "rfc8926"],
        },
        "security": {
            "isolation": "namespace",
            "network_policy": "l3-l4",
            "cite": ["ovn-kubernetes-overview", "ovn-kubernetes-network-policy"],
        },
        "mobility": {
            "needs_kv_store": True,
            "routable_ips": False,
            "external_access": [],
            "cite": ["ovn-kubernetes-overview"],
        },
        "operations": {
            "orchestrators": ["kubernetes"],
            "underlay": "ip",
            "mac_per_container": False,
            "ip_families": ["ipv4", "ipv6", "dual-stack"],
            "windows_nodes": True,
            "cite": ["ovn-kubernetes-overview", "ovn-kubernetes-hybrid-overlay"],
        },
        "notes": [
            "extra_header_bytes 8: OVN's Geneve TLV (4-byte option header per RFC 8926 + "
            "32-bit logical ingress/egress port value).",
            "Watches the Kubernetes API and writes OVN logical constructs to the OVN "
            "databases (needs_kv_store: OVN NB/SB databases).",
            "Windows nodes join through the hybrid overlay (VXLAN tunnels), not Geneve.",
            "routable_ips false: pod IPs live inside the Geneve overlay; egress leaves via "
            "node SNAT or EgressIP (our reading of the overview).",
            "OVS hardware offload to NICs/DPUs is documented; DPDK/XDP not verified.",
            "Multi-tenancy (user-defined networks) not verified in the sources read: unknown.",
        ],
    }


@hookimpl
def cnadvisor_solutions() -> list[dict]:
    return [_ovn_kubernetes()]
