"""Analyses (which are also the job queue's rows), their plots and the plots' displays."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from pluto.server.analyses.priority import JobPriority
from pluto.server.lab.models import Experiment


class AnalysisStatus:
    """The states of an analysis (and of its plot)."""

    PENDING = "pending"
    RUNNING = "running"
    COMPLETE = "complete"
    FAILED = "failed"
    CANCELLED = "cancelled"
    choices = [(s, s.title()) for s in (PENDING, RUNNING, COMPLETE, FAILED, CANCELLED)]


FINISHED = {AnalysisStatus.COMPLETE, AnalysisStatus.FAILED, AnalysisStatus.CANCELLED}


class Analysis(models.Model):
    """One run of an analysis. The row doubles as its job: workers claim, heartbeat and finish it.

    A worker claims a pending row by switching it to running under its own ``worker_id``; while
    it runs, the worker refreshes ``heartbeat_at``. A running row whose heartbeat is older than
    the timeout belonged to a worker that died: it is retried until ``max_attempts``, then failed.
    Workers take higher ``priority`` first and, among equals, the job of the owner with the
    fewest jobs running.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="analyses")
    analysis_type = models.CharField(max_length=50)
    name = models.CharField(max_length=200)
    parameters = models.JSONField(default=dict)
    status = models.CharField(
        max_length=20, choices=AnalysisStatus.choices, default=AnalysisStatus.PENDING
    )
    priority = models.PositiveSmallIntegerField(default=JobPriority.INTERACTIVE)
    progress = models.FloatField(default=0.0)
    message = models.TextField(blank=True, default="")
    log = models.TextField(blank=True, default="")
    methods = models.TextField(blank=True, default="")
    summary = models.JSONField(default=dict, blank=True)
    # A failed run whose inputs cannot be analysed (the data does not fit the parameters),
    # as opposed to one that broke: clients see ``pipeline_status`` ``unprocessable``.
    unprocessable = models.BooleanField(default=False)
    traceback = models.TextField(blank=True, default="")
    attempts = models.PositiveIntegerField(default=0)
    max_attempts = models.PositiveIntegerField(default=3)
    worker_id = models.CharField(max_length=100, blank=True, default="")
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    cancel_requested = models.BooleanField(default=False)
    rerun_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="reruns"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="analyses"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["status", "created_at"]),
            # The claim's order, and its count of each owner's running jobs.
            models.Index(fields=["status", "priority", "created_at"]),
            models.Index(fields=["status", "created_by"]),
        ]

    def __str__(self) -> str:
        return f"{self.analysis_type} {self.uuid} ({self.status})"


class Plot(models.Model):
    """What a person sees of a result: a figure with a results table, or an external plot."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="plots")
    analysis = models.OneToOneField(
        Analysis, on_delete=models.CASCADE, null=True, blank=True, related_name="plot"
    )
    analysis_type = models.CharField(max_length=50)
    name = models.CharField(max_length=200, blank=True, default="")
    share_level = models.CharField(max_length=20, default="private")
    status = models.CharField(max_length=20, default=AnalysisStatus.PENDING)
    results = models.ForeignKey(
        "tables.Dataset", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    methods = models.TextField(blank=True, default="")
    origin = models.CharField(max_length=50, blank=True, default="")
    display_file = models.ForeignKey(
        "files.ExperimentFile", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    results_file = models.ForeignKey(
        "files.ExperimentFile", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    script_file = models.ForeignKey(
        "files.ExperimentFile", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    is_archived = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="plots"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.analysis_type} plot {self.uuid}"


class Display(models.Model):
    """How a plot is drawn: its type and options (title, thresholds, colours, labels)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    plot = models.ForeignKey(Plot, on_delete=models.CASCADE, related_name="displays")
    display_type = models.CharField(max_length=50)
    plot_title = models.CharField(max_length=300, blank=True, default="")
    options = models.JSONField(default=dict, blank=True)
    is_archived = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.display_type} of {self.plot_id}"


class GeneSetCollection(models.Model):
    """A named collection of gene sets (a GMT file), shared by every user of the instance."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    shortname = models.SlugField(max_length=100, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, default="")
    source = models.CharField(max_length=300, blank=True, default="")
    storage_key = models.CharField(max_length=300)
    set_count = models.PositiveIntegerField(default=0)
    gene_count = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="gene_set_collections",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["shortname"]

    def __str__(self) -> str:
        return self.shortname
