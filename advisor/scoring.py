"""Criteria scores 0..1 for one option, built from named factors so every point is explained.

Each criterion is the weighted mean of the factors that matter for *this*
system (a factor the requirements make irrelevant is left out). A fact the
profile leaves unknown scores 0.5 and is marked unknown. Preferred
requirements enter as factors of double weight. The factor values below are
the ranking's policy, stated here once, not measurements.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass

from .constraints import (
    HOST_UNREACHABLE,
    archived_text,
    constraint_key,
    encrypts_between_hosts,
    falls_short,
    reachable_from_outside,
)
from .memo import IdentityMemo
from .performance import Prediction
from .profile import (
    ISOLATION_ORDER,
    POLICY_ORDER,
    ExternalAccess,
    Isolation,
    SolutionProfile,
    Underlay,
)
from .requirements import Requirements
from .stages import StageKind, stage, vocabulary_generation

UNKNOWN = 0.5
PREFERRED_WEIGHT = 2.0
ARCHIVED_WEIGHT = 4.0  # an archived project gets no fixes: it should rarely win on other merits
CRITERIA = ("performance", "security", "mobility", "operability")

# A stage that copies packets to user space and back costs more than an in-kernel one.
STAGE_COST = {kind: 1.0 for kind in StageKind} | {StageKind.LOCAL: 0.0, StageKind.USERSPACE: 3.0}
PATH_COST_SCALE = 0.15  # score = 1 / (1 + scale * path cost)
# The survey (Sec. II-A): host mode shares the host's ports, and NAT port mapping
# invites port conflicts, which matter only when containers need the same port number.
SHARED_PORT_ACCESS = (ExternalAccess.HOST_ADDRESS, ExternalAccess.HOST_PORTS)
UNDERLAY_SCORE = {
    Underlay.NONE: 1.0,
    Underlay.IP: 1.0,
    Underlay.L2: 0.5,
    Underlay.L2_OR_BGP: 0.6,
    Underlay.BGP: 0.4,
}


# Plain frozen dataclasses, not pydantic models: the ranking builds about two hundred of
# them per system, every value comes from this module, and the output models (which
# serialise them) accept them as they are.
@dataclass(frozen=True, slots=True, kw_only=True)
class Factor:
    """One thing a criterion weighs, with its 0-1 score and why."""

    name: str
    score: float
    weight: float
    detail: str
    unknown: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class CriterionScore:
    """A criterion's score: the weighted mean of its factors."""

    name: str
    score: float
    factors: list[Factor]

    @classmethod
    def of(cls, name: str, factors: list[Factor], empty_detail: str) -> CriterionScore:
        if not factors:
            factors = [Factor(name="no requirement", score=1.0, weight=1.0, detail=empty_detail)]
        total_weight = sum(f.weight for f in factors)
        score = sum(f.score * f.weight for f in factors) / total_weight
        return cls(name=name, score=score, factors=factors)


def _flag(
    value: bool | None, *, good: bool, name: str, yes: str, no: str, weight: float = 1.0
) -> Factor:
    if value is None:
        return Factor(
            name=name, score=UNKNOWN, weight=weight, detail="not documented", unknown=True
        )
    met = value == good
    return Factor(name=name, score=1.0 if met else 0.0, weight=weight, detail=yes if value else no)


def _stages_text(stages: list[str]) -> str:
    count = f"{len(stages)} stage{'s' if len(stages) != 1 else ''}"
    return f"{count}: {' → '.join(stages) or 'host stack only'}"


def path_cost(stages: list[str]) -> float:
    return sum(STAGE_COST[stage(name).kind] for name in stages)


def path_score(stages: list[str]) -> float:
    return 1.0 / (1.0 + PATH_COST_SCALE * path_cost(stages))


PATH_MEMO_LIMIT = 1024  # stage lists kept: two per option
_PATHS: IdentityMemo[tuple[float, str]] = IdentityMemo()
_THROUGHPUT_DETAILS: IdentityMemo[str] = IdentityMemo()
DETAIL_MEMO_LIMIT = 8192  # details kept, as estimate texts are


