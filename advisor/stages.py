"""The shared vocabulary of datapath stages a packet can cross.

Profiles describe a network as an ordered list of these stages. Everything the
advisor derives from a datapath (encapsulation bytes, effective MTU, whether
traffic is encrypted on the wire, path length) comes from this table, so a new
CNI gets an estimate the moment it names its stages. Header sizes are exact and
cited: they are protocol facts, not measurements.

Plugins add stages through the ``cnadvisor_stages`` hook. They never replace a
built-in one: :data:`STAGES` stays the built-in table, and :func:`stage`,
:func:`is_known` and :func:`nearest_stage` look in both.
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass
from enum import StrEnum


class StageKind(StrEnum):
    """What a stage does to a packet; scoring and the model group stages by it."""

    LOCAL = "local"  # stays in one network stack (loopback)
    SWITCH = "switch"  # L2 forwarding or a virtual link
    ROUTE = "route"  # an L3 forwarding decision in a kernel
    FILTER = "filter"  # packet filtering / policy
    NAT = "nat"  # address translation with connection tracking
    ENCAP = "encap"  # adds tunnel headers
    ENCRYPT = "encrypt"  # adds encryption headers and crypto work
    USERSPACE = "userspace"  # packet copied to a user-space process and back


@dataclass(frozen=True, slots=True)
class Stage:
    """One datapath stage: what it is, what it adds to each packet, and why we believe it."""

    name: str
    kind: StageKind
    header_bytes: int  # bytes added in front of the inner IP packet (IPv4 underlay)
    description: str
    reference: str  # where the header size / behaviour is specified

    @property
    def encrypts(self) -> bool:
        return self.kind is StageKind.ENCRYPT

    @property
    def encapsulates(self) -> bool:
        return self.kind in (StageKind.ENCAP, StageKind.ENCRYPT) and self.header_bytes > 0


_RFC_IPV4 = "RFC 791 (IPv4 header, 20 bytes without options)"

STAGES: dict[str, Stage] = {
    stage.name: stage
    for stage in (
        Stage(
            "loopback",
            StageKind.LOCAL,
            0,
            "Both ends share one network stack and talk over the loopback device.",
            "Linux loopback device (drivers/net/loopback.c)",
        ),
        Stage(
            "veth",
            StageKind.SWITCH,
            0,
            "A virtual Ethernet pair joining a container namespace to another namespace.",
            "man 4 veth",
        ),
        Stage(
            "linux-bridge",
            StageKind.SWITCH,
            0,
            "A kernel software bridge switching frames between veth ports.",
            "man 8 bridge; kernel Documentation/networking/bridge.rst",
        ),
        Stage(
            "ovs",
            StageKind.SWITCH,
            0,
            "Open vSwitch kernel datapath (flow-table switching).",
            "https://docs.openvswitch.org/en/latest/intro/what-is-ovs/",
        ),
        Stage(
            "macvlan",
            StageKind.SWITCH,
            0,
            "A MAC-addressed sub-interface of the host NIC; frames demultiplexed by MAC.",
            "man 8 ip-link (macvlan type); survey Sec. II-A-1",
        ),
        Stage(
            "sriov-vf",
            StageKind.SWITCH,
            0,
            "An SR-IOV virtual function of the NIC in the container's namespace: the NIC's "
            "embedded switch forwards its frames; the host kernel does not switch them.",
            "https://docs.kernel.org/PCI/pci-iov-howto.html",
        ),
        Stage(
            "ipvlan-l2",
            StageKind.SWITCH,
            0,
            "An ipvlan sub-interface in L2 mode: shares the master's MAC, switching by IP.",
            "https://www.kernel.org/doc/html/v5.12/networking/ipvlan.html",
        ),
        Stage(
            "ipvlan-l3",
            StageKind.ROUTE,
            0,
            "An ipvlan sub-interface in L3/L3S mode: the master routes to slaves by IP.",
            "https://www.kernel.org/doc/html/v5.12/networking/ipvlan.html",
        ),
        Stage(
            "routed-hop",
            StageKind.ROUTE,
            0,
            "An IP forwarding decision in a host kernel (routing table lookup).",
            "survey Sec. II-A-2 (Routing)",
        ),
        Stage(
            "vrf",
            StageKind.ROUTE,
            0,
            "A Linux VRF device: a separate routing table per tenant.",
            "kernel Documentation/networking/vrf.rst",
        ),
        Stage(
            "iptables",
            StageKind.FILTER,
            0,
            "Netfilter/iptables rule traversal (policy, kube-proxy service rules).",
            "https://www.netfilter.org/documentation/",
        ),
        Stage(
            "ebpf",
            StageKind.FILTER,
            0,
            "eBPF programs at tc or XDP hooks doing forwarding, policy or load balancing.",
            "https://docs.kernel.org/bpf/",
        ),
        Stage(
            "netfilter-nat",
            StageKind.NAT,
            0,
            "Connection-tracked DNAT/SNAT (masquerade, port mapping).",
            "survey Sec. II-A-2 (Network Address Translation)",
        ),
        Stage(
            "userspace-proxy",
            StageKind.USERSPACE,
            0,
            "Packets leave the kernel for a user-space forwarder and come back.",
            "survey Sec. I (host OS stack overhead); e.g. docker-proxy, Weave sleeve",
        ),
        Stage(
            "vxlan",
            StageKind.ENCAP,
            50,
            "VXLAN: outer IPv4 20 + UDP 8 + VXLAN 8 + inner Ethernet 14 bytes.",
            f"RFC 7348 Sec. 5; {_RFC_IPV4}",
        ),
        Stage(
            "geneve",
            StageKind.ENCAP,
            50,
            "Geneve without options: outer IPv4 20 + UDP 8 + Geneve 8 + inner Ethernet 14.",
            f"RFC 8926 Sec. 3; {_RFC_IPV4}",
        ),
        Stage(
            "ipip",
            StageKind.ENCAP,
            20,
            "IP-in-IP: one outer IPv4 header.",
            f"RFC 2003; {_RFC_IPV4}",
        ),
        Stage(
            "gre",
            StageKind.ENCAP,
            24,
            "GRE: outer IPv4 20 + base GRE header 4 bytes.",
            f"RFC 2784 Sec. 2; {_RFC_IPV4}",
        ),
        Stage(
            "mplsogre",
            StageKind.ENCAP,
            28,
            "MPLS over GRE: outer IPv4 20 + GRE 4 + one MPLS label 4 bytes.",
            f"RFC 4023; RFC 3032 (label 4 bytes); {_RFC_IPV4}",
        ),
        Stage(
            "mplsoudp",
            StageKind.ENCAP,
            32,
            "MPLS over UDP: outer IPv4 20 + UDP 8 + one MPLS label 4 bytes.",
            f"RFC 7510; RFC 3032; {_RFC_IPV4}",
        ),
        Stage(
            "wireguard",
            StageKind.ENCRYPT,
            60,
            "WireGuard: outer IPv4 20 + UDP 8 + data header 16 + Poly1305 tag 16 bytes.",
            "WireGuard whitepaper Sec. 5.4.6 (transport data message)",
        ),
        Stage(
            "ipsec-esp-tunnel",
            StageKind.ENCRYPT,
            57,
            "IPsec ESP tunnel mode, AES-GCM: outer IPv4 20 + SPI/seq 8 + IV 8 + "
            "pad ≤3 + trailer 2 + ICV 16 bytes (worst case).",
            "RFC 4303 Sec. 2; RFC 4106 Sec. 3",
        ),
        Stage(
            "ipsec-esp-transport",
            StageKind.ENCRYPT,
            37,
            "IPsec ESP transport mode, AES-GCM: SPI/seq 8 + IV 8 + pad ≤3 + trailer 2 + ICV 16.",
            "RFC 4303 Sec. 2; RFC 4106 Sec. 3",
        ),
    )
}


class PacketIO(StrEnum):
    """High-performance packet IO frameworks, orthogonal to the network (survey Sec. I, [2])."""

    DPDK = "dpdk"
    NETMAP = "netmap"
    XDP = "xdp"
    AF_XDP = "af_xdp"


# Names the model already uses for terms that are not stages (the host stack, socket
# calls, a VM's virtual NIC; see ``cnadvisor.model.structure``) and the packet-IO
# frameworks: a plugin stage must not take them.
RESERVED_NAMES = frozenset(
    {"kernel-stack", "socket", "virtio-vhost", *(io.value for io in PacketIO)}
)
STAGE_NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
MAX_NAME = 40
MAX_HEADER_BYTES = 200  # as ``Datapath.extra_header_bytes``: more leaves a 1500-byte MTU little
MAX_TEXT = 500
# A prior's parameter, its unit, the column name ``datasets/stage_priors.csv`` uses for it,
# and the largest value that can be physical (the first two bounds are the CSV's own).
PRIOR_PARAMETERS: dict[str, tuple[str, str, float]] = {
    "ns_per_packet": ("ns_per_packet", "ns", 1e7),
    "delay_us": ("added_latency_us", "us", 1e7),
    # 1000 ns per byte is 8 Mbit/s on a core: slower than any network stage can be.
    "ns_per_byte": ("ns_per_byte", "ns", 1e3),
}
_DECLARATION_KEYS = frozenset(
    {"name", "kind", "header_bytes", "description", "reference", "priors"}
)
_PRIOR_KEYS = frozenset({"value", "source", "locator", "conditions"})


class StageError(ValueError):
    """A plugin's stage declaration is invalid; the message says which key and why."""


