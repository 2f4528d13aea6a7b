"""The trained performance model the ranking uses: stage costs fitted to benchmarks.

Predicts, for any profile and workload point, throughput (Gbit/s and the ratio
to host networking under the same workload), packet rate (Mpps) and latency
(µs, one way, and what the datapath adds), each with an 80 % interval whose
width comes from leave-one-study-out errors of the same metric. Prediction is
numpy only: the fitted costs are a small table read from the cache
(``allow_pickle=False``), so a cold ``evaluate`` never imports scikit-learn,
SciPy or pandas.
"""

from __future__ import annotations

import hashlib
import importlib.metadata as metadata
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np

from .. import __version__
from ..performance import Estimate, Prediction, WorkloadPoint
from ..profile import SolutionProfile
from ..stages import STAGES
from . import cache
from .density import check_density, density_key, density_line, factor_at
from .density import summary as density_summary
from .observations import (
    LATENCY,
    PACKET_RATE,
    THROUGHPUT,
    Conditions,
    baseline_spec,
    is_host_networking,
    spec_for,
)
from .plugin_priors import documented_costs, overrides_for, with_overrides
from .structure import (
    PACKET_IO,
    TERMS,
    WIDTH,
    WORKLOAD,
    PathSpec,
    StageCosts,
    encode,
    rates,
)

NAME = "trained"
# Bump when training or evaluation changes what a cached model means (part of its key).
TRAINING_REVISION = 13  # 13: intervals from cold folds, weighing studies
KERNEL_BYPASS = frozenset(PACKET_IO) - {"xdp"}  # XDP runs inside the CNI, not in the pod


def _version(distribution: str) -> str:
    """The installed version, from the METADATA file's header lines alone: the full parse
    also reads each long description (numpy's is 100 kB), a few ms of every cold start."""
    try:
        found = metadata.distribution(distribution)
    except metadata.PackageNotFoundError:
        return "absent"
    for line in (found.read_text("METADATA") or "").splitlines():
        if not line:  # the headers end at the first empty line
            break
        if line.startswith("Version:"):
            return line.partition(":")[2].strip()
    return found.version or "unknown"  # a METADATA without a Version header


def cache_key(data_fingerprint: str, profiles: Mapping[str, SolutionProfile]) -> str:
    digest = hashlib.sha256()
    for part in (
        str(TRAINING_REVISION),
        data_fingerprint,
        __version__,
        _version("scikit-learn"),
        _version("scipy"),
        _version("numpy"),
        ",".join(TERMS),
    ):
        digest.update(part.encode())
    for solution_id in sorted(profiles):
        profile = profiles[solution_id]
        digest.update(profile.datapath.model_dump_json().encode())
        digest.update(",".join(f.value for f in profile.operations.packet_io).encode())
    return digest.hexdigest()


def conditions_for(point: WorkloadPoint, packet_io: str | None = None) -> Conditions:
    return Conditions(
        scenario=point.scenario,
        message_size=float(point.message_size),
        udp=point.protocol == "udp",
        cores=float(max(1, min(point.streams, point.cores))),
        link_gbps=float(point.nic_gbps),
        underlay_mtu=float(point.underlay_mtu),
        vm=point.virtualization == "vm",
        via_service=point.via_service,
        ipv6=point.ip_family == "ipv6",
        packet_io=packet_io,
    )


def bypass_for(profile: SolutionProfile, point: WorkloadPoint) -> str | None:
    """The kernel-bypass framework the application uses on this option, if it asked for one
    and the option gives the pod such an interface."""
    if not point.packet_io:
        return None
    offered = [f.value for f in profile.operations.packet_io if f.value in KERNEL_BYPASS]
    return offered[0] if offered else None


NOT_MODELLED = (
    "containers per host and CPU pinning: not modelled (no source gives figures "
    "the model could use; `cnadvisor bench run --pairs N` measures density here)"
)
# Predictions kept for reuse (what-if and the TUI chart revisit points; a batch of 1,000
# generated systems asks about 116 distinct points x 64 options, which 4,096 thrashed).
CACHE_LIMIT = 16384


