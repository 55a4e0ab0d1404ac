"""The JSON API of biomarker and biomodel sets."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["sets"])
