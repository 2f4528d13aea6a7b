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

_SECURITY = {
    "isolation": "namespace",
    "network_policy": "l7",
    "cite": ["cilium-readme", "cilium-l7-policy", "cilium-envoy"],
}
_INTRA_HOST = ["veth", "ebpf", "veth"]
_KV_NOTE = (
    "Identities and node data are kept in a shared store (Kubernetes custom resources such "
    "as CiliumNode, or an etcd kvstore)."
)
_XDP_NOTE = "XDP accelerates NodePort/LoadBalancer service traffic, not pod-to-pod forwarding."
_OPS_CITE = ["cilium-routing", "cilium-xdp"]


def _tunnel_mobility() -> dict:
    return {
        "needs_kv_store": True,
        "external_access": [],
        "cite": ["cilium-readme", "cilium-routing"],
    }


def _vxlan() -> dict:
    return {
        "id": "cilium-vxlan",
        "name": "Cilium (VXLAN encapsulation, default)",
        "family": "kubernetes-cni",
        "variant_of": "Cilium",
        "summary": "Cilium's default mode: eBPF programs on each pod's veth do policy and "
        "forwarding, and all node-to-node traffic is VXLAN-encapsulated. Needs only IP "
        "reachability, costs 50 bytes per packet, and adds L7-aware policy.",
        "references": _BASE_REFS,
        "datapath": {
            "intra_host": _INTRA_HOST,
            "inter_host": ["veth", "ebpf", "vxlan"],
            "cite": ["cilium-routing"],
        },
        "security": _SECURITY,
        "mobility": _tunnel_mobility(),
        "operations": {
            "orchestrators": ["kubernetes"],
            "underlay": "ip",
            "mac_per_container": False,
            "packet_io": ["xdp"],
            "cite": _OPS_CITE,
        },
        "notes": [
            "VXLAN on UDP 8472 must be allowed between nodes.",
            "The source security identity travels in the encapsulation header.",
            _KV_NOTE,
            _XDP_NOTE,
            "IP families and Windows support not verified in the sources read: left unknown.",
        ],
    }


def _geneve() -> dict:
    return {
        "id": "cilium-geneve",
        "name": "Cilium (Geneve encapsulation)",
        "family": "kubernetes-cni",
        "variant_of": "Cilium",
        "summary": "Cilium with Geneve instead of VXLAN as tunnel protocol: same eBPF datapath "
        "and L7-aware policy over any IP network, 50 bytes of base overhead.",
        "references": _BASE_REFS,
        "datapath": {
            "intra_host": _INTRA_HOST,
            "inter_host": ["veth", "ebpf", "geneve"],
            "cite": ["cilium-routing"],
        },
        "security": _SECURITY,
        "mobility": _tunnel_mobility(),
        "operations": {
            "orchestrators": ["kubernetes"],
            "underlay": "ip",
            "mac_per_container": False,
            "packet_io": ["xdp"],
            "cite": _OPS_CITE,
        },
        "notes": [
            "Geneve on UDP 6081 must be allowed between nodes (tunnel-protocol: geneve).",
            "Geneve options Cilium may add (e.g. for DSR in Geneve dispatch mode) are not "
            "counted: extra_header_bytes left 0.",
            _KV_NOTE,
            _XDP_NOTE,
        ],
    }


def _native() -> dict:
    return {
        "id": "cilium-native",
        "name": "Cilium (native routing)",
        "family": "kubernetes-cni",
        "variant_of": "Cilium",
        "summary": "Cilium without encapsulation: packets not for a local pod go to the "
        "Linux routing table, so the network must route pod CIDRs (shared L2 with "
        "auto-direct-node-routes, a BGP daemon, or cloud routers). No tunnel overhead.",
        "references": _BASE_REFS,
        "datapath": {
            "intra_host": _INTRA_HOST,
            "inter_host": ["veth", "ebpf", "routed-hop"],
            "cite": ["cilium-routing"],
        },
        "security": _SECURITY,
        "mobility": {
            "needs_kv_store": True,
            "routable_ips": True,
            "external_access": ["routed"],
            "cite": ["cilium-readme", "cilium-routing"],
        },
        "operations": {
            "orchestrators": ["kubernetes"],
            "underlay": "l2-or-bgp",
            "mac_per_container": False,
            "packet_io": ["xdp"],
            "cite": _OPS_CITE,
        },
        "notes": [
            "routing-mode: native plus ipv4-native-routing-cidr; routes come from "
            "auto-direct-node-routes (one L2 segment) or a BGP daemon / cloud router.",
            "The docs recommend native routing for XDP acceleration.",
            _KV_NOTE,
            _XDP_NOTE,
        ],
    }


