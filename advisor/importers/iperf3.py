"""``iperf3 -J`` client output: one test, TCP or UDP, one or more streams.

The figure is what the receiver got (``end.sum_received``, or ``end.sum`` for UDP in
older iperf3), as InfraBuilder's results do; TCP retransmits and UDP loss go to the notes.
iperf3 records neither where the pods ran nor whether a Service was in the path, so the
user states that at import (``--scenario``, ``--service``).
"""

from __future__ import annotations

import json
from typing import Any

from .common import Source, line_of, placement


def looks_like(text: str) -> bool:
    head = text.lstrip()[:2000]
    return (
        head.startswith("{")
        and '"start"' in head
        and ('"connecting_to"' in head or '"test_start"' in head or '"version"' in head)
    )


def _get(source: Source, tree: Any, path: str) -> Any:
    node = tree
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            line, _ = line_of(source.text, f'"{part}"')
            raise source.problem(
                "missing (truncated output, or the test did not finish?)",
                line=line or None,
                key=path,
            )
        node = node[part]
    return node


def _number(source: Source, tree: Any, path: str) -> float:
    value = _get(source, tree, path)
    if isinstance(value, bool) or not isinstance(value, int | float):
        line, _ = line_of(source.text, f'"{path.rsplit(".", 1)[-1]}"')
        raise source.problem(f"{value!r} is not a number", line=line or None, key=path)
    return float(value)


def parse(source: Source) -> list[dict[str, str]]:
    text = source.text
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        why = (
            "the JSON ends before the document is complete (truncated file?)"
            if not text[error.pos :].strip()
            else f"invalid JSON: {error.msg}"
        )
        raise source.problem(why, line=error.lineno) from None
    if not isinstance(document, dict):
        raise source.problem("not an iperf3 JSON object", line=1)
    if document.get("error"):
        line, _ = line_of(text, '"error"')
        raise source.problem(
            f"iperf3 reported an error: {document['error']} (the test did not complete)",
            line=line,
            key="error",
        )
    version = str(_get(source, document, "start.version"))
    test = _get(source, document, "start.test_start")
    protocol = str(_get(source, document, "start.test_start.protocol")).lower()
    if protocol not in ("tcp", "udp"):
        raise source.problem(
            f"protocol {protocol!r}; only TCP and UDP tests are imported",
            key="start.test_start.protocol",
        )
    streams = int(_number(source, document, "start.test_start.num_streams"))
    size = int(_number(source, document, "start.test_start.blksize"))
    end = _get(source, document, "end")
    where = "end.sum_received" if protocol == "tcp" or "sum_received" in end else "end.sum"
    bits = _number(source, document, f"{where}.bits_per_second")
    seconds = _number(source, document, f"{where}.seconds")
    extra = []
    if protocol == "tcp":
        if "retransmits" in end.get("sum_sent", {}):
            retransmits = int(_number(source, document, "end.sum_sent.retransmits"))
            extra.append(f"TCP retransmits {retransmits} (end.sum_sent.retransmits)")
    else:
        lost = _number(source, document, f"{where}.lost_percent")
        extra.append(f"UDP loss {lost:.6g}% ({where}.lost_percent)")
    scenario, phrase = placement(source.options.scenario, source.options.service)
    source.facts.update(tool="iperf3", version=version.removeprefix("iperf ").strip())
    system = document["start"].get("system_info", "")
    when = document["start"].get("timestamp", {}).get("time", "")
    line, _ = line_of(text, '"bits_per_second"', max(0, text.rfind(f'"{where.split(".")[1]}"')))
    reverse = bool(test.get("reverse"))
    return [
        source.row(
            f"{where}.bits_per_second (line {line}) / 1e9",
            scenario=scenario,
            protocol=protocol,
            message_size_bytes=size,
            streams=streams,
            metric="throughput",
            unit="Gbps",
            value=bits / 1e9,
            notes="; ".join(
                part
                for part in (
                    phrase,
                    f"iperf3 {protocol.upper()} {streams} stream(s), write size {size} B, "
                    f"{seconds:.6g} s{', reverse (server sends)' if reverse else ''}",
                    *extra,
                    f"client {system}" if system else "",
                    f"measured {when}" if when else "",
                )
                if part
            ),
        )
    ]
