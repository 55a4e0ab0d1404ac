"""The ``assay_import`` pipeline: validate an assay table, compute its counts per million,
store it as a candidate assay version.

The candidate's objects are written where a published version's live (the same keys), but
no row points at them until the workflow is accepted (:func:`publish_candidate`), which
creates the version and its file rows and makes the version current in the caller's
transaction.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings

from pluto.server.accounts.models import User
from pluto.server.errors import Conflict
from pluto.server.files.services import record_cpm_file, record_made_file
from pluto.server.lab.models import Experiment
from pluto.server.pipelines.models import StepStatus, Workflow, WorkflowPreprocess
from pluto.server.pipelines.states import move_step
from pluto.server.storage import StoredObject, get_storage
from pluto.server.tables.cpm import CpmFile, makes_cpm, store_cpm
from pluto.server.tables.models import ASSAY, Dataset
from pluto.server.tables.parsing import ParsedTable, parse_table
from pluto.server.tables.services import (
    FORMAT_VERSION,
    check_samples_match,
    lock_experiment,
    make_current,
    next_version,
    table_rules,
)


@dataclass
class Candidate:
    """What the steps produced so far, and the objects written (removed on failure)."""

    dataset_uuid: uuid.UUID = field(default_factory=uuid.uuid4)
    parsed: ParsedTable | None = None
    cpm: CpmFile | None = None
    stored: StoredObject | None = None
    written: list[str] = field(default_factory=list)

    def discard(self) -> None:
        """Remove every object written for this candidate."""
        for key in self.written:
            get_storage().delete(key)
        self.written.clear()


@contextmanager
def step_of(current: WorkflowPreprocess) -> Iterator[WorkflowPreprocess]:
    """Run one step: ``in_progress`` while it works, ``failed`` if it raises."""
    move_step(current, StepStatus.IN_PROGRESS)
    try:
        yield current
    except BaseException as error:
        move_step(current, StepStatus.FAILED, getattr(error, "message", "") or str(error))
        raise


@contextmanager
def step(workflow: Workflow, name: str) -> Iterator[WorkflowPreprocess]:
    """Run the workflow's step of this name (see :func:`step_of`)."""
    with step_of(workflow.preprocesses.get(name=name)) as current:
        yield current


def fetch_input(key: str, target: Path) -> Path:
    """Copy the run's input from the object store into the scratch folder."""
    if not get_storage().exists(key):
        raise Conflict(
            "The run's input is no longer stored (its file was deleted); start a new run.",
            details={"field": "parameters.file_id"},
        )
    with get_storage().open(key) as source, target.open("wb") as out:
        shutil.copyfileobj(source, out)
    return target


def validate(workflow: Workflow, source: Path, filename: str, folder: Path) -> ParsedTable:
    """Step 1: the table must be a valid assay table whose samples match the sample table."""
    experiment = workflow.experiment
    with step(workflow, "validate") as current:
        parsed = parse_table(
            source,
            table_rules(experiment, ASSAY),
            folder,
            filename,
            max_unpacked=int(settings.MAX_UNPACKED_BYTES),
        )
        check_samples_match(experiment, ASSAY, parsed)
        samples = len(parsed.columns) - 1
        move_step(
            current,
            StepStatus.COMPLETED,
            f"{parsed.row_count} features and {samples} samples; the table is valid.",
        )
    return parsed


def normalise(workflow: Workflow, candidate: Candidate, folder: Path) -> None:
    """Step 2: counts per million, for raw counts (skipped for other units)."""
    experiment = workflow.experiment
    assert candidate.parsed is not None
    with step(workflow, "normalise") as current:
        if not makes_cpm(experiment, ASSAY):
            units = experiment.assay_units.shortname
            move_step(
                current,
                StepStatus.SKIPPED,
                f"The assay is in {units}, not raw counts; there is nothing to compute.",
            )
            return
        candidate.cpm = store_cpm(experiment, candidate.dataset_uuid, candidate.parsed.path, folder)
        candidate.written.append(candidate.cpm.stored.key)
        move_step(current, StepStatus.COMPLETED, "Computed the counts per million.")


