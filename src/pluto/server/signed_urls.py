"""Signed, expiring download URLs for stored objects, served by the server itself.

The URL carries the object key, the file name and the content type, signed with the
instance's secret key and a timestamp: no auth header is needed, changing any character
gives 403, and an expired one gives 410. When the objects live in S3 the store hands out
presigned URLs instead, so the bytes go from the store to the client without passing a node.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.http import HttpRequest

from pluto.server.errors import PlutoError
from pluto.server.storage import get_storage
from pluto.server.web.context import server_url

SALT = "pluto.signed-download.v1"
DEFAULT_TTL_SECONDS = 3600
SAFE_FILENAME = re.compile(r"[^A-Za-z0-9._ ()+-]")
INERT_TYPE = "application/octet-stream"
# Types a browser would run or render as a page (web/downloads.py says why they go inert).
ACTIVE_TYPES = re.compile(
    r"^(text/html|application/xhtml\+xml|image/svg\+xml|(text|application)/([a-z.+-]*\+)?xml"
    r"|(text|application)/(x-)?(java|ecma)script|text/jscript|text/livescript"
    r"|application/(x-)?(javascript|wasm)|text/css)(;|$)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class SignedObject:
    """What a valid signed URL grants: one stored object, named and typed."""

    key: str
    filename: str
    content_type: str


def safe_filename(name: str, fallback: str = "download") -> str:
    """A file name with no path parts or characters that could break a header."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    cleaned = SAFE_FILENAME.sub("_", base)[:200].strip(". ")
    return cleaned or fallback


def served_type(content_type: str) -> str:
    """The type a file is sent as: its own, unless a browser could run it."""
    return INERT_TYPE if ACTIVE_TYPES.match(content_type.strip()) else content_type


def ttl_seconds() -> int:
    """How long signed URLs stay valid (``PLUTO_SIGNED_URL_TTL`` seconds when set)."""
    return int(getattr(settings, "SIGNED_URL_TTL", DEFAULT_TTL_SECONDS))


def sign(payload: dict[str, Any], salt: str) -> str:
    """A URL-safe token carrying ``payload``, signed with the instance's key and the time."""
    return signing.dumps(payload, salt=salt, compress=True)


def unsign(token: str, salt: str, link: str, renew: str) -> dict[str, Any]:
    """The payload of a token made by :func:`sign`; 403 when altered, 410 when older than
    ``PLUTO_SIGNED_URL_TTL``. ``link`` names the link and ``renew`` says how to get a new one.
    """
    try:
        payload: dict[str, Any] = signing.loads(token, salt=salt, max_age=ttl_seconds())
    except signing.SignatureExpired as exc:
        raise PlutoError(f"This {link} has expired; {renew}.", code="gone", status=410) from exc
    except signing.BadSignature as exc:
        raise PlutoError(
            f"This {link} is not valid.", code="permission_denied", status=403
        ) from exc
    return payload


def signed_download_url(request: HttpRequest, key: str, filename: str, content_type: str) -> str:
    """An absolute URL that downloads ``key`` with a plain GET until it expires."""
    name, served = safe_filename(filename), served_type(content_type)
    direct = get_storage().download_url(key, name, served, ttl_seconds())
    if direct is not None:
        return direct
    token = sign({"k": key, "f": safe_filename(filename), "t": content_type}, SALT)
    return f"{server_url(request)}/files/signed/{token}/"


def verify_token(token: str) -> SignedObject:
    """The object a signed URL grants; 403 when altered, 410 when expired."""
    payload = unsign(token, SALT, "download link", "ask the API for a new one")
    return SignedObject(key=payload["k"], filename=payload["f"], content_type=payload["t"])
