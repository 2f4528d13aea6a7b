"""Flannel, the simple Kubernetes L3 pod network: VXLAN, host-gw and WireGuard backends.

Flannel only moves traffic between hosts; on each host its CNI plugin delegates to the
reference bridge plugin (veth pairs into the ``cni0`` Linux bridge). It does not enforce
NetworkPolicy itself.
"""

from __future__ import annotations

from cnadvisor import hookimpl

FLANNEL_BACKENDS = {
    "id": "flannel-backends",
    "title": "flannel docs: Backends",
    "url": "https://github.com/flannel-io/flannel/blob/master/Documentation/backends.md",
}
FLANNEL_README = {
    "id": "flannel-readme",
    "title": "flannel README: How it works, Networking details, Network Policy",
    "url": "https://github.com/flannel-io/flannel/blob/master/README.md",
}
FLANNEL_CONFIG = {
    "id": "flannel-configuration",
    "title": "flannel docs: Configuration",
    "url": "https://github.com/flannel-io/flannel/blob/master/Documentation/configuration.md",
    "locator": "Dual-stack",
}
FLANNEL_CNI = {
    "id": "flannel-cni-plugin",
    "title": "flannel CNI plugin README (delegates to the bridge plugin; Windows support)",
    "url": "https://github.com/flannel-io/cni-plugin/blob/main/README.md",
}
FLANNEL_MANIFEST = {
    "id": "flannel-manifest",
    "title": "flannel: kube-flannel.yml (CNI config chains flannel and portmap)",
    "url": "https://github.com/flannel-io/flannel/blob/master/Documentation/kube-flannel.yml",
}

_REFS = [FLANNEL_BACKENDS, FLANNEL_README, FLANNEL_CONFIG, FLANNEL_CNI, FLANNEL_MANIFEST]

_OPS_CITE = ["flannel-backends", "flannel-configuration"]


def _backend(
    backend: str,
    label: str,
    summary: str,
    notes: list[str],
    *,
    inter_host: list[str],
    operations: dict,
) -> dict:
    """One Flannel backend: the host side and the pod-subnet mapping are the same for all."""
    return {
        "id": f"flannel-{backend}",
        "name": f"Flannel ({label} backend)",
        "family": "kubernetes-cni",
        "variant_of": "Flannel",
        "summary": summary,
        "references": list(_REFS),
        "datapath": {
            "intra_host": ["veth", "linux-bridge", "veth"],
            "inter_host": inter_host,
            "cite": ["flannel-backends", "flannel-cni-plugin"],
        },
        "security": {
            "isolation": "namespace",
            "network_policy": "none",
            "cite": ["flannel-readme"],
        },
        "mobility": {
            "needs_kv_store": True,
            "ip_kept_on_move": False,
            "external_access": ["host-ports"],
            "cite": ["flannel-readme", "flannel-cni-plugin", "flannel-manifest"],
        },
        "operations": {
            "orchestrators": ["kubernetes"],
            "underlay": "ip",
            "mac_per_container": False,
            "ip_families": ["ipv4", "ipv6", "dual-stack"],
            **operations,
        },
        "notes": notes,
    }


def _vxlan() -> dict:
    return _backend(
        "vxlan",
        "VXLAN",
        "Flannel's recommended backend: each host gets a pod subnet and traffic "
        "between hosts rides in-kernel VXLAN. Works over any IP network, at the cost of "
        "50 bytes of encapsulation and no network policy of its own.",
        [
            "Mapping kept in the Kubernetes API (kube subnet manager, recommended) or in etcd.",
            "DirectRouting option: host-gw style routes to same-subnet hosts, VXLAN only "
            "across subnets (not on Windows).",
            "No NetworkPolicy in flanneld; the Helm chart can add kube-network-policies "
            "(since v0.25.5) or pair it with Calico (Canal).",
            "flanneld also documents a plain Docker integration (docker0 --bip).",
        ],
        inter_host=["veth", "linux-bridge", "routed-hop", "vxlan"],
        operations={"windows_nodes": True, "cite": [*_OPS_CITE, "flannel-cni-plugin"]},
    )


def _host_gw() -> dict:
    return _backend(
        "host-gw",
        "host-gw",
        "Flannel without encapsulation: each host routes other hosts' pod subnets "
        "via their host IPs. Near-native speed, but every host must share one L2 segment, "
        "so it usually cannot be used in public clouds.",
        [
            "Requires direct layer-2 connectivity between all hosts running flannel.",
            "Mapping kept in the Kubernetes API or in etcd.",
            "Windows uses an HNS L2Bridge network (experimental in the CNI plugin).",
        ],
        inter_host=["veth", "linux-bridge", "routed-hop"],
        operations={
            "underlay": "l2",
            "windows_nodes": True,
            "cite": [*_OPS_CITE, "flannel-cni-plugin"],
        },
    )


def _wireguard() -> dict:
    return _backend(
        "wireguard",
        "WireGuard",
        "Flannel with in-kernel WireGuard tunnels between hosts: inter-host pod "
        "traffic is encrypted and encapsulated in one step, costing 60 bytes per packet and "
        "crypto CPU.",
        [
            "Kernels older than 5.6 need a separate WireGuard package.",
            "Windows support for this backend is not documented: left unknown.",
            "Only inter-host traffic is encrypted; same-host traffic stays on the bridge.",
        ],
        inter_host=["veth", "linux-bridge", "routed-hop", "wireguard"],
        operations={"cite": list(_OPS_CITE)},
    )


@hookimpl
def cnadvisor_solutions() -> list[dict]:
    return [_vxlan(), _host_gw(), _wireguard()]
