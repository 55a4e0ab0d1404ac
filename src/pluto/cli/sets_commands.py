"""Client commands for biomarker and biomodel sets."""

from __future__ import annotations

import click

COMMANDS: list[click.Command] = []
