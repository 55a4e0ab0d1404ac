"""The SDK's methods for biomarker and biomodel sets."""

from __future__ import annotations

from pluto.client.base import ClientBase


class SetMethods(ClientBase):
    """:class:`pluto.Client` methods for biomarker and biomodel sets."""
