"""Issue 4, benchmark 2: a 10,000-row JSON page while two analyses run, against none.

A second ``pluto worker`` is started beside the server's own, so the two analyses run at
the same time. The page (``assay-data/?limit=10000&offset=10000`` of the demo experiment)
is timed on an idle server, then again and again while the analyses run: a timing counts
only when, at the look just before it, at least one analysis was ``running`` (their
status is read between timings, never during one). Timing stops when both are complete.
Full runs use two differential expressions; ``--quick`` uses two (shorter) PCAs.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from functools import partial
from typing import Any

import requests

from bench.harness import Context, Row, Target, benchmark
from bench.jobs import (
    BUSY,
    JOB_TIMEOUT,
    POLL_SECONDS,
    analysis_status,
    differential_expression,
    extra_worker,
    post_analysis,
    principal_components,
)
from bench.rows import info_row, ms, slower_row
from bench.server import RunningServer
from bench.tables import DEMO_EXPERIMENT, checked, table_url
from bench.timing import seconds_of

OFFSET, LIMIT = 10_000, 10_000
IDLE_REQUESTS = 30
QUICK_IDLE_REQUESTS = 10
WITHIN_TWICE = Target(2, "x")


@dataclass(frozen=True)
class UnderLoad:
    """Page timings taken while the analyses ran, how many with both running, and how long
    the analyses took from the first POST until both were complete."""

    seconds: list[float]
    with_both_running: int
    analyses_seconds: float


def page(session: requests.Session, url: str) -> int:
    """One 10,000-row JSON page; its size in bytes."""
    return len(checked(session.get(url, params={"limit": LIMIT, "offset": OFFSET})).content)


def percentile(values: list[float], percent: int) -> float:
    """The ``percent``-th percentile, interpolated between the nearest timings."""
    return statistics.quantiles(values, n=100, method="inclusive")[percent - 1]


def statuses(session: requests.Session, server: RunningServer, uuids: list[str]) -> list[str]:
    """The analyses' statuses now."""
    return [analysis_status(session, server, uuid) for uuid in uuids]


def timed_while_running(
    session: requests.Session, server: RunningServer, bodies: list[dict[str, Any]], url: str
) -> UnderLoad:
    """POST the analyses, then time the page whenever one runs, until both are complete."""
    started = time.monotonic()
    uuids = [post_analysis(session, server, body) for body in bodies]
    timings: list[float] = []
    both = 0
    now = statuses(session, server, uuids)
    while any(status in BUSY for status in now):
        if time.monotonic() - started > JOB_TIMEOUT:
            raise RuntimeError(f"The analyses did not finish within {JOB_TIMEOUT:.0f} s.")
        running = now.count("running")
        if running:
            timings.append(seconds_of(partial(page, session, url)))
            both += running == len(uuids)
        else:
            time.sleep(POLL_SECONDS)
        now = statuses(session, server, uuids)
    if len(timings) < 2:
        raise RuntimeError("The analyses ended before the page could be timed under load.")
    return UnderLoad(timings, both, time.monotonic() - started)


@benchmark("latency_under_load", "a 10,000-row JSON page while two analyses run (issue 4, #2)")
def latency_under_load(context: Context) -> list[Row]:
    """Time the page idle, then while two analyses run on two workers."""
    server, session = context.server, context.server.session()
    url = table_url(server, DEMO_EXPERIMENT)
    make, kind = (
        (principal_components, "PCAs") if context.quick else (differential_expression, "DEs")
    )
    bodies = [make(f"Benchmark load {number}") for number in (1, 2)]
    with extra_worker(server, context.workdir):
        page(session, url)  # the warm-up
        count = QUICK_IDLE_REQUESTS if context.quick else IDLE_REQUESTS
        idle = [seconds_of(partial(page, session, url)) for _ in range(count)]
        loaded = timed_while_running(session, server, bodies, url)
    return latency_rows(idle, loaded, kind)


def latency_rows(idle: list[float], loaded: UnderLoad, kind: str) -> list[Row]:
    """p50 and p95 idle and under load, and how the load went."""
    idle_label = f"JSON page, idle (n={len(idle)})"
    busy = f"JSON page, two {kind} running (n={len(loaded.seconds)})"
    return [
        info_row(f"{idle_label}: p50", ms(percentile(idle, 50))),
        info_row(f"{idle_label}: p95", ms(percentile(idle, 95))),
        slower_row(
            f"{busy}: p50", percentile(loaded.seconds, 50), "idle p50", percentile(idle, 50)
        ),
        slower_row(
            f"{busy}: p95",
            percentile(loaded.seconds, 95),
            "idle p95",
            percentile(idle, 95),
            WITHIN_TWICE,
        ),
        info_row(
            f"pages timed with both {kind} running",
            f"{loaded.with_both_running} of {len(loaded.seconds)}",
            f"both {kind} done {ms(loaded.analyses_seconds)} after the first POST",
        ),
    ]
