"""Checking a ``bulk_rnaseq`` run's body all at once: the reference, every sample and its
FASTQ files, and the parameters. Every problem found is named in the one ``400``
(``details.errors``, each with its ``field``), so a scientist fixes them in one go.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from pluto.server.errors import InvalidInput
from pluto.server.files.models import ExperimentFile
from pluto.server.lab.models import Experiment
from pluto.server.lab.services import clean_name
from pluto.server.pipelines.models import Reference
from pluto.server.pipelines.references import reference_problem
from pluto.server.tables.models import SAMPLE
from pluto.server.tables.services import current_dataset, sample_id_blocks

BODY_FIELDS = {"pipeline", "reference", "samples", "parameters"}
SAMPLE_FIELDS = {"sample_id", "fastq_1", "fastq_2"}
PARAMETERS = {"min_read_length", "name"}
DEFAULT_MIN_LENGTH = 30
FASTQ = "fastq"


@dataclass
class SampleInput:
    """One sample of a run: its id and its FASTQ file(s)."""

    sample_id: str
    fastq_1: ExperimentFile
    fastq_2: ExperimentFile | None
    index: int  # its place in the body's ``samples``


@dataclass
class RunRequest:
    """A checked run body, or the problems found in it."""

    reference: Reference | None = None
    samples: list[SampleInput] = field(default_factory=list)
    parameters: dict[str, Any] = field(default_factory=dict)
    errors: list[dict[str, str]] = field(default_factory=list)

    def problem(self, where: str, message: str) -> None:
        """Note one problem with field ``where``."""
        self.errors.append({"field": where, "message": f"'{where}' {message}"})


def table_sample_ids(experiment: Experiment) -> list[str] | None:
    """The sample table's ``sample_id``s, or None when there is no sample table."""
    dataset = current_dataset(experiment, SAMPLE)
    if dataset is None:
        return None
    with sample_id_blocks(dataset) as blocks:
        return [str(value) for block in blocks for value in block.to_pylist()]


def fastq_file(experiment: Experiment, value: Any, where: str, request: RunRequest) -> Any:
    """The complete FASTQ file of the experiment a sample names, or None (problem noted)."""
    if not isinstance(value, str) or not value.strip():
        request.problem(where, "is required: the uuid of a FASTQ file of this experiment.")
        return None
    files = ExperimentFile.objects.completed().filter(experiment=experiment)
    found = files.filter(uuid=value).first() if is_uuid(value) else None
    if found is None:
        request.problem(where, f"{value!r} is not an uploaded file of this experiment.")
    elif found.data_type != FASTQ:
        request.problem(where, f"{found.display_name} is a {found.data_type} file, not fastq.")
        return None
    return found


def is_uuid(value: str) -> bool:
    """Whether ``value`` reads as a uuid."""
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def check_sample(
    experiment: Experiment, index: int, item: Any, known: set[str], request: RunRequest
) -> None:
    """One entry of ``samples``: a known sample id and its file(s)."""
    where = f"samples[{index}]"
    if not isinstance(item, dict):
        request.problem(where, "must be an object with sample_id, fastq_1 and fastq_2.")
        return
    for name in sorted(set(item) - SAMPLE_FIELDS):
        request.problem(
            f"{where}.{name}", "is not a field; a sample has sample_id, fastq_1, fastq_2."
        )
    sample_id = item.get("sample_id")
    if not isinstance(sample_id, str) or sample_id not in known:
        request.problem(f"{where}.sample_id", f"{sample_id!r} is not a sample of the sample table.")
    first = fastq_file(experiment, item.get("fastq_1"), f"{where}.fastq_1", request)
    second = None
    if item.get("fastq_2") is not None:
        second = fastq_file(experiment, item.get("fastq_2"), f"{where}.fastq_2", request)
    if first is not None and isinstance(sample_id, str):
        request.samples.append(SampleInput(sample_id, first, second, index))