def _path_facts(stages: list[str]) -> tuple[float, str]:
    """A datapath's score and its text, worked out once per profile's stage list (an
    option is scored file after file) and again when the stage vocabulary changes."""
    return _PATHS.of(stages, _worked_out_path, PATH_MEMO_LIMIT, vocabulary_generation())


def _worked_out_path(stages: list[str]) -> tuple[float, str]:
    return path_score(stages), _stages_text(stages)


def _throughput_detail(prediction: Prediction) -> str:
    """The throughput factor's detail, once per prediction (the model hands out the same
    object for the same option and workload point)."""
    return _THROUGHPUT_DETAILS.of(prediction, _worded_throughput, DETAIL_MEMO_LIMIT)


def _worded_throughput(prediction: Prediction) -> str:
    return f"{prediction.throughput_ratio.text()} of host ({prediction.model} model)"


def _measured_like(prediction: Prediction | None) -> bool:
    """A prediction that estimates the whole datapath's cost (not just a header bound)."""
    return (
        prediction is not None
        and prediction.throughput_ratio.value is not None
        and prediction.throughput_ratio.kind == "point"
    )


def performance(
    s: SolutionProfile,
    r: Requirements,
    inter: Prediction | None,
    intra: Prediction | None = None,
) -> CriterionScore:
    traffic = r.workload.traffic
    factors: list[Factor] = []
    for share, prediction, stages, label in (
        (traffic.intra_host, intra, s.datapath.intra_host, "same-host"),
        (traffic.leaves_host, inter, s.datapath.inter_host, "cross-host"),
    ):
        if share <= 0 or stages is None:
            continue
        measured_like = _measured_like(prediction)
        if measured_like:
            ratio = prediction.throughput_ratio
            factors.append(
                Factor(
                    name=f"{label} throughput",
                    score=min(1.0, ratio.value),
                    weight=share,
                    detail=_throughput_detail(prediction),
                )
            )
        # Every stage is CPU work per packet: the structure still counts where data is thin.
        suffix = " each side" if label == "cross-host" else ""
        path, text = _path_facts(stages)
        factors.append(
            Factor(
                name=f"{label} path",
                score=path,
                weight=share / 2 if (label == "cross-host" or measured_like) else share,
                detail=text + suffix,
            )
        )
        if measured_like:
            continue
        bound = prediction.throughput_ratio.value if prediction is not None else None
        if label == "cross-host" and bound is not None:
            factors.append(
                Factor(
                    name="wire efficiency",
                    score=min(1.0, prediction.throughput_ratio.value),
                    weight=share / 2,
                    detail=f"throughput vs host {prediction.throughput_ratio.text()} "
                    f"({prediction.model})",
                )
            )
    need = r.workload.throughput
    if need and inter is not None and traffic.leaves_host > 0:
        estimate = inter.throughput_gbps if need.unit == "gbps" else inter.packet_rate_mpps
        if estimate.value is not None:
            factors.append(
                Factor(
                    name="throughput need",
                    score=min(1.0, estimate.value / need.value),
                    weight=PREFERRED_WEIGHT,
                    detail=f"{estimate.text()} vs {need.value:g} {estimate.unit} wanted",
                )
            )
    wanted_io = r.workload.packet_io
    if wanted_io and wanted_io.value:
        frameworks = [f.value for f in s.pod_packet_io]
        factors.append(
            Factor(
                name="packet IO in the pod",
                score=1.0 if frameworks else 0.0,
                weight=PREFERRED_WEIGHT,
                detail=", ".join(frameworks) or "no DPDK/AF_XDP-capable pod interface",
            )
        )
    return CriterionScore.of("performance", factors, "no traffic declared")


