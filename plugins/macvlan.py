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


_DOCKER_CNI_REFS = [IP_LINK, DOCKER_MACVLAN, CNI_MACVLAN]
_CLOUD_NOTE = "Most cloud providers block macvlan (Docker docs); the NIC must accept many MACs."


def _docker_cni_mobility() -> dict:
    """Mobility of the modes the Docker driver and the CNI plugin offer."""
    return {
        "needs_kv_store": False,
        "routable_ips": True,
        "external_access": ["l2"],
        "cite": ["docker-macvlan"],
    }


def _docker_cni_operations() -> dict:
    """Operations of the modes the Docker driver and the CNI plugin offer."""
    return {
        "orchestrators": ["docker", "kubernetes", "standalone"],
        "underlay": "l2",
        "mac_per_container": True,
        "ip_families": ["ipv4", "ipv6", "dual-stack"],
        "windows_nodes": False,
        "cite": ["docker-macvlan", "cni-macvlan"],
    }


def _mode(
    mode: str,
    label: str,
    summary: str,
    notes: list[str],
    *,
    references: list[dict],
    datapath_cite: tuple[str, ...] = ("ip-link-man",),
    security_cite: tuple[str, ...] = ("docker-macvlan", "kernel-ipvlan"),
    mobility: dict | None = None,
    operations: dict | None = None,
) -> dict:
    """One macvlan mode; mobility and operations default to the Docker/CNI modes' ones."""
    return {
        "id": f"macvlan-{mode}",
        "name": f"macvlan, {label} mode",
        "family": "kernel-driver",
        "variant_of": "macvlan",
        "summary": summary,
        "references": references,
        "datapath": {
            "intra_host": ["macvlan"],
            "inter_host": ["macvlan"],
            "cite": list(datapath_cite),
        },
        "security": {
            "isolation": "namespace",
            "network_policy": "none",
            "needs_promiscuous": True,
            "cite": list(security_cite),
        },
        "mobility": mobility or _docker_cni_mobility(),
        "operations": operations or _docker_cni_operations(),
        "notes": notes,
    }


def _private() -> dict:
    return _mode(
        "private",
        "private",
        "Each container has its own MAC on a sub-interface of the host NIC and sits "
        "directly on the physical LAN; private mode forbids any traffic between "
        "sub-interfaces of the same parent, trading same-host reachability for isolation.",
        [
            "Cannot carry intra-host traffic at all: private mode blocks communication "
            "between macvlan instances on one parent even if the switch does hairpin; "
            "'intra_host' only lists the stage such a frame would enter.",
            _CLOUD_NOTE,
        ],
        references=[*_DOCKER_CNI_REFS, KERNEL_IPVLAN],
    )


def _vepa() -> dict:
    return _mode(
        "vepa",
        "VEPA",
        "Containers get their own MACs on the physical LAN; every frame, even to a "
        "neighbour on the same host, is sent out of the NIC so an external 802.1Qbg switch "
        "can apply its policy, at the cost of a round trip to the switch.",
        [
            "Intra-host traffic leaves the host: it needs a hairpin-capable (802.1Qbg/VEPA) "
            "switch or a router to come back; 'intra_host' lists only the host-side stage.",
            "VEPA is the kernel default mode; Docker and the CNI plugin default to bridge.",
            _CLOUD_NOTE,
        ],
        references=[*_DOCKER_CNI_REFS, KERNEL_IPVLAN],
    )


def _bridge() -> dict:
    return _mode(
        "bridge",
        "bridge",
        "Containers get their own MACs on sub-interfaces of the host NIC and appear "
        "on the physical LAN; sub-interfaces of one parent are switched in the kernel, so it "
        "is fast and bridge-free, but needs a promiscuous-capable L2 network.",
        [
            "Default mode of the Docker macvlan driver and of the CNI macvlan plugin.",
            _CLOUD_NOTE,
            "Many unique MACs can exhaust switch tables ('VLAN spread', Docker docs).",
        ],
        references=[*_DOCKER_CNI_REFS, KERNEL_IPVLAN],
    )


def _passthru() -> dict:
    operations = _docker_cni_operations()
    del operations["mac_per_container"]  # left unset for passthru
    return _mode(
        "passthru",
        "passthru",
        "A single macvlan endpoint takes over the parent NIC and receives all of its "
        "traffic (it may change its MAC or go promiscuous); only one container per NIC, so "
        "it suits a dedicated NIC, not dense hosting.",
        [
            "Only one passthru endpoint per parent NIC, so two containers cannot share a "
            "parent: no intra-host path between containers on one NIC; 'intra_host' lists "
            "only the host-side stage.",
            "By default the parent is forced into promiscuous mode ('nopromisc' disables this).",
        ],
        references=list(_DOCKER_CNI_REFS),
        security_cite=("ip-link-man", "docker-macvlan"),
        operations=operations,
    )


def _source() -> dict:
    return _mode(
        "source",
        "source",
        "The sub-interface accepts only frames whose source MAC is on an allowed "
        "list, giving MAC-based VLAN membership (e.g. 802.1X-style); niche, configured by "
        "hand, not offered by the Docker driver or the CNI plugin.",
        [
            "Intra-host traffic is not switched in the host: the kernel delivers locally only "
            "between bridge-mode sub-interfaces (macvlan_queue_xmit), so it goes out to the "
            "wire and needs a hairpin-capable switch or a router; 'intra_host' lists only the "
            "host-side stage.",
            "Docker's macvlan_mode and the CNI plugin's mode accept only bridge, vepa, "
            "passthru and private, hence 'standalone' only.",
        ],
        references=[IP_LINK, LINUX_MACVLAN_C, KERNEL_IPVLAN],
        datapath_cite=("ip-link-man", "linux-macvlan-c"),
        security_cite=("kernel-ipvlan",),
        mobility={
            "needs_kv_store": False,
            "external_access": ["l2"],
            "cite": ["ip-link-man"],
        },
        operations={
            "orchestrators": ["standalone"],
            "underlay": "l2",
            "mac_per_container": True,
            "cite": ["ip-link-man"],
        },
    )


@hookimpl
def cnadvisor_solutions() -> list[dict]:
    return [_private(), _vepa(), _bridge(), _passthru(), _source()]
