"""Issue 3, benchmark 2: the whole demo assay table over HTTP, three ways.

As JSON pages of 10,000 rows, as one Arrow response and as a Parquet download (ask for the
signed URL, fetch it without a token, read it), each until the rows are in the client's
hands, against reading the stored Parquet file from local disk.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import requests

from bench.harness import Context, Row, Target, benchmark
from bench.rows import megabytes, slower_row
from bench.tables import DEMO_EXPERIMENT, arrow_page, checked, stored_parquet, table_url
from bench.timing import interleaved_medians

PAGE_ROWS = 10_000
WHOLE_LIMIT = 100_000
ARROW_TARGET = Target(5, "x")
LOCAL = "local pyarrow.parquet.read_table"


def json_pages(session: requests.Session, url: str, total: int) -> int:
    """Every row as JSON pages, parsed; the bytes received."""
    received = 0
    for offset in range(0, total, PAGE_ROWS):
        params = {"limit": PAGE_ROWS, "offset": offset}
        body = checked(session.get(url, params=params)).content
        orjson.loads(body)
        received += len(body)
    return received


def downloaded_parquet(session: requests.Session, url: str) -> bytes:
    """The bytes behind the signed Parquet download URL (fetched with no token)."""
    answer = checked(session.get(f"{url}download/", params={"format": "parquet"})).json()
    return checked(requests.get(answer["url"])).content


def parquet_download(session: requests.Session, url: str) -> pa.Table:
    """The whole table through its Parquet download."""
    return pq.read_table(pa.BufferReader(downloaded_parquet(session, url)))


def arrow_whole(session: requests.Session, url: str) -> pa.Table:
    """The whole table as one Arrow response."""
    return arrow_page(session, url, {"limit": WHOLE_LIMIT})


def check_copies(session: requests.Session, url: str, local: pa.Table) -> None:
    """Fail unless the Arrow response and the download hold exactly the stored table."""
    if not arrow_whole(session, url).equals(local):
        raise RuntimeError("The Arrow response differs from the stored table.")
    if not parquet_download(session, url).equals(local):
        raise RuntimeError("The Parquet download differs from the stored table.")


@dataclass(frozen=True)
class Way:
    """One way of fetching the whole table: what it is called, the call, its target."""

    figure: str
    fetch: Callable[[], object]
    target: Target | None = None


def ways(session: requests.Session, url: str, total: int) -> list[Way]:
    """The three ways, each named with how many bytes it moves."""
    pages = math.ceil(total / PAGE_ROWS)
    json_size = megabytes(json_pages(session, url, total))
    whole: dict[str, str | int] = {"limit": WHOLE_LIMIT, "format": "arrow"}
    arrow = checked(session.get(url, params=whole))
    arrow_size = megabytes(len(arrow.content))
    parquet_size = megabytes(len(downloaded_parquet(session, url)))
    return [
        Way(f"{pages} JSON pages, parsed ({json_size})", partial(json_pages, session, url, total)),
        Way(
            f"one Arrow response, read ({arrow_size})",
            partial(arrow_whole, session, url),
            ARROW_TARGET,
        ),
        Way(
            f"Parquet download: URL, GET, read ({parquet_size})",
            partial(parquet_download, session, url),
        ),
    ]


@benchmark("whole_table", "the whole demo assay table over HTTP (issue 3, #2)")
def whole_table(context: Context) -> list[Row]:
    """Time the three ways of fetching the table against reading the stored file locally."""
    session, url = context.server.session(), table_url(context.server, DEMO_EXPERIMENT)
    path = stored_parquet(context.server, DEMO_EXPERIMENT)
    local_table = pq.read_table(path)
    check_copies(session, url, local_table)
    found = ways(session, url, local_table.num_rows)
    calls: list[Callable[[], object]] = [partial(pq.read_table, path)]
    calls += [way.fetch for way in found]
    local, *timed = interleaved_medians(calls, 3 if context.quick else 9)
    return [
        slower_row(way.figure, seconds, LOCAL, local, way.target)
        for way, seconds in zip(found, timed, strict=True)
    ]
