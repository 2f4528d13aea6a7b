"""What public clouds do to container traffic, as findings through the public check hook.

This plugin offers no solution of its own. It reads each option's datapath and
operations profile, never its name, so it applies to third-party CNIs too.
"""

from __future__ import annotations

from cnadvisor import hookimpl
from cnadvisor.findings import Finding
from cnadvisor.profile import SolutionProfile
from cnadvisor.requirements import Requirements
from cnadvisor.stages import STAGES, StageKind

CALICO_AZURE = "https://docs.tigera.io/calico/latest/reference/public-cloud/azure"
CALICO_AWS = "https://docs.tigera.io/calico/latest/reference/public-cloud/aws"
CALICO_GCE = "https://docs.tigera.io/calico/latest/reference/public-cloud/gce"
DOCKER_MACVLAN = "https://docs.docker.com/engine/network/drivers/macvlan/"
PUBLIC_CLOUDS = {"aws", "azure", "gcp"}


def _routes_natively(solution: SolutionProfile) -> bool:
    """Inter-host packets leave with container addresses (no tunnel the cloud could route)."""
    stages = solution.datapath.inter_host or []
    tunnelled = any(STAGES[name].kind in (StageKind.ENCAP, StageKind.ENCRYPT) for name in stages)
    return solution.operations.underlay.value in ("l2", "l2-or-bgp", "bgp") and not tunnelled


@hookimpl
def cnadvisor_check(solution: SolutionProfile, requirements: Requirements) -> list[Finding]:
    platform = requirements.environment.platform
    if platform == "on-premises" or requirements.workload.traffic.leaves_host <= 0:
        return []
    findings: list[Finding] = []
    stages = solution.datapath.inter_host or []
    if platform == "azure" and "ipip" in stages:
        findings.append(
            Finding(
                severity="exclude",
                requirement="environment.platform",
                message="Azure's network fabric blocks IP-in-IP packets",
                references=[CALICO_AZURE],
            )
        )
    if solution.operations.mac_per_container:
        findings.append(
            Finding(
                severity="exclude" if platform in PUBLIC_CLOUDS else "warn",
                requirement="environment.platform",
                message="most cloud providers drop frames from unknown MAC addresses, "
                "so one MAC per container (macvlan) does not work there",
                references=[DOCKER_MACVLAN],
            )
        )
    if _routes_natively(solution) and not solution.operations.mac_per_container:
        advice = {
            "aws": (
                "disable the EC2 source/destination check on every node; across VPC "
                "subnets an encapsulating mode is needed",
                CALICO_AWS,
            ),
            "azure": ("needs Azure user-defined routes for the container ranges", CALICO_AZURE),
            "gcp": ("needs GCE cloud routes for the container ranges", CALICO_GCE),
        }.get(platform)
        if advice:
            findings.append(
                Finding(
                    severity="warn",
                    requirement="environment.platform",
                    message=f"container addresses are routed unencapsulated: {advice[0]}",
                    references=[advice[1]],
                )
            )
    return findings
