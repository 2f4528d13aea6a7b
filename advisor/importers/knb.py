"""knb (InfraBuilder/k8s-bench-suite) results written with ``knb -o json`` or ``-o yaml``.

knb runs iperf3 between a client pod and a server pod on two named nodes, pod to pod and
pod to Service, TCP and UDP, one stream, and reports each test's bandwidth in Mbit/s with
the nodes' mean CPU and memory. It prints a section only for the tests it ran (``-ot``);
a test whose client failed leaves an empty value, which we refuse rather than guess.
"""

from __future__ import annotations

import json
from typing import Any

import yaml

from .common import Source

TESTS = (("pod2pod", "pod-to-pod"), ("pod2svc", "pod-to-service (through a Kubernetes Service)"))
PROTOCOLS = ("tcp", "udp")
CPU_KEYS = ("total", "user", "nice", "system", "iowait", "steal")
METADATA_KEYS = ("name", "generator", "version", "date", "server-node", "client-node")


def looks_like(text: str) -> bool:
    head = text.lstrip()[:600]
    return ('"generator": "knb"' in head) or (
        head.startswith("metadata:") and 'generator: "knb"' in head
    )


def _lines(text: str) -> dict[tuple[str, ...], int]:
    """Line of every mapping key, by its path, from the YAML node tree (JSON is YAML here:
    knb indents with spaces)."""
    found: dict[tuple[str, ...], int] = {}

    def walk(node: yaml.Node, path: tuple[str, ...]) -> None:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                here = (*path, str(key.value))
                found[here] = key.start_mark.line + 1
                walk(value, here)

    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return found
    if root is not None:
        walk(root, ())
    return found


def _load(source: Source) -> Any:
    text = source.text
    if text.lstrip().startswith("{"):
        try:
            return json.loads(text, strict=False)  # knb copies a CR from `kubectl exec -it`
        except json.JSONDecodeError as error:
            before = text[: error.pos].rstrip().rsplit("\n", 1)[-1]
            if not text[error.pos :].strip():
                why = "the JSON ends before the document is complete (truncated file?)"
            elif before.strip().endswith(":"):
                why = (
                    f"no value after {before.strip()} (knb writes nothing here when a test "
                    "produced no result: the run failed midway)"
                )
            else:
                why = f"invalid JSON: {error.msg}"
            raise source.problem(why, line=error.lineno) from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise source.problem(
            f"invalid YAML: {getattr(error, 'problem', error)}",
            line=mark.line + 1 if mark else None,
        ) from None


def _number(source: Source, value: Any, path: tuple[str, ...], lines: dict) -> float:
    line = lines.get(path) or lines.get(path[:-1])
    key = ".".join(path)
    if value is None or value == "":
        raise source.problem(
            "empty: knb recorded no result for this test (the run failed midway)",
            line=line,
            key=key,
        )
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise source.problem(f"{value!r} is not a number", line=line, key=key)
    return float(value)


def parse(source: Source) -> list[dict[str, str]]:
    document = _load(source)
    lines = _lines(source.text)
    if not isinstance(document, dict) or not isinstance(document.get("metadata"), dict):
        raise source.problem("no 'metadata' mapping: not knb output", line=1, key="metadata")
    metadata = document["metadata"]
    for key in METADATA_KEYS:
        if metadata.get(key) in (None, ""):
            raise source.problem(
                "missing or empty (truncated file, or not knb output?)",
                line=lines.get(("metadata",)),
                key=f"metadata.{key}",
            )
    if metadata["generator"] != "knb":
        raise source.problem(
            f"generator is {metadata['generator']!r}, expected 'knb'",
            line=lines.get(("metadata", "generator")),
            key="metadata.generator",
        )
    data = document.get("data")
    if not isinstance(data, dict):
        raise source.problem("no 'data' mapping (truncated file?)", key="data")
    source.facts.update(tool="knb", version=str(metadata["version"]))
    same_node = metadata["server-node"] == metadata["client-node"]
    clean = {k: " ".join(str(v).split()) for k, v in data.items() if not isinstance(v, dict)}
    facts = (
        f"knb run {metadata['name']!r} of {metadata['date']} UTC, server node "
        f"{metadata['server-node']}, client node {metadata['client-node']}; "
        f"CPU {clean.get('cpu', '?')}; kernel {clean.get('kernel', '?')}; Kubernetes "
        f"{clean.get('k8s-version', '?')}; CNI MTU {clean.get('mtu', '?')}; iperf3 with its "
        f"default write size, UDP socket buffer {metadata.get('socket-buffer-size', '?')}"
    )
    rows = []
    for test, phrase in TESTS:
        section = data.get(test)
        if section is None:
            continue  # knb -ot left this test out
        for protocol in PROTOCOLS:
            if protocol not in section:
                continue
            path = ("data", test, protocol)
            result = section[protocol]
            if not isinstance(result, dict):
                raise source.problem(
                    "empty section (the run failed midway?)",
                    line=lines.get(path),
                    key=".".join(path),
                )
            bandwidth = _number(source, result.get("bandwidth"), (*path, "bandwidth"), lines)
            usage = []
            for side in ("client", "server"):
                for key in CPU_KEYS:
                    value = (result.get(side) or {}).get("cpu", {}) or {}
                    _number(source, value.get(key), (*path, side, "cpu", key), lines)
                ram = _number(
                    source, (result.get(side) or {}).get("ram"), (*path, side, "ram"), lines
                )
                usage.append(f"{side} node CPU {result[side]['cpu']['total']}%, RAM {ram:g} MB")
            rows.append(
                source.row(
                    f"{'.'.join(path)}.bandwidth (line {lines.get((*path, 'bandwidth'), '?')})",
                    scenario="intra-host" if same_node else "inter-host",
                    protocol=protocol,
                    streams=1,
                    metric="throughput",
                    unit="Mbps",
                    value=bandwidth,
                    notes=f"{phrase}; {facts}; {', '.join(usage)}",
                )
            )
    if not rows:
        raise source.problem("no pod2pod or pod2svc result in the file", key="data")
    return rows