def security(s: SolutionProfile, r: Requirements) -> CriterionScore:
    sec, want = s.security, r.security
    factors = [
        _level_factor(
            "isolation",
            ISOLATION_ORDER,
            sec.isolation,
            want.isolation.value if want.isolation else None,
            PREFERRED_WEIGHT if want.isolation else 1.0,
        )
    ]
    policy_weight = PREFERRED_WEIGHT if want.network_policy else 1.0
    if sec.isolation is Isolation.NO_NETWORK:
        pass  # nothing reaches the container: there is no traffic to police
    elif sec.network_policy is None:
        factors.append(
            Factor(
                name="network policy",
                score=UNKNOWN,
                weight=policy_weight,
                detail="not documented",
                unknown=True,
            )
        )
    else:
        factors.append(
            _level_factor(
                "network policy",
                POLICY_ORDER,
                sec.network_policy,
                want.network_policy.value if want.network_policy else None,
                policy_weight,
            )
        )
    asked = (want.encryption and want.encryption.value) or (
        want.multi_tenant and want.multi_tenant.value
    )
    if asked and r.workload.traffic.leaves_host > 0 and s.inter_host:
        encrypted = encrypts_between_hosts(s)
        factors.append(
            _flag(
                encrypted,
                good=True,
                name="encryption between hosts",
                yes="encrypted on the wire",
                no="clear text between hosts",
                weight=PREFERRED_WEIGHT if want.encryption and want.encryption.value else 1.0,
            )
        )
    factors.append(
        _flag(
            s.promiscuous_needed,
            good=False,
            name="promiscuous mode",
            yes="host NIC in promiscuous mode",
            no="no promiscuous mode",
        )
    )
    if want.multi_tenant and want.multi_tenant.value:
        factors.append(
            _flag(
                sec.multi_tenancy,
                good=True,
                name="multi-tenancy",
                yes="tenant networks with overlapping ranges",
                no="no separate tenant networks",
                weight=PREFERRED_WEIGHT,
            )
        )
    return CriterionScore.of("security", factors, "")


def _level_factor(name: str, order: list, offered, wanted, weight: float) -> Factor:
    """A named level (isolation, policy) is met or not: more than asked earns nothing (an
    engineer asking for L3-L4 policy gains nothing from L7). Without one, more is better."""
    level = order.index(offered)
    asked = order.index(wanted) if wanted is not None else 0
    if not asked:
        return Factor(
            name=name, score=level / (len(order) - 1), weight=weight, detail=offered.value
        )
    met = not falls_short(order, offered, wanted)
    return Factor(
        name=name,
        score=1.0 if met else level / asked,
        weight=weight,
        detail=f"{offered.value} ({'meets' if met else 'below'} {wanted.value} asked)",
    )


def mobility(s: SolutionProfile, r: Requirements) -> CriterionScore:
    m, want = s.mobility, r.mobility
    factors: list[Factor] = []
    if r.workload.traffic.cross_datacenter > 0:
        factors.append(
            _flag(
                m.cross_datacenter,
                good=True,
                name="cross-datacentre",
                yes="spans data centres",
                no="one data centre only",
            )
        )
    if want.ip_kept_on_move and want.ip_kept_on_move.value:
        factors.append(
            _flag(
                m.ip_kept_on_move,
                good=True,
                name="address kept on move",
                yes="keeps its address across hosts",
                no="gets a new address when moved",
                weight=PREFERRED_WEIGHT,
            )
        )
        factors.append(
            _flag(
                m.needs_kv_store,
                good=False,
                name="key-value store",
                yes="start-up waits for the address mapping to spread",
                no="no shared store to wait for",
            )
        )
    if want.routable_ips and want.routable_ips.value:
        factors.append(
            _flag(
                m.routable_ips,
                good=True,
                name="routable addresses",
                yes="container addresses routable",
                no="addresses hidden behind NAT",
                weight=PREFERRED_WEIGHT,
            )
        )
    if want.external_access and want.external_access.value:
        how = ", ".join(a.value for a in m.external_access) or "not documented"
        factors.append(
            _flag(
                reachable_from_outside(s),
                good=True,
                name="external access",
                yes=f"via {how}",
                no="not reachable from outside",
                weight=PREFERRED_WEIGHT,
            )
        )
    return CriterionScore.of("mobility", factors, "no mobility requirement")


