"""The API key format: 40 ASCII letters and digits, a fixed prefix and a checksum.

``plut`` + 32 random base-62 characters + a 4-character base-62 checksum of the first 36.
The prefix lets leaked keys be recognised by scanners; the checksum lets a mistyped key be
refused without a database look-up. Keys are stored as HMAC-SHA256 digests.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import string

KEY_PREFIX = "plut"
KEY_LENGTH = 40
RANDOM_LENGTH = 32
CHECKSUM_LENGTH = 4
ALPHABET = string.digits + string.ascii_letters
# The largest prime below 62**4, so the checksum fills its four base-62 characters.
CHECKSUM_MODULUS = 14_776_331


def encode_base62(value: int, width: int) -> str:
    """``value`` in base 62, left-padded with zeros to ``width`` characters."""
    chars = []
    for _ in range(width):
        value, digit = divmod(value, 62)
        chars.append(ALPHABET[digit])
    return "".join(reversed(chars))


def checksum(body: str) -> str:
    """The 4-character checksum of a key's first 36 characters.

    The body read as a base-62 number, modulo a prime: changing any one character, or
    swapping two adjacent ones, always changes it (a CRC-32 cut down to four base-62
    characters lets some typos through).
    """
    value = 0
    for char in body:
        value = (value * len(ALPHABET) + ALPHABET.index(char)) % CHECKSUM_MODULUS
    return encode_base62(value, CHECKSUM_LENGTH)


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
