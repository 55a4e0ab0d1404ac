"""Client commands for research programs."""

from __future__ import annotations

import click

COMMANDS: list[click.Command] = []
