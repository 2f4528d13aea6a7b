"""Project Calico (open source): BGP without encapsulation, IP-in-IP, VXLAN, the eBPF data plane
and WireGuard encryption.

Calico's CNI plugin joins each pod to the host's L3 routing with a veth pair (no bridge); the
standard data plane enforces policy with iptables, the eBPF data plane with tc/XDP programs.
"""

from __future__ import annotations

from cnadvisor import hookimpl

CALICO_OVERLAY = {
    "id": "calico-overlay",
    "title": "Calico docs: Overlay networking (VXLAN and IP in IP)",
    "url": "https://docs.tigera.io/calico/latest/networking/configuring/vxlan-ipip",
}
CALICO_BEST = {
    "id": "calico-determine-networking",
    "title": "Calico docs: Determine best networking option",
    "url": "https://docs.tigera.io/calico/latest/networking/determine-best-networking",
}
CALICO_ARCH = {
    "id": "calico-architecture",
    "title": "Calico docs: Component architecture",
    "url": "https://docs.tigera.io/calico/latest/reference/architecture/overview",
    "locator": "Datastore plugin; BIRD",
}
CALICO_MTU = {
    "id": "calico-mtu",
    "title": "Calico docs: Configure MTU to maximize network performance",
    "url": "https://docs.tigera.io/calico/latest/networking/configuring/mtu",
    "locator": "Recommended MTU for overlay networking",
}
CALICO_IPV6 = {
    "id": "calico-ipv6",
    "title": "Calico docs: Configure dual stack or IPv6 only",
    "url": "https://docs.tigera.io/calico/latest/networking/ipam/ipv6",
}
CALICO_WINDOWS = {
    "id": "calico-windows-limitations",
    "title": "Calico docs: Calico for Windows limitations",
    "url": "https://docs.tigera.io/calico/latest/getting-started/kubernetes/windows-calico/limitations",
}
CALICO_AZURE = {
    "id": "calico-azure",
    "title": "Calico docs: Azure (public cloud reference)",
    "url": "https://docs.tigera.io/calico/latest/reference/public-cloud/azure",
    "locator": "Does Azure support Calico networking?",
}
CALICO_SPECIFIC_IP = {
    "id": "calico-specific-ip",
    "title": "Calico docs: Use a specific IP address with a pod",
    "url": "https://docs.tigera.io/calico/latest/networking/ipam/use-specific-ip",
}
CALICO_EBPF_ENABLE = {
    "id": "calico-ebpf-enable",
    "title": "Calico docs: Enabling the eBPF data plane",
    "url": "https://docs.tigera.io/calico/latest/operations/ebpf/enabling-ebpf",
    "locator": "Before you begin: Supported / Not supported",
}
CALICO_EBPF_USES = {
    "id": "calico-ebpf-use-cases",
    "title": "Calico docs: eBPF use cases",
    "url": "https://docs.tigera.io/calico/latest/operations/ebpf/use-cases-ebpf",
}
CALICO_XDP = {
    "id": "calico-dos-xdp",
    "title": "Calico docs: Defend against DoS attacks (XDP early drop)",
    "url": "https://docs.tigera.io/calico/latest/network-policy/extreme-traffic/defend-dos-attack",
    "locator": "Earliest packet processing",
}
CALICO_WIREGUARD = {
    "id": "calico-wireguard",
    "title": "Calico docs: Encrypt in-cluster pod traffic (WireGuard)",
    "url": "https://docs.tigera.io/calico/latest/network-policy/encrypt-cluster-pod-traffic",
}

_BASE_REFS = [
    CALICO_OVERLAY,
    CALICO_BEST,
    CALICO_ARCH,
    CALICO_MTU,
    CALICO_IPV6,
    CALICO_WINDOWS,
    CALICO_SPECIFIC_IP,
    CALICO_XDP,
]

_KV_NOTE = "Routes/IPAM state kept in the Kubernetes API datastore (kdd) or in etcd."
_IP_NOTE = "A pod can be pinned to a chosen IP (cni.projectcalico.org/ipAddrs annotation)."
_XDP_NOTE = "XDP is used only to drop traffic early (DoS deny rules), not to forward pod traffic."


