"""The processing pipelines Pluto can run, defined in code.

Each has a stable uuid, a ``shortname`` that runs name it by, a version, the experiment
types it applies to and the JSON schema of its parameters (what ``GET pipelines/`` shows).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from pluto.server.errors import InvalidInput

BULK_TYPES = (
    "rnaseq",
    "atacseq",
    "cutandrun",
    "cutandtag",
    "chipseq",
    "proteomics",
    "microarray",
    "other",
)


@dataclass(frozen=True)
class Step:
    """One step of a pipeline: its name and what people read."""

    name: str
    display_name: str
    # Run once for each sample (in the samples' order), before the steps over all samples.
    per_sample: bool = False


@dataclass(frozen=True)
class Pipeline:
    """A processing pipeline: what it is called, what it takes and which experiments."""

    uuid: uuid.UUID
    shortname: str
    name: str
    version: str
    description: str
    parameters: dict[str, Any]
    experiment_types: tuple[str, ...]
    steps: tuple[Step, ...] = field(default=())
    # What a run's reference must hold ("transcriptome" or "genome"); "" takes none.
    reference_kind: str = ""

    @property
    def takes_fastq(self) -> bool:
        """Whether runs start from FASTQ files against a reference (and run on a worker)."""
        return bool(self.reference_kind)

    @property
    def per_sample_steps(self) -> tuple[Step, ...]:
        """The steps run once for each sample."""
        return tuple(step for step in self.steps if step.per_sample)

    def applies_to(self, experiment_type: str) -> bool:
        """Whether experiments of this type can run it."""
        return experiment_type in self.experiment_types


ASSAY_IMPORT = Pipeline(
    uuid=uuid.UUID("6f1c0e52-4b7e-4d0a-9a57-2f3a8c1d5e01"),
    shortname="assay_import",
    name="Assay table import",
    version="1.0.0",
    description=(
        "Checks an assay table (an attached file or CSV text) against the experiment, computes "
        "its counts per million for raw counts, and stores it as a candidate assay version. "
        "Accepting the workflow makes it the experiment's current assay data."
    ),
    parameters={
        "type": "object",
        "properties": {
            "file_id": {
                "type": "string",
                "description": "The uuid of a file uploaded to this experiment (an attachment).",
            },
            "csv": {"type": "string", "description": "The assay table itself, as CSV text."},
            "filename": {
                "type": "string",
                "description": "The table's file name (CSV text only; default assay.csv).",
            },
            "name": {"type": "string", "description": "The workflow's name."},
        },
        "oneOf": [{"required": ["file_id"]}, {"required": ["csv"]}],
        "additionalProperties": False,
    },
    experiment_types=BULK_TYPES,
    steps=(
        Step("validate", "Validate the assay table"),
        Step("normalise", "Compute counts per million"),
        Step("store", "Store the candidate assay version"),
    ),
)

FASTQ_FILE = {"type": "string", "description": "The uuid of a FASTQ file (data_type fastq)."}
MIN_READ_LENGTH = {
    "type": "integer",
    "minimum": 1,
    "maximum": 1000,
    "default": 30,
    "description": "Reads shorter than this after trimming are dropped (fastp).",
}
WORKFLOW_NAME = {"type": "string", "description": "The workflow's name."}
RUN_BODY = {
    "reference": {"type": "string", "description": "A ready reference's name or uuid."},
    "samples": {
        "type": "array",
        "items": {
            "type": "object",
            "properties": {
                "sample_id": {"type": "string"},
                "fastq_1": FASTQ_FILE,
                "fastq_2": FASTQ_FILE,
            },
            "required": ["sample_id", "fastq_1"],
        },
    },
    "auto_accept": {
        "type": "boolean",
        "default": False,
        "description": "Publish the outputs as soon as the run completes, without review.",
    },
}


def run_parameters(properties: dict[str, Any]) -> dict[str, Any]:
    """The JSON schema of a FASTQ pipeline's ``parameters``, with the run body's fields."""
    return {
        "type": "object",
        "description": (
            "The run's body: pipeline, reference, samples, auto_accept and these optional "
            "parameters."
        ),
        "properties": {**properties, "name": WORKFLOW_NAME},
        "additionalProperties": False,
        "body": RUN_BODY,
    }


FASTP = Step("fastp", "Trim and check the reads (fastp), per sample", per_sample=True)
BULK_RNASEQ = Pipeline(
    uuid=uuid.UUID("0b7d5a3e-93c4-4f1e-8d21-6a5e4c3b2a10"),
    shortname="bulk_rnaseq",
    name="Bulk RNA-seq: FASTQ to counts",
    version="1.0.0",
    description=(
        "Trims and checks each sample's reads with fastp, quantifies its transcripts with "
        "salmon against a transcriptome reference, and sums them into gene-level counts and "
        "TPM. Accepting the workflow makes the counts the experiment's next assay version, "
        "with TPM by gene and by transcript, a per-sample QC table and a MultiQC report."
    ),
    parameters=run_parameters({"min_read_length": MIN_READ_LENGTH}),
    experiment_types=("rnaseq",),
    steps=(
        FASTP,
        Step("salmon", "Quantify transcripts (salmon), per sample", per_sample=True),
        Step("qc_report", "Build the QC report (MultiQC)"),
        Step("counts", "Sum gene-level counts and TPM"),
        Step("validate", "Validate the counts table"),
        Step("normalise", "Compute counts per million"),
        Step("store", "Store the candidate assay version"),
    ),
    reference_kind="transcriptome",
)

PEAK_PARAMETERS = {
    "min_read_length": MIN_READ_LENGTH,
    "qvalue": {
        "type": "number",
        "exclusiveMinimum": 0,
        "exclusiveMaximum": 1,
        "default": 0.05,
        "description": "MACS2's q-value cut-off for calling a peak.",
    },
    "min_samples": {
        "type": "integer",
        "minimum": 1,
        "default": 1,
        "description": (
            "A consensus peak must be called in at least this many samples (at most the "
            "number of samples)."
        ),
    },
    "fragment_length": {
        "type": "integer",
        "minimum": 20,
        "maximum": 2000,
        "default": 200,
        "description": (
            "Single-end reads are extended to this fragment length for peak calling and "
            "coverage; paired-end runs measure each fragment from its pair."
        ),
    },
}
PEAK_STEPS = (
    FASTP,
    Step("bowtie2", "Align (bowtie2) and mark duplicates (samtools), per sample", per_sample=True),
    Step("macs2", "Call peaks (MACS2), per sample", per_sample=True),
    Step("bigwig", "Make the coverage track (deepTools), per sample", per_sample=True),
    Step("consensus", "Merge the samples' peaks into a consensus set (bedtools)"),
    Step("counts", "Count the reads in each consensus peak (bedtools)"),
    Step("qc_report", "Build the QC report (MultiQC)"),
    Step("validate", "Validate the peak counts table"),
    Step("normalise", "Compute counts per million"),
    Step("store", "Store the candidate assay version"),
)
PEAK_DESCRIPTION = (
    "Trims and checks each sample's reads with fastp, aligns them to a genome reference with "
    "bowtie2, marks duplicates with samtools, calls peaks with MACS2 and makes a coverage "
    "track with deepTools; merges the samples' peaks into a consensus set with bedtools and "
    "counts each sample's reads in it. Accepting the workflow makes the peak counts the "
    "experiment's next assay version, with the BAM files, bigWig tracks, the consensus BED, "
    "a per-sample QC table (FRiP included) and a MultiQC report."
)


def peak_pipeline(key: str, shortname: str, what: str, types: tuple[str, ...]) -> Pipeline:
    """One of the peak pipelines, which differ in their names and experiment types."""
    return Pipeline(
        uuid=uuid.UUID(key),
        shortname=shortname,
        name=f"{what}: FASTQ to peaks",
        version="1.0.0",
        description=PEAK_DESCRIPTION,
        parameters=run_parameters(PEAK_PARAMETERS),
        experiment_types=types,
        steps=PEAK_STEPS,
        reference_kind="genome",
    )


CHIPSEQ = peak_pipeline("5a0c2f6e-1d3b-4e8a-9c71-3b2d4e5f6a01", "chipseq", "ChIP-seq", ("chipseq",))
ATACSEQ = peak_pipeline("5a0c2f6e-1d3b-4e8a-9c71-3b2d4e5f6a02", "atacseq", "ATAC-seq", ("atacseq",))
CUTANDRUN = peak_pipeline(
    "5a0c2f6e-1d3b-4e8a-9c71-3b2d4e5f6a03",
    "cutandrun",
    "CUT&RUN and CUT&Tag",
    ("cutandrun", "cutandtag"),
)

PIPELINES: dict[str, Pipeline] = {
    p.shortname: p for p in (ASSAY_IMPORT, BULK_RNASEQ, CHIPSEQ, ATACSEQ, CUTANDRUN)
}


def named_pipeline(value: Any) -> Pipeline | None:
    """The pipeline ``value`` names (shortname or uuid), if any."""
    return next((p for p in PIPELINES.values() if value in (p.shortname, str(p.uuid))), None)


def pipelines_for(experiment_type: str) -> list[Pipeline]:
    """The pipelines experiments of this type can run, by shortname."""
    return [p for _, p in sorted(PIPELINES.items()) if p.applies_to(experiment_type)]


def find_pipeline(value: Any, experiment_type: str) -> Pipeline:
    """The pipeline a run names (shortname or uuid), if this experiment can run it."""
    known = [p.shortname for p in pipelines_for(experiment_type)]
    found = named_pipeline(value)
    if found is None or not found.applies_to(experiment_type):
        allowed = ", ".join(known) or "none"
        reason = "is not a pipeline" if found is None else "does not apply to this experiment"
        raise InvalidInput(
            f"'pipeline' {value!r} {reason}; {experiment_type} experiments can run: {allowed}.",
            details={"field": "pipeline", "allowed": known},
        )
    return found


def pipeline_json(pipeline: Pipeline) -> dict[str, Any]:
    """A pipeline as ``GET pipelines/`` lists it."""
    return {
        "uuid": str(pipeline.uuid),
        "name": pipeline.name,
        "shortname": pipeline.shortname,
        "version": pipeline.version,
        "description": pipeline.description,
        "parameters": pipeline.parameters,
        "experiment_types": list(pipeline.experiment_types),
        "steps": [{"name": s.name, "display_name": s.display_name} for s in pipeline.steps],
    }