@dataclass(frozen=True, slots=True)
class StagePrior:
    """One documented cost figure for a plugin stage, with where it is stated."""

    parameter: str  # a key of PRIOR_PARAMETERS
    value: float
    source: str  # the document that states it (URL or citation)
    locator: str  # where in that document
    conditions: str = ""


@dataclass(frozen=True, slots=True)
class RegisteredStage:
    """A stage a plugin declared through ``cnadvisor_stages``, with its cost priors."""

    stage: Stage
    plugin: str
    priors: tuple[StagePrior, ...] = ()


_REGISTERED: dict[str, RegisteredStage] = {}
_GENERATION = [0]  # bumped whenever the registered stages are replaced


def _text(item: dict, key: str, where: str) -> str:
    value = item.get(key)
    if not isinstance(value, str) or not value.strip():
        raise StageError(f"{where}: {key!r} must be non-empty text, got {value!r}"[:300])
    if len(value) > MAX_TEXT:
        raise StageError(f"{where}: {key!r} is longer than {MAX_TEXT} characters")
    return value.strip()


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def parse_declaration(item: object, plugin: str, index: int = 0) -> RegisteredStage:
    """One item of a ``cnadvisor_stages`` result as a RegisteredStage, or StageError.

    Checks the shape and values only; whether the name is free is the registry's call."""
    if not isinstance(item, dict):
        raise StageError(f"item {index} is {type(item).__name__}; expected a dict")
    name = item.get("name")
    where = f"stage {name!r}" if isinstance(name, str) else f"stage (item {index})"
    unknown = sorted(str(key) for key in item if key not in _DECLARATION_KEYS)
    if unknown:
        raise StageError(f"{where}: unknown keys {unknown}; expected {sorted(_DECLARATION_KEYS)}")
    if not isinstance(name, str) or len(name) > MAX_NAME or not STAGE_NAME.match(name):
        raise StageError(
            f"{where}: 'name' must be lower-case letters, digits and single dashes, "
            f"at most {MAX_NAME} characters"
        )
    kind = item.get("kind")
    if kind not in {k.value for k in StageKind}:
        raise StageError(
            f"{where}: 'kind' {kind!r} is not one of {', '.join(k.value for k in StageKind)}"[:300]
        )
    header = item.get("header_bytes")
    if isinstance(header, bool) or not isinstance(header, int):
        raise StageError(f"{where}: 'header_bytes' must be a whole number, got {header!r}"[:300])
    if not 0 <= header <= MAX_HEADER_BYTES:
        raise StageError(f"{where}: 'header_bytes' {header} is outside 0-{MAX_HEADER_BYTES}")
    stage = Stage(
        name, StageKind(kind), header,
        _text(item, "description", where), _text(item, "reference", where),
    )  # fmt: skip
    return RegisteredStage(stage, plugin, _priors(item.get("priors"), where))


