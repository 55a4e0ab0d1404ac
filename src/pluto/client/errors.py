"""The SDK's exceptions: one tree under :class:`PlutoError`, built from the server's error body.

Every API error answers ``{"code", "message", "details"}`` (API.md); the exception keeps all
three plus the HTTP status, and ``str()`` reads as one line a person can act on, such as
``404 not_found: Experiment PLX999999 was not found.``
"""

from __future__ import annotations

from typing import Any


class PlutoError(Exception):
    """Any failure talking to a Pluto server.

    Attributes:
        status: the HTTP status, or None when no answer came (or none was asked for).
        code: the server's stable snake_case error code, such as ``not_found``.
        message: a sentence saying what went wrong and, where possible, what to do.
        details: extra facts from the server, such as the field or row at fault.
    """

    default_code = "error"

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code or self.default_code
        self.message = message
        self.details: dict[str, Any] = details or {}

    def __str__(self) -> str:
        prefix = f"{self.status} {self.code}" if self.status is not None else self.code
        return f"{prefix}: {self.message}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status={self.status!r}, code={self.code!r})"


class AuthenticationError(PlutoError):
    """401: no token, or a token the server does not accept (unknown, deleted or expired)."""

    default_code = "authentication_failed"


class PermissionDenied(PlutoError):
    """403: the object is visible but the caller may not do this to it."""

    default_code = "permission_denied"


class NotFound(PlutoError):
    """404: the object does not exist, or the caller may not see it."""

    default_code = "not_found"


class InvalidRequest(PlutoError):
    """400, 413 and other 4xx answers: bad parameters, a bad upload, a limit exceeded."""

    default_code = "invalid"


class RateLimited(PlutoError):
    """429 after the retries ran out; ``retry_after`` is the server's advice in seconds."""

    default_code = "throttled"

    def __init__(self, message: str, *, retry_after: float | None = None, **fields: Any) -> None:
        super().__init__(message, **fields)
        self.retry_after = retry_after


class ServerError(PlutoError):
    """5xx: the server failed; retrying later may help."""

    default_code = "server_error"


class ConnectionFailed(PlutoError):
    """The server could not be reached or did not answer in time."""

    default_code = "connection_failed"


class AnalysisFailed(PlutoError):
    """An analysis that was waited for ended ``failed`` or ``cancelled``; ``analysis`` says how."""

    default_code = "analysis_failed"

    def __init__(self, message: str, *, analysis: Any = None, **fields: Any) -> None:
        super().__init__(message, **fields)
        self.analysis = analysis


class AnalysisUnprocessable(AnalysisFailed):
    """An analysis whose data cannot be analysed with its parameters (``unprocessable``).

    Running it again changes nothing: change the parameters or the data first.
    """

    default_code = "analysis_unprocessable"


class WaitTimedOut(PlutoError, TimeoutError):
    """Waiting for an analysis took longer than the ``timeout`` given."""

    default_code = "wait_timed_out"


def error_class_for(status: int) -> type[PlutoError]:
    """The exception class of an HTTP error status."""
    by_status: dict[int, type[PlutoError]] = {
        401: AuthenticationError,
        403: PermissionDenied,
        404: NotFound,
        429: RateLimited,
    }
    if status in by_status:
        return by_status[status]
    return ServerError if status >= 500 else InvalidRequest
