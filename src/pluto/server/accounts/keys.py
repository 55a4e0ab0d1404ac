"""The API key format: 40 ASCII letters and digits, a fixed prefix and a checksum.

``plut`` + 32 random base-62 characters + 4 base-62 characters of a CRC-32 over the first
36. The prefix lets leaked keys be recognised by scanners; the checksum lets a mistyped key
be refused without a database look-up. Keys are stored as HMAC-SHA256 digests.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import string
import zlib

KEY_PREFIX = "plut"
KEY_LENGTH = 40
RANDOM_LENGTH = 32
CHECKSUM_LENGTH = 4
ALPHABET = string.digits + string.ascii_letters


def encode_base62(value: int, width: int) -> str:
    """``value`` in base 62, left-padded with zeros to ``width`` characters."""
    chars = []
    for _ in range(width):
        value, digit = divmod(value, 62)
        chars.append(ALPHABET[digit])
    return "".join(reversed(chars))


def checksum(body: str) -> str:
    """The 4-character checksum of a key's first 36 characters."""
    return encode_base62(zlib.crc32(body.encode("ascii")) % 62**CHECKSUM_LENGTH, CHECKSUM_LENGTH)


def generate_key() -> str:
    """A new random key in the documented format."""
    body = KEY_PREFIX + "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LENGTH))
    return body + checksum(body)


def is_well_formed(key: str) -> bool:
    """Whether ``key`` has the format and a matching checksum (no database needed)."""
    if len(key) != KEY_LENGTH or not key.startswith(KEY_PREFIX):
        return False
    if not all(c in ALPHABET for c in key):
        return False
    return hmac.compare_digest(checksum(key[:-CHECKSUM_LENGTH]), key[-CHECKSUM_LENGTH:])


def hash_key(key: str, secret: str) -> str:
    """The keyed hash (HMAC-SHA256, hex) under which a key is stored and looked up."""
    return hmac.new(secret.encode("utf-8"), key.encode("ascii"), hashlib.sha256).hexdigest()
