"""Downloading a file from a signed URL, continuing with ``Range`` after a dropped connection.

Bytes go to ``<name>.part`` and the file takes its final name only once complete, so an
interrupted download never looks finished.
"""

from __future__ import annotations

from email.message import Message
from pathlib import Path
from typing import IO, Any

import requests

from pluto.client.errors import ConnectionFailed
from pluto.client.http import Transport
from pluto.client.progress import bar

BLOCK = 64 * 1024
DOWNLOAD_ATTEMPTS = 5


def filename_from(response: requests.Response) -> str | None:
    """The file name in ``Content-Disposition``, reduced to a bare name (no folders)."""
    header = response.headers.get("Content-Disposition")
    if not header:
        return None
    message = Message()
    message["Content-Disposition"] = header
    name = message.get_filename()
    bare = Path(name).name if name else ""
    return bare or None


def target_path(requested: str | Path | None, response: requests.Response, fallback: str) -> Path:
    """Where to save: the path asked for (a folder gets the server's file name inside it)."""
    name = filename_from(response) or fallback
    if requested is None:
        return Path(name)
    path = Path(requested).expanduser()
    return path / name if path.is_dir() else path


def open_download(transport: Transport, url: str, offset: int) -> requests.Response:
    """GET the signed URL (no auth header), from byte ``offset`` on."""
    headers = {"Range": f"bytes={offset}-"} if offset else {}
    response = transport.send("GET", url, headers=headers, stream=True)
    if response.status_code >= 400:
        raise transport.error_from(response)
    return response


def copy_body(response: requests.Response, out: IO[bytes], shown: Any) -> None:
    """Write the response body to ``out`` block by block."""
    for block in response.iter_content(BLOCK):
        out.write(block)
        shown.update(len(block))


def download(
    transport: Transport,
    url: str,
    requested: str | Path | None,
    *,
    fallback_name: str,
    progress: bool,
) -> Path:
    """Save the file at ``url``; its path."""
    response = open_download(transport, url, 0)
    target = target_path(requested, response, fallback_name)
    partial = target.with_name(target.name + ".part")
    total = int(response.headers.get("Content-Length") or 0) or None
    with (
        partial.open("wb") as out,
        bar(total, enabled=progress, unit="B", unit_scale=True) as shown,
    ):
        for attempt in range(1, DOWNLOAD_ATTEMPTS + 1):
            try:
                copy_body(response, out, shown)
                break
            except requests.RequestException as exc:
                if attempt == DOWNLOAD_ATTEMPTS:
                    raise ConnectionFailed(f"The download of {target.name} kept failing.") from exc
                response = resume(transport, url, out)
    partial.replace(target)
    return target


def resume(transport: Transport, url: str, out: IO[bytes]) -> requests.Response:
    """Ask for the rest of the file; start over when the server ignores ``Range``."""
    response = open_download(transport, url, out.tell())
    if response.status_code != 206:
        out.seek(0)
        out.truncate()
    return response
