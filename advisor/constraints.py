"""Hard constraints: which options cannot work for this system, and the exact requirement why.

Each rule reads profile fields and requirement keys only; none names a solution.
A fact the profile leaves unknown never excludes: it keeps the option and says
what to verify (severity ``warn``).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

from .findings import Finding, Severity
from .performance import Prediction
from .physics import IPV6_MIN_MTU
from .profile import (
    ISOLATION_ORDER,
    POLICY_ORDER,
    ExternalAccess,
    NetworkRole,
    SolutionProfile,
    Underlay,
)
from .requirements import Requirements
from .stages import stage

Rule = Callable[[SolutionProfile, Requirements, Prediction | None], Iterator[Finding]]


# A rule says the same few things file after file. Findings are frozen, so each distinct
# one is built once and shared (as the rule memo shares the findings it keeps).
FINDINGS_KEPT = 4096


@lru_cache(maxsize=FINDINGS_KEPT)
def _exclude(key: str, message: str) -> Finding:
    return Finding(severity=Severity.EXCLUDE, requirement=key, message=message)


@lru_cache(maxsize=FINDINGS_KEPT)
def _warn(key: str, message: str) -> Finding:
    return Finding(severity=Severity.WARN, requirement=key, message=message)


@lru_cache(maxsize=FINDINGS_KEPT)
def _info(key: str, message: str) -> Finding:
    return Finding(severity=Severity.INFO, requirement=key, message=message)


def orchestrator(s: SolutionProfile, r: Requirements, _: Prediction | None) -> Iterator[Finding]:
    wanted = r.environment.orchestrator
    if wanted not in s.operations.orchestrators:
        offered = ", ".join(o.value for o in s.operations.orchestrators)
        yield _exclude("environment.orchestrator", f"runs under {offered}, not {wanted.value}")


def cloud(s: SolutionProfile, r: Requirements, _: Prediction | None) -> Iterator[Finding]:
    needed = s.operations.cloud
    if needed and r.environment.cloud != needed:
        yield _exclude("environment.platform", f"runs only on {needed}'s network")


def role(s: SolutionProfile, r: Requirements, _: Prediction | None) -> Iterator[Finding]:
    if NetworkRole.PRIMARY not in s.operations.roles:
        yield _exclude(
            "workload.separate_data_plane",
            "a secondary network only: attached next to a primary CNI, ranked as a "
            "combination when workload.separate_data_plane is true",
        )


def traffic(s: SolutionProfile, r: Requirements, _: Prediction | None) -> Iterator[Finding]:
    shares = r.workload.traffic
    if shares.total > 0 and s.security.isolation.value == "no-network":
        yield _exclude("workload.traffic", "gives containers no network, but traffic is declared")
    if shares.leaves_host > 0 and not s.inter_host:
        key = (
            "workload.traffic.inter_host"
            if shares.inter_host
            else "workload.traffic.cross_datacenter"
        )
        yield _exclude(key, "carries traffic within one host only")
    if shares.cross_datacenter > 0 and s.inter_host:
        if s.mobility.cross_datacenter is False:
            yield _exclude("workload.traffic.cross_datacenter", "does not span data centres")
        elif s.mobility.cross_datacenter is None:
            yield _warn("workload.traffic.cross_datacenter", "cross-datacentre use not documented")


def underlay(s: SolutionProfile, r: Requirements, _: Prediction | None) -> Iterator[Finding]:
    if r.workload.traffic.leaves_host <= 0 or not s.inter_host:
        return
    net = r.environment.underlay
    demand = s.operations.underlay
    if demand is Underlay.L2:
        yield from _needs(
            "environment.underlay.l2_adjacent", net.l2_adjacent, "hosts on one L2 segment"
        )
    elif demand is Underlay.BGP:
        yield from _needs(
            "environment.underlay.bgp_peering", net.bgp_peering, "BGP peering with the fabric"
        )
    elif demand is Underlay.L2_OR_BGP:
        if net.l2_adjacent is False and net.bgp_peering is False:
            yield _exclude(
                "environment.underlay",
                "routes container addresses natively: needs hosts on one L2 segment or BGP "
                "peering with the fabric, and the underlay offers neither",
            )
        elif not (net.l2_adjacent or net.bgp_peering):
            yield _warn(
                "environment.underlay",
                "needs hosts on one L2 segment or BGP peering; the requirements do not say",
            )


def _needs(key: str, offered: bool | None, what: str) -> Iterator[Finding]:
    if offered is False:
        yield _exclude(key, f"needs {what}, which the underlay does not offer")
    elif offered is None:
        yield _warn(key, f"needs {what}; the requirements do not say whether it is there")


def promiscuous(s: SolutionProfile, r: Requirements, _: Prediction | None) -> Iterator[Finding]:
    if s.promiscuous_needed:
        allowed = r.environment.underlay.promiscuous_allowed
        key = "environment.underlay.promiscuous_allowed"
        if allowed is False:
            yield _exclude(key, "puts the host NIC in promiscuous mode, which is not allowed")
        elif allowed is None:
            yield _warn(key, "puts the host NIC in promiscuous mode; check that it is allowed")


def mac_limit(s: SolutionProfile, r: Requirements, _: Prediction | None) -> Iterator[Finding]:
    limit = r.environment.underlay.mac_limit_per_port
    if s.operations.mac_per_container and limit is not None:
        needed = r.environment.containers_per_host + 1  # the host's own MAC too
        if needed > limit:
            yield _exclude(
                "environment.underlay.mac_limit_per_port",
                f"shows one MAC per container: {needed} MACs on the port, limit {limit}",
            )


def mtu(s: SolutionProfile, r: Requirements, p: Prediction | None) -> Iterator[Finding]:
    if p is None or p.effective_mtu is None:
        return
    underlay_mtu = r.environment.underlay.mtu
    if r.environment.ip_family != "ipv4" and p.effective_mtu < IPV6_MIN_MTU:
        yield _exclude(
            "environment.underlay.mtu",
            f"container MTU would be {p.effective_mtu}, below IPv6's minimum of {IPV6_MIN_MTU}",
        )
    elif p.effective_mtu < underlay_mtu:
        yield _info(
            "environment.underlay.mtu",
            f"set the container MTU to {p.effective_mtu} "
            f"({underlay_mtu - p.effective_mtu} bytes of encapsulation)",
        )


def ip_family(s: SolutionProfile, r: Requirements, _: Prediction | None) -> Iterator[Finding]:
    wanted = r.environment.ip_family
    offered = s.operations.ip_families
    if not offered:
        yield _warn("environment.ip_family", f"{wanted} support not documented")
    elif wanted not in offered:
        yield _exclude("environment.ip_family", f"supports {', '.join(offered)}, not {wanted}")


def windows(s: SolutionProfile, r: Requirements, _: Prediction | None) -> Iterator[Finding]:
    if r.environment.windows_nodes:
        if s.operations.windows_nodes is False:
            yield _exclude("environment.windows_nodes", "has no Windows node support")
        elif s.operations.windows_nodes is None:
            yield _warn("environment.windows_nodes", "Windows node support not documented")


def falls_short(order: list, offered, wanted) -> bool:
    """Whether a level (isolation, policy) is below the one asked for, in the given order."""
    return order.index(offered) < order.index(wanted)


def isolation(s: SolutionProfile, r: Requirements, _: Prediction | None) -> Iterator[Finding]:
    wanted = r.security.isolation
    if (
        wanted
        and wanted.required
        and falls_short(ISOLATION_ORDER, s.security.isolation, wanted.value)
    ):
        yield _exclude(
            "security.isolation",
            f"isolation is {s.security.isolation.value}, weaker than {wanted.value.value}",
        )


def network_policy(s: SolutionProfile, r: Requirements, _: Prediction | None) -> Iterator[Finding]:
    wanted = r.security.network_policy
    if not wanted or not wanted.required or wanted.value.value == "none":
        return
    level = s.security.network_policy
    if level is None:
        yield _warn("security.network_policy", "network policy support not documented")
    elif falls_short(POLICY_ORDER, level, wanted.value):
        yield _exclude(
            "security.network_policy",
            f"enforces {level.value} policy, {wanted.value.value} required",
        )


def encryption(s: SolutionProfile, r: Requirements, _: Prediction | None) -> Iterator[Finding]:
    wanted = r.security.encryption
    if not wanted or not wanted.required or not wanted.value:
        return
    if r.workload.traffic.leaves_host <= 0:
        yield _info("security.encryption", "no traffic leaves the host: nothing to encrypt")
    elif not encrypts_between_hosts(s):
        yield _exclude("security.encryption", "does not encrypt traffic between hosts")


def encrypts_between_hosts(s: SolutionProfile) -> bool:
    return any(stage(name).encrypts for name in s.datapath.inter_host or [])


def reachable_from_outside(s: SolutionProfile) -> bool | None:
    """Whether anything outside the hosts can reach the containers; None when not documented."""
    access = s.mobility.external_access
    return None if not access else access != [ExternalAccess.NONE]


def archived_text(s: SolutionProfile) -> str:
    when = f" in {s.operations.archived}" if s.operations.archived else ""
    return f"archived upstream{when}"


HOST_UNREACHABLE = (
    "containers cannot reach their own host's addresses without extra setup "
    "(a shim interface on the host)"
)


def _boolean_need(key: str, have: bool | None, what: str, wanted) -> Iterator[Finding]:
    if not wanted or not wanted.required or not wanted.value:
        return
    if have is False:
        yield _exclude(key, f"does not offer {what}")
    elif have is None:
        yield _warn(key, f"{what}: not documented")


def tenancy(s: SolutionProfile, r: Requirements, _: Prediction | None) -> Iterator[Finding]:
    yield from _boolean_need(
        "security.multi_tenant",
        s.security.multi_tenancy,
        "separate tenant networks with overlapping ranges",
        r.security.multi_tenant,
    )


def mobility(s: SolutionProfile, r: Requirements, _: Prediction | None) -> Iterator[Finding]:
    m, want = s.mobility, r.mobility
    moving = want.ip_kept_on_move
    if moving and moving.required and moving.value and not s.inter_host:
        yield _exclude("mobility.ip_kept_on_move", "cannot reach containers on other hosts")
        return
    yield from _boolean_need(
        "mobility.ip_kept_on_move",
        m.ip_kept_on_move,
        "addresses kept when containers move",
        want.ip_kept_on_move,
    )
    yield from _boolean_need(
        "mobility.routable_ips",
        m.routable_ips,
        "container addresses routable without NAT",
        want.routable_ips,
    )
    yield from _boolean_need(
        "mobility.external_access",
        reachable_from_outside(s),
        "reachability from outside the hosts",
        want.external_access,
    )


def performance(s: SolutionProfile, r: Requirements, p: Prediction | None) -> Iterator[Finding]:
    need = r.workload.throughput
    if need and need.need.value == "required" and p is not None and r.workload.traffic.leaves_host:
        estimate = p.throughput_gbps if need.unit == "gbps" else p.packet_rate_mpps
        best = estimate.high
        if best is not None and best < need.value:
            yield _exclude(
                "workload.throughput",
                f"at most {best:.3g} {estimate.unit} on this NIC and message size "
                f"({p.model} model), {need.value:g} {estimate.unit} required",
            )
    budget = r.workload.latency_budget_us
    if budget and budget.required and p is not None:
        latency = p.added_latency_us
        if latency.low is not None and latency.low > budget.value:
            yield _exclude(
                "workload.latency_budget_us",
                f"adds at least {latency.low:.3g} µs ({p.model} model), budget {budget.value:g} µs",
            )
        elif latency.value is None:
            yield _warn(
                "workload.latency_budget_us",
                f"latency budget not checked: the {p.model} model gives no latency figure",
            )


def packet_io(s: SolutionProfile, r: Requirements, _: Prediction | None) -> Iterator[Finding]:
    wanted = r.workload.packet_io
    if wanted and wanted.required and wanted.value and not s.pod_packet_io:
        accelerated = (
            " (its XDP acceleration is its own, not the pod's)"
            if (s.operations.xdp_acceleration)
            else ""
        )
        yield _exclude(
            "workload.packet_io", f"gives the pod no DPDK/AF_XDP-capable interface{accelerated}"
        )


def discovery(s: SolutionProfile, r: Requirements, _: Prediction | None) -> Iterator[Finding]:
    yield from _boolean_need(
        "workload.discovery",
        s.operations.lan_discovery,
        "LAN multicast/broadcast discovery (mDNS, SSDP) in the container",
        r.workload.discovery,
    )


def host_reach(s: SolutionProfile, r: Requirements, _: Prediction | None) -> Iterator[Finding]:
    if s.operations.host_reachable is False:
        yield _info("-", HOST_UNREACHABLE)


def maintenance(s: SolutionProfile, r: Requirements, _: Prediction | None) -> Iterator[Finding]:
    if s.operations.maintained is False:
        yield _warn("-", f"{archived_text(s)}: no fixes or security updates")
    if s.operations.preview:
        yield _warn(
            "-",
            f"upstream calls it {s.operations.preview}: expect changes and known issues "
            "before it is generally available",
        )
    if s.operations.superseded:
        yield _info(
            "-", f"upstream calls it {s.operations.superseded}: new clusters are steered elsewhere"
        )


RULES: tuple[Rule, ...] = (
    orchestrator,
    role,
    cloud,
    traffic,
    underlay,
    promiscuous,
    mac_limit,
    mtu,
    ip_family,
    windows,
    isolation,
    network_policy,
    encryption,
    tenancy,
    mobility,
    performance,
    packet_io,
    discovery,
    host_reach,
    maintenance,
)


PREDICTION_RULES: frozenset[Rule] = frozenset({mtu, performance})
"""Rules that read the model's prediction; every other rule reads profile and requirements
only, so an option they exclude needs no prediction at all."""


def check(
    solution: SolutionProfile, requirements: Requirements, prediction: Prediction | None
) -> list[Finding]:
    """Every built-in rule's findings for one option."""
    return [finding for rule in RULES for finding in rule(solution, requirements, prediction)]


