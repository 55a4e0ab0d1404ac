"""Claiming jobs on many workers: one owner per job however many claim at once, staleness on
the database's clock, interactive analyses before pipeline runs, and a fair share per user.

The workers here are threads, each with its own database connection, against the database
under test (SQLite, or PostgreSQL on the PostgreSQL pass)."""

from __future__ import annotations

import dataclasses
import os
import socket
import threading
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any, TypeVar

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.db.models.functions import Now
from django.utils import timezone

from pluto.server.analyses import queue, registry
from pluto.server.analyses.kind import Kind
from pluto.server.analyses.models import Analysis, AnalysisStatus
from pluto.server.analyses.priority import JobPriority
from pluto.server.analyses.worker import Worker
from pluto.server.lab.models import Experiment
from tests.analyses.conftest import count_data, post_analysis, upload_counts
from tests.conftest import Caller, make_experiment, make_project

PCA = {"analysis_type": "principal_components", "parameters": {}}
LONG_RUN = "long_run_for_claim_tests"
T = TypeVar("T")

# SKIP LOCKED is PostgreSQL's; on SQLite a claim waits for the writer before it, so the
# SQLite passes leave this out (`-m "not postgresql_only"`) and the PostgreSQL pass runs it.
on_postgresql = pytest.mark.postgresql_only


def queued(caller: Caller, experiment: Experiment, body: dict[str, Any] = PCA) -> Analysis:
    """A new pending analysis, queued over HTTP."""
    created = post_analysis(caller, experiment, body)
    assert created.status_code == 202, created.data
    return Analysis.objects.get(uuid=created.data["uuid"])


def in_threads(count: int, work: Callable[[int], T]) -> list[T]:
    """Run ``work(n)`` for n in 0..count-1 in threads started together, each on a database
    connection of its own; their results in order (a thread's error is raised here)."""
    start = threading.Barrier(count)
    results: list[Any] = [None] * count

    def run(n: int) -> None:
        try:
            start.wait()
            results[n] = work(n)
        except BaseException as error:  # handed to the test's thread below
            results[n] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return results


def claim_all(worker_id: str) -> list[int]:
    """Claim jobs as ``worker_id`` until the queue is empty; their ids."""
    claimed = []
    while (analysis := queue.claim_next(worker_id)) is not None:
        claimed.append(analysis.pk)
    return claimed


def claim_order(count: int) -> list[int]:
    """The ids of the next ``count`` jobs, each claimed by a worker of its own."""
    order = []
    for n in range(count):
        analysis = queue.claim_next(f"worker-{n}")
        assert analysis is not None
        order.append(analysis.pk)
    return order


@pytest.fixture
def long_run_kind() -> Iterator[Kind]:
    """A kind whose jobs are long pipeline runs: principal components at pipeline priority."""
    base = registry.kind_of("principal_components")
    kind = dataclasses.replace(base, analysis_type=LONG_RUN, priority=JobPriority.PIPELINE)
    registry.register(kind)
    yield kind
    registry.unregister(LONG_RUN)


@pytest.fixture
def bobs_experiment(bob: Caller) -> Experiment:
    """bob's own experiment with the generated tables."""
    created = make_experiment(bob.user, make_project(bob.user, "Bob's atlas"))
    upload_counts(bob, created, count_data())
    return created


@pytest.mark.django_db(transaction=True)
def test_workers_claiming_at_once_never_take_the_same_job(
    ada: Caller, experiment: Experiment
) -> None:
    jobs = {queued(ada, experiment).pk for _ in range(12)}

    claims = in_threads(4, lambda n: claim_all(f"worker-{n}"))

    every_claim = [pk for claimed in claims for pk in claimed]
    assert sorted(every_claim) == sorted(jobs)
    owners = dict(Analysis.objects.values_list("pk", "worker_id"))
    for n, claimed in enumerate(claims):
        assert all(owners[pk] == f"worker-{n}" for pk in claimed)
    assert set(Analysis.objects.values_list("attempts", flat=True)) == {1}


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_claim_passes_over_the_job_another_worker_is_taking(
    ada: Caller, experiment: Experiment
) -> None:
    assert connection.vendor == "postgresql", "run it on PostgreSQL: scripts/with-postgres"
    first, second = queued(ada, experiment), queued(ada, experiment)
    holding, release = threading.Event(), threading.Event()

    def hold_first(n: int) -> int | None:
        with transaction.atomic():
            candidate = queue.next_candidate()
            holding.set()
            release.wait(timeout=30)
        return None if candidate is None else candidate[0]

    def claim_while_held(n: int) -> int | None:
        if n == 0:
            return hold_first(n)
        assert holding.wait(timeout=30)
        try:
            taken = queue.claim_next("worker-b")
            return None if taken is None else taken.pk
        finally:
            release.set()

    held, claimed = in_threads(2, claim_while_held)

    assert (held, claimed) == (first.pk, second.pk)
    assert Analysis.objects.get(pk=first.pk).status == AnalysisStatus.PENDING


