"""The server's own log configuration redacts signed links, upload links and API keys."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

KEY = "plut" + "A1b2C3d4" * 4 + "Zz99"


@pytest.fixture
def server_log() -> Iterator[io.StringIO]:
    """What the handlers of the server's LOGGING setting write, caught in memory."""
    handlers = [h for h in logging.getLogger().handlers if isinstance(h, logging.StreamHandler)]
    assert handlers, "LOGGING gives the root logger no stream handler"
    caught = io.StringIO()
    previous = [h.setStream(caught) for h in handlers]
    try:
        yield caught
    finally:
        for handler, stream in zip(handlers, previous, strict=True):
            handler.setStream(stream)


@pytest.mark.parametrize(
    ("path", "shown"),
    [
        (f"/lab/me/?token={KEY}", "/lab/me/?token=[redacted]"),
        ("/files/signed/eyJrIjoiYSJ9:1u:abc/?x=1", "/files/signed/[redacted]/?x=1"),
        ("/uploads/0f3a:Zm9v/", "/uploads/[redacted]/"),
        ("/plots/frame/eyJrIjoiYSJ9:1u:abc/", "/plots/frame/[redacted]/"),
        (f"/lab/me/?limit=5&Key={KEY}&x=1", "/lab/me/?limit=5&Key=[redacted]&x=1"),
        (f"/lab/projects/{KEY}/", "/lab/projects/[redacted]/"),
    ],
)
def test_django_request_log_lines_carry_no_secrets(
    server_log: io.StringIO, path: str, shown: str
) -> None:
    logging.getLogger("django.request").error("Internal Server Error: %s", path)

    written = server_log.getvalue()
    assert f"Internal Server Error: {shown}" in written
    assert KEY not in written and "Zm9v" not in written and "abc/" not in written
