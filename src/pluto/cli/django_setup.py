"""Start Django for the server-side commands, turning a bad setting into a clear exit."""

from __future__ import annotations

import os
import sys

import click


def setup_django() -> None:
    """Load the settings once; a bad ``PLUTO_`` variable exits with status 2 naming it."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pluto.server.settings")
    try:
        import django

        from pluto.server.config import ConfigError
    except ImportError as exc:  # the client-only install
        raise click.ClickException(
            f"The server is not installed ({exc.name} is missing): pip install 'pluto[server]'."
        ) from exc
    try:
        django.setup()
    except ConfigError as exc:
        click.echo(f"Configuration error: {exc}", err=True)
        sys.exit(2)


def migrate(verbose: bool = False) -> None:
    """Apply any pending database migrations."""
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=1 if verbose else 0)
