"""The HTTP layer: one ``requests.Session`` with timeouts, retries and the error mapping.

GETs are retried on connection errors, 429 (honouring ``Retry-After``) and 502/503/504 with
jittered exponential backoff. Other methods are retried only when the connection could not
be opened, since then nothing reached the server. The token travels in the
``Authorization`` header of API calls only: never to signed upload or download URLs, and
never into a message, a log line or a repr.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlsplit

import requests
import requests.auth
from requests.adapters import HTTPAdapter
from urllib3.exceptions import NewConnectionError, TimeoutError
from urllib3.util.retry import Retry

from pluto import __version__
from pluto.client.errors import ConnectionFailed, PlutoError, RateLimited, error_class_for

logger = logging.getLogger("pluto.client")

DEFAULT_TIMEOUT = 60.0
DEFAULT_RETRIES = 5
CONNECT_TIMEOUT = 10.0
RETRY_STATUSES = (429, 502, 503, 504)
MAX_RETRY_AFTER = 120.0
JSON = "application/json"


class PoliteRetry(Retry):
    """urllib3's ``Retry``, with a server's ``Retry-After`` capped so a script never hangs."""

    def get_retry_after(self, response: Any) -> float | None:
        """The server's advice in seconds, at most :data:`MAX_RETRY_AFTER`."""
        advice = super().get_retry_after(response)
        return None if advice is None else min(advice, MAX_RETRY_AFTER)


def retry_policy(retries: int) -> Retry:
    """Up to ``retries`` retries with jittered exponential backoff (0.5 s, 1 s, 2 s, …)."""
    return PoliteRetry(
        total=retries,
        connect=retries,
        read=retries,
        status=retries,
        allowed_methods=frozenset({"GET", "HEAD"}),
        status_forcelist=RETRY_STATUSES,
        backoff_factor=0.5,
        backoff_jitter=0.5,
        backoff_max=30.0,
        respect_retry_after_header=True,
        raise_on_status=False,
    )


def build_session(retries: int | Retry) -> requests.Session:
    """A session whose adapters retry as :func:`retry_policy` says."""
    policy = retries if isinstance(retries, Retry) else retry_policy(retries)
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=policy, pool_connections=4, pool_maxsize=16)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers["User-Agent"] = f"pluto-python/{__version__}"
    return session


def path_part(identifier: object) -> str:
    """An id made safe to put in a URL path."""
    return quote(str(identifier), safe="")


ORGANIZATION_HEADER = "Organization"


class TokenAuth(requests.auth.AuthBase):
    """Adds ``Authorization: Token <key>`` to a request, without showing the key in reprs."""

    def __init__(self, token: str) -> None:
        self._token = token

    def __repr__(self) -> str:
        return "TokenAuth(<hidden>)"

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Token {self._token}"
        return request


class Transport:
    """Sends requests to one Pluto server and turns error answers into :class:`PlutoError`."""

    def __init__(
        self,
        url: str,
        token: str,
        *,
        timeout: float,
        retries: int | Retry,
        organization: str | None = None,
    ) -> None:
        self.url = url
        self.timeout = timeout
        self.session = build_session(retries)
        if organization:
            self.session.headers[ORGANIZATION_HEADER] = organization
        self.auth = TokenAuth(token)
        self._token = token

    def __repr__(self) -> str:
        return f"Transport(url={self.url!r})"

    def endpoint(self, path: str) -> str:
        """The absolute URL of an API path: ``experiments/PLX140206/`` is under ``lab/``, a
        path with a leading slash (``/programs/``) is from the server's root."""
        if path.startswith("/"):
            return f"{self.url}{path}"
        return f"{self.url}/lab/{path}"

    def call(
        self, method: str, path: str, headers: Mapping[str, str] | None = None, **options: Any
    ) -> requests.Response:
        """An API request; the response when it succeeded (2xx or 3xx), else an exception."""
        sent_headers = {"Accept": JSON, **(headers or {})}
        response = self.send(
            method, self.endpoint(path), headers=sent_headers, auth=self.auth, **options
        )
        if response.status_code >= 400:
            raise self.error_from(response)
        return response

    def call_json(self, method: str, path: str, **options: Any) -> Any:
        """An API request whose answer is JSON; the parsed body (None when empty)."""
        response = self.call(method, path, **options)
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError as exc:
            raise PlutoError(
                f"The server answered {method} {self.shown(response.url)} with something that "
                "is not JSON; is the URL a Pluto server?",
                status=response.status_code,
                code="invalid_response",
            ) from exc

    def send(self, method: str, url: str, **options: Any) -> requests.Response:
        """One request (with retries); network failures become :class:`ConnectionFailed`."""
        options.setdefault("timeout", (min(CONNECT_TIMEOUT, self.timeout), self.timeout))
        options.setdefault("allow_redirects", method in ("GET", "HEAD"))
        try:
            response = self.session.request(method, url, **options)
        except requests.RequestException as exc:
            raise self.network_error(method, url, exc) from exc
        logger.debug("%s %s -> %s", method, self.shown(url), response.status_code)
        return response

    def network_error(self, method: str, url: str, exc: Exception) -> ConnectionFailed:
        """A :class:`ConnectionFailed` saying whether the server was silent or out of reach."""
        if timed_out(exc):
            return ConnectionFailed(
                f"The Pluto server at {self.url} did not answer {method} {self.shown(url)} "
                f"within {self.timeout:g} seconds."
            )
        return ConnectionFailed(
            f"Could not reach the Pluto server at {self.url} ({type(exc).__name__}); "
            "check the URL (PLUTO_API_URL) and that the server is running."
        )

    def shown(self, url: str) -> str:
        """A URL as it may appear in messages: its path only (signed URLs hold secrets)."""
        return urlsplit(url).path

    def error_from(self, response: requests.Response) -> PlutoError:
        """The exception for an error answer, from the JSON error body when there is one."""
        body = error_body(response)
        message = body.get("message") or body.get("detail") or self.fallback_message(response)
        details = body.get("details") if isinstance(body.get("details"), dict) else {}
        fields: dict[str, Any] = {
            "status": response.status_code,
            "code": body.get("code") if isinstance(body.get("code"), str) else None,
            "details": details,
        }
        error_class = error_class_for(response.status_code)
        if error_class is RateLimited:
            fields["retry_after"] = retry_after_seconds(response)
        return error_class(self.redact(str(message)), **fields)

    def fallback_message(self, response: requests.Response) -> str:
        """A message for an error answer without the JSON error body (a proxy, not Pluto)."""
        method = response.request.method if response.request is not None else "request"
        return (
            f"The server answered {response.status_code} {response.reason or ''} to "
            f"{method} {self.shown(response.url)}."
        ).replace("  ", " ")

    def redact(self, text: str) -> str:
        """``text`` with the token replaced, should a server ever echo it."""
        return text.replace(self._token, "<token>") if self._token else text

    def close(self) -> None:
        """Release the pooled connections."""
        self.session.close()


def timed_out(exc: Exception) -> bool:
    """Whether a request failed because an answer took too long (after any retries)."""
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    # urllib3's NewConnectionError (connection refused) subclasses ConnectTimeoutError.
    if isinstance(reason, NewConnectionError):
        return False
    return isinstance(exc, requests.Timeout) or isinstance(reason, TimeoutError)


def error_body(response: requests.Response) -> dict[str, Any]:
    """The JSON error body, or an empty dict when the answer has none."""
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def retry_after_seconds(response: requests.Response) -> float | None:
    """The ``Retry-After`` header in seconds, when it is a number."""
    try:
        return float(response.headers.get("Retry-After", ""))
    except ValueError:
        return None
