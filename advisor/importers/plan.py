"""What to measure on the user's own cluster to confirm a ranking, and how much a
measurement would have to differ from the prediction to change it.

The plan writes a k8s-netperf config (its documented v2 shape: a ``tests`` list, each
item a name with parallelism, profile, duration, samples, messagesize, burst and service)
and the k8s-netperf and knb command lines for the workload's protocol, message size,
flows, same-node share and Service use. It names commands; it never runs them.

Sensitivity: the ranking uses each option's predicted throughput relative to host
networking. For each of the top options we scale that prediction (every scenario alike,
as one cluster run measures them together) until the option's score crosses its
neighbour's, by bisection; the factor is where a measured pod/host ratio would swap them.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..advisor import Advisor, Evaluation, RankedOption
from ..dataset.schema import HOST_NETWORKING
from ..performance import Estimate, Prediction
from ..requirements import Requirements
from ..scoring import score

# The fields k8s-netperf's docs/configuration.md documents for one test, and its profiles.
CONFIG_FIELDS = ("parallelism", "profile", "duration", "samples", "messagesize", "burst", "service")
PROFILES = ("TCP_STREAM", "UDP_STREAM", "TCP_RR", "UDP_RR", "TCP_CRR")
DURATION_S, SAMPLES = 30, 3
LOW, HIGH = 0.01, 100.0  # range of scale factors searched


@dataclass(frozen=True)
class Crossing:
    neighbour: RankedOption
    factor: float | None  # scale of the predicted ratio at which the places swap; None: never
    ratio: float | None  # the measured pod/host throughput ratio that would do it
    gbps: float | None


@dataclass(frozen=True)
class Sensitivity:
    option: RankedOption
    ratio: float | None  # predicted pod/host throughput ratio (the main scenario)
    gbps: float | None
    scenario: str
    up: Crossing | None  # overtaking the option above
    down: Crossing | None  # falling below the option below


def _scaled(estimate: Estimate, factor: float) -> Estimate:
    if estimate.value is None:
        return estimate
    return estimate.model_copy(
        update={
            key: (getattr(estimate, key) * factor if getattr(estimate, key) is not None else None)
            for key in ("value", "low", "high")
        }
    )


def _score(advisor: Advisor, requirements: Requirements, evaluation: Evaluation,
           option: RankedOption, factor: float) -> float:  # fmt: skip
    """The option's weighted score (0..100) with its predicted throughput scaled."""
    profile = advisor.solution(option.id).profile
    predictions = [
        p.model_copy(
            update={
                "throughput_ratio": _scaled(p.throughput_ratio, factor),
                "throughput_gbps": _scaled(p.throughput_gbps, factor),
                "packet_rate_mpps": _scaled(p.packet_rate_mpps, factor),
            }
        )
        for p in option.predictions
    ]
    inter = next((p for p in predictions if p.scenario == "inter-host"), None)
    intra = next((p for p in predictions if p.scenario == "intra-host"), None)
    criteria = score(profile, requirements, inter, intra)
    return 100 * sum(evaluation.weights[name] * criteria[name].score for name in evaluation.weights)


def _cross(advisor, requirements, evaluation, option, target: float, upward: bool) -> float | None:
    """Smallest factor above 1 that lifts the score above ``target`` (upward), or largest
    factor below 1 that drops it below ``target``; None when no factor in range does."""
    inside, outside = 1.0, (HIGH if upward else LOW)

    def crossed(factor: float) -> bool:
        value = _score(advisor, requirements, evaluation, option, factor)
        return value > target if upward else value < target

    if not crossed(outside):
        return None
    for _ in range(40):  # bisection on the log scale
        middle = (inside * outside) ** 0.5
        if crossed(middle):
            outside = middle
        else:
            inside = middle
    return outside


def _crossing(advisor, requirements, evaluation, option, ratio, gbps, neighbour, upward):
    factor = _cross(advisor, requirements, evaluation, option, neighbour.score, upward)
    return Crossing(
        neighbour,
        factor,
        ratio * factor if ratio is not None and factor is not None else None,
        gbps * factor if gbps is not None and factor is not None else None,
    )


def _main(option: RankedOption) -> Prediction | None:
    measured = [p for p in option.predictions if p.throughput_ratio.value is not None]
    return next((p for p in measured if p.scenario == "inter-host"), None) or next(
        iter(measured), None
    )


