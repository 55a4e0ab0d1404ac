"""``pluto check``: Django's system checks on this server's settings."""

from __future__ import annotations

import sys

import click

from pluto.cli.django_setup import setup_django


@click.command("check")
@click.option("--deploy", is_flag=True, help="Also run the checks of a production deployment.")
def check_command(deploy: bool) -> None:
    """Check the settings, models and URLs; exit 1 on any warning or error.

    \b
    Example:
      PLUTO_PUBLIC_URL=https://pluto.example.org pluto check --deploy
    """
    setup_django()
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    try:
        call_command("check", deploy=deploy, fail_level="WARNING")
    except SystemCheckError as error:
        click.echo(str(error), err=True)
        sys.exit(1)
