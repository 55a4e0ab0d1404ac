"""The object store behind one narrow adapter: a local folder, or S3 (``s3_storage.py``).

Callers use only :func:`get_storage` and the :class:`Storage` methods, so either backend
serves them unchanged; ``PLUTO_STORAGE_URL`` chooses. Keys are relative, ``/``-separated
paths such as ``datasets/<uuid>.parquet``; objects are immutable once written.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO, Protocol

from django.conf import settings

from pluto.server.config import StorageConfig
from pluto.server.errors import NotFound

CHUNK = 1024 * 1024
INCOMING_PREFIX = ".incoming-"


@dataclass(frozen=True)
class StoredObject:
    """What was written: the key, its size in bytes and its SHA-256."""

    key: str
    size: int
    sha256: str


class Storage(Protocol):
    """The operations every backend provides."""

    def put(self, key: str, source: BinaryIO | bytes | Path) -> StoredObject:
        """Write an object atomically (readers see all of it or none of it)."""
        ...

    def open(self, key: str) -> BinaryIO:
        """A seekable binary file of the object."""
        ...

    def open_range(self, key: str, start: int, end: int) -> Iterator[bytes]:
        """The bytes ``start`` to ``end`` inclusive, in chunks."""
        ...

    def delete(self, key: str) -> None:
        """Remove an object (no error when it is already gone)."""
        ...

    def exists(self, key: str) -> bool:
        """Whether the object exists."""
        ...

    def size(self, key: str) -> int:
        """The object's size in bytes."""
        ...

    def local_path(self, key: str) -> Path | None:
        """A filesystem path to the object when the backend has one (None on S3)."""
        ...

    def keys(self) -> Iterator[str]:
        """Every stored object's key, sorted (what backups copy)."""
        ...

    def listing(self, prefix: str) -> dict[str, int]:
        """Every object under the folder ``prefix`` (all of them for ''), with its size."""
        ...

    def download_url(self, key: str, filename: str, content_type: str, ttl: int) -> str | None:
        """A URL the store itself serves the object at (presigned on S3), or None when
        downloads go through the server's own signed URLs."""
        ...


def check_key(key: str) -> str:
    """Refuse keys that could escape the store (absolute, ``..``, empty parts)."""
    parts = key.split("/")
    if not key or key.startswith("/") or any(p in {"", ".", ".."} for p in parts):
        raise ValueError(f"Invalid storage key {key!r}.")
    return key


class LocalStorage:
    """Objects as files under a folder of the data directory."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)

    def path(self, key: str) -> Path:
        return self.root / check_key(key)

    def put(self, key: str, source: BinaryIO | bytes | Path) -> StoredObject:
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        fd, temp_name = tempfile.mkstemp(dir=target.parent, prefix=INCOMING_PREFIX)
        try:
            with os.fdopen(fd, "wb") as out:
                size = copy_hashing(source, out, digest)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temp_name, target)
        except BaseException:
            Path(temp_name).unlink(missing_ok=True)
            raise
        return StoredObject(key=key, size=size, sha256=digest.hexdigest())

    def open(self, key: str) -> BinaryIO:
        try:
            return self.path(key).open("rb")
        except FileNotFoundError as exc:
            raise NotFound(f"Stored object {key} is missing.") from exc

    def open_range(self, key: str, start: int, end: int) -> Iterator[bytes]:
        with self.open(key) as handle:
            handle.seek(start)
            remaining = end - start + 1
            while remaining > 0:
                chunk = handle.read(min(CHUNK, remaining))
                if not chunk:
                    break
                remaining -= len(chunk)
                yield chunk

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def size(self, key: str) -> int:
        try:
            return self.path(key).stat().st_size
        except FileNotFoundError as exc:
            raise NotFound(f"Stored object {key} is missing.") from exc

    def local_path(self, key: str) -> Path | None:
        return self.path(key)

    def keys(self) -> Iterator[str]:
        # A file still being written has a temporary name; it is no object until renamed.
        for path in sorted(self.root.rglob("*")):
            if path.is_file() and not path.name.startswith(INCOMING_PREFIX):
                yield path.relative_to(self.root).as_posix()

    def listing(self, prefix: str) -> dict[str, int]:
        folder = self.path(prefix.rstrip("/")) if prefix.strip("/") else self.root
        if not folder.is_dir():
            return {}
        return {
            path.relative_to(self.root).as_posix(): path.stat().st_size
            for path in folder.rglob("*")
            if path.is_file() and not path.name.startswith(INCOMING_PREFIX)
        }

    def download_url(self, key: str, filename: str, content_type: str, ttl: int) -> str | None:
        # The server serves local objects itself, through its own signed URLs.
        return None


def copy_hashing(source: BinaryIO | bytes | Path, out: BinaryIO, digest: hashlib._Hash) -> int:
    """Copy ``source`` into ``out`` in chunks, updating ``digest``; the byte count."""
    if isinstance(source, bytes):
        digest.update(source)
        out.write(source)
        return len(source)
    if isinstance(source, Path):
        with source.open("rb") as handle:
            return copy_hashing(handle, out, digest)
    size = 0
    while chunk := source.read(CHUNK):
        digest.update(chunk)
        out.write(chunk)
        size += len(chunk)
    return size


@lru_cache(maxsize=1)
def get_storage() -> Storage:
    """The configured object store, made once (``PLUTO_STORAGE_URL``; by default the
    ``objects`` folder of the data directory)."""
    configured: StorageConfig | None = getattr(settings, "STORAGE", None)
    return storage_for(configured or StorageConfig(root=Path(settings.DATA_DIR) / "objects"))


def storage_for(config: StorageConfig) -> Storage:
    """The backend a storage configuration names."""
    if config.is_s3:
        # Imported here so that a local-folder installation never loads boto3.
        from pluto.server.s3_storage import S3Storage

        return S3Storage(config)
    assert config.root is not None
    return LocalStorage(config.root)
