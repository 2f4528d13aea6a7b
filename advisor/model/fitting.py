"""Fitting the stage costs to benchmark ratios: a scikit-learn estimator over the structure.

Costs are positive by construction: each is ``exp(kind level + stage deviation)``.
A stage inherits the level of its kind (switch, route, encapsulation, ...) and
deviates from it only as far as the data pull it, so a stage nobody measured
costs what its kind costs. Documented per-stage figures
(``datasets/stage_priors.csv``) pull the costs they name toward themselves.
Rows of one test without a host baseline share a free offset, projected out in
closed form. Robust (soft-L1) least squares, so one odd row cannot dominate.

As a ``BaseEstimator``/``RegressorMixin`` it goes through scikit-learn's
``cross_validate`` with ``LeaveOneGroupOut`` like any other regressor.
"""

from __future__ import annotations

import csv
import functools
import io
import math
from importlib import resources

import numpy as np
from scipy.optimize import least_squares
from sklearn.base import BaseEstimator, RegressorMixin

from ..dataset.priors import PATH_COLUMN, parse_path
from ..stages import STAGES
from .forked import ordered_map
from .observations import ABSOLUTE, LATENCY, PACKET_RATE, THROUGHPUT, Observations
from .structure import (
    DEFEATS_OFFLOAD,
    EXTRA_TERMS,
    INDEX,
    KERNEL,
    KIND_TERMS,
    PACKET_IO,
    PARAMETERS,
    SOCKET,
    TERMS,
    VM_LAYER,
    WIDTH,
    WORKLOAD,
    StageCosts,
    added_latency_us,
    cost_matrices,
    cpu_bound,
    default_offload_loss,
    one_way_latency_us,
    packet_rate_mpps,
    stream_packets,
    throughput_gbps,
)

# The centre of the weak prior on every kind's level, and how loosely it holds
# (one standard deviation on the log scale); deviations of a stage from its kind.
LEVEL_CENTRE = {"ns_per_packet": 150.0, "ns_per_byte": 0.05, "delay_us": 0.5}
LEVEL_SIGMA = 2.5
# Delays are held closer to their centre: a stage's own delay (beyond its CPU time) is
# small unless several labs agree otherwise; labs' latency tools disagree widely.
SIGMA_BY_PARAMETER = np.array([LEVEL_SIGMA, LEVEL_SIGMA, 1.0])
STAGE_SIGMA = 0.7
PRIOR_SIGMA = 0.3
LOSS_SCALE = 0.1  # soft-L1 threshold on log-ratio residuals
# Log-scale shifts of the levels to start from; the fit keeps the basin whose short run
# from its start ends lowest. From one start, the leave-one-study-out macro MAE moved
# between 0.241 and 0.274 with float rounding alone (BLAS against row sums) or seven more
# rows: the link/CPU minimum leaves several basins, and one start lands in any of them.
START_SHIFTS = (0.0, -1.0, 1.0)
SCOUT_EVALUATIONS = 40  # steps from each start before the best one is finished
# Offload loss of the stage kinds that may or may not keep a TCP stream coalesced: a
# logit per kind, weakly held near "keeps it" (0.02); documented ones stay fixed at 1.
OFFLOAD_KINDS = ("switch", "route", "filter", "nat", "encap")
OFFLOAD_PRIOR = 0.02
OFFLOAD_CENTRE = math.log(OFFLOAD_PRIOR / (1.0 - OFFLOAD_PRIOR))
OFFLOAD_SIGMA = 2.0
# An encapsulation sends each packet through the IP stack a second time for its outer
# headers (net/ipv4/ip_tunnel_core.c: iptunnel_xmit hands the outer packet to ip_local_out;
# on receive the outer UDP or IP header is processed before the tunnel's own receive, e.g.
# drivers/net/vxlan/vxlan_core.c: vxlan_rcv as a UDP encap_rcv). So its kind's per-packet
# level is held near one pass of the host stack (the kernel-stack term: transmit at one end,
# receive at the other), within a factor of about e^STACK_PASS_SIGMA either way.
STACK_PASS_KINDS = ("encap",)
STACK_PASS_SIGMA = 0.5