def store(workflow: Workflow, candidate: Candidate) -> None:
    """Step 3: put the checked table in the object store (no version points at it yet)."""
    assert candidate.parsed is not None
    with step(workflow, "store") as current:
        key = f"datasets/{workflow.experiment.uuid}/{ASSAY}/{candidate.dataset_uuid}.parquet"
        candidate.stored = get_storage().put(key, candidate.parsed.path)
        candidate.written.append(key)
        move_step(current, StepStatus.COMPLETED, "Stored the candidate assay version.")


def process(workflow: Workflow, input_key: str, filename: str, folder: Path) -> Candidate:
    """Run the three steps; on failure the objects written so far are removed."""
    candidate = Candidate()
    try:
        source = fetch_input(input_key, folder / "input")
        candidate.parsed = validate(workflow, source, filename, folder)
        normalise(workflow, candidate, folder)
        store(workflow, candidate)
    except BaseException:
        candidate.discard()
        raise
    return candidate


def candidate_json(candidate: Candidate, filename: str) -> dict[str, Any]:
    """What a workflow keeps to publish the candidate later (object keys and checksums)."""
    parsed, stored = candidate.parsed, candidate.stored
    assert parsed is not None and stored is not None
    cpm = candidate.cpm
    return {
        "assay": {
            "dataset_uuid": str(candidate.dataset_uuid),
            "storage_key": stored.key,
            "sha256": stored.sha256,
            "size": stored.size,
            "row_count": parsed.row_count,
            "columns": parsed.columns,
            "column_types": parsed.column_types,
            "source_format": parsed.source_format,
            "source_filename": filename[:255],
        },
        "cpm": None
        if cpm is None
        else {
            "file_uuid": str(cpm.file_uuid),
            "storage_key": cpm.stored.key,
            "sha256": cpm.stored.sha256,
            "size": cpm.stored.size,
        },
    }


def outputs_json(candidate: dict[str, Any]) -> dict[str, Any]:
    """The run's outputs as people read them (no storage details)."""
    assay, cpm = candidate["assay"], candidate["cpm"]
    files = [] if cpm is None else [{"uuid": cpm["file_uuid"], "data_type": "assay_data_cpm"}]
    return {
        "assay_data": {
            "features": assay["row_count"],
            "samples": len(assay["columns"]) - 1,
            "id_column": assay["columns"][0],
            "source_filename": assay["source_filename"],
            "version": None,
            "dataset": None,
        },
        "files": files,
    }


def still_stored(output: dict[str, Any], what: str) -> StoredObject:
    """The stored object of a candidate output, or ``409`` when it has gone."""
    key = output["storage_key"]
    if not get_storage().exists(key):
        raise Conflict(
            f"The workflow's {what} is no longer stored, so nothing was published; copy the "
            "workflow to run it again.",
            details={"output": what},
        )
    return StoredObject(key=key, size=int(output["size"]), sha256=str(output["sha256"]))


def publish_candidate(user: User, workflow: Workflow) -> Dataset:
    """Make the candidate the experiment's current assay version, with its CPM file.

    Call inside a transaction: every row is created before the last check, so a failure
    anywhere rolls all of them back and the previous version stays current.
    """
    experiment: Experiment = workflow.experiment
    assay, cpm = workflow.candidate["assay"], workflow.candidate["cpm"]
    lock_experiment(experiment)
    dataset = Dataset(
        uuid=uuid.UUID(assay["dataset_uuid"]),
        experiment=experiment,
        kind=ASSAY,
        version=next_version(experiment, ASSAY),
        storage_key=assay["storage_key"],
        format_version=FORMAT_VERSION,
        row_count=assay["row_count"],
        columns=assay["columns"],
        column_types=assay["column_types"],
        sha256=assay["sha256"],
        size=assay["size"],
        source_filename=assay["source_filename"],
        source_format=assay["source_format"],
        created_by=user,
    )
    check_samples_match(experiment, ASSAY, dataset)
    dataset.save()
    still_stored(assay, "assay table")
    if cpm is not None:
        record_cpm_file(user, dataset, uuid.UUID(cpm["file_uuid"]), still_stored(cpm, "CPM file"))
    for made in workflow.candidate.get("files", []):  # a pipeline's TPM and QC files
        still_stored(made, made["filename"])
        record_made_file(user, dataset, made)
    make_current(dataset)
    return dataset
