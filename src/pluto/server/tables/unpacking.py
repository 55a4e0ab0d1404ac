"""Bounding what a compressed upload unpacks to, before it can fill the disk or the memory.

A 2.6 MB gzip file can unpack to a gigabyte of rows, so the size limit of an upload says
little about the work it makes, or about the memory its reading takes (see
:class:`PacedStream`). Every compressed format is held to
``PLUTO_MAX_UNPACKED_BYTES``: gzip text by counting the bytes as they are unpacked, xlsx
and Parquet by the unpacked sizes their own directories declare (which their readers hold
them to). An xlsx workbook's shared text is read into memory whole by any reader, so it
has a bound of its own.
"""

from __future__ import annotations

import io
import threading
import zipfile
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from pluto.server.errors import PlutoError

READ_AHEAD_BLOCKS = 4
PACE_WAIT_SECONDS = 0.25
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


class PacedStream(io.RawIOBase):
    """A readable stream that Arrow's CSV reader may not read far ahead of its consumer.

    Arrow's streaming reader reads its input ahead on a thread of its own as fast as the
    input gives bytes: for a gzip bomb, which unpacks far faster than it parses, every
    block would pile up in memory. A read here waits until the consumer has taken a block
    (``took_block``) whenever ``READ_AHEAD_BLOCKS`` reads are ahead of it; the wait is
    bounded, so a block that yields no rows (a long line) slows reading, never stops it.
    With a ``limit``, the unpacked bytes are counted and refused past it.
    """

    def __init__(self, stream: Any, limit: int | None = None) -> None:
        super().__init__()
        self.stream = stream
        self.limit = limit
        self.unpacked = 0
        self.credit = threading.Semaphore(READ_AHEAD_BLOCKS)

    def readable(self) -> bool:
        return True

    def took_block(self) -> None:
        """The consumer has taken one more block: one more read may go ahead."""
        self.credit.release()

    def counted(self, size: int) -> int:
        """Count ``size`` more unpacked bytes; past the limit, refuse the upload."""
        self.unpacked += size
        if self.limit is not None and self.unpacked > self.limit:
            raise unpacks_too_large(self.limit)
        return size

    def read(self, size: int = -1) -> pa.Buffer:
        """The next ``size`` bytes (all the rest for -1), as an Arrow buffer (no copy)."""
        self.credit.acquire(timeout=PACE_WAIT_SECONDS)
        data = self.stream.read_buffer(None if size < 0 else size)
        self.counted(data.size)
        return data

    def readinto(self, buffer: Any) -> int:
        """Fill ``buffer`` from the stream."""
        data = self.read(len(buffer))
        buffer[: data.size] = memoryview(data)
        return int(data.size)

    def close(self) -> None:
        """Close the underlying stream too."""
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
