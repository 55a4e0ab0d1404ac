"""The SDK's methods for pipelines, pipeline runs and workflows.

A pipeline run processes a table into candidate outputs; its workflow is what you review
and then accept, which publishes the outputs into the experiment (for ``assay_import``: a
new current assay version and its counts per million).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from pluto.client.base import ClientBase
from pluto.client.history import experiment_ref
from pluto.client.http import path_part
from pluto.client.models import nested, parse_time, text


@dataclass(frozen=True)
class PipelineRun:
    """One run of a pipeline: ``pending``, ``in_progress``, ``completed``, ``failed`` or
    ``canceled``; ``error`` says why a run failed."""

    FINISHED = frozenset({"completed", "failed", "canceled"})

    uuid: str
    pipeline: str
    status: str
    parameters: dict[str, Any]
    outputs: dict[str, Any]
    error: str
    workflow: str
    created_at: datetime | None
    finished_at: datetime | None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PipelineRun:
        """A run as the API answers it."""
        return cls(
            uuid=text(data, "uuid"),
            pipeline=text(data, "pipeline"),
            status=text(data, "status"),
            parameters=nested(data, "parameters"),
            outputs=nested(data, "outputs"),
            error=text(data, "error"),
            workflow=text(data, "workflow"),
            created_at=parse_time(data.get("created_at")),
            finished_at=parse_time(data.get("finished_at")),
            raw=data,
        )


@dataclass(frozen=True)
class Workflow:
    """A run's result to review: ``in_progress``, ``completed``, ``accepted`` or ``failed``."""

    uuid: str
    name: str
    status: str
    is_archived: bool
    pipeline: str
    run: str
    copied_from: str
    outputs: dict[str, Any]
    error: str
    created_at: datetime | None
    accepted_at: datetime | None
    accepted_by: str
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Workflow:
        """A workflow as the API answers it."""
        return cls(
            uuid=text(data, "uuid"),
            name=text(data, "name"),
            status=text(data, "status"),
            is_archived=bool(data.get("is_archived")),
            pipeline=text(data, "pipeline"),
            run=text(data, "run"),
            copied_from=text(data, "copied_from"),
            outputs=nested(data, "outputs"),
            error=text(data, "error"),
            created_at=parse_time(data.get("created_at")),
            accepted_at=parse_time(data.get("accepted_at")),
            accepted_by=text(data, "accepted_by"),
            raw=data,
        )


def run_path(experiment: Any, run: Any, rest: str = "") -> str:
    """``experiments/<exp>/pipeline-runs/<run>/<rest>`` (a run as uuid or object)."""
    ref = run if isinstance(run, str) else run.uuid
    return experiment_path(experiment, f"pipeline-runs/{path_part(ref.strip())}/{rest}")


def experiment_path(experiment: Any, rest: str) -> str:
    """``experiments/<exp>/<rest>``."""
    return f"experiments/{path_part(experiment_ref(experiment))}/{rest}"


def workflow_path(experiment: Any, workflow: Any, rest: str = "") -> str:
    """``experiments/<exp>/workflows/<wf>/<rest>`` (a workflow as uuid or object)."""
    ref = workflow if isinstance(workflow, str) else workflow.uuid
    return experiment_path(experiment, f"workflows/{path_part(ref.strip())}/{rest}")


