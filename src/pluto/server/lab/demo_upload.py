"""Filling the demo experiment: its sample table, its count matrix and one attachment."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from pluto.server.accounts.models import User
from pluto.server.lab.demo_data import generate_demo_tables
from pluto.server.lab.models import Experiment, ExperimentStatus

PROTOCOL_NAME = "demo-protocol.txt"
PROTOCOL_TEXT = """Demo RNA-seq protocol (PLX140206)

Twelve samples of a human cell line: six treated, six untreated controls, three of each
sex per condition, processed in two batches. Poly-A selected libraries, 2 x 100 bp
paired-end reads, aligned to GRCh38 and counted per gene. The counts in this experiment
are simulated from negative-binomial models with a fixed random seed, so every Pluto
server shows exactly the same numbers.
"""


def write_parquet(table: pa.Table, folder: Path, name: str) -> Path:
    """A generated table as a Parquet file to upload."""
    path = folder / name
    pq.write_table(table, path)
    return path


def upload_demo_tables(user: User, experiment: Experiment) -> None:
    """Upload the generated sample and count tables when the experiment has none yet."""
    from pluto.server.tables.services import current_dataset, store_table

    if current_dataset(experiment, "sample") and current_dataset(experiment, "assay"):
        return
    tables = generate_demo_tables()
    with tempfile.TemporaryDirectory() as folder:
        samples = write_parquet(tables.samples, Path(folder), "demo_samples.parquet")
        counts = write_parquet(tables.counts, Path(folder), "demo_counts.parquet")
        store_table(user, experiment, "sample", samples, samples.name)
        store_table(user, experiment, "assay", counts, counts.name)
    Experiment.objects.filter(pk=experiment.pk).update(status=ExperimentStatus.COMPLETE)


def attach_demo_protocol(user: User, experiment: Experiment) -> None:
    """Attach the small protocol note, once."""
    from pluto.server.files.models import ExperimentFile
    from pluto.server.files.services import attach_file

    if ExperimentFile.objects.filter(experiment=experiment, filename=PROTOCOL_NAME).exists():
        return
    attach_file(user, experiment, PROTOCOL_NAME, PROTOCOL_TEXT.encode("utf-8"))
