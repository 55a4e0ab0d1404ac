"""Issue 12: throughput of two web nodes against one, through nginx, on PostgreSQL and S3.

The cluster of ``make cluster`` (PostgreSQL, SeaweedFS's S3 gateway, two
``pluto serve --no-worker`` nodes of one web process each, nginx) is started in the scratch
folder with no workers, and a second nginx in front of the first node alone. Debian's
``wrk`` loads each hot read path through either balancer with 1, 10 and 50 keep-alive
connections, so both configurations pay the same balancer hop; the rows give requests per
second and p50/p95/p99 for each, and the two-node throughput against the one-node
throughput at each number of connections.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from tests.cluster.cluster import Cluster

from bench.harness import Context, Row, benchmark
from bench.load import CONNECTIONS, QUICK_SECONDS, SECONDS, warm
from bench.rows import info_row, ms
from bench.server import RATE_LIMITS_UNREACHED
from bench.wrk import LoadResult, run_wrk

PATHS = ("lab/me/", "lab/experiments/")


@dataclass(frozen=True)
class Balancers:
    """The cluster's token and the URLs of nginx in front of one node and of both."""

    token: str
    one_node: str
    two_nodes: str


@contextmanager
def cluster_balancers(context: Context) -> Iterator[Balancers]:
    """A started cluster without workers, with a one-node nginx beside its own; stopped after."""
    cluster = Cluster(context.workdir / "cluster", worker_count=0, extra_env=RATE_LIMITS_UNREACHED)
    try:
        cluster.start()
        _, one_node = cluster.start_balancer("nginx-one-node", cluster.web[:1])
        yield Balancers(cluster.key, one_node, cluster.url)
    finally:
        cluster.stop()


def load_runs(context: Context, url: str, token: str) -> dict[int, LoadResult]:
    """``url`` warmed, then loaded with each number of connections."""
    seconds = QUICK_SECONDS if context.quick else SECONDS
    warm(url, context, token)
    return {
        connections: run_wrk(url, token, connections, seconds, context.workdir)
        for connections in CONNECTIONS
    }


def run_row(path: str, nodes: str, run: LoadResult) -> Row:
    """One run's throughput and latency percentiles."""
    return info_row(
        f"GET {path} via nginx, {nodes}, {run.connections} conn.",
        f"{run.per_second:,.0f} req/s",
        f"p50 {ms(run.p50)}, p95 {ms(run.p95)}, p99 {ms(run.p99)}, {run.failures} failed",
    )


def nodes_row(path: str, one: LoadResult, two: LoadResult) -> Row:
    """Two nodes' throughput against one node's at the same number of connections."""
    ratio = two.per_second / max(one.per_second, 1e-9)
    return Row(
        f"GET {path}: two nodes at {two.connections} conn.",
        f"{two.per_second:,.0f} req/s",
        f"one node: {one.per_second:,.0f} req/s",
        f"{ratio:.2f}x",
    )


def path_rows(context: Context, balancers: Balancers, path: str) -> list[Row]:
    """Every run of ``path`` through both balancers, then the two-to-one ratios."""
    one = load_runs(context, f"{balancers.one_node}/{path}", balancers.token)
    two = load_runs(context, f"{balancers.two_nodes}/{path}", balancers.token)
    runs = [run_row(path, "one node", run) for run in one.values()]
    runs += [run_row(path, "two nodes", run) for run in two.values()]
    return runs + [nodes_row(path, one[n], two[n]) for n in CONNECTIONS]


@benchmark("cluster_load", "two web nodes against one, through nginx, on PostgreSQL and S3")
def cluster_load(context: Context) -> list[Row]:
    """Load the hot read paths through nginx in front of one node and of two."""
    with cluster_balancers(context) as balancers:
        return [row for path in PATHS for row in path_rows(context, balancers, path)]
