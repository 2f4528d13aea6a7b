"""Measured beats predicted: where the user imported a measurement of an option on their
own cluster for the workload's scenario and protocol, the ranking scores that option on
the measured pod/host throughput ratio, and says so ("measured on cluster NAME"), with the
model's prediction kept beside it in the basis.

The ratio needs a host-network figure from the same cluster and conditions: the row's own
baseline (k8s-netperf measures one), or an imported host-network row (``HOST_NETWORKING``)
of the same cluster, scenario, protocol, message size and path. Nothing is read when
nothing was imported, so an ordinary ``evaluate`` pays for one ``stat``.
"""

from __future__ import annotations

import contextlib
import math
import os
import pwd
from dataclasses import dataclass
from pathlib import Path

from ..dataset.schema import HOST_NETWORKING
from ..performance import Estimate, Prediction, WorkloadPoint

MAX_SIZE_FACTOR = 8  # a measurement at a message size this far from the workload's is not used


def imported_root() -> Path:
    """``cnadvisor.bench.store.data_dir() / "imported"`` without importing the bench
    package on the evaluate path (a test keeps the two equal)."""
    base = os.environ.get("CNADVISOR_DATA_DIR")
    if base:
        return Path(base) / "bench" / "imported"
    home = Path.home()
    user = os.environ.get("SUDO_USER")
    if os.geteuid() == 0 and user:
        with contextlib.suppress(KeyError):
            home = Path(pwd.getpwnam(user).pw_dir)
    xdg = os.environ.get("XDG_DATA_HOME") or str(home / ".local" / "share")
    return Path(xdg) / "cnadvisor" / "bench" / "imported"


@dataclass(frozen=True)
class Measurement:
    cluster: str
    ratio: float  # pod (or option) throughput / host-network throughput
    value: float
    baseline: float
    unit: str
    message_size: float
    where: str  # the row's locator
    baseline_from: str
    streams: float = 1.0


def _cluster(row) -> str:
    return row.source_id.removeprefix("local-import-")