def _kind(term: str) -> str:
    """The level a term's costs are pulled toward: its stage kind (loopback with the virtual
    links); a socket call pair is
    taken to cost about what the host stack costs per packet unless the data say otherwise;
    the kernel-bypass frameworks share one level."""
    if term == "loopback":  # a virtual device handing packets back to the receive path,
        return STAGES["veth"].kind.value  # as a veth does (drivers/net/loopback.c, veth.c)
    if term in STAGES:
        return STAGES[term].kind.value
    if term in KIND_TERMS:  # a registered stage's stand-in: its kind's level exactly
        return term.removeprefix("kind:")
    return {SOCKET: KERNEL, **{name: "packet-io" for name in PACKET_IO}}.get(term, term)


DEVIATING = frozenset(STAGES) | {SOCKET, *PACKET_IO}


KINDS = tuple(dict.fromkeys(_kind(term) for term in TERMS))
KIND_OF = np.array([KINDS.index(_kind(term)) for term in TERMS])
STAGE_TERMS = np.array([term in DEVIATING for term in TERMS])
# Which offload logit each term uses (-1: fixed, at 1 if documented and 0 otherwise).
OFFLOAD_OF = np.array(
    [
        OFFLOAD_KINDS.index(_kind(term))
        if (term in STAGES or term in KIND_TERMS)
        and term not in DEFEATS_OFFLOAD
        and term != "loopback"  # one stack end to end keeps 64 KiB segments
        and _kind(term) in OFFLOAD_KINDS
        else -1
        for term in TERMS
    ]
)
OFFLOAD_TERMS = np.flatnonzero(OFFLOAD_OF >= 0)
OFFLOAD_MAP = np.eye(len(OFFLOAD_KINDS))[OFFLOAD_OF[OFFLOAD_TERMS]]  # d term logit / d kind's


def _free_mask() -> np.ndarray:
    """Which (term, parameter) costs exist: a socket call costs per message only; a
    kernel-bypass framework adds no delay of its own."""
    mask = np.ones((len(TERMS), len(PARAMETERS)), dtype=bool)
    mask[INDEX[SOCKET], 1:] = False
    for name in PACKET_IO:
        mask[INDEX[name], 2] = False
    return mask


FREE = _free_mask()


def load_priors() -> list[dict]:
    """Documented per-stage figures shipped in ``datasets/stage_priors.csv`` (if present)."""
    try:
        text = (
            resources.files("cnadvisor_datasets")
            .joinpath("stage_priors.csv")
            .read_text(encoding="utf-8")
        )
    except (FileNotFoundError, ModuleNotFoundError, OSError):
        return []
    return list(csv.DictReader(io.StringIO(text)))


Prior = tuple[tuple[tuple[int, float], ...], int, float]  # ((term, share), ...), parameter, log


def _term_index(name: str) -> int | None:
    name = name.strip()
    name = name if name in INDEX else name.replace("-", "_")  # af-xdp names af_xdp
    return INDEX.get(name)


def prior_targets(priors: list[dict]) -> list[Prior]:
    """((term index, share), ...), parameter index, log value) for each usable documented
    figure: per-core packet rates and per-packet costs. A figure covers its stage alone or
    the path its ``path`` column names (a forwarding rate through one host also pays that
    host's stack), so it pulls the sum of those terms' costs. Forwarding latencies measured
    across a loaded NIC (interrupt moderation, queueing) are not a stage's own delay and
    are not used."""
    targets: dict[tuple[tuple[tuple[int, float], ...], int], list[float]] = {}
    seen: set[tuple[str, str, str]] = set()
    for prior in priors:
        figure = (prior.get("value", ""), prior.get("source_id", ""), prior.get("locator", ""))
        if figure in seen:  # one measurement stored under two stages pulls only the first
            continue
        seen.add(figure)
        if "DUBIOUS" in prior.get("notes", ""):  # e.g. a rate whose core count is unstated
            continue
        try:
            value = float(prior.get("value", ""))
            parts = parse_path(prior.get(PATH_COLUMN) or "", prior.get("stage", ""))
        except ValueError:
            continue
        indices = [(_term_index(term), share) for term, share in parts]
        if any(index is None for index, _ in indices) or not (value > 0 and math.isfinite(value)):
            continue
        parameter, unit = prior.get("parameter", "").strip(), prior.get("unit", "").strip()
        if parameter == "mpps_per_core" and unit == "Mpps":
            cost = 1000.0 / value  # ns per packet on one core
        elif parameter == "ns_per_packet" and unit == "ns":
            cost = value
        else:
            continue
        key = (tuple(sorted(indices)), 0)
        targets.setdefault(key, []).append(math.log(cost))
    return [(path, p, float(np.median(v))) for (path, p), v in sorted(targets.items())]


