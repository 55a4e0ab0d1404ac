"""Issue 3, benchmark 1: one 10,000-row JSON page of the demo assay table over HTTP.

It is held against the same page built in-process (a) from Arrow with orjson, and (b)
the straightforward way, one dict per row through a serializer. All three must produce
the same rows; that is checked before anything is timed.
"""

from __future__ import annotations

import json
from functools import partial

import orjson
import pyarrow.parquet as pq
import requests

from bench.baselines import arrow_orjson_page, per_row_page, row_serializer
from bench.harness import Context, Row, Target, benchmark
from bench.rows import faster_row, slower_row
from bench.tables import DEMO_EXPERIMENT, checked, stored_parquet, table_url
from bench.timing import interleaved_medians

OFFSET, LIMIT = 10_000, 10_000
AT_MOST_A = Target(3, "x")
AT_LEAST_B = Target(10, "x faster", at_most=False)


def http_page(session: requests.Session, url: str, limit: int = LIMIT) -> bytes:
    """The page's body as the server sends it."""
    return checked(session.get(url, params={"limit": limit, "offset": OFFSET})).content


def same_rows(http_body: bytes, arrow_body: bytes, per_row_body: bytes) -> None:
    """Fail when the three ways disagree about the page (then timing them means nothing)."""
    served = orjson.loads(http_body)
    if served != orjson.loads(arrow_body) or served != json.loads(per_row_body):
        raise RuntimeError("The served page differs from the page built in-process.")
    if len(served["items"]) != LIMIT:
        raise RuntimeError(f"Expected {LIMIT} rows, the server sent {len(served['items'])}.")


@benchmark("data_reads", "a 10,000-row JSON page of the demo assay table (issue 3, #1)")
def data_reads(context: Context) -> list[Row]:
    """Time the page over HTTP, (a) in-process with Arrow and orjson, (b) one dict per row."""
    session, url = context.server.session(), table_url(context.server, DEMO_EXPERIMENT)
    path = stored_parquet(context.server, DEMO_EXPERIMENT)
    serializer = row_serializer(pq.read_schema(path))
    calls = [
        partial(http_page, session, url),
        partial(http_page, session, url, limit=1),
        partial(arrow_orjson_page, path, OFFSET, LIMIT),
        partial(per_row_page, path, OFFSET, LIMIT, serializer),
    ]
    same_rows(calls[0](), calls[2](), calls[3]())
    rounds = 5 if context.quick else 15
    served, one_row, arrow, per_row = interleaved_medians(calls, rounds)
    return page_rows(served, one_row, arrow, per_row, rounds)


def page_rows(
    served: float, one_row: float, arrow: float, per_row: float, rounds: int
) -> list[Row]:
    """The printed figures: the page against (a) and (b), and the cost of any request."""
    page = f"JSON page over HTTP (median of {rounds})"
    return [
        slower_row(page, served, "(a) pyarrow + orjson in-process", arrow, AT_MOST_A),
        faster_row(page, served, "(b) pandas + pydantic per row + json", per_row, AT_LEAST_B),
        slower_row("1-row JSON page over HTTP (fixed cost)", one_row, "10,000-row page", served),
    ]
