"""sockperf ping-pong client output (``sockperf ping-pong`` / ``pp``): the summary and the
latency percentiles. Without ``--full-rtt`` sockperf reports half the round trip (its
"Latency"); with it, the full round trip. sockperf does not print the message size, so it
comes from the import command (``--message-size``) or stays empty.
"""

from __future__ import annotations

import re

from .common import Source, placement

ANSI = re.compile(r"\x1b\[[0-9;]*m")
VERSION = re.compile(r"==\s*version\s*#(\S+)\s*==")
SUMMARY = re.compile(r"Summary:\s*(Latency|Round trip) is\s*([\d.]+)\s*usec")
PERCENTILE = re.compile(r"--->\s*percentile\s+([\d.]+)\s*=\s*([\d.]+)")
PROTOCOL = re.compile(r"PORT\s*=\s*\d+\s*#\s*(UDP|TCP)")
TARGET = re.compile(r"IP\s*=\s*(\S+)\s+PORT\s*=\s*(\d+)")
COUNTS = re.compile(r"#\s*dropped messages\s*=\s*(\d+);.*#\s*out-of-order messages\s*=\s*(\d+)")
OBSERVATIONS = re.compile(r"Total\s+(\d+)\s+observations")
PATTERNS = {
    "version": VERSION, "summary": SUMMARY, "protocol": PROTOCOL, "target": TARGET,
    "counts": COUNTS, "total": OBSERVATIONS,
}  # fmt: skip


def looks_like(text: str) -> bool:
    return "sockperf" in text[:400] and ("version #" in text[:400] or "sockperf:" in text[:200])


def parse(source: Source) -> list[dict[str, str]]:
    lines = [ANSI.sub("", line) for line in source.text.splitlines()]
    if any("Summary: Message Rate" in line or "Summary: BandWidth" in line for line in lines):
        raise source.problem(
            "a sockperf throughput/under-load summary, not a ping-pong one", key="Summary"
        )
    found: dict[str, tuple[int, re.Match]] = {}
    percentiles: dict[float, tuple[int, float]] = {}
    for number, line in enumerate(lines, start=1):
        for name, pattern in PATTERNS.items():
            match = pattern.search(line)
            if match and name not in found:
                found[name] = (number, match)
        match = PERCENTILE.search(line)
        if match:
            percentiles[float(match.group(1))] = (number, float(match.group(2)))
    last = len(lines)
    if "summary" not in found:
        raise source.problem(
            "no 'Summary: Latency is ... usec' line (truncated output, or the test failed?)",
            line=last,
            key="Summary",
        )
    for wanted in (50.0, 99.0):
        if wanted not in percentiles:
            raise source.problem(
                "missing (truncated output?)", line=last, key=f"percentile {wanted:.3f}"
            )
    round_trip = found["summary"][1].group(1) == "Round trip"
    source.facts.update(
        tool="sockperf", version=found["version"][1].group(1) if "version" in found else ""
    )
    protocol = found["protocol"][1].group(1).lower() if "protocol" in found else "udp"
    scenario, phrase = placement(source.options.scenario, source.options.service)
    size = source.options.message_size
    what = "round trip (--full-rtt)" if round_trip else "one way (half the round trip)"
    notes = [
        phrase,
        f"sockperf ping-pong {protocol.upper()}, latency {what}",
        f"summary {found['summary'][1].group(2)} us (line {found['summary'][0]})",
        "message size stated at import" if size else "message size not in the file",
    ]
    if "target" in found:
        notes.append(f"server {found['target'][1].group(1)} port {found['target'][1].group(2)}")
    if "counts" in found:
        dropped, disorder = found["counts"][1].groups()
        notes.append(f"dropped messages {dropped}, out-of-order {disorder}")
    if "total" in found:
        notes.append(f"{found['total'][1].group(1)} observations")
    rows = []
    for percentile, metric in ((50.0, "latency"), (99.0, "latency_p99")):
        line, value = percentiles[percentile]
        rows.append(
            source.row(
                f"line {line}, percentile {percentile:.3f}",
                scenario=scenario,
                protocol=protocol,
                message_size_bytes=size,
                streams=1,
                metric=metric,
                unit="us",
                value=value,
                notes="; ".join(notes),
            )
        )
    return rows