def _path_log_cost(log_table: np.ndarray, path, parameter: int) -> tuple[float, np.ndarray]:
    """Log of a path's summed cost, and each part's share of that sum (its gradient)."""
    costs = np.array([share * math.exp(log_table[term, parameter]) for term, share in path])
    total = float(costs.sum())
    return math.log(total), costs / total


class Parameterisation:
    """Maps the free vector (kind levels, then stage deviations) to a cost table."""

    def __init__(self) -> None:
        self.levels = len(KINDS) * len(PARAMETERS)
        self.deviations = int(STAGE_TERMS.sum()) * len(PARAMETERS)
        start = self.levels + self.deviations
        self.offload = slice(start, start + len(OFFLOAD_KINDS))
        self.size = self.offload.stop

    def initial(self) -> np.ndarray:
        start = np.zeros(self.size)
        level = start[: self.levels].reshape(len(KINDS), len(PARAMETERS))
        level[:] = [math.log(LEVEL_CENTRE[p]) for p in PARAMETERS]
        start[self.offload] = OFFLOAD_CENTRE
        return start

    def log_table(self, theta: np.ndarray) -> np.ndarray:
        level = theta[: self.levels].reshape(len(KINDS), len(PARAMETERS))
        table = level[KIND_OF].copy()
        table[STAGE_TERMS] += theta[self.levels : self.offload.start].reshape(-1, len(PARAMETERS))
        return table

    def offload_loss(self, theta: np.ndarray) -> np.ndarray:
        loss = default_offload_loss()
        logit = theta[self.offload][OFFLOAD_OF[OFFLOAD_TERMS]]
        loss[OFFLOAD_TERMS] = 1.0 / (1.0 + np.exp(-logit))
        return loss

    def costs(self, theta: np.ndarray) -> StageCosts:
        table = np.where(FREE, np.exp(self.log_table(theta)), 0.0)
        return StageCosts(table, self.offload_loss(theta))

    def penalties(self, theta: np.ndarray, priors: list[Prior]) -> np.ndarray:
        level = theta[: self.levels].reshape(len(KINDS), len(PARAMETERS))
        centre = np.array([math.log(LEVEL_CENTRE[p]) for p in PARAMETERS])
        log_table = self.log_table(theta)
        return np.concatenate(
            [
                ((level - centre) / SIGMA_BY_PARAMETER).ravel(),
                theta[self.levels : self.offload.start] / STAGE_SIGMA,
                (theta[self.offload] - OFFLOAD_CENTRE) / OFFLOAD_SIGMA,
                [(_path_log_cost(log_table, path, p)[0] - value) / PRIOR_SIGMA
                 for path, p, value in priors],
                [(level[KINDS.index(kind), 0] - level[KINDS.index(KERNEL), 0])
                 / STACK_PASS_SIGMA for kind in STACK_PASS_KINDS],
            ]
        )  # fmt: skip

    @functools.cached_property
    def log_table_jacobian(self) -> np.ndarray:
        """d log_table[t, p] / d theta, shape (terms * parameters, size): constant, built
        once (the fit asks for it at every step)."""
        jac = np.zeros((len(TERMS), len(PARAMETERS), self.size))
        stage_rows = np.cumsum(STAGE_TERMS) - 1
        for t in range(len(TERMS)):
            for p in range(len(PARAMETERS)):
                jac[t, p, KIND_OF[t] * len(PARAMETERS) + p] = 1.0
                if STAGE_TERMS[t]:
                    jac[t, p, self.levels + stage_rows[t] * len(PARAMETERS) + p] = 1.0
        return jac.reshape(len(TERMS) * len(PARAMETERS), self.size)

    @functools.cached_property
    def fixed_penalty_jacobian(self) -> tuple[np.ndarray, np.ndarray]:
        """The penalty rows whose derivative does not depend on theta: the levels',
        deviations' and offload logits' pulls, and the stack-pass coupling (built once)."""
        eye = np.eye(self.size)
        head = np.vstack([
            eye[: self.levels] / np.tile(SIGMA_BY_PARAMETER, len(KINDS))[:, None],
            eye[self.levels : self.offload.start] / STAGE_SIGMA,
            eye[self.offload] / OFFLOAD_SIGMA,
        ])  # fmt: skip
        stack_pass = np.zeros((len(STACK_PASS_KINDS), self.size))
        for row, kind in enumerate(STACK_PASS_KINDS):
            stack_pass[row, KINDS.index(kind) * len(PARAMETERS)] = 1.0 / STACK_PASS_SIGMA
            stack_pass[row, KINDS.index(KERNEL) * len(PARAMETERS)] = -1.0 / STACK_PASS_SIGMA
        return head, stack_pass

    def penalty_jacobian(self, theta: np.ndarray, priors: list[Prior]) -> np.ndarray:
        log_jac = self.log_table_jacobian.reshape(len(TERMS), len(PARAMETERS), self.size)
        head, stack_pass = self.fixed_penalty_jacobian
        log_table = self.log_table(theta)
        rows = []
        for path, p, _ in priors:  # a path's pull moves with the shares of its terms
            _, weights = _path_log_cost(log_table, path, p)
            row = sum(w * log_jac[term, p] for (term, _), w in zip(path, weights, strict=True))
            rows.append(np.asarray(row)[None, :] / PRIOR_SIGMA)
        return np.vstack([head, *rows, stack_pass])


