"""Reading a whole table: the first page gives the total, the rest come in parallel.

Pages are asked for in the Arrow IPC stream format; a server that answers JSON instead (one
that speaks only the Pluto contract) or refuses with 406 is read in JSON pages. Pages are
fetched by a small bounded pool and reassembled in order.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TypeVar

import pandas as pd
import requests

from pluto.client.cache import Answer, TableCache
from pluto.client.errors import InvalidRequest, PlutoError
from pluto.client.frames import ARROW_STREAM, Page, decode_page, frame_from_pages, is_arrow
from pluto.client.http import JSON, Transport
from pluto.client.progress import TableProgress

PAGE_SIZE = 10_000
PARALLEL_PAGES = 4
ACCEPT_ARROW = f"{ARROW_STREAM}, {JSON};q=0.5"

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class TableRequest:
    """Which table to read: its API path, what to call it in messages, and its filters."""

    path: str
    noun: str
    params: dict[str, str] = field(default_factory=dict)


def in_parallel(work: Callable[[T], R], inputs: list[T], workers: int = PARALLEL_PAGES) -> list[R]:
    """``work`` on every input with a bounded pool; results in input order."""
    if not inputs:
        return []
    with ThreadPoolExecutor(max_workers=min(workers, len(inputs))) as pool:
        futures = [pool.submit(work, item) for item in inputs]
        try:
            return [future.result() for future in futures]
        except BaseException:
            for future in futures:
                future.cancel()
            raise


class TableReader:
    """Reads every page of one table, from the server or, after a 304, from the cache."""

    def __init__(
        self,
        transport: Transport,
        request: TableRequest,
        *,
        cache: TableCache | None = None,
        arrow: bool = True,
        page_size: int = PAGE_SIZE,
    ) -> None:
        self.transport = transport
        self.request = request
        self.cache = cache
        self.page_size = page_size
        self.accept = ACCEPT_ARROW if arrow else JSON

    def read(self, quiet: bool = False) -> pd.DataFrame:
        """The whole table as a frame, printing the R client's progress lines unless quiet."""
        progress = TableProgress(self.request.noun, quiet)
        first = self.page(0, self.page_size)
        pages = [first, *self.remaining_pages(first, progress)]
        frame = frame_from_pages(pages)
        progress.done(len(frame))
        return frame

    def remaining_pages(self, first: Page, progress: TableProgress) -> list[Page]:
        """The pages after the first, fetched in parallel when the total is known."""
        if first.count is None:
            return self.pages_until_short(first)
        # The first page's size is the server's real batch size, should it cap ``limit``.
        batch = first.rows
        offsets = list(range(batch, first.count, batch)) if batch else []
        if not offsets:
            return []
        progress.paging(first.count, batch, offsets)

        def fetch(offset: int) -> Page:
            """One later page, checked against the first and counted on the bar."""
            page = self.page(offset, batch)
            self.check_unchanged(first, page)
            progress.advance(page.rows)
            return page

        return in_parallel(fetch, offsets)

    def pages_until_short(self, first: Page) -> list[Page]:
        """Without a total, read page after page until one comes back short."""
        pages: list[Page] = []
        last, offset = first, first.rows
        while last.rows >= self.page_size:
            last = self.page(offset, self.page_size)
            pages.append(last)
            offset += last.rows
        return pages

    def check_unchanged(self, first: Page, page: Page) -> None:
        """Refuse to stitch pages of two different versions of the table."""
        if page.count is not None and page.count != first.count:
            raise PlutoError(
                f"The {self.request.noun} changed while it was being read "
                f"({first.count} rows, then {page.count}); read it again.",
                code="table_changed",
            )

    def page(self, offset: int, limit: int) -> Page:
        """One decoded page."""
        params = {**self.request.params, "limit": str(limit), "offset": str(offset)}
        return decode_page(self.answer(params))

    def answer(self, params: dict[str, str]) -> Answer:
        """A page's bytes; a 406 to the Arrow request is asked again as JSON."""
        try:
            return self.fetch(params)
        except InvalidRequest as error:
            if error.status != 406 or self.accept == JSON:
                raise
            self.accept = JSON
            return self.fetch(params)

    def fetch(self, params: dict[str, str]) -> Answer:
        """GET one page, sending the cached ``ETag`` and using the cached bytes on 304."""
        accept = self.accept
        key = self.cache_key(params, accept)
        cached = self.cache.lookup(key) if self.cache and key else None
        headers = {"Accept": accept}
        if cached is not None and cached.etag:
            headers["If-None-Match"] = cached.etag
        response = self.transport.call("GET", self.request.path, params=params, headers=headers)
        if response.status_code == 304 and cached is not None and self.cache:
            self.cache.count_revalidated()
            return cached
        answer = answer_of(response)
        if self.cache and key:
            self.cache.store(key, answer)
        if not is_arrow(answer):
            self.accept = JSON  # the server speaks JSON only; ask the next pages for JSON
        return answer

    def cache_key(self, params: dict[str, str], accept: str) -> str | None:
        """The cache entry of a page request, or None when not caching."""
        if self.cache is None:
            return None
        return self.cache.key(self.transport.endpoint(self.request.path), params, accept)


def answer_of(response: requests.Response) -> Answer:
    """An :class:`Answer` from a response's body and headers."""
    return Answer(
        content=response.content,
        content_type=response.headers.get("Content-Type", ""),
        total=response.headers.get("X-Total-Count"),
        etag=response.headers.get("ETag"),
    )
