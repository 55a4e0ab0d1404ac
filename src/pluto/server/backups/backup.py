"""``pluto backup``: a consistent copy of the database and the stored objects into a folder.

The database is copied first, then the objects: objects never change once written, so every
object the copied database refers to is still there to copy (an object deleted in between
is reported). Objects written after the database copy are harmless extras.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from pluto import __version__
from pluto.server.backups.data_files import back_up_data_files, key_is_generated
from pluto.server.backups.database import dump_database, vendor
from pluto.server.backups.manifest import Manifest, file_entry, write_manifest
from pluto.server.backups.objects import back_up_objects
from pluto.server.errors import InvalidInput
from pluto.server.storage import get_storage


@dataclass(frozen=True)
class BackupResult:
    """The manifest written, the objects deleted while copying, and whether the key came."""

    manifest: Manifest
    vanished: tuple[str, ...]
    has_secret_key: bool


def prepare_destination(dest: Path) -> Path:
    """The destination folder, created private; an existing non-empty one is refused."""
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise InvalidInput(
            f"{dest} already exists and is not an empty folder; back up into a new one."
        )
    dest.mkdir(mode=0o700, parents=True, exist_ok=True)
    return dest


def clear(folder: Path) -> None:
    """Remove what an unfinished backup wrote (the folder was empty before)."""
    for child in folder.iterdir():
        shutil.rmtree(child) if child.is_dir() else child.unlink()


def make_backup(dest: Path) -> BackupResult:
    """Back up the installation into ``dest``; the manifest comes last, marking it complete."""
    folder = prepare_destination(dest)
    try:
        database = file_entry(folder, dump_database(folder))
        objects = back_up_objects(get_storage(), folder)
        data_files = back_up_data_files(folder)
        created = datetime.now(UTC).isoformat(timespec="seconds")
        manifest = Manifest(created, __version__, vendor(), database, data_files, objects.copied)
        write_manifest(folder, manifest)
    except BaseException:
        clear(folder)
        raise
    return BackupResult(manifest, objects.vanished, key_is_generated())
