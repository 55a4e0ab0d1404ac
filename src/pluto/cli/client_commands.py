"""Client-side commands: ``login``, ``whoami``, listing, ``read``, uploads, ``analyze``.

They talk to a Pluto server through the SDK. The URL and token come from the environment
(``PLUTO_API_URL``, ``PLUTO_API_TOKEN``), a ``.env`` file, or what ``pluto login`` saved.
Exit codes: 0 success, 1 the server refused or could not be reached, 2 a usage error.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from pluto.cli.analysis_commands import results_command, save_analysis_command, stats_command
from pluto.cli.analyze_command import analyze_command
from pluto.cli.client_support import api_command, json_option, make_client, print_json
from pluto.client.config import TOKEN_VARIABLE, resolve_url, save_config

if TYPE_CHECKING:
    import pandas as pd


TABLE_FORMATS = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".txt": "tsv",
    ".parquet": "parquet",
    ".xlsx": "xlsx",
}


def day(moment: Any) -> str:
    """A moment as ``YYYY-MM-DD`` for tables (empty when unknown)."""
    return moment.date().isoformat() if moment is not None else ""


def print_rows(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Rows as left-aligned text columns under upper-case headers."""
    lines = [[str(h).upper() for h in headers], *([str(cell) for cell in row] for row in rows)]
    widths = [max(len(line[i]) for line in lines) for i in range(len(headers))]
    for line in lines:
        click.echo(
            "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        )


def human_size(size: int) -> str:
    """Bytes as a short human size, such as ``5.0 KiB``."""
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"


@click.command("login")
@click.option("--url", help="The server, such as https://pluto.example.org.")
@click.option("--token", help="An API token (Account page → '+ API token').")
@api_command
def login_command(url: str | None, token: str | None) -> None:
    """Check a server URL and API token, and save them for later commands.

    They are saved in ~/.config/pluto/config.json (or $PLUTO_CONFIG_DIR/config.json),
    readable only by you. PLUTO_API_URL and PLUTO_API_TOKEN, when set, still win.

    \b
    Example:
      pluto login --url https://pluto.example.org
    """
    server = resolve_url(url or click.prompt("Server URL", default=resolve_url(None)))
    key = (token or click.prompt("API token", hide_input=True)).strip()
    user = make_client(server, key).me()
    path = save_config(server, key)
    click.echo(f"Logged in to {server} as {user.name} <{user.email}>; saved in {path}.")
    if os.environ.get(TOKEN_VARIABLE):
        click.echo(
            f"Note: {TOKEN_VARIABLE} is set in your environment and is used first.", err=True
        )


@click.command("whoami")
@json_option
@api_command
def whoami_command(as_json: bool) -> None:
    """Show who the API token belongs to, and on which server.

    \b
    Example:
      pluto whoami
    """
    client = make_client()
    user = client.me()
    if as_json:
        print_json({**user.raw, "url": client.url})
        return
    click.echo(f"{user.name} <{user.email}> on {client.url}")


@click.command("projects")
@json_option
@api_command
def projects_command(as_json: bool) -> None:
    """List the projects you can see.

    \b
    Example:
      pluto projects --json
    """
    projects = make_client().list_projects()
    if as_json:
        print_json([project.raw for project in projects])
        return
    rows = [
        (p.pluto_id, p.name, p.experiments_count, p.share_level, day(p.created_at))
        for p in projects
    ]
    print_rows(("id", "name", "experiments", "sharing", "created"), rows)


@click.command("experiments")
@click.option("--project", "project_id", metavar="ID", help="Only this project's experiments.")
@json_option
@api_command
def experiments_command(project_id: str | None, as_json: bool) -> None:
    """List the experiments you can see.

    \b
    Example:
      pluto experiments --project PLXP00286
    """
    experiments = make_client().list_experiments(project_id)
    if as_json:
        print_json([experiment.raw for experiment in experiments])
        return
    rows = [
        (e.pluto_id, e.name, e.project_id, e.type, e.status, day(e.created_at)) for e in experiments
    ]
    print_rows(("id", "name", "project", "type", "status", "created"), rows)


@click.command("plots")
@click.argument("experiment_id", metavar="EXP")
@json_option
@api_command
def plots_command(experiment_id: str, as_json: bool) -> None:
    """List an experiment's plots (their ids are what 'pluto read … results --plot' takes).

    \b
    Example:
      pluto plots PLX140206
    """
    plots = make_client().list_plots(experiment_id)
    if as_json:
        print_json([plot.raw for plot in plots])
        return
    rows = [(p.uuid, p.analysis_type, p.status, p.display_type, p.title) for p in plots]
    print_rows(("id", "analysis", "status", "display", "title"), rows)


def table_format(output: str | None) -> str:
    """The output format from the file's extension (CSV on stdout when there is no file)."""
    if output is None:
        return "csv"
    suffix = Path(output).suffix.lower()
    if suffix not in TABLE_FORMATS:
        raise click.BadParameter(
            f"cannot tell the format of {output!r}: use .csv, .tsv, .parquet or .xlsx.",
            param_hint="-o/--output",
        )
    return TABLE_FORMATS[suffix]


def write_frame(frame: pd.DataFrame, output: str | None, kind: str) -> None:
    """Write a table to ``output`` in ``kind`` format, or as CSV to stdout."""
    if output is None:
        frame.to_csv(sys.stdout, index=False, lineterminator="\n")
    elif kind in ("csv", "tsv"):
        frame.to_csv(output, index=False, sep="," if kind == "csv" else "\t")
    elif kind == "parquet":
        frame.to_parquet(output, index=False)
    else:
        write_excel(frame, output)


def write_excel(frame: pd.DataFrame, output: str) -> None:
    """Write an .xlsx file (needs openpyxl, which the server extra brings)."""
    try:
        import openpyxl  # noqa: F401
    except ImportError as exc:
        raise click.ClickException(
            "Writing .xlsx needs openpyxl: pip install openpyxl (or write .csv or .parquet)."
        ) from exc
    frame.to_excel(output, index=False)


def split_list(values: str | None) -> list[str] | None:
    """A comma-separated option as a list."""
    return [v.strip() for v in values.split(",") if v.strip()] if values else None


@click.command("read")
@click.argument("experiment_id", metavar="EXP")
@click.argument("data_type", type=click.Choice(["sample", "assay", "results"]))
@click.option("--plot", "plot_id", metavar="ID", help="The plot whose results to read.")
@click.option("-o", "--output", metavar="FILE", help="Write to FILE (.csv, .tsv, .parquet, .xlsx).")
@click.option("--columns", metavar="A,B", help="Only these columns.")
@click.option("--samples", metavar="S1,S2", help="Assay data: only these samples.")
@click.option("--genes", metavar="G1,G2", help="Assay data: only these genes.")
@click.option("-q", "--quiet", is_flag=True, help="No progress messages.")
@api_command
def read_command(
    experiment_id: str,
    data_type: str,
    plot_id: str | None,
    output: str | None,
    columns: str | None,
    samples: str | None,
    genes: str | None,
    quiet: bool,
) -> None:
    """Read an experiment's sample data, assay data or a plot's results.

    Without -o the table goes to stdout as CSV; progress goes to stderr.

    \b
    Examples:
      pluto read PLX140206 assay -o counts.parquet
      pluto read PLX140206 results --plot 4c1e7a52-0b9d-4e33-8f6a-1d2c3b4a5e6f -o results.csv
    """
    kind = table_format(output)
    if data_type == "results" and not plot_id:
        raise click.UsageError("Reading results needs --plot ID (see 'pluto plots EXP').")
    frame = make_client().read(
        experiment_id,
        data_type,
        plot_id,
        columns=split_list(columns),
        samples=split_list(samples),
        genes=split_list(genes),
        quiet=quiet,
    )
    write_frame(frame, output, kind)
    if output is not None and not quiet:
        click.echo(f"Wrote {len(frame)} rows to {output}.", err=True)


existing_file = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.command("upload")
@click.argument("experiment_id", metavar="EXP")
@click.argument("data_type", type=click.Choice(["sample", "assay"]))
@click.argument("file", type=existing_file)
@api_command
def upload_command(experiment_id: str, data_type: str, file: Path) -> None:
    """Upload an experiment's sample or assay table (CSV, TSV, Parquet or Excel).

    The upload becomes a new version; earlier versions are kept.

    \b
    Example:
      pluto upload PLX140206 sample samples.csv
    """
    version = make_client().upload_table(experiment_id, data_type, file)
    click.echo(
        f"Uploaded {data_type} data to {experiment_id}: version {version.version}, "
        f"{version.count} rows, {len(version.headers)} columns."
    )


@click.command("attach")
@click.argument("experiment_id", metavar="EXP")
@click.argument("file", type=existing_file)
@api_command
def attach_command(experiment_id: str, file: Path) -> None:
    """Attach a file to an experiment (resumable, with progress on a terminal).

    \b
    Example:
      pluto attach PLX140206 protocol.pdf
    """
    attached = make_client().upload_file(experiment_id, file)
    click.echo(f"Attached {attached.display_name} to {experiment_id} as file {attached.uuid}.")


@click.command("files")
@click.argument("experiment_id", metavar="EXP")
@json_option
@api_command
def files_command(experiment_id: str, as_json: bool) -> None:
    """List an experiment's files.

    \b
    Example:
      pluto files PLX140206
    """
    files = make_client().list_files(experiment_id)
    if as_json:
        print_json([file.raw for file in files])
        return
    rows = [
        (f.uuid, f.display_name, f.data_type, human_size(f.file_size), day(f.created_at))
        for f in files
    ]
    print_rows(("id", "name", "kind", "size", "created"), rows)


@click.command("download")
@click.argument("experiment_id", metavar="EXP")
@click.argument("file_id", metavar="FILE_ID")
@click.option("-o", "--output", metavar="PATH", help="File or folder to save to.")
@api_command
def download_command(experiment_id: str, file_id: str, output: str | None) -> None:
    """Download a file of an experiment (its id is in 'pluto files EXP').

    \b
    Example:
      pluto download PLX140206 3f2a9c1e-8d4b-4f0e-9a6c-2b7d5e1f0a93 -o protocol.pdf
    """
    saved = make_client().download_file(experiment_id, file_id, output)
    click.echo(f"Saved {saved}.")


CLIENT_COMMANDS = (
    login_command,
    whoami_command,
    projects_command,
    experiments_command,
    plots_command,
    read_command,
    upload_command,
    attach_command,
    files_command,
    download_command,
    analyze_command,
    results_command,
    stats_command,
    save_analysis_command,
)


def register_client_commands(group: click.Group) -> None:
    """Add the client-side commands to the ``pluto`` group."""
    for command in CLIENT_COMMANDS:
        group.add_command(command)
