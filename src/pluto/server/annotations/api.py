"""The JSON API of annotation sets."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["annotations"])
