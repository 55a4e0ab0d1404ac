"""What kind of file an upload is: detected from its content first, its name and type second.

Binary formats carry a signature (gzip ``1f8b``, Parquet ``PAR1``, an ``.xlsx`` is a zip
starting ``PK``), so the content decides. A name that promises a binary format the content
does not have is refused rather than guessed at. Text is CSV or TSV, UTF-8 (with or without
a byte-order mark) or UTF-16 with its mark, possibly gzip-compressed.
"""

from __future__ import annotations

import codecs
import gzip
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from pluto.server.errors import InvalidInput

HEAD_BYTES = 64 * 1024
GZIP_MAGIC = b"\x1f\x8b"
PARQUET_MAGIC = b"PAR1"
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
KNOWN_BINARY = {
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"BAM\x01": "a BAM alignment file",
}
TAB_SUFFIXES = {".tsv", ".tab", ".txt"}
BINARY_SUFFIXES = {".parquet": "parquet", ".pq": "parquet", ".xlsx": "xlsx", ".gz": "gzip"}
TAB_TYPES = {"text/tab-separated-values", "text/tsv"}
CSV_TYPES = {"text/csv", "application/csv"}
SUPPORTED = "CSV, TSV (either may be gzip-compressed), Parquet or Excel .xlsx"


@dataclass(frozen=True)
class UploadFormat:
    """A detected upload format: ``csv``, ``tsv``, ``parquet`` or ``xlsx``, and how to read it."""

    kind: str
    compression: str | None = None
    encoding: str = "utf-8"

    @property
    def label(self) -> str:
        """The short name stored with a dataset, such as ``csv.gz``."""
        return f"{self.kind}.gz" if self.compression == "gzip" else self.kind

    @property
    def delimiter(self) -> str:
        """The field separator of a text format."""
        return "\t" if self.kind == "tsv" else ","


def wrong_format(message: str, filename: str) -> InvalidInput:
    """The error for a file Pluto cannot read as a table."""
    return InvalidInput(
        f"{message} Upload the table as {SUPPORTED}.",
        details={"filename": filename, "reason": "unsupported_format"},
    )


def suffixes(filename: str) -> list[str]:
    """The lowercase suffixes of a file name (``data.CSV.gz`` -> ``['.csv', '.gz']``)."""
    return [s.lower() for s in PurePosixPath(filename.replace("\\", "/")).suffixes]


def read_head(path: Path) -> bytes:
    """The first bytes of a file; an empty file is an error."""
    with path.open("rb") as handle:
        head = handle.read(HEAD_BYTES)
    if not head:
        raise InvalidInput(
            "The file is empty; upload a table with a header row and at least one row.",
            details={"reason": "empty_file"},
        )
    return head


def detect_format(path: Path, filename: str = "", content_type: str = "") -> UploadFormat:
    """The format of the file at ``path``, or ``400 invalid`` saying what is wrong."""
    head = read_head(path)
    claimed = suffixes(filename)
    if head.startswith(GZIP_MAGIC):
        return gzip_format(path, filename, claimed[:-1] if claimed[-1:] == [".gz"] else claimed)
    binary = binary_format(head, path, filename)
    if binary is not None:
        return binary
    refuse_false_claims(claimed, filename)
    return text_format(head, filename, claimed, content_type)


def binary_format(head: bytes, path: Path, filename: str) -> UploadFormat | None:
    """Parquet or xlsx from their signatures; known non-table files are refused."""
    if head.startswith(PARQUET_MAGIC):
        return UploadFormat("parquet")
    if head.startswith(ZIP_MAGIC):
        if is_xlsx(path):
            return UploadFormat("xlsx")
        raise wrong_format("The file is a zip archive but not an Excel .xlsx workbook.", filename)
    if head.startswith(OLE_MAGIC):
        raise wrong_format(
            "The file is an old Excel .xls workbook; save it as .xlsx or CSV.", filename
        )
    for magic, what in KNOWN_BINARY.items():
        if head.startswith(magic):
            raise wrong_format(f"The file is {what}, not a table.", filename)
    return None


