"""``pluto backup DEST`` and ``pluto restore SRC``: the installation's database and objects."""

from __future__ import annotations

from pathlib import Path

import click

from pluto.cli.accounts_commands import service_call
from pluto.cli.django_setup import setup_django

FOLDER = click.Path(file_okay=False, path_type=Path)
KEY_REMINDER = (
    "The secret key comes from PLUTO_SECRET_KEY and is not in the backup: keep it with the "
    "backup, API tokens and sessions work only with the same key."
)


def megabytes(sizes: list[int]) -> str:
    """A total size for people."""
    return f"{sum(sizes) / 1024**2:.1f} MB"


@click.command("backup")
@click.argument("dest", type=FOLDER)
def backup_command(dest: Path) -> None:
    """Back up the database and every stored object into the new folder DEST.

    The server may keep running: the database copy is one consistent snapshot (SQLite's
    online backup, or pg_dump), and manifest.json, written last, lists every object with its
    size and SHA-256. The folder holds the secret key: keep it private.

    \b
    Example:
      pluto backup /srv/backups/pluto-2026-12-02
    """
    setup_django()
    from pluto.server.backups.backup import make_backup

    result = service_call(make_backup, dest)
    objects = result.manifest.objects
    sizes = [entry.size for entry in (result.manifest.database, *objects)]
    click.echo(f"Backed up the database and {len(objects)} objects ({megabytes(sizes)}) to {dest}.")
    for key in result.vanished:
        click.echo(f"Warning: object {key} was deleted while the backup ran.", err=True)
    if not result.has_secret_key:
        click.echo(KEY_REMINDER, err=True)


@click.command("restore")
@click.argument("src", type=click.Path(exists=True, file_okay=False, path_type=Path))
def restore_command(src: Path) -> None:
    """Restore the backup in SRC into this empty installation.

    Every file is checked against the backup's manifest first; a damaged backup, or a
    database or storage that already holds data, is refused with nothing changed. Start the
    server afterwards (pluto serve applies any newer migrations).

    \b
    Example:
      PLUTO_DATA_DIR=/srv/pluto-new pluto restore /srv/backups/pluto-2026-12-02
    """
    setup_django()
    from pluto.server.backups.restore import restore_backup

    result = service_call(restore_backup, src)
    manifest = result.manifest
    click.echo(
        f"Restored the backup of {manifest.created_at} (Pluto {manifest.pluto_version}): "
        f"the database and {len(manifest.objects)} objects."
    )
    if result.key_overridden:
        click.echo(
            "PLUTO_SECRET_KEY is set, so the backup's secret key is not used: API tokens made "
            "before the backup work only if it is the key the backed-up server had.",
            err=True,
        )


COMMANDS = [backup_command, restore_command]
