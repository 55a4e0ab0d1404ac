"""Resumable file uploads (upload sessions) and sample or assay table uploads.

A file goes up in chunks to the session URL with ``Content-Range``. When a chunk fails (a
dropped connection, a 5xx, a busy session) the SDK asks the server how much it has stored
(``Content-Range: bytes */<total>`` → ``308`` with ``Range``) and continues from there, so
no byte is sent twice and none is skipped.
"""

from __future__ import annotations

import io
import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import requests

from pluto.client.errors import ConnectionFailed, PlutoError, RateLimited, ServerError
from pluto.client.http import Transport, path_part
from pluto.client.progress import bar

CHUNK_SIZE = 8 * 1024 * 1024
UPLOAD_ATTEMPTS = 6
PARQUET = "application/vnd.apache.parquet"
TABLE_CONTENT_TYPES = {
    ".csv": "text/csv",
    ".tsv": "text/tab-separated-values",
    ".tab": "text/tab-separated-values",
    ".txt": "text/tab-separated-values",
    ".parquet": PARQUET,
    ".pq": PARQUET,
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".gz": "application/gzip",
}
# Worth another try: the chunk may not have been stored, and the server will say what was.
BUSY_STATUSES = frozenset({408, 409, 425})


@dataclass(frozen=True)
class UploadSession:
    """A started upload: resume it with ``Client.resume_upload`` after an interruption.

    ``session_url`` is the secret that allows the upload, so it is left out of ``repr``.
    """

    uuid: str
    experiment_id: str
    file_size: int
    session_url: str = field(repr=False)
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: dict[str, Any], experiment_id: str) -> UploadSession:
        """A session from the answer to ``POST …/upload-sessions/``."""
        return cls(
            uuid=str(data.get("uuid", "")),
            experiment_id=experiment_id,
            file_size=int(data.get("file_size") or 0),
            session_url=str(data.get("session_url", "")),
            raw=data,
        )


@dataclass(frozen=True)
class Stored:
    """How far an upload has got: bytes stored, and the file object once complete."""

    received: int
    file: dict[str, Any] | None = None


def session_fields(path: Path, data_type: str, file_type: str | None) -> dict[str, Any]:
    """The body of ``POST …/upload-sessions/`` for a local file."""
    return {
        "filename": path.name,
        "data_type": data_type,
        "file_type": path.suffix.lower() if file_type is None else file_type,
        "file_size": path.stat().st_size,
    }


def start_session(
    transport: Transport, experiment_id: str, path: Path, data_type: str, file_type: str | None
) -> UploadSession:
    """Open an upload session for ``path``."""
    body = session_fields(path, data_type, file_type)
    answer = transport.call_json(
        "POST", f"experiments/{path_part(experiment_id)}/upload-sessions/", json=body
    )
    return UploadSession.from_json(answer, experiment_id)


def complete_session(transport: Transport, session: UploadSession) -> dict[str, Any]:
    """Ask the server to finish a session whose bytes have all arrived; the file object."""
    path = (
        f"experiments/{path_part(session.experiment_id)}/upload-sessions/"
        f"{path_part(session.uuid)}/complete/"
    )
    answer: dict[str, Any] = transport.call_json("POST", path)
    return answer


def stored_from(response: requests.Response, total: int) -> Stored:
    """Progress from a session URL's answer: 308 with ``Range``, or 200/201 with the file."""
    if response.status_code in (200, 201):
        body = response.json() if response.content else None
        return Stored(received=total, file=body if isinstance(body, dict) else None)
    byte_range = response.headers.get("Range", "")
    if not byte_range.startswith("bytes=") or "-" not in byte_range:
        return Stored(received=0)
    return Stored(received=int(byte_range.rsplit("-", 1)[1]) + 1)


def put_to_session(
    transport: Transport, url: str, body: bytes, content_range: str
) -> requests.Response:
    """One PUT to a session URL (no auth header: the URL is the credential)."""
    headers = {"Content-Range": content_range, "Content-Type": "application/octet-stream"}
    response = transport.send("PUT", url, data=body, headers=headers)
    if response.status_code >= 400:
        raise transport.error_from(response)
    return response


def probe(transport: Transport, session: UploadSession) -> Stored:
    """Ask how many bytes the server has stored (this also completes a fully sent upload)."""
    url, total = session.session_url, session.file_size
    return stored_from(put_to_session(transport, url, b"", f"bytes */{total}"), total)