def _mode(
    mode: str,
    name: str,
    summary: str,
    notes: list[str],
    *,
    datapath: dict,
    mobility: dict,
    operations: dict,
    security_cite: tuple[str, ...] = (),
    extra_references: tuple[dict, ...] = (),
) -> dict:
    """One Calico mode: each section is the standard data plane's, updated with what differs."""
    return {
        "id": f"calico-{mode}",
        "name": name,
        "family": "kubernetes-cni",
        "variant_of": "Calico",
        "summary": summary,
        "references": [*_BASE_REFS, *extra_references],
        "datapath": {"intra_host": ["veth", "routed-hop", "iptables", "veth"], **datapath},
        "security": {
            "isolation": "namespace",
            "network_policy": "l3-l4",
            "multi_tenancy": None,
            "cite": ["calico-determine-networking", *security_cite],
        },
        "mobility": {
            "needs_kv_store": True,
            "ip_kept_on_move": True,
            "external_access": [],
            "cite": ["calico-determine-networking", "calico-architecture", "calico-specific-ip"],
            **mobility,
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


def _bgp() -> dict:
    return _mode(
        "bgp",
        "Calico (BGP, no encapsulation)",
        "Calico's recommended mode: pods are plain L3 endpoints routed by the host "
        "kernel and BGP distributes the routes, so the packet on the wire is the pod's own. "
        "Fastest and routable, but hosts must share L2 or peer with the fabric.",
        [
            "Pod IPs are routable outside the cluster only when BGP peers with the fabric "
            "(e.g. top-of-rack routers); with a node-to-node mesh on one L2 network they are not.",
            _KV_NOTE,
            _IP_NOTE,
            _XDP_NOTE,
        ],
        datapath={
            "inter_host": ["veth", "iptables", "routed-hop"],
            "cite": ["calico-determine-networking", "calico-overlay"],
        },
        mobility={"routable_ips": True, "external_access": ["routed"]},
        operations={
            "underlay": "l2-or-bgp",
            "windows_nodes": True,
            "packet_io": ["xdp"],
            "cite": [
                "calico-determine-networking",
                "calico-ipv6",
                "calico-windows-limitations",
                "calico-dos-xdp",
            ],
        },
    )


def _ipip() -> dict:
    return _mode(
        "ipip",
        "Calico (IP-in-IP overlay)",
        "Calico with IP-in-IP tunnels between hosts: the smallest overlay header (20 "
        "bytes) and no fabric integration, but IPv4 only, not usable on Azure or with Windows "
        "nodes, and pod IPs are not routable outside the cluster.",
        [
            "IPIP packets are blocked by the Azure network fabric; use VXLAN there.",
            "Windows does not support IP-in-IP, so no cluster with Windows nodes can use it.",
            "Not supported by the eBPF data plane.",
            "CrossSubnet mode encapsulates only traffic that crosses a subnet boundary "
            "(recommended); this profile describes ipipMode Always.",
            "IPIP routes are distributed by BGP by default.",
            _KV_NOTE,
            _IP_NOTE,
            _XDP_NOTE,
        ],
        datapath={
            "inter_host": ["veth", "iptables", "routed-hop", "ipip"],
            "cite": ["calico-overlay", "calico-mtu"],
        },
        mobility={"routable_ips": False},
        operations={
            "ip_families": ["ipv4"],
            "windows_nodes": False,
            "packet_io": ["xdp"],
            "cite": [
                "calico-overlay",
                "calico-windows-limitations",
                "calico-azure",
                "calico-dos-xdp",
            ],
        },
        extra_references=(CALICO_AZURE,),
    )


def _vxlan() -> dict:
    return _mode(
        "vxlan",
        "Calico (VXLAN overlay)",
        "Calico with VXLAN tunnels between hosts: runs on almost any IP network "
        "(including Azure) without BGP, for 50 bytes of overhead per packet; pod IPs are not "
        "routable outside the cluster.",
        [
            "This profile describes vxlanMode Always; CrossSubnet (recommended) skips "
            "encapsulation inside a subnet.",
            "VXLAN over IPv6 needs kernel >= 4.19.1 (RHEL >= 4.18.0) and costs 70 bytes.",
            "With only VXLAN pools BGP can be disabled; Felix programs the routes.",
            "Windows nodes: no cross-subnet mode and no VXLAN MTU settings.",
            _KV_NOTE,
            _IP_NOTE,
            _XDP_NOTE,
        ],
        datapath={
            "inter_host": ["veth", "iptables", "routed-hop", "vxlan"],
            "cite": ["calico-overlay", "calico-mtu"],
        },
        mobility={"routable_ips": False},
        operations={
            "windows_nodes": True,
            "packet_io": ["xdp"],
            "cite": [
                "calico-overlay",
                "calico-ipv6",
                "calico-windows-limitations",
                "calico-azure",
                "calico-dos-xdp",
            ],
        },
        extra_references=(CALICO_AZURE,),
    )


def _ebpf() -> dict:
    return _mode(
        "ebpf",
        "Calico (eBPF data plane, VXLAN)",
        "Calico with its eBPF data plane in place of iptables and kube-proxy: "
        "policy, forwarding and service load balancing in tc/XDP programs for lower latency "
        "and no service NAT on the path; needs a recent kernel and the Kubernetes datastore.",
        [
            "Assumes the VXLAN overlay, which the docs recommend for eBPF mode (IPIP is not "
            "supported); without encapsulation drop the 'vxlan' stage and the pod IPs can be "
            "routable like calico-bgp.",
            "Needs Linux >= 5.10 (or RHEL 8.4 4.18.0-305+), x86-64/arm64, and the Kubernetes "
            "API datastore (the etcd datastore is not supported).",
            "Not supported: GKE, clusters mixing eBPF with standard or Windows nodes, SCTP, "
            "floating IPs.",
            "NodePort traffic between nodes is forwarded over VXLAN in eBPF mode.",
            _IP_NOTE,
        ],
        datapath={
            "intra_host": ["veth", "ebpf", "veth"],
            "inter_host": ["veth", "ebpf", "vxlan"],
            "cite": ["calico-ebpf-enable", "calico-ebpf-use-cases", "calico-mtu"],
        },
        security_cite=("calico-ebpf-use-cases",),
        mobility={
            "routable_ips": False,
            "cite": [
                "calico-determine-networking",
                "calico-ebpf-enable",
                "calico-architecture",
                "calico-specific-ip",
            ],
        },
        operations={
            "windows_nodes": False,
            "packet_io": ["xdp"],
            "cite": [
                "calico-ebpf-enable",
                "calico-ipv6",
                "calico-windows-limitations",
                "calico-dos-xdp",
            ],
        },
        extra_references=(CALICO_EBPF_ENABLE, CALICO_EBPF_USES),
    )


def _wireguard() -> dict:
    return _mode(
        "wireguard",
        "Calico (WireGuard encryption)",
        "Calico with WireGuard tunnels between nodes: inter-node pod traffic is "
        "encrypted host to host, replacing IPIP/VXLAN between WireGuard nodes, at 60 bytes "
        "(IPv4) of overhead and crypto CPU; same-node traffic stays in clear.",
        [
            "Between two nodes that both run WireGuard only WireGuard encapsulation is used "
            "(no IPIP/VXLAN inside); MTU = physical MTU - 60 (IPv4) or - 80 (IPv6).",
            "Only the host-to-host part is encrypted; same-node pod traffic is not.",
            "Not supported on GKE; not available for Windows nodes.",
            "The docs list IPv4 and IPv6 (wireguardEnabledV6) but also say inter-node pod "
            "traffic encryption is IPv4 only: IPv6 support is doubtful.",
            "Whether pod IPs are routable outside the cluster depends on the underlying mode "
            "(BGP or overlay): left unknown.",
            _KV_NOTE,
        ],
        datapath={
            "inter_host": ["veth", "iptables", "routed-hop", "wireguard"],
            "cite": ["calico-wireguard", "calico-mtu"],
        },
        security_cite=("calico-wireguard",),
        mobility={"cite": ["calico-architecture", "calico-specific-ip"]},
        operations={
            "ip_families": ["ipv4", "ipv6"],
            "windows_nodes": False,
            "cite": ["calico-wireguard", "calico-windows-limitations"],
        },
        extra_references=(CALICO_WIREGUARD,),
    )


@hookimpl
def cnadvisor_solutions() -> list[dict]:
    return [_bgp(), _ipip(), _vxlan(), _ebpf(), _wireguard()]
