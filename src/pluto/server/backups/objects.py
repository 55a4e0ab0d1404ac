"""The stored objects of a backup, through the narrow storage interface (keys, open, put).

Any backend with those three (the local folder, S3) backs up and restores the same way; the
backup's own ``objects`` folder is a local store, so copying either way is open then put.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pluto.server.backups.manifest import file_entry
from pluto.server.errors import Conflict, InvalidInput, NotFound
from pluto.server.storage import LocalStorage, Storage, StoredObject

OBJECTS = "objects"


@dataclass(frozen=True)
class CopiedObjects:
    """What a backup copied, and the keys that vanished while it ran (deleted meanwhile)."""

    copied: tuple[StoredObject, ...]
    vanished: tuple[str, ...]


def copy_objects(source: Storage, target: Storage, keys: Iterable[str]) -> CopiedObjects:
    """Copy each object from ``source`` to ``target``; each with its size and SHA-256."""
    copied, vanished = [], []
    for key in keys:
        try:
            with source.open(key) as handle:
                copied.append(target.put(key, handle))
        except NotFound:
            vanished.append(key)
    return CopiedObjects(tuple(copied), tuple(vanished))


def back_up_objects(storage: Storage, folder: Path) -> CopiedObjects:
    """Copy every object of the installation into the backup folder."""
    return copy_objects(storage, LocalStorage(folder / OBJECTS), list(storage.keys()))


def verify_files(folder: Path, entries: Iterable[StoredObject], what: str) -> None:
    """Refuse a backup whose file is missing or whose bytes are not the manifest's."""
    for expected in entries:
        if not (folder / expected.key).is_file():
            raise InvalidInput(f"The backup is damaged: {what} {expected.key} is missing.")
        found = file_entry(folder, expected.key)
        if found.sha256 != expected.sha256 or found.size != expected.size:
            raise InvalidInput(
                f"The backup is damaged: {what} {expected.key} has SHA-256 {found.sha256} "
                f"({found.size} bytes), the manifest says {expected.sha256} "
                f"({expected.size} bytes). Nothing was restored."
            )


def refuse_unless_empty(storage: Storage) -> None:
    """Refuse to restore into a store that already holds an object."""
    first = next(iter(storage.keys()), None)
    if first is not None:
        raise Conflict(
            f"The storage is not empty: it holds {first}, among others. Restore into an "
            "empty installation; nothing was changed."
        )


def restore_objects(storage: Storage, folder: Path, entries: Iterable[StoredObject]) -> None:
    """Put each object of the backup into the store, checking what was written."""
    wanted = list(entries)
    written = copy_objects(LocalStorage(folder / OBJECTS), storage, (e.key for e in wanted))
    if written.vanished:
        raise InvalidInput(f"Object {written.vanished[0]} vanished from the backup mid-restore.")
    for expected, stored in zip(wanted, written.copied, strict=True):
        if stored.sha256 != expected.sha256:
            raise InvalidInput(f"Object {expected.key} changed while it was restored.")