def sensitivities(
    advisor: Advisor, requirements: Requirements, evaluation: Evaluation, top: int
) -> list[Sensitivity]:
    ranked = evaluation.ranked
    out = []
    for index, option in enumerate(ranked[:top]):
        main = _main(option)
        ratio = main.throughput_ratio.value if main else None
        gbps = main.throughput_gbps.value if main else None

        context = (advisor, requirements, evaluation, option, ratio, gbps)
        up = _crossing(*context, ranked[index - 1], True) if index > 0 else None
        down = _crossing(*context, ranked[index + 1], False) if index + 1 < len(ranked) else None
        out.append(Sensitivity(option, ratio, gbps, main.scenario if main else "none", up, down))
    return out


@dataclass(frozen=True)
class Test:
    name: str
    profile: str
    messagesize: int
    parallelism: int
    service: bool
    burst: int | None = None


def tests(requirements: Requirements) -> list[Test]:
    """The k8s-netperf tests covering this workload."""
    workload, env = requirements.workload, requirements.environment
    proto = workload.protocol.upper()
    sizes = sorted({workload.message_size})
    flows = sorted({1, min(8, env.containers_per_host)})
    services = (False, True) if env.orchestrator.value == "kubernetes" else (False,)
    out = []
    for size in sizes:
        for service in services:
            for flows_n in flows:
                suffix = f"{size}B{flows_n}x{'Svc' if service else ''}"
                out.append(
                    Test(f"{proto}Stream{suffix}", f"{proto}_STREAM", size, flows_n, service)
                )
            out.append(Test(f"{proto}RR{size}B{'Svc' if service else ''}", f"{proto}_RR", size, 1,
                            service))  # fmt: skip
    return out


def k8s_netperf_config(requirements: Requirements) -> str:
    """k8s-netperf's v2 config: run in order, one list item per test."""
    lines = [
        f"# k8s-netperf config written by `cnadvisor plan` for {requirements.name!r}.",
        "# Fields as documented in k8s-netperf's docs/configuration.md (config file v2).",
        "tests:",
    ]
    for test in tests(requirements):
        lines += [
            f"  - {test.name}:",
            f"    parallelism: {test.parallelism}",
            f'    profile: "{test.profile}"',
            f"    duration: {DURATION_S}",
            f"    samples: {SAMPLES}",
            f"    messagesize: {test.messagesize}",
        ]
        if test.burst is not None:
            lines.append(f"    burst: {test.burst}")
        lines.append(f"    service: {'true' if test.service else 'false'}")
    return "\n".join(lines) + "\n"


def is_kubernetes(requirements: Requirements) -> bool:
    return requirements.environment.orchestrator.value == "kubernetes"


def host_commands(requirements: Requirements, solution: str, label: str, cluster: str) -> list[str]:
    """Without Kubernetes: iperf3 and sockperf between two containers on an option's
    network (or, for ``HOST_NETWORKING``, between the hosts themselves: the baseline)."""
    workload, traffic = requirements.workload, requirements.workload.traffic
    size, flows = workload.message_size, min(8, requirements.environment.containers_per_host)
    udp = " -u -b 0" if workload.protocol == "udp" else ""
    client = f"iperf3 -c SERVER_IP -J -t 30 -l {size}{udp}"
    out = [
        f"# {label}; SERVER_IP: the server's address",
        "iperf3 -s   # and `sockperf sr -i SERVER_IP`, on the server side",
    ]
    scenarios = [s for s, share in (("inter-host", traffic.leaves_host),
                                    ("intra-host", traffic.intra_host)) if share > 0]  # fmt: skip
    for scenario in scenarios:
        stem = f"{solution}-{scenario}"
        out += [
            f"# client on {'another host' if scenario == 'inter-host' else 'the same host'}",
            f"{client} > iperf3-{stem}.json",
            f"{client} -P {flows} > iperf3-{stem}-{flows}x.json" if flows > 1 else "",
            f"sockperf pp -i SERVER_IP -t 30 -m {max(size, 14)} > sockperf-{stem}.txt",
            f"cnadvisor import iperf3 iperf3-{stem}*.json --solution {solution} "
            f"--scenario {scenario} --no-service --cluster {cluster}",
            f"cnadvisor import sockperf sockperf-{stem}.txt --solution {solution} "
            f"--scenario {scenario} --no-service --message-size {max(size, 14)} "
            f"--cluster {cluster}",
        ]
    return [line for line in out if line]


