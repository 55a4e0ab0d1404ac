"""Research programs: a goal, a framework of dimensions, and the evidence gathered for each.

A program belongs to one organization. Its framework has numbered versions; each version
lists the dimensions the program is judged on. Dimensions are rows of the framework, kept
by their ``key`` from version to version, so evidence filed under a dimension stays filed
under it when a new version renames it (a dimension a version drops is kept, not current).
"""

from __future__ import annotations

import uuid
from uuid import UUID

from django.conf import settings
from django.db import models
from django.utils import timezone

from pluto.server.analyses.models import Analysis
from pluto.server.files.models import ExperimentFile
from pluto.server.lab.models import Experiment
from pluto.server.orgs.models import Organization


class ProgramStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    ARCHIVED = "archived", "Archived"


class AssetKind(models.TextChoices):
    EXPERIMENT = "experiment", "Experiment"
    ANALYSIS = "analysis", "Analysis"
    FILE = "file", "File"


class NextStepStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"


class Label(models.Model):
    """A tag an organization puts on its programs (an indication, a modality...)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="program_labels"
    )
    name = models.CharField(max_length=100)
    category = models.CharField(max_length=100, blank=True, default="")
    color = models.CharField(max_length=7, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["category", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"], name="one_program_label_name_per_org"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Program(models.Model):
    """A translational research program of an organization."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="programs"
    )
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, default="")
    goal = models.TextField(blank=True, default="")
    program_type = models.CharField(max_length=50)
    status = models.CharField(
        max_length=20, choices=ProgramStatus.choices, default=ProgramStatus.ACTIVE
    )
    labels = models.ManyToManyField(Label, blank=True, related_name="programs")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="programs"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name


class Framework(models.Model):
    """How a program is judged: its dimensions, in numbered versions."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    program = models.OneToOneField(Program, on_delete=models.CASCADE, related_name="framework")
    name = models.CharField(max_length=200)
    template = models.CharField(max_length=50, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)


class Dimension(models.Model):
    """One question a program's evidence answers (genetic evidence, safety...)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="dimensions")
    key = models.SlugField(max_length=100)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, default="")
    position = models.PositiveIntegerField(default=0)
    is_current = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "key"], name="one_dimension_key")
        ]

    def __str__(self) -> str:
        return self.name


class FrameworkVersion(models.Model):
    """A numbered version of a framework: the dimensions it listed, as they were."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    dimensions = models.JSONField(default=list)
    note = models.TextField(blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "number"], name="one_framework_number")
        ]


class ProgramAsset(models.Model):
    """An experiment, analysis or file gathered as evidence, under a dimension or none."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="assets")
    kind = models.CharField(max_length=20, choices=AssetKind.choices)
    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="+")
    analysis = models.ForeignKey(
        Analysis, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    file = models.ForeignKey(
        ExperimentFile, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    dimension = models.ForeignKey(
        Dimension, on_delete=models.SET_NULL, null=True, blank=True, related_name="assets"
    )
    note = models.TextField(blank=True, default="")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    @property
    def object_uuid(self) -> UUID:
        """The uuid of the experiment, analysis or file this asset points to."""
        if self.kind == AssetKind.ANALYSIS and self.analysis is not None:
            return self.analysis.uuid
        if self.kind == AssetKind.FILE and self.file is not None:
            return self.file.uuid
        return self.experiment.uuid


class AnalysisSpace(models.Model):
    """A named working area of a program: the experiments analysed together."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="analysis_spaces")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, default="")
    experiments = models.ManyToManyField(Experiment, blank=True, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]


class NextStep(models.Model):
    """What the program's team plans to do next, optionally for one dimension."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="next_steps")
    text = models.TextField()
    status = models.CharField(
        max_length=20, choices=NextStepStatus.choices, default=NextStepStatus.OPEN
    )
    dimension = models.ForeignKey(
        Dimension, on_delete=models.SET_NULL, null=True, blank=True, related_name="next_steps"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
