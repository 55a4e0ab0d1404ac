"""``pluto analyze``: start an analysis, its type and parameters as the server describes them.

The client knows no analysis type itself: ``GET lab/analysis-types/`` says which ones the
server runs, their short names, and each parameter's type and default. That list turns
``-p key=value`` text into numbers and lists, and makes the command's help.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import click

from pluto.cli.client_support import api_command, json_option, make_client, print_json
from pluto.client.errors import PlutoError

if TYPE_CHECKING:
    from pluto.client.models import AnalysisParameter, AnalysisType

TRUE_WORDS, FALSE_WORDS = {"true", "yes", "1"}, {"false", "no", "0"}


def server_types() -> list[AnalysisType] | None:
    """The server's analysis types, or None when no server can be asked."""
    try:
        with make_client() as client:
            return client.analysis_types()
    except (PlutoError, ValueError):
        return None


def find_type(types: list[AnalysisType], name: str) -> AnalysisType:
    """The type with this name or short name, or a usage error listing them."""
    for candidate in types:
        if name in candidate.names() or name.lower() in candidate.aliases:
            return candidate
    known = ", ".join(t.analysis_type for t in types)
    raise click.BadParameter(f"{name!r} is not an analysis type of this server: {known}.")


def converted(raw: str, parameter: AnalysisParameter | None) -> Any:
    """A ``-p`` value as the parameter's type takes it (unknown ones go as text or lists, and
    the server says what is wrong with them)."""
    kind = parameter.type if parameter is not None else ("array" if "," in raw else "string")
    if kind == "array":
        return [item.strip() for item in raw.split(",") if item.strip()]
    if kind == "boolean" and raw.lower() in TRUE_WORDS | FALSE_WORDS:
        return raw.lower() in TRUE_WORDS
    for number_type, convert in (("integer", int), ("number", float)):
        if kind == number_type:
            try:
                return convert(raw)
            except ValueError:
                return raw
    return raw


def parse_parameters(pairs: Iterable[str], analysis: AnalysisType) -> dict[str, Any]:
    """``key=value`` options as the analysis's ``parameters``."""
    known = {p.name: p for p in analysis.parameters}
    parameters: dict[str, Any] = {}
    for pair in pairs:
        key, separator, raw = pair.partition("=")
        if not separator or not key.strip():
            raise click.BadParameter(f"{pair!r} is not key=value.", param_hint="--param")
        parameters[key.strip()] = converted(raw.strip(), known.get(key.strip()))
    return parameters


def parameter_line(parameter: AnalysisParameter) -> str:
    """``name (type, default 3)  description``, or ``(…, required)``."""
    shown = "required" if parameter.required else f"default {parameter.default!r}"
    list_note = ", comma-separated" if parameter.is_list else ""
    return f"{parameter.name} ({parameter.type}{list_note}, {shown})  {parameter.description}"


class AnalyzeCommand(click.Command):
    """``pluto analyze`` whose help ends with the server's analysis types and parameters."""

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_epilog(ctx, formatter)
        types = server_types()
        with formatter.section("Analysis types of your server"):
            if types is None:
                formatter.write_text("Log in (pluto login) to list them, with their parameters.")
            for analysis in types or ():
                names = ", ".join(analysis.names())
                formatter.write_text(f"{names}: {analysis.summary}")
                with formatter.indentation():
                    for parameter in analysis.parameters:
                        formatter.write_text(parameter_line(parameter))


@click.command("analyze", cls=AnalyzeCommand)
@click.argument("experiment_id", metavar="EXP")
@click.argument("analysis", metavar="TYPE")
@click.option(
    "-p",
    "--param",
    "params",
    multiple=True,
    metavar="KEY=VALUE",
    help="An analysis parameter; repeat it. Lists are comma-separated.",
)
@click.option("--name", help="A name for the analysis.")
@click.option("--wait", is_flag=True, help="Wait until it finishes (progress on a terminal).")
@click.option(
    "--timeout", type=float, default=None, help="With --wait: give up after this many seconds."
)
@json_option
@api_command
def analyze_command(
    experiment_id: str,
    analysis: str,
    params: tuple[str, ...],
    name: str | None,
    wait: bool,
    timeout: float | None,
    as_json: bool,
) -> None:
    """Start an analysis of an experiment (TYPE: a type or short name listed below).

    \b
    Examples:
      pluto analyze PLX140206 pca --param group_column=condition --wait
      pluto analyze PLX140206 de \\
        -p group_column=condition -p experimental_values=treated -p control_values=control
    """
    client = make_client()
    chosen = find_type(client.analysis_types(), analysis)
    parameters = parse_parameters(params, chosen)
    started = client.create_analysis(experiment_id, chosen.analysis_type, parameters, name=name)
    finished = client.wait(started, timeout=timeout) if wait else started
    if as_json:
        print_json(finished.raw)
        return
    click.echo(f"Analysis {finished.uuid} ({finished.analysis_type}): {finished.status}.")
    if finished.plot_id:
        click.echo(f"Results: pluto read {experiment_id} results --plot {finished.plot_id}")
