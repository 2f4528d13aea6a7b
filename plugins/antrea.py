"""Antrea, the Open vSwitch based Kubernetes CNI: Geneve encapsulation (default), NoEncap and
Hybrid traffic modes, and IPsec or WireGuard encryption.

Each Node runs an OVS bridge (br-int): Pods attach through veth pairs, antrea-gw0 is the
gateway to the host stack and antrea-tun0 the tunnel port. Policies are OVS flows.
"""

from __future__ import annotations

from cnadvisor import hookimpl

ANTREA_ARCH = {
    "id": "antrea-architecture",
    "title": "Antrea docs: Antrea Architecture",
    "url": "https://github.com/antrea-io/antrea/blob/main/docs/design/architecture.md",
}
ANTREA_MODES = {
    "id": "antrea-noencap-hybrid",
    "title": "Antrea docs: NoEncap and Hybrid Traffic Modes of Antrea",
    "url": "https://github.com/antrea-io/antrea/blob/main/docs/noencap-hybrid-modes.md",
}
ANTREA_ENCRYPTION = {
    "id": "antrea-traffic-encryption",
    "title": "Antrea docs: Traffic Encryption with Antrea",
    "url": "https://github.com/antrea-io/antrea/blob/main/docs/traffic-encryption.md",
}
ANTREA_WINDOWS = {
    "id": "antrea-windows",
    "title": "Antrea docs: Deploying Antrea on Windows Nodes",
    "url": "https://github.com/antrea-io/antrea/blob/main/docs/windows.md",
}
ANTREA_L7 = {
    "id": "antrea-l7-policy",
    "title": "Antrea docs: Antrea Layer 7 NetworkPolicy",
    "url": "https://github.com/antrea-io/antrea/blob/main/docs/antrea-l7-network-policy.md",
}
ANTREA_VALUES = {
    "id": "antrea-helm-values",
    "title": "Antrea Helm chart values.yaml (tunnelType defaults to geneve)",
    "url": "https://github.com/antrea-io/antrea/blob/main/build/charts/antrea/values.yaml",
}
OVS_IPSEC = {
    "id": "ovs-monitor-ipsec",
    "title": "Open vSwitch ovs-monitor-ipsec (IKE connections use type=transport)",
    "url": "https://github.com/openvswitch/ovs/blob/main/ipsec/ovs-monitor-ipsec.in",
}

_REFS = [ANTREA_ARCH, ANTREA_MODES, ANTREA_WINDOWS, ANTREA_L7, ANTREA_VALUES]

_L7_NOTE = (
    "Enforces Kubernetes and Antrea-native policies as OVS flows; L7 (HTTP, TLS) policy is "
    "its own but behind the L7NetworkPolicy feature gate (alpha, off by default)."
)
_KV_NOTE = "Pod CIDRs come from the Kubernetes NodeIPAMController (state in the Kubernetes API)."


def _mode(
    mode: str,
    label: str,
    summary: str,
    notes: list[str],
    *,
    inter_host: list[str],
    datapath_cite: list[str],
    operations: dict,
    extra_references: tuple[dict, ...] = (),
    mobility: dict | None = None,
) -> dict:
    """One Antrea mode; ``mobility`` and ``operations`` update the tunnelled modes' sections."""
    return {
        "id": f"antrea-{mode}",
        "name": f"Antrea ({label})",
        "family": "kubernetes-cni",
        "variant_of": "Antrea",
        "summary": summary,
        "references": [*_REFS, *extra_references],
        "datapath": {
            "intra_host": ["veth", "ovs", "veth"],
            "inter_host": inter_host,
            "cite": datapath_cite,
        },
        "security": {
            "isolation": "namespace",
            "network_policy": "l7",
            "cite": ["antrea-architecture", "antrea-l7-policy"],
        },
        "mobility": {
            "needs_kv_store": True,
            "routable_ips": False,
            "external_access": [],
            "cite": ["antrea-architecture"],
            **(mobility or {}),
        },
        "operations": {
            "orchestrators": ["kubernetes"],
            "underlay": "ip",
            "mac_per_container": False,
            **operations,
        },
        "notes": notes,
    }


def _encap() -> dict:
    return _mode(
        "encap",
        "Encap mode, Geneve",
        "Antrea's default: OVS switches pod traffic and tunnels it between Nodes "
        "with Geneve. Works over any IP network and on Windows Nodes, with rich OVS-based "
        "policy, at 50 bytes of overhead per packet.",
        [
            "VXLAN, GRE and STT are alternative tunnel types (tunnelType).",
            _KV_NOTE,
            _L7_NOTE,
            "IP families and packet-IO acceleration not verified in the sources read.",
        ],
        inter_host=["veth", "ovs", "geneve"],
        datapath_cite=["antrea-architecture", "antrea-helm-values"],
        operations={"windows_nodes": True, "cite": ["antrea-architecture", "antrea-windows"]},
    )