PARAMS = Parameterisation()


STUDY_SIGMA = 0.5  # labs' CPUs differ: a per-study speed factor, log-normal around 1


def predicted_log_ratio(
    design: np.ndarray, costs: StageCosts, scale: np.ndarray | float = 1.0
) -> np.ndarray:
    """Log of numerator over denominator for each observation in a design matrix; ``scale``
    is each row's lab CPU-speed factor (1 for a prediction)."""
    numerator, denominator = design[:, :WIDTH], design[:, WIDTH : 2 * WIDTH]
    metric = design[:, 2 * WIDTH].astype(int)
    baseline_us = design[:, 2 * WIDTH + 1]
    scale = np.broadcast_to(np.asarray(scale, dtype=float), (len(design),))
    out = np.log(throughput_gbps(numerator, costs, scale)) - np.log(
        throughput_gbps(denominator, costs, scale)
    )
    rate = metric == PACKET_RATE
    if rate.any():
        out[rate] = np.log(packet_rate_mpps(numerator[rate], costs, scale[rate])) - np.log(
            packet_rate_mpps(denominator[rate], costs, scale[rate])
        )
    absolute = metric == ABSOLUTE
    if absolute.any():
        out[absolute] = np.log(throughput_gbps(numerator[absolute], costs, scale[absolute]))
    latency = metric == LATENCY
    if latency.any():
        added = added_latency_us(numerator[latency], denominator[latency], costs, scale[latency])
        base = baseline_us[latency]
        out[latency] = np.log((base + added) / base)
    return out


