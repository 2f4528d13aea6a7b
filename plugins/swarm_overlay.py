"""Docker's overlay network driver (Swarm mode), plain and encrypted.

Containers on a Docker overlay network reach each other across Swarm nodes over
VXLAN; with '--opt encrypted' the VXLAN traffic is protected with IPsec ESP.
"""

from __future__ import annotations

from cnadvisor import hookimpl

DOCKER_OVERLAY = {
    "id": "docker-overlay",
    "title": "Docker docs: Overlay network driver",
    "url": "https://docs.docker.com/engine/network/drivers/overlay/",
}
DOCKER_SWARM_NET = {
    "id": "docker-swarm-networking",
    "title": "Docker docs: Manage swarm service networks",
    "url": "https://docs.docker.com/engine/swarm/networking/",
}
MOBY_ENCRYPTION = {
    "id": "moby-overlay-encryption",
    "title": "moby/moby source: libnetwork/drivers/overlay/encryption.go",
    "url": "https://github.com/moby/moby/blob/00b2c13a1bc3b38da4772949058015b13a199349/"
    "libnetwork/drivers/overlay/encryption.go",
    "locator": "programSA (XFRM_MODE_TRANSPORT, rfc4106(gcm(aes)))",
}
RFC_7348 = {
    "id": "rfc7348",
    "title": "RFC 7348: Virtual eXtensible Local Area Network (VXLAN)",
    "url": "https://www.rfc-editor.org/rfc/rfc7348",
}


def _overlay(
    profile_id: str,
    name: str,
    summary: str,
    notes: list[str],
    *,
    references: list[dict],
    inter_host: list[str],
    datapath_cite: list[str],
    security_cite: list[str],
    operations: dict | None = None,
) -> dict:
    """A Swarm overlay profile: same host side, mobility and orchestration either way."""
    return {
        "id": profile_id,
        "name": name,
        "family": "overlay",
        "summary": summary,
        "references": references,
        "datapath": {
            "intra_host": ["veth", "linux-bridge", "veth"],
            "inter_host": inter_host,
            "cite": datapath_cite,
        },
        "security": {
            "isolation": "namespace",
            "network_policy": "none",
            "needs_promiscuous": False,
            "cite": security_cite,
        },
        "mobility": {
            "routable_ips": False,
            "external_access": ["host-ports"],
            "cite": ["docker-swarm-networking"],
        },
        "operations": {
            "orchestrators": ["swarm", "docker"],
            "underlay": "ip",
            "mac_per_container": False,
            "cite": ["docker-overlay", "docker-swarm-networking"],
            **(operations or {}),
        },
        "notes": notes,
    }


def _swarm_overlay() -> dict:
    return _overlay(
        "swarm-overlay",
        "Docker Swarm overlay network",
        "Docker's built-in multi-host network: Swarm managers allocate subnets and "
        "VXLAN IDs, nodes exchange peers by gossip, and containers talk across hosts over "
        "VXLAN. Easy with Swarm, but tied to it and unencrypted by default.",
        [
            "Hosts must be in a swarm, even for standalone containers (which need an "
            "'--attachable' network).",
            "Open 2377/tcp (control plane), 4789/udp (VXLAN data) and 7946/tcp+udp "
            "(node discovery) between hosts.",
            "Overlay networks become unstable at about 1000 containers co-located on one host.",
            "Swarm managers hold network state in their built-in Raft store, so no external "
            "key-value store is set up; whether that counts as a datastore is left unknown.",
        ],
        references=[DOCKER_OVERLAY, DOCKER_SWARM_NET, RFC_7348],
        inter_host=["veth", "linux-bridge", "vxlan"],
        datapath_cite=["docker-overlay", "docker-swarm-networking"],
        security_cite=["docker-overlay"],
    )


def _swarm_overlay_encrypted() -> dict:
    return _overlay(
        "swarm-overlay-encrypted",
        "Docker Swarm overlay network, encrypted",
        "The Swarm overlay with '--opt encrypted': VXLAN traffic between nodes is "
        "wrapped in IPsec ESP (transport mode, AES-GCM) with Swarm-managed keys; confidential "
        "on the wire but with a noticeable performance cost and no Windows support.",
        [
            "ESP in transport mode over the VXLAN UDP packets (moby encryption.go); Docker "
            "uses an 8-byte ICV, so real overhead is a little below the stage's 37 bytes.",
            "Overlay encryption is not supported on Windows: Windows containers on an "
            "encrypted network cannot reach Linux ones and their traffic is not encrypted.",
            "The ingress network is unencrypted unless recreated with encryption.",
            "Open 2377/tcp, 4789/udp and 7946/tcp+udp between hosts, and allow ESP (IP "
            "protocol 50).",
        ],
        references=[DOCKER_OVERLAY, DOCKER_SWARM_NET, MOBY_ENCRYPTION, RFC_7348],
        inter_host=["veth", "linux-bridge", "vxlan", "ipsec-esp-transport"],
        datapath_cite=["docker-overlay", "moby-overlay-encryption"],
        security_cite=["docker-overlay", "moby-overlay-encryption"],
        operations={"windows_nodes": False},
    )


@hookimpl
def cnadvisor_solutions() -> list[dict]:
    return [_swarm_overlay(), _swarm_overlay_encrypted()]
