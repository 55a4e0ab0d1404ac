"""Client commands for organizations and teams (pluto org ...)."""

from __future__ import annotations

import click

COMMANDS: list[click.Command] = []
