"""The ``pluto`` command: run the server and administer it."""

from __future__ import annotations

import gc

import click

from pluto import __version__
from pluto.cli import (
    annotations_commands,
    backup_commands,
    history_commands,
    org_commands,
    pipelines_commands,
    programs_commands,
    search_commands,
    sets_commands,
)
from pluto.cli.client_commands import register_client_commands
from pluto.cli.server_commands import register_server_commands


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="pluto")
def cli() -> None:
    """Pluto: a self-hostable lab data platform.

    \b
    Example:
      pluto serve --port 8000
    """


register_server_commands(cli)
register_client_commands(cli)
for family in (
    org_commands,
    history_commands,
    pipelines_commands,
    annotations_commands,
    backup_commands,
    sets_commands,
    search_commands,
    programs_commands,
):
    for command in family.COMMANDS:
        cli.add_command(command)


def main() -> None:
    """Entry point of the ``pluto`` script."""
    try:
        cli(prog_name="pluto")
    finally:
        # What the command loaded dies with the process: frozen, it is not walked by the
        # full collection at exit, which took half a second after loading Django and
        # seconds after the analysis libraries (every command, and every stop of a server
        # or worker, waited for it).
        gc.freeze()


if __name__ == "__main__":
    main()
