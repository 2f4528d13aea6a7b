"""Linux macvlan in its five modes: private, vepa, bridge, passthru and source.

Each container gets a macvlan sub-interface of a host NIC with its own MAC
address, so it appears directly on the physical L2 segment. The modes differ in
how traffic between sub-interfaces of one parent is handled (ip-link(8)).
"""

from __future__ import annotations

from cnadvisor import hookimpl

IP_LINK = {
    "id": "ip-link-man",
    "title": "ip-link(8) manual page, iproute2",
    "url": "https://man7.org/linux/man-pages/man8/ip-link.8.html",
    "locator": "MACVLAN and MACVTAP Type Support",
}
DOCKER_MACVLAN = {
    "id": "docker-macvlan",
    "title": "Docker docs: Macvlan network driver",
    "url": "https://docs.docker.com/engine/network/drivers/macvlan/",
    "locator": "Platform support and requirements; Options",
}
CNI_MACVLAN = {
    "id": "cni-macvlan",
    "title": "CNI reference plugins: macvlan plugin",
    "url": "https://www.cni.dev/plugins/current/main/macvlan/",
}
KERNEL_IPVLAN = {
    "id": "kernel-ipvlan",
    "title": "Linux kernel docs: IPVLAN Driver HOWTO",
    "url": "https://www.kernel.org/doc/html/v5.12/networking/ipvlan.html",
    "locator": "6. What to choose (macvlan vs. ipvlan)?",
}
LINUX_MACVLAN_C = {
    "id": "linux-macvlan-c",
    "title": "Linux kernel source: drivers/net/macvlan.c (macvlan_queue_xmit)",
    "url": "https://github.com/torvalds/linux/blob/master/drivers/net/macvlan.c",
}


def _private() -> dict:
    return {
        "id": "macvlan-private",
        "name": "macvlan, private mode",
        "family": "kernel-driver",
        "variant_of": "macvlan",
        "summary": "Each container has its own MAC on a sub-interface of the host NIC and sits "
        "directly on the physical LAN; private mode forbids any traffic between "
        "sub-interfaces of the same parent, trading same-host reachability for isolation.",
        "references": [IP_LINK, DOCKER_MACVLAN, CNI_MACVLAN, KERNEL_IPVLAN],
        "datapath": {
            "intra_host": ["macvlan"],
            "inter_host": ["macvlan"],
            "cite": ["ip-link-man"],
        },
        "security": {
            "isolation": "namespace",
            "network_policy": "none",
            "needs_promiscuous": True,
            "cite": ["docker-macvlan", "kernel-ipvlan"],
        },
        "mobility": {
            "needs_kv_store": False,
            "routable_ips": True,
            "external_access": ["l2"],
            "cite": ["docker-macvlan"],
        },
        "operations": {
            "orchestrators": ["docker", "kubernetes", "standalone"],
            "underlay": "l2",
            "mac_per_container": True,
            "ip_families": ["ipv4", "ipv6", "dual-stack"],
            "windows_nodes": False,
            "cite": ["docker-macvlan", "cni-macvlan"],
        },
        "notes": [
            "Cannot carry intra-host traffic at all: private mode blocks communication "
            "between macvlan instances on one parent even if the switch does hairpin; "
            "'intra_host' only lists the stage such a frame would enter.",
            "Most cloud providers block macvlan (Docker docs); the NIC must accept many MACs.",
        ],
    }


def _vepa() -> dict:
    return {
        "id": "macvlan-vepa",
        "name": "macvlan, VEPA mode",
        "family": "kernel-driver",
        "variant_of": "macvlan",
        "summary": "Containers get their own MACs on the physical LAN; every frame, even to a "
        "neighbour on the same host, is sent out of the NIC so an external 802.1Qbg switch "
        "can apply its policy, at the cost of a round trip to the switch.",
        "references": [IP_LINK, DOCKER_MACVLAN, CNI_MACVLAN, KERNEL_IPVLAN],
        "datapath": {
            "intra_host": ["macvlan"],
            "inter_host": ["macvlan"],
            "cite": ["ip-link-man"],
        },
        "security": {
            "isolation": "namespace",
            "network_policy": "none",
            "needs_promiscuous": True,
            "cite": ["docker-macvlan", "kernel-ipvlan"],
        },
        "mobility": {
            "needs_kv_store": False,
            "routable_ips": True,
            "external_access": ["l2"],
            "cite": ["docker-macvlan"],
        },
        "operations": {
            "orchestrators": ["docker", "kubernetes", "standalone"],
            "underlay": "l2",
            "mac_per_container": True,
            "ip_families": ["ipv4", "ipv6", "dual-stack"],
            "windows_nodes": False,
            "cite": ["docker-macvlan", "cni-macvlan"],
        },
        "notes": [
            "Intra-host traffic leaves the host: it needs a hairpin-capable (802.1Qbg/VEPA) "
            "switch or a router to come back; 'intra_host' lists only the host-side stage.",
            "VEPA is the kernel default mode; Docker and the CNI plugin default to bridge.",
            "Most cloud providers block macvlan (Docker docs); the NIC must accept many MACs.",
        ],
    }


