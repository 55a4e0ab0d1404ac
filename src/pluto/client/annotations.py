"""The SDK's methods for annotation sets of single-cell experiments."""

from __future__ import annotations

from pluto.client.base import ClientBase


class AnnotationSetMethods(ClientBase):
    """:class:`pluto.Client` methods for annotation sets of single-cell experiments."""
