"""Cilium, the eBPF-based Kubernetes CNI: VXLAN and Geneve tunnels, native routing, and
transparent WireGuard or IPsec encryption.

Pods attach through veth pairs whose host side runs Cilium's eBPF programs (policy, load
balancing, forwarding). L7 rules are enforced by Cilium's own Envoy proxy. The encrypted
variants assume Cilium's default routing mode, VXLAN encapsulation.
"""

from __future__ import annotations

from cnadvisor import hookimpl

CILIUM_ROUTING = {
    "id": "cilium-routing",
    "title": "Cilium docs: Routing (Encapsulation, Native-Routing)",
    "url": "https://docs.cilium.io/en/stable/network/concepts/routing/",
}
CILIUM_README = {
    "id": "cilium-readme",
    "title": "Cilium README: Functionality overview",
    "url": "https://github.com/cilium/cilium/blob/main/README.rst",
}
CILIUM_L7 = {
    "id": "cilium-l7-policy",
    "title": "Cilium docs: Layer 7 Policies",
    "url": "https://docs.cilium.io/en/stable/security/policy/layer7/",
}
CILIUM_ENVOY = {
    "id": "cilium-envoy",
    "title": "Cilium docs: Envoy (host proxy enforcing L7 policy)",
    "url": "https://docs.cilium.io/en/stable/security/network/proxy/envoy/",
}
CILIUM_XDP = {
    "id": "cilium-xdp",
    "title": "Cilium docs: Kubernetes without kube-proxy",
    "url": "https://docs.cilium.io/en/stable/network/kubernetes/kubeproxy-free/",
    "locator": "LoadBalancer & NodePort XDP Acceleration",
}
CILIUM_WIREGUARD = {
    "id": "cilium-wireguard",
    "title": "Cilium docs: WireGuard Transparent Encryption",
    "url": "https://docs.cilium.io/en/stable/security/network/encryption-wireguard/",
}
CILIUM_IPSEC = {
    "id": "cilium-ipsec",
    "title": "Cilium docs: IPsec Transparent Encryption",
    "url": "https://docs.cilium.io/en/stable/security/network/encryption-ipsec/",
}
CILIUM_XFRM = {
    "id": "cilium-xfrm-guide",
    "title": "Cilium docs: XFRM Reference Guide (states use ESP 'mode tunnel')",
    "url": "https://docs.cilium.io/en/stable/reference-guides/xfrm/",
    "locator": "XFRM Policies and States",
}

_BASE_REFS = [CILIUM_ROUTING, CILIUM_README, CILIUM_L7, CILIUM_ENVOY, CILIUM_XDP]

_KV_NOTE = (
    "Identities and node data are kept in a shared store (Kubernetes custom resources such "
    "as CiliumNode, or an etcd kvstore)."
)
_XDP_NOTE = "XDP accelerates NodePort/LoadBalancer service traffic, not pod-to-pod forwarding."


def _mode(
    mode: str,
    label: str,
    summary: str,
    notes: list[str],
    *,
    inter_host: list[str],
    datapath_cite: list[str],
    extra_references: tuple[dict, ...] = (),
    security_cite: tuple[str, ...] = (),
    mobility: dict | None = None,
    operations_cite: tuple[str, ...] = (),
    underlay: str = "ip",
) -> dict:
    """One Cilium mode; sections default to the tunnelled modes' and cites are appended."""
    return {
        "id": f"cilium-{mode}",
        "name": f"Cilium ({label})",
        "family": "kubernetes-cni",
        "variant_of": "Cilium",
        "summary": summary,
        "references": [*_BASE_REFS, *extra_references],
        "datapath": {
            "intra_host": ["veth", "ebpf", "veth"],
            "inter_host": inter_host,
            "cite": datapath_cite,
        },
        "security": {
            "isolation": "namespace",
            "network_policy": "l7",
            "cite": ["cilium-readme", "cilium-l7-policy", "cilium-envoy", *security_cite],
        },
        "mobility": {
            "needs_kv_store": True,
            "external_access": [],
            "cite": ["cilium-readme", "cilium-routing"],
            **(mobility or {}),
        },
        "operations": {
            "orchestrators": ["kubernetes"],
            "underlay": underlay,
            "mac_per_container": False,
            "packet_io": ["xdp"],
            "cite": ["cilium-routing", "cilium-xdp", *operations_cite],
        },
        "notes": notes,
    }


