"""Timing calls: medians of several runs after a warm-up, on a monotonic clock."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from typing import Any


def seconds_of(call: Callable[[], Any]) -> float:
    """How long one call takes."""
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def interleaved_medians(
    calls: Sequence[Callable[[], Any]], repeats: int, warmup: int = 2
) -> list[float]:
    """The median duration of each call, timed in turns (one of each per round).

    Taking turns spreads a shared machine's slow moments over every call alike, so the
    ratios between them stay meaningful even when the absolute times wander.
    """
    for call in calls:
        for _ in range(warmup):
            call()
    durations: list[list[float]] = [[] for _ in calls]
    for _ in range(repeats):
        for call, timed in zip(calls, durations, strict=True):
            timed.append(seconds_of(call))
    return [statistics.median(timed) for timed in durations]
