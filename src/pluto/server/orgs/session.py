"""The organization a signed-in browser session works in, chosen with the switcher.

Without a choice a session sees everything its user may see (as an API call without the
``Organization`` header does) and creates in the user's default organization. With one,
its pages show that organization's projects only and new projects go there.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from pluto.server.errors import PlutoError
from pluto.server.orgs.models import Organization
from pluto.server.orgs.scope import SCOPE_ATTRIBUTE, scope_user

SESSION_KEY = "pluto_organization"


def chosen(request: HttpRequest) -> str | None:
    """The uuid of the session's organization, or None for all of them."""
    value = request.session.get(SESSION_KEY)
    return value if isinstance(value, str) and value else None


def choose(request: HttpRequest, organization: Organization | None) -> None:
    """Make the session work in ``organization`` (None: in all of the user's)."""
    if organization is None:
        request.session.pop(SESSION_KEY, None)
    else:
        request.session[SESSION_KEY] = str(organization.uuid)


class WorkingOrganizationMiddleware:
    """Scope a signed-in session's user to the organization it chose (API calls re-scope
    themselves from their own ``Organization`` header)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            self.scope(request)
        return self.get_response(request)

    @staticmethod
    def scope(request: HttpRequest) -> None:
        """Apply the session's choice; a choice the user may no longer make is forgotten."""
        organization = chosen(request)
        if organization is None:
            return
        try:
            scope_user(request.user, organization)
        except PlutoError:
            setattr(request.user, SCOPE_ATTRIBUTE, None)
            request.session.pop(SESSION_KEY, None)
