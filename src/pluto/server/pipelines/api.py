"""The JSON API of pipelines and workflows."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["pipelines"])