def _priors(declared: object, where: str) -> tuple[StagePrior, ...]:
    if declared is None:
        return ()
    if not isinstance(declared, dict):
        raise StageError(f"{where}: 'priors' must map parameters to figures")
    priors = []
    for parameter, figure in declared.items():
        at = f"{where}: priors.{parameter}"
        if parameter not in PRIOR_PARAMETERS:
            raise StageError(f"{at}: unknown parameter; expected one of {sorted(PRIOR_PARAMETERS)}")
        if not isinstance(figure, dict):
            raise StageError(f"{at}: expected a mapping with value, source and locator")
        unknown = sorted(str(key) for key in figure if key not in _PRIOR_KEYS)
        if unknown:
            raise StageError(f"{at}: unknown keys {unknown}; expected {sorted(_PRIOR_KEYS)}")
        value, high = _number(figure.get("value")), PRIOR_PARAMETERS[parameter][2]
        if value is None or not (math.isfinite(value) and 0 < value <= high):
            raise StageError(
                f"{at}: value {figure.get('value')!r} (expected a finite number > 0, <= {high:g})"[
                    :300
                ]
            )
        conditions = figure.get("conditions", "")
        if not isinstance(conditions, str) or len(conditions) > MAX_TEXT:
            raise StageError(f"{at}: 'conditions' must be text of at most {MAX_TEXT} characters")
        source, locator = _text(figure, "source", at), _text(figure, "locator", at)
        priors.append(StagePrior(parameter, value, source, locator, conditions.strip()))
    return tuple(priors)