def constraint_key(wanted) -> tuple | None:
    """A requirement constraint as a memo key: what the rules and criteria read of it."""
    return None if wanted is None else (wanted.value, wanted.required)


def _leaves(r: Requirements) -> bool:
    return r.workload.traffic.leaves_host > 0


def _traffic_key(r: Requirements) -> Hashable:
    shares = r.workload.traffic
    return (shares.total > 0, shares.leaves_host > 0, shares.inter_host > 0,
            shares.cross_datacenter > 0)  # fmt: skip


def _mac_key(r: Requirements) -> Hashable:
    limit = r.environment.underlay.mac_limit_per_port
    return None if limit is None else (limit, r.environment.containers_per_host)


RULE_KEYS: dict[Rule, Callable[[Requirements], Hashable]] = {
    orchestrator: lambda r: r.environment.orchestrator,
    role: lambda r: None,
    cloud: lambda r: r.environment.cloud,
    traffic: _traffic_key,
    underlay: lambda r: (
        _leaves(r),
        r.environment.underlay.l2_adjacent,
        r.environment.underlay.bgp_peering,
    ),
    promiscuous: lambda r: r.environment.underlay.promiscuous_allowed,
    mac_limit: _mac_key,
    ip_family: lambda r: r.environment.ip_family,
    windows: lambda r: r.environment.windows_nodes,
    isolation: lambda r: constraint_key(r.security.isolation),
    network_policy: lambda r: constraint_key(r.security.network_policy),
    encryption: lambda r: (constraint_key(r.security.encryption), _leaves(r)),
    tenancy: lambda r: constraint_key(r.security.multi_tenant),
    mobility: lambda r: (
        constraint_key(r.mobility.ip_kept_on_move),
        constraint_key(r.mobility.routable_ips),
        constraint_key(r.mobility.external_access),
    ),
    packet_io: lambda r: constraint_key(r.workload.packet_io),
    discovery: lambda r: constraint_key(r.workload.discovery),
    host_reach: lambda r: None,
    maintenance: lambda r: None,
}
"""What each prediction-free rule reads of the requirements, as a key: two systems with equal
keys get the same findings from that rule for every option (the tests trace each rule's reads
against its key). A batch of files shares most keys, so most rules run once per batch."""

