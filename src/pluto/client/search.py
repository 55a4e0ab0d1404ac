"""The SDK's methods for search."""

from __future__ import annotations

from typing import Any

from pluto.client.base import ClientBase

SEARCH = "search/"
SEARCH_PAGE_SIZE = 100


class SearchMethods(ClientBase):
    """:class:`pluto.Client` methods for search."""

    def search(
        self,
        query: str,
        type: str = "experiments",
        access: str = "shareable",
        offset: int = 0,
        limit: int = 24,
    ) -> dict[str, Any]:
        """One page of matches, best first: ``{count, items}``.

        ``type`` is ``experiments`` or ``projects``; ``access`` ``shareable`` (everything you
        may see) or ``public`` (only what is public).
        """
        params = {"query": query, "type": type, "access": access}
        answer: dict[str, Any] = self.get(SEARCH, offset=offset, limit=limit, **params)
        return answer

    def search_all(
        self,
        query: str,
        type: str = "experiments",
        access: str = "shareable",
        max_results: int = 10_000,
    ) -> list[dict[str, Any]]:
        """Every match (at most ``max_results``), best first."""
        found: list[dict[str, Any]] = []
        while len(found) < max_results:
            page = self.search(query, type, access, offset=len(found), limit=SEARCH_PAGE_SIZE)
            batch = page.get("items") or []
            found.extend(batch)
            if not batch or len(found) >= int(page.get("count") or 0):
                break
        return found[:max_results]
