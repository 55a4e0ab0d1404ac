"""``{% organization_switcher %}``: the base layout's choice of working organization."""

from __future__ import annotations

from typing import Any

from django import template

from pluto.server.orgs import services
from pluto.server.orgs.session import chosen

register = template.Library()


@register.inclusion_tag("orgs/switcher.html", takes_context=True)
def organization_switcher(context: dict[str, Any]) -> dict[str, Any]:
    """The signed-in user's organizations, with the session's current one marked."""
    request = context["request"]
    memberships = list(services.memberships_of(request.user))
    return {
        "memberships": memberships,
        "current": chosen(request) or "",
        "next": request.get_full_path(),
        "csrf_token": context.get("csrf_token"),
    }
