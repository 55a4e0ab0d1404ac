"""Survival statistics as R's ``survival`` package computes them, on plain arrays.

- :func:`kaplan_meier`: ``survfit(Surv(time, event) ~ 1)``: the product-limit estimate at
  every distinct observation time, Greenwood's standard error and the default ``"log"``
  confidence interval, exp(log S +- z se) with the upper end capped at 1.
- :func:`survival_quantile`: ``quantile.survfit`` (the median and its interval), including
  its rule for a curve that is exactly at the probability over an interval (the midpoint).
- :func:`log_rank`: ``survdiff(Surv(time, event) ~ group)`` (rho = 0).
- :func:`cox_fit`: ``coxph(Surv(time, event) ~ x, ties = "efron")``: Newton-Raphson from
  zero with R's convergence rule (relative change of the log partial likelihood at most
  1e-9, at most 20 iterations, step halving when the likelihood falls), the variance the
  inverse information at the estimate, and Wald, likelihood-ratio and score tests.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

# The normal quantile of 0.975, R's qnorm(0.975): written out so that importing this module
# (every web process does, to list the kinds) does not load scipy.
Z_95 = 1.959963984540054
QUANTILE_TOLERANCE = float(np.sqrt(np.finfo(float).eps))
COX_EPSILON = 1e-9
COX_MAX_ITERATIONS = 20
INFINITE_TOLERANCE = float(np.sqrt(COX_EPSILON))


@dataclass(frozen=True)
class Curve:
    """A Kaplan-Meier curve at each distinct observation time (events or censoring).

    ``lower`` and ``upper`` are NaN where the survival is 0, as in R."""

    time: FloatArray
    at_risk: IntArray
    events: IntArray
    censored: IntArray
    survival: FloatArray
    lower: FloatArray
    upper: FloatArray


@dataclass(frozen=True)
class Quantile:
    """A survival time quantile (the median for p = 0.5) with its 95% interval; None
    where the curve (or its interval's curve) never gets that low."""

    estimate: float | None
    lower: float | None
    upper: float | None


@dataclass(frozen=True)
class ChiSquareTest:
    """A chi-square statistic, its degrees of freedom and p-value."""

    chi_square: float
    df: int
    p_value: float


@dataclass(frozen=True)
class LogRank:
    """The log-rank test with the observed and expected events of each group."""

    test: ChiSquareTest
    observed: FloatArray
    expected: FloatArray


@dataclass(frozen=True)
class CoxFit:
    """A Cox proportional hazards fit: coefficients, their variance and the overall tests.

    ``diverging`` marks coefficients whose estimate runs off to infinity (R warns "the
    coefficient may be infinite")."""

    coefficients: FloatArray
    variance: FloatArray
    log_likelihood_null: float
    log_likelihood: float
    iterations: int
    converged: bool
    diverging: BoolArray
    score: ChiSquareTest
    wald: ChiSquareTest
    likelihood_ratio: ChiSquareTest

    @property
    def standard_errors(self) -> FloatArray:
        """The standard error of each coefficient."""
        return np.sqrt(np.diag(self.variance))

    @property
    def p_values(self) -> FloatArray:
        """Wald test p-values per coefficient (z = coefficient / standard error)."""
        from scipy.stats import norm

        z = self.coefficients / self.standard_errors
        return np.asarray(2 * norm.sf(np.abs(z)), dtype=float)


def kaplan_meier(time: FloatArray, event: BoolArray) -> Curve:
    """The Kaplan-Meier estimate of one group (``survfit``'s defaults)."""
    times, position = np.unique(time, return_inverse=True)
    totals = np.bincount(position, minlength=len(times))
    events = np.bincount(position[event], minlength=len(times)).astype(float)
    at_risk = totals[::-1].cumsum()[::-1]
    survival = np.cumprod(1.0 - events / at_risk)
    lower, upper = log_interval(survival, greenwood_error(at_risk, events))
    return Curve(
        time=times.astype(float),
        at_risk=at_risk.astype(np.int64),
        events=events.astype(np.int64),
        censored=(totals - events).astype(np.int64),
        survival=survival,
        lower=lower,
        upper=upper,
    )


def greenwood_error(at_risk: IntArray, events: FloatArray) -> FloatArray:
    """Greenwood's standard error of log survival (infinite once survival is 0)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(events > 0, events / (at_risk * (at_risk - events)), 0.0)
    return np.asarray(np.sqrt(np.cumsum(terms)), dtype=float)


def log_interval(survival: FloatArray, error: FloatArray) -> tuple[FloatArray, FloatArray]:
    """R's ``conf.type = "log"`` interval; NaN where survival is 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        log_survival = np.where(survival > 0, np.log(np.where(survival > 0, survival, 1)), np.nan)
        lower = np.exp(log_survival - Z_95 * error)
        upper = np.minimum(np.exp(log_survival + Z_95 * error), 1.0)
    return lower, upper


def survival_quantile(curve: Curve, probability: float = 0.5) -> Quantile:
    """The time by which ``probability`` of the group has had the event, and its interval
    (from the interval's curves), as ``quantile.survfit`` finds them."""
    last = float(curve.time[-1])
    return Quantile(
        estimate=find_quantile(curve.time, curve.survival, probability, last),
        lower=find_quantile(curve.time, curve.lower, probability, last),
        upper=find_quantile(curve.time, curve.upper, probability, last),
    )


def find_quantile(
    time: FloatArray, survival: FloatArray, probability: float, last_time: float
) -> float | None:
    """R's ``findq``: the first time the cumulative event fraction reaches ``probability``,
    the midpoint of a flat stretch exactly at it; None when it is never reached."""
    x = np.concatenate([[0.0], time])
    y = np.concatenate([[0.0], 1.0 - survival])
    if np.all(np.isnan(y)) or np.nanmax(y) < probability:
        return None
    first = ~duplicated(y)
    x, y = x[first], y[first]
    known = ~np.isnan(y)
    x, y = x[known], y[known]
    reached = np.flatnonzero(y + QUANTILE_TOLERANCE >= probability)
    passed = np.flatnonzero(y - QUANTILE_TOLERANCE >= probability)
    if abs(probability - y[-1]) < QUANTILE_TOLERANCE:
        return float((x[reached[0]] + last_time) / 2)
    if not len(reached) or not len(passed):
        return None
    return float((x[reached[0]] + x[passed[0]]) / 2)


def duplicated(values: FloatArray) -> BoolArray:
    """R's ``duplicated``: True for a value seen earlier (NaN equals NaN)."""
    seen: set[float | str] = set()
    flags = np.zeros(len(values), dtype=bool)
    for index, value in enumerate(values):
        key: float | str = "nan" if np.isnan(value) else float(value)
        flags[index] = key in seen
        seen.add(key)
    return flags


def log_rank(time: FloatArray, event: BoolArray, group: IntArray, groups: int) -> LogRank:
    """``survdiff``: observed and expected events per group (numbered 0..groups-1) and the
    chi-square test over the groups with expected events, df one fewer than them."""
    event_times = np.unique(time[event])
    sorted_time = np.sort(time)
    at_risk = np.stack([at_risk_by_time(time[group == g], event_times) for g in range(groups)])
    events = np.stack(
        [events_by_time(time[event & (group == g)], event_times) for g in range(groups)]
    )
    total_at_risk = len(sorted_time) - np.searchsorted(sorted_time, event_times, side="left")
    total_events = events.sum(axis=0)
    share = at_risk / total_at_risk
    expected = (share * total_events).sum(axis=1)
    variance = log_rank_variance(share, total_events, total_at_risk)
    observed = events.sum(axis=1).astype(float)
    return LogRank(log_rank_test(observed, expected, variance), observed, expected)


def at_risk_by_time(time: FloatArray, event_times: FloatArray) -> FloatArray:
    """How many of ``time`` are still under observation at each of ``event_times``."""
    ordered = np.sort(time)
    return (len(ordered) - np.searchsorted(ordered, event_times, side="left")).astype(float)


def events_by_time(time: FloatArray, event_times: FloatArray) -> FloatArray:
    """How many events fall on each of ``event_times``."""
    position = np.searchsorted(event_times, time)
    return np.bincount(position, minlength=len(event_times)).astype(float)


def log_rank_variance(share: FloatArray, events: FloatArray, at_risk: IntArray) -> FloatArray:
    """The hypergeometric variance-covariance matrix of observed minus expected events."""
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(at_risk > 1, events * (at_risk - events) / (at_risk - 1), 0.0)
    weighted = share * factor
    return np.asarray(np.diag(weighted.sum(axis=1)) - weighted @ share.T, dtype=float)


def log_rank_test(
    observed: FloatArray, expected: FloatArray, variance: FloatArray
) -> ChiSquareTest:
    """R's chi-square: groups with expected events, leaving out the first of them."""
    used = np.flatnonzero(expected > 0)
    if len(used) < 2:
        return ChiSquareTest(0.0, 0, 1.0)
    difference = (observed - expected)[used][1:]
    kept = variance[np.ix_(used, used)][1:, 1:]
    df = int(np.linalg.matrix_rank(kept))
    if df == len(used) - 1:
        statistic = float(difference @ np.linalg.solve(kept, difference))
    else:
        # A group whose follow-up never overlaps the others' adds no variance (R's solve()
        # stops there); a generalised inverse tests what can be tested, on fewer df.
        statistic = float(difference @ np.linalg.pinv(kept) @ difference)
    return chi_square_test(statistic, df) if df else ChiSquareTest(statistic, 0, 1.0)


@dataclass(frozen=True)
class RiskSets:
    """The data sorted by time, with what the Efron partial likelihood needs to sum over
    risk sets and tied events quickly."""

    x: FloatArray  # samples x terms, centred, sorted by time
    risk_start: IntArray  # per event: index of the first sample still at risk
    event_rows: IntArray  # per event: its row in x
    tie_starts: IntArray  # per tied-event group: its first position in event_rows
    tie_of_event: IntArray  # per event: its tied-event group
    tie_fraction: FloatArray  # per event: k / d (k its rank among the d tied events)


def risk_sets(x: FloatArray, time: FloatArray, event: BoolArray) -> RiskSets:
    """Sort once; every likelihood evaluation then works on cumulative sums."""
    order = np.argsort(time, kind="stable")
    sorted_time, sorted_event = time[order], event[order]
    centred = x[order] - x.mean(axis=0)
    event_rows = np.flatnonzero(sorted_event)
    event_times = sorted_time[event_rows]
    tie_starts = np.flatnonzero(np.r_[True, event_times[1:] != event_times[:-1]])
    tie_of_event = np.cumsum(np.r_[True, event_times[1:] != event_times[:-1]]) - 1
    sizes = np.diff(np.r_[tie_starts, len(event_rows)])
    rank = np.arange(len(event_rows)) - tie_starts[tie_of_event]
    return RiskSets(
        x=centred,
        risk_start=np.searchsorted(sorted_time, event_times, side="left"),
        event_rows=event_rows,
        tie_starts=tie_starts,
        tie_of_event=tie_of_event,
        tie_fraction=rank / sizes[tie_of_event],
    )


class SingularFit(ValueError):
    """The Cox model's information matrix cannot be inverted: its terms are collinear, or
    the estimates run off to where the likelihood is flat."""


def solve(matrix: FloatArray, vector: FloatArray) -> FloatArray:
    """The x with ``matrix @ x == vector``, or :class:`SingularFit`."""
    try:
        solution = np.linalg.solve(matrix, vector)
    except np.linalg.LinAlgError as error:
        raise SingularFit("the information matrix is singular") from error
    if not np.isfinite(solution).all():
        raise SingularFit("the information matrix is not finite")
    return np.asarray(solution, dtype=float)


def efron(beta: FloatArray, data: RiskSets) -> tuple[float, FloatArray, FloatArray]:
    """The Efron log partial likelihood, its gradient and the information matrix (not
    finite where exp overflows, which Newton-Raphson treats as a step too far)."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        return efron_terms(beta, data)


def efron_terms(beta: FloatArray, data: RiskSets) -> tuple[float, FloatArray, FloatArray]:
    """The sums of :func:`efron` over risk sets and tied events."""
    eta = data.x @ beta
    risk = np.exp(eta)
    weighted_x = risk[:, None] * data.x
    weighted_xx = weighted_x[:, :, None] * data.x[:, None, :]
    s0, s1, s2 = (reverse_cumsum(a)[data.risk_start] for a in (risk, weighted_x, weighted_xx))
    rows = data.event_rows
    d0, d1, d2 = (
        np.add.reduceat(a[rows], data.tie_starts, axis=0)[data.tie_of_event]
        for a in (risk, weighted_x, weighted_xx)
    )
    f = data.tie_fraction
    denominator = s0 - f * d0
    mean = (s1 - f[:, None] * d1) / denominator[:, None]
    second = (s2 - f[:, None, None] * d2) / denominator[:, None, None]
    log_likelihood = float(eta[rows].sum() - np.log(denominator).sum())
    gradient = data.x[rows].sum(axis=0) - mean.sum(axis=0)
    information = (second - mean[:, :, None] * mean[:, None, :]).sum(axis=0)
    return log_likelihood, gradient, information


def reverse_cumsum(values: FloatArray) -> FloatArray:
    """Sums from each row to the last (the risk set of a sorted row)."""
    return np.asarray(values[::-1].cumsum(axis=0)[::-1], dtype=float)


@dataclass
class NewtonState:
    """Where Newton-Raphson stands: the accepted estimate, the one being tried, and the
    likelihood of the accepted one."""

    beta: FloatArray
    trial: FloatArray
    log_likelihood: float
    halving: bool = False


def cox_fit(x: FloatArray, time: FloatArray, event: BoolArray) -> CoxFit:
    """Fit ``coxph`` with Efron's ties (x: samples x terms, already dummy-coded);
    :class:`SingularFit` when the information matrix cannot be inverted."""
    data = risk_sets(np.asarray(x, dtype=float), time, event)
    start = np.zeros(data.x.shape[1])
    null_likelihood, gradient, information = efron(start, data)
    step = solve(information, gradient)
    score = chi_square_test(float(gradient @ step), len(start))
    state = NewtonState(beta=start, trial=start + step, log_likelihood=null_likelihood)
    beta, likelihood, gradient, information, iterations, converged = newton(state, data)
    variance = solve(information, np.eye(len(beta)))
    diverging = np.abs(gradient @ variance) > np.maximum(
        COX_EPSILON, INFINITE_TOLERANCE * np.abs(beta)
    )
    return CoxFit(
        coefficients=beta,
        variance=variance,
        log_likelihood_null=null_likelihood,
        log_likelihood=likelihood,
        iterations=iterations,
        converged=converged,
        diverging=diverging,
        score=score,
        wald=chi_square_test(float(beta @ information @ beta), len(beta)),
        likelihood_ratio=chi_square_test(2 * (likelihood - null_likelihood), len(beta)),
    )


def newton(
    state: NewtonState, data: RiskSets
) -> tuple[FloatArray, float, FloatArray, FloatArray, int, bool]:
    """R's coxfit6 iterations: the estimate, its likelihood, gradient and information, the
    iterations taken and whether the likelihood converged."""
    for iteration in range(1, COX_MAX_ITERATIONS + 1):
        likelihood, gradient, information = efron(state.trial, data)
        if abs(1 - state.log_likelihood / likelihood) <= COX_EPSILON and not state.halving:
            return state.trial, likelihood, gradient, information, iteration, True
        if iteration == COX_MAX_ITERATIONS:
            break
        if not np.isfinite(likelihood) or likelihood < state.log_likelihood:
            state.halving = True
            state.trial = (state.trial + state.beta) / 2
        else:
            state.halving = False
            state.log_likelihood = likelihood
            state.beta = state.trial
            state.trial = state.trial + solve(information, gradient)
    return state.trial, likelihood, gradient, information, COX_MAX_ITERATIONS, False


def chi_square_test(statistic: float, df: int) -> ChiSquareTest:
    """A chi-square statistic with its upper-tail p-value."""
    from scipy.stats import chi2

    return ChiSquareTest(statistic, df, float(chi2.sf(statistic, df)))