RULE_MEMO_LIMIT = 4096  # rule results kept per option list; a long batch must not grow memory
# Per rule, each option's findings (None for a rule that needs the prediction).
Columns = list[list[list[Finding]] | None]


class RuleMemo:
    """The prediction-free rules' findings for a fixed list of options, worked out once per
    distinct requirement key of each rule and reused for every file that shares it."""

    def __init__(self, solutions: Sequence[SolutionProfile]) -> None:
        self.solutions = tuple(solutions)  # held, so the options cannot change under the memo
        self._results: dict[tuple[Rule, Hashable], _Column] = {}

    def checks(self, requirements: Requirements) -> list[StagedCheck]:
        """One `StagedCheck` per option, as if each were built on its own."""
        columns: Columns = []
        blocked: dict[int, list[Finding]] = {}
        for rule in RULES:
            if rule in PREDICTION_RULES:
                columns.append(None)
                continue
            key = (rule, RULE_KEYS[rule](requirements))
            column = self._results.get(key)
            if column is None:
                if len(self._results) >= RULE_MEMO_LIMIT:
                    self._results.clear()
                column = self._results[key] = _Column.of(rule, self.solutions, requirements)
            columns.append(column.found)
            for index, found in column.blocks.items():  # rule order, as each option's own
                blocked.setdefault(index, []).extend(found)
        return [
            StagedCheck.known(solution, requirements, columns, i, blocked.get(i, []))
            for i, solution in enumerate(self.solutions)
        ]