class PipelineMethods(ClientBase):
    """:class:`pluto.Client` methods for pipelines, pipeline runs and workflows."""

    def pipelines(self, experiment: Any) -> list[dict[str, Any]]:
        """The pipelines this experiment can run (``shortname``, ``parameters`` schema...)."""
        return self.list_items(experiment_path(experiment, "pipelines/"))

    def pipeline_runs(self, experiment: Any) -> list[PipelineRun]:
        """The experiment's pipeline runs, newest first."""
        items = self.list_items(experiment_path(experiment, "pipeline-runs/"))
        return [PipelineRun.from_json(item) for item in items]

    def pipeline_run(self, experiment: Any, run: Any) -> PipelineRun:
        """One run (a uuid or a :class:`PipelineRun`), as it is now."""
        return PipelineRun.from_json(self.get(run_path(experiment, run)))

    def cancel_pipeline_run(self, experiment: Any, run: Any) -> PipelineRun:
        """Cancel a pending or running run: its tools are stopped and the experiment is left
        as it was. A finished run raises :class:`~pluto.client.errors.PlutoError` (409)."""
        return PipelineRun.from_json(self.send("POST", run_path(experiment, run, "cancel/")))

    def wait_for_pipeline_run(
        self, experiment: Any, run: Any, *, timeout: float = 3 * 60 * 60, poll: float = 5.0
    ) -> PipelineRun:
        """Wait until the run is ``completed``, ``failed`` or ``canceled``; the run then.

        Raises :class:`TimeoutError` when it is still going after ``timeout`` seconds.
        """
        deadline = time.monotonic() + timeout
        while True:
            current = self.pipeline_run(experiment, run)
            if current.status in PipelineRun.FINISHED:
                return current
            if time.monotonic() >= deadline:
                raise TimeoutError(
                    f"Pipeline run {current.uuid} was still {current.status} after {timeout} s."
                )
            time.sleep(poll)

    def run_pipeline(
        self, experiment: Any, pipeline: str = "assay_import", **parameters: Any
    ) -> PipelineRun:
        """Start a pipeline run and return it as it ended.

        Example::

            run = client.run_pipeline("PLX140206", csv=Path("counts.csv").read_text())
            client.accept_workflow("PLX140206", run.workflow)
        """
        body = {"pipeline": pipeline, "parameters": parameters}
        return PipelineRun.from_json(
            self.send("POST", experiment_path(experiment, "pipeline-runs/"), body)
        )

    def import_assay(self, experiment: Any, path: str | Path, name: str | None = None) -> Workflow:
        """Run ``assay_import`` on a local CSV file; the workflow to review and accept."""
        source = Path(path)
        params: dict[str, Any] = {"csv": source.read_text(), "filename": source.name}
        if name:
            params["name"] = name
        run = self.run_pipeline(experiment, "assay_import", **params)
        return self.workflow(experiment, run.workflow)

    def workflows(self, experiment: Any, *, archived: bool = False) -> list[Workflow]:
        """The experiment's workflows, newest first (the archived ones with ``archived``)."""
        path = experiment_path(experiment, "workflows/")
        items = self.list_items(path, is_archived="true" if archived else None)
        return [Workflow.from_json(item) for item in items]

    def workflow(self, experiment: Any, workflow: Any) -> Workflow:
        """One workflow."""
        return Workflow.from_json(self.get(workflow_path(experiment, workflow)))

    def workflow_steps(self, experiment: Any, workflow: Any) -> list[dict[str, Any]]:
        """A workflow's steps (preprocesses) in order, with status and message."""
        steps: list[dict[str, Any]] = self.get(workflow_path(experiment, workflow, "preprocesses/"))
        return steps

    def accept_workflow(self, experiment: Any, workflow: Any) -> Workflow:
        """Publish a completed workflow's outputs into the experiment."""
        return Workflow.from_json(self.send("POST", workflow_path(experiment, workflow, "accept/")))

    def archive_workflow(self, experiment: Any, workflow: Any) -> Workflow:
        """Archive a workflow (it leaves the list)."""
        path = workflow_path(experiment, workflow, "archive/")
        return Workflow.from_json(self.send("POST", path))

    def copy_workflow(
        self,
        experiment: Any,
        workflow: Any,
        *,
        name: str | None = None,
        parameters: dict[str, Any] | None = None,
    ) -> Workflow:
        """Run a workflow again as a new one (same input unless ``parameters`` give one)."""
        body: dict[str, Any] = {}
        if name:
            body["name"] = name
        if parameters:
            body["parameters"] = parameters
        path = workflow_path(experiment, workflow, "copy/")
        return Workflow.from_json(self.send("POST", path, body))

    def references(self) -> list[dict[str, Any]]:
        """The server's references (``name``, ``organism``, ``status``…); a run chooses a
        ``ready`` one by name."""
        return self.list_items("references/")

    def run_fastq_pipeline(
        self,
        experiment: Any,
        pipeline: str,
        reference: str,
        samples: list[dict[str, Any]],
        *,
        auto_accept: bool = False,
        **parameters: Any,
    ) -> PipelineRun:
        """Start a FASTQ pipeline (``bulk_rnaseq``, ``chipseq``, ``atacseq``, ``cutandrun``)
        and return the run at once, ``pending``: a worker runs it. Follow it with
        :meth:`wait_for_pipeline_run`, stop it with :meth:`cancel_pipeline_run`.

        ``samples`` are ``{"sample_id", "fastq_1", "fastq_2"}`` with the uuids of uploaded
        ``fastq`` files; ``parameters`` are the pipeline's own (see :meth:`pipelines`) and
        ``name``. With ``auto_accept`` the outputs are published as soon as the run
        completes, without review.

        Example::

            samples = [{"sample_id": "S1", "fastq_1": r1.uuid, "fastq_2": r2.uuid}]
            run = client.run_fastq_pipeline("PLX140207", "chipseq", "GRCh38", samples, qvalue=0.01)
            run = client.wait_for_pipeline_run("PLX140207", run)
        """
        body = {
            "pipeline": pipeline,
            "reference": reference,
            "samples": samples,
            "parameters": parameters,
            "auto_accept": auto_accept,
        }
        return PipelineRun.from_json(
            self.send("POST", experiment_path(experiment, "pipeline-runs/"), body)
        )

    def run_rnaseq(
        self,
        experiment: Any,
        reference: str,
        samples: list[dict[str, Any]],
        **parameters: Any,
    ) -> PipelineRun:
        """Start ``bulk_rnaseq`` (fastp, salmon, gene counts, a QC report) and return the run
        at once, ``pending``: a worker runs it (see :meth:`run_fastq_pipeline`).

        ``samples`` are ``{"sample_id", "fastq_1", "fastq_2"}`` with the uuids of uploaded
        ``fastq`` files; ``parameters`` are ``min_read_length`` and ``name``.

        Example::

            r1 = client.upload_file("PLX140206", "S1_R1.fastq.gz", data_type="fastq")
            r2 = client.upload_file("PLX140206", "S1_R2.fastq.gz", data_type="fastq")
            samples = [{"sample_id": "S1", "fastq_1": r1.uuid, "fastq_2": r2.uuid}]
            run = client.run_rnaseq("PLX140206", "GRCh38-tx", samples)
            run = client.wait_for_pipeline_run("PLX140206", run)
        """
        return self.run_fastq_pipeline(experiment, "bulk_rnaseq", reference, samples, **parameters)