def test_a_job_whose_heartbeat_is_stale_by_the_database_clock_is_taken_over(
    ada: Caller, experiment: Experiment
) -> None:
    analysis = queued(ada, experiment)
    queue.take(analysis.pk, "worker-a")
    stale = Now() - timedelta(seconds=settings.JOB_TIMEOUT_SECONDS + 1)
    Analysis.objects.filter(pk=analysis.pk).update(heartbeat_at=stale)

    reaped = queue.reap_stale()
    taken = queue.claim_next("worker-b")

    assert reaped == 1
    assert taken is not None and taken.pk == analysis.pk
    assert (taken.status, taken.attempts, taken.worker_id) == ("running", 2, "worker-b")
    assert not queue.heartbeat(analysis.pk, "worker-a")


def test_a_live_job_is_kept_though_the_hosts_clocks_disagree(
    ada: Caller, experiment: Experiment, monkeypatch: pytest.MonkeyPatch
) -> None:
    analysis = queued(ada, experiment)
    real_now = timezone.now
    skew = timedelta(seconds=settings.JOB_TIMEOUT_SECONDS * 10)

    def host_clock(offset: timedelta) -> Callable[[], datetime]:
        return lambda: real_now() + offset

    monkeypatch.setattr(timezone, "now", host_clock(-skew))  # the worker's host runs slow
    queue.take(analysis.pk, "worker-a")
    beat = queue.heartbeat(analysis.pk, "worker-a")
    monkeypatch.setattr(timezone, "now", host_clock(skew))  # the reaper's host runs fast
    reaped = queue.reap_stale()
    analysis.refresh_from_db()

    assert beat and reaped == 0
    assert (analysis.status, analysis.worker_id) == ("running", "worker-a")
    assert analysis.heartbeat_at is not None
    assert abs(analysis.heartbeat_at - real_now()) < timedelta(seconds=30)


def test_interactive_analyses_run_before_long_pipeline_runs(
    ada: Caller, experiment: Experiment, long_run_kind: Kind
) -> None:
    long_body = {"analysis_type": LONG_RUN, "parameters": {}}
    long_run = queued(ada, experiment, long_body)
    first, second = queued(ada, experiment), queued(ada, experiment)

    order = claim_order(3)

    assert long_run.priority == JobPriority.PIPELINE
    assert first.priority == JobPriority.INTERACTIVE
    assert order == [first.pk, second.pk, long_run.pk]


def test_one_users_backlog_does_not_hold_back_another_users_job(
    ada: Caller, bob: Caller, experiment: Experiment, bobs_experiment: Experiment
) -> None:
    backlog = [queued(ada, experiment).pk for _ in range(3)]
    bobs = queued(bob, bobs_experiment).pk

    order = claim_order(4)

    assert order == [backlog[0], bobs, backlog[1], backlog[2]]


def test_priority_comes_before_the_fair_share(
    ada: Caller,
    bob: Caller,
    experiment: Experiment,
    bobs_experiment: Experiment,
    long_run_kind: Kind,
) -> None:
    adas = [queued(ada, experiment).pk for _ in range(2)]
    bobs_long_run = queued(bob, bobs_experiment, {"analysis_type": LONG_RUN, "parameters": {}})

    order = claim_order(3)

    assert order == [*adas, bobs_long_run.pk]


def test_a_finished_job_no_longer_counts_against_its_owner(
    ada: Caller, bob: Caller, experiment: Experiment, bobs_experiment: Experiment
) -> None:
    adas = [queued(ada, experiment).pk for _ in range(2)]
    bobs = [queued(bob, bobs_experiment).pk for _ in range(2)]
    assert claim_order(2) == [adas[0], bobs[0]]

    queue.finish(adas[0], "worker-0", AnalysisStatus.COMPLETE, "Complete.")
    after = claim_order(1)

    assert after == [adas[1]]
    assert Analysis.objects.get(pk=bobs[1]).status == AnalysisStatus.PENDING


def test_each_worker_start_gets_an_id_of_its_own() -> None:
    first, second = Worker().worker_id, Worker().worker_id

    assert first != second
    assert first.startswith(f"{socket.gethostname()}:{os.getpid()}:")
    assert second.startswith(f"{socket.gethostname()}:{os.getpid()}:")
