"""The SDK's methods for research programs."""

from __future__ import annotations

from pluto.client.base import ClientBase


class ProgramMethods(ClientBase):
    """:class:`pluto.Client` methods for research programs."""
