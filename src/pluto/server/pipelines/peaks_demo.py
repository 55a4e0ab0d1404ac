"""The demo's ChIP-seq FASTQ experiment: a tiny simulated genome as the reference
``demo-tiny-genome``, simulated paired-end reads of three samples with planted binding
sites (their BED attached as the truth), and a ``chipseq`` run over them, processed in this
process as a worker would and accepted, so its peak counts are the experiment's assay data
and its BAM files, bigWig tracks, consensus peaks and QC report are published.

Running it again changes nothing: each step looks for what it would make first.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from pluto.server.accounts.models import User
from pluto.server.files.services import attach_file
from pluto.server.lab.models import Experiment, Project
from pluto.server.lab.permissions import OWNER
from pluto.server.pipelines import services
from pluto.server.pipelines.demo import (
    SAMPLES,
    attach_fastq,
    demo_experiment,
    run_and_accept,
    store_samples,
)
from pluto.server.pipelines.models import PipelineRun, Reference
from pluto.server.pipelines.peak_simulator import SimulatedPeaks, simulate_peaks_experiment
from pluto.server.pipelines.references import add_reference

REFERENCE = "demo-tiny-genome"
EXPERIMENT_NAME = "Demo ChIP-seq from FASTQ"
FRAGMENTS = 30_000
TRUTH_FILE = "simulated_binding_sites.bed"


def peaks_experiment(user: User, project: Project) -> Experiment:
    """The demo project's ChIP-seq FASTQ experiment, made when missing."""
    data = {
        "name": EXPERIMENT_NAME,
        "description": (
            "Three samples of simulated paired-end ChIP-seq reads with planted binding sites "
            f"(in {TRUTH_FILE}), run from FASTQ to peaks against the reference {REFERENCE}."
        ),
        "type": "chipseq",
        "organism": "human",
        "assay_data_units": "raw_counts",
    }
    return demo_experiment(user, project, data)


def genome_reference(simulated: SimulatedPeaks) -> Reference:
    """The reference ``demo-tiny-genome``, indexed from the simulated genome when missing."""
    found = Reference.objects.filter(name=REFERENCE).first()
    if found is not None:
        return found
    return add_reference(REFERENCE, "human", genome=simulated.genome_fasta)


def attach_reads(
    user: User, experiment: Experiment, simulated: SimulatedPeaks
) -> list[dict[str, str]]:
    """Store each sample's FASTQ files and the planted sites; the run's ``samples``."""
    reads = {s: (t.fastq_1, t.fastq_2) for s, t in simulated.samples.items()}
    samples = attach_fastq(user, experiment, reads)
    attach_file(user, experiment, TRUTH_FILE, simulated.sites_bed.read_bytes())
    return samples


def ensure_peaks_demo(user: User, project: Project) -> Experiment:
    """The ChIP-seq experiment, its reference, reads and one accepted ``chipseq`` run."""
    experiment = peaks_experiment(user, project)
    if PipelineRun.objects.filter(experiment=experiment).exists():
        return experiment
    with tempfile.TemporaryDirectory(prefix="pluto-demo-") as scratch:
        folder = Path(scratch)
        simulated = simulate_peaks_experiment(folder / "reads", SAMPLES, FRAGMENTS)
        genome_reference(simulated)
        store_samples(user, experiment, folder)
        samples = attach_reads(user, experiment, simulated)
    body = {"pipeline": "chipseq", "reference": REFERENCE, "samples": samples}
    run_and_accept(user, services.start_run(user, experiment, OWNER, body))
    return experiment