def _bridge() -> dict:
    return {
        "id": "macvlan-bridge",
        "name": "macvlan, bridge mode",
        "family": "kernel-driver",
        "variant_of": "macvlan",
        "summary": "Containers get their own MACs on sub-interfaces of the host NIC and appear "
        "on the physical LAN; sub-interfaces of one parent are switched in the kernel, so it "
        "is fast and bridge-free, but needs a promiscuous-capable L2 network.",
        "references": [IP_LINK, DOCKER_MACVLAN, CNI_MACVLAN, KERNEL_IPVLAN],
        "datapath": {
            "intra_host": ["macvlan"],
            "inter_host": ["macvlan"],
            "cite": ["ip-link-man"],
        },
        "security": {
            "isolation": "namespace",
            "network_policy": "none",
            "needs_promiscuous": True,
            "cite": ["docker-macvlan", "kernel-ipvlan"],
        },
        "mobility": {
            "needs_kv_store": False,
            "routable_ips": True,
            "external_access": ["l2"],
            "cite": ["docker-macvlan"],
        },
        "operations": {
            "orchestrators": ["docker", "kubernetes", "standalone"],
            "underlay": "l2",
            "mac_per_container": True,
            "ip_families": ["ipv4", "ipv6", "dual-stack"],
            "windows_nodes": False,
            "cite": ["docker-macvlan", "cni-macvlan"],
        },
        "notes": [
            "Default mode of the Docker macvlan driver and of the CNI macvlan plugin.",
            "Most cloud providers block macvlan (Docker docs); the NIC must accept many MACs.",
            "Many unique MACs can exhaust switch tables ('VLAN spread', Docker docs).",
        ],
    }


def _passthru() -> dict:
    return {
        "id": "macvlan-passthru",
        "name": "macvlan, passthru mode",
        "family": "kernel-driver",
        "variant_of": "macvlan",
        "summary": "A single macvlan endpoint takes over the parent NIC and receives all of its "
        "traffic (it may change its MAC or go promiscuous); only one container per NIC, so "
        "it suits a dedicated NIC, not dense hosting.",
        "references": [IP_LINK, DOCKER_MACVLAN, CNI_MACVLAN],
        "datapath": {
            "intra_host": ["macvlan"],
            "inter_host": ["macvlan"],
            "cite": ["ip-link-man"],
        },
        "security": {
            "isolation": "namespace",
            "network_policy": "none",
            "needs_promiscuous": True,
            "cite": ["ip-link-man", "docker-macvlan"],
        },
        "mobility": {
            "needs_kv_store": False,
            "routable_ips": True,
            "external_access": ["l2"],
            "cite": ["docker-macvlan"],
        },
        "operations": {
            "orchestrators": ["docker", "kubernetes", "standalone"],
            "underlay": "l2",
            "ip_families": ["ipv4", "ipv6", "dual-stack"],
            "windows_nodes": False,
            "cite": ["docker-macvlan", "cni-macvlan"],
        },
        "notes": [
            "Only one passthru endpoint per parent NIC, so two containers cannot share a "
            "parent: no intra-host path between containers on one NIC; 'intra_host' lists "
            "only the host-side stage.",
            "By default the parent is forced into promiscuous mode ('nopromisc' disables this).",
        ],
    }


def _source() -> dict:
    return {
        "id": "macvlan-source",
        "name": "macvlan, source mode",
        "family": "kernel-driver",
        "variant_of": "macvlan",
        "summary": "The sub-interface accepts only frames whose source MAC is on an allowed "
        "list, giving MAC-based VLAN membership (e.g. 802.1X-style); niche, configured by "
        "hand, not offered by the Docker driver or the CNI plugin.",
        "references": [IP_LINK, LINUX_MACVLAN_C, KERNEL_IPVLAN],
        "datapath": {
            "intra_host": ["macvlan"],
            "inter_host": ["macvlan"],
            "cite": ["ip-link-man", "linux-macvlan-c"],
        },
        "security": {
            "isolation": "namespace",
            "network_policy": "none",
            "needs_promiscuous": True,
            "cite": ["kernel-ipvlan"],
        },
        "mobility": {
            "needs_kv_store": False,
            "external_access": ["l2"],
            "cite": ["ip-link-man"],
        },
        "operations": {
            "orchestrators": ["standalone"],
            "underlay": "l2",
            "mac_per_container": True,
            "cite": ["ip-link-man"],
        },
        "notes": [
            "Intra-host traffic is not switched in the host: the kernel delivers locally only "
            "between bridge-mode sub-interfaces (macvlan_queue_xmit), so it goes out to the "
            "wire and needs a hairpin-capable switch or a router; 'intra_host' lists only the "
            "host-side stage.",
            "Docker's macvlan_mode and the CNI plugin's mode accept only bridge, vepa, "
            "passthru and private, hence 'standalone' only.",
        ],
    }


@hookimpl
def cnadvisor_solutions() -> list[dict]:
    return [_private(), _vepa(), _bridge(), _passthru(), _source()]
