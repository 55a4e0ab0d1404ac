"""The resumable upload protocol: session URLs, ``Content-Range`` chunks, staging and completion.

Bytes of an unfinished upload collect in its staging (``staging.py``: a file under
``DATA_DIR/uploads`` beside a local-folder store, chunk objects in the store itself on S3); what
is staged is the only record of how much has arrived, so a session resumes after a dropped
connection, a server restart, or on another node. Once every declared byte is there, the bytes
move into the object store and the file row becomes visible, in that order, so a half-finished
upload is never listed.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from pluto.server.errors import Conflict, InvalidInput, NotFound, PlutoError
from pluto.server.files.models import ExperimentFile, SessionStatus, UploadSession
from pluto.server.files.staging import Readable, get_staging
from pluto.server.history.services import file_details, record
from pluto.server.lifeline import is_gone, this_process
from pluto.server.web.context import server_url

TOKEN_SALT = "pluto.upload-session.v1"
DEFAULT_SESSION_TTL_SECONDS = 7 * 24 * 3600
# A writer renews its lease at least this often while it copies a chunk, and a lease not
# renewed for WRITE_LEASE is free: a writer on another machine that died stops blocking then.
WRITE_LEASE = timedelta(seconds=30)
CONTENT_RANGE = re.compile(r"^bytes\s+(?:\*|(\d+)-(-?\d+))/(\*|\d+)$")


@dataclass(frozen=True)
class ContentRange:
    """A parsed ``Content-Range``: a chunk ``first..last`` or, with ``first`` None, a probe."""

    first: int | None
    last: int | None
    total: int | None

    @property
    def is_probe(self) -> bool:
        """Whether the request only asks how much has arrived."""
        return self.first is None

    @property
    def length(self) -> int:
        """How many bytes the chunk announces."""
        if self.first is None or self.last is None:
            return 0
        return self.last - self.first + 1


@dataclass(frozen=True)
class UploadProgress:
    """Where an upload stands after a request: bytes stored, and the file once complete."""

    received: int
    file: ExperimentFile | None


def session_ttl() -> timedelta:
    """How long an upload session (and its URL) stays usable."""
    return timedelta(seconds=getattr(settings, "UPLOAD_SESSION_TTL", DEFAULT_SESSION_TTL_SECONDS))


def staged_bytes(session: UploadSession) -> int:
    """How many bytes of the upload have arrived (zero before the first chunk)."""
    return get_staging().received(session)


def session_url(request: HttpRequest, session: UploadSession) -> str:
    """The absolute URL clients PUT bytes to; the signed token in it is the only credential."""
    token = signing.Signer(salt=TOKEN_SALT).sign(session.uuid.hex)
    return f"{server_url(request)}/uploads/{token}/"


def session_for_token(token: str) -> UploadSession:
    """The session a URL token names: 403 when altered, 404 when gone, 410 when expired."""
    try:
        session_id = uuid.UUID(hex=signing.Signer(salt=TOKEN_SALT).unsign(token))
    except (signing.BadSignature, ValueError) as exc:
        raise PlutoError(
            "This upload link is not valid; create a new upload session.",
            code="permission_denied",
            status=403,
        ) from exc
    session = UploadSession.objects.select_related("file").filter(uuid=session_id).first()
    if session is None:
        raise NotFound("This upload session no longer exists; create a new one.")
    require_live(session)
    return session


def require_live(session: UploadSession) -> None:
    """Refuse an expired session with 410 (and remember that it expired)."""
    expired = session.status == SessionStatus.EXPIRED or session.expires_at <= timezone.now()
    if not expired:
        return
    if session.status == SessionStatus.OPEN:
        UploadSession.objects.filter(pk=session.pk).update(status=SessionStatus.EXPIRED)
    raise PlutoError(
        "This upload session has expired; create a new one and upload the file again.",
        code="gone",
        status=410,
    )


def parse_content_range(header: str | None, content_length: int) -> ContentRange:
    """The chunk a PUT carries. Without the header, a body is one chunk from byte 0."""
    if not header:
        if content_length == 0:
            return ContentRange(None, None, None)
        return ContentRange(0, content_length - 1, None)
    match = CONTENT_RANGE.match(header.strip())
    if match is None:
        raise InvalidInput(
            f"Content-Range {header!r} is not valid: send 'bytes <first>-<last>/<total>', "
            "or 'bytes */<total>' to ask how much has arrived.",
            details={"field": "Content-Range"},
        )
    first, last, total = match.groups()
    parsed_total = None if total == "*" else int(total)
    if first is None:
        return ContentRange(None, None, parsed_total)
    return checked_chunk(int(first), int(last), parsed_total, header)


def checked_chunk(first: int, last: int, total: int | None, header: str) -> ContentRange:
    """A chunk range whose end is not before its start (``last = first - 1`` is empty)."""
    if last < first - 1:
        raise InvalidInput(
            f"Content-Range {header!r} ends before it starts.", details={"field": "Content-Range"}
        )
    return ContentRange(first, last, total)


def check_declared_total(session: UploadSession, content_range: ContentRange) -> None:
    """The total a request names must be the size declared when the session was created."""
    total = content_range.total
    if total is not None and total != session.file_size:
        raise InvalidInput(
            f"Content-Range says the file has {total} bytes, but this upload session was "
            f"created for {session.file_size} bytes.",
            details={"field": "Content-Range", "file_size": session.file_size},
        )


def receive(session: UploadSession, content_range: ContentRange, body: Readable) -> UploadProgress:
    """Store a chunk (or answer a probe) and complete the file when every byte is there."""
    check_declared_total(session, content_range)
    if session.status == SessionStatus.COMPLETE or not claim(session):
        if content_range.is_probe:
            return progress_while_writing(session)
        return settled_progress(session)
    try:
        return receive_claimed(session, content_range, body)
    finally:
        release(session)


def receive_claimed(
    session: UploadSession, content_range: ContentRange, body: Readable
) -> UploadProgress:
    """The work of :func:`receive` once this request alone may write to the session."""
    stored = staged_bytes(session)
    if not content_range.is_probe:
        stored = append_chunk(session, content_range, body, stored)
    # An empty file completes only when the client says so, not on a first "how much?" probe.
    says_complete = stored > 0 or content_range.total == 0 or not content_range.is_probe
    if stored == session.file_size and says_complete:
        return UploadProgress(stored, finalize(session))
    UploadSession.objects.filter(pk=session.pk).update(received_bytes=stored)
    return UploadProgress(stored, None)


def claim(session: UploadSession) -> bool:
    """Take the session's write lease with one atomic UPDATE; False when that is not possible.

    The lease is free when nobody holds it, when it was not renewed in time, or when the
    process holding it has ended.
    """
    now = timezone.now()
    free = Q(writing_until__isnull=True) | Q(writing_until__lt=now)
    holder = UploadSession.objects.filter(pk=session.pk).values_list("writer", flat=True).first()
    if holder and is_gone(holder):
        free |= Q(writer=holder)
    claimed = (
        UploadSession.objects.filter(pk=session.pk, status=SessionStatus.OPEN, expires_at__gt=now)
        .filter(free)
        .update(writing_until=now + WRITE_LEASE, writer=this_process())
    )
    return bool(claimed)


def renew(session: UploadSession) -> None:
    """Keep this process's lease for another ``WRITE_LEASE``."""
    UploadSession.objects.filter(pk=session.pk, writer=this_process()).update(
        writing_until=timezone.now() + WRITE_LEASE
    )


