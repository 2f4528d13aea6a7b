"""Bridge mode plus NAT port mapping, as Docker publishes ports (survey Sec. II-A-2, NAT).

Built on the same bridge as Docker's bridge mode, so it shares those references.
"""

from __future__ import annotations

from cnadvisor import hookimpl
from cnadvisor_plugins.docker_modes import DOCKER_BRIDGE, SUO_2018

DOCKER_PORTS = {
    "id": "docker-port-publishing",
    "title": "Docker docs: Port publishing and mapping",
    "url": "https://docs.docker.com/engine/network/port-publishing/",
}
DOCKER_FIREWALL = {
    "id": "docker-packet-filtering",
    "title": "Docker docs: Packet filtering and firewalls",
    "url": "https://docs.docker.com/engine/network/packet-filtering-firewalls/",
}


def _bridge_nat() -> dict:
    return {
        "id": "bridge-nat",
        "name": "Docker bridge + NAT port mapping",
        "family": "docker-mode",
        "summary": "Bridge mode with published ports: the host masquerades outgoing traffic "
        "and DNATs host ports to containers. Simple, one public IP, but per-packet NAT "
        "cost and port conflicts between short-lived containers.",
        "references": [DOCKER_BRIDGE, DOCKER_PORTS, DOCKER_FIREWALL, SUO_2018],
        "datapath": {
            "intra_host": ["veth", "linux-bridge", "veth"],
            "inter_host": ["veth", "linux-bridge", "netfilter-nat", "routed-hop"],
            "cite": ["docker-port-publishing", "docker-packet-filtering", "suo-infocom-2018"],
        },
        "security": {
            "isolation": "namespace",
            "network_policy": "none",
            "needs_promiscuous": False,
            "multi_tenancy": False,
            "cite": ["docker-bridge", "docker-packet-filtering"],
        },
        "mobility": {
            "cross_datacenter": True,
            "needs_kv_store": False,
            "routable_ips": False,
            "ip_kept_on_move": False,
            "external_access": ["host-ports"],
            "cite": ["docker-port-publishing", "suo-infocom-2018"],
        },
        "operations": {
            "orchestrators": ["docker", "standalone"],
            "underlay": "ip",
            "mac_per_container": False,
            "ip_families": ["ipv4", "ipv6", "dual-stack"],
            "cite": ["docker-port-publishing"],
        },
        "notes": ["Peers on other hosts reach the container through a host port, not its IP."],
    }


@hookimpl
def cnadvisor_solutions() -> list[dict]:
    return [_bridge_nat()]
