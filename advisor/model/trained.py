"""The trained performance model: what the ranking uses by default.

Predicts throughput relative to host networking (the target it was trained
on), with an interval from cross-validated errors across studies, then turns
the ratio into Gbit/s and packets per second for the user's NIC and message
size with exact physics, never above the physics bound.
"""

from __future__ import annotations

import hashlib
import importlib.metadata as metadata
import json
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

from .. import __version__
from ..performance import AnalyticalModel, Estimate, Prediction, WorkloadPoint
from ..physics import wire_cost
from ..profile import SolutionProfile
from . import cache
from .features import NAMES, featurize_point
from .forest import Forest
from .train import is_host_path

NAME = "trained"


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "absent"


def cache_key(data_fingerprint: str, profiles: Mapping[str, SolutionProfile]) -> str:
    from .train import HYPERPARAMETERS, TRAINING_REVISION

    digest = hashlib.sha256()
    for part in (
        str(TRAINING_REVISION),
        data_fingerprint,
        __version__,
        _version("scikit-learn"),
        _version("numpy"),
        json.dumps(HYPERPARAMETERS, sort_keys=True),
        ",".join(NAMES),
    ):
        digest.update(part.encode())
    for solution_id in sorted(profiles):
        digest.update(profiles[solution_id].datapath.model_dump_json().encode())
    return digest.hexdigest()


@dataclass
class TrainedModel:
    """Gradient-boosted trees over datapath and workload features, as plain arrays."""

    forest: Forest
    interval_log_width: float  # half-width of the 80 % interval on the log-ratio scale
    vm_factor: float | None  # throughput kept inside a VM vs bare metal, from the data
    meta: dict
    name: str = NAME
    description: str = (
        "gradient-boosted trees trained on published benchmarks, relative to host "
        "networking; 80 % interval from leave-one-study-out errors"
    )
    _physics: AnalyticalModel = field(default_factory=AnalyticalModel)
    _cache: dict = field(default_factory=dict)

    def predict(self, solution: SolutionProfile, point: WorkloadPoint) -> Prediction:
        key = (solution.id, point)
        if key not in self._cache:
            self._cache[key] = self._predict(solution, point)
        return self._cache[key]

    def predict_many(
        self, solutions: list[SolutionProfile], point: WorkloadPoint
    ) -> list[Prediction]:
        """One vectorised pass for many solutions (the ranking's hot path)."""
        missing = [s for s in solutions if (s.id, point) not in self._cache]
        if missing:
            features = np.array([featurize_point(s, point) for s in missing])
            ratios = np.exp(self.forest.predict(features))
            hosts = is_host_path(features)
            for solution, ratio, host in zip(missing, ratios, hosts, strict=True):
                self._cache[(solution.id, point)] = self._assemble(
                    solution, point, float(ratio), bool(host)
                )
        return [self._cache[(s.id, point)] for s in solutions]

    def _predict(self, solution: SolutionProfile, point: WorkloadPoint) -> Prediction:
        features = np.array([featurize_point(solution, point)])
        ratio = float(np.exp(self.forest.predict(features))[0])
        return self._assemble(solution, point, ratio, bool(is_host_path(features)[0]))

    def _assemble(
        self, solution: SolutionProfile, point: WorkloadPoint, ratio: float, host: bool = False
    ) -> Prediction:
        bound = self._physics.predict(solution, point)
        ceiling = bound.throughput_ratio.high
        spread = math.exp(self.interval_log_width)
        low, high = ratio / spread, ratio * spread
        basis = [f"trained model: {ratio:.3f} × host throughput, 80 % interval ×/÷ {spread:.2f}"]
        if host:  # the datapath is the host's own: it is the baseline, exactly
            ratio = low = high = 1.0
            basis = ["the host's own stack: the baseline every estimate is relative to"]
        if ceiling is None:
            ceiling = 1.0  # host networking is the baseline: an extra datapath adds work
        if ratio > ceiling:
            basis.append(f"capped at {ceiling:.3f} (header arithmetic; host is the baseline)")
        ratio, low, high = min(ratio, ceiling), min(low, ceiling), min(high, ceiling)
        host = wire_cost(
            point.message_size,
            protocol=point.protocol,
            mtu=point.underlay_mtu,
            ip_family=point.ip_family,
        )
        host_gbps = point.nic_gbps * host.goodput_share(point.message_size)
        if point.virtualization == "vm" and self.vm_factor is not None:
            host_gbps *= self.vm_factor
            basis.append(
                f"inside a VM: host throughput × {self.vm_factor:.2f} "
                "(survey Sec. VI quoting Suo et al. 2018)"
            )
        own = wire_cost(
            point.message_size,
            protocol=point.protocol,
            mtu=bound.effective_mtu or point.underlay_mtu,
            ip_family=point.ip_family,
        )
        packets_per_gbit = own.packets * 1e9 / (8 * point.message_size) / 1e6  # Mpps per Gbps
        estimates = {
            name: Estimate(value=scale * ratio, low=scale * low, high=scale * high, unit=unit)
            for name, scale, unit in (
                ("throughput_ratio", 1.0, "ratio"),
                ("throughput_gbps", host_gbps, "Gbps"),
                ("packet_rate_mpps", host_gbps * packets_per_gbit, "Mpps"),
            )
        }
        basis.append("containers per host and CPU pinning: no published figures; not modelled")
        return Prediction(
            solution_id=solution.id,
            scenario=point.scenario,
            model=self.name,
            added_latency_us=Estimate.unknown("us"),
            effective_mtu=bound.effective_mtu,
            basis=basis,
            **estimates,
        )


