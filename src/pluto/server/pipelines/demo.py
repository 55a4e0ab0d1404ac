"""The demo's RNA-seq FASTQ experiment: a tiny simulated transcriptome as the reference
``demo-tiny``, simulated paired-end reads of three samples with known abundances, and a
``bulk_rnaseq`` run over them, processed in this process as a worker would (claimed, run,
completed) and accepted, so its counts are the experiment's assay data and its files are
published.

Running it again changes nothing: each step looks for what it would make first.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

import pyarrow as pa

from pluto.server.accounts.models import User
from pluto.server.files.services import attach_file
from pluto.server.lab import services as lab_services
from pluto.server.lab.demo_upload import write_parquet
from pluto.server.lab.models import Experiment, Project
from pluto.server.lab.permissions import OWNER
from pluto.server.pipelines import jobs, services
from pluto.server.pipelines.models import PipelineRun, Reference, RunStatus, Workflow
from pluto.server.pipelines.references import add_reference
from pluto.server.pipelines.simulator import SimulatedExperiment, simulate_experiment
from pluto.server.tables.services import current_dataset, store_table

REFERENCE = "demo-tiny"
EXPERIMENT_NAME = "Demo RNA-seq from FASTQ"
SAMPLES = ("S1", "S2", "S3")
FRAGMENTS = 30_000
TRUTH_FILE = "simulated_truth_gene_tpm.csv"


def demo_experiment(user: User, project: Project, data: dict[str, str]) -> Experiment:
    """The demo project's experiment named ``data["name"]``, made from ``data`` when missing."""
    found = Experiment.objects.filter(project=project, name=data["name"]).first()
    if found is not None:
        return found
    return lab_services.create_experiment(user, {"project": project.pluto_id, **data})


def fastq_experiment(user: User, project: Project) -> Experiment:
    """The demo project's RNA-seq FASTQ experiment, made when missing."""
    data = {
        "name": EXPERIMENT_NAME,
        "description": (
            "Three samples of simulated paired-end reads with known abundances (gene TPM in "
            f"{TRUTH_FILE}), run from FASTQ to counts against the reference {REFERENCE}."
        ),
        "type": "rnaseq",
        "organism": "human",
        "assay_data_units": "raw_counts",
    }
    return demo_experiment(user, project, data)


def demo_reference(simulated: SimulatedExperiment) -> Reference:
    """The reference ``demo-tiny``, indexed from the simulated transcriptome when missing."""
    found = Reference.objects.filter(name=REFERENCE).first()
    if found is not None:
        return found
    return add_reference(REFERENCE, "human", simulated.transcripts_fasta, simulated.gtf)


def store_samples(user: User, experiment: Experiment, folder: Path) -> None:
    """The sample table of S1, S2 and S3, when the experiment has none yet."""
    if current_dataset(experiment, "sample") is not None:
        return
    table = pa.table({"sample_id": list(SAMPLES), "condition": ["control", "control", "treated"]})
    path = write_parquet(table, folder, "fastq_samples.parquet")
    store_table(user, experiment, "sample", path, path.name)


def truth_csv(simulated: SimulatedExperiment) -> bytes:
    """Each gene's simulated TPM per sample, for comparing with the run's ``tpm_gene``."""
    tpm = {sample: simulated.gene_tpm(sample) for sample in SAMPLES}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["gene_id", *SAMPLES])
    for gene in simulated.transcriptome.gene_ids:
        writer.writerow([gene, *(f"{tpm[sample][gene]:.4f}" for sample in SAMPLES)])
    return out.getvalue().encode()


def attach_fastq(
    user: User, experiment: Experiment, reads: Mapping[str, tuple[Path, Path | None]]
) -> list[dict[str, str]]:
    """Store each sample's FASTQ file(s); the run's ``samples``."""
    samples = []
    for sample, mates in reads.items():
        entry = {"sample_id": sample}
        for field, path in zip(("fastq_1", "fastq_2"), mates, strict=True):
            if path is not None:
                stored = attach_file(
                    user, experiment, path.name, path.read_bytes(), data_type="fastq"
                )
                entry[field] = str(stored.uuid)
        samples.append(entry)
    return samples


def attach_reads(
    user: User, experiment: Experiment, simulated: SimulatedExperiment
) -> list[dict[str, str]]:
    """Store each sample's FASTQ files and the truth table; the run's ``samples``."""
    reads = {s: (t.fastq_1, t.fastq_2) for s, t in simulated.samples.items()}
    samples = attach_fastq(user, experiment, reads)
    attach_file(user, experiment, TRUTH_FILE, truth_csv(simulated))
    return samples


def ensure_pipeline_demo(user: User, project: Project) -> Experiment:
    """The FASTQ experiment, its reference, reads and one queued ``bulk_rnaseq`` run."""
    experiment = fastq_experiment(user, project)
    if PipelineRun.objects.filter(experiment=experiment).exists():
        return experiment
    with tempfile.TemporaryDirectory(prefix="pluto-demo-") as scratch:
        folder = Path(scratch)
        simulated = simulate_experiment(folder / "reads", SAMPLES, FRAGMENTS)
        demo_reference(simulated)
        store_samples(user, experiment, folder)
        samples = attach_reads(user, experiment, simulated)
    body = {"pipeline": "bulk_rnaseq", "reference": REFERENCE, "samples": samples}
    run_and_accept(user, services.start_run(user, experiment, OWNER, body))
    return experiment


def run_and_accept(user: User, workflow: Workflow) -> None:
    """Take the queued run as a worker would, run it here, and accept what it made; a run
    that fails stays failed, its message on the Workflows tab."""
    worker_id = f"demo-{os.getpid()}"
    run = workflow.run
    if jobs.take(run.pk, worker_id):
        jobs.execute(run.pk, worker_id)
    run.refresh_from_db()
    if run.status == RunStatus.COMPLETED:
        workflow.refresh_from_db()
        services.accept_workflow(user, workflow, OWNER)
