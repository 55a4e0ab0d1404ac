"""Whole-table exports, written once per (dataset, format, selection) as immutable objects.

A stored dataset never changes, so neither does any export of it: the first request
converts the table batch by batch into a file in the object store, and every later request
for the same export signs a URL to that object.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from pluto.server.scratch import EXPORT_PREFIX, scratch_folder
from pluto.server.storage import get_storage
from pluto.server.tables.encoding import TableFormat, encoded
from pluto.server.tables.models import Dataset
from pluto.server.tables.reading import Selection, whole_table


def export_key(dataset: Dataset, fmt: TableFormat, selection: Selection) -> str:
    """The storage key of an export: the dataset, the format and a digest of the selection."""
    described = repr((fmt.name, selection.columns, selection.ids)).encode()
    digest = hashlib.sha256(described).hexdigest()[:32]
    return f"exports/{dataset.uuid}/{digest}.{fmt.extension}"


def materialised_export(dataset: Dataset, fmt: TableFormat, selection: Selection) -> str:
    """The storage key of the export, writing it first when it does not exist yet."""
    if fmt.name == "parquet" and selection.is_everything(dataset):
        return str(dataset.storage_key)
    key = export_key(dataset, fmt, selection)
    storage = get_storage()
    if not storage.exists(key):
        with scratch_folder(EXPORT_PREFIX) as folder:
            path = folder / f"export.{fmt.extension}"
            write_export(path, dataset, fmt, selection)
            storage.put(key, path)
    return key


def write_export(path: Path, dataset: Dataset, fmt: TableFormat, selection: Selection) -> None:
    """Convert the selected table into ``path``, one row group at a time."""
    rows = whole_table(dataset, selection)
    with path.open("wb") as out:
        for chunk in encoded(fmt, rows.total, rows.schema, rows.tables()):
            out.write(chunk)