def _same_size(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b


def measurements(rows) -> dict[tuple[str, str, str, bool], list[Measurement]]:
    """Usable throughput measurements by (solution, scenario, protocol, via Service)."""
    hosts = [r for r in rows if r.solution_id == HOST_NETWORKING and r.metric == "throughput"]
    found: dict[tuple[str, str, str, bool], list[Measurement]] = {}
    for row in rows:
        if row.metric != "throughput" or row.solution_id == HOST_NETWORKING:
            continue
        baseline, source = row.baseline_value, f"baseline of the same run ({row.baseline_label})"
        if math.isnan(baseline):
            host = next(
                (
                    h
                    for h in hosts
                    if h.source_id == row.source_id
                    and (h.scenario, h.protocol, h.via_service, h.unit)
                    == (row.scenario, row.protocol, row.via_service, row.unit)
                    and _same_size(h.message_size_bytes, row.message_size_bytes)
                    and _same_size(h.streams, row.streams)
                ),
                None,
            )
            if host is None:
                continue
            baseline, source = host.value, f"imported host row {host.locator}"
        if not baseline > 0:
            continue
        key = (row.solution_id, row.scenario, row.protocol, row.via_service)
        found.setdefault(key, []).append(
            Measurement(
                _cluster(row), row.value / baseline, row.value, baseline, row.unit,
                row.message_size_bytes, row.locator, source, row.streams,
            )
        )  # fmt: skip
    return found


def closest(candidates: list[Measurement], size: int, streams: int = 1) -> Measurement | None:
    """The measurement nearest the workload's message size, with its number of flows if
    one was measured with it."""
    flows = [m for m in candidates if m.streams == streams]
    candidates = flows or candidates
    sized = [m for m in candidates if not math.isnan(m.message_size)]
    near = [m for m in sized if 1 / MAX_SIZE_FACTOR <= m.message_size / size <= MAX_SIZE_FACTOR]
    if near:
        best = min(abs(math.log(m.message_size / size)) for m in near)
        same = [m for m in near if abs(math.log(m.message_size / size)) == best]
        same = sorted((m for m in same if m.cluster == same[0].cluster), key=lambda m: m.where)
        if len(same) == 1:
            return same[0]
        # Several drivers or repeats at that size: their mean ratio, all of them cited.
        first = same[0]
        return Measurement(
            first.cluster,
            sum(m.ratio for m in same) / len(same),
            sum(m.value for m in same) / len(same),
            sum(m.baseline for m in same) / len(same),
            first.unit,
            first.message_size,
            f"mean of {len(same)} rows: " + ", ".join(m.where for m in same),
            first.baseline_from,
            first.streams,
        )
    if sized:
        return None  # measured, but at sizes too far from this workload's
    return min(candidates, key=lambda m: m.where) if candidates else None


class CalibratedModel:
    """Any model, with imported cluster measurements taking the place of its throughput
    prediction where they match the workload point."""

    def __init__(self, inner, found: dict[tuple[str, str, str, bool], list[Measurement]]):
        self.inner, self.found = inner, found
        clusters = sorted({m.cluster for items in found.values() for m in items})
        solutions = sorted({key[0] for key in found})
        self.name = f"{inner.name}, measured on cluster {', '.join(clusters)}"
        self.description = (
            f"{inner.description}; figures measured on cluster {', '.join(clusters)} "
            f"({', '.join(solutions)}) replace the prediction where scenario and protocol match"
        )

    def lookup(self, solution_id: str, point: WorkloadPoint) -> Measurement | None:
        service = bool(getattr(point, "via_service", False))
        key = (solution_id, point.scenario, point.protocol, service)
        streams = int(getattr(point, "streams", 1) or 1)
        return closest(self.found.get(key, []), point.message_size, streams)

    def predict_many(self, solutions: list, point: WorkloadPoint) -> list[Prediction]:
        """The inner model's batch, each prediction replaced where a measurement matches
        (the ranking asks for batches: the measured figure must win there too)."""
        batch = getattr(self.inner, "predict_many", None)
        if batch is None:
            predictions = [self.inner.predict(solution, point) for solution in solutions]
        else:
            predictions = batch(solutions, point)
        return [self._measured(s, point, p) for s, p in zip(solutions, predictions, strict=True)]

    def predict(self, solution, point: WorkloadPoint) -> Prediction:
        return self._measured(solution, point, self.inner.predict(solution, point))

    def _measured(self, solution, point: WorkloadPoint, predicted: Prediction) -> Prediction:
        measured = self.lookup(solution.id, point)
        if measured is None:
            return predicted
        ratio = measured.ratio
        gbps = predicted.throughput_gbps
        old = predicted.throughput_ratio.value
        scale = ratio / old if old else None
        size = (
            "message size not recorded"
            if math.isnan(measured.message_size)
            else f"at {measured.message_size:g} B (workload {point.message_size} B)"
        )
        return predicted.model_copy(
            update={
                "model": f"measured on cluster {measured.cluster}",
                "throughput_ratio": Estimate(
                    value=ratio, low=ratio, high=ratio, unit=predicted.throughput_ratio.unit
                ),
                "throughput_gbps": gbps.model_copy(
                    update={
                        k: getattr(gbps, k) * scale
                        for k in ("value", "low", "high")
                        if scale is not None and getattr(gbps, k) is not None
                    }
                ),
                "basis": [
                    f"measured on cluster {measured.cluster}: {ratio:.3f} of host "
                    f"({measured.value:g} vs {measured.baseline:g} {measured.unit}, {size}; "
                    f"{measured.where}; host from the {measured.baseline_from}); "
                    "the score uses this measured figure",
                    f"model prediction (not used for the score): "
                    f"{predicted.throughput_ratio.text(3)} of host ({predicted.model})",
                    *predicted.basis,
                ],
            }
        )


def calibrated(model):
    """The model itself when nothing usable was imported, else the calibrated wrapper."""
    if not imported_root().is_dir():
        return model
    from ..model.data import DatasetError
    from .store import imported_rows

    try:
        found = measurements(imported_rows())
    except (DatasetError, OSError) as error:  # a stored file edited by hand, unreadable
        import warnings

        warnings.warn(f"imported measurements not used: {error}", stacklevel=2)
        return model
    return CalibratedModel(model, found) if found else model
