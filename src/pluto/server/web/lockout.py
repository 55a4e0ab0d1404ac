"""The sign-in lockout: after repeated failures for one email from one address, wait.

Five failures within fifteen minutes lock that email for that address until the oldest of
them is fifteen minutes old. A successful sign-in clears the count. Counting per email and
address means an attacker guessing from elsewhere cannot lock a colleague out everywhere.
The address is the client's as ``client_address`` tells it, so a forged ``X-Forwarded-For``
does not buy a fresh count. Enforced for every sign-in form by ``accounts.backends``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta

from django.http import HttpRequest
from django.utils import timezone

from pluto.server.client_address import client_address
from pluto.server.web.models import SignInFailure

MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)


@dataclass(frozen=True)
class Attempt:
    """Who is trying to sign in: the email typed and the client's address."""

    email: str
    ip_address: str

    @classmethod
    def of(cls, request: HttpRequest | None, email: str | None) -> Attempt:
        """The attempt a sign-in request makes."""
        return cls((email or "").strip().lower()[:254], client_address(request)[:45])


def recent_failures(attempt: Attempt) -> list[SignInFailure]:
    """This attempt's failures inside the window, oldest first."""
    since = timezone.now() - WINDOW
    return list(
        SignInFailure.objects.filter(
            email=attempt.email, ip_address=attempt.ip_address, created_at__gt=since
        ).order_by("created_at")[:MAX_FAILURES]
    )


def minutes_locked(attempt: Attempt) -> int:
    """How many more minutes this attempt must wait (0 when it may try now)."""
    failures = recent_failures(attempt)
    if len(failures) < MAX_FAILURES:
        return 0
    unlocks_at = failures[0].created_at + WINDOW
    return max(1, math.ceil((unlocks_at - timezone.now()).total_seconds() / 60))


def record_failure(attempt: Attempt) -> None:
    """Count a failed sign-in, and forget failures too old to matter."""
    SignInFailure.objects.filter(created_at__lte=timezone.now() - WINDOW).delete()
    SignInFailure.objects.create(email=attempt.email, ip_address=attempt.ip_address)


def clear(attempt: Attempt) -> None:
    """Forget this attempt's failures after a successful sign-in."""
    SignInFailure.objects.filter(email=attempt.email, ip_address=attempt.ip_address).delete()
