"""Log lines without secrets: signed links, upload links and API keys are redacted.

A signed download or upload URL is a bearer secret for hours or days, and a script may send
its API key as ``?token=``; an access log that keeps full paths would hand them to anyone
who reads it. The filter rewrites every record before any handler writes it: gunicorn's
access log and Django's request log both pass the path as an argument.
"""

from __future__ import annotations

import logging
import re
from typing import Any

REDACTED = "[redacted]"
# The path segment after these prefixes is the signed token (signed_urls, frames, uploads).
SIGNED_PATHS = re.compile(r"(/(?:files/signed|plots/frame|uploads)/)[^/?#\s\"']+")
SECRET_PARAMETERS = re.compile(
    r"([?&;](?:token|key|api_key|apikey|access_token|auth|signature|sig|"
    r"x-amz-signature|x-amz-credential|x-amz-security-token)=)[^&#\s\"']*",
    re.IGNORECASE,
)
# A Pluto API key anywhere else (a header echoed into a message, a typo'd parameter name).
API_KEY = re.compile(r"\bplut[A-Za-z0-9]{36}\b")


def redact(text: str) -> str:
    """``text`` with signed tokens, secret query parameters and API keys replaced."""
    text = SIGNED_PATHS.sub(rf"\g<1>{REDACTED}", text)
    text = SECRET_PARAMETERS.sub(rf"\g<1>{REDACTED}", text)
    return API_KEY.sub(REDACTED, text)


def redacted(value: Any) -> Any:
    """A log argument with its secrets redacted (strings only; numbers stay numbers)."""
    return redact(value) if isinstance(value, str) else value


class RedactSecrets(logging.Filter):
    """Redacts the message and its arguments in place, so every handler sees the same line."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, dict):
            # In place: gunicorn's access log passes a dict subclass that answers '-' for
            # atoms it lacks, which a plain dict would not.
            for name, value in record.args.items():
                record.args[name] = redacted(value)
        elif isinstance(record.args, tuple):
            record.args = tuple(redacted(value) for value in record.args)
        return True


FILTERS = {"redact_secrets": {"()": "pluto.server.log_redaction.RedactSecrets"}}