def _underlay_offered(demand: Underlay, r: Requirements) -> bool:
    """True when the requirements say the underlay has what this option needs."""
    net = r.environment.underlay
    return {
        Underlay.NONE: True,
        Underlay.IP: True,
        Underlay.L2: net.l2_adjacent is True,
        Underlay.L2_OR_BGP: net.l2_adjacent is True or net.bgp_peering is True,
        Underlay.BGP: net.bgp_peering is True,
    }[demand]


def _shared_host_ports(s: SolutionProfile, r: Requirements) -> list[ExternalAccess]:
    """How containers end up on the host's one port range here: host mode always (they bind on
    the host's stack); published ports only when they must be reached from outside and the
    option offers no way in that does not go through the host's ports."""
    access = s.mobility.external_access
    shared = [a for a in access if a is ExternalAccess.HOST_ADDRESS]
    inbound = r.mobility.external_access and r.mobility.external_access.value
    if inbound and access and all(a in SHARED_PORT_ACCESS for a in access):
        shared += [a for a in access if a is ExternalAccess.HOST_PORTS]
    return shared


def operability(s: SolutionProfile, r: Requirements, inter: Prediction | None) -> CriterionScore:
    ops = s.operations
    factors: list[Factor] = []
    if r.workload.traffic.leaves_host > 0 and s.inter_host:
        factors.append(
            Factor(
                name="underlay demands",
                score=1.0 if _underlay_offered(ops.underlay, r) else UNDERLAY_SCORE[ops.underlay],
                weight=1.0,
                detail=f"needs: {ops.underlay.value}"
                + (" (offered)" if _underlay_offered(ops.underlay, r) else ""),
            )
        )
        if inter is not None and inter.effective_mtu is not None:
            underlay_mtu = r.environment.underlay.mtu
            factors.append(
                Factor(
                    name="MTU",
                    score=inter.effective_mtu / underlay_mtu,
                    weight=1.0,
                    detail=f"container MTU {inter.effective_mtu} of {underlay_mtu}",
                )
            )
    if r.workload.same_port and r.environment.containers_per_host > 1:
        shared = _shared_host_ports(s, r)
        if shared:
            factors.append(
                Factor(
                    name="port conflicts",
                    score=0.0,
                    weight=1.0,
                    detail=f"containers needing the same port share the host's port range "
                    f"({', '.join(a.value for a in shared)})",
                )
            )
    if ops.host_reachable is False:
        factors.append(
            Factor(name="host reachability", score=0.0, weight=1.0, detail=HOST_UNREACHABLE)
        )
    discovery = r.workload.discovery
    if discovery and discovery.value:
        factors.append(
            _flag(
                ops.lan_discovery,
                good=True,
                name="LAN discovery",
                yes="mDNS/SSDP multicast reaches the containers",
                no="LAN multicast does not reach the containers",
                weight=PREFERRED_WEIGHT,
            )
        )
    if r.environment.managed:
        supported = r.environment.platform in ops.managed_platforms
        factors.append(
            Factor(
                name="platform vendor support",
                score=1.0 if supported else 0.0,
                weight=PREFERRED_WEIGHT,
                detail=f"installed and supported by {r.environment.platform}"
                if supported
                else f"not supported by {r.environment.platform}'s vendor",
            )
        )
        if supported:  # among the vendor's own modes, the one it sets up unasked
            default = r.environment.platform in ops.default_on
            factors.append(
                Factor(
                    name="platform default",
                    score=1.0 if default else 0.0,
                    weight=1.0,
                    detail=f"{r.environment.platform}'s default"
                    if default
                    else f"a mode {r.environment.platform} offers, not its default",
                )
            )
    if ops.maintained is False:
        factors.append(
            Factor(name="maintained", score=0.0, weight=ARCHIVED_WEIGHT, detail=archived_text(s))
        )
    if ops.preview:  # not generally available: an engineer does not start production there
        factors.append(
            Factor(name="maturity", score=0.0, weight=1.0, detail=f"{ops.preview} upstream")
        )
    if ops.superseded:  # still supported, but upstream points new users elsewhere
        factors.append(
            Factor(name="superseded", score=0.0, weight=1.0, detail=f"{ops.superseded} upstream")
        )
    return CriterionScore.of("operability", factors, "")


