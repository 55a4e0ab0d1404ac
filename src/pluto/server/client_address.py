"""Who is at the other end of a request: ``X-Forwarded-For`` is believed only from proxies
named in ``PLUTO_TRUSTED_PROXIES``.

Anyone can send the header, so an address taken from it unchecked would let one client pose
as a new one on every request (a fresh sign-in lockout, a fresh rate limit). ``pluto serve``
gives gunicorn the same list for ``X-Forwarded-Proto`` (:mod:`pluto.server.serving`), so the
whole chain agrees on who the client is and how it came.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def is_trusted_proxy(address: str) -> bool:
    """Whether ``address`` is one of the proxies named in ``PLUTO_TRUSTED_PROXIES``."""
    try:
        ip = ipaddress.ip_address(address.strip().strip("[]"))
    except ValueError:
        return False
    return any(ip in network for network in settings.TRUSTED_PROXIES)


def forwarded_client(remote: str, forwarded_for: str) -> str:
    """The first address, from the right, that is not a trusted proxy (each proxy appends
    the address it was reached from)."""
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not is_trusted_proxy(hop):
            return hop
    return hops[0] if hops else remote


def client_address(request: HttpRequest | None) -> str:
    """The client's address: the peer's, or what trusted proxies say they were reached from."""
    if request is None:
        return "unknown"
    remote = str(request.META.get("REMOTE_ADDR") or "unknown")
    forwarded_for = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded_for and is_trusted_proxy(remote):
        return forwarded_client(remote, forwarded_for)
    return remote
