"""Removing what unfinished uploads leave behind: expired sessions and stray staging files."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from pluto.server.files.models import ExperimentFile, SessionStatus, UploadSession
from pluto.server.files.sessions import staged_bytes
from pluto.server.files.staging import get_staging

UNFINISHED = (SessionStatus.OPEN, SessionStatus.EXPIRED)


def remove_expired_uploads(now: datetime | None = None) -> list[str]:
    """Delete unfinished sessions past their expiry, their hidden files and staging files.

    Returns one line per thing removed. A session being written to right now is left alone.
    """
    moment = now or timezone.now()
    expired = (
        UploadSession.objects.filter(status__in=UNFINISHED, expires_at__lte=moment)
        .exclude(writing_until__gt=moment)
        .select_related("experiment")
    )
    removed = [remove_session(session) for session in expired]
    return removed + remove_stray_staging_files()


def remove_session(session: UploadSession) -> str:
    """Delete one expired session (through its never-completed file row) and its staging file."""
    line = (
        f"Removed expired upload {session.uuid} of {session.filename!r} to experiment "
        f"{session.experiment.pluto_id} ({staged_bytes(session)} of {session.file_size} bytes)."
    )
    with transaction.atomic():
        # The session row goes with its file row (one-to-one, cascading).
        ExperimentFile.objects.filter(pk=session.file_id, completed_at__isnull=True).delete()
        UploadSession.objects.filter(pk=session.pk).delete()
    get_staging().discard(session)
    return line


def remove_stray_staging_files() -> list[str]:
    """Delete staging files no unfinished session owns (left by deleted experiments or files)."""
    owned = set(
        UploadSession.objects.filter(status__in=UNFINISHED).values_list("staging_name", flat=True)
    )
    return [f"Removed stray staging file {name}." for name in get_staging().remove_stray(owned)]
