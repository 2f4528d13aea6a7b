"""What the system being moved into containers needs: the requirements model.

The same model backs requirement YAML files, the TUI and the Python API. Each
constraint is ``required`` (an option that misses it is excluded, with this key
as the reason) or ``preferred`` (missing it costs points). A bare value is
shorthand for ``{value: ..., need: required}``.
"""

from __future__ import annotations

import warnings
from enum import StrEnum
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from .safetext import unsafe_characters
from .vocabulary import IPFamily, Isolation, Orchestrator, PolicyLevel

T = TypeVar("T")


class Need(StrEnum):
    REQUIRED = "required"
    PREFERRED = "preferred"


class _Strict(BaseModel):
    """Unknown keys, NaN and infinity are errors, and so is a yes/no where a number belongs
    (pydantic would quietly read ``containers_per_host: true`` as 1)."""

    model_config = ConfigDict(
        extra="forbid", use_enum_values=False, validate_default=True, allow_inf_nan=False
    )

    @field_validator("*", mode="before")
    @classmethod
    def _no_bool_for_numbers(cls, value: Any, info: ValidationInfo) -> Any:
        if isinstance(value, bool) and info.field_name:
            annotation = cls.model_fields[info.field_name].annotation
            members = getattr(annotation, "__args__", (annotation,))
            if bool not in members and any(m in (int, float) for m in members):
                raise ValueError("expected a number, not a yes/no value")
        return value


class Constraint(_Strict, Generic[T]):
    """A wanted value and how hard it is wanted."""

    value: T
    need: Need = Need.REQUIRED

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return data
        return {"value": data, "need": Need.REQUIRED}

    @property
    def required(self) -> bool:
        return self.need is Need.REQUIRED

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: Any, handler: Any) -> dict[str, Any]:
        """Let editors accept the bare-value shorthand as well as the full mapping."""
        schema = handler(core_schema)
        value_schema = handler.resolve_ref_schema(schema)["properties"]["value"]
        return {"anyOf": [value_schema, schema]}


class Traffic(_Strict):
    """Shares of the traffic volume by where the peer is (each 0..1, summing to at most 1)."""

    intra_host: float = Field(default=0.0, ge=0, le=1, description="peer on the same host")
    inter_host: float = Field(default=0.0, ge=0, le=1, description="peer on another host")
    cross_datacenter: float = Field(
        default=0.0, ge=0, le=1, description="peer in another data centre"
    )

    @model_validator(mode="after")
    def _sum(self) -> Traffic:
        total = self.intra_host + self.inter_host + self.cross_datacenter
        if total > 1.000001:
            raise ValueError(f"traffic shares add up to {total:g}; expected at most 1")
        return self

    @property
    def total(self) -> float:
        return self.intra_host + self.inter_host + self.cross_datacenter

    @property
    def leaves_host(self) -> float:
        return self.inter_host + self.cross_datacenter


class ThroughputNeed(_Strict):
    """Throughput the system must sustain per host, in Gbit/s or packets per second."""

    value: float = Field(gt=0)
    unit: Literal["gbps", "mpps"] = "gbps"
    need: Need = Need.PREFERRED


class Workload(_Strict):
    traffic: Traffic = Field(default_factory=Traffic)
    protocol: Literal["tcp", "udp"] = "tcp"
    message_size: int = Field(
        default=1400, ge=1, le=65507, description="application message or packet size, bytes"
    )
    throughput: ThroughputNeed | None = None
    latency_budget_us: Constraint[Annotated[float, Field(ge=0)]] | None = Field(
        default=None, description="added network latency the system tolerates, microseconds"
    )
    packet_io: Constraint[bool] | None = Field(
        default=None,
        description="the application drives its own interface with a kernel-bypass framework "
        "(DPDK, AF_XDP, netmap), so the pod needs an interface that supports it",
    )
    separate_data_plane: bool = Field(
        default=False,
        description="the high-rate traffic above (throughput, packet IO, latency) runs on its "
        "own interface, apart from the pods' control traffic: a primary network plus a "
        "secondary one may be recommended",
    )
    discovery: Constraint[bool] | None = Field(
        default=None,
        description="containers find devices or each other by LAN multicast or broadcast "
        "(mDNS, SSDP/DLNA, cluster multicast)",
    )
    same_port: bool = Field(
        default=False,
        description="several containers on one host listen on the same port number, so a "
        "shared host port range conflicts",
    )


class Underlay(_Strict):
    """The network between hosts. ``null`` means not known: options depending on it are kept
    and flagged rather than excluded."""

    mtu: int = Field(default=1500, ge=576, le=65535)
    l2_adjacent: bool | None = Field(default=None, description="hosts share one L2 segment")
    bgp_peering: bool | None = Field(default=None, description="hosts may peer BGP with fabric")
    promiscuous_allowed: bool | None = Field(
        default=None, description="host NICs may run in promiscuous mode"
    )
    mac_limit_per_port: int | None = Field(
        default=None, ge=1, description="MAC addresses the switch port accepts"
    )


