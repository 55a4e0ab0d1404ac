"""SQLite databases copied page by page through SQLite's online backup API.

The copy is one consistent snapshot even while the server writes: SQLite restarts the copy
when another connection changes the source mid-way.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path


def copy_sqlite(source: Path, target: Path) -> None:
    """Copy the database at ``source`` into the file ``target`` (created or overwritten)."""
    # sqlite3's own context manager only commits; closing() releases the files.
    with closing(sqlite3.connect(source)) as reader, closing(sqlite3.connect(target)) as writer:
        reader.backup(writer)
