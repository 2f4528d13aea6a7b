"""k8s-netperf (cloud-bulldozer) CSVs: ``result-<time>.csv`` and its companion
``loss-rt-result-<time>.csv``.

The columns are those its ``docs/output-and-results.md`` documents and later versions add
(VM mode, UDN/bridge/SR-IOV/macvlan/localnet info, burst, pair). Each row says the driver
(netperf, iperf3, uperf), the profile, same node or not, host network or not, through a
Service or not, parallelism and message size. Host-network rows are imported under the
dataset's word for host networking (``HOST_NETWORKING``) and are the baseline of the pod
rows measured the same way in the same file. The companion file's TCP retransmissions
and UDP loss go to the matching rows' notes.
"""

from __future__ import annotations

import csv
import io

from ..dataset.schema import HOST_NETWORKING
from .common import Source

RESULT_REQUIRED = (
    "Driver", "Profile", "Same node", "Host Network", "Service", "Parallelism",
    "Message Size", "Avg Throughput", "Throughput Metric",
)  # fmt: skip
OPTIONAL = (
    "Pair", "VM mode", "External Server", "UDN Info", "Bridge Info", "SR-IOV Info",
    "Macvlan Info", "Localnet Info", "Duration", "# of Samples", "Burst",
    "Confidence metric - low", "Confidence metric - high", "99%tile Observed Latency",
    "Latency Metric",
)  # fmt: skip
LOSS_EXTRA = ("Type", "Value")
LOSS_TYPES = {  # the CSV's label (the terminal table says "UDP Loss Percent") -> notes label
    "TCP Retransmissions": "TCP retransmissions",
    "UDP Percent Loss": "UDP loss %",
    "UDP Loss Percent": "UDP loss %",
}
# Columns that identify one measurement (its conditions), for baselines and companions.
KEY = (
    "Pair", "Driver", "Profile", "Same node", "Service", "External Server", "Parallelism",
    "Message Size",
)  # fmt: skip
PROFILES = {
    # profile -> (protocol, metric for the throughput column)
    "TCP_STREAM": ("tcp", "throughput"),
    "UDP_STREAM": ("udp", "throughput"),
    "TCP_RR": ("tcp", "request_rate"),
    "UDP_RR": ("udp", "request_rate"),
    "TCP_CRR": ("tcp", "connection_rate"),
}
UNITS = {"Mb/s": ("Mbps", 1.0), "Gb/s": ("Gbps", 1.0), "OP/s": ("requests_per_s", 1.0)}
BOOLEANS = ("Same node", "Host Network", "Service", "External Server", "VM mode")


def looks_like(text: str) -> bool:
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    return "Driver" in first and "Profile" in first and "Host Network" in first


def is_companion(source: Source) -> bool:
    return source.text.lstrip("\ufeff").split("\n", 1)[0].strip().startswith("Type,")


def _table(source: Source, companion: bool) -> list[tuple[int, dict[str, str]]]:
    reader = csv.reader(io.StringIO(source.text.lstrip("\ufeff")))
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as error:
        raise source.problem(f"no CSV header ({error})", line=1) from None
    header = [column.strip() for column in header]
    known = set(RESULT_REQUIRED) | set(OPTIONAL) | (set(LOSS_EXTRA) if companion else set())
    unknown = [column for column in header if column not in known]
    if unknown:
        raise source.problem(
            f"unknown column(s) {unknown}; k8s-netperf's result CSV has {sorted(known)}",
            line=1,
            key=unknown[0],
        )
    required = (
        [c for c in RESULT_REQUIRED if c not in ("Avg Throughput", "Throughput Metric")]
        + list(LOSS_EXTRA)
        if companion
        else list(RESULT_REQUIRED)
    )
    missing = [column for column in required if column not in header]
    if missing:
        raise source.problem(f"missing column(s) {missing}", line=1, key=missing[0])
    rows = []
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            raise source.problem(f"malformed CSV: {error}", line=reader.line_num) from None
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            raise source.problem(
                f"{len(cells)} cells, the header has {len(header)} (truncated line?)",
                line=reader.line_num,
            )
        rows.append((reader.line_num, dict(zip(header, (c.strip() for c in cells), strict=True))))
    if not rows:
        raise source.problem("header but no result rows (the run wrote nothing?)", line=2)
    return rows


def _check(source: Source, line: int, row: dict[str, str], companion: bool) -> None:
    for column in BOOLEANS:
        if column in row and row[column] not in ("true", "false"):
            raise source.problem(f"{row[column]!r} is not true/false", line=line, key=column)
    numbers = ["Parallelism", "Message Size", "Value" if companion else "Avg Throughput"]
    for column in [*numbers, "Burst", "Duration", "# of Samples", "99%tile Observed Latency"]:
        if column not in row or (column not in numbers and row[column] == ""):
            continue
        try:
            float(row[column])
        except ValueError:
            raise source.problem(
                f"{row[column]!r} is not a number", line=line, key=column
            ) from None
    if row["Profile"] not in PROFILES:
        raise source.problem(
            f"profile {row['Profile']!r} is not one of {sorted(PROFILES)}",
            line=line,
            key="Profile",
        )
    if companion:
        if row["Type"] not in LOSS_TYPES:
            raise source.problem(
                f"{row['Type']!r} is not one of {sorted(LOSS_TYPES)}", line=line, key="Type"
            )
    elif row["Throughput Metric"] not in UNITS:
        raise source.problem(
            f"{row['Throughput Metric']!r} is not one of {sorted(UNITS)}",
            line=line,
            key="Throughput Metric",
        )