def set_registered(stages: dict[str, RegisteredStage]) -> None:
    """Make ``stages`` the plugin-registered stages. Loading plugins calls this: the stage
    vocabulary is the built-ins plus what the most recently loaded plugin set declared."""
    clashes = sorted(set(stages) & (set(STAGES) | RESERVED_NAMES))
    if clashes:
        raise ValueError(f"stages {clashes} are built in or reserved")
    _REGISTERED.clear()
    _REGISTERED.update(stages)
    _GENERATION[0] += 1


def vocabulary_generation() -> int:
    """A number that changes whenever the registered stages do: what is worked out from a
    stage list and kept (a path's cost) is kept per generation."""
    return _GENERATION[0]


def registered_stages() -> dict[str, RegisteredStage]:
    """The stages plugins registered, by name (a copy)."""
    return dict(_REGISTERED)


def registered_stage_priors() -> list[dict[str, str]]:
    """The registered stages' cost priors as rows of ``datasets/stage_priors.csv`` (text
    columns stage, parameter, value, unit, conditions, source_id, locator, notes), plus a
    ``plugin`` column. ``source_id`` is the document the plugin cites."""
    rows = []
    for name, registered in sorted(_REGISTERED.items()):
        for prior in registered.priors:
            parameter, unit, _ = PRIOR_PARAMETERS[prior.parameter]
            rows.append({
                "stage": name, "parameter": parameter, "value": repr(prior.value), "unit": unit,
                "conditions": prior.conditions, "source_id": prior.source,
                "locator": prior.locator,
                "notes": f"declared by plugin {registered.plugin!r} (cnadvisor_stages)",
                "plugin": registered.plugin,
            })  # fmt: skip
    return rows


def is_known(name: str) -> bool:
    """Whether ``name`` is a built-in or a registered stage."""
    return name in STAGES or name in _REGISTERED


def known_stage_names() -> list[str]:
    """Every stage name a profile may use: built-ins, then registered ones."""
    return [*STAGES, *_REGISTERED]


def nearest_stage(name: str) -> str | None:
    """The closest known stage name, to suggest when a profile misspells one."""
    matches = difflib.get_close_matches(name, known_stage_names(), n=1, cutoff=0.5)
    return matches[0] if matches else None


def stage(name: str) -> Stage:
    """Look a stage up (built-in or registered), with a suggestion when it is unknown."""
    found = STAGES.get(name) or (_REGISTERED[name].stage if name in _REGISTERED else None)
    if found is None:
        hint = nearest_stage(name)
        suffix = f" (did you mean {hint!r}?)" if hint else ""
        raise KeyError(f"unknown datapath stage {name!r}{suffix}")
    return found