def release(session: UploadSession) -> None:
    """Give the write lease back (unless it has passed to another writer meanwhile)."""
    UploadSession.objects.filter(pk=session.pk, writer=this_process()).update(
        writing_until=None, writer=""
    )


def progress_while_writing(session: UploadSession) -> UploadProgress:
    """A probe's answer while another request holds the lease: the bytes of every chunk
    stored so far (the chunk being written counts once it is complete)."""
    session.refresh_from_db()
    if session.status == SessionStatus.COMPLETE:
        return settled_progress(session)
    require_live(session)
    return UploadProgress(session.received_bytes, None)


def settled_progress(session: UploadSession) -> UploadProgress:
    """The answer when the lease could not be taken: complete, expired, or busy."""
    session.refresh_from_db()
    if session.status == SessionStatus.COMPLETE:
        return UploadProgress(session.file_size, ExperimentFile.objects.get(pk=session.file_id))
    require_live(session)
    raise Conflict(
        "Another request is writing to this upload right now; retry in a moment.",
        details={"session": str(session.uuid)},
    )


def append_chunk(
    session: UploadSession, content_range: ContentRange, body: Readable, stored: int
) -> int:
    """Append the chunk to the staging file after checking where it starts and ends."""
    first = content_range.first or 0
    if first != stored:
        raise InvalidInput(
            f"This chunk starts at byte {first}, but {stored} bytes have arrived; "
            f"resume from byte {stored}.",
            details={"field": "Content-Range", "resume_from": stored},
        )
    if first + content_range.length > session.file_size:
        raise InvalidInput(
            f"This chunk ends at byte {first + content_range.length - 1}, beyond the "
            f"{session.file_size} bytes declared for this upload.",
            details={"field": "Content-Range", "file_size": session.file_size},
        )
    get_staging().append(session, stored, body, content_range.length, lambda: renew(session))
    return stored + content_range.length


def finalize(session: UploadSession) -> ExperimentFile:
    """Move the staged bytes into the object store and make the file visible."""
    staging = get_staging()
    file = ExperimentFile.objects.get(pk=session.file_id)
    stored = staging.assemble(session, storage_key(file))
    with transaction.atomic():
        file.storage_key, file.sha256 = stored.key, stored.sha256
        file.file_size, file.completed_at = stored.size, timezone.now()
        file.save(update_fields=["storage_key", "sha256", "file_size", "completed_at"])
        UploadSession.objects.filter(pk=session.pk).update(
            status=SessionStatus.COMPLETE, received_bytes=stored.size
        )
        record(
            file.experiment_id,
            session.created_by,
            "file_attached",
            f"Attached the file {file.display_name}.",
            **file_details(file),
        )
    staging.discard(session)
    return file


def storage_key(file: ExperimentFile) -> str:
    """Where a file's bytes live in the object store."""
    return f"files/{file.experiment.uuid}/{file.uuid}"


def complete(session: UploadSession) -> ExperimentFile:
    """Complete a session whose bytes have all arrived; idempotent once complete."""
    if session.status != SessionStatus.COMPLETE:
        require_live(session)
    if session.status == SessionStatus.COMPLETE or not claim(session):
        return settled_file(session)
    try:
        return complete_claimed(session)
    finally:
        release(session)


def complete_claimed(session: UploadSession) -> ExperimentFile:
    """The work of :func:`complete` once this request alone may write to the session."""
    missing = session.file_size - staged_bytes(session)
    if missing > 0:
        raise InvalidInput(
            f"{missing} of the {session.file_size} declared bytes have not arrived yet; "
            "PUT them to the session URL first.",
            details={"missing_bytes": missing, "file_size": session.file_size},
        )
    return finalize(session)


def settled_file(session: UploadSession) -> ExperimentFile:
    """The completed file when the lease could not be taken (else 410 or 409)."""
    file = settled_progress(session).file
    assert file is not None  # settled_progress raises unless the session is complete
    return file