CRITERION_KEYS: dict[Callable[[SolutionProfile, Requirements], CriterionScore],
                     Callable[[Requirements], Hashable]] = {
    security: lambda r: (
        constraint_key(r.security.isolation),
        constraint_key(r.security.network_policy),
        constraint_key(r.security.encryption),
        constraint_key(r.security.multi_tenant),
        r.workload.traffic.leaves_host > 0,
    ),
    mobility: lambda r: (
        r.workload.traffic.cross_datacenter > 0,
        constraint_key(r.mobility.ip_kept_on_move),
        constraint_key(r.mobility.routable_ips),
        constraint_key(r.mobility.external_access),
    ),
}  # fmt: skip
"""What the criteria that read no prediction read of the requirements, as a key: equal keys
give an option the same score (traced against each criterion's reads in the tests)."""


def operability_key(r: Requirements, inter: Prediction | None) -> Hashable:
    """What `operability` reads of the requirements and of the cross-host prediction (its
    container MTU only), as a key: traced against its reads in the tests, as above."""
    env = r.environment
    net = env.underlay
    leaves = r.workload.traffic.leaves_host > 0
    return (
        leaves and (net.l2_adjacent, net.bgp_peering, net.mtu,
                    None if inter is None else inter.effective_mtu),
        r.workload.same_port and env.containers_per_host > 1
        and constraint_key(r.mobility.external_access),
        constraint_key(r.workload.discovery),
        env.managed and env.platform,
    )  # fmt: skip


CRITERION_MEMO_LIMIT = 8192  # criterion scores kept; a long batch must not grow memory
# The criteria `CriteriaMemo` hands out again (one score object per option and key): what
# is worked out from their scores (JSON, the costliest factors) may be kept per object.
# Performance reads the traffic shares and is worked out afresh for every file.
SHARED_CRITERIA = frozenset({"security", "mobility", "operability"})


class CriteriaMemo:
    """The criteria whose reads have a key (`CRITERION_KEYS`, `operability_key`), worked
    out once per option and key and reused for every file of a batch that shares the key."""

    def __init__(self) -> None:
        self._kept: IdentityMemo[CriterionScore] = IdentityMemo()

    def get(
        self, criterion: Callable[[SolutionProfile, Requirements], CriterionScore],
        s: SolutionProfile, r: Requirements,
    ) -> CriterionScore:  # fmt: skip
        key = (criterion, CRITERION_KEYS[criterion](r))
        return self._kept.get((s,), lambda: criterion(s, r), CRITERION_MEMO_LIMIT, key)

    def operability(
        self, s: SolutionProfile, r: Requirements, inter: Prediction | None
    ) -> CriterionScore:
        key = (operability, operability_key(r, inter))
        return self._kept.get((s,), lambda: operability(s, r, inter), CRITERION_MEMO_LIMIT, key)


def score(
    s: SolutionProfile,
    r: Requirements,
    inter: Prediction | None,
    intra: Prediction | None = None,
    memo: CriteriaMemo | None = None,
) -> dict[str, CriterionScore]:
    """All four criteria for one option (``memo``: the batch's, for those that allow one)."""
    return {
        "performance": performance(s, r, inter, intra),
        "security": memo.get(security, s, r) if memo else security(s, r),
        "mobility": memo.get(mobility, s, r) if memo else mobility(s, r),
        "operability": memo.operability(s, r, inter) if memo else operability(s, r, inter),
    }
