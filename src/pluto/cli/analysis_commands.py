"""``pluto results``, ``pluto stats`` and ``pluto save-analysis``: a finished analysis's results
page (searched and sorted on the server), its headline numbers, and its results or figure as
a file."""

from __future__ import annotations

import click

from pluto.cli.client_support import api_command, json_option, make_client, print_json


def print_table(headers: list[str], rows: list[dict[str, object]]) -> None:
    """Rows as tab-separated text under their headers."""
    click.echo("\t".join(headers))
    for row in rows:
        click.echo("\t".join("" if row.get(h) is None else str(row.get(h)) for h in headers))


@click.command("results")
@click.argument("experiment_id", metavar="EXP")
@click.argument("analysis_id", metavar="ANALYSIS")
@click.option("--search", help="Only rows whose ids (gene, sample, gene set, peak) contain this.")
@click.option(
    "--sort-by",
    metavar="COLUMN",
    help="A results column in snake_case; '-' in front for descending, 'abs_' for the "
    "absolute value (e.g. -abs_log2_fold_change).",
)
@click.option("--limit", type=click.IntRange(min=0), default=100, show_default=True)
@click.option("--offset", type=click.IntRange(min=0), default=0, show_default=True)
@json_option
@api_command
def results_command(
    experiment_id: str,
    analysis_id: str,
    search: str | None,
    sort_by: str | None,
    limit: int,
    offset: int,
    as_json: bool,
) -> None:
    """Show a page of an analysis's results, tab-separated.

    \b
    Example:
      pluto results PLX140206 0f5c2e1a-… --sort-by=-abs_log2_fold_change --limit 20
    """
    client = make_client()
    analysis = client.get_analysis(experiment_id, analysis_id)
    page = client.analysis_summary(
        analysis, offset=offset, limit=limit, search=search, sort_by=sort_by
    )
    if as_json:
        print_json({"count": page.count, "headers": page.headers, "items": page.rows})
        return
    print_table(page.headers, page.rows)
    click.echo(f"{len(page.rows)} of {page.count} rows (offset {offset}).", err=True)


@click.command("stats")
@click.argument("experiment_id", metavar="EXP")
@click.argument("analysis_id", metavar="ANALYSIS")
@json_option
@api_command
def stats_command(experiment_id: str, analysis_id: str, as_json: bool) -> None:
    """Show the numbers to read first of a finished analysis (genes up and down, variance
    explained, …).

    \b
    Example:
      pluto stats PLX140206 0f5c2e1a-…
    """
    client = make_client()
    stats = client.analysis_stats(client.get_analysis(experiment_id, analysis_id))
    if as_json:
        print_json(stats)
        return
    if not stats:
        click.echo("No numbers yet: the analysis has not completed.")
    for name, value in stats.items():
        click.echo(f"{name}: {value}")


@click.command("save-analysis")
@click.argument("experiment_id", metavar="EXP")
@click.argument("analysis_id", metavar="ANALYSIS")
@click.option("--image", is_flag=True, help="Save the figure as a PNG instead of the results.")
@click.option("-o", "--output", metavar="PATH", help="File or folder to save to.")
@api_command
def save_analysis_command(
    experiment_id: str, analysis_id: str, image: bool, output: str | None
) -> None:
    """Save a finished analysis's results as CSV (or, with --image, its figure as PNG).

    \b
    Example:
      pluto save-analysis PLX140206 0f5c2e1a-… -o results.csv
      pluto save-analysis PLX140206 0f5c2e1a-… --image -o volcano.png
    """
    client = make_client()
    analysis = client.get_analysis(experiment_id, analysis_id)
    kind = "image" if image else "spreadsheet"
    saved = client.download_analysis(analysis, output, kind=kind, progress=False)
    click.echo(f"Saved {saved}.")
