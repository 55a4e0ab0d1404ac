"""The SDK's methods for search."""

from __future__ import annotations

from pluto.client.base import ClientBase


class SearchMethods(ClientBase):
    """:class:`pluto.Client` methods for search."""
