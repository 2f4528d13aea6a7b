"""Stage costs by difference: the combinations recover known stage costs exactly."""

from __future__ import annotations

from cnadvisor.bench import stagecosts
from cnadvisor.bench.runner import Options, Result, RunResult, Test

# Per-packet path costs (ns) built from known stage costs with the module's own counting:
# K + v per veth crossing, b per bridge pass, h per routed hop, X per VXLAN path.
K, V, B, H, X = 9000.0, 300.0, 450.0, 200.0, 1700.0
PATHS = {
    "host-loopback": K,
    "veth": K + V,
    "veth-bridge": K + 2 * V + B,
    "routed": K + 3 * V + 2 * H,
    "bridge-routed": K + 3 * V + 2 * H + 2 * B,
    "vxlan-routed": K + 3 * V + 2 * H + 2 * B + X,
    "vxlan": K + 3 * V + 2 * B + X,
}


def _run(topologies: list[str]) -> RunResult:
    test = Test("udp", 64, 1)
    results = [
        Result(name, test, samples={"packet_rate_mpps": [1e3 / PATHS[name]] * 3})
        for name in topologies
    ]
    return RunResult("cnab-000000-", Options(), results=results)


def _derived(topologies: list[str]) -> dict[str, stagecosts.StageCost]:
    return {cost.stage: cost for cost in stagecosts.derive(_run(topologies))}


def test_vxlan_from_the_flannel_pair_when_both_were_measured() -> None:
    found = _derived(["host-loopback", "veth", "routed", "bridge-routed", "vxlan-routed"])
    assert abs(found["vxlan"].ns_per_packet - X) < 1e-6
    assert found["vxlan"].derived_from.startswith("P(vxlan-routed) - P(bridge-routed)")
    assert abs(found["linux-bridge"].ns_per_packet - B) < 1e-6  # from bridge-routed - routed


def test_the_classic_chain_still_serves_without_the_flannel_pair() -> None:
    found = _derived(["host-loopback", "veth", "veth-bridge", "routed", "vxlan"])
    assert abs(found["vxlan"].ns_per_packet - X) < 1e-6
    assert "P(vxlan)" in found["vxlan"].derived_from
    assert "P(veth-bridge)" in found["linux-bridge"].derived_from


def test_a_stage_whose_topologies_were_not_all_measured_is_left_out() -> None:
    assert "vxlan" not in _derived(["host-loopback", "veth", "vxlan-routed"])