@dataclass
class TrainedModel:
    """Stage costs fitted to published benchmarks, with per-metric interval widths."""

    costs: StageCosts
    widths: dict[int, float]  # 80 % half-width on the log scale, per metric
    meta: dict
    name: str = NAME
    description: str = (
        "structural stage-cost model (per-packet, per-byte and delay costs of each datapath "
        "stage, fitted to published benchmarks); 80 % intervals from leave-one-study-out errors"
    )
    _cache: dict = field(default_factory=dict)
    _paths: dict = field(default_factory=dict)  # see _path
    # A prediction does not depend on which options are predicted with it (row sums, not
    # BLAS products: structure._rows), so batch workers may each keep their own cache.
    batch_invariant: bool = True

    def predict(self, solution: SolutionProfile, point: WorkloadPoint) -> Prediction:
        return self.predict_many([solution], point)[0]

    def predict_many(
        self, solutions: list[SolutionProfile], point: WorkloadPoint
    ) -> list[Prediction]:
        """One vectorised pass for many solutions (the ranking's hot path). Predictions are
        kept per solution and *modelled* point (density and pinning do not move them); an
        option whose density this host measured is then scaled by what was measured."""
        key = modelled(point)
        missing = [s for s in solutions if (s.id, key) not in self._cache]
        if missing and len(self._cache) > CACHE_LIMIT:
            self._cache.clear()  # a batch of thousands of systems must not grow memory
            missing = list(solutions)  # what was cached for this point went with the rest
        if missing:
            for solution, prediction in zip(missing, self._predict(missing, key), strict=True):
                self._cache[(solution.id, key)] = prediction
        found = [self._cache[(s.id, key)] for s in solutions]
        density = self.meta.get("density")
        if density and point.containers_per_host > 1:  # only what this host measured moves
            containers = point.containers_per_host
            keys = [density_key(s.id, point.scenario) for s in solutions]
            found = [
                _at_density(p, key, density[key], containers) if key in density else p
                for key, p in zip(keys, found, strict=True)
            ]
        return found

    def _predict(self, solutions: list[SolutionProfile], point: WorkloadPoint) -> list:
        conditions = conditions_for(point)
        bypasses = [bypass_for(s, point) for s in solutions]
        shared_conditions = _open_ended(conditions)
        paths = [
            self._path(s, _open_ended(conditions_for(point, bypass)) if bypass
                       else shared_conditions)
            for s, bypass in zip(solutions, bypasses, strict=True)
        ]  # fmt: skip
        x = np.array([path.row for path in paths]).reshape(len(paths), WIDTH)
        x[:, WORKLOAD["message_size"]] = conditions.message_size  # what the paths left open
        x[:, WORKLOAD["udp"]] = float(conditions.udp)
        host = encode([baseline_spec(conditions)])
        documented = documented_costs()  # plugin stages' stated costs replace their kind's
        cells = [overrides_for(path.spec.terms, self.costs, documented) if documented else ()
                 for path in paths]  # fmt: skip
        gbps, mpps, latency, links = (np.empty(len(paths)) for _ in range(4))
        host_gbps = host_latency = None
        for key in set(cells):
            rows = [i for i, found in enumerate(cells) if found == key]
            # the host's row rides along with the options priced at the fitted costs alone
            # (one pass fewer; each row's figures are the same bits however many rows)
            with_host = not key
            found = rates(np.vstack([x[rows], host]) if with_host else x[rows],
                          with_overrides(self.costs, key))  # fmt: skip
            count = len(rows)
            gbps[rows], mpps[rows] = found.gbps[:count], found.mpps[:count]
            latency[rows] = found.latency_us[:count]
            links[rows] = found.link_gbps[:count]  # goodput the NIC allows: none goes above
            if with_host:
                host_gbps, host_latency = float(found.gbps[-1]), float(found.latency_us[-1])
        if host_gbps is None or host_latency is None:
            baseline = rates(host, self.costs)
            host_gbps, host_latency = float(baseline.gbps[0]), float(baseline.latency_us[0])
        shared = self._shared_basis(point)
        return [
            self._assemble(solution, point, paths[i], float(gbps[i]), float(mpps[i]),
                           float(latency[i]), float(links[i]), host_gbps, host_latency,
                           bypasses[i],
                           shared + _documented_lines(paths[i].spec, documented) if cells[i]
                           else shared)
            for i, solution in enumerate(solutions)
        ]  # fmt: skip

    def _path(self, solution: SolutionProfile, open_ended: Conditions) -> _Path:
        """One option's encoded path under conditions whose message size and protocol are
        left open: a batch meets the same option under the same conditions at many sizes,
        and the path (stages, MTU, encapsulation) does not depend on them."""
        key = (solution.id, open_ended)
        found = self._paths.get(key)
        if found is None:
            if len(self._paths) >= CACHE_LIMIT:
                self._paths.clear()  # a long batch must not grow memory
            spec = spec_for(solution, open_ended)
            found = self._paths[key] = _Path(spec, spec.encode(), "path: " + " → ".join(spec.terms))
        return found

    @cached_property
    def _spreads(self) -> dict[int, float]:
        """Each metric's 80 % interval factor (×/÷), worked out once per model."""
        return {m: math.exp(self.widths.get(m, math.log(2)))
                for m in (THROUGHPUT, PACKET_RATE, LATENCY)}  # fmt: skip

    def _shared_basis(self, point: WorkloadPoint) -> list[str]:
        """The basis lines every option shares at one workload point."""
        lines = []
        if point.virtualization == "vm":
            lines.append("inside a VM: a virtio/vhost stage on every path (host too)")
        if self.meta.get("calibration"):
            lines.append(self.meta["calibration"]["summary"])
        lines.append(NOT_MODELLED)
        return lines

    def _assemble(
        self,
        solution: SolutionProfile,
        point: WorkloadPoint,
        path: _Path,
        gbps: float,
        mpps: float,
        latency: float,
        link: float,
        host_gbps: float,
        host_latency: float,
        bypass: str | None,
        shared: list[str],
    ) -> Prediction:
        """The numbers as a Prediction, with intervals and the basis a reader can check
        (validated in one call, its estimates given as their fields)."""
        spread = self._spreads
        ratio = gbps / host_gbps if host_gbps > 0 else math.nan
        baseline = is_host_networking(solution) and not point.via_service and bypass is None
        inter = point.scenario == "inter-host" and solution.datapath.inter_host is not None
        added = max(latency - host_latency, 0.0)
        lat_margin = host_latency * (spread[LATENCY] - 1.0)
        if baseline:
            ratio_estimate: _Fields = _fields(1.0, 1.0, 1.0, "ratio")
            added_estimate: _Fields = _fields(0.0, 0.0, 0.0, "us")
        else:
            ratio_estimate = _scaled(ratio, spread[THROUGHPUT], "ratio")
            if bypass is None and ratio <= 1.0 and ratio_estimate["high"] > 1.0:
                # stages on top of the host's stack never beat it
                ratio_estimate = _fields(ratio, ratio_estimate["low"], 1.0, "ratio")
            added_estimate = _fields(added, max(0.0, added - lat_margin), added + lat_margin,
                                     "us")  # fmt: skip
        basis = [
            f"structural model: {gbps:.2f} Gbit/s, {mpps:.3f} Mpps, one-way latency "
            f"{latency:.1f} µs for {point.message_size}-byte {point.protocol.upper()} on "
            f"{max(1, min(point.streams, point.cores))} core(s)",
            path.text,
            f"throughput × host: {ratio:.3f} (80 % interval ×/÷ {spread[THROUGHPUT]:.2f})",
        ]
        if bypass:
            basis.append(f"the application uses {bypass} in place of the kernel stack")
        basis.extend(shared)
        return _PREDICTION_FROM(
            {
                "solution_id": solution.id,
                "scenario": point.scenario,
                "model": self.name,
                "throughput_ratio": ratio_estimate,
                "throughput_gbps": _capped(_scaled(gbps, spread[THROUGHPUT], "Gbps"), link),
                "packet_rate_mpps": _capped(
                    _scaled(mpps, spread[PACKET_RATE], "Mpps"),
                    mpps * link / gbps if gbps > 0 else math.inf,
                ),
                "added_latency_us": added_estimate,
                "latency_us": _scaled(latency, spread[LATENCY], "us"),
                "effective_mtu": int(path.spec.mtu) if inter else None,
                "basis": basis,
            }
        )