def check_coverage(items: list[Any], known: list[str], request: RunRequest) -> None:
    """Each sample once, every sample of the table, and one layout (all paired or none)."""
    named = [item.get("sample_id") for item in items if isinstance(item, dict)]
    repeated = sorted({str(s) for s in named if named.count(s) > 1})
    if repeated:
        request.problem("samples", f"names {', '.join(repeated)} more than once.")
    left_out = [s for s in known if s not in named]
    if left_out:
        request.problem(
            "samples",
            f"leaves out {', '.join(left_out[:10])} of the sample table; the counts must cover "
            "every sample.",
        )
    paired = [isinstance(item, dict) and item.get("fastq_2") is not None for item in items]
    if any(paired) and not all(paired):
        for index, is_paired in enumerate(paired):
            if not is_paired:
                request.problem(
                    f"samples[{index}].fastq_2", "is missing: the other samples are paired-end."
                )


def check_files_used_once(request: RunRequest) -> None:
    """No FASTQ file may serve twice (as both mates, or for two samples)."""
    seen: set[str] = set()
    for sample in request.samples:
        for mate, file in (("fastq_1", sample.fastq_1), ("fastq_2", sample.fastq_2)):
            if file is None:
                continue
            if str(file.uuid) in seen:
                where = f"samples[{sample.index}].{mate}"
                request.problem(where, f"{file.display_name} is used twice.")
            seen.add(str(file.uuid))


def check_samples(experiment: Experiment, items: Any, request: RunRequest) -> None:
    """The ``samples`` list against the sample table and the experiment's files."""
    known = table_sample_ids(experiment)
    if known is None:
        request.problem("samples", "cannot be matched: the experiment has no sample table yet.")
        return
    if not isinstance(items, list) or not items:
        request.problem("samples", "must be a non-empty list of {sample_id, fastq_1, fastq_2}.")
        return
    for index, item in enumerate(items):
        check_sample(experiment, index, item, set(known), request)
    check_coverage(items, known, request)
    check_files_used_once(request)


def check_parameters(value: Any, request: RunRequest) -> None:
    """The optional ``parameters``: ``min_read_length`` and the workflow's ``name``."""
    if value is None:
        value = {}
    if not isinstance(value, dict):
        request.problem("parameters", "must be a JSON object.")
        return
    for name in sorted(set(value) - PARAMETERS):
        request.problem(
            f"parameters.{name}", f"is not a parameter; it takes {', '.join(sorted(PARAMETERS))}."
        )
    length = value.get("min_read_length", DEFAULT_MIN_LENGTH)
    if isinstance(length, bool) or not isinstance(length, int) or not 1 <= length <= 1000:
        request.problem("parameters.min_read_length", "must be a whole number from 1 to 1000.")
    request.parameters["min_read_length"] = length
    if value.get("name") is not None:
        try:
            request.parameters["name"] = clean_name(value["name"], "parameters.name")
        except InvalidInput as error:
            request.errors.append({"field": "parameters.name", "message": error.message})


def check_run_request(experiment: Experiment, data: dict[str, Any]) -> RunRequest:
    """The checked body, or ``400`` naming every problem (``details.errors``)."""
    request = RunRequest()
    for name in sorted(set(data) - BODY_FIELDS):
        request.problem(name, f"is not a field; allowed: {', '.join(sorted(BODY_FIELDS))}.")
    request.reference, problem = reference_problem(
        data.get("reference"), experiment.organism, needs="transcriptome"
    )
    if problem:
        request.problem("reference", problem)
    check_samples(experiment, data.get("samples"), request)
    check_parameters(data.get("parameters"), request)
    if request.errors:
        messages = "; ".join(error["message"] for error in request.errors)
        raise InvalidInput(
            f"The run cannot start: {messages}",
            details={"field": request.errors[0]["field"], "errors": request.errors},
        )
    return request


def stored_request(request: RunRequest) -> dict[str, Any]:
    """The run's parameters as kept on the run (and copied by a copy)."""
    assert request.reference is not None
    samples = [
        {
            "sample_id": s.sample_id,
            "fastq_1": str(s.fastq_1.uuid),
            **({"fastq_2": str(s.fastq_2.uuid)} if s.fastq_2 else {}),
        }
        for s in request.samples
    ]
    return {"reference": request.reference.name, "samples": samples, **request.parameters}
