"""Client commands for pipelines, pipeline runs and workflows."""

from __future__ import annotations

from pathlib import Path

import click

from pluto.cli.client_support import api_command, json_option, make_client, print_json
from pluto.cli.reference_commands import reference
from pluto.client.pipelines import Workflow


def workflow_line(workflow: Workflow) -> str:
    """One workflow as a line: uuid, status, name and what it produced."""
    assay = workflow.outputs.get("assay_data") or {}
    made = f"{assay.get('features')} features by {assay.get('samples')} samples" if assay else ""
    version = f", version {assay['version']}" if assay.get("version") else ""
    reason = f"  ({workflow.error})" if workflow.error else ""
    return f"{workflow.uuid}  {workflow.status:<11}  {workflow.name}  {made}{version}{reason}"


@click.command("workflows")
@click.argument("experiment")
@click.option("--archived", is_flag=True, help="List the archived workflows instead.")
@json_option
@api_command
def workflows_command(experiment: str, archived: bool, as_json: bool) -> None:
    """List an experiment's workflows, newest first.

    EXPERIMENT is its PLX id or UUID. A completed workflow is ready to review and accept.

    \b
    Example:
      pluto workflows PLX140206
    """
    workflows = make_client().workflows(experiment, archived=archived)
    if as_json:
        print_json([workflow.raw for workflow in workflows])
        return
    if not workflows:
        click.echo("No workflows.")
    for workflow in workflows:
        click.echo(workflow_line(workflow))


@click.command("accept-workflow")
@click.argument("experiment")
@click.argument("workflow")
@json_option
@api_command
def accept_workflow_command(experiment: str, workflow: str, as_json: bool) -> None:
    """Accept a completed workflow: publish its outputs into the experiment.

    \b
    Example:
      pluto accept-workflow PLX140206 3f2a…
    """
    accepted = make_client().accept_workflow(experiment, workflow)
    if as_json:
        print_json(accepted.raw)
        return
    click.echo(f"Accepted: {workflow_line(accepted)}")


@click.command("import-assay")
@click.argument("experiment")
@click.argument("table", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--name", default=None, help="The workflow's name.")
@json_option
@api_command
def import_assay_command(experiment: str, table: Path, name: str | None, as_json: bool) -> None:
    """Run the assay import on a CSV table; review the workflow, then accept it.

    \b
    Example:
      pluto import-assay PLX140206 counts.csv
      pluto accept-workflow PLX140206 <workflow uuid>
    """
    workflow = make_client().import_assay(experiment, table, name)
    if as_json:
        print_json(workflow.raw)
        return
    click.echo(workflow_line(workflow))
    if workflow.status == "completed":
        click.echo(f"Accept it with: pluto accept-workflow {experiment} {workflow.uuid}")


COMMANDS: list[click.Command] = [
    workflows_command,
    accept_workflow_command,
    import_assay_command,
    reference,
]
