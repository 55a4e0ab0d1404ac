"""The searchable text of an experiment's sample table.

Sample tables live in Parquet files; search needs their values in the database. One
:class:`SearchText` per experiment holds the distinct values of its current sample table,
refreshed whenever a sample table version becomes current.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from pluto.server.lab.models import Experiment


class SearchText(models.Model):
    """The distinct values of an experiment's current sample table, as one text."""

    experiment = models.OneToOneField(
        Experiment, on_delete=models.CASCADE, related_name="search_text"
    )
    text = models.TextField(blank=True, default="")
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"search text of {self.experiment_id}"
