"""One row per change to an experiment: who did what, and when. Rows are only ever added."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class HistoryEvent(models.Model):
    """Something that happened to an experiment, recorded by the service that made it happen.

    ``actor`` is None for what Pluto did on its own (an analysis finishing on a worker).
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    experiment = models.ForeignKey(
        "lab.Experiment", on_delete=models.CASCADE, related_name="history_events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="history_events",
    )
    action = models.CharField(max_length=40)
    description = models.TextField()
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["experiment", "-created_at", "-id"], name="history_experiment_newest"
            )
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action}: {self.description}"