Platform = Literal["on-premises", "aws", "azure", "gcp", "other-cloud", "eks", "aks", "gke"]
# Managed Kubernetes services and the cloud each runs in (the cloud's rules apply too).
MANAGED_PLATFORMS = {"eks": "aws", "aks": "azure", "gke": "gcp"}
ORCHESTRATOR_ALIASES = {"k8s": "kubernetes"}


class Environment(_Strict):
    orchestrator: Orchestrator = Orchestrator.KUBERNETES
    virtualization: Literal["bare-metal", "vm"] = "bare-metal"
    platform: Platform = "on-premises"
    containers_per_host: int = Field(default=10, ge=1, le=100000)
    nic_gbps: float = Field(default=10.0, gt=0, le=1600)
    network_cores: int = Field(
        default=1,
        ge=1,
        le=1024,
        description="CPU cores the system's traffic may use on each host, spread over as many "
        "flows (one flow is handled by one core); bounds packet rates on kernel datapaths",
    )
    cpu_pinning: bool = False
    windows_nodes: bool = False
    ip_family: IPFamily = "ipv4"
    underlay: Underlay = Field(default_factory=Underlay)

    @field_validator("orchestrator", mode="before")
    @classmethod
    def _orchestrator_alias(cls, value: Any) -> Any:
        return ORCHESTRATOR_ALIASES.get(value, value) if isinstance(value, str) else value

    @property
    def cloud(self) -> str:
        """The cloud the hosts run in: a managed service's cloud, else the platform itself."""
        return MANAGED_PLATFORMS.get(self.platform, self.platform)

    @property
    def managed(self) -> bool:
        """A managed Kubernetes service (its vendor runs the control plane)."""
        return self.platform in MANAGED_PLATFORMS


class Security(_Strict):
    isolation: Constraint[Isolation] | None = None
    network_policy: Constraint[PolicyLevel] | None = None
    encryption: Constraint[bool] | None = Field(
        default=None, description="traffic between hosts encrypted on the wire"
    )
    multi_tenant: Constraint[bool] | None = Field(
        default=None, description="tenants need separate networks with overlapping ranges"
    )


class Mobility(_Strict):
    ip_kept_on_move: Constraint[bool] | None = Field(
        default=None,
        description="a container keeps its IP address when it moves to another host "
        "(formerly containers_move)",
    )
    routable_ips: Constraint[bool] | None = Field(
        default=None, description="container addresses reachable from outside without NAT"
    )
    external_access: Constraint[bool] | None = Field(
        default=None, description="clients outside the hosts must reach the containers"
    )

    @model_validator(mode="before")
    @classmethod
    def _renamed_key(cls, data: Any) -> Any:
        """``containers_move`` read as "pods get rescheduled"; it meant "keeps its address"."""
        if isinstance(data, dict) and "containers_move" in data:
            if "ip_kept_on_move" in data:
                raise ValueError(
                    "give mobility.ip_kept_on_move only (containers_move is its old name)"
                )
            warnings.warn(
                "mobility.containers_move is deprecated: write mobility.ip_kept_on_move",
                FutureWarning,
                stacklevel=2,
            )
            data = {**data, "ip_kept_on_move": data["containers_move"]}
            del data["containers_move"]
        return data


class Priorities(_Strict):
    """Relative weights of the four criteria (any non-negative numbers; normalised)."""

    performance: float = Field(default=1.0, ge=0, le=100)
    security: float = Field(default=1.0, ge=0, le=100)
    mobility: float = Field(default=1.0, ge=0, le=100)
    operability: float = Field(default=1.0, ge=0, le=100)

    @model_validator(mode="after")
    def _not_all_zero(self) -> Priorities:
        if sum(self.as_dict().values()) <= 0:
            raise ValueError("at least one priority must be above 0")
        return self

    def as_dict(self) -> dict[str, float]:
        return {
            "performance": self.performance,
            "security": self.security,
            "mobility": self.mobility,
            "operability": self.operability,
        }


class Requirements(_Strict):
    """Everything cnadvisor needs to know about one system."""

    name: str = Field(default="unnamed system", min_length=1, max_length=200)
    description: str = ""
    workload: Workload = Field(default_factory=Workload)
    environment: Environment = Field(default_factory=Environment)
    security: Security = Field(default_factory=Security)
    mobility: Mobility = Field(default_factory=Mobility)
    priorities: Priorities = Field(default_factory=Priorities)

    @field_validator("name", "description")
    @classmethod
    def _showable(cls, value: str, info: ValidationInfo) -> str:
        """The name is shown in terminals, reports and spreadsheets: no control characters,
        escape sequences or bidi overrides that would steer or disguise what is shown."""
        bad = unsafe_characters(value, allow_newlines=info.field_name == "description")
        if bad:
            shown = ", ".join(f"U+{ord(c):04X}" for c in bad)
            raise ValueError(f"contains control or bidi characters ({shown}); remove them")
        return value


def json_schema() -> dict[str, Any]:
    """The JSON Schema editors use to complete and check requirement files."""
    schema = Requirements.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "cnadvisor requirements"
    return schema