@dataclass(frozen=True, slots=True)
class _Column:
    """One rule's findings for every option of a memo, and the excluding ones by option."""

    found: list[list[Finding]]
    blocks: dict[int, list[Finding]]

    @classmethod
    def of(cls, rule: Rule, solutions: Sequence[SolutionProfile], r: Requirements) -> _Column:
        found = [list(rule(s, r, None)) for s in solutions]
        blocks = {
            i: [f for f in fs if f.severity is Severity.EXCLUDE] for i, fs in enumerate(found)
        }
        return cls(found, {i: fs for i, fs in blocks.items() if fs})


class StagedCheck:
    """One option's rules in two steps, findings kept in rule order: the rules that need no
    prediction first, so that the ranking predicts only for options they leave in."""

    __slots__ = ("_columns", "_index", "blockers", "requirements", "solution")

    def __init__(self, solution: SolutionProfile, requirements: Requirements) -> None:
        """The prediction-free rules run here (`RuleMemo` builds its checks with `known`)."""
        columns: Columns = [None if rule in PREDICTION_RULES else [list(rule(solution,
                            requirements, None))] for rule in RULES]  # fmt: skip
        found = [f for column in columns if column for f in column[0]]
        self._keep(solution, requirements, columns, 0,
                   [f for f in found if f.severity is Severity.EXCLUDE])  # fmt: skip

    @classmethod
    def known(
        cls,
        solution: SolutionProfile,
        requirements: Requirements,
        columns: Columns,
        index: int,
        blockers: list[Finding],
    ) -> StagedCheck:
        """A check whose prediction-free findings are already known: ``columns[r][index]``
        is rule ``r``'s findings for this option (None for a rule that needs the
        prediction), and ``blockers`` the excluding ones among them, in rule order."""
        check = cls.__new__(cls)
        check._keep(solution, requirements, columns, index, blockers)
        return check

    def _keep(
        self,
        solution: SolutionProfile,
        requirements: Requirements,
        columns: Columns,
        index: int,
        blockers: list[Finding],
    ) -> None:
        self.solution, self.requirements = solution, requirements
        self._columns, self._index = columns, index
        self.blockers = blockers
        """``blockers``: what excludes the option before any prediction is made."""

    def finish(self, prediction: Prediction | None) -> list[Finding]:
        """All findings, in rule order, once the inter-host prediction is known."""
        index = self._index
        return [
            finding
            for rule, column in zip(RULES, self._columns, strict=True)
            for finding in (
                rule(self.solution, self.requirements, prediction)
                if column is None
                else column[index]
            )
        ]
