"""Datasets: immutable Parquet files of an experiment's tables, and which version is current.

A :class:`Dataset` row describes one stored file and never changes. Uploading writes a new
file and a new row, then points :class:`CurrentDataset` at it in one transaction, so readers
see the old table or the new one, never a mix.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from pluto.server.lab.models import Experiment

SAMPLE = "sample"
ASSAY = "assay"
RESULTS = "results"


class TableKind(models.TextChoices):
    SAMPLE = SAMPLE, "Sample data"
    ASSAY = ASSAY, "Assay data"
    RESULTS = RESULTS, "Analysis results"


class Dataset(models.Model):
    """One version of an experiment's table (sample data, assay data or analysis results)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="datasets")
    kind = models.CharField(max_length=10, choices=TableKind.choices)
    version = models.PositiveIntegerField()
    storage_key = models.CharField(max_length=300)
    format_version = models.PositiveSmallIntegerField(default=1)
    row_count = models.PositiveBigIntegerField()
    columns = models.JSONField(default=list)
    column_types = models.JSONField(default=list)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    source_filename = models.CharField(max_length=255, blank=True, default="")
    source_format = models.CharField(max_length=20, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="datasets",
    )

    class Meta:
        ordering = ["experiment", "kind", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["experiment", "kind", "version"], name="one_dataset_per_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.experiment_id} {self.kind} v{self.version}"


class CurrentDataset(models.Model):
    """The pointer to the version of a table that readers get."""

    experiment = models.ForeignKey(
        Experiment, on_delete=models.CASCADE, related_name="current_datasets"
    )
    kind = models.CharField(max_length=10, choices=TableKind.choices)
    dataset = models.ForeignKey(Dataset, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["experiment", "kind"], name="one_current_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.experiment_id} {self.kind} -> {self.dataset_id}"
