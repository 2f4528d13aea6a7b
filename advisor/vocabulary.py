"""Words a profile and a requirements file share: orchestrators, isolation and policy levels,
IP families.

Their own small module so that reading requirements (the questionnaire, `init`, `schema`)
does not build the profile models: the TUI paints sooner.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal


class Orchestrator(StrEnum):
    DOCKER = "docker"
    KUBERNETES = "kubernetes"
    SWARM = "swarm"
    PODMAN = "podman"
    STANDALONE = "standalone"  # namespaces wired by hand, LXC, systemd-nspawn ...


class Isolation(StrEnum):
    """How much of the network stack a container shares, from most to least shared."""

    HOST_STACK = "host-stack"
    SHARED_NAMESPACE = "shared-namespace"
    NAMESPACE = "namespace"
    NO_NETWORK = "no-network"


ISOLATION_ORDER = list(Isolation)


class PolicyLevel(StrEnum):
    NONE = "none"
    L3_L4 = "l3-l4"
    L7 = "l7"


POLICY_ORDER = list(PolicyLevel)


IPFamily = Literal["ipv4", "ipv6", "dual-stack"]
