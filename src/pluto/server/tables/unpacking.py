"""Bounding what a compressed upload unpacks to, before it can fill the disk or the memory.

A 2.6 MB gzip file can unpack to a gigabyte of rows, so the size limit of an upload says
little about the work it makes. Every compressed format is held to
``PLUTO_MAX_UNPACKED_BYTES``: gzip text by counting the bytes as they are unpacked, xlsx
and Parquet by the unpacked sizes their own directories declare (which their readers hold
them to). An xlsx workbook's shared text is read into memory whole by any reader, so it
has a bound of its own.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pyarrow.parquet as pq

from pluto.server.errors import PlutoError

# openpyxl holds about six bytes of memory per byte of xl/sharedStrings.xml.
XLSX_MAX_SHARED_STRINGS_BYTES = 32 * 1024 * 1024
SHARED_STRINGS = "xl/sharedStrings.xml"


def unpacks_too_large(limit: int, what: str = "The file") -> PlutoError:
    """``413 payload_too_large``: the upload unpacks to more than ``limit`` bytes."""
    return PlutoError(
        f"{what} unpacks to more than {limit} bytes, the most this server unpacks from one "
        "upload (PLUTO_MAX_UNPACKED_BYTES). Split the table, or ask the administrator to "
        "raise the limit.",
        code="payload_too_large",
        status=413,
        details={"limit": limit, "setting": "PLUTO_MAX_UNPACKED_BYTES"},
    )


class UnpackedLimit(io.RawIOBase):
    """A readable stream over unpacked bytes that refuses to give more than ``limit``."""

    def __init__(self, stream: Any, limit: int) -> None:
        super().__init__()
        self.stream = stream
        self.limit = limit
        self.unpacked = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        """Fill ``buffer`` from the unpacked stream, counting against the limit."""
        data = self.stream.read(len(buffer))
        self.unpacked += len(data)
        if self.unpacked > self.limit:
            raise unpacks_too_large(self.limit)
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        """Close the unpacked stream too."""
        self.stream.close()
        super().close()


def check_workbook_size(archive: zipfile.ZipFile, limit: int) -> None:
    """An xlsx workbook whose parts unpack to too much, or whose shared text is too big."""
    if sum(item.file_size for item in archive.infolist()) > limit:
        raise unpacks_too_large(limit, "The workbook")
    names = {item.filename: item for item in archive.infolist()}
    shared = names.get(SHARED_STRINGS)
    if shared is not None and shared.file_size > XLSX_MAX_SHARED_STRINGS_BYTES:
        raise PlutoError(
            f"The workbook's text cells ({SHARED_STRINGS}) unpack to {shared.file_size} bytes; "
            f"this server reads at most {XLSX_MAX_SHARED_STRINGS_BYTES} bytes of them. Save "
            "the sheet as CSV (gzip-compressed if you like) and upload that instead.",
            code="payload_too_large",
            status=413,
            details={"limit": XLSX_MAX_SHARED_STRINGS_BYTES, "part": SHARED_STRINGS},
        )


def check_parquet_size(metadata: pq.FileMetaData, limit: int) -> None:
    """A Parquet file whose column data unpacks to more than ``limit`` bytes."""
    groups = (metadata.row_group(index) for index in range(metadata.num_row_groups))
    if sum(group.total_byte_size for group in groups) > limit:
        raise unpacks_too_large(limit)
