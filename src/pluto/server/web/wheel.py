"""The Python SDK as a wheel, written from the installed package with the standard library.

The server hands out the very ``pluto`` package it runs, so a laptop gets the SDK and the
``pluto`` command of the same version without a clone and without a build tool. The wheel
is written with :mod:`zipfile` from the package's files and its installed metadata (which
lists the SDK's dependencies and, as extras that pip leaves out unless asked, the server's),
byte for byte the same for the same sources, and cached in the data directory under a hash
of those sources: a new version or an edited file gives a new wheel, a restart does not.
"""

from __future__ import annotations

import base64
import hashlib
import os
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import pluto

DISTRIBUTION = "pluto"
TAG = "py3-none-any"
# Every entry gets the same time stamp so that the same sources give the same bytes.
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
SKIPPED_DIRECTORIES = {"__pycache__"}
SKIPPED_SUFFIXES = {".pyc", ".pyo"}
# Metadata fields copied from the installed distribution; the rest describe this checkout.
COPIED_FIELDS = (
    "Name",
    "Version",
    "Summary",
    "License-Expression",
    "License",
    "Requires-Python",
    "Description-Content-Type",
    "Provides-Extra",
    "Requires-Dist",
)


@dataclass(frozen=True)
class Wheel:
    """A built wheel: where it is cached, the name pip sees, its SHA-256 and Python range."""

    path: Path
    filename: str
    sha256: str
    requires_python: str


def wheel_filename(version: str = pluto.__version__) -> str:
    """``pluto-0.1.0-py3-none-any.whl``: the wheel's name follows the package's version."""
    return f"{DISTRIBUTION}-{version}-{TAG}.whl"


def dist_info(version: str = pluto.__version__) -> str:
    """The ``.dist-info`` folder inside the wheel."""
    return f"{DISTRIBUTION}-{version}.dist-info"


def package_files(root: Path) -> Iterator[tuple[str, Path]]:
    """Every file of the package as (name inside the wheel, path), in a stable order."""
    for folder, directories, files in os.walk(root):
        directories[:] = sorted(d for d in directories if d not in SKIPPED_DIRECTORIES)
        for name in sorted(files):
            path = Path(folder) / name
            if name.startswith(".") or path.suffix in SKIPPED_SUFFIXES:
                continue
            yield f"{DISTRIBUTION}/{path.relative_to(root).as_posix()}", path


def installed_metadata() -> metadata.Distribution:
    """The metadata pip recorded when it installed this package (editable or not)."""
    return metadata.distribution(DISTRIBUTION)


def first_value(distribution: metadata.Distribution, field: str, default: str) -> str:
    """A metadata field of the installed distribution, or ``default`` when it has none."""
    values = distribution.metadata.get_all(field) or [default]
    return str(values[0])


def metadata_text(distribution: metadata.Distribution) -> str:
    """The wheel's ``METADATA``: the installed one's fields and its long description."""
    source = distribution.metadata
    lines = [f"Metadata-Version: {first_value(distribution, 'Metadata-Version', '2.1')}"]
    for field in COPIED_FIELDS:
        lines += [f"{field}: {value}" for value in source.get_all(field) or []]
    description = source.get_payload()  # type: ignore[attr-defined]
    body = description if isinstance(description, str) else ""
    return "\n".join(lines) + "\n\n" + body


def wheel_text(version: str) -> str:
    """The wheel's ``WHEEL`` file: pure Python, for any Python 3."""
    return f"Wheel-Version: 1.0\nGenerator: pluto {version}\nRoot-Is-Purelib: true\nTag: {TAG}\n"


def entry_points_text(distribution: metadata.Distribution) -> str:
    """The ``pluto`` command and any other entry points, as installed."""
    return distribution.read_text("entry_points.txt") or ""


def wheel_contents(root: Path, distribution: metadata.Distribution) -> list[tuple[str, bytes]]:
    """Every entry of the wheel but ``RECORD``, as (name, bytes)."""
    version = distribution.version
    info = dist_info(version)
    entries = [(name, path.read_bytes()) for name, path in package_files(root)]
    entries += [
        (f"{info}/METADATA", metadata_text(distribution).encode()),
        (f"{info}/WHEEL", wheel_text(version).encode()),
        (f"{info}/entry_points.txt", entry_points_text(distribution).encode()),
    ]
    return entries


def record_line(name: str, content: bytes) -> str:
    """One ``RECORD`` line: the entry, its urlsafe SHA-256 and its size."""
    digest = base64.urlsafe_b64encode(hashlib.sha256(content).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(content)}"


def record_text(entries: list[tuple[str, bytes]], version: str) -> str:
    """The wheel's ``RECORD``, which lists itself without a hash."""
    lines = [record_line(name, content) for name, content in entries]
    return "\n".join([*lines, f"{dist_info(version)}/RECORD,,"]) + "\n"


def sources_hash(entries: list[tuple[str, bytes]]) -> str:
    """A hash of every entry's name and bytes: what the cached wheel is keyed by."""
    digest = hashlib.sha256()
    for name, content in entries:
        digest.update(name.encode() + b"\0" + hashlib.sha256(content).digest())
    return digest.hexdigest()


def write_wheel(target: Path, entries: list[tuple[str, bytes]], version: str) -> None:
    """Write the wheel to ``target`` at once: a temporary file renamed into place.

    Several server processes may build the same wheel at the same moment; each writes its
    own temporary file and the last rename wins with identical bytes.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=target.parent, suffix=".part")
    with os.fdopen(descriptor, "wb") as raw, zipfile.ZipFile(raw, "w") as archive:
        for name, content in [*entries, (f"{dist_info(version)}/RECORD", b"")]:
            if name.endswith("/RECORD"):
                content = record_text(entries, version).encode()
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, content)
    os.replace(temporary, target)


def file_sha256(path: Path) -> str:
    """The hex SHA-256 of a file, as package indexes put it after ``#sha256=``."""
    with path.open("rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


def sdk_wheel(cache_dir: Path) -> Wheel:
    """The SDK's wheel, from the cache when these sources were built before."""
    distribution = installed_metadata()
    entries = wheel_contents(Path(pluto.__file__).parent, distribution)
    filename = wheel_filename(distribution.version)
    target = cache_dir / sources_hash(entries)[:24] / filename
    if not target.is_file():
        write_wheel(target, entries, distribution.version)
    requires_python = first_value(distribution, "Requires-Python", "")
    return Wheel(target, filename, file_sha256(target), requires_python)