def _key(row: dict[str, str]) -> tuple[str, ...]:
    return tuple(row.get(column, "") for column in KEY)


def parse_all(sources: list[Source]) -> dict[str, list[dict[str, str]]]:
    """Rows per file name; companions (retransmits, loss) annotate the rows of the result
    files imported with them and contribute none of their own."""
    results, companions = [], []
    for source in sources:
        companion = is_companion(source)
        table = _table(source, companion)
        for line, row in table:
            _check(source, line, row, companion)
        source.facts.update(tool="k8s-netperf")
        (companions if companion else results).append((source, table))
    if companions and not results:
        source = companions[0][0]
        raise source.problem(
            "a k8s-netperf loss/retransmission CSV (loss-rt-result-*.csv) says which test it "
            "belongs to only with its result CSV: import both in one command",
            line=1,
            key="Type",
        )
    extra: dict[tuple[str, ...], list[str]] = {}
    for source, table in companions:
        for line, row in table:
            label = f"{LOSS_TYPES[row['Type']]} {float(row['Value']):g}"
            key = (row["Host Network"], *_key(row))
            extra.setdefault(key, []).append(f"{label} ({source.path.name} line {line})")
    out: dict[str, list[dict[str, str]]] = {source.name: [] for source in sources}
    for source, table in results:
        hosts = {(_key(row)): (line, row) for line, row in table if row["Host Network"] == "true"}
        for line, row in table:
            out[source.name].extend(_rows(source, line, row, hosts, extra))
    return out


def _rows(source, line, row, hosts, extra) -> list[dict[str, str]]:
    protocol, metric = PROFILES[row["Profile"]]
    unit, scale = UNITS[row["Throughput Metric"]]
    host = row["Host Network"] == "true"
    external = row.get("External Server") == "true"
    service = row["Service"] == "true"
    scenario = (
        "unknown" if external else ("intra-host" if row["Same node"] == "true" else "inter-host")
    )
    path = "pod-to-service (through a Kubernetes Service)" if service else "pod-to-pod"
    if host:
        path = f"host network (hostNetwork pods), {path}"
    conditions = [
        path,
        f"k8s-netperf driver {row['Driver']} profile {row['Profile']}",
        "same node" if row["Same node"] == "true" else "different nodes",
    ]
    if external:
        conditions.append("external server outside the cluster")
    for column in ("VM mode", "UDN Info", "Bridge Info", "SR-IOV Info", "Macvlan Info",
                   "Localnet Info", "Pair"):  # fmt: skip
        if row.get(column) not in (None, "", "false"):
            conditions.append(f"{column} {row[column]}")
    for column in ("Duration", "# of Samples", "Burst"):
        if row.get(column):
            conditions.append(f"{column.lower().replace('# of ', '')} {row[column]}")
    if row.get("Confidence metric - low") and row.get("Confidence metric - high"):
        conditions.append(
            f"95% confidence {float(row['Confidence metric - low']):.6g}.."
            f"{float(row['Confidence metric - high']):.6g} {row['Throughput Metric']}"
        )
    conditions.extend(extra.get((row["Host Network"], *_key(row)), []))
    baseline = None if host else hosts.get(_key(row))
    common = dict(
        scenario=scenario,
        protocol=protocol,
        message_size_bytes=int(float(row["Message Size"])),
        streams=int(float(row["Parallelism"])),
    )
    if host:
        common |= dict(
            solution_id=HOST_NETWORKING,
            solution_label=f"host network on cluster {source.options.cluster}",
        )
    rows = [
        source.row(
            f"line {line}, column Avg Throughput",
            **common,
            metric=metric,
            unit=unit,
            value=float(row["Avg Throughput"]) * scale,
            baseline_value=float(baseline[1]["Avg Throughput"]) * scale if baseline else None,
            baseline_label=f"hostNetwork row, line {baseline[0]}" if baseline else None,
            notes="; ".join(conditions),
        )
    ]
    latency = row.get("99%tile Observed Latency", "")
    if (
        metric != "throughput"
        and latency
        and row.get("Latency Metric") == "usec"
        and float(latency) > 0
    ):
        base = baseline[1].get("99%tile Observed Latency") if baseline else None
        rows.append(
            source.row(
                f"line {line}, column 99%tile Observed Latency",
                **common,
                metric="latency_p99",
                unit="us",
                value=float(latency),
                baseline_value=float(base) if base else None,
                baseline_label=f"hostNetwork row, line {baseline[0]}" if base else None,
                notes="; ".join(conditions),
            )
        )
    return rows
