"""The manifest of a backup: what it holds, each file with its size and SHA-256."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import orjson

from pluto.server.errors import InvalidInput
from pluto.server.storage import StoredObject, check_key

FORMAT = "pluto-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"


@dataclass(frozen=True)
class Manifest:
    """A backup's contents: the database file, the data files and the objects."""

    created_at: str
    pluto_version: str
    vendor: str
    database: StoredObject
    data_files: tuple[StoredObject, ...]
    objects: tuple[StoredObject, ...]

    def as_json(self) -> dict[str, Any]:
        """The manifest as written to ``manifest.json``."""
        return {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": self.created_at,
            "pluto_version": self.pluto_version,
            "database": {"vendor": self.vendor, **asdict(self.database)},
            "data_files": [asdict(entry) for entry in self.data_files],
            "objects": [asdict(entry) for entry in self.objects],
        }


def file_entry(folder: Path, key: str) -> StoredObject:
    """The size and SHA-256 of ``folder/key``."""
    path = folder / check_key(key)
    with path.open("rb") as handle:
        digest = hashlib.file_digest(handle, "sha256").hexdigest()
    return StoredObject(key=key, size=path.stat().st_size, sha256=digest)


def write_manifest(folder: Path, manifest: Manifest) -> None:
    """Write ``manifest.json`` into the backup folder."""
    data = orjson.dumps(manifest.as_json(), option=orjson.OPT_INDENT_2)
    (folder / MANIFEST).write_bytes(data + b"\n")


def read_manifest(folder: Path) -> Manifest:
    """The backup's manifest; a clear error when it is missing, of another format or broken."""
    path = folder / MANIFEST
    if not path.is_file():
        raise InvalidInput(
            f"{folder} is not a Pluto backup: it has no {MANIFEST} (a backup that was "
            "interrupted has none)."
        )
    try:
        raw = orjson.loads(path.read_bytes())
        return parse_manifest(raw)
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        raise InvalidInput(f"{path} is damaged and cannot be read ({exc}).") from exc


def parse_manifest(raw: dict[str, Any]) -> Manifest:
    """A manifest from its JSON; a backup of another format version is refused."""
    if raw.get("format") != FORMAT or raw.get("format_version") != FORMAT_VERSION:
        raise InvalidInput(
            f"This backup has format {raw.get('format')!r} version "
            f"{raw.get('format_version')!r}; this Pluto reads {FORMAT!r} version {FORMAT_VERSION}."
        )
    database = dict(raw["database"])
    return Manifest(
        created_at=str(raw["created_at"]),
        pluto_version=str(raw["pluto_version"]),
        vendor=str(database.pop("vendor")),
        database=entry(database),
        data_files=tuple(entry(item) for item in raw["data_files"]),
        objects=tuple(entry(item) for item in raw["objects"]),
    )


def entry(item: dict[str, Any]) -> StoredObject:
    """One file of the manifest, its key checked so it cannot point outside the backup."""
    return StoredObject(
        key=check_key(str(item["key"])), size=int(item["size"]), sha256=str(item["sha256"])
    )
