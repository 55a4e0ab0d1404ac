"""Biomarker sets (named lists of genes, proteins or metabolites) and biomodel sets
(reference tables of cell lines, patients or cohorts with a declared column schema).

Both belong to an organization: its members see them, and they are made in the
organization a request is scoped to (or the caller's default one).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class TargetType(models.TextChoices):
    GENE = "gene", "Gene"
    PROTEIN = "protein", "Protein"
    METABOLITE = "metabolite", "Metabolite"
    OTHER = "other", "Other"


class BiomarkerSet(models.Model):
    """A named list of biomarkers of one kind, for one organism."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.CASCADE, related_name="biomarker_sets"
    )
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, default="")
    target_type = models.CharField(max_length=20, choices=TargetType.choices)
    organism_shortname = models.CharField(max_length=100, blank=True, default="")
    set_type = models.CharField(max_length=100, blank=True, default="")
    is_archived = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="biomarker_sets"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.name


class Biomarker(models.Model):
    """One member of a biomarker set (a gene symbol, protein or metabolite name)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    biomarker_set = models.ForeignKey(
        BiomarkerSet, on_delete=models.CASCADE, related_name="biomarkers"
    )
    name = models.CharField(max_length=200)
    target_shortname = models.CharField(max_length=200, blank=True, default="")
    description = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["biomarker_set", "name"], name="one_biomarker_name_per_set"
            )
        ]

    def __str__(self) -> str:
        return self.name


class ColumnType(models.TextChoices):
    TEXT = "text", "Text"
    NUMBER = "number", "Number"
    BOOLEAN = "boolean", "Boolean"
    DATE = "date", "Date"


class BiomodelSet(models.Model):
    """A reference table whose rows follow ``schema_definition`` (``{columns: [...]}``)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.CASCADE, related_name="biomodel_sets"
    )
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, default="")
    schema_definition = models.JSONField(default=dict)
    is_archived = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="biomodel_sets"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.name


class Biomodel(models.Model):
    """One row of a biomodel set: its values by column name, already validated."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    biomodel_set = models.ForeignKey(
        BiomodelSet, on_delete=models.CASCADE, related_name="biomodels"
    )
    values = models.JSONField(default=dict)
    search_text = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
