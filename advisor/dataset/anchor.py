"""Re-anchor InfraBuilder 2024 rows to the mean of the bare-metal runs of the same test.

The source ran every configuration three times, on different days (iperf3 timestamps of
2024-01-27, 2024-02-21 and 2024-03-14), so run k of a CNI and run k of bare metal are not a
pair: the run number is a loop index. Each CNI row's baseline is therefore the mean of the
three bare-metal runs of the same test, metric, node and CPU mode. Measured values are not
touched. The script is idempotent: it recomputes every baseline from the bare-metal rows.

    python3 -m cnadvisor.dataset.anchor [datasets/published/infrabuilder-2024.csv]
"""

from __future__ import annotations

import csv
import io
import re
import sys
from collections import defaultdict
from pathlib import Path

BASELINE_LABEL = "baremetal"
DEFAULT = Path("datasets/published/infrabuilder-2024.csv")


def role(row: dict[str, str]) -> tuple[str, str, str, str]:
    """(test, metric, node, CPU mode): which bare-metal figure a row compares with."""
    test = row["locator"].rsplit("/", 1)[-1].removesuffix(".results")
    node = re.search(r"\b(client|server) node", row["notes"])
    mode = re.search(r"mode=(\w+)", row["notes"])
    return test, row["metric"], node.group(1) if node else "", mode.group(1) if mode else ""


def _decimals(text: str) -> int:
    return len(text.split(".", 1)[1]) if "." in text else 0


def mean_text(values: list[str]) -> str:
    """The mean, to the precision of the figures (full float precision for the long
    iperf3-derived throughputs)."""
    mean = sum(float(v) for v in values) / len(values)
    digits = max(_decimals(v) for v in values)
    return repr(mean) if digits >= 10 else f"{mean:.{digits}f}"


def reanchor(text: str) -> tuple[str, int]:
    """The file's text with every CNI baseline set to the bare-metal mean; rows changed."""
    reader = csv.DictReader(io.StringIO(text))
    rows = list(reader)
    runs: dict[tuple[str, str, str, str], dict[str, str]] = defaultdict(dict)
    for row in rows:
        if row["solution_label"] == BASELINE_LABEL:
            run = row["locator"].split("/")[2]
            runs[role(row)][run] = row["value"]
    changed = 0
    for row in rows:
        if row["solution_label"] == BASELINE_LABEL or not row["baseline_value"]:
            continue
        found = runs[role(row)]
        test = role(row)[0]
        numbers = sorted(found)
        value = mean_text([found[n] for n in numbers])
        label = (
            f"bare-metal host network, same test, mean of runs {', '.join(numbers)} "
            f"(results/baremetal/{{{','.join(numbers)}}}/{test}.results)"
        )
        if (row["baseline_value"], row["baseline_label"]) != (value, label):
            row["baseline_value"], row["baseline_label"] = value, label
            changed += 1
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=reader.fieldnames or [])
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue(), changed


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    path = Path(args[0]) if args else DEFAULT
    with path.open(encoding="utf-8", newline="") as source:
        text, changed = reanchor(source.read())
    with path.open("w", encoding="utf-8", newline="") as target:
        target.write(text)
    print(f"{path}: {changed} baselines set to the mean of the bare-metal runs")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
