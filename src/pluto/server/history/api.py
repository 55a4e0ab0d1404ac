"""The JSON API of experiment history."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["history"])
