"""kube-router: BGP-routed Kubernetes pod networking with an IPVS service proxy and an
iptables/ipset NetworkPolicy controller, in one DaemonSet.

Pods attach with the reference CNI bridge plugin; routes to other nodes' pod CIDRs are
exchanged over BGP (GoBGP), with IPIP tunnels only to nodes in other subnets by default.
"""

from __future__ import annotations

from cnadvisor import hookimpl

KR_README = {
    "id": "kube-router-readme",
    "title": "kube-router README: Primary Features",
    "url": "https://github.com/cloudnativelabs/kube-router/blob/master/README.md",
}
KR_BGP = {
    "id": "kube-router-bgp",
    "title": "kube-router docs: Configuring BGP Peers",
    "url": "https://github.com/cloudnativelabs/kube-router/blob/master/docs/bgp.md",
}
KR_TUNNELS = {
    "id": "kube-router-tunnels",
    "title": "kube-router docs: Tunnels in kube-router",
    "url": "https://github.com/cloudnativelabs/kube-router/blob/master/docs/tunnels.md",
}
KR_IPV6 = {
    "id": "kube-router-ipv6",
    "title": "kube-router docs: IPv6 / Dual-Stack Support",
    "url": "https://github.com/cloudnativelabs/kube-router/blob/master/docs/ipv6.md",
}


def _kube_router() -> dict:
    return {
        "id": "kube-router",
        "name": "kube-router (BGP routing, IPVS proxy, NetworkPolicy)",
        "family": "kubernetes-cni",
        "summary": "An all-in-one Kubernetes network: pods on a CNI bridge, pod routes "
        "exchanged over BGP without encapsulation inside a subnet, IPVS for Services and "
        "iptables/ipset for NetworkPolicy. Lean and fast, but needs L2 adjacency or BGP "
        "peering (IPIP otherwise).",
        "references": [KR_README, KR_BGP, KR_TUNNELS, KR_IPV6],
        "datapath": {
            "intra_host": ["veth", "linux-bridge", "iptables", "veth"],
            "inter_host": ["veth", "linux-bridge", "iptables", "routed-hop"],
            "cite": ["kube-router-readme", "kube-router-tunnels"],
        },
        "security": {
            "isolation": "namespace",
            "network_policy": "l3-l4",
            "cite": ["kube-router-readme"],
        },
        "mobility": {
            "needs_kv_store": True,
            "routable_ips": True,
            "external_access": ["routed"],
            "cite": ["kube-router-readme", "kube-router-bgp"],
        },
        "operations": {
            "orchestrators": ["kubernetes"],
            "underlay": "l2-or-bgp",
            "mac_per_container": False,
            "ip_families": ["ipv4", "ipv6", "dual-stack"],
            "cite": [
                "kube-router-readme",
                "kube-router-bgp",
                "kube-router-tunnels",
                "kube-router-ipv6",
            ],
        },
        "notes": [
            "State kept in the Kubernetes API (no separate datastore).",
            "Default --overlay-type=subnet: nodes in another subnet are reached through IPIP "
            "(20 bytes; FoU/GUE optional); 'full' tunnels all pod traffic. This profile "
            "describes the same-subnet, unencapsulated path.",
            "Pod IPs are routable outside the cluster only when peering with external BGP "
            "routers and advertising pod CIDRs.",
            "Azure blocks IPIP: use FoU encapsulation there.",
            "Dual-stack needs kube-router v2.0.0 or later.",
            "Windows node support not documented in the sources read: left unknown.",
        ],
    }


@hookimpl
def cnadvisor_solutions() -> list[dict]:
    return [_kube_router()]