def commands(requirements: Requirements, option: RankedOption, cluster: str) -> list[str]:
    if not is_kubernetes(requirements):
        label = f"containers on {option.name} ({option.id})"
        return host_commands(requirements, option.id, label, cluster)
    traffic = requirements.workload.traffic
    proto = requirements.workload.protocol
    knb_tests = f"p2p{proto},p2s{proto}"
    out = [f"# on a cluster running {option.name} ({option.id}); NODE_A, NODE_B: two workers"]
    if traffic.leaves_host > 0:
        out.append(
            "k8s-netperf --config k8s-netperf.yml --all   # across nodes, pod and host network"
        )
    if traffic.intra_host > 0:
        out.append(
            "k8s-netperf --config k8s-netperf.yml --all --local   # client and server on one node"
        )
    out.append(
        f"cnadvisor import k8s-netperf result-*.csv loss-rt-result-*.csv "
        f"--solution {option.id} --cluster {cluster}"
    )
    if traffic.leaves_host > 0:
        out.append(
            f"knb -cn NODE_A -sn NODE_B -d 60 -ot {knb_tests} -o json -f knb-{option.id}-nodes.json"
        )
    if traffic.intra_host > 0:
        out.append(
            f"knb -cn NODE_A -sn NODE_A -d 60 -ot {knb_tests} -o json -f knb-{option.id}-node.json"
        )
    out.append(
        f"cnadvisor import knb knb-{option.id}-*.json --solution {option.id} --cluster {cluster}"
    )
    return out


def _crossing_text(crossing: Crossing | None, upward: bool, sens: Sensitivity) -> str:
    if crossing is None:
        return "(first)" if upward else "(last)"
    who = f"#{crossing.neighbour.rank} {crossing.neighbour.id} ({crossing.neighbour.score:.1f})"
    if crossing.factor is None:
        return f"no measured throughput would {'overtake' if upward else 'fall below'} {who}"
    verb = "above" if upward else "below"
    figure = f"ratio {verb} {crossing.ratio:.3f}" if crossing.ratio is not None else ""
    if crossing.gbps is not None:
        figure += f" ({crossing.gbps:.2f} Gbit/s)"
    action = "overtakes" if upward else "falls below"
    return f"{figure}, ×{crossing.factor:.2f} the prediction: {action} {who}"


def render(requirements: Requirements, evaluation: Evaluation, found: list[Sensitivity],
           cluster: str) -> str:  # fmt: skip
    workload, traffic = requirements.workload, requirements.workload.traffic
    lines = [
        f"# Measurement plan for {requirements.name}",
        "",
        f"Workload: {workload.protocol.upper()}, {workload.message_size}-byte messages, "
        f"{traffic.intra_host:.0%} same node, {traffic.leaves_host:.0%} across nodes, "
        f"{requirements.environment.containers_per_host} containers per host. "
        + (
            "`k8s-netperf.yml` (beside this file) covers it: stream and request/response "
            "tests at the workload's message size, one flow and concurrent flows, pod to pod "
            "and through a Service. knb measures bulk iperf3 throughput only (it has no "
            "message-size option): a cross-check of the bulk figure."
            if is_kubernetes(requirements)
            else "Not on Kubernetes: iperf3 and sockperf between two containers on each "
            "option's network, at the workload's message size, and the same between the "
            "hosts for the host-network baseline (`sudo cnadvisor bench` measures one host "
            "in namespaces)."
        ),
        "",
        "Nothing here was run: these are the commands to run on your cluster.",
        "",
        "## What would change the ranking",
        "",
        "Predicted throughput relative to host networking, and the measured ratio at which "
        "each option would swap places with its neighbour (all else as predicted). Latency "
        "does not enter the score yet, so no latency figure changes the ranking; the "
        "request/response tests record it for your own check.",
        "",
        "| rank | option | score | predicted ratio | overtakes the one above if measured | "
        "falls below the one below if measured |",
        "|---|---|---|---|---|---|",
    ]
    for sens in found:
        predicted = (
            f"{sens.ratio:.3f} ({sens.scenario}"
            + (f", {sens.gbps:.2f} Gbit/s)" if sens.gbps else ")")
            if sens.ratio is not None
            else "unknown"
        )
        lines.append(
            f"| {sens.option.rank} | {sens.option.id} | {sens.option.score:.1f} | {predicted} | "
            f"{_crossing_text(sens.up, True, sens)} | {_crossing_text(sens.down, False, sens)} |"
        )
    lines += ["", "## Commands", ""]
    if not is_kubernetes(requirements):
        lines += ["### Host-network baseline (once, for every option)", "", "```sh"]
        lines += host_commands(requirements, HOST_NETWORKING, "on the hosts themselves", cluster)
        lines += ["```", ""]
    for sens in found:
        lines += [f"### {sens.option.rank}. {sens.option.name}", "", "```sh"]
        lines += commands(requirements, sens.option, cluster)
        lines += ["```", ""]
    return "\n".join(lines)
