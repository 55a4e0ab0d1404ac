"""``lab/me/``: who the caller is."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from pluto.server.lab.schemas import UserOut, user_json

router = Router(tags=["accounts"])


@router.get("/me/", response=UserOut, summary="The caller's own user")
def me(request: HttpRequest) -> dict[str, Any]:
    return user_json(request.auth)
