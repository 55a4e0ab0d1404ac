"""Getting an uploaded table onto disk: a raw body, a multipart field, or a stored file.

The body is streamed to a temporary file in chunks, never held in memory, and refused with
``413 payload_too_large`` as soon as it is known to exceed ``settings.MAX_UPLOAD_BYTES``:
from its ``Content-Length`` before reading, and by counting while reading. The file is
written as ``upload`` in a ``table-upload-*`` folder of the data directory's ``tmp``
(see :mod:`scratch`), a multipart field too (not Django's temporary files in the system's
``/tmp``), and the folder is removed when the request ends.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import orjson
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpRequest
from django.http.multipartparser import MultiPartParser

from pluto.server.errors import InvalidInput, PlutoError
from pluto.server.lab.models import Experiment
from pluto.server.scratch import UPLOAD_PREFIX, scratch_folder
from pluto.server.storage import get_storage

CHUNK_BYTES = 1024 * 1024
MAX_JSON_BYTES = 64 * 1024


@dataclass(frozen=True)
class ReceivedFile:
    """An uploaded file on local disk, with the name and type it came with."""

    path: Path
    filename: str
    content_type: str


def too_large(size: int | None = None) -> PlutoError:
    """``413 payload_too_large`` naming the limit."""
    limit = int(settings.MAX_UPLOAD_BYTES)
    got = f" ({size} bytes)" if size is not None else ""
    return PlutoError(
        f"The upload is larger than this server accepts{got}; the limit is {limit} bytes "
        "(PLUTO_MAX_UPLOAD_BYTES).",
        code="payload_too_large",
        status=413,
        details={"limit": limit},
    )


def declared_length(request: HttpRequest) -> int | None:
    """The request's ``Content-Length``, refused up front when over the limit."""
    raw = request.META.get("CONTENT_LENGTH") or ""
    try:
        length = int(raw)
    except ValueError:
        return None
    if length > int(settings.MAX_UPLOAD_BYTES):
        raise too_large(length)
    return length


def copy_limited(source: Any, target: BinaryIO, limit: int) -> int:
    """Copy ``source`` (anything with ``read``) in chunks, stopping past ``limit`` bytes."""
    copied = 0
    while chunk := source.read(CHUNK_BYTES):
        copied += len(chunk)
        if copied > limit:
            raise too_large()
        target.write(chunk)
    return copied


def media_type(request: HttpRequest) -> str:
    """The request's media type, lowercase, without parameters."""
    return str(request.META.get("CONTENT_TYPE", "")).split(";", 1)[0].strip().lower()


class SavedUpload(UploadedFile):
    """A multipart file field, written to a path of the upload's folder."""

    def __init__(self, path: Path, name: str, content_type: str, size: int) -> None:
        handle = path.open("rb") if path.exists() else io.BytesIO()
        super().__init__(handle, name, content_type, size)
        self.path = path

    def temporary_file_path(self) -> str:
        """Where the file is on disk."""
        return str(self.path)


class UploadFieldHandler(FileUploadHandler):
    """Writes the multipart field ``file`` to ``path``, keeping nothing past the upload limit.

    Past the limit the rest of the field is read and dropped, so the form's other fields
    still arrive; the file's size then says it was too large.
    """

    def __init__(self, request: HttpRequest, path: Path) -> None:
        super().__init__(request)
        self.path = path
        self.out: BinaryIO | None = None
        self.size = 0

    def new_file(self, field_name: str, *args: Any, **kwargs: Any) -> None:
        """Start writing the ``file`` field; any other file field is dropped."""
        super().new_file(field_name, *args, **kwargs)
        self.size = 0
        wanted = field_name == "file" and not self.path.exists()
        self.out = self.path.open("wb") if wanted else None

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        """Write one chunk, while the file is within the limit."""
        self.size += len(raw_data)
        if self.out is None:
            return
        if self.size > int(settings.MAX_UPLOAD_BYTES):
            self.out.close()
            self.out = None
            self.path.unlink()
            return
        self.out.write(raw_data)

    def file_complete(self, file_size: int) -> UploadedFile | None:
        """The written file, or None for a dropped field."""
        if self.field_name != "file":
            return None
        if self.out is not None:
            self.out.close()
            self.out = None
        return SavedUpload(self.path, self.file_name or "", self.content_type or "", self.size)


