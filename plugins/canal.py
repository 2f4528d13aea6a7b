"""Canal: flannel (VXLAN) for pod networking combined with Calico's CNI and policy engine.

Calico's own documentation now recommends its native VXLAN mode over this combination.
"""

from __future__ import annotations

from cnadvisor import hookimpl

CALICO_CANAL = {
    "id": "calico-canal-install",
    "title": "Calico docs: Install Calico for policy and flannel (aka Canal) for networking",
    "url": "https://docs.tigera.io/calico/latest/getting-started/kubernetes/flannel/"
    "install-for-flannel",
}
CALICO_BEST = {
    "id": "calico-determine-networking",
    "title": "Calico docs: Determine best networking option (Flannel / Canal)",
    "url": "https://docs.tigera.io/calico/latest/networking/determine-best-networking",
}
FLANNEL_BACKENDS = {
    "id": "flannel-backends",
    "title": "flannel docs: Backends (VXLAN)",
    "url": "https://github.com/flannel-io/flannel/blob/master/Documentation/backends.md",
}
FLANNEL_README = {
    "id": "flannel-readme",
    "title": "flannel README: How it works (Kubernetes API or etcd)",
    "url": "https://github.com/flannel-io/flannel/blob/master/README.md",
}


def _canal() -> dict:
    return {
        "id": "canal",
        "name": "Canal (flannel VXLAN + Calico policy)",
        "family": "kubernetes-cni",
        "summary": "flannel carries pod traffic between hosts in VXLAN while Calico's CNI and "
        "Felix enforce NetworkPolicy: policy on top of a simple overlay, at 50 bytes per "
        "packet and with two projects to run.",
        "references": [CALICO_CANAL, CALICO_BEST, FLANNEL_BACKENDS, FLANNEL_README],
        "datapath": {
            "intra_host": ["veth", "routed-hop", "iptables", "veth"],
            "inter_host": ["veth", "iptables", "routed-hop", "vxlan"],
            "cite": ["calico-determine-networking", "flannel-backends"],
        },
        "security": {
            "isolation": "namespace",
            "network_policy": "l3-l4",
            "cite": ["calico-canal-install", "calico-determine-networking"],
        },
        "mobility": {
            "needs_kv_store": True,
            "routable_ips": False,
            "ip_kept_on_move": False,
            "external_access": [],
            "cite": ["calico-canal-install", "calico-determine-networking", "flannel-readme"],
        },
        "operations": {
            "orchestrators": ["kubernetes"],
            "underlay": "ip",
            "mac_per_container": False,
            "cite": ["calico-canal-install", "calico-determine-networking", "flannel-backends"],
        },
        "notes": [
            "Calico recommends its native VXLAN (or IPIP) mode instead of Canal for new "
            "clusters, and documents migration from flannel/Canal.",
            "Datastore: Kubernetes API (recommended) or etcd.",
            "Pod IPs come from static per-node CIDRs (host-local IPAM), so a moved pod gets a "
            "new IP; pod IPs are not routable outside the cluster (overlay).",
            "Datapath assumes Calico's CNI (veth to host L3 routing, iptables policy) with "
            "flannel's VXLAN device; not spelled out stage by stage in the docs.",
        ],
    }


@hookimpl
def cnadvisor_solutions() -> list[dict]:
    return [_canal()]
