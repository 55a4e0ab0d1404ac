"""Fixtures and helpers for files and upload sessions: an experiment, uploads over HTTP."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client

from pluto.server.lab.models import Experiment
from tests.conftest import Caller, make_experiment, make_project


@pytest.fixture
def experiment(ada: Caller) -> Experiment:
    """An experiment owned by ada."""
    return make_experiment(ada.user, make_project(ada.user))


def path_of(url: str) -> str:
    """The path (and query) of an absolute URL, for Django's test client."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def files_path(experiment: Experiment, rest: str = "") -> str:
    """``lab/experiments/<exp>/files/<rest>``."""
    return f"/lab/experiments/{experiment.pluto_id}/files/{rest}"


def start_upload(caller: Caller, experiment: Experiment, content: bytes, **fields: Any) -> Any:
    """Create an upload session for ``content``; the response, with ``.data`` parsed."""
    body = {
        "filename": "protocol.pdf",
        "data_type": "attachment",
        "file_type": ".pdf",
        "file_size": len(content),
        **fields,
    }
    return caller.call("POST", f"/lab/experiments/{experiment.pluto_id}/upload-sessions/", body)


def put_bytes(
    url: str, chunk: bytes, content_range: str | None, client: Client | None = None
) -> Any:
    """PUT a chunk to a session URL with no auth header."""
    headers = {"HTTP_CONTENT_RANGE": content_range} if content_range else {}
    return (client or Client()).put(
        path_of(url), data=chunk, content_type="application/octet-stream", **headers
    )


def put_chunk(url: str, content: bytes, first: int, last: int) -> Any:
    """PUT bytes ``first..last`` of ``content``, naming the whole size as the total."""
    return put_bytes(url, content[first : last + 1], f"bytes {first}-{last}/{len(content)}")


def probe(url: str, total: str = "*", client: Client | None = None) -> Any:
    """Ask a session how many bytes have arrived."""
    return put_bytes(url, b"", f"bytes */{total}", client)


def upload(caller: Caller, experiment: Experiment, content: bytes, **fields: Any) -> dict[str, Any]:
    """Upload ``content`` in one chunk; the file object of the finished upload."""
    session = start_upload(caller, experiment, content, **fields)
    assert session.status_code == 201, session.data
    done = put_chunk(session.data["session_url"], content, 0, len(content) - 1)
    assert done.status_code == 200, done.content
    result: dict[str, Any] = done.json()
    return result
