"""The SDK's methods for pipelines, pipeline runs and workflows."""

from __future__ import annotations

from pluto.client.base import ClientBase


class PipelineMethods(ClientBase):
    """:class:`pluto.Client` methods for pipelines, pipeline runs and workflows."""
