"""Annotation sets: the clusters of a single-cell experiment at one resolution.

An :class:`AnnotationSet` holds numbered :class:`Cluster` rows (each with a display name and
a colour people may change) and one :class:`CellAnnotation` per cell, naming its cluster.
Assignments never change once stored; names and colours do.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from pluto.server.lab.models import Experiment


class AnnotationSource(models.TextChoices):
    UPLOAD = "upload", "Uploaded table"
    ANALYSIS = "analysis", "Analysis"


class AnnotationSet(models.Model):
    """One clustering of an experiment's cells."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    experiment = models.ForeignKey(
        Experiment, on_delete=models.CASCADE, related_name="annotation_sets"
    )
    display_name = models.CharField(max_length=200)
    resolution = models.FloatField()
    source = models.CharField(
        max_length=10, choices=AnnotationSource.choices, default=AnnotationSource.UPLOAD
    )
    source_filename = models.CharField(max_length=255, blank=True, default="")
    cell_count = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="annotation_sets",
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.experiment_id})"


class Cluster(models.Model):
    """A numbered cluster of a set, with the name and colour people see."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    annotation_set = models.ForeignKey(
        AnnotationSet, on_delete=models.CASCADE, related_name="clusters"
    )
    number = models.IntegerField()
    display_name = models.CharField(max_length=200)
    color = models.CharField(max_length=7)
    cell_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["annotation_set", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["annotation_set", "number"], name="one_cluster_per_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.number}: {self.display_name}"


class CellAnnotation(models.Model):
    """Which cluster of a set one cell belongs to."""

    annotation_set = models.ForeignKey(
        AnnotationSet, on_delete=models.CASCADE, related_name="cells"
    )
    cell_id = models.CharField(max_length=200)
    cluster_number = models.IntegerField()

    class Meta:
        ordering = ["annotation_set", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["annotation_set", "cell_id"], name="one_assignment_per_cell"
            )
        ]

    def __str__(self) -> str:
        return f"{self.cell_id} -> {self.cluster_number}"
