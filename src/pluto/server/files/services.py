"""Rules for experiment files: opening upload sessions, listing by kind, renaming, deleting.

Other apps use :func:`stored_file_for_import` (a table uploaded as a file) and
:func:`attach_file` (the demo's small attachment).
"""

from __future__ import annotations

import mimetypes
import posixpath
import re
import uuid
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from pluto.server.accounts.models import User
from pluto.server.errors import Conflict, InvalidInput, NotFound, PlutoError
from pluto.server.files.models import ExperimentFile, UploadSession
from pluto.server.files.sessions import session_ttl, storage_key
from pluto.server.history.services import file_details, record
from pluto.server.lab.ids import parse_uuid
from pluto.server.lab.models import Experiment
from pluto.server.lab.permissions import EDITOR
from pluto.server.lab.services import require
from pluto.server.storage import StoredObject, get_storage
from pluto.server.tables.models import ASSAY, CurrentDataset, Dataset

MAX_FILENAME = 255
MAX_LABEL = 50
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")
# The group each kind is listed under in ``GET files/`` (API.md); order is the answer's order.
GROUPS: dict[str, str] = {
    "attachment": "attachments",
    "external": "external",
    "bam": "bam",
    "seurat": "seurat",
    "qc_report": "qc_report",
    "bigwig": "bigwig",
    "consensus_bed": "consensus_bed",
    "assay_data_cpm": "assay_data_cpm",
    "tpm_gene": "tpm_gene",
    "tpm_transcript": "tpm_transcript",
    "fastq": "fastq",
    "qc_table": "qc_table",
}
KINDS = ", ".join(GROUPS)
CPM = "assay_data_cpm"
# Kinds Pluto makes itself; nobody uploads them.
MADE_BY_PLUTO = {CPM}
UPLOADABLE_KINDS = tuple(kind for kind in GROUPS if kind not in MADE_BY_PLUTO)
UPLOADABLE = ", ".join(UPLOADABLE_KINDS)


def clean_filename(value: Any, field: str = "filename") -> str:
    """A non-empty file name of at most 255 characters, with no control characters."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"'{field}' must be a non-empty text.", details={"field": field})
    name = value.strip()
    if len(name) > MAX_FILENAME or CONTROL_CHARACTERS.search(name):
        raise InvalidInput(
            f"'{field}' must be at most {MAX_FILENAME} characters, with no control characters.",
            details={"field": field},
        )
    return name


def clean_data_type(value: Any) -> str:
    """One of the file kinds that can be uploaded."""
    if value in MADE_BY_PLUTO:
        raise InvalidInput(
            f"Files of kind {value!r} are made by Pluto (from each raw-count assay version), "
            f"not uploaded; 'data_type' must be one of {UPLOADABLE}.",
            details={"field": "data_type"},
        )
    if value not in GROUPS:
        raise InvalidInput(
            f"'data_type' must be one of {UPLOADABLE} (got {value!r}).",
            details={"field": "data_type"},
        )
    return str(value)


def clean_label(data: dict[str, Any], field: str, default: str = "") -> str:
    """An optional short text (``file_type``, ``origin``, ``analysis_type``)."""
    value = data.get(field)
    if value is None:
        return default
    if not isinstance(value, str) or len(value) > MAX_LABEL:
        raise InvalidInput(
            f"'{field}' must be a text of at most {MAX_LABEL} characters.",
            details={"field": field},
        )
    return value.strip()


def clean_file_size(value: Any) -> int:
    """A whole number of bytes, at most ``PLUTO_MAX_UPLOAD_BYTES`` (else 413)."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, float) and value.is_integer():  # JSON numbers such as 1024.0
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidInput(
            f"'file_size' must be the file's size in bytes, a whole number (got {value!r}).",
            details={"field": "file_size"},
        )
    if value > settings.MAX_UPLOAD_BYTES:
        raise PlutoError(
            f"'file_size' is {value} bytes; this server accepts files of at most "
            f"{settings.MAX_UPLOAD_BYTES} bytes (PLUTO_MAX_UPLOAD_BYTES).",
            code="payload_too_large",
            status=413,
            details={"field": "file_size", "maximum": settings.MAX_UPLOAD_BYTES},
        )
    return value