def _open_ended(conditions: Conditions) -> Conditions:
    """The conditions with the message size and protocol left open, as a path is kept."""
    return replace(conditions, message_size=0.0, udp=False)


@dataclass(frozen=True, slots=True)
class _Path:
    """An option's path under one point's conditions, message size and protocol left open."""

    spec: PathSpec
    row: np.ndarray
    text: str  # the basis line naming the path


def _at_density(prediction: Prediction, key: str, steps: list, containers: int) -> Prediction:
    """A prediction at ``containers`` per host for an option whose density this host
    measured: rates scaled by the measured factor (never above the NIC's figure the
    prediction was capped at), latency as it was (density was measured on rates)."""
    basis = [line for line in prediction.basis if line != NOT_MODELLED]
    basis.append(density_line(key, steps, containers))
    basis.append("CPU pinning: not modelled (no source gives figures the model could use)")
    found = factor_at(steps, containers)
    if found is None:
        return prediction.model_copy(update={"basis": basis})
    factor = found[0]
    return prediction.model_copy(
        update={
            "throughput_ratio": _times(prediction.throughput_ratio, factor),
            "throughput_gbps": _times(prediction.throughput_gbps, factor),
            "packet_rate_mpps": _times(prediction.packet_rate_mpps, factor),
            "basis": basis,
        }
    )