def send_chunk(
    transport: Transport, session: UploadSession, source: IO[bytes], first: int, size: int
) -> Stored:
    """PUT the chunk of at most ``size`` bytes that starts at byte ``first``."""
    source.seek(first)
    chunk = source.read(size)
    last = first + len(chunk) - 1
    content_range = f"bytes {first}-{last}/{session.file_size}"
    answer = put_to_session(transport, session.session_url, chunk, content_range)
    return stored_from(answer, session.file_size)


def worth_retrying(error: PlutoError) -> bool:
    """Failures after which the server may still take the rest of the upload."""
    if isinstance(error, ConnectionFailed | ServerError | RateLimited):
        return True
    return error.status in BUSY_STATUSES or "resume_from" in error.details


def pause(attempt: int) -> None:
    """Jittered exponential backoff between upload attempts."""
    time.sleep(min(30.0, 0.25 * 2 ** (attempt - 1)) + random.uniform(0, 0.25))


def count_failure(error: PlutoError, failures: int) -> int:
    """One more failed attempt: re-raise when it is final, else wait and say how many so far."""
    failures += 1
    if failures >= UPLOAD_ATTEMPTS or not worth_retrying(error):
        raise error
    pause(failures)
    return failures


def resync(transport: Transport, session: UploadSession, failures: int) -> tuple[Stored, int]:
    """Ask where the upload stands after a failure, retrying the question itself if need be."""
    while True:
        try:
            return probe(transport, session), failures
        except PlutoError as error:
            failures = count_failure(error, failures)


def send_file(
    transport: Transport,
    session: UploadSession,
    path: Path,
    *,
    progress: bool,
    chunk_size: int = CHUNK_SIZE,
) -> dict[str, Any] | None:
    """Send ``path`` from wherever the server's stored bytes end; the file object once done.

    None means every byte is stored but the server did not finish the file on its own.
    """
    with path.open("rb") as source, upload_bar(session.file_size, path.name, progress) as shown:
        stored, failures = resync(transport, session, 0)
        while stored.file is None and stored.received < session.file_size:
            shown.update(stored.received - shown.n)
            try:
                after = send_chunk(transport, session, source, stored.received, chunk_size)
            except PlutoError as error:
                stored, failures = resync(transport, session, count_failure(error, failures))
                continue
            if after.file is None and after.received <= stored.received:
                raise PlutoError(
                    f"The server stored none of the chunk at byte {stored.received}.",
                    code="upload_stalled",
                )
            stored, failures = after, 0
        shown.update(session.file_size - shown.n)
    return stored.file


@contextmanager
def upload_bar(total: int, name: str, enabled: bool) -> Iterator[Any]:
    """A byte-counting progress bar for an upload."""
    shown = bar(total, enabled=enabled, unit="B", unit_scale=True, unit_divisor=1024, desc=name)
    try:
        yield shown
    finally:
        shown.close()


def table_body(source: str | Path | pd.DataFrame) -> tuple[IO[bytes], str, str]:
    """What to PUT for a table: the bytes, their content type and a file name."""
    if isinstance(source, pd.DataFrame):
        return parquet_bytes(source), PARQUET, "table.parquet"
    path = Path(source)
    suffix = path.suffix.lower()
    if suffix not in TABLE_CONTENT_TYPES:
        raise ValueError(
            f"Cannot tell the format of {path.name!r}: use .csv, .tsv, .parquet or .xlsx "
            "(optionally .gz for CSV or TSV), or pass a pandas DataFrame."
        )
    return path.open("rb"), TABLE_CONTENT_TYPES[suffix], path.name


def parquet_bytes(frame: pd.DataFrame) -> IO[bytes]:
    """A DataFrame as Parquet in memory; a meaningful index becomes the first column."""
    if not isinstance(frame.index, pd.RangeIndex):
        frame = frame.reset_index()
    buffer = io.BytesIO()
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), buffer)
    buffer.seek(0)
    return buffer


def upload_table(
    transport: Transport, experiment_id: str, kind: str, source: str | Path | pd.DataFrame
) -> dict[str, Any]:
    """PUT a sample or assay table (``kind`` is ``sample`` or ``assay``); the server's answer."""
    body, content_type, filename = table_body(source)
    headers = {
        "Content-Type": content_type,
        "Content-Disposition": f'attachment; filename="{filename}"',
    }
    path = f"experiments/{path_part(experiment_id)}/{kind}-data/"
    with body:
        answer: dict[str, Any] = transport.call_json(
            "PUT", path, data=body, headers=headers, params={"filename": filename}
        )
    return answer
