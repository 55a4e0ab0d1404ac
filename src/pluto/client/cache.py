"""An opt-in disk cache of table pages, validated with the server's ``ETag``.

A cached page is sent back as ``If-None-Match``; when the server answers ``304 Not Modified``
the stored bytes are used and no body crosses the network. Every read still asks the server,
so permissions and new versions are always honoured. Each entry is one file (a JSON header
line, then the body), replaced atomically, so parallel readers never see half an entry.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

CACHE_DIR_VARIABLE = "PLUTO_CACHE_DIR"
ENTRY_SUFFIX = ".page"


@dataclass(frozen=True)
class Answer:
    """A table page as it came over the wire: its bytes and the headers that describe them."""

    content: bytes
    content_type: str
    total: str | None = None
    etag: str | None = None


def default_cache_dir() -> Path:
    """``$PLUTO_CACHE_DIR``, else ``~/.cache/pluto`` (or under ``$XDG_CACHE_HOME``)."""
    explicit = os.environ.get(CACHE_DIR_VARIABLE)
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "pluto"


def open_cache(cache: bool | str | os.PathLike[str] | None) -> TableCache | None:
    """The cache a ``cache=`` argument asks for.

    ``None`` caches only when ``PLUTO_CACHE_DIR`` is set; ``True`` caches in the default
    folder; a path caches there; ``False`` never caches.
    """
    if cache is False:
        return None
    if cache is None:
        explicit = os.environ.get(CACHE_DIR_VARIABLE)
        return TableCache(Path(explicit).expanduser()) if explicit else None
    if cache is True:
        return TableCache(default_cache_dir())
    return TableCache(Path(cache).expanduser())


class TableCache:
    """Table pages on disk, keyed by URL, query parameters and requested format.

    ``revalidated`` counts the pages the server confirmed unchanged (answered 304).
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.revalidated = 0
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"TableCache(folder={str(self.folder)!r})"

    def key(self, url: str, params: Mapping[str, object], accept: str) -> str:
        """The entry name of a request."""
        identity = json.dumps([url, sorted((k, str(v)) for k, v in params.items()), accept])
        return hashlib.sha256(identity.encode()).hexdigest()

    def path(self, key: str) -> Path:
        """Where an entry lives."""
        return self.folder / f"{key}{ENTRY_SUFFIX}"

    def lookup(self, key: str) -> Answer | None:
        """The stored page, or None when there is none or it cannot be read."""
        try:
            header, content = self.path(key).read_bytes().split(b"\n", 1)
            meta = json.loads(header)
        except (OSError, ValueError):
            return None
        return Answer(content, meta["content_type"], meta.get("total"), meta.get("etag"))

    def store(self, key: str, answer: Answer) -> None:
        """Keep a page that carries an ``ETag``; a failure to write only costs the cache."""
        if not answer.etag:
            return
        meta = {"content_type": answer.content_type, "total": answer.total, "etag": answer.etag}
        with contextlib.suppress(OSError):
            self.write_atomically(
                self.path(key), json.dumps(meta).encode() + b"\n" + answer.content
            )

    def write_atomically(self, target: Path, data: bytes) -> None:
        """Write to a temporary file in the folder, then rename it over the entry."""
        descriptor, temporary = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
        try:
            with os.fdopen(descriptor, "wb") as file:
                file.write(data)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def count_revalidated(self) -> None:
        """Note one page served from the cache after a 304."""
        with self._lock:
            self.revalidated += 1

    def clear(self) -> None:
        """Delete every cached page."""
        for entry in self.folder.glob(f"*{ENTRY_SUFFIX}"):
            entry.unlink(missing_ok=True)
