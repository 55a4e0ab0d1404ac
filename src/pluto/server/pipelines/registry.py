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
    parameters={
        "type": "object",
        "description": (
            "The run's body: pipeline, reference, samples and these optional parameters."
        ),
        "properties": {
            "min_read_length": {
                "type": "integer",
                "minimum": 1,
                "maximum": 1000,
                "default": 30,
                "description": "Reads shorter than this after trimming are dropped (fastp).",
            },
            "name": {"type": "string", "description": "The workflow's name."},
        },
        "additionalProperties": False,
        "body": {
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
        },
    },
    experiment_types=("rnaseq",),
    steps=(
        Step("fastp", "Trim and check the reads (fastp), per sample"),
        Step("salmon", "Quantify transcripts (salmon), per sample"),
        Step("qc_report", "Build the QC report (MultiQC)"),
        Step("counts", "Sum gene-level counts and TPM"),
        Step("validate", "Validate the counts table"),
        Step("normalise", "Compute counts per million"),
        Step("store", "Store the candidate assay version"),
    ),
)

PIPELINES: dict[str, Pipeline] = {p.shortname: p for p in (ASSAY_IMPORT, BULK_RNASEQ)}


def pipelines_for(experiment_type: str) -> list[Pipeline]:
    """The pipelines experiments of this type can run, by shortname."""
    return [p for _, p in sorted(PIPELINES.items()) if p.applies_to(experiment_type)]


def find_pipeline(value: Any, experiment_type: str) -> Pipeline:
    """The pipeline a run names (shortname or uuid), if this experiment can run it."""
    known = [p.shortname for p in pipelines_for(experiment_type)]
    found = next(
        (p for p in PIPELINES.values() if value in (p.shortname, str(p.uuid))),
        None,
    )
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