@contextmanager
def upload_folder() -> Iterator[Path]:
    """The folder of one request's upload (see :mod:`scratch`)."""
    with scratch_folder(UPLOAD_PREFIX) as folder:
        yield folder


@contextmanager
def received_upload(request: HttpRequest, experiment: Experiment) -> Iterator[ReceivedFile]:
    """The uploaded table of a PUT, on disk until the block ends."""
    declared_length(request)
    with upload_folder() as folder:
        target = folder / "upload"
        kind = media_type(request)
        if kind == "multipart/form-data":
            yield from multipart_file(request, target)
        elif kind == "application/json":
            yield imported_file(request, experiment, target)
        else:
            yield raw_body(request, target, kind)


def raw_body(request: HttpRequest, target: Path, content_type: str) -> ReceivedFile:
    """The request body itself is the file; ``?filename=`` helps recognise its format."""
    save_body(request, target, declared_length(request))
    return ReceivedFile(target, str(request.GET.get("filename", "")), content_type)


def save_body(source: Any, target: Path, declared: int | None) -> int:
    """Write a body to ``target``; one shorter than its ``Content-Length`` was interrupted."""
    with target.open("wb") as out:
        received = copy_limited(source, out, int(settings.MAX_UPLOAD_BYTES))
    if declared is not None and received < declared:
        raise InvalidInput(
            f"The upload was interrupted: {received} of {declared} bytes arrived. Send it again.",
            details={"received": received, "expected": declared},
        )
    return received


def multipart_file(request: HttpRequest, target: Path) -> Iterator[ReceivedFile]:
    """The multipart field ``file``, written to ``target``."""
    handlers = [UploadFieldHandler(request, target)]
    # A broken body raises MultiPartParserError, answered like every unreadable body.
    _, files = MultiPartParser(request.META, request, handlers, request.encoding).parse()
    uploaded = files.get("file")
    if uploaded is None:
        raise InvalidInput(
            "Send the table in a multipart field called 'file'.", details={"field": "file"}
        )
    try:
        if uploaded.size > int(settings.MAX_UPLOAD_BYTES):
            raise too_large(uploaded.size)
        path = Path(uploaded.temporary_file_path())
        yield ReceivedFile(path, uploaded.name or "", uploaded.content_type or "")
    finally:
        uploaded.close()


def imported_file(request: HttpRequest, experiment: Experiment, target: Path) -> ReceivedFile:
    """A file already uploaded to the experiment (through an upload session), by its id."""
    from pluto.server.files.services import stored_file_for_import

    file_id = json_file_id(request)
    filename, key = stored_file_for_import(experiment, file_id)
    with get_storage().open(key) as source, target.open("wb") as out:
        copy_limited(source, out, int(settings.MAX_UPLOAD_BYTES))
    return ReceivedFile(target, filename, "")


def json_file_id(request: HttpRequest) -> str:
    """The ``file_id`` of a small JSON body."""
    raw = request.read(MAX_JSON_BYTES + 1)
    try:
        data = orjson.loads(raw) if len(raw) <= MAX_JSON_BYTES else None
    except orjson.JSONDecodeError:
        data = None
    file_id = data.get("file_id") if isinstance(data, dict) else None
    if not isinstance(file_id, str) or not file_id:
        raise InvalidInput(
            'A JSON body must be {"file_id": "<uuid of a file uploaded to this experiment>"}; '
            "to upload the table itself, send it as the body with its own Content-Type.",
            details={"field": "file_id"},
        )
    return file_id