def _times(estimate: Estimate, factor: float) -> Estimate:
    """An estimate scaled by ``factor``; a factor above 1 does not lift it past its top."""
    if estimate.value is None:
        return estimate
    top = estimate.high if factor > 1 and estimate.high is not None else math.inf
    value, low, high = (None if v is None else min(v * factor, top)
                        for v in (estimate.value, estimate.low, estimate.high))  # fmt: skip
    return estimate.model_copy(update={"value": value, "low": low, "high": high})


def _documented_lines(spec, documented: dict[str, dict[str, float]]) -> list[str]:
    """Say which plugin stages were priced at the cost their plugin documents."""
    used = sorted({name for name in spec.terms if name in documented})
    return [f"{name}: priced at the cost its plugin documents ("
            + ", ".join(f"{k} {v:g}" for k, v in sorted(documented[name].items())) + ")"
            for name in used]  # fmt: skip


def modelled(point: WorkloadPoint) -> WorkloadPoint:
    """The point as the model sees it: containers per host and CPU pinning set to their
    defaults, since no data lets them move a prediction."""
    if point.containers_per_host == 1 and not point.cpu_pinning:
        return point
    return replace(point, containers_per_host=1, cpu_pinning=False)


_PREDICTION_FROM = Prediction.__pydantic_validator__.validate_python
# An estimate on its way into a Prediction: its fields (validated with the prediction, in
# one call: a third cheaper than one model per estimate), or a shared "unknown" Estimate.
_Fields = dict[str, float | str] | Estimate


def _fields(value: float, low: float, high: float, unit: str) -> dict[str, float | str]:
    return {"value": value, "low": low, "high": high, "unit": unit}


def _scaled(value: float, spread: float, unit: str) -> _Fields:
    if not math.isfinite(value):
        return Estimate.unknown(unit)
    return _fields(value, value / spread, value * spread, unit)


def _capped(estimate: _Fields, limit: float) -> _Fields:
    """The interval's top held at a physical limit (the NIC's goodput and its packet rate):
    the uncertainty is the CPU's, the wire is known."""
    if isinstance(estimate, Estimate) or not (limit < estimate["high"]):
        return estimate  # an unknown estimate has no top to hold
    return _fields(min(estimate["value"], limit), estimate["low"], limit, estimate["unit"])


def _local_count(rows) -> int:
    return sum(1 for row in rows if row.source_id.startswith("local-"))


