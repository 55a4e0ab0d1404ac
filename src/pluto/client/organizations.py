"""The SDK's methods for organizations and teams."""

from __future__ import annotations

from pluto.client.base import ClientBase


class OrganizationMethods(ClientBase):
    """:class:`pluto.Client` methods for organizations and teams."""
