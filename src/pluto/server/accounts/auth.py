"""Who is asking: an API token in the ``Authorization`` header, or a signed-in web session."""

from __future__ import annotations

from django.http import HttpRequest
from django.middleware.csrf import CsrfViewMiddleware

from pluto.server.accounts.models import User
from pluto.server.accounts.services import user_for_key
from pluto.server.errors import AuthenticationFailed, NotAuthenticated, PermissionDenied

TOKEN_SCHEMES = {"token", "bearer"}
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def key_from_header(request: HttpRequest) -> str | None:
    """The key of an ``Authorization: Token <key>`` (or ``Bearer``) header, if one was sent."""
    header = request.META.get("HTTP_AUTHORIZATION", "").strip()
    if not header:
        return None
    scheme, _, key = header.partition(" ")
    if scheme.lower() not in TOKEN_SCHEMES or not key.strip():
        raise AuthenticationFailed(
            "The Authorization header must be 'Token <your API token>'.",
        )
    return key.strip()


def session_user(request: HttpRequest) -> User | None:
    """The signed-in user of a browser session, with CSRF enforced for writes."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    if request.method not in SAFE_METHODS:
        reason = CsrfViewMiddleware(lambda r: None).process_view(request, None, (), {})
        if reason is not None:
            raise PermissionDenied("CSRF check failed; reload the page and try again.")
    return user


def api_user(request: HttpRequest) -> User:
    """The caller of an API request, or ``not_authenticated``/``authentication_failed``."""
    key = key_from_header(request)
    if key is not None:
        return user_for_key(key)
    user = session_user(request)
    if user is None:
        raise NotAuthenticated(
            "Authentication credentials were not provided. Send 'Authorization: Token <key>'; "
            "create a key on your Account page."
        )
    return user
