"""The database part of a backup, for whichever database the installation uses."""

from __future__ import annotations

from pathlib import Path

from django.db import connection

from pluto.server.backups.pg_tools import dump_postgres, restore_postgres
from pluto.server.backups.sqlite_copy import copy_sqlite
from pluto.server.errors import Conflict, InvalidInput

FILE_NAMES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
VENDOR_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def vendor() -> str:
    """``sqlite`` or ``postgresql``: the database this installation is configured with."""
    if connection.vendor not in FILE_NAMES:
        raise InvalidInput(f"Backups of a {connection.vendor} database are not supported.")
    return str(connection.vendor)


def dump_database(folder: Path) -> str:
    """Write a consistent copy of the database into the backup folder; its file name."""
    name = FILE_NAMES[vendor()]
    settings = connection.settings_dict
    if vendor() == "sqlite":
        copy_sqlite(Path(settings["NAME"]), folder / name)
    else:
        dump_postgres(settings, folder / name)
    return name


def refuse_unless_empty() -> None:
    """Refuse to restore over a database that has any table (a ``pluto migrate`` made it)."""
    tables = connection.introspection.table_names()
    if tables:
        where = "a new data directory" if vendor() == "sqlite" else "a new database (createdb)"
        raise Conflict(
            f"The database is not empty: it has {len(tables)} tables, {tables[0]} among "
            f"them. Restore into an empty installation, {where}; nothing was changed."
        )


def load_database(source: Path) -> None:
    """Load the backup's database file into the empty database."""
    settings = connection.settings_dict
    connection.close()  # the restored file must not meet a connection opened before it
    if vendor() == "sqlite":
        copy_sqlite(source, Path(settings["NAME"]))
    else:
        restore_postgres(settings, source)
