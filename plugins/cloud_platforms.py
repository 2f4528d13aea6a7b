"""What public clouds do to container traffic, as findings through the public check hook.

This plugin offers no solution of its own. It reads each option's datapath and
operations profile, never its name, so it applies to third-party CNIs too.
"""

from __future__ import annotations

from functools import cache

from cnadvisor import hookimpl
from cnadvisor.findings import Finding
from cnadvisor.profile import SolutionProfile
from cnadvisor.requirements import Requirements
from cnadvisor.stages import StageKind, stage, vocabulary_generation


@cache
def _finding(severity: str, message: str, reference: str) -> Finding:
    """One shared (frozen) finding per text: the same warning for every option and file
    it applies to, built and validated once."""
    return Finding(
        severity=severity, requirement="environment.platform", message=message,
        references=[reference],
    )  # fmt: skip


CALICO_AZURE = "https://docs.tigera.io/calico/latest/reference/public-cloud/azure"
CALICO_AWS = "https://docs.tigera.io/calico/latest/reference/public-cloud/aws"
CALICO_GCE = "https://docs.tigera.io/calico/latest/reference/public-cloud/gce"
DOCKER_MACVLAN = "https://docs.docker.com/engine/network/drivers/macvlan/"
# "the control plane nodes will not be able to initiate network connections to Calico pods
# ... pods that require control plane nodes to connect to them, such as those implementing
# admission controller webhooks, can include hostNetwork: true" (Calico on EKS).
CALICO_EKS = (
    "https://docs.tigera.io/calico/latest/getting-started/kubernetes/managed-public-cloud/eks"
)
VENDOR_SUPPORT = {
    "eks": (
        "Amazon EKS supports only the Amazon VPC CNI; support for an alternate CNI comes "
        "from its vendor",
        "https://docs.aws.amazon.com/eks/latest/userguide/alternate-cni-plugins.html",
    ),
    "aks": (
        "on AKS another CNI runs only as bring-your-own CNI, and Microsoft support cannot "
        "help with CNI-related issues",
        "https://learn.microsoft.com/en-us/azure/aks/use-byo-cni",
    ),
}
PUBLIC_CLOUDS = {"aws", "azure", "gcp"}
NATIVE_ROUTING_ADVICE = {  # what each cloud needs before unencapsulated pod routes work
    "aws": (
        "disable the EC2 source/destination check on every node; across VPC "
        "subnets an encapsulating mode is needed",
        CALICO_AWS,
    ),
    "azure": ("needs Azure user-defined routes for the container ranges", CALICO_AZURE),
    "gcp": ("needs GCE cloud routes for the container ranges", CALICO_GCE),
}


def _tunnelled(solution: SolutionProfile) -> bool:
    """Inter-host packets are wrapped or encrypted on the way out."""
    stages = solution.datapath.inter_host or []
    return any(stage(name).kind in (StageKind.ENCAP, StageKind.ENCRYPT) for name in stages)


def _routes_natively(solution: SolutionProfile) -> bool:
    """Inter-host packets leave with container addresses (no tunnel the cloud could route).
    The underlay is read first: it settles most options without a stage lookup."""
    underlay = solution.operations.underlay.value
    return underlay in ("l2", "l2-or-bgp", "bgp") and not _tunnelled(solution)


def _managed(solution: SolutionProfile, requirements: Requirements) -> list[Finding]:
    """A managed service's vendor runs the control plane: it supports its own CNI, and it
    cannot reach pod addresses that only an overlay knows."""
    platform = requirements.environment.platform
    if not requirements.environment.managed or platform in solution.operations.managed_platforms:
        return []
    if "kubernetes" not in solution.operations.orchestrators:
        return []
    findings = []
    if platform in VENDOR_SUPPORT:
        message, url = VENDOR_SUPPORT[platform]
        findings.append(_finding("info", message, url))
    if solution.mobility.routable_ips is False or _tunnelled(solution):
        findings.append(
            _finding(
                "warn",
                f"the {platform} control plane cannot reach pod addresses on this network: "
                "admission webhooks and other API-server-to-pod calls need hostNetwork pods",
                CALICO_EKS,
            )
        )
    return findings


@hookimpl
def cnadvisor_check(solution: SolutionProfile, requirements: Requirements) -> list[Finding]:
    """What this option's datapath meets on the system's platform. It reads only the
    platform and whether traffic leaves the host, so the answer is kept per option and
    those two (the check runs for every option of every file of a batch)."""
    platform, leaves = (
        requirements.environment.platform,
        requirements.workload.traffic.leaves_host > 0,
    )
    key = (id(solution), platform, leaves, vocabulary_generation())
    kept = _ANSWERS.get(key)  # an entry holds its solution: the id stays that object's
    if kept is None:
        if len(_ANSWERS) >= ANSWERS_KEPT:
            _ANSWERS.clear()
        kept = _ANSWERS[key] = (solution, tuple(_findings(solution, requirements)))
    return list(kept[1])


ANSWERS_KEPT = 4096  # answers kept; a long batch must not grow memory
_ANSWERS: dict[tuple, tuple[SolutionProfile, tuple[Finding, ...]]] = {}


def _findings(solution: SolutionProfile, requirements: Requirements) -> list[Finding]:
    findings = _managed(solution, requirements)
    platform = requirements.environment.cloud
    if platform == "on-premises" or requirements.workload.traffic.leaves_host <= 0:
        return findings
    stages = solution.datapath.inter_host or []
    if platform == "azure" and "ipip" in stages:
        findings.append(
            _finding("exclude", "Azure's network fabric blocks IP-in-IP packets", CALICO_AZURE)
        )
    if solution.operations.mac_per_container:
        findings.append(
            _finding(
                "exclude" if platform in PUBLIC_CLOUDS else "warn",
                "most cloud providers drop frames from unknown MAC addresses, "
                "so one MAC per container (macvlan) does not work there",
                DOCKER_MACVLAN,
            )
        )
    if not solution.operations.mac_per_container and _routes_natively(solution):
        advice = NATIVE_ROUTING_ADVICE.get(platform)
        if advice:
            message = f"container addresses are routed unencapsulated: {advice[0]}"
            findings.append(_finding("warn", message, advice[1]))
    return findings
