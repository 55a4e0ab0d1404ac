"""``pluto worker``: the process that runs queued analyses."""

from __future__ import annotations

import click

from pluto.cli.django_setup import setup_django


@click.command("worker")
@click.option("--once", is_flag=True, help="Run what is queued, then exit.")
@click.option(
    "--parent",
    type=int,
    default=None,
    hidden=True,
    help="Stop when the process with this id is gone (set by pluto serve).",
)
@click.option(
    "--poll",
    default=1.0,
    show_default=True,
    type=click.FloatRange(0.1, 60),
    help="Seconds between looks at an empty queue.",
)
@click.option(
    "--concurrency",
    default=1,
    show_default=True,
    type=click.IntRange(1, 256),
    help="Analyses to run at once (about one per core the machine gives to analyses).",
)
def worker_command(once: bool, poll: float, parent: int | None, concurrency: int) -> None:
    """Run queued analyses (each in its own child process) until stopped.

    \b
    Example:
      pluto worker --concurrency 4
    """
    setup_django()
    from pluto.server.analyses.worker import run_worker

    run_worker(once=once, poll_seconds=poll, parent_pid=parent, concurrency=concurrency)