def guess_content_type(filename: str) -> str:
    """The media type a file name suggests, or ``application/octet-stream``."""
    return mimetypes.guess_type(filename, strict=False)[0] or "application/octet-stream"


def new_file(user: User, experiment: Experiment, data: dict[str, Any]) -> ExperimentFile:
    """An unsaved, not yet complete file row from a validated upload request."""
    filename = clean_filename(data.get("filename"))
    return ExperimentFile(
        experiment=experiment,
        filename=filename,
        display_name=posixpath.basename(filename.replace("\\", "/")) or filename,
        data_type=clean_data_type(data.get("data_type")),
        file_type=clean_label(data, "file_type", posixpath.splitext(filename)[1]),
        content_type=guess_content_type(filename),
        file_size=clean_file_size(data.get("file_size")),
        origin=clean_label(data, "origin"),
        analysis_type=clean_label(data, "analysis_type"),
        created_by=user,
    )


@transaction.atomic
def open_upload_session(
    user: User, experiment: Experiment, role: str, data: dict[str, Any]
) -> UploadSession:
    """A new upload session and its hidden file row (editors only)."""
    require(role, EDITOR, "upload files")
    file = new_file(user, experiment, data)
    file.save()
    session = UploadSession(experiment=experiment, file=file, created_by=user)
    for field in ("filename", "data_type", "file_type", "file_size", "origin", "analysis_type"):
        setattr(session, field, getattr(file, field))
    session.staging_name = f"{session.uuid}.part"
    session.expires_at = timezone.now() + session_ttl()
    session.save()
    return session


def find_session(experiment: Experiment, role: str, raw_id: str) -> UploadSession:
    """An upload session of the experiment that the caller may complete (editors only)."""
    session_id = parse_uuid(raw_id, "upload session")
    session = experiment.upload_sessions.select_related("file").filter(uuid=session_id).first()
    if session is None:
        raise NotFound(f"Upload session {raw_id} was not found in this experiment.")
    require(role, EDITOR, "upload files")
    return session


def visible_files(experiment: Experiment) -> QuerySet[ExperimentFile]:
    """The experiment's complete files, oldest first."""
    return (
        ExperimentFile.objects.completed()
        .filter(experiment=experiment)
        .select_related("created_by")
        .order_by("created_at", "id")
    )


def kinds_asked(value: Any) -> list[str]:
    """The kinds a ``data_type`` filter selects (all of them when absent)."""
    if value is None or value == "":
        return list(GROUPS)
    by_group = {group: kind for kind, group in GROUPS.items()}
    if value in by_group:
        return [by_group[value]]
    if value not in GROUPS:
        raise InvalidInput(
            f"'data_type' must be one of {KINDS} (got {value!r}).",
            details={"field": "data_type", "allowed": list(GROUPS)},
        )
    return [str(value)]


def files_of_kind(experiment: Experiment, kind: str) -> QuerySet[ExperimentFile]:
    """The visible files of one kind; for counts per million, only the current assay
    version's (restoring a version brings its own back)."""
    files = visible_files(experiment).filter(data_type=kind)
    if kind == CPM:
        current = CurrentDataset.objects.filter(experiment=experiment, kind=ASSAY)
        files = files.filter(dataset_id__in=current.values("dataset_id"))
    return files


def files_by_group(experiment: Experiment, data_type: Any) -> dict[str, QuerySet[ExperimentFile]]:
    """The visible files of each asked kind, keyed by its group name in ``GET files/``."""
    return {GROUPS[kind]: files_of_kind(experiment, kind) for kind in kinds_asked(data_type)}


def record_cpm_file(
    user: User, dataset: Dataset, file_uuid: uuid.UUID, stored: StoredObject
) -> ExperimentFile:
    """The complete file row of an assay version's stored counts per million."""
    experiment = dataset.experiment
    filename = f"{experiment.pluto_id}_assay_data_cpm_v{dataset.version}.csv"
    return ExperimentFile.objects.create(
        uuid=file_uuid,
        experiment=experiment,
        filename=filename,
        display_name=filename,
        data_type=CPM,
        file_type="csv",
        content_type="text/csv",
        file_size=stored.size,
        storage_key=stored.key,
        sha256=stored.sha256,
        origin="pluto",
        dataset=dataset,
        created_by=user,
        completed_at=timezone.now(),
    )


