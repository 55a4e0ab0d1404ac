"""Where the bytes of an unfinished upload wait: a staging file, or chunk objects in the store.

With the local folder as the object store, a session's bytes collect in one staging file under
``DATA_DIR/uploads``, whose length says how much has arrived. With S3, every chunk becomes an
object ``uploads/<staging name>/<first byte>`` in the store itself, so a chunk may arrive at any
node and a node may vanish without losing an upload; completion streams the chunks in order
into the file's object, hashing it on the way. Either way a broken chunk leaves no trace.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from django.conf import settings

from pluto.server.errors import InvalidInput
from pluto.server.files.models import UploadSession
from pluto.server.storage import CHUNK, LocalStorage, Storage, StoredObject, get_storage

# A writer renews its lease at least this often while it copies a chunk.
RENEW_SECONDS = 5.0
STAGING_PREFIX = "uploads"


class Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class Writable(Protocol):
    def write(self, data: bytes, /) -> int: ...


class Staging(Protocol):
    """What the upload protocol needs from the place unfinished uploads wait in."""

    def received(self, session: UploadSession) -> int:
        """How many bytes, from byte 0 on, have arrived."""
        ...

    def append(
        self,
        session: UploadSession,
        offset: int,
        body: Readable,
        expected: int,
        keep_lease: Callable[[], None],
    ) -> None:
        """Store exactly ``expected`` bytes of ``body`` at ``offset``, or nothing at all."""
        ...

    def assemble(self, session: UploadSession, key: str) -> StoredObject:
        """Write every byte that arrived into the object store under ``key``."""
        ...

    def discard(self, session: UploadSession) -> None:
        """Remove what the session staged (nothing happens when it is already gone)."""
        ...

    def remove_stray(self, owned: set[str]) -> list[str]:
        """Remove staged bytes whose staging name is not in ``owned``; their names."""
        ...


def check_body_length(copied: int, expected: int, extra: bytes) -> None:
    """The body must hold exactly the bytes its ``Content-Range`` announces."""
    if copied == expected and not extra:
        return
    actual = f"more than {expected}" if extra else str(copied)
    raise InvalidInput(
        f"The request body has {actual} bytes, but Content-Range announces {expected}.",
        details={"field": "Content-Range"},
    )


def copy_body(
    body: Readable, staging: Writable, expected: int, keep_lease: Callable[[], None]
) -> int:
    """Copy up to ``expected`` bytes in 1 MiB blocks, renewing the lease every few seconds;
    how many bytes there were."""
    copied, renewed = 0, time.monotonic()
    while copied < expected:
        block = body.read(min(CHUNK, expected - copied))
        if not block:
            break
        staging.write(block)
        copied += len(block)
        if time.monotonic() - renewed >= RENEW_SECONDS:
            keep_lease()
            renewed = time.monotonic()
    return copied


class LocalStaging:
    """One staging file per session under ``DATA_DIR/uploads``."""

    def folder(self) -> Path:
        """The folder holding the bytes of unfinished uploads."""
        folder = Path(settings.DATA_DIR) / "uploads"
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def path(self, session: UploadSession) -> Path:
        """The staging file of a session."""
        return self.folder() / session.staging_name

    def received(self, session: UploadSession) -> int:
        try:
            return self.path(session).stat().st_size
        except FileNotFoundError:
            return 0

    def append(
        self,
        session: UploadSession,
        offset: int,
        body: Readable,
        expected: int,
        keep_lease: Callable[[], None],
    ) -> None:
        write_at(self.path(session), offset, body, expected, keep_lease)

    def assemble(self, session: UploadSession, key: str) -> StoredObject:
        return get_storage().put(key, self.path(session))

    def discard(self, session: UploadSession) -> None:
        self.path(session).unlink(missing_ok=True)

    def remove_stray(self, owned: set[str]) -> list[str]:
        removed = []
        for path in sorted(self.folder().glob("*.part")):
            if path.name not in owned:
                path.unlink(missing_ok=True)
                removed.append(path.name)
        return removed


def write_at(
    path: Path, offset: int, body: Readable, expected: int, keep_lease: Callable[[], None]
) -> None:
    """Stream exactly ``expected`` bytes of ``body`` into ``path`` at ``offset``, durably.

    On any failure the file is cut back to ``offset``, so a broken chunk leaves no trace.
    """
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    with os.fdopen(descriptor, "r+b") as staging:
        try:
            staging.seek(offset)
            copied = copy_body(body, staging, expected, keep_lease)
            check_body_length(copied, expected, extra=body.read(1))
            staging.flush()
            os.fsync(staging.fileno())
        except BaseException:
            staging.truncate(offset)
            raise


class StoreStaging:
    """One object per chunk in the object store, named by the chunk's first byte."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage

    def folder(self, staging_name: str) -> str:
        """The store folder of a session's chunks."""
        return f"{STAGING_PREFIX}/{staging_name}"

    def chunks(self, session: UploadSession) -> list[tuple[int, str, int]]:
        """The contiguous chunks from byte 0, as (first byte, key, size), in order."""
        found = sorted(
            (int(key.rsplit("/", 1)[1]), key, size)
            for key, size in self.storage.listing(self.folder(session.staging_name)).items()
            if key.rsplit("/", 1)[1].isdigit()
        )
        contiguous, end = [], 0
        for first, key, size in found:
            if first == end:
                contiguous.append((first, key, size))
                end += size
        return contiguous

    def received(self, session: UploadSession) -> int:
        return sum(size for _, _, size in self.chunks(session))

    def append(
        self,
        session: UploadSession,
        offset: int,
        body: Readable,
        expected: int,
        keep_lease: Callable[[], None],
    ) -> None:
        if expected == 0:
            check_body_length(0, 0, extra=body.read(1))
            return
        key = f"{self.folder(session.staging_name)}/{offset:020d}"
        self.storage.put(key, ExactReader(body, expected, keep_lease))  # type: ignore[arg-type]

    def assemble(self, session: UploadSession, key: str) -> StoredObject:
        chunks = [(chunk_key, size) for _, chunk_key, size in self.chunks(session)]
        return self.storage.put(key, ChainReader(self.storage, chunks))  # type: ignore[arg-type]

    def discard(self, session: UploadSession) -> None:
        for key in self.storage.listing(self.folder(session.staging_name)):
            self.storage.delete(key)

    def remove_stray(self, owned: set[str]) -> list[str]:
        names: dict[str, list[str]] = {}
        for key in self.storage.listing(STAGING_PREFIX):
            parts = key.split("/")
            if len(parts) == 3:
                names.setdefault(parts[1], []).append(key)
        stray = sorted(name for name in names if name not in owned)
        for name in stray:
            for key in names[name]:
                self.storage.delete(key)
        return stray


