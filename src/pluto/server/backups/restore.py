"""``pluto restore``: a backup loaded into an empty installation, after checking all of it.

Nothing changes unless the backup is whole (every file's SHA-256 matches the manifest) and
the installation is empty (no table in the database, no object in the storage).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pluto.server.backups import database, objects
from pluto.server.backups.data_files import (
    DATA,
    SECRET_KEY_FILE,
    key_is_generated,
    restore_data_files,
)
from pluto.server.backups.manifest import Manifest, read_manifest
from pluto.server.errors import InvalidInput
from pluto.server.storage import get_storage


@dataclass(frozen=True)
class RestoreResult:
    """The manifest restored, and whether ``PLUTO_SECRET_KEY`` overrides the backup's key."""

    manifest: Manifest
    key_overridden: bool


def check_vendor(manifest: Manifest) -> None:
    """Refuse a backup of another kind of database than this installation's."""
    here = database.vendor()
    if manifest.vendor != here:
        names = database.VENDOR_NAMES
        raise InvalidInput(
            f"The backup holds a {names.get(manifest.vendor, manifest.vendor)} database, but "
            f"this installation uses {names[here]} (PLUTO_DATABASE_URL); nothing was changed."
        )


def verify_backup(source: Path, manifest: Manifest) -> None:
    """Check every file of the backup against the manifest before anything is changed."""
    objects.verify_files(source, [manifest.database], "the database file")
    objects.verify_files(source / DATA, manifest.data_files, "the data file")
    objects.verify_files(source / objects.OBJECTS, manifest.objects, "object")


def restore_backup(source: Path) -> RestoreResult:
    """Restore the backup in ``source`` into this (empty) installation."""
    manifest = read_manifest(source)
    check_vendor(manifest)
    verify_backup(source, manifest)
    database.refuse_unless_empty()
    objects.refuse_unless_empty(get_storage())
    has_key = any(entry.key == SECRET_KEY_FILE for entry in manifest.data_files)
    overridden = has_key and not key_is_generated()
    database.load_database(source / manifest.database.key)
    objects.restore_objects(get_storage(), source, manifest.objects)
    restore_data_files(source, manifest.data_files)
    return RestoreResult(manifest, overridden)
