"""Docker's built-in network modes: none, host, container and bridge (survey Sec. II-A-1).

Bridge + NAT port mapping, the survey's inter-host NAT mode, is its own plugin (`nat`).
"""

from __future__ import annotations

from cnadvisor import hookimpl

DOCKER_NETWORKING = {
    "id": "docker-networking",
    "title": "Docker docs: Networking overview",
    "url": "https://docs.docker.com/engine/network/",
}
DOCKER_NONE = {
    "id": "docker-none",
    "title": "Docker docs: None network driver",
    "url": "https://docs.docker.com/engine/network/drivers/none/",
}
DOCKER_HOST = {
    "id": "docker-host",
    "title": "Docker docs: Host network driver",
    "url": "https://docs.docker.com/engine/network/drivers/host/",
}
DOCKER_BRIDGE = {
    "id": "docker-bridge",
    "title": "Docker docs: Bridge network driver",
    "url": "https://docs.docker.com/engine/network/drivers/bridge/",
}
K8S_POD_NETWORKING = {
    "id": "k8s-pod-networking",
    "title": "Kubernetes docs: Cluster networking (pods share a network namespace)",
    "url": "https://kubernetes.io/docs/concepts/cluster-administration/networking/",
}
SUO_2018 = {
    "id": "suo-infocom-2018",
    "title": "Suo et al., An Analysis and Empirical Study of Container Networks, INFOCOM 2018",
    "url": "https://doi.org/10.1109/INFOCOM.2018.8485865",
}


def _none() -> dict:
    return {
        "id": "none",
        "name": "Docker none mode",
        "family": "docker-mode",
        "summary": "Own namespace with only a loopback interface: no connectivity at all. "
        "Extreme isolation for offline work such as batch or backup jobs.",
        "references": [DOCKER_NONE, SUO_2018],
        "datapath": {"intra_host": ["loopback"], "inter_host": None, "cite": ["docker-none"]},
        "security": {
            "isolation": "no-network",
            "network_policy": None,
            "needs_promiscuous": False,
            "multi_tenancy": None,
            "cite": ["docker-none", "suo-infocom-2018"],
        },
        "mobility": {
            "cross_datacenter": False,
            "needs_kv_store": False,
            "routable_ips": False,
            "external_access": ["none"],
            "cite": ["docker-none"],
        },
        "operations": {
            "orchestrators": ["docker", "kubernetes", "standalone"],
            "underlay": "none",
            "mac_per_container": False,
            "ip_families": ["ipv4", "ipv6", "dual-stack"],
            "cite": ["docker-none"],
        },
        "notes": ["Only loopback traffic inside the container; 'intra_host' describes that."],
    }


def _host() -> dict:
    return {
        "id": "host",
        "name": "Docker host mode",
        "family": "docker-mode",
        "summary": "Containers share the host's network stack, addresses and port range: "
        "negligible overhead, the performance baseline, and the weakest isolation.",
        "references": [DOCKER_HOST, K8S_POD_NETWORKING, SUO_2018],
        "datapath": {
            "intra_host": ["loopback"],
            "inter_host": [],
            "cite": ["docker-host", "suo-infocom-2018"],
        },
        "security": {
            "isolation": "host-stack",
            "network_policy": "none",
            "needs_promiscuous": False,
            "multi_tenancy": False,
            "cite": ["docker-host"],
        },
        "mobility": {
            "cross_datacenter": True,
            "needs_kv_store": False,
            "routable_ips": True,
            "ip_kept_on_move": False,
            "external_access": ["host-address"],
            "cite": ["docker-host"],
        },
        "operations": {
            "orchestrators": ["docker", "kubernetes", "swarm", "standalone"],
            "underlay": "none",
            "mac_per_container": False,
            "ip_families": ["ipv4", "ipv6", "dual-stack"],
            "cite": ["docker-host", "k8s-pod-networking"],
        },
        "notes": [
            "Port conflicts: every container binds ports on the host's own addresses.",
            "Kubernetes offers it per pod as hostNetwork: true.",
        ],
    }


def _container() -> dict:
    return {
        "id": "container",
        "name": "Docker container mode (shared namespace, Kubernetes pod)",
        "family": "docker-mode",
        "summary": "Later containers join an existing container's namespace and talk over "
        "loopback/IPC: little overhead, less isolation. Kubernetes pods work this way.",
        "references": [DOCKER_NETWORKING, K8S_POD_NETWORKING, SUO_2018],
        "datapath": {
            "intra_host": ["loopback"],
            "inter_host": None,
            "cite": ["docker-networking", "suo-infocom-2018"],
        },
        "security": {
            "isolation": "shared-namespace",
            "network_policy": "none",
            "needs_promiscuous": False,
            "multi_tenancy": False,
            "cite": ["docker-networking", "k8s-pod-networking"],
        },
        "mobility": {
            "cross_datacenter": False,
            "needs_kv_store": False,
            "routable_ips": False,
            "ip_kept_on_move": False,
            "external_access": [],
            "cite": ["docker-networking"],
        },
        "operations": {
            "orchestrators": ["docker", "kubernetes", "standalone"],
            "underlay": "none",
            "mac_per_container": False,
            "ip_families": ["ipv4", "ipv6", "dual-stack"],
            "cite": ["docker-networking", "k8s-pod-networking"],
        },
        "notes": [
            "Reaches other hosts only through whatever network the shared namespace has; "
            "on its own it is intra-host (and intra-pod) only."
        ],
    }


def _bridge() -> dict:
    return {
        "id": "bridge",
        "name": "Docker bridge mode (no port mapping)",
        "family": "docker-mode",
        "summary": "Each container gets a veth pair into a host Linux bridge: star topology "
        "on one host; no external connectivity without NAT or an overlay.",
        "references": [DOCKER_BRIDGE, SUO_2018],
        "datapath": {
            "intra_host": ["veth", "linux-bridge", "veth"],
            "inter_host": None,
            "cite": ["docker-bridge", "suo-infocom-2018"],
        },
        "security": {
            "isolation": "namespace",
            "network_policy": "none",
            "needs_promiscuous": False,
            "multi_tenancy": False,
            "cite": ["docker-bridge"],
        },
        "mobility": {
            "cross_datacenter": False,
            "needs_kv_store": False,
            "routable_ips": False,
            "ip_kept_on_move": False,
            "external_access": ["none"],
            "cite": ["docker-bridge", "suo-infocom-2018"],
        },
        "operations": {
            "orchestrators": ["docker", "standalone"],
            "underlay": "none",
            "mac_per_container": False,
            "ip_families": ["ipv4", "ipv6", "dual-stack"],
            "cite": ["docker-bridge"],
        },
    }


@hookimpl
def cnadvisor_solutions() -> list[dict]:
    return [_none(), _host(), _container(), _bridge()]
