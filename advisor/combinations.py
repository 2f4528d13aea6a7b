"""Primary + secondary networks: a pod's main CNI plus an interface attached through Multus.

Telco and HPC systems keep control traffic on the primary network and move the high-rate
data plane to a second interface (an SR-IOV VF, macvlan, OVS-DPDK). When the requirements
say so (``workload.separate_data_plane``), the advisor ranks such pairs like any option.
A pair is an ordinary :class:`SolutionProfile` built from its two parts by the rules
below, so constraints, scoring and plugin checks read it without knowing it is a pair.
This module names no solution: roles come from the profiles (``operations.roles``).
"""

from __future__ import annotations

from .profile import Isolation, NetworkRole, SolutionProfile, Underlay
from .requirements import Requirements

SEPARATOR = "--"
PRIMARIES_TRIED = 3  # best control-plane options paired with every secondary network
MULTUS = {
    "id": "multus",
    "title": "Multus CNI: attaching additional networks to pods",
    "url": "https://github.com/k8snetworkplumbingwg/multus-cni",
}
# What the data plane needs from the hosts' network, from least to most demanding.
_UNDERLAY_ORDER = [Underlay.NONE, Underlay.IP, Underlay.L2_OR_BGP, Underlay.L2, Underlay.BGP]


def is_secondary_only(profile: SolutionProfile) -> bool:
    return NetworkRole.PRIMARY not in profile.operations.roles


def can_be_secondary(profile: SolutionProfile) -> bool:
    return NetworkRole.SECONDARY in profile.operations.roles


def can_pair(primary: SolutionProfile, secondary: SolutionProfile) -> bool:
    """Both run under some orchestrator in common (a pair runs under what both support; with
    none in common it is no option at all, and its profile could not even be written)."""
    return any(o in secondary.operations.orchestrators for o in primary.operations.orchestrators)


def can_be_primary(profile: SolutionProfile) -> bool:
    """A pod network of its own that reaches other hosts (Multus attaches a second interface
    to a pod's own namespace, so a host-network pod has nowhere to put it)."""
    return (
        NetworkRole.PRIMARY in profile.operations.roles
        and profile.inter_host
        and profile.security.isolation is Isolation.NAMESPACE
    )


def control_plane(requirements: Requirements) -> Requirements:
    """The requirements the primary network must meet when the data plane has its own
    interface: everything but the data plane's rate, latency and packet IO."""
    workload = requirements.workload.model_copy(
        update={"packet_io": None, "throughput": None, "latency_budget_us": None}
    )
    return requirements.model_copy(update={"workload": workload})


def _either(first: bool | None, second: bool | None) -> bool | None:
    """True when either is, False when both are not, else unknown."""
    if True in (first, second):
        return True
    return False if (first, second) == (False, False) else None


def combine(primary: SolutionProfile, secondary: SolutionProfile) -> SolutionProfile:
    """One pair as a profile: the data path, packet IO and wire demands are the secondary's;
    isolation, policy and mobility the primary's; families and support what both offer."""
    refs: dict[str, dict] = {}
    for ref in [*primary.references, *secondary.references]:
        refs.setdefault(ref.id, ref.model_dump(exclude_none=True))
    refs.setdefault(MULTUS["id"], MULTUS)
    p_ops, s_ops = primary.operations, secondary.operations
    families = (
        [f for f in p_ops.ip_families if f in s_ops.ip_families]
        if p_ops.ip_families and s_ops.ip_families
        else []
    )
    underlay = max(p_ops.underlay, s_ops.underlay, key=_UNDERLAY_ORDER.index)
    notes = [
        f"A combination: {primary.name} is the pod's primary network (control traffic, "
        f"services, policy); {secondary.name} is a second interface attached through Multus "
        "for the data plane. Estimates are for the data-plane interface.",
        "Kubernetes NetworkPolicy and Services apply to the primary interface only; the "
        "secondary interface is not policed by the primary CNI.",
        *(f"{primary.id}: {note}" for note in primary.notes),
        *(f"{secondary.id}: {note}" for note in secondary.notes),
    ]
    data = {
        "id": f"{primary.id}{SEPARATOR}{secondary.id}"[:64],
        "name": f"{primary.name} + {secondary.name}",
        "family": "kubernetes-cni",
        "variant_of": "Multus combination",
        "summary": f"{primary.name} for control traffic plus {secondary.name} attached "
        "through Multus for the high-rate data plane.",
        "notes": notes,
        "references": list(refs.values()),
        "datapath": secondary.datapath.model_dump(),
        "security": {
            **primary.security.model_dump(),
            # one host NIC carries both: promiscuous if either needs it
            "needs_promiscuous": _either(primary.promiscuous_needed, secondary.promiscuous_needed),
        },
        "mobility": {
            **primary.mobility.model_dump(),
            "external_access": list(
                dict.fromkeys(
                    [*primary.mobility.external_access, *secondary.mobility.external_access]
                )
            ),
            "cite": list(dict.fromkeys([*primary.mobility.cite, *secondary.mobility.cite])),
        },
        "operations": {
            "orchestrators": [o for o in p_ops.orchestrators if o in s_ops.orchestrators],
            "underlay": underlay,
            # both interfaces put their MAC addresses on the wire
            "mac_per_container": _either(p_ops.mac_per_container, s_ops.mac_per_container),
            "ip_families": families,
            "windows_nodes": False if False in (p_ops.windows_nodes, s_ops.windows_nodes) else None,
            "maintained": False if False in (p_ops.maintained, s_ops.maintained) else None,
            "archived": p_ops.archived or s_ops.archived,
            "preview": p_ops.preview or s_ops.preview,
            "superseded": p_ops.superseded or s_ops.superseded,
            "packet_io": s_ops.packet_io,
            "host_reachable": p_ops.host_reachable,
            "lan_discovery": s_ops.lan_discovery,
            "roles": [NetworkRole.PRIMARY],
            "cloud": p_ops.cloud or s_ops.cloud,
            "cite": list(dict.fromkeys([*s_ops.cite, *p_ops.cite, MULTUS["id"]])),
        },
    }
    return SolutionProfile.model_validate(data)
