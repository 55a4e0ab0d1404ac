"""Server-side commands: ``serve``, ``worker``, ``migrate``, ``demo``, ``user …``, ``token …``."""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from pluto.cli.accounts_commands import token, user
from pluto.cli.check_command import check_command
from pluto.cli.django_setup import migrate, setup_django
from pluto.cli.files_commands import cleanup_command, start_periodic_cleanup
from pluto.cli.serving import DEFAULT_THREADS, run_supervised
from pluto.cli.worker_commands import worker_command


@click.command("migrate")
def migrate_command() -> None:
    """Create or update the database tables.

    \b
    Example:
      pluto migrate
    """
    setup_django()
    migrate(verbose=True)


@click.command("demo")
@click.option(
    "--pipelines/--no-pipelines",
    default=None,
    help="Also the FASTQ experiments (the default when the pipeline tools are installed): "
    "tiny simulated references, reads with known truth, and a bulk RNA-seq run and a "
    "ChIP-seq run over them, processed and accepted.",
)
def demo_command(pipelines: bool | None) -> None:
    """Create the demo account, project PLXP00286, experiment PLX140206 and its peaks and
    survival experiments, each with finished analyses, and the FASTQ experiments with their
    finished pipeline runs (idempotent).

    \b
    Examples:
      pluto demo
      pluto demo --no-pipelines
    """
    setup_django()
    migrate()
    from pluto.server.lab.demo import ensure_demo, password_path

    info = ensure_demo()
    others = "".join(f", {cohort.pluto_id} ({cohort.name})" for cohort in info.cohorts)
    if pipelines is not False:
        others += pipeline_demos(info, required=pipelines is True)
    click.echo(
        f"Demo project {info.project.pluto_id}: experiments {info.experiment.pluto_id}{others}."
    )
    # The password is shown only when it is made; server logs and later runs do not repeat it.
    shown = info.password if info.password_is_new else f"password in {password_path()}"
    click.echo(f"Demo sign-in: {info.user.email} / {shown}")


def pipeline_demos(info: Any, required: bool) -> str:
    """The FASTQ experiments, listed for the summary line; when a tool is missing and they
    were not asked for by name, a note on how to get them instead."""
    from pluto.server.pipelines.fastq_demos import ensure_pipeline_demos, missing_tools

    missing = missing_tools()
    if missing and not required:
        click.echo(
            f"Left out the pipeline demos: {', '.join(missing)} not installed. Install them "
            "with scripts/install-pipeline-tools (as root), then run pluto demo again.",
            err=True,
        )
        return ""
    made = ensure_pipeline_demos(info.user, info.project)
    return "".join(f", {e.pluto_id} ({e.name}, its {what} run accepted)" for e, what in made)


def default_processes() -> int:
    """One web process per core, at most four: each runs many requests at once on its
    threads, and more processes would only add memory and database connections."""
    return max(1, min(4, os.cpu_count() or 1))


def print_welcome(host: str, port: int) -> None:
    """The URL, the demo sign-in when there is one, and how to make a token."""
    from django.conf import settings

    from pluto.server.lab.demo import DEMO_EMAIL, password_path

    url = settings.PUBLIC_URL or f"http://{host}:{port}"
    click.echo(f"Pluto is running at {url}/")
    if password_path().exists():
        click.echo(f"  Demo sign-in: {DEMO_EMAIL}, password in {password_path()}")
    click.echo(f"  Make an API token: sign in, open {url}/account/ and click '+ API token'")
    click.echo("  (or: pluto token create --user EMAIL --name NAME).")
    click.echo(f"  API: {url}/lab/  ·  schema: {url}/lab/openapi.json")


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--processes",
    "--workers",
    "processes",
    default=None,
    type=click.IntRange(1, 64),
    help="Web processes (default: one per core, at most four; --workers is the same).",
)
@click.option(
    "--threads",
    default=DEFAULT_THREADS,
    show_default=True,
    type=click.IntRange(1, 256),
    help="Requests each web process answers at once (and its most database connections).",
)
@click.option(
    "--analysis-workers",
    default=1,
    show_default=True,
    type=click.IntRange(0, 64),
    help="Analysis workers to run beside the web processes.",
)
@click.option("--no-migrate", is_flag=True, help="Do not apply pending migrations first.")
@click.option("--no-worker", is_flag=True, help="Run no analysis worker (--analysis-workers 0).")
def serve_command(
    host: str,
    port: int,
    processes: int | None,
    threads: int,
    analysis_workers: int,
    no_migrate: bool,
    no_worker: bool,
) -> None:
    """Run the web server and the API, with analysis workers beside it.

    Each web process runs gunicorn's threaded worker, answering up to --threads requests at
    once. Web processes and workers that die are started again; stopping this command (or
    killing it) stops them all.

    \b
    Example:
      pluto serve --host 0.0.0.0 --port 8000
    """
    setup_django()
    if not no_migrate:
        migrate()
    print_welcome(host, port)
    start_periodic_cleanup()
    status = run_supervised(
        host,
        port,
        processes or default_processes(),
        threads,
        0 if no_worker else analysis_workers,
    )
    sys.exit(status)


def register_server_commands(group: click.Group) -> None:
    """Add the server-side commands to the ``pluto`` group."""
    commands = (serve_command, migrate_command, demo_command, worker_command, user, token)
    for command in (*commands, cleanup_command, check_command):
        group.add_command(command)
