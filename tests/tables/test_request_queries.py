"""The database queries a hot read request costs stay few, so that a change adding one per
request (a permission look-up, a middleware, a rate limit) fails here instead of slowing
every page in production."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.test import override_settings

from pluto.server.config import Rate
from pluto.server.lab.models import Experiment
from pluto.server.ratelimits.counting import count_request, forget_closed_windows
from pluto.server.ratelimits.models import RateCount
from tests.conftest import Caller
from tests.tables.conftest import ASSAY_CSV, SAMPLE_CSV, put_table

MaxQueries = Callable[[int], AbstractContextManager[Any]]


@pytest.fixture
def with_tables(ada: Caller, experiment: Experiment) -> Experiment:
    assert put_table(ada, experiment, "sample", SAMPLE_CSV).status == 200
    assert put_table(ada, experiment, "assay", ASSAY_CSV).status == 200
    return experiment


def warm_then_count(caller: Caller, path: str, limit: int, at_most: MaxQueries) -> None:
    """Ask once (the token's last use is written at most once a minute), then ask again
    within ``limit`` queries."""
    assert caller.call("GET", path).status_code == 200
    with at_most(limit):
        assert caller.call("GET", path).status_code == 200


def test_who_am_i_costs_the_token_and_the_rate_count(
    ada: Caller, django_assert_max_num_queries: MaxQueries
) -> None:
    warm_then_count(ada, "/lab/me/", 2, django_assert_max_num_queries)


def test_the_experiment_list_costs_at_most_four_queries(
    ada: Caller, with_tables: Experiment, django_assert_max_num_queries: MaxQueries
) -> None:
    warm_then_count(ada, "/lab/experiments/", 4, django_assert_max_num_queries)


@pytest.mark.parametrize("kind", ["assay", "sample"])
def test_a_one_row_page_costs_at_most_five_queries(
    ada: Caller, with_tables: Experiment, kind: str, django_assert_max_num_queries: MaxQueries
) -> None:
    path = f"/lab/experiments/{with_tables.pluto_id}/{kind}-data/?limit=1"
    warm_then_count(ada, path, 5, django_assert_max_num_queries)


@override_settings(API_RATE_PER_KEY=None, API_RATE_PER_ADDRESS=None)
def test_without_rate_limits_a_request_counts_nothing(
    ada: Caller, django_assert_max_num_queries: MaxQueries
) -> None:
    warm_then_count(ada, "/lab/me/", 1, django_assert_max_num_queries)


@override_settings(API_RATE_PER_KEY=Rate(1000, 60), API_RATE_PER_ADDRESS=None)
def test_one_limit_alone_is_still_counted(ada: Caller) -> None:
    for _ in range(3):
        ada.call("GET", "/lab/me/", REMOTE_ADDR="10.9.9.9")

    assert [row.hits for row in RateCount.objects.all()] == [3]


def test_both_limits_are_counted_by_one_statement(
    db: None, django_assert_num_queries: MaxQueries
) -> None:
    with django_assert_num_queries(1):
        counts = count_request([("pluto-rate:key:a", 60), ("pluto-rate:address:b", 1)], 1000.0)

    assert [(c.key, c.hits, c.ends) for c in counts] == [
        ("pluto-rate:key:a", 1, 1060.0),
        ("pluto-rate:address:b", 1, 1001.0),
    ]


def test_a_closed_window_starts_again_at_one(db: None) -> None:
    count_request([("k", 1)], 1000.0)
    within = count_request([("k", 1)], 1000.5)
    after = count_request([("k", 1)], 1001.0)

    assert (within[0].hits, within[0].ends) == (2, 1001.0)
    assert (after[0].hits, after[0].ends) == (1, 1002.0)


def test_cleanup_forgets_closed_windows_only(db: None) -> None:
    count_request([("closed", 1), ("open", 60)], 1000.0)

    assert forget_closed_windows(1010.0) == 1
    assert list(RateCount.objects.values_list("key", flat=True)) == ["open"]