def _vm_factor(rows) -> float | None:
    for row in rows:
        if row.metric == "throughput_loss" and row.virtualization == "vm" and row.unit == "percent":
            return 1 - row.value / 100
    return None


def _local_count(rows) -> int:
    return sum(1 for row in rows if row.source_id.startswith("local-"))


def train(profiles: Mapping[str, SolutionProfile], rows) -> tuple[TrainedModel, dict]:
    """Fit the trees and the interval width; return the model and what the card reports."""
    import sklearn.ensemble  # noqa: F401  load its OpenMP runtime before limiting it
    from threadpoolctl import threadpool_limits

    from .evaluate import INTERVAL_LEVEL
    from .train import build_table, fit_forest, grouped_residuals

    started = time.perf_counter()
    table = build_table(rows, profiles)
    if not table.anchored.any():
        raise ValueError("no benchmark row with a host baseline matches a loaded solution")
    # The data are small: one thread is as fast, and two trainings at once do not fight.
    with threadpool_limits(limits=1):
        forest = fit_forest(table)
        predicted, measured, _ = grouped_residuals(table, lambda i: table.study[i])
    width = float(np.quantile(np.abs(predicted - measured), INTERVAL_LEVEL))
    meta = {
        "trained_rows": len(table.log_value),
        "anchored_rows": int(table.anchored.sum()),
        "studies": sorted(set(table.study)),
        "seconds": round(time.perf_counter() - started, 2),
        "interval_log_width": width,
        "local_rows": _local_count(table.rows),
        "vm_factor": _vm_factor(rows),
        "versions": {"cnadvisor": __version__, "scikit-learn": _version("scikit-learn"),
                     "numpy": _version("numpy")},
    }  # fmt: skip
    return _model(forest, meta), meta


def _model(forest: Forest, meta: dict) -> TrainedModel:
    model = TrainedModel(forest, meta["interval_log_width"], meta["vm_factor"], meta)
    if meta.get("local_rows"):
        model.description += f"; calibrated with {meta['local_rows']} measurements of this host"
    return model


LOCAL_FLAG = "use-local-measurements"


def use_local() -> bool:
    """Whether `model train --with-local` asked for this host's measurements to be used."""
    return (cache.cache_dir() / LOCAL_FLAG).exists()


def set_use_local(enabled: bool) -> None:
    flag = cache.cache_dir() / LOCAL_FLAG
    if enabled:
        flag.parent.mkdir(parents=True, exist_ok=True)
        flag.write_text("written by `cnadvisor model train --with-local`\n", encoding="utf-8")
    else:
        flag.unlink(missing_ok=True)


def training_data(plugin_set, with_local: bool | None = None) -> tuple[Callable[[], list], str]:
    """A loader of the shipped rows, every plugin's valid contributed rows and (when asked)
    this host's `cnadvisor bench` rows, and a fingerprint of all of them. The shipped rows
    are only parsed when a model must be trained."""
    from .data import (
        DatasetError,
        fingerprint,
        load_published,
        rows_from_dicts,
        shipped_fingerprint,
    )

    contributed: list = []
    parts = [shipped_fingerprint()]
    if use_local() if with_local is None else with_local:
        from ..bench.store import local_rows

        measured = local_rows()
        contributed.extend(measured)
        parts.append("local:" + repr(sorted(repr(r) for r in measured)))
    for plugin, returned in plugin_set.call_each("cnadvisor_benchmarks"):
        try:
            rows = rows_from_dicts(list(returned or []), f"plugin {plugin}")
        except DatasetError as error:
            plugin_set.report(plugin, "cnadvisor_benchmarks", "; ".join(error.problems))
            continue
        contributed.extend(rows)
        parts.append(repr(sorted(repr(r) for r in rows)))
    return (lambda: [*load_published(), *contributed]), fingerprint(parts)


def load_or_train(
    profiles: Mapping[str, SolutionProfile],
    rows: Callable[[], list] | list | None = None,
    fingerprint: str | None = None,
) -> TrainedModel:
    """The cached model for this data and these profiles, training it on first use."""
    from .data import load_published, shipped_fingerprint

    key = cache_key(fingerprint or shipped_fingerprint(), profiles)
    cached = cache.load(key)
    if cached is not None:
        arrays, meta = cached
        return _model(Forest.from_arrays(arrays), meta)
    if rows is None:
        rows = load_published
    model, meta = train(profiles, rows() if callable(rows) else rows)
    cache.save(key, model.forest.arrays(), meta)
    return model
