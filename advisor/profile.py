"""The solution profile: what one container-network option is, and the sources for it.

A plugin returns these (or plain dicts of the same shape). Every section names
the references it rests on; a fact nobody has cited is left as ``None``
(unknown) and shown as unknown, never guessed.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .stages import PacketIO, is_known, known_stage_names, nearest_stage
from .vocabulary import (  # noqa: F401  (also importable from here)
    ISOLATION_ORDER,
    POLICY_ORDER,
    IPFamily,
    Isolation,
    Orchestrator,
    PolicyLevel,
)

POD_PACKET_IO = (PacketIO.DPDK, PacketIO.AF_XDP, PacketIO.NETMAP)


class Family(StrEnum):
    DOCKER_MODE = "docker-mode"
    KERNEL_DRIVER = "kernel-driver"
    OVERLAY = "overlay"
    ROUTING = "routing"
    KUBERNETES_CNI = "kubernetes-cni"


class Underlay(StrEnum):
    """What the network between hosts must offer for inter-host traffic to work."""

    NONE = "none"  # no inter-host path of its own (or uses the host's own addresses)
    IP = "ip"  # plain IP reachability between hosts is enough (tunnels)
    L2 = "l2"  # hosts must share one L2 segment
    L2_OR_BGP = "l2-or-bgp"  # direct routes on one L2 segment, or BGP peering with the fabric
    BGP = "bgp"  # must peer with the fabric


class ExternalAccess(StrEnum):
    NONE = "none"
    HOST_PORTS = "host-ports"  # NAT port mapping on the host address
    HOST_ADDRESS = "host-address"  # shares the host's own address and ports
    ROUTED = "routed"  # container addresses routed by the network
    INGRESS = "ingress"  # one published port per service, load-balanced to its replicas
    L2 = "l2"  # container appears on the physical L2 segment


# Marks a field whose null is an answer ("not archived", "any network"), not an unknown fact.
NULL_IS_AN_ANSWER = {"null_is_an_answer": True}
ManagedPlatform = Literal["eks", "aks", "gke"]
Cloud = Literal["aws", "azure", "gcp"]


class NetworkRole(StrEnum):
    PRIMARY = "primary"
    SECONDARY = "secondary"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Reference(_Strict):
    """A source a profile rests on: project docs, a kernel document, a paper."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]*$")
    title: str = Field(min_length=3)
    url: str = Field(pattern=r"^https?://")
    locator: str | None = None  # section, table or page inside the source


class _Cited(_Strict):
    cite: list[str] = Field(
        default_factory=list, description="ids of the profile's references behind this section"
    )


class Datapath(_Cited):
    """The stages a packet crosses.

    ``intra_host`` is the whole path from one container to another on the same
    host. ``inter_host`` is the sender's host from the container to the wire;
    the receiving host mirrors it, and a tunnel's header is counted once.
    """

    intra_host: list[str] = Field(description="same-host container to container")
    inter_host: list[str] | None = Field(
        default=None, description="container to container on another host; null: not possible"
    )
    extra_header_bytes: int = Field(
        default=0, ge=0, le=200, description="tunnel options beyond the stages' base headers"
    )

    @field_validator("intra_host", "inter_host")
    @classmethod
    def _known_stages(cls, stages: list[str] | None) -> list[str] | None:
        for name in stages or []:
            if not is_known(name):
                hint = nearest_stage(name)
                raise ValueError(
                    f"unknown datapath stage {name!r}"
                    + (f" (nearest known: {hint!r})" if hint else "")
                    + f"; known stages: {', '.join(sorted(known_stage_names()))}"
                )
        return stages


class Security(_Cited):
    isolation: Isolation
    network_policy: PolicyLevel | None = None
    needs_promiscuous: bool | None = None
    multi_tenancy: bool | None = Field(
        default=None, description="separate tenant networks with overlapping address ranges"
    )


class Mobility(_Cited):
    cross_datacenter: bool | None = None
    needs_kv_store: bool | None = None
    routable_ips: bool | None = None
    ip_kept_on_move: bool | None = None
    external_access: list[ExternalAccess] = Field(default_factory=list)