def _noencap() -> dict:
    return _mode(
        "noencap",
        "NoEncap mode",
        "Antrea without tunnels: pod traffic leaves through antrea-gw0 and is routed "
        "by the Node network (static routes in one subnet, cloud routes or BGP otherwise). "
        "No encapsulation overhead, but the fabric must route pod CIDRs.",
        [
            "Across subnets the Node network must route pod CIDRs: cloud Route Controller, "
            "manual routes, or BGP (e.g. kube-router in advertisement-only mode).",
            "Requires Antrea Proxy for correct NetworkPolicy enforcement; used on GKE.",
            "Pod-to-external traffic is masqueraded by an iptables rule.",
            _KV_NOTE,
            _L7_NOTE,
            "Windows support for this mode not documented in the sources read: unknown.",
        ],
        inter_host=["veth", "ovs", "routed-hop"],
        datapath_cite=["antrea-architecture", "antrea-noencap-hybrid"],
        mobility={
            "routable_ips": True,
            "external_access": ["routed"],
            "cite": ["antrea-architecture", "antrea-noencap-hybrid"],
        },
        operations={"underlay": "l2-or-bgp", "cite": ["antrea-noencap-hybrid"]},
    )


def _hybrid() -> dict:
    return _mode(
        "hybrid",
        "Hybrid mode",
        "Antrea routes pod traffic directly between Nodes of the same subnet and "
        "tunnels it only across subnets: native speed inside a subnet, still working over "
        "any IP network, but the Node network must accept packets with pod source IPs.",
        [
            "inter_host describes the same-subnet (routed) path; traffic to Nodes in other "
            "subnets is Geneve-encapsulated like antrea-encap (+50 bytes).",
            "The Node network (or cloud, e.g. GCE IP forwarding) must let pod IPs leave NICs.",
            _KV_NOTE,
            _L7_NOTE,
        ],
        inter_host=["veth", "ovs", "routed-hop"],
        datapath_cite=["antrea-architecture", "antrea-noencap-hybrid"],
        mobility={"cite": ["antrea-architecture", "antrea-noencap-hybrid"]},
        operations={"cite": ["antrea-noencap-hybrid"]},
    )


def _ipsec() -> dict:
    return _mode(
        "ipsec",
        "IPsec encryption, GRE tunnel",
        "Antrea with OVS IPsec: the inter-Node tunnel (GRE in the IPsec manifest) is "
        "protected by ESP with strongSwan and a pre-shared key. Encrypts pod traffic on Linux "
        "Nodes at the cost of tunnel plus ESP headers and crypto CPU.",
        [
            "The IPsec deployment yaml uses GRE by default; Geneve, VXLAN and STT also work "
            "(GRE not for IPv6 or dual-stack clusters).",
            "ESP transport mode over the tunnel packets, as configured by OVS's "
            "ovs-monitor-ipsec (type=transport).",
            "Only PSK authentication; Egress traffic to the Egress Node is not encrypted.",
            _KV_NOTE,
            _L7_NOTE,
        ],
        inter_host=["veth", "ovs", "gre", "ipsec-esp-transport"],
        datapath_cite=["antrea-traffic-encryption", "antrea-architecture", "ovs-monitor-ipsec"],
        operations={"windows_nodes": False, "cite": ["antrea-traffic-encryption"]},
        extra_references=(ANTREA_ENCRYPTION, OVS_IPSEC),
    )


def _wireguard() -> dict:
    return _mode(
        "wireguard",
        "WireGuard encryption",
        "Antrea with WireGuard used in place of the tunnel: inter-Node pod traffic "
        "is encrypted by the kernel WireGuard module (60 bytes per packet); Linux Nodes "
        "only and only in Encap mode.",
        [
            "WireGuard 'works like another tunnel type': no Geneve inside; not applicable "
            "with hybrid, noEncap or networkPolicyOnly modes.",
            "Needs the wireguard kernel module (mainline since Linux 5.6); Antrea >= 1.3.",
            "The routed-hop stage (antrea-gw0 to the WireGuard device) is our reading of "
            "the architecture, not stated in the encryption docs.",
            _KV_NOTE,
            _L7_NOTE,
        ],
        inter_host=["veth", "ovs", "routed-hop", "wireguard"],
        datapath_cite=["antrea-traffic-encryption", "antrea-architecture"],
        operations={"windows_nodes": False, "cite": ["antrea-traffic-encryption"]},
        extra_references=(ANTREA_ENCRYPTION,),
    )


@hookimpl
def cnadvisor_solutions() -> list[dict]:
    return [_encap(), _noencap(), _hybrid(), _ipsec(), _wireguard()]
