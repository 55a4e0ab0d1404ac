"""The request plumbing every part of :class:`pluto.Client` shares.

Each API family's methods live in a mixin of their own module (``pluto.client.history``...);
they all build on :class:`ClientBase`, which holds the connection.
"""

from __future__ import annotations

from typing import Any

from pluto.client.http import Transport

LIST_PAGE_SIZE = 1000


class ClientBase:
    """The connection and the JSON calls of one client."""

    transport: Transport

    def get(self, path: str, **params: Any) -> Any:
        """GET an API path; the parsed JSON answer."""
        clean = {key: value for key, value in params.items() if value is not None}
        return self.transport.call_json("GET", path, params=clean)

    def send(self, method: str, path: str, body: Any = None) -> Any:
        """POST, PUT, PATCH or DELETE JSON to an API path; the parsed JSON answer."""
        return self.transport.call_json(method, path, json=body)

    def list_items(self, path: str, **params: Any) -> list[dict[str, Any]]:
        """Every item of a ``{count, items}`` list, page after page."""
        items: list[dict[str, Any]] = []
        while True:
            page = self.get(path, limit=LIST_PAGE_SIZE, offset=len(items), **params)
            batch = page.get("items") or []
            items.extend(batch)
            if not batch or len(items) >= int(page.get("count") or 0):
                return items