class Operations(_Cited):
    orchestrators: list[Orchestrator] = Field(min_length=1)
    underlay: Underlay = Underlay.NONE
    mac_per_container: bool | None = Field(
        default=None, description="each container shows its own MAC address on the wire"
    )
    ip_families: list[IPFamily] = Field(default_factory=list)
    windows_nodes: bool | None = None
    maintained: bool | None = Field(default=None, description="False: archived upstream")
    archived: str | None = Field(
        default=None,
        pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$",
        description="when the project was archived upstream (YYYY, YYYY-MM or YYYY-MM-DD)",
        json_schema_extra=NULL_IS_AN_ANSWER,
    )
    preview: str | None = Field(
        default=None,
        min_length=2,
        description="upstream's own word while it is not generally available (beta, tech "
        "preview, incubating); null: released",
        json_schema_extra=NULL_IS_AN_ANSWER,
    )
    superseded: str | None = Field(
        default=None,
        min_length=2,
        description="upstream's own word when it steers new users elsewhere (legacy, "
        "deprecated); null: a current choice",
        json_schema_extra=NULL_IS_AN_ANSWER,
    )
    packet_io: list[PacketIO] = Field(
        default_factory=list,
        description="kernel-bypass frameworks the pod's own interface supports (DPDK, AF_XDP, "
        "netmap); not the option's own use of XDP",
    )
    xdp_acceleration: bool | None = Field(
        default=None,
        description="the option runs parts of its own datapath in XDP programs (this gives the "
        "pod no packet IO interface)",
    )
    host_reachable: bool | None = Field(
        default=None,
        description="containers reach their own host's addresses without extra setup",
    )
    lan_discovery: bool | None = Field(
        default=None,
        description="LAN multicast and broadcast (mDNS, SSDP) reach the containers",
    )
    roles: list[NetworkRole] = Field(
        default_factory=lambda: [NetworkRole.PRIMARY],
        description="primary: the pod's main network; secondary: an extra interface "
        "attached next to it (Multus)",
    )
    cloud: Cloud | None = Field(
        default=None,
        description="the one cloud whose network it needs; null: any network",
        json_schema_extra=NULL_IS_AN_ANSWER,
    )
    managed_platforms: list[ManagedPlatform] = Field(
        default_factory=list,
        description="managed Kubernetes services whose vendor installs and supports it",
    )
    default_on: list[ManagedPlatform] = Field(
        default_factory=list,
        description="managed Kubernetes services that set it up by default, without being asked "
        "(an engineer's starting point there)",
    )


class SolutionProfile(_Strict):
    """One container-network option, as a plugin describes it."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=64)
    name: str = Field(min_length=2)
    family: Family
    summary: str = Field(min_length=10)
    variant_of: str | None = Field(default=None, description="the product this is a mode of")
    notes: list[str] = Field(default_factory=list)
    references: list[Reference] = Field(min_length=1)
    datapath: Datapath
    security: Security
    mobility: Mobility
    operations: Operations

    @property
    def inter_host(self) -> bool:
        return self.datapath.inter_host is not None

    @property
    def scope(self) -> str:
        return "inter-host" if self.inter_host else "intra-host"

    @property
    def pod_packet_io(self) -> list[PacketIO]:
        """Frameworks an application in the pod can drive itself (XDP alone is a program
        attached to an interface, not an interface the application drives)."""
        return [f for f in self.operations.packet_io if f in POD_PACKET_IO]

    @property
    def promiscuous_needed(self) -> bool | None:
        """The profile's own answer, else derived: a NIC only needs promiscuous mode to
        accept frames for MAC addresses other than its own, so an option that shows no
        per-container MAC on the wire does not need it (kernel ipvlan doc, macvlan vs ipvlan)."""
        if self.security.needs_promiscuous is not None:
            return self.security.needs_promiscuous
        if self.operations.mac_per_container is False:
            return False
        return None

    def reference(self, ref_id: str) -> Reference:
        return next(ref for ref in self.references if ref.id == ref_id)

    @model_validator(mode="after")
    def _citations_resolve(self) -> SolutionProfile:
        known = {ref.id for ref in self.references}
        if len(known) != len(self.references):
            raise ValueError("references: two references share one id")
        for section in ("datapath", "security", "mobility", "operations"):
            cited = getattr(self, section).cite
            if not cited:
                raise ValueError(f"{section}.cite: name at least one reference id")
            missing = [ref for ref in cited if ref not in known]
            if missing:
                raise ValueError(f"{section}.cite: {missing} not among references {sorted(known)}")
        return self