def _vxlan() -> dict:
    return _mode(
        "vxlan",
        "VXLAN encapsulation, default",
        "Cilium's default mode: eBPF programs on each pod's veth do policy and "
        "forwarding, and all node-to-node traffic is VXLAN-encapsulated. Needs only IP "
        "reachability, costs 50 bytes per packet, and adds L7-aware policy.",
        [
            "VXLAN on UDP 8472 must be allowed between nodes.",
            "The source security identity travels in the encapsulation header.",
            _KV_NOTE,
            _XDP_NOTE,
            "IP families and Windows support not verified in the sources read: left unknown.",
        ],
        inter_host=["veth", "ebpf", "vxlan"],
        datapath_cite=["cilium-routing"],
    )


def _geneve() -> dict:
    return _mode(
        "geneve",
        "Geneve encapsulation",
        "Cilium with Geneve instead of VXLAN as tunnel protocol: same eBPF datapath "
        "and L7-aware policy over any IP network, 50 bytes of base overhead.",
        [
            "Geneve on UDP 6081 must be allowed between nodes (tunnel-protocol: geneve).",
            "Geneve options Cilium may add (e.g. for DSR in Geneve dispatch mode) are not "
            "counted: extra_header_bytes left 0.",
            _KV_NOTE,
            _XDP_NOTE,
        ],
        inter_host=["veth", "ebpf", "geneve"],
        datapath_cite=["cilium-routing"],
    )


def _native() -> dict:
    return _mode(
        "native",
        "native routing",
        "Cilium without encapsulation: packets not for a local pod go to the "
        "Linux routing table, so the network must route pod CIDRs (shared L2 with "
        "auto-direct-node-routes, a BGP daemon, or cloud routers). No tunnel overhead.",
        [
            "routing-mode: native plus ipv4-native-routing-cidr; routes come from "
            "auto-direct-node-routes (one L2 segment) or a BGP daemon / cloud router.",
            "The docs recommend native routing for XDP acceleration.",
            _KV_NOTE,
            _XDP_NOTE,
        ],
        inter_host=["veth", "ebpf", "routed-hop"],
        datapath_cite=["cilium-routing"],
        mobility={"routable_ips": True, "external_access": ["routed"]},
        underlay="l2-or-bgp",
    )


def _wireguard() -> dict:
    return _mode(
        "wireguard",
        "WireGuard encryption, VXLAN tunnel",
        "Cilium with transparent WireGuard encryption between nodes. In the default "
        "tunnel mode pod traffic is encapsulated twice (VXLAN, then WireGuard): strong "
        "encryption without a mesh, at about 110 bytes per packet and crypto CPU.",
        [
            "Assumes the default routing mode (VXLAN encapsulation); the WireGuard docs state "
            "tunnelled pod traffic is encapsulated twice. With native routing drop 'vxlan'.",
            "Public keys are published in the CiliumNode resource; UDP 51871 between nodes.",
            "Same-node traffic is not encrypted; node-to-node (host) encryption is beta.",
            "With XDP acceleration some N/S load-balancer traffic redirected between nodes is "
            "not encrypted.",
            _KV_NOTE,
        ],
        inter_host=["veth", "ebpf", "vxlan", "wireguard"],
        datapath_cite=["cilium-wireguard", "cilium-routing"],
        extra_references=(CILIUM_WIREGUARD,),
        security_cite=("cilium-wireguard",),
        mobility={"cite": ["cilium-readme", "cilium-wireguard"]},
        operations_cite=("cilium-wireguard",),
    )


def _ipsec() -> dict:
    return _mode(
        "ipsec",
        "IPsec encryption, VXLAN tunnel",
        "Cilium with transparent IPsec (kernel XFRM, ESP in tunnel mode, keys from "
        "a Kubernetes secret) between nodes. Uses standard crypto such as AES-GCM, but adds "
        "ESP plus VXLAN headers and decrypts on one core per tunnel.",
        [
            "Assumes the default routing mode (VXLAN); the docs show ESP packets on "
            "cilium_vxlan when tunnelling is enabled. With native routing drop 'vxlan'.",
            "ESP tunnel mode per the XFRM reference guide ('mode tunnel' states).",
            "Limits: no IPv6-only clusters, no BPF host routing, no host policies, not with "
            "CNI chaining, at most 65535 nodes; decryption limited to one CPU core per tunnel.",
            "Keys must be rotated regularly (sequence-number exhaustion drops packets).",
            _KV_NOTE,
        ],
        inter_host=["veth", "ebpf", "ipsec-esp-tunnel", "vxlan"],
        datapath_cite=["cilium-ipsec", "cilium-xfrm-guide", "cilium-routing"],
        extra_references=(CILIUM_IPSEC, CILIUM_XFRM),
        security_cite=("cilium-ipsec",),
        mobility={"cite": ["cilium-readme", "cilium-ipsec"]},
        operations_cite=("cilium-ipsec",),
    )


@hookimpl
def cnadvisor_solutions() -> list[dict]:
    return [_vxlan(), _geneve(), _native(), _wireguard(), _ipsec()]
