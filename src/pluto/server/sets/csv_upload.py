"""Reading an uploaded CSV (raw body or multipart field ``file``) into rows by header."""

from __future__ import annotations

import csv
import io

from django.http import HttpRequest

from pluto.server.errors import InvalidInput, PlutoError

MAX_CSV_BYTES = 20 * 1024 * 1024
FIELD = "file"


def too_large() -> PlutoError:
    """``413 payload_too_large`` naming the limit."""
    return PlutoError(
        f"CSV files may be at most {MAX_CSV_BYTES // 1024**2} MB.",
        code="payload_too_large",
        status=413,
        details={"field": FIELD, "limit": MAX_CSV_BYTES},
    )


def csv_bytes(request: HttpRequest) -> bytes:
    """The uploaded bytes: the multipart field ``file``, or the raw body."""
    content_type = str(request.META.get("CONTENT_TYPE", "")).lower()
    if content_type.startswith("multipart/form-data"):
        upload = request.FILES.get(FIELD)
        if upload is None:
            raise InvalidInput(
                "Send the CSV in a multipart field called 'file', or as the raw body.",
                details={"field": FIELD},
            )
        data = bytes(upload.read(MAX_CSV_BYTES + 1))
    else:
        data = request.body
    if len(data) > MAX_CSV_BYTES:
        raise too_large()
    if not data.strip():
        raise InvalidInput(
            "The CSV is empty; send a header row and rows.", details={"field": FIELD}
        )
    return data


def csv_text(data: bytes) -> str:
    """The CSV as text (UTF-8, with or without a byte order mark)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput("The CSV must be UTF-8 text.", details={"field": FIELD}) from exc


def read_rows(data: bytes) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """The header and each row as ``(row number, {column: value})``, the header being row 1.

    Blank lines are skipped; a row with more cells than the header is an error naming it.
    """
    if "\x00" in (text := csv_text(data)):
        raise InvalidInput("The CSV contains a NUL character.", details={"field": FIELD})
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [cell.strip() for cell in next(reader, [])]
        rows = []
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            row = reader.line_num
            if len(cells) > len(header):
                raise InvalidInput(
                    f"Row {row} has {len(cells)} cells but the header has {len(header)}.",
                    details={"row": row},
                )
            padded = cells + [""] * (len(header) - len(cells))
            values = zip(header, padded, strict=True)
            rows.append((row, {name: value.strip() for name, value in values}))
    except csv.Error as exc:
        raise InvalidInput(
            f"The CSV cannot be read at row {reader.line_num}: {exc}.",
            details={"row": reader.line_num},
        ) from exc
    return header, rows


def require_column(header: list[str], name: str) -> None:
    """``400`` naming the column when the header lacks it."""
    if name not in header:
        shown = ", ".join(header) or "none"
        raise InvalidInput(
            f"The CSV needs a '{name}' column (its header has: {shown}).",
            details={"column": name, "row": 1},
        )
