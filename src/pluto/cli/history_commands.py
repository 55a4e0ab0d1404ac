"""Client commands for an experiment's history."""

from __future__ import annotations

import click

COMMANDS: list[click.Command] = []
