"""This host's cost of each datapath stage, derived by difference between topologies.

A path's cost per packet comes from the UDP test at the smallest message size. With
``--pin`` client and server share one core and the cost is the CPU time they used per
packet (the sender's per packet sent, the receiver's per packet received; softirq work
done in their context is theirs, what the kernel deferred to ksoftirqd on that core is
shared out): the time one core spends per packet on the whole path, whatever else runs
on the machine. Without ``--pin`` it is 1 / (packets per second), wall-clock.
Topologies built here differ by known
stages (counted as the builders in :mod:`.topologies` wire them), so each stage's cost is
a fixed combination of path costs, for example::

    P(veth)        = K + v            (K: the loopback baseline's own cost, kernel-stack)
    P(veth-bridge) = K + 2v + b       (two veth crossings and one bridge)
    P(routed)      = K + 3v + 2h      (container veth, the wire, container veth; 2 hops)

so b = P(veth-bridge) - 2 P(veth) + P(host-loopback). Where two topologies differ by
one stage alone, as Flannel's two paths do (``vxlan-routed`` is ``bridge-routed`` plus
the VXLAN device), their difference is preferred: fewer paths, less noise. The
combination is applied to each repeat (the topologies are measured in turns, so repeat i
of each saw the same load) and the median
is reported with the repeats' minimum and maximum as the uncertainty. Cost per byte comes
the same way from the slope between the smallest and the largest UDP message size.
Tunnels count encapsulation and decapsulation together, once per path, as the profiles
list them.

Units: bench rows against profile entries. The table counts real crossings, while a
profile's ``datapath`` lists an inter-host path's stages once for both hosts (e.g. a
VXLAN overlay's ``[veth, linux-bridge, vxlan]`` for a packet that crosses two
container veths and two bridges). Each row therefore says what it measures (``unit``)
and by how much to multiply it for the cost of one entry of a profile's stage list:
``per_intra_entry`` for ``intra_host`` lists (one entry per crossing: a bridge's list
has ``veth`` twice) and ``per_inter_entry`` for ``inter_host`` lists whose both ends are
containers (overlays, routed CNIs). A one-sided inter-host path (a port mapping, as
``veth-bridge-nat`` builds it: a plain host dials a container) crosses each listed stage once: use
``per_intra_entry`` for it. Empty factors: no profile entry corresponds.

=============  ===========================================================  =====  =====
stage          unit of one row (per 64 B UDP packet, both ends' CPU)        intra  inter
=============  ===========================================================  =====  =====
kernel-stack   the baseline path: both stacks, socket calls, one loopback   -      -
veth           one veth crossing (xmit + peer receive) minus one loopback   1      2
linux-bridge   one bridge forwarding (veth -> bridge -> veth port)          1      2
routed-hop     one IP forwarding hop on an emulated host                    1      2
netfilter-nat  one DNAT lookup + conntrack on the server's host             1      1
vxlan, geneve  encapsulation + decapsulation of one path (both hosts)       -      1
ipip, gre      as vxlan (L3 tunnel; routed containers on both sides)        -      1
wireguard      encryption + decryption of one path (both hosts)             -      1
macvlan        one macvlan-to-macvlan forward on one parent, minus loopback 1      1
ipvlan-l2/l3   one ipvlan slave-to-slave forward, minus loopback            1      1
=============  ===========================================================  =====  =====

"Minus loopback": the formula takes the loopback baseline away, so the row is the
stage's cost beyond the loopback device's own, which the host path already pays.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from .runner import RunResult

REQUIRED = (
    "stage", "ns_per_packet", "ns_per_packet_low", "ns_per_packet_high", "ns_per_byte",
    "derived_from", "message_size", "protocol", "repeats", "cpu_model",
)  # fmt: skip
UNIT_COLUMNS = ("unit", "per_intra_entry", "per_inter_entry")  # since these tables' v2
COLUMNS = (*REQUIRED, *UNIT_COLUMNS)

# Stage -> (what one row measures, factor per intra_host entry, per inter_host entry);
# see the module's docstring. None: no profile entry corresponds.
UNITS: dict[str, tuple[str, float | None, float | None]] = {
    "kernel-stack": ("the baseline path: both stacks, socket calls, one loopback crossing",
                     None, None),
    "veth": ("one veth crossing (xmit + peer receive) minus one loopback crossing", 1, 2),
    "linux-bridge": ("one bridge forwarding between two veth ports", 1, 2),
    "routed-hop": ("one IP forwarding hop on an emulated host", 1, 2),
    "netfilter-nat": ("one DNAT lookup with conntrack on the server's host", 1, 1),
    "vxlan": ("encapsulation + decapsulation of one path (both hosts)", None, 1),
    "geneve": ("encapsulation + decapsulation of one path (both hosts)", None, 1),
    "ipip": ("encapsulation + decapsulation of one path (both hosts)", None, 1),
    "gre": ("encapsulation + decapsulation of one path (both hosts)", None, 1),
    "wireguard": ("encryption + decryption of one path (both hosts)", None, 1),
    "macvlan": ("one macvlan-to-macvlan forward on one parent minus one loopback crossing",
                1, 1),
    "ipvlan-l2": ("one ipvlan slave-to-slave forward minus one loopback crossing", 1, 1),
    "ipvlan-l3": ("one ipvlan slave-to-slave forward minus one loopback crossing", 1, 1),
}  # fmt: skip

# Stage -> (topology -> coefficient) over per-packet path costs; stage names are those of
# advisor/stages.py plus "kernel-stack" (the baseline path itself).
# h = (P(routed) - 3 P(veth) + 2 P(host-loopback)) / 2
_HOP = {"routed": 0.5, "veth": -1.5, "host-loopback": 1.0}
_BRIDGE = {"veth-bridge": 1.0, "veth": -2.0, "host-loopback": 1.0}


def _plus(*parts: tuple[float, dict[str, float]]) -> dict[str, float]:
    total: dict[str, float] = {}
    for factor, combination in parts:
        for topology, coefficient in combination.items():
            total[topology] = total.get(topology, 0.0) + factor * coefficient
    return {t: c for t, c in total.items() if abs(c) > 1e-12}


def _l2_tunnel(name: str) -> dict[str, float]:
    """P(tunnel) = K + 3v + 2b + X and P(routed) = K + 3v + 2h, so X = P(t) - P(r) + 2h - 2b."""
    return _plus((1, {name: 1.0, "routed": -1.0}), (2, _HOP), (-2, _BRIDGE))


# b, another way: P(bridge-routed) = P(routed) + 2b (Flannel host-gw against plain routing)
_BRIDGE_ROUTED = {"bridge-routed": 0.5, "routed": -0.5}

# Stage -> the combinations that give its cost, in order of preference: the first whose
# topologies were all measured is used. A difference of two topologies that differ by the
# stage alone comes first where the classic chain (veth -> bridge -> routed) is longer.
FORMULAS: dict[str, tuple[dict[str, float], ...]] = {
    "kernel-stack": ({"host-loopback": 1.0},),
    "veth": ({"veth": 1.0, "host-loopback": -1.0},),
    "linux-bridge": (_BRIDGE, _BRIDGE_ROUTED),
    "routed-hop": (_HOP,),
    # veth-bridge-nat: outside veth, routed + DNAT in the host, bridge, container veth
    "netfilter-nat": (_plus((1, {"veth-bridge-nat": 1.0, "veth-bridge": -1.0}), (-1, _HOP)),),
    # Flannel's two backends differ by the VXLAN device alone
    "vxlan": ({"vxlan-routed": 1.0, "bridge-routed": -1.0}, _l2_tunnel("vxlan")),
    "geneve": (_l2_tunnel("geneve"),),
    "ipip": ({"ipip": 1.0, "routed": -1.0},),
    "gre": ({"gre": 1.0, "routed": -1.0},),
    "wireguard": ({"wireguard": 1.0, "routed": -1.0},),
    "macvlan": ({"macvlan-pair": 1.0, "host-loopback": -1.0},),
    "ipvlan-l2": ({"ipvlan-pair-l2": 1.0, "host-loopback": -1.0},),
    "ipvlan-l3": ({"ipvlan-pair-l3": 1.0, "host-loopback": -1.0},),
}


@dataclass(frozen=True, slots=True)
class StageCost:
    stage: str
    ns_per_packet: float
    low: float
    high: float
    ns_per_byte: float | None
    derived_from: str
    message_size: int
    repeats: int


def _formula_text(combination: dict[str, float]) -> str:
    parts = []
    for topology, coefficient in combination.items():
        sign = "-" if coefficient < 0 else "+"
        size = abs(coefficient)
        factor = "" if size == 1 else f"{size:g} "
        parts.append(f"{sign} {factor}P({topology})")
    return " ".join(parts).removeprefix("+ ")


def _per_packet_ns(run: RunResult, size: int, cpu: bool) -> dict[str, list[float]]:
    """Topology -> per-repeat ns per packet on the UDP test of this size: CPU time per
    packet, or wall-clock 1 / packet rate."""
    found = {}
    for result in run.results:
        if result.test.kind != "udp" or result.test.size != size or result.error:
            continue
        if cpu:
            values = result.samples.get("cpu_ns_per_packet", [])
            if values and all(v > 0 for v in values):
                found[result.topology] = list(values)
            continue
        rates = result.samples.get("packet_rate_mpps", [])
        if rates and all(r > 0 for r in rates):
            found[result.topology] = [1e3 / r for r in rates]  # Mpps -> ns per packet
    return found


def _uses_cpu_time(run: RunResult) -> bool:
    """CPU time per packet when every UDP result has it (client and server pinned to one
    core, so nothing of the path runs unaccounted on another core)."""
    udp = [r for r in run.results if r.test.kind == "udp" and r.samples]
    return run.options.pin and bool(udp) and all("cpu_ns_per_packet" in r.samples for r in udp)


def derive(run: RunResult) -> list[StageCost]:
    """Every stage whose topologies were all measured in this run (single pair only)."""
    if run.options.pairs != 1:
        return []  # copies share the CPUs: per-packet cost of one path is not measured
    sizes = sorted({r.test.size for r in run.results if r.test.kind == "udp" and r.samples})
    if not sizes:
        return []
    small, large = sizes[0], sizes[-1]
    cpu = _uses_cpu_time(run)
    costs, large_costs = _per_packet_ns(run, small, cpu), _per_packet_ns(run, large, cpu)
    found = []
    for stage, combinations in FORMULAS.items():
        usable = [c for c in combinations if all(t in costs for t in c)]
        if not usable:
            continue
        combination = usable[0]
        repeats = min(len(costs[t]) for t in combination)
        values = [sum(c * costs[t][i] for t, c in combination.items()) for i in range(repeats)]
        per_byte = None
        if large > small and all(t in large_costs for t in combination):
            step = large - small
            slopes = {
                t: statistics.median(
                    (b - a) / step for a, b in zip(costs[t], large_costs[t], strict=False)
                )
                for t in combination
            }
            per_byte = sum(c * slopes[t] for t, c in combination.items())
        text = _formula_text(combination)
        if cpu:
            measure = (
                f"P = CPU time per UDP {small} B packet (sender per packet sent + receiver per "
                "packet received, client and server pinned to one core)"
            )
        else:
            pinned = ", client and server pinned to one core" if run.options.pin else ""
            measure = f"P = 1/(UDP {small} B packets per second{pinned})"
        slope = f"; per byte from the {small}..{large} B slope" if per_byte is not None else ""
        found.append(
            StageCost(
                stage=stage,
                ns_per_packet=statistics.median(values),
                low=min(values),
                high=max(values),
                ns_per_byte=per_byte,
                derived_from=f"{text}; {measure}{slope}",
                message_size=small,
                repeats=repeats,
            )
        )
    return found


def _factor(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def to_rows(costs: list[StageCost], cpu_model: str) -> list[dict[str, str]]:
    return [
        {
            "unit": UNITS[c.stage][0],
            "per_intra_entry": _factor(UNITS[c.stage][1]),
            "per_inter_entry": _factor(UNITS[c.stage][2]),
            "stage": c.stage,
            "ns_per_packet": f"{c.ns_per_packet:.1f}",
            "ns_per_packet_low": f"{c.low:.1f}",
            "ns_per_packet_high": f"{c.high:.1f}",
            "ns_per_byte": "" if c.ns_per_byte is None else f"{c.ns_per_byte:.4f}",
            "derived_from": c.derived_from,
            "message_size": str(c.message_size),
            "protocol": "udp",
            "repeats": str(c.repeats),
            "cpu_model": cpu_model,
        }
        for c in costs
    ]
