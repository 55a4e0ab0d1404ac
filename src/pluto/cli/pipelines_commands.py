"""Client commands for pipelines, pipeline runs and workflows."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from pluto.cli.client_support import api_command, json_option, make_client, print_json
from pluto.cli.reference_commands import reference
from pluto.client.pipelines import PipelineRun, Workflow


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


LOCAL_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.command("upload-fastq")
@click.argument("experiment")
@click.option("--sample", "sample_id", required=True, help="The sample's id (sample table).")
@click.argument("fastq_1", type=LOCAL_FILE)
@click.argument("fastq_2", type=LOCAL_FILE, required=False)
@json_option
@api_command
def upload_fastq_command(
    experiment: str, sample_id: str, fastq_1: Path, fastq_2: Path | None, as_json: bool
) -> None:
    """Upload a sample's FASTQ file(s) (R1, and R2 for paired-end reads).

    Prints the sample's entry for a bulk RNA-seq run (--json: as JSON, to collect into the
    samples file of 'pluto run-rnaseq').

    \b
    Example:
      pluto upload-fastq PLX140206 --sample S1 S1_R1.fastq.gz S1_R2.fastq.gz --json
    """
    client = make_client()
    entry = {"sample_id": sample_id}
    for mate, path in (("fastq_1", fastq_1), ("fastq_2", fastq_2)):
        if path is not None:
            entry[mate] = client.upload_file(experiment, path, data_type="fastq").uuid
    if as_json:
        print_json(entry)
        return
    click.echo("  ".join(f"{key}={value}" for key, value in entry.items()))


SAMPLES_OPTION = click.option(
    "--samples",
    "samples_file",
    required=True,
    type=LOCAL_FILE,
    help="A JSON list of {sample_id, fastq_1, fastq_2} (from pluto upload-fastq --json).",
)
AUTO_ACCEPT_OPTION = click.option(
    "--auto-accept", is_flag=True, help="Publish the outputs as soon as the run completes."
)


def read_samples(samples_file: Path) -> list[dict[str, str]]:
    """The run's samples from a JSON file."""
    try:
        samples: list[dict[str, str]] = json.loads(samples_file.read_text())
    except ValueError as exc:
        raise click.BadParameter(
            f"{samples_file} is not JSON: {exc}", param_hint="--samples"
        ) from exc
    return samples


def start_and_report(
    experiment: str, pipeline: str, options: dict[str, Any], flags: tuple[bool, bool, bool]
) -> None:
    """Start a FASTQ pipeline's run, wait for it when asked, and print it (``flags``:
    auto_accept, wait, as_json)."""
    auto_accept, wait, as_json = flags
    reference, samples = options.pop("reference"), read_samples(options.pop("samples_file"))
    parameters = {key: value for key, value in options.items() if value is not None}
    client = make_client()
    run = client.run_fastq_pipeline(
        experiment, pipeline, reference, samples, auto_accept=auto_accept, **parameters
    )
    if wait:
        run = client.wait_for_pipeline_run(experiment, run)
    if as_json:
        print_json(run.raw)
        return
    print_run(experiment, run)


def qc_line(row: dict[str, Any]) -> str:
    """A sample's QC as a line."""
    line = (
        f"  {row['sample_id']}: {row['reads_in']} fragments in, {row['reads_kept']} kept, "
        f"{row['mapping_rate']}% mapped"
    )
    if "peaks" in row:
        line += f", {row['duplication']}% duplicates, {row['peaks']} peaks, FRiP {row['frip']}"
    return line