def is_xlsx(path: Path) -> bool:
    """Whether a zip archive is an Excel workbook."""
    try:
        with zipfile.ZipFile(path) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


def refuse_false_claims(claimed: list[str], filename: str) -> None:
    """A name ending ``.parquet``, ``.xlsx`` or ``.gz`` whose content is not that format."""
    for suffix in claimed[-1:]:
        if suffix in BINARY_SUFFIXES:
            what = {"parquet": "a Parquet file", "xlsx": "an Excel .xlsx workbook"}.get(
                BINARY_SUFFIXES[suffix], "gzip-compressed"
            )
            raise wrong_format(f"The file is named {filename!r} but is not {what}.", filename)


def gzip_format(path: Path, filename: str, claimed: list[str]) -> UploadFormat:
    """A gzip-compressed CSV or TSV."""
    try:
        with gzip.open(path, "rb") as handle:
            inner = handle.read(HEAD_BYTES)
    except (OSError, EOFError, zlib.error) as exc:
        raise wrong_format("The gzip file is damaged or incomplete.", filename) from exc
    if not inner:
        raise InvalidInput(
            "The file is empty once decompressed; upload a table with a header and rows.",
            details={"reason": "empty_file"},
        )
    if inner.startswith((PARQUET_MAGIC, ZIP_MAGIC)) or any(
        inner.startswith(m) for m in KNOWN_BINARY
    ):
        raise wrong_format("Only CSV and TSV files may be gzip-compressed.", filename)
    text = text_format(inner, filename, claimed, "")
    return UploadFormat(text.kind, "gzip", text.encoding)


def text_format(head: bytes, filename: str, claimed: list[str], content_type: str) -> UploadFormat:
    """CSV or TSV, in UTF-8 or UTF-16; anything else is refused."""
    encoding = text_encoding(head, filename)
    first_line = decoded_first_line(head, encoding)
    return UploadFormat(delimited_kind(first_line, claimed, content_type), encoding=encoding)


def text_encoding(head: bytes, filename: str) -> str:
    """``utf-16`` when a UTF-16 byte-order mark says so, else ``utf-8`` (which must decode)."""
    if head.startswith(UTF16_BOMS):
        return "utf-16"
    if b"\x00" in head:
        raise wrong_format("The file contains binary data, not text.", filename)
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            f"The file is not UTF-8 text (byte {exc.start + 1} cannot be read). Save it as "
            "'CSV UTF-8' or tab-separated UTF-8 text and upload it again.",
            details={"reason": "encoding", "byte": exc.start + 1},
        ) from exc
    return "utf-8"


def decoded_first_line(head: bytes, encoding: str) -> str:
    """The header line as text (enough to see which separator it uses)."""
    text = codecs.getincrementaldecoder(encoding)(errors="replace").decode(head, final=False)
    return text.lstrip("\ufeff").lstrip("\r\n").split("\n", 1)[0]


def delimited_kind(first_line: str, claimed: list[str], content_type: str) -> str:
    """``tsv`` or ``csv``: the separator the header uses, the name or type breaking ties."""
    tabs, commas = first_line.count("\t"), first_line.count(",")
    hint = delimiter_hint(claimed, content_type)
    if tabs and not commas:
        return "tsv"
    if commas and not tabs:
        return "csv"
    if hint is not None:
        return hint
    return "tsv" if tabs > commas else "csv"


def delimiter_hint(claimed: list[str], content_type: str) -> str | None:
    """What the file name or the Content-Type says the separator is, if anything."""
    media = content_type.split(";", 1)[0].strip().lower()
    if (claimed[-1:] and claimed[-1] in TAB_SUFFIXES) or media in TAB_TYPES:
        return "tsv"
    if claimed[-1:] == [".csv"] or media in CSV_TYPES:
        return "csv"
    return None