def record_made_file(user: User, dataset: Dataset, made: dict[str, Any]) -> ExperimentFile:
    """The complete file row of a stored file a pipeline made with an assay version
    (``made``: ``file_uuid``, ``data_type``, ``filename``, ``storage_key``, ``sha256``,
    ``size``); it goes with that version."""
    return ExperimentFile.objects.create(
        uuid=uuid.UUID(made["file_uuid"]),
        experiment=dataset.experiment,
        filename=made["filename"],
        display_name=made["filename"],
        data_type=made["data_type"],
        file_type=posixpath.splitext(made["filename"])[1].lstrip("."),
        content_type=guess_content_type(made["filename"]),
        file_size=int(made["size"]),
        storage_key=made["storage_key"],
        sha256=made["sha256"],
        origin="pluto",
        dataset=dataset,
        created_by=user,
        completed_at=timezone.now(),
    )


def find_file(experiment: Experiment, raw_id: str) -> ExperimentFile:
    """A complete file of the experiment; 400 for a malformed id, 404 when absent."""
    file_id = parse_uuid(raw_id, "file")
    file = visible_files(experiment).filter(uuid=file_id).first()
    if file is None:
        raise NotFound(f"File {raw_id} was not found in this experiment.")
    return file


def rename_file(role: str, file: ExperimentFile, data: dict[str, Any]) -> ExperimentFile:
    """Change a file's display name (editors only); the stored bytes stay as they are."""
    unknown = sorted(set(data) - {"display_name"})
    if unknown:
        raise InvalidInput(
            f"Unknown field(s): {', '.join(unknown)}. Only 'display_name' can be changed.",
            details={"fields": unknown},
        )
    require(role, EDITOR, "rename files")
    file.display_name = clean_filename(data.get("display_name"), "display_name")
    file.save(update_fields=["display_name"])
    return file


@transaction.atomic
def delete_file(role: str, file: ExperimentFile, actor: User | None = None) -> None:
    """Delete a file (editors only); its stored bytes go once the deletion is committed."""
    require(role, EDITOR, "delete files")
    if file.data_type in MADE_BY_PLUTO and file.dataset_id is not None:
        # Nothing would make it again: it lives and goes with its assay version.
        raise Conflict(
            f"{file.display_name} is made by Pluto with assay version {file.dataset.version} "
            "and goes with it; it cannot be deleted on its own.",
            details={"file": str(file.uuid)},
        )
    file.delete()
    record(
        file.experiment_id,
        actor,
        "file_deleted",
        f"Deleted the file {file.display_name}.",
        file=str(file.uuid),
        filename=file.display_name,
    )


def stored_file_for_import(experiment: Experiment, file_id: str) -> tuple[str, str]:
    """``(filename, storage_key)`` of a completed file of ``experiment``, for a table import.

    Raises ``InvalidObjectId`` for a malformed id and ``NotFound`` for a file that is not a
    complete file of this experiment.
    """
    file = find_file(experiment, file_id)
    return file.filename, file.storage_key


@transaction.atomic
def attach_file(
    user: User,
    experiment: Experiment,
    filename: str,
    data: bytes,
    data_type: str = "attachment",
) -> ExperimentFile:
    """Store small in-memory bytes as a complete file of the experiment."""
    file = new_file(
        user,
        experiment,
        {"filename": filename, "data_type": data_type, "file_size": len(data), "origin": "pluto"},
    )
    stored = get_storage().put(storage_key(file), data)
    file.storage_key, file.sha256 = stored.key, stored.sha256
    file.completed_at = timezone.now()
    file.save()
    record(
        experiment,
        user,
        "file_attached",
        f"Attached the file {file.display_name}.",
        **file_details(file),
    )
    return file