def _group_centred(values: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Subtract each free group's mean (rows or Jacobian rows); anchored rows unchanged."""
    free = groups >= 0
    if not free.any():
        return values
    out = values.copy()
    count = np.bincount(groups[free]).astype(float)
    if values.ndim == 1:
        means = np.bincount(groups[free], weights=values[free]) / np.maximum(count, 1)
    else:
        sums = np.zeros((len(count), values.shape[1]))
        np.add.at(sums, groups[free], values[free])
        means = sums / np.maximum(count, 1)[:, None]
    out[free] -= means[groups[free]]
    return out


def _residuals(design, y, groups, weights, costs, scale=1.0) -> np.ndarray:
    residual = predicted_log_ratio(design, costs, scale) - y
    return _group_centred(residual, groups) * weights


def _time_per_offload_logit(x: np.ndarray, costs: StageCosts, *, alone: bool = False):
    """d (message CPU time, ns) / d offload logit of each kind, shape (rows, kinds): the
    logits move the path's offload loss, which moves the packets the CPU sees."""
    counts = x[:, : len(TERMS)]
    loss = costs.offload_loss
    total = counts @ (loss >= 1.0).astype(float) > 0
    kept = np.exp(counts @ np.log1p(-np.minimum(loss, 1.0 - 1e-12)))
    # d log(1 - sigmoid(z)) / dz = -sigmoid(z), per fitted term, then summed per kind
    d_loss = (kept[:, None] * counts[:, OFFLOAD_TERMS] * loss[OFFLOAD_TERMS]) @ OFFLOAD_MAP
    d_loss[total] = 0.0
    segments, coalesced = stream_packets(x, alone=alone)
    d_packets = np.where(x[:, WORKLOAD["udp"]] > 0, 0.0, segments - coalesced)
    per_packet = (
        counts @ costs.per_packet - counts[:, INDEX[SOCKET]] * costs.per_packet[INDEX[SOCKET]]
    )
    return d_loss * (d_packets * per_packet)[:, None]


def _prediction_jacobian(
    design: np.ndarray, costs: StageCosts, scale: np.ndarray | float = 1.0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """d predicted log ratio / d cost[t, p], shape (rows, terms * parameters); d predicted
    log ratio / d log(scale) per row; and d predicted log ratio / d offload logit."""
    numerator, denominator = design[:, :WIDTH], design[:, WIDTH : 2 * WIDTH]
    metric = design[:, 2 * WIDTH].astype(int)
    rows, terms = len(design), len(TERMS)
    scale = np.broadcast_to(np.asarray(scale, dtype=float), (rows,))
    jac = np.zeros((rows, terms, len(PARAMETERS)))
    d_scale = np.zeros(rows)
    d_offload = np.zeros((rows, OFFLOAD_MAP.shape[1]))
    for sign, x in ((1.0, numerator), (-1.0, denominator)):
        packet, byte = cost_matrices(x, costs)
        time = np.maximum(packet @ costs.per_packet + byte @ costs.per_byte, 1e-6)
        bound = cpu_bound(x, costs, scale) & (metric != LATENCY)
        if sign < 0:
            bound &= metric != ABSOLUTE
        factor = np.where(bound, -sign / time, 0.0)[:, None]
        jac[:, :, 0] += packet * factor
        jac[:, :, 1] += byte * factor
        d_offload += _time_per_offload_logit(x, costs) * factor
        d_scale += np.where(bound, -sign, 0.0)
    latency = metric == LATENCY
    if latency.any():
        num, den = numerator[latency], denominator[latency]
        base = design[latency, 2 * WIDTH + 1]
        row_scale = scale[latency]
        added = one_way_latency_us(num, costs, row_scale) - one_way_latency_us(
            den, costs, row_scale
        )
        factor = np.where(added > 0, 1.0 / (base + np.maximum(added, 0.0)), 0.0)
        part = np.zeros((int(latency.sum()), terms, len(PARAMETERS)))
        offload_part = np.zeros((int(latency.sum()), OFFLOAD_MAP.shape[1]))
        processing = np.zeros(int(latency.sum()))
        for sign, x in ((1.0, num), (-1.0, den)):
            packet, byte = cost_matrices(x, costs, alone=True)
            part[:, :, 0] += sign * packet * row_scale[:, None] / 1000.0
            part[:, :, 1] += sign * byte * row_scale[:, None] / 1000.0
            part[:, :, 2] += sign * x[:, :terms]
            offload_part += (sign * row_scale / 1000.0)[:, None] * _time_per_offload_logit(
                x, costs, alone=True
            )
            processing += sign * (packet @ costs.per_packet + byte @ costs.per_byte) / 1000.0
        jac[latency] = part * factor[:, None, None]
        d_offload[latency] = offload_part * factor[:, None]
        d_scale[latency] = processing * row_scale * factor
    return jac.reshape(rows, terms * len(PARAMETERS)), d_scale, d_offload


class StageCostRegressor(RegressorMixin, BaseEstimator):
    """Fits per-stage costs (ns per packet, ns per byte, µs of delay) to observed ratios.

    ``X`` is :meth:`Observations.design`; ``y`` the measured log ratio; ``predict``
    returns the modelled log ratio (free offsets are a property of the training
    tests and are not part of a prediction).
    """

    def __init__(self, priors: tuple = (), start: tuple | None = None, max_nfev: int = 200):
        self.priors = priors
        self.start = start  # a previous fit's parameters: cross-validation folds warm-start
        self.max_nfev = max_nfev

    def fit(self, X: np.ndarray, y: np.ndarray, sample_weight: np.ndarray | None = None):
        X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
        groups = X[:, 2 * WIDTH + 2].astype(int)
        studies = X[:, 2 * WIDTH + 3].astype(int)
        n_studies = int(studies.max()) + 1 if len(studies) else 0
        weights = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, float)
        priors = list(self.priors)
        log_jac = PARAMS.log_table_jacobian
        study_jac = np.hstack([np.zeros((n_studies, PARAMS.size)), np.eye(n_studies) / STUDY_SIGMA])

        def penalty_jac(theta: np.ndarray) -> np.ndarray:
            costs_part = PARAMS.penalty_jacobian(theta[: PARAMS.size], priors)
            return np.vstack([np.hstack([costs_part, np.zeros((len(costs_part), n_studies))]),
                              study_jac])  # fmt: skip

        def split(theta: np.ndarray) -> tuple[StageCosts, np.ndarray, np.ndarray]:
            speed = theta[PARAMS.size :]
            return PARAMS.costs(theta[: PARAMS.size]), speed, np.exp(speed)[studies]

        def objective(theta: np.ndarray) -> np.ndarray:
            costs, speed, scale = split(theta)
            return np.concatenate(
                [
                    _residuals(X, y, groups, weights, costs, scale),
                    PARAMS.penalties(theta[: PARAMS.size], priors),
                    speed / STUDY_SIGMA,
                ]
            )

        def jacobian(theta: np.ndarray) -> np.ndarray:
            costs, _, scale = split(theta)
            d_cost, d_scale, d_offload = _prediction_jacobian(X, costs, scale)
            d_theta = (d_cost * costs.table.ravel()[None, :]) @ log_jac
            d_theta[:, PARAMS.offload] = d_offload
            d_speed = np.zeros((len(y), n_studies))
            d_speed[np.arange(len(y)), studies] = d_scale
            data = _group_centred(np.hstack([d_theta, d_speed]), groups) * weights[:, None]
            return np.vstack([data, penalty_jac(theta)])

        if self.start is not None:
            starts = [np.asarray(self.start, dtype=float)[: PARAMS.size]]
        else:  # the link/CPU minimum makes the problem non-convex: start at several scales
            starts = []
            for shift in START_SHIFTS:
                start = PARAMS.initial()
                start[: PARAMS.levels] += shift
                starts.append(start)

        def solve(x0: np.ndarray, budget: int):
            return least_squares(objective, x0, jac=jacobian, loss="soft_l1",
                                 f_scale=LOSS_SCALE, max_nfev=budget, tr_solver="lsmr")  # fmt: skip

        tried = [np.concatenate([start, np.zeros(n_studies)]) for start in starts]
        if len(tried) > 1:  # pick the basin on a short run from each start, then finish it
            budget = min(SCOUT_EVALUATIONS, self.max_nfev)

            def scout(index: int) -> tuple[float, np.ndarray]:
                outcome = solve(tried[index], budget)
                return outcome.cost, outcome.x

            scouts = list(ordered_map(scout, len(tried)))
            tried = [min(scouts, key=lambda outcome: outcome[0])[1]]
        result = solve(tried[0], self.max_nfev)
        self.theta_ = result.x[: PARAMS.size]
        self.study_speed_ = np.exp(result.x[PARAMS.size :])
        self.costs_ = PARAMS.costs(self.theta_)
        self.n_features_in_ = X.shape[1]
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:
        return predicted_log_ratio(np.asarray(X, dtype=float), self.costs_)


def study_weights(observations: Observations) -> np.ndarray:
    """Each study counts about equally: rows weighted by 1/sqrt(rows of their study)."""
    return weights_by_study(observations.study)


def weights_by_study(studies: np.ndarray) -> np.ndarray:
    """1/sqrt(rows of its study) for each row, scaled to mean 1 (the fit's weights, and
    the interval quantile's)."""
    _, inverse, counts = np.unique(studies.astype(str), return_inverse=True, return_counts=True)
    weights = 1.0 / np.sqrt(counts[inverse])
    return weights / weights.mean() if len(weights) else weights


def fit(
    observations: Observations,
    priors: tuple | None = None,
    start: np.ndarray | None = None,
    max_nfev: int = 200,
) -> StageCostRegressor:
    """Fit on every observation except host networking measured against itself."""
    keep = ~observations.host_itself
    data = observations.subset(keep)
    if priors is None:
        priors = tuple(prior_targets(load_priors()))
    start = None if start is None else tuple(start)
    estimator = StageCostRegressor(priors=priors, start=start, max_nfev=max_nfev)
    return estimator.fit(data.design(), data.log_ratio, sample_weight=study_weights(data))


# Log-scale freedom of a measured stage's cost from the published fit: loose, because this
# host measured it. At 3 the published switch level (17 ns a pass) held against a bench that
# found a bridge pass near 300 ns: leave-one-topology-out MAE 0.099 -> 0.099; at 10, 0.090.
CALIBRATION_SIGMA = 10.0


def calibration_rows(local: Observations) -> Observations:
    """The local rows calibration fits: ratios of throughput and packet rate to a baseline
    (not host networking against itself, not latency; see :func:`calibrate`)."""
    rates = np.isin(local.metric, (THROUGHPUT, PACKET_RATE))
    return local.subset(~local.host_itself & rates)


def calibrate(
    published: StageCosts, local: Observations, measured_terms: set[str]
) -> tuple[StageCosts, float]:
    """Rescale to this host: one CPU-speed factor for every cost, and the costs of the stages
    the local rows measured. Nothing else moves, so an option that shares no measured
    stage changes only through the CPU factor.

    Only ratio rows of throughput and packet rate are used, and only CPU costs move. On a
    shared host, absolute rates and ping-pong times measure the neighbours too: fitted to
    them, the CPU factor came out at x13 on this project's loaded 2-core machine and
    inflated every stage's processing time (leave-one-topology-out latency error 0.16 ->
    0.42). Ratios of CPU-bound paths do not depend on the CPU factor, so it stays near 1
    unless imported rows pin it."""
    data = calibration_rows(local)
    if not len(data):
        return published, 1.0
    design, y = data.design(), data.log_ratio
    groups = design[:, 2 * WIDTH + 2].astype(int)
    terms = sorted(INDEX[t] for t in measured_terms if t in INDEX and t not in EXTRA_TERMS)
    log_base = np.log(np.where(FREE, published.table, 1.0))

    def table_for(theta: np.ndarray) -> StageCosts:
        log_table = log_base.copy()
        log_table[:, :2] += theta[0]  # CPU speed: per-packet and per-byte costs
        # its per-packet and per-byte costs, each on its own (a stage that costs more per
        # packet here need not copy more per byte), not its delay
        log_table[terms, :2] += theta[1:].reshape(len(terms), 2)
        return StageCosts(np.where(FREE, np.exp(log_table), 0.0), published.offload_loss)

    def objective(theta: np.ndarray) -> np.ndarray:
        residual = _residuals(design, y, groups, np.ones(len(y)), table_for(theta))
        return np.concatenate([residual, theta / CALIBRATION_SIGMA])

    result = least_squares(objective, np.zeros(1 + 2 * len(terms)), loss="soft_l1", f_scale=0.1)
    return table_for(result.x), float(math.exp(result.x[0]))


KERNEL_INDEX = INDEX[KERNEL]
VM_INDEX = INDEX[VM_LAYER]
