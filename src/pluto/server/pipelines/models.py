"""Pipeline runs, the workflows they produce and each workflow's steps (preprocesses).

A run processes its inputs step by step into candidate outputs that are stored but not yet
part of the experiment; its workflow is what a scientist reviews and then accepts, which
publishes the outputs. Pipelines themselves are defined in code (:mod:`.registry`).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from pluto.server.analyses.priority import JobPriority
from pluto.server.lab.models import Experiment, Organism


def choices_of(*states: str) -> list[tuple[str, str]]:
    """Django choices of status words (``in_progress`` reads "In progress")."""
    return [(state, state.replace("_", " ").capitalize()) for state in states]


class RunStatus:
    """The states of a pipeline run."""

    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELED = "canceled"
    choices = choices_of(PENDING, IN_PROGRESS, COMPLETED, FAILED, CANCELED)


class WorkflowStatus:
    """The states of a workflow."""

    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    ACCEPTED = "accepted"
    FAILED = "failed"
    choices = choices_of(IN_PROGRESS, COMPLETED, ACCEPTED, FAILED)


class StepStatus:
    """The states of a workflow step."""

    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    FAILED = "failed"
    SKIPPED = "skipped"
    # Not run because the run was cancelled before the step could finish.
    CANCELED = "canceled"
    choices = choices_of(PENDING, IN_PROGRESS, COMPLETED, FAILED, SKIPPED, CANCELED)


class PipelineRun(models.Model):
    """One run of a pipeline on an experiment, with its parameters and what it produced.

    A run processed by the workers (``bulk_rnaseq``) doubles as its job, as an analysis does:
    a worker claims a pending run by switching it to ``in_progress`` under its ``worker_id``
    and keeps ``heartbeat_at`` fresh; a run whose heartbeat lapses belonged to a worker that
    died and is started again until ``max_attempts``, then failed.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    experiment = models.ForeignKey(
        Experiment, on_delete=models.CASCADE, related_name="pipeline_runs"
    )
    pipeline = models.CharField(max_length=50)
    pipeline_version = models.CharField(max_length=20)
    status = models.CharField(max_length=20, choices=RunStatus.choices, default=RunStatus.PENDING)
    parameters = models.JSONField(default=dict)
    outputs = models.JSONField(default=dict)
    error = models.TextField(blank=True, default="")
    # What the run's tools wrote (stdout and stderr), appended while they run.
    log = models.TextField(blank=True, default="")
    # Where the run's input sits in the object store (so a copy can run it again).
    input_key = models.CharField(max_length=300, blank=True, default="")
    input_filename = models.CharField(max_length=255, blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="pipeline_runs",
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The job's fields (see the class docstring); a run processed in its request has none.
    priority = models.PositiveSmallIntegerField(default=JobPriority.PIPELINE)
    attempts = models.PositiveIntegerField(default=0)
    max_attempts = models.PositiveIntegerField(default=3)
    worker_id = models.CharField(max_length=100, blank=True, default="")
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    queued = models.BooleanField(default=False)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["queued", "status", "priority", "created_at"])]

    def __str__(self) -> str:
        return f"{self.pipeline} {self.uuid} ({self.status})"


class Workflow(models.Model):
    """A run's result as a scientist reviews it: ``in_progress`` → ``completed`` →
    ``accepted``, or ``failed``."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="workflows")
    name = models.CharField(max_length=200)
    status = models.CharField(
        max_length=20, choices=WorkflowStatus.choices, default=WorkflowStatus.IN_PROGRESS
    )
    is_archived = models.BooleanField(default=False)
    run = models.OneToOneField(PipelineRun, on_delete=models.CASCADE, related_name="workflow")
    copied_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="copies"
    )
    # The stored, not yet published outputs (object keys, sizes, checksums); never shown.
    candidate = models.JSONField(default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="workflows",
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="accepted_workflows",
    )

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.status})"


class WorkflowPreprocess(models.Model):
    """One step of a workflow (validate, normalise, store), in order."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    workflow = models.ForeignKey(Workflow, on_delete=models.CASCADE, related_name="preprocesses")
    name = models.CharField(max_length=50)
    display_name = models.CharField(max_length=100)
    order = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=20, choices=StepStatus.choices, default=StepStatus.PENDING)
    message = models.TextField(blank=True, default="")
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["workflow", "order"]
        constraints = [
            models.UniqueConstraint(fields=["workflow", "order"], name="one_step_per_order")
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.name} ({self.status})"


class ReferenceStatus:
    """The states of a reference: being indexed, ready to be chosen, or failed."""

    INDEXING = "indexing"
    READY = "ready"
    FAILED = "failed"
    choices = choices_of(INDEXING, READY, FAILED)


class ReferenceKind:
    """What a reference holds: transcripts (RNA-seq, a salmon index), a genome (the peak
    pipelines, a bowtie2 index), or both; set from the files it was added with."""

    TRANSCRIPTOME = "transcriptome"
    GENOME = "genome"
    BOTH = "transcriptome_and_genome"
    choices = choices_of(TRANSCRIPTOME, GENOME, BOTH)


class Reference(models.Model):
    """A transcriptome, a genome or both that an administrator added, with their indexes
    (and the transcript-to-gene map) in the object store; runs choose it by name once it is
    ``ready``."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=100, unique=True)
    organism = models.ForeignKey(Organism, on_delete=models.PROTECT, related_name="references")
    kind = models.CharField(
        max_length=30, choices=ReferenceKind.choices, default=ReferenceKind.TRANSCRIPTOME
    )
    status = models.CharField(
        max_length=20, choices=ReferenceStatus.choices, default=ReferenceStatus.INDEXING
    )
    error = models.TextField(blank=True, default="")
    # Object-store keys: the salmon index as a tar archive, the transcript-to-gene table.
    index_key = models.CharField(max_length=300, blank=True, default="")
    tx2gene_key = models.CharField(max_length=300, blank=True, default="")
    transcripts = models.PositiveIntegerField(default=0)
    genes = models.PositiveIntegerField(default=0)
    # The bowtie2 index as a tar archive; the genome's bases that are not N (MACS2's -g)
    # and its FASTA sequences (chromosomes, contigs).
    genome_index_key = models.CharField(max_length=300, blank=True, default="")
    genome_size = models.BigIntegerField(default=0)
    sequences = models.PositiveIntegerField(default=0)
    indexer = models.CharField(max_length=100, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.status})"

    @property
    def holds_transcriptome(self) -> bool:
        """Whether it has a salmon index and transcript-to-gene map (RNA-seq)."""
        return self.kind in (ReferenceKind.TRANSCRIPTOME, ReferenceKind.BOTH)

    @property
    def holds_genome(self) -> bool:
        """Whether it has a bowtie2 index of a genome (the peak pipelines)."""
        return self.kind in (ReferenceKind.GENOME, ReferenceKind.BOTH)

    def holds(self, kind: str) -> bool:
        """Whether it holds ``kind``: ``"transcriptome"`` or ``"genome"``."""
        return self.holds_genome if kind == "genome" else self.holds_transcriptome
