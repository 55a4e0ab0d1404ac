"""The JSON shapes of files and upload sessions (API.md, "Files" and "Upload sessions")."""

from __future__ import annotations

from typing import Annotated, Any

from django.conf import settings
from ninja import Schema
from pydantic import ConfigDict, Field

from pluto.server.files.models import ExperimentFile, UploadSession
from pluto.server.files.services import GROUPS, MAX_FILENAME, MAX_LABEL, UPLOADABLE_KINDS
from pluto.server.lab.schemas import UserOut, choice, iso, user_json

DATA_TYPE_PARAMETER = {
    "in": "query",
    "name": "data_type",
    "required": False,
    "description": "Only files of this kind (also accepted in a JSON body).",
    "schema": {"type": "string", "enum": list(GROUPS)},
}


def file_json(file: ExperimentFile) -> dict[str, Any]:
    """A file: the fields of API.md plus type, checksum, author and upload status."""
    return {
        "uuid": str(file.uuid),
        "filename": file.filename,
        "display_name": file.display_name,
        "data_type": file.data_type,
        "file_size": file.file_size,
        "created_at": iso(file.created_at),
        "file_type": file.file_type,
        "content_type": file.content_type,
        "sha256": file.sha256 or None,
        "origin": file.origin,
        "analysis_type": file.analysis_type or None,
        "created_by": user_json(file.created_by) if file.created_by else None,
        "status": "complete" if file.is_complete else "uploading",
    }


def session_json(session: UploadSession, url: str, received: int) -> dict[str, Any]:
    """A new or resumed upload session; ``file`` and ``experiment_file`` are the same file."""
    file = file_json(session.file)
    return {
        "uuid": str(session.uuid),
        "session_url": url,
        "status": session.status,
        "file_size": session.file_size,
        "received_bytes": received,
        "expires_at": iso(session.expires_at),
        "file": file,
        "experiment_file": file,
    }


def page_json(count: int, files: list[ExperimentFile]) -> dict[str, Any]:
    """``{"count", "items"}`` of files."""
    return {"count": count, "items": [file_json(f) for f in files]}


class FileOut(Schema):
    uuid: str
    filename: str
    display_name: str
    data_type: str
    file_size: int
    created_at: str
    file_type: str
    content_type: str
    sha256: str | None
    origin: str
    analysis_type: str | None
    created_by: UserOut | None
    status: str


class FilePage(Schema):
    count: int
    items: list[FileOut]


class UploadSessionOut(Schema):
    uuid: str
    session_url: str
    status: str
    file_size: int
    received_bytes: int
    expires_at: str
    file: FileOut
    experiment_file: FileOut


# A file name as the service takes it: some visible character, no control characters.
FileName = Annotated[
    str,
    Field(
        min_length=1,
        max_length=MAX_FILENAME,
        pattern=r"^[^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f][^\x00-\x1f\x7f]*$",
    ),
]
Label = Annotated[str, Field(max_length=MAX_LABEL)]
FileSize = Annotated[int, Field(ge=0, le=settings.MAX_UPLOAD_BYTES)]


class UploadSessionCreate(Schema):
    """Other fields are ignored, as older clients send some of their own."""

    filename: FileName
    # Kinds Pluto makes itself (counts per million) are not offered for upload.
    data_type: Annotated[str, choice(UPLOADABLE_KINDS)]
    file_type: Label | None = None
    file_size: FileSize | Annotated[str, Field(pattern=r"^\s*[0-9]{1,9}\s*$")]
    analysis_type: Label | None = None
    origin: Label | None = None


class FilePatch(Schema):
    model_config = ConfigDict(extra="forbid")

    display_name: FileName


class DownloadOut(Schema):
    url: str
