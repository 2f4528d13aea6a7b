"""Linux ipvlan in its three modes: L2, L3 and L3S.

ipvlan sub-interfaces share the master NIC's MAC address and demultiplex by IP
address, so no promiscuous mode is needed (kernel IPVLAN HOWTO).
"""

from __future__ import annotations

from cnadvisor import hookimpl

KERNEL_IPVLAN = {
    "id": "kernel-ipvlan",
    "title": "Linux kernel docs: IPVLAN Driver HOWTO",
    "url": "https://www.kernel.org/doc/html/v5.12/networking/ipvlan.html",
    "locator": "4. Operating modes; 6. What to choose (macvlan vs. ipvlan)?",
}
DOCKER_IPVLAN = {
    "id": "docker-ipvlan",
    "title": "Docker docs: IPvlan network driver",
    "url": "https://docs.docker.com/engine/network/drivers/ipvlan/",
}
CNI_IPVLAN = {
    "id": "cni-ipvlan",
    "title": "CNI reference plugins: ipvlan plugin",
    "url": "https://www.cni.dev/plugins/current/main/ipvlan/",
}


_NO_HOST_NOTE = "Containers cannot reach the host (master interface) over ipvlan (CNI, Docker)."


def _mode(
    mode: str,
    label: str,
    summary: str,
    notes: list[str],
    *,
    stages: list[str],
    external_access: str,
    underlay: str,
    datapath_cite: tuple[str, ...] = ("kernel-ipvlan", "docker-ipvlan"),
    ip_families: tuple[str, ...] = ("ipv4", "ipv6", "dual-stack"),
) -> dict:
    """One ipvlan mode; the modes differ in stages, reach and underlay, not in policy."""
    operations = {
        "orchestrators": ["docker", "kubernetes", "standalone"],
        "underlay": underlay,
        "mac_per_container": False,
        "cite": ["docker-ipvlan", "cni-ipvlan"],
    }
    if ip_families:
        operations["ip_families"] = list(ip_families)
    return {
        "id": f"ipvlan-{mode}",
        "name": f"ipvlan, {label} mode",
        "family": "kernel-driver",
        "variant_of": "ipvlan",
        "summary": summary,
        "references": [KERNEL_IPVLAN, DOCKER_IPVLAN, CNI_IPVLAN],
        "datapath": {
            "intra_host": list(stages),
            "inter_host": list(stages),
            "cite": list(datapath_cite),
        },
        "security": {
            "isolation": "namespace",
            "network_policy": "none",
            "needs_promiscuous": False,
            "cite": ["kernel-ipvlan", "cni-ipvlan"],
        },
        "mobility": {
            "needs_kv_store": False,
            "routable_ips": True,
            "external_access": [external_access],
            "cite": ["docker-ipvlan"],
        },
        "operations": operations,
        "notes": notes,
    }


def _l2() -> dict:
    return _mode(
        "l2",
        "L2",
        "Containers sit on the host's L2 segment behind the master NIC's single MAC; "
        "the driver switches by IP and passes broadcast/multicast. Cheap and switch-friendly "
        "(one MAC per port), but containers cannot reach their own host through it.",
        [
            _NO_HOST_NOTE,
            "Different subnets on one parent need an external router in L2 mode (Docker).",
            "DHCP needs a client ID because all sub-interfaces share one MAC (CNI docs).",
            "moby/moby#34915 reports the parent still entering promiscuous mode under Docker.",
        ],
        stages=["ipvlan-l2"],
        external_access="l2",
        underlay="l2",
    )


def _l3() -> dict:
    return _mode(
        "l3",
        "L3",
        "The master NIC acts as a router for its sub-interfaces: no broadcast or "
        "multicast, one MAC on the wire, routing between subnets on one parent. Scales well, "
        "but the network must be given routes to the container subnets.",
        [
            "Remote hosts or the fabric need routes to the container subnets via the host; "
            "the Docker driver does not distribute them (route distribution is left to you).",
            "Slaves neither send nor receive broadcast/multicast; no ARP from containers.",
            _NO_HOST_NOTE,
        ],
        stages=["ipvlan-l3"],
        external_access="routed",
        underlay="l2-or-bgp",
    )


def _l3s() -> dict:
    return _mode(
        "l3s",
        "L3S (L3-symmetric)",
        "Like L3 mode, but traffic passes netfilter connection tracking in the host "
        "namespace in both directions, so iptables policy works; slightly slower than plain L3.",
        [
            "'iptables' stands for the conntrack/netfilter pass that L3S adds over L3.",
            "Routing requirements are as for L3 mode: the fabric needs routes to the subnets.",
            _NO_HOST_NOTE,
        ],
        stages=["ipvlan-l3", "iptables"],
        external_access="routed",
        underlay="l2-or-bgp",
        datapath_cite=("kernel-ipvlan",),
        ip_families=(),  # left unset for L3S
    )


@hookimpl
def cnadvisor_solutions() -> list[dict]:
    return [_l2(), _l3(), _l3s()]
