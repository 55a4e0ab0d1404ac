"""The data directory's own files that a backup carries: the generated secret key.

API tokens are stored as keyed hashes of the secret key, so a restore without the key would
leave every token (and session) unusable. The demo account's password file comes along too.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from pluto.server.backups.objects import copy_objects
from pluto.server.lab.demo import PASSWORD_FILE
from pluto.server.storage import LocalStorage, StoredObject

DATA = "data"
SECRET_KEY_FILE = "secret_key"
DATA_FILES = (SECRET_KEY_FILE, PASSWORD_FILE)


def data_dir() -> Path:
    """The installation's data directory."""
    return Path(settings.DATA_DIR)


def key_is_generated() -> bool:
    """Whether the secret key in force is the one generated into the data directory."""
    path = data_dir() / SECRET_KEY_FILE
    return path.is_file() and path.read_text(encoding="utf-8").strip() == settings.SECRET_KEY


def back_up_data_files(folder: Path) -> tuple[StoredObject, ...]:
    """Copy the data files into the backup (the secret key only when it is the one in use)."""
    names = [n for n in DATA_FILES if (data_dir() / n).is_file()]
    if not key_is_generated():
        names = [n for n in names if n != SECRET_KEY_FILE]
    return copy_objects(LocalStorage(data_dir()), LocalStorage(folder / DATA), names).copied


def restore_data_files(folder: Path, entries: tuple[StoredObject, ...]) -> None:
    """Put the backup's data files into the data directory, over the fresh secret key."""
    keys = [entry.key for entry in entries]
    copy_objects(LocalStorage(folder / DATA), LocalStorage(data_dir()), keys)