def _wireguard() -> dict:
    return {
        "id": "cilium-wireguard",
        "name": "Cilium (WireGuard encryption, VXLAN tunnel)",
        "family": "kubernetes-cni",
        "variant_of": "Cilium",
        "summary": "Cilium with transparent WireGuard encryption between nodes. In the default "
        "tunnel mode pod traffic is encapsulated twice (VXLAN, then WireGuard): strong "
        "encryption without a mesh, at about 110 bytes per packet and crypto CPU.",
        "references": [*_BASE_REFS, CILIUM_WIREGUARD],
        "datapath": {
            "intra_host": _INTRA_HOST,
            "inter_host": ["veth", "ebpf", "vxlan", "wireguard"],
            "cite": ["cilium-wireguard", "cilium-routing"],
        },
        "security": {**_SECURITY, "cite": [*_SECURITY["cite"], "cilium-wireguard"]},
        "mobility": {
            "needs_kv_store": True,
            "external_access": [],
            "cite": ["cilium-readme", "cilium-wireguard"],
        },
        "operations": {
            "orchestrators": ["kubernetes"],
            "underlay": "ip",
            "mac_per_container": False,
            "packet_io": ["xdp"],
            "cite": [*_OPS_CITE, "cilium-wireguard"],
        },
        "notes": [
            "Assumes the default routing mode (VXLAN encapsulation); the WireGuard docs state "
            "tunnelled pod traffic is encapsulated twice. With native routing drop 'vxlan'.",
            "Public keys are published in the CiliumNode resource; UDP 51871 between nodes.",
            "Same-node traffic is not encrypted; node-to-node (host) encryption is beta.",
            "With XDP acceleration some N/S load-balancer traffic redirected between nodes is "
            "not encrypted.",
            _KV_NOTE,
        ],
    }


def _ipsec() -> dict:
    return {
        "id": "cilium-ipsec",
        "name": "Cilium (IPsec encryption, VXLAN tunnel)",
        "family": "kubernetes-cni",
        "variant_of": "Cilium",
        "summary": "Cilium with transparent IPsec (kernel XFRM, ESP in tunnel mode, keys from "
        "a Kubernetes secret) between nodes. Uses standard crypto such as AES-GCM, but adds "
        "ESP plus VXLAN headers and decrypts on one core per tunnel.",
        "references": [*_BASE_REFS, CILIUM_IPSEC, CILIUM_XFRM],
        "datapath": {
            "intra_host": _INTRA_HOST,
            "inter_host": ["veth", "ebpf", "ipsec-esp-tunnel", "vxlan"],
            "cite": ["cilium-ipsec", "cilium-xfrm-guide", "cilium-routing"],
        },
        "security": {**_SECURITY, "cite": [*_SECURITY["cite"], "cilium-ipsec"]},
        "mobility": {
            "needs_kv_store": True,
            "external_access": [],
            "cite": ["cilium-readme", "cilium-ipsec"],
        },
        "operations": {
            "orchestrators": ["kubernetes"],
            "underlay": "ip",
            "mac_per_container": False,
            "packet_io": ["xdp"],
            "cite": [*_OPS_CITE, "cilium-ipsec"],
        },
        "notes": [
            "Assumes the default routing mode (VXLAN); the docs show ESP packets on "
            "cilium_vxlan when tunnelling is enabled. With native routing drop 'vxlan'.",
            "ESP tunnel mode per the XFRM reference guide ('mode tunnel' states).",
            "Limits: no IPv6-only clusters, no BPF host routing, no host policies, not with "
            "CNI chaining, at most 65535 nodes; decryption limited to one CPU core per tunnel.",
            "Keys must be rotated regularly (sequence-number exhaustion drops packets).",
            _KV_NOTE,
        ],
    }


@hookimpl
def cnadvisor_solutions() -> list[dict]:
    return [_vxlan(), _geneve(), _native(), _wireguard(), _ipsec()]
