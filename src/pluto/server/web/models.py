"""Rows the web pages keep: failed sign-ins, for the lockout after repeated failures.

Kept in the database (not a per-process cache) so that every server process behind a load
balancer counts the same failures.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class SignInFailure(models.Model):
    """One failed sign-in for an email address from one client address."""

    email = models.CharField(max_length=254)
    ip_address = models.CharField(max_length=45)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["email", "ip_address", "created_at"])]

    def __str__(self) -> str:
        return f"{self.email} from {self.ip_address} at {self.created_at:%Y-%m-%d %H:%M}"
