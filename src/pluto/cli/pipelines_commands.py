"""Client commands for pipelines, pipeline runs and workflows."""

from __future__ import annotations

import click

COMMANDS: list[click.Command] = []
