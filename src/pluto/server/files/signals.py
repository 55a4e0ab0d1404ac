"""Keep the object store in step with file rows, however a row is deleted.

A file row can go directly (``DELETE files/<file>/``) or with its experiment; either way its
bytes are removed only after the deletion is committed, so a rolled-back delete loses nothing.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from pluto.server.files.models import ExperimentFile
from pluto.server.storage import get_storage


@receiver(post_delete, sender=ExperimentFile, dispatch_uid="pluto.files.remove_stored_bytes")
def remove_stored_bytes(
    sender: type[ExperimentFile], instance: ExperimentFile, **kwargs: Any
) -> None:
    """Delete the file's object once the transaction that deleted its row commits."""
    key = instance.storage_key
    if key:
        transaction.on_commit(lambda: get_storage().delete(key))
