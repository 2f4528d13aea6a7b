"""netperf omni output in CSV form (``-- -o SELECTOR,...``): a banner line naming the
test, a header of the selectors' printed names, and a line of values. Several such blocks
may follow each other in one file (one per run).

The printed names are netperf's own (e.g. ``THROUGHPUT_UNITS`` prints as "Throughput
Units"); only the ones read here need to be known, others are kept out of the row.
"""

from __future__ import annotations

import csv
import re

from .common import Source, placement

BANNER = re.compile(r"^(MIGRATED|OMNI)\b.*\bTEST\b")
UNITS = {  # netperf's throughput units -> (metric unit, scale)
    "10^6bits/s": ("Mbps", 1.0),
    "10^9bits/s": ("Gbps", 1.0),
    "10^3bits/s": ("Mbps", 1e-3),
    "Trans/s": ("requests_per_s", 1.0),
}
SIZE_COLUMNS = ("Local Send Size", "Request Size Bytes")
LATENCIES = {  # printed name -> dataset metric (round-trip, per transaction)
    "50th Percentile Latency Microseconds": "latency",
    "99th Percentile Latency Microseconds": "latency_p99",
}
NOTED = (
    "Throughput Confidence Width (%)", "Confidence Iterations Run", "Elapsed Time (sec)",
    "Mean Latency Microseconds", "90th Percentile Latency Microseconds",
    "Round Trip Latency usec/tran", "Local Transport Retransmissions",
    "Remote Transport Retransmissions", "Direction", "Response Size Bytes",
)  # fmt: skip


def looks_like(text: str) -> bool:
    lines = text.lstrip().splitlines()[:2]
    return bool(lines) and (
        bool(BANNER.match(lines[0])) or "Throughput Units" in lines[0].split(",")
    )


def _blocks(source: Source) -> list[tuple[int, str, list[str], int, list[str]]]:
    """(banner line, banner, header, values line, values) for every result in the file."""
    lines = source.text.splitlines()
    blocks, index = [], 0
    while index < len(lines):
        if not lines[index].strip():
            index += 1
            continue
        banner_line, banner = 0, ""
        if BANNER.match(lines[index]):
            banner_line, banner = index + 1, lines[index].strip()
            index += 1
        if index >= len(lines) or "Throughput" not in lines[index]:
            raise source.problem(
                "expected the CSV header of `-o` selectors (with Throughput and Throughput "
                "Units) here"
                + (" (the file ends after the banner: truncated?)" if index >= len(lines) else ""),
                line=min(index + 1, len(lines)),
            )
        header = next(csv.reader([lines[index]]))
        header_line = index + 1
        index += 1
        while index < len(lines) and not lines[index].strip():
            index += 1
        if index >= len(lines) or BANNER.match(lines[index]):
            raise source.problem(
                "header without a line of values (truncated output, or the test failed?)",
                line=header_line,
            )
        values = next(csv.reader([lines[index]]))
        if len(values) != len(header):
            raise source.problem(
                f"{len(values)} values for {len(header)} header fields (truncated line?)",
                line=index + 1,
            )
        blocks.append((banner_line, banner, header, index + 1, values))
        index += 1
    return blocks


def _number(source: Source, text: str, line: int, key: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise source.problem(f"{text!r} is not a number", line=line, key=key) from None


def parse(source: Source) -> list[dict[str, str]]:
    blocks = _blocks(source)
    if not blocks:
        raise source.problem("no netperf result in the file")
    source.facts.update(tool="netperf")
    rows = []
    scenario, phrase = placement(source.options.scenario, source.options.service)
    for _banner_line, banner, header, line, values in blocks:
        result = dict(zip(header, values, strict=True))
        for column in ("Throughput", "Throughput Units"):
            if column not in result:
                raise source.problem("selector missing from -o", line=line - 1, key=column)
        units = result["Throughput Units"]
        if units not in UNITS:
            raise source.problem(
                f"unit {units!r} is not one of {sorted(UNITS)}", line=line, key="Throughput Units"
            )
        unit, scale = UNITS[units]
        kind = banner.upper()
        protocol = (result.get("Protocol") or ("UDP" if " UDP " in kind else "TCP")).lower()
        if unit == "requests_per_s":
            metric = "connection_rate" if "CONNECT/REQUEST/RESPONSE" in kind else "request_rate"
        else:
            metric = "throughput"
        size = next((result[c] for c in SIZE_COLUMNS if result.get(c)), None)
        size_note = "message size from the file"
        if size is None and source.options.message_size:
            size, size_note = str(source.options.message_size), "message size stated at import"
        elif size is None:
            size_note = "message size not in the file"
        target = re.search(r"\bto (\S+)", banner)
        notes = [
            phrase,
            f"netperf {banner}" if banner else "netperf (banner suppressed)",
            size_note,
            *(f"{c} {result[c]}" for c in NOTED if result.get(c)),
        ]
        if target:
            notes.append(f"target {target.group(1)}")
        common = dict(
            scenario=scenario,
            protocol=protocol if protocol in ("tcp", "udp") else "other",
            message_size_bytes=int(_number(source, size, line, "size")) if size else None,
            streams=1,
        )
        rows.append(
            source.row(
                f"line {line}, field Throughput ({units})",
                **common,
                metric=metric,
                unit=unit,
                value=_number(source, result["Throughput"], line, "Throughput") * scale,
                notes="; ".join(notes),
            )
        )
        for column, latency_metric in LATENCIES.items():
            if column in result and unit == "requests_per_s":
                rows.append(
                    source.row(
                        f"line {line}, field {column}",
                        **common,
                        metric=latency_metric,
                        unit="us",
                        value=_number(source, result[column], line, column),
                        notes="; ".join([*notes, "round-trip time per transaction"]),
                    )
                )
    return rows
