"""Kaplan-Meier, log-rank and Cox (Efron) figures against R's survival package on a small
cohort with tied events and censoring at event times (R's values, printed to 15 digits)."""

from __future__ import annotations

import numpy as np
import pytest

from pluto.server.analyses.compute import survival_statistics as stats

TIME = np.array([1, 2, 2, 3, 3, 3, 5, 6, 6, 8, 4, 4, 7], dtype=float)
EVENT = np.array([1, 1, 0, 1, 1, 0, 0, 1, 1, 1, 1, 1, 0], dtype=bool)
GROUP = np.array([0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0])
X = np.array([0.5, 1.2, -0.3, 2.0, 0.1, 0.0, 1.1, -1.0, 0.7, 0.3, 1.5, -0.2, 0.9])


def test_kaplan_meier_matches_survfit_with_log_intervals() -> None:
    curve = stats.kaplan_meier(TIME[GROUP == 0], EVENT[GROUP == 0])
    assert curve.time.tolist() == [1, 2, 3, 4, 5, 6, 7]
    assert curve.at_risk.tolist() == [7, 6, 5, 4, 3, 2, 1]
    assert curve.events.tolist() == [1, 0, 1, 1, 0, 1, 0]
    assert curve.censored.tolist() == [0, 1, 0, 0, 1, 0, 1]
    r_survival = [0.857142857142857, 0.857142857142857, 0.685714285714286, 0.514285714285714]
    r_lower = [0.6334465290121496, 0.6334465290121496, 0.4026146218090461, 0.2364708121686281]
    np.testing.assert_allclose(curve.survival[:4], r_survival, rtol=1e-12)
    np.testing.assert_allclose(curve.lower[:4], r_lower, rtol=1e-12)
    np.testing.assert_allclose(curve.lower[5], 0.0524992961639314, rtol=1e-12)
    assert (curve.upper == 1.0).all()


def test_a_curve_reaching_zero_has_no_interval_there() -> None:
    curve = stats.kaplan_meier(TIME[GROUP == 1], EVENT[GROUP == 1])
    np.testing.assert_allclose(
        curve.lower[:4],
        [0.58265479547714, 0.3786064608870951, 0.1668079366280785, 0.040702897480905],
    )
    assert curve.survival[-1] == 0.0
    assert np.isnan(curve.lower[-1]) and np.isnan(curve.upper[-1])


def test_log_rank_matches_survdiff() -> None:
    result = stats.log_rank(TIME, EVENT, GROUP, 2)
    np.testing.assert_allclose(result.test.chi_square, 0.0195174892714545, rtol=1e-12)
    np.testing.assert_allclose(result.expected, [4.18131868131868, 4.81868131868132])
    assert result.observed.tolist() == [4, 5]
    assert result.test.df == 1


def test_cox_with_efron_ties_matches_coxph() -> None:
    fit = stats.cox_fit(np.column_stack([GROUP, X]).astype(float), TIME, EVENT)
    np.testing.assert_allclose(fit.coefficients, [0.389710559133153, 0.383703872914560])
    np.testing.assert_allclose(fit.standard_errors, [0.789375478087628, 0.511199036618111])
    np.testing.assert_allclose(
        [fit.log_likelihood_null, fit.log_likelihood], [-15.7722419456512, -15.4885510848056]
    )
    np.testing.assert_allclose(fit.score.chi_square, 0.605277028989159, rtol=1e-10)
    np.testing.assert_allclose(fit.wald.chi_square, 0.599474913236972, rtol=1e-10)
    assert fit.converged and not fit.diverging.any()


def test_efron_differs_from_breslow_where_events_tie() -> None:
    fit = stats.cox_fit(np.column_stack([GROUP, X]).astype(float), TIME, EVENT)
    breslow_coefficients = [0.367891718986513, 0.366670545336411]  # R, ties = "breslow"
    assert not np.allclose(fit.coefficients, breslow_coefficients, rtol=1e-3)


def test_a_coefficient_running_to_infinity_is_flagged() -> None:
    time = np.arange(1.0, 11.0)
    fit = stats.cox_fit((-time)[:, None], time, np.ones(10, dtype=bool))
    assert fit.diverging.all() or not fit.converged


@pytest.mark.parametrize(
    ("time", "event", "median"),
    [
        ([1, 2, 3, 4, 5, 7, 8, 9], [1] * 8, 4.5),  # exactly 0.5 from 4 to 5: the midpoint
        ([1, 2, 3, 4, 5, 6, 7], [1] * 7, 4.0),
        ([1, 2, 3, 4], [1, 0, 0, 0], None),  # never reaches 0.5
        ([1, 2, 3, 4], [0, 0, 1, 1], 3.5),  # 0.5 after the last-but-one: midpoint to the end
    ],
)
def test_median_follows_quantile_survfit(
    time: list[float], event: list[int], median: float | None
) -> None:
    curve = stats.kaplan_meier(np.asarray(time, dtype=float), np.asarray(event, dtype=bool))
    assert stats.survival_quantile(curve).estimate == median


def test_the_interval_uses_the_normal_quantile_of_0_975() -> None:
    from scipy.stats import norm

    assert float(norm.ppf(0.975)) == stats.Z_95
