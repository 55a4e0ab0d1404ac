"""The SDK's methods for an experiment's history."""

from __future__ import annotations

from pluto.client.base import ClientBase


class HistoryMethods(ClientBase):
    """:class:`pluto.Client` methods for an experiment's history."""
