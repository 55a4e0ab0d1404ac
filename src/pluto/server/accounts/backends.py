"""The one password check behind every sign-in form, guarded by the sign-in lockout.

The lockout lives here rather than in a form so that no form can leave it out: the site's
sign-in page, the admin's and any later one all authenticate through this backend.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from pluto.server.accounts.models import User
from pluto.server.web import lockout


class LockoutBackend(ModelBackend):
    """Django's email-and-password check, refused while the email is locked for the address."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        attempt = lockout.Attempt.of(request, username or kwargs.get(User.USERNAME_FIELD))
        if lockout.minutes_locked(attempt):
            # PermissionDenied ends authenticate() at once: not even the right password passes.
            raise PermissionDenied("Too many sign-in attempts.")
        user = super().authenticate(request, username, password, **kwargs)
        if user is None:
            lockout.record_failure(attempt)
        else:
            lockout.clear(attempt)
        return user if isinstance(user, User) else None