def print_run(experiment: str, run: PipelineRun) -> None:
    """A run's status, QC and what to do next."""
    click.echo(f"{run.uuid}  {run.status}  workflow {run.workflow}")
    if run.error:
        click.echo(run.error)
    for row in run.outputs.get("qc", []):
        click.echo(qc_line(row))
    published = (run.outputs.get("assay_data") or {}).get("version")
    if run.status == "completed" and published:
        click.echo(f"Published as version {published} of the assay data.")
    elif run.status == "completed":
        click.echo(f"Accept it with: pluto accept-workflow {experiment} {run.workflow}")
    elif run.status in ("pending", "in_progress"):
        click.echo(f"A worker runs it; see its steps with: pluto workflows {experiment}")
        click.echo(f"Cancel it with: pluto cancel-run {experiment} {run.uuid}")


@click.command("run-rnaseq")
@click.argument("experiment")
@click.option("--reference", required=True, help="A ready reference's name (pluto references).")
@SAMPLES_OPTION
@click.option("--min-read-length", type=int, default=None, help="fastp's length filter.")
@click.option("--name", default=None, help="The workflow's name.")
@AUTO_ACCEPT_OPTION
@click.option("--wait", is_flag=True, help="Wait until the run has ended (a worker runs it).")
@json_option
@api_command
def run_rnaseq_command(
    experiment: str, auto_accept: bool, wait: bool, as_json: bool, **options: Any
) -> None:
    """Start the bulk RNA-seq pipeline (fastp, salmon, gene counts, a QC report) on the
    workers; review, then accept.

    \b
    Example:
      pluto run-rnaseq PLX140206 --reference GRCh38-tx --samples samples.json --wait
      pluto accept-workflow PLX140206 <workflow uuid>
    """
    start_and_report(experiment, "bulk_rnaseq", options, (auto_accept, wait, as_json))


@click.command("run-peaks")
@click.argument("experiment")
@click.option(
    "--pipeline",
    required=True,
    type=click.Choice(["chipseq", "atacseq", "cutandrun"]),
    help="The peak pipeline of the experiment's type.",
)
@click.option("--reference", required=True, help="A ready genome reference's name.")
@SAMPLES_OPTION
@click.option("--min-read-length", type=int, default=None, help="fastp's length filter.")
@click.option("--qvalue", type=float, default=None, help="MACS2's q-value cut-off (0.05).")
@click.option("--min-samples", type=int, default=None, help="Samples a consensus peak needs.")
@click.option("--fragment-length", type=int, default=None, help="Single-end fragment length.")
@click.option("--name", default=None, help="The workflow's name.")
@AUTO_ACCEPT_OPTION
@click.option("--wait", is_flag=True, help="Wait until the run has ended (a worker runs it).")
@json_option
@api_command
def run_peaks_command(
    experiment: str, pipeline: str, auto_accept: bool, wait: bool, as_json: bool, **options: Any
) -> None:
    """Start a peak pipeline (fastp, bowtie2, duplicate marking, MACS2, consensus peaks and
    their counts, bigWig tracks, a QC report) on the workers; review, then accept.

    \b
    Example:
      pluto run-peaks PLX140207 --pipeline chipseq --reference GRCh38 --samples samples.json --wait
      pluto accept-workflow PLX140207 <workflow uuid>
    """
    start_and_report(experiment, pipeline, options, (auto_accept, wait, as_json))


@click.command("cancel-run")
@click.argument("experiment")
@click.argument("run")
@json_option
@api_command
def cancel_run_command(experiment: str, run: str, as_json: bool) -> None:
    """Cancel a pending or running pipeline run (its tools are stopped; the experiment is
    left as it was). A finished run is refused.

    \b
    Example:
      pluto cancel-run PLX140206 <run uuid>
    """
    canceled = make_client().cancel_pipeline_run(experiment, run)
    if as_json:
        print_json(canceled.raw)
        return
    click.echo(f"{canceled.uuid}  {canceled.status}  workflow {canceled.workflow}")


COMMANDS: list[click.Command] = [
    upload_fastq_command,
    run_rnaseq_command,
    run_peaks_command,
    cancel_run_command,
    workflows_command,
    accept_workflow_command,
    import_assay_command,
    reference,
]
