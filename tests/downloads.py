"""Fetching a download URL, whichever store made it.

The server's own signed URLs (the local-folder store) go through Django's test client; the
store's presigned URLs (S3) are absolute URLs of another server and go over real HTTP, with no
credentials either way. So the same test checks a download under either store.
"""

from __future__ import annotations

from dataclasses import dataclass

import requests
from django.test import Client

TEST_SERVER = "http://testserver"


@dataclass(frozen=True)
class Fetched:
    """A download's status, whole body and headers (names in lower case)."""

    status: int
    body: bytes
    headers: dict[str, str]


def fetch_url(url: str, **headers: str) -> Fetched:
    """GET ``url`` with no credentials; ``headers`` as Django's ``HTTP_*`` names."""
    if url.startswith(TEST_SERVER + "/"):
        response = Client().get(url.removeprefix(TEST_SERVER), **headers)
        streamed = getattr(response, "streaming", False)
        body = b"".join(response.streaming_content) if streamed else response.content
        answered = {key.lower(): value for key, value in response.items()}
        return Fetched(response.status_code, body, answered)
    sent = {name.removeprefix("HTTP_").replace("_", "-").title(): v for name, v in headers.items()}
    answer = requests.get(url, headers=sent, timeout=60)
    answered = {key.lower(): value for key, value in answer.headers.items()}
    return Fetched(answer.status_code, answer.content, answered)