def train(profiles: Mapping[str, SolutionProfile], rows) -> tuple[TrainedModel, dict]:
    """Fit the stage costs and the interval widths; calibrate to this host's rows if given."""
    from threadpoolctl import threadpool_limits

    from ..dataset.load import underlay_mtus
    from .evaluate import interval_widths
    from .fitting import calibrate, fit, load_priors, prior_targets
    from .observations import build

    started = time.perf_counter()
    rows = list(rows)
    observations = build(rows, profiles, underlay_mtus())
    published = observations.subset(~observations.local)
    if not (published.anchored & ~published.host_itself).any():
        raise ValueError("no benchmark row with a host baseline matches a loaded solution")
    priors = prior_targets(load_priors())
    with threadpool_limits(limits=1):
        estimator = fit(published, tuple(priors))
        widths = interval_widths(published)
    costs = estimator.costs_
    meta = {
        "observations": len(published),
        "anchored_rows": int((published.anchored & ~published.host_itself).sum()),
        "studies": sorted(set(published.study.astype(str))),
        "priors": len(priors),
        "widths": {str(k): v for k, v in widths.items()},
        "local_rows": _local_count(rows),
        "versions": {"cnadvisor": __version__, "scikit-learn": _version("scikit-learn"),
                     "scipy": _version("scipy"), "numpy": _version("numpy")},
    }  # fmt: skip
    local = observations.subset(observations.local)
    if len(local):
        measured = sorted({TERMS[t] for t in np.flatnonzero(local.numerator[:, : len(TERMS)]
                           .sum(axis=0)) if TERMS[t] in STAGES})  # fmt: skip
        costs, cpu_scale = calibrate(costs, local, set(measured))
        from .evaluate import local_errors
        from .fitting import calibration_rows

        used = len(calibration_rows(local))
        meta["calibration"] = {
            "rows": used,
            "stages": measured,
            "cpu_scale": cpu_scale,
            "summary": f"calibrated on {used} local measurements (rate ratios; CPU scale "
            f"×{cpu_scale:.2f}; stages: {', '.join(measured) or 'none'})",
            "leave_one_topology_out": local_errors(estimator.costs_, local),
        }
        meta["local_unsteady"] = _unsteady_count()
        density = _local_density()
        if density:
            meta["density"] = density
            meta["calibration"]["summary"] += "; " + density_summary(density)
    meta["seconds"] = round(time.perf_counter() - started, 2)
    return _model(costs, meta), meta


def _model(costs: StageCosts, meta: dict) -> TrainedModel:
    widths = {int(k): float(v) for k, v in meta["widths"].items()}
    for metric, width in widths.items():  # a negative one would turn intervals inside out
        if not (math.isfinite(width) and width >= 0):
            raise ValueError(f"interval width of metric {metric} is {width!r}; expected a "
                             "finite number from 0")  # fmt: skip
    check_density(meta.get("density", {}))  # a damaged cache is retrained, not trusted
    model = TrainedModel(costs, widths, meta)
    if meta.get("calibration"):
        model.name = f"{NAME}, calibrated on this host"
        model.description += "; " + meta["calibration"]["summary"]
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
    """A loader of the shipped rows, every plugin's vetted contributed rows and (when asked)
    this host's measured and imported rows, and a fingerprint of all of them. The shipped
    rows are only parsed when a model must be trained."""
    from .data import fingerprint, load_published, shipped_fingerprint

    contributed: list = []
    parts = [shipped_fingerprint()]
    if use_local() if with_local is None else with_local:
        measured = _local_rows()
        contributed.extend(measured)
        parts.append("local:" + repr(sorted(repr(r) for r in measured)))
    for plugin, rows in plugin_set.benchmark_rows():  # validated and vetted at the one door
        contributed.extend(rows)
        parts.append(plugin + repr(sorted(repr(r) for r in rows)))
    return (lambda: [*load_published(), *contributed]), fingerprint(parts)


def _local_rows() -> list:
    """This host's bench rows and imported cluster rows (a bad file is skipped with a
    warning by each store). A bench row's CPU-time ratio stands in for its wall-clock one
    where it was measured: on a shared machine the wall clock also measures the neighbours."""
    from ..bench.store import local_rows_by_cpu_time

    rows = list(local_rows_by_cpu_time(keep_others=True))
    try:
        from ..importers import imported_rows
    except ImportError:
        return rows
    return rows + list(imported_rows())


def _unsteady_count() -> int:
    """This host's bench rows left out because their repeats disagree (store.unsteady)."""
    from ..bench.store import local_measurements, unsteady

    return sum(1 for item in local_measurements() if unsteady(item))


def _local_density() -> dict:
    """Density factors from this host's bench rows measured at several ``--pairs`` (rows
    whose repeats disagree are left out, as calibration leaves them out)."""
    from ..bench.store import local_measurements, unsteady
    from .density import measured_density

    return measured_density(item for item in local_measurements() if not unsteady(item))


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
        try:
            return _model(StageCosts(arrays["costs"], arrays["offload_loss"]), meta)
        except (KeyError, ValueError, TypeError) as error:
            import warnings

            warnings.warn(f"model cache is damaged ({error}); retraining", stacklevel=2)
    if rows is None:
        rows = load_published
    model, meta = train(profiles, rows() if callable(rows) else rows)
    cache.save(key, {"costs": model.costs.table, "offload_loss": model.costs.offload_loss}, meta)
    return model