class ExactReader:
    """A request body cut to the bytes its ``Content-Range`` announces.

    It raises (so the store keeps nothing) when the body ends early or holds more, and renews
    the write lease while the bytes stream through.
    """

    def __init__(self, body: Readable, expected: int, keep_lease: Callable[[], None]) -> None:
        self.body, self.remaining, self.expected = body, expected, expected
        self.keep_lease, self.renewed = keep_lease, time.monotonic()

    def read(self, size: int = -1) -> bytes:
        """Up to ``size`` bytes (all that remain for -1), filled unless the chunk ends."""
        wanted = self.remaining if size < 0 else min(size, self.remaining)
        blocks: list[bytes] = []
        while wanted > 0:
            block = self.body.read(min(CHUNK, wanted))
            if not block:
                check_body_length(self.expected - self.remaining, self.expected, b"")
            blocks.append(block)
            wanted -= len(block)
            self.remaining -= len(block)
            self.renew()
        if self.remaining == 0:
            check_body_length(self.expected, self.expected, extra=self.body.read(1))
        return b"".join(blocks)

    def renew(self) -> None:
        """Renew the lease when the last renewal is a few seconds old."""
        if time.monotonic() - self.renewed >= RENEW_SECONDS:
            self.keep_lease()
            self.renewed = time.monotonic()


class ChainReader:
    """The chunk objects of an upload read one after another, as one stream."""

    def __init__(self, storage: Storage, chunks: list[tuple[str, int]]) -> None:
        self.blocks = self.stream(storage, chunks)
        self.pending = b""

    @staticmethod
    def stream(storage: Storage, chunks: list[tuple[str, int]]) -> Iterator[bytes]:
        for key, size in chunks:
            if size:
                yield from storage.open_range(key, 0, size - 1)

    def read(self, size: int = -1) -> bytes:
        """Up to ``size`` bytes (everything for -1); fewer only at the end."""
        parts, have = [self.pending], len(self.pending)
        while size < 0 or have < size:
            block = next(self.blocks, b"")
            if not block:
                break
            parts.append(block)
            have += len(block)
        data = b"".join(parts)
        cut = len(data) if size < 0 else size
        self.pending = data[cut:]
        return data[:cut]


@lru_cache(maxsize=1)
def local_staging() -> LocalStaging:
    """The staging files of the local-folder store."""
    return LocalStaging()


def staging_dir() -> Path:
    """The folder of the local staging files."""
    return local_staging().folder()


def staging_path(session: UploadSession) -> Path:
    """The local staging file of a session."""
    return local_staging().path(session)


def get_staging() -> Staging:
    """Staging files beside a local-folder store; chunk objects in any other store."""
    storage = get_storage()
    if isinstance(storage, LocalStorage):
        return local_staging()
    return StoreStaging(storage)
