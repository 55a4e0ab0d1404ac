"""Issue 12: how many request threads a web process should run (``pluto serve --threads``).

The same hot read paths as ``load``, served by ``pluto serve --no-worker`` with each of
several thread counts one after the other, loaded by ``wrk`` with 1 and 50 connections. For
each count: the 50-connection throughput, its ratio to one connection's, and p99 against
p50 at 50 connections. The default of ``--threads`` is the count that meets both targets of
``load`` here; a count that misses them shows what the default avoids.
"""

from __future__ import annotations

from bench.harness import Context, Row, benchmark
from bench.load import (
    HOT_PATHS,
    NO_STARVING,
    QUICK_SECONDS,
    SCALES,
    SECONDS,
    load_server,
    warm,
)
from bench.rows import ms
from bench.wrk import LoadResult, run_wrk
from pluto.cli.serving import DEFAULT_THREADS

THREAD_COUNTS = (1, 2, 4, 8)
QUICK_THREAD_COUNTS = (1,)
PATHS = (HOT_PATHS[0], HOT_PATHS[2])  # lab/me/ and the 1-row assay page
QUICK_PATHS = PATHS[:1]
FEW, MANY = 1, 50


def load_pair(context: Context, url: str) -> tuple[LoadResult, LoadResult]:
    """``url`` warmed, then loaded with one connection and with fifty."""
    seconds = QUICK_SECONDS if context.quick else SECONDS
    warm(url, context)
    token = context.server.token
    few = run_wrk(url, token, FEW, seconds, context.workdir)
    return few, run_wrk(url, token, MANY, seconds, context.workdir)


def label(threads: int, path: str) -> str:
    """How a row names its thread count and path."""
    default = " (the default)" if threads == DEFAULT_THREADS else ""
    return f"--threads {threads}{default}, GET {path}"


def pair_rows(threads: int, path: str, few: LoadResult, many: LoadResult) -> list[Row]:
    """Scaling and starving of one path at one thread count."""
    scaling = many.per_second / max(few.per_second, 1e-9)
    starving = many.p99 / max(many.p50, 1e-6)  # wrk reports whole microseconds
    name = label(threads, path)
    return [
        Row(
            f"{name}: throughput at {MANY} conn.",
            f"{many.per_second:,.0f} req/s",
            f"{FEW} conn.: {few.per_second:,.0f} req/s",
            f"{scaling:.2f}x",
            SCALES,
            scaling,
        ),
        Row(
            f"{name}: p99 at {MANY} conn.",
            ms(many.p99),
            f"its p50: {ms(many.p50)}",
            f"{starving:.2f}x",
            NO_STARVING,
            starving,
        ),
    ]


def thread_rows(context: Context, threads: int) -> list[Row]:
    """Every path loaded against a server running ``threads`` request threads a process."""
    rows: list[Row] = []
    with load_server(context, "--threads", str(threads)) as url:
        for path in QUICK_PATHS if context.quick else PATHS:
            few, many = load_pair(context, f"{url}/{path}")
            rows += pair_rows(threads, path, few, many)
    return rows


@benchmark("serve_threads", "request threads per web process: scaling and tail latency by count")
def serve_threads(context: Context) -> list[Row]:
    """The hot paths under 1 and 50 connections for each thread count, one after the other
    (in a quick run, one path with one thread)."""
    counts = QUICK_THREAD_COUNTS if context.quick else THREAD_COUNTS
    return [row for threads in counts for row in thread_rows(context, threads)]
